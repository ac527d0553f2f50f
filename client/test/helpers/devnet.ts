/**
 * One real devnet per test file (scripts/devnet/startDevnet.ts: a Hardhat JSON-RPC server in a child process with the
 * protocol deployed), Mycelium clients for its well-known accounts, and content ids for manifests.
 */
import fs from "node:fs";
import path from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { startDevnet, type Devnet } from "../../../scripts/devnet/startDevnet.ts";
import { createMyceliumClient, type MyceliumClient } from "../../src/chain/client.ts";
import type { Account } from "viem";
import { tempDirectory } from "./tmp.ts";

/** Hardhat's default accounts (each funded with 10,000 ETH on the devnet). */
export { devnetAccount as devAccount, devnetPrivateKey as devPrivateKey } from "../../../scripts/devnet/accounts.ts";

export type TestChain = {
  devnet: Devnet;
  client: (account: Account) => Promise<MyceliumClient<Account>>;
  readOnly: () => Promise<MyceliumClient>;
};

/** Starts a devnet for the enclosing `describe` and stops it afterwards. */
export function useDevnet(): { get: () => TestChain } {
  let chain: TestChain | undefined;
  before(async function () {
    this.timeout(180_000);
    const devnet = await startDevnet({ port: 0 });
    chain = {
      devnet,
      client: (account) => createMyceliumClient({ rpcUrl: devnet.rpcUrl, deployment: devnet.deployment, account, pollingInterval: 50 }),
      readOnly: () => createMyceliumClient({ rpcUrl: devnet.rpcUrl, deployment: devnet.deployment, pollingInterval: 50 }),
    };
  });
  after(async () => {
    await chain?.devnet.stop();
  });
  return {
    get: () => {
      if (!chain) throw new Error("the devnet is not started");
      return chain;
    },
  };
}

let counter = 0;

/** A fresh CIDv1 (raw codec, sha2-256) of some unique bytes, as a manifest stand-in. */
export async function uniqueCid(label = "manifest"): Promise<CID> {
  const bytes = new TextEncoder().encode(`${label} ${process.pid} ${Date.now()} ${counter++}`);
  return CID.create(1, raw.code, await sha256.digest(bytes));
}

/** Writes the devnet's deployment to a temporary file (for CLI processes, through MYC_DEPLOYMENT) and returns its path. */
export function writeDeploymentFile(devnet: Devnet): string {
  const file = path.join(tempDirectory("myc-deployment-"), `${devnet.chainId}.json`);
  fs.writeFileSync(file, JSON.stringify(devnet.deployment));
  return file;
}
