/**
 * The one "start a chain and clients" fixture of the tests and benchmarks: a devnet (its own server process on a free
 * port, the protocol deployed), its deployment written to a file for other processes (MYC_DEPLOYMENT), Mycelium
 * clients for its well-known accounts, and the chain's clock under the test's control.
 *
 * Time in tests comes from the chain. A test never assumes that N transactions fit in a second or that a step ends
 * before a wall-clock window closes: it reads block timestamps and, where it needs a window to have passed, moves the
 * chain there (`time.advanceTo`), which every party sees at once.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createMyceliumClient,
  writeDeploymentFile,
  type Deployment,
  type MyceliumClient,
  type MyceliumWalletClient,
} from "@mycelium/client";
import { createTestClient, http, type Account, type Hex } from "viem";
import { getBlock } from "viem/actions";
import { devnetAccount, devnetPrivateKey } from "../devnet/accounts.ts";
import { startDevnet, type Devnet } from "../devnet/startDevnet.ts";

export type StartTestNetworkParameters = {
  /** Where the deployment file (and whatever the test adds) goes; default a new temporary directory, removed by stop(). */
  directory?: string | undefined;
  chainId?: number | undefined;
  /** Let blocks share a timestamp, as on a real chain (see startDevnet). Default false. */
  allowBlocksWithSameTimestamp?: boolean | undefined;
  /** Polling interval of the clients this fixture creates (ms). Default 50. */
  pollingInterval?: number | undefined;
};

/** The chain's clock, for tests: read it, and move it forward (never back). */
export type ChainTime = {
  /** The latest block's timestamp (unix seconds). */
  latest(): Promise<bigint>;
  /** Mines one block at `timestamp` (or one second after the latest block, if that is later). */
  advanceTo(timestamp: bigint | number): Promise<bigint>;
  /** Mines one block `seconds` after the latest block. */
  advanceBy(seconds: bigint | number): Promise<bigint>;
  /** The next block (the next transaction's) gets exactly `timestamp`. */
  setNextBlockTimestamp(timestamp: bigint | number): Promise<void>;
};

export type TestNetwork = {
  devnet: Devnet;
  rpcUrl: string;
  chainId: number;
  deployment: Deployment;
  /** The deployment as a JSON file, for processes (MYC_DEPLOYMENT). */
  deploymentFile: string;
  directory: string;
  /** Devnet account `index` (Hardhat's default mnemonic; 0 deployed the protocol) and its private key. */
  account(index: number): Account;
  privateKey(index: number): Hex;
  /** A client signing as devnet account `index` (or any account). */
  client(account: number | Account, options?: { blockTag?: "latest" | "pending" }): Promise<MyceliumWalletClient>;
  readOnly(): Promise<MyceliumClient>;
  time: ChainTime;
  /** Stops the devnet and removes the temporary directory (when this fixture made it). Safe to call twice. */
  stop(): Promise<void>;
};

/** The clock of a devnet (Hardhat's evm_ methods) at `rpcUrl`. */
export function chainTime(rpcUrl: string): ChainTime {
  const testClient = createTestClient({ mode: "hardhat", transport: http(rpcUrl, { retryCount: 0 }) });
  const latest = async () => (await getBlock(testClient, { blockTag: "latest" })).timestamp;
  const time: ChainTime = {
    latest,
    advanceTo: async (timestamp) => {
      const target = BigInt(timestamp);
      const now = await latest();
      const next = target > now ? target : now + 1n;
      await testClient.setNextBlockTimestamp({ timestamp: next });
      await testClient.mine({ blocks: 1 });
      return next;
    },
    advanceBy: async (seconds) => time.advanceTo((await latest()) + BigInt(seconds)),
    setNextBlockTimestamp: async (timestamp) => testClient.setNextBlockTimestamp({ timestamp: BigInt(timestamp) }),
  };
  return time;
}

export async function startTestNetwork(parameters: StartTestNetworkParameters = {}): Promise<TestNetwork> {
  const ownDirectory = parameters.directory === undefined;
  const directory = parameters.directory ?? fs.mkdtempSync(path.join(os.tmpdir(), "myc-network-"));
  const pollingInterval = parameters.pollingInterval ?? 50;
  let devnet: Devnet | undefined;
  try {
    devnet = await startDevnet({
      port: 0,
      chainId: parameters.chainId,
      allowBlocksWithSameTimestamp: parameters.allowBlocksWithSameTimestamp,
    });
    const started = devnet;
    const deploymentFile = writeDeploymentFile(path.join(directory, `${started.chainId}.json`), started.deployment);
    const time = chainTime(started.rpcUrl);
    let stopped = false;
    return {
      devnet: started,
      rpcUrl: started.rpcUrl,
      chainId: started.chainId,
      deployment: started.deployment,
      deploymentFile,
      directory,
      account: devnetAccount,
      privateKey: devnetPrivateKey,
      client: (account, options = {}) =>
        createMyceliumClient({
          rpcUrl: started.rpcUrl,
          deployment: started.deployment,
          account: typeof account === "number" ? devnetAccount(account) : account,
          pollingInterval,
          ...(options.blockTag ? { blockTag: options.blockTag } : {}),
        }),
      readOnly: () => createMyceliumClient({ rpcUrl: started.rpcUrl, deployment: started.deployment, pollingInterval }),
      time,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await started.stop();
        if (ownDirectory) fs.rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await devnet?.stop();
    if (ownDirectory) fs.rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}
