import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { AbortedError } from "@mycelium/client";
import { createPublicClient, createTestClient, createWalletClient, http, parseAbi } from "viem";
import { allProcesses, DevnetStartError, isRunning, startDevnet, startOrphanParent, waitUntilGone, type Devnet } from "../src/index.ts";
import { sleep } from "@mycelium/client/utils";

/** Live devnet servers started by this process. */
function ourServers(): number[] {
  return allProcesses()
    .filter((stat) => stat.ppid === process.pid && isRunning(stat.pid, stat.startTime))
    .filter((stat) => {
      try {
        return fs.readFileSync(`/proc/${stat.pid}/cmdline`, "utf8").includes("devnet-server.ts");
      } catch {
        return false;
      }
    })
    .map((stat) => stat.pid);
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(100);
  }
  return condition();
}

describe("startDevnet", function () {
  this.timeout(240_000);
  const started: Devnet[] = [];
  const directories: string[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((devnet) => devnet.stop()));
    for (const directory of directories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
  });

  it("runs two fresh chains side by side on free ports, each with its deployment file, and stops them", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "myc-devnet-"));
    directories.push(directory);
    const [first, second] = await Promise.all([
      startDevnet({ port: 0, deploymentFile: path.join(directory, "a.json") }),
      startDevnet({ port: 0, chainId: 31338, deploymentFile: (deployment) => path.join(directory, `${deployment.chainId}.json`) }),
    ]);
    started.push(first, second);
    expect(first.rpcUrl).to.not.equal(second.rpcUrl);
    expect([first.chainId, second.chainId]).to.deep.equal([31337, 31338]);
    expect(second.deploymentFile).to.equal(path.join(directory, "31338.json"));
    for (const devnet of [first, second]) {
      const written = JSON.parse(fs.readFileSync(devnet.deploymentFile!, "utf8"));
      expect(written).to.deep.equal(devnet.deployment);
      expect(Object.keys(written.contracts).sort()).to.deep.equal([
        "AssetRegistry",
        "DatatokenImplementation",
        "Marketplace",
        "PaymentToken",
        "TrainingJobs",
      ]);
      const client = createPublicClient({ transport: http(devnet.rpcUrl) });
      expect(await client.getChainId()).to.equal(devnet.chainId);
      for (const { address, startBlock } of Object.values(devnet.deployment.contracts)) {
        expect(await client.getCode({ address, blockNumber: BigInt(startBlock) })).to.not.equal(undefined);
        if (startBlock > 0) expect(await client.getCode({ address, blockNumber: BigInt(startBlock - 1) })).to.equal(undefined);
      }
      const { AssetRegistry, Marketplace, PaymentToken } = devnet.deployment.contracts;
      // A fresh chain: no asset yet, and the marketplace trades the registry's assets in the 6-decimal token.
      const registryAbi = parseAbi(["function assetCount() view returns (uint256)"]);
      expect(await client.readContract({ address: AssetRegistry!.address, abi: registryAbi, functionName: "assetCount" })).to.equal(0n);
      const marketAbi = parseAbi(["function registry() view returns (address)"]);
      expect(await client.readContract({ address: Marketplace!.address, abi: marketAbi, functionName: "registry" })).to.equal(
        AssetRegistry!.address,
      );
      const { TrainingJobs } = devnet.deployment.contracts;
      expect(await client.readContract({ address: TrainingJobs!.address, abi: marketAbi, functionName: "registry" })).to.equal(
        AssetRegistry!.address,
      );
      const tokenAbi = parseAbi(["function decimals() view returns (uint8)"]);
      expect(await client.readContract({ address: PaymentToken!.address, abi: tokenAbi, functionName: "decimals" })).to.equal(6);
    }
    await Promise.all([first.stop(), second.stop()]);
    expect(isRunning(first.pid) || isRunning(second.pid)).to.equal(false);
    await first.stop();
  });

  it("lets blocks share a timestamp when asked, so bursts of transactions do not push the clock ahead", async () => {
    const [strict, shared] = await Promise.all([startDevnet({ port: 0 }), startDevnet({ port: 0, allowBlocksWithSameTimestamp: true })]);
    started.push(strict, shared);
    // Time from the chain, not the wall clock: each chain is asked to mine a transaction at its latest block's own
    // timestamp. Only the chain that allows shared timestamps does; the strict one refuses, so there every block of a
    // burst moves the clock one second ahead.
    const sameTimestampBlock = async (devnet: Devnet) => {
      const publicClient = createPublicClient({ transport: http(devnet.rpcUrl, { retryCount: 0 }) });
      const [sender] = (await publicClient.request({ method: "eth_accounts" } as never)) as `0x${string}`[];
      const latest = await publicClient.getBlock();
      await createTestClient({ mode: "hardhat", transport: http(devnet.rpcUrl, { retryCount: 0 }) }).setNextBlockTimestamp({
        timestamp: latest.timestamp,
      });
      const hash = await createWalletClient({ account: sender!, transport: http(devnet.rpcUrl) }).sendTransaction({
        to: sender!,
        value: 0n,
        chain: null,
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      return (await publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp === latest.timestamp;
    };
    expect(await sameTimestampBlock(shared)).to.equal(true);
    const refused = await sameTimestampBlock(strict).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String((refused as Error | undefined)?.message), "the strict chain refuses a block at its latest timestamp").to.match(
      /timestamp/i,
    );
  });

  it("rejects with DevnetStartError when the port is taken, leaving no process behind", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const error = await startDevnet({ port }).then(
        (devnet) => {
          started.push(devnet);
          return undefined;
        },
        (failure: unknown) => failure,
      );
      expect(error).to.be.instanceOf(DevnetStartError);
      expect((error as DevnetStartError).details).to.include("EADDRINUSE");
      expect(ourServers()).to.deep.equal([]);
    } finally {
      blocker.close();
    }
  });

  it("rejects with AbortedError when aborted while starting, and stops on abort once started", async () => {
    const controller = new AbortController();
    const starting = startDevnet({ port: 0, signal: controller.signal });
    setTimeout(() => controller.abort(), 500);
    const error = await starting.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).to.be.instanceOf(AbortedError);
    expect(ourServers()).to.deep.equal([]);

    const later = new AbortController();
    const devnet = await startDevnet({ port: 0, signal: later.signal });
    later.abort();
    expect(await waitUntil(() => !isRunning(devnet.pid), 10_000)).to.equal(true);
  });

  it("takes over the compile lock of a process that died while compiling, instead of waiting for it", async () => {
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => dead.once("exit", resolve));
    // A lock of this test's own (the server takes its path from MYC_DEVNET_COMPILE_LOCK), held by a dead process.
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "myc-devnet-lock-"));
    directories.push(directory);
    const lock = path.join(directory, "devnet-compile.lock");
    fs.mkdirSync(lock, { recursive: true });
    fs.writeFileSync(path.join(lock, "pid"), `${dead.pid}\n`);
    process.env.MYC_DEVNET_COMPILE_LOCK = lock;
    try {
      // The lock's own wait (300 s) is far longer than this test's timeout: starting at all proves the takeover.
      const devnet = await startDevnet({ port: 0 });
      started.push(devnet);
      expect(fs.existsSync(lock), "the lock is released after compiling").to.equal(false);
    } finally {
      delete process.env.MYC_DEVNET_COMPILE_LOCK;
    }
  });

  it("the server exits by itself when its parent is killed outright", async () => {
    const orphan = await startOrphanParent(["--import", "tsx", path.join(import.meta.dirname, "orphan-parent.ts")], "SERVER_PID");
    await orphan.killParent();
    expect(await waitUntilGone(orphan.childPid, orphan.childStartTime, 15_000)).to.equal(true);
  });
});
