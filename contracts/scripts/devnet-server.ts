/**
 * The devnet server process, started by the devkit's `startDevnet` as
 * `node --require hardhat/register scripts/devnet-server.ts` in this package: the same JSON-RPC server as `hardhat node` on 127.0.0.1,
 * over a fresh in-process Hardhat network, with the LocalProtocol Ignition module deployed on it. Ignition keeps its
 * journal in memory on the in-process network, so runs never see stale deployment state and any number can run at once.
 *
 * Environment: MYC_DEVNET_PORT (0 picks a free port), MYC_DEVNET_CHAIN_ID (read by hardhat.config.ts),
 * MYC_DEVNET_VERBOSE=1 to log every RPC call like `hardhat node`.
 *
 * When ready, writes the Deployment as one JSON line to the file descriptor named by MYC_DEVNET_RESULT_FD (a pipe that
 * startDevnet opens besides stdout and stderr, which carry only logs), or to stdout when it is not set. Exits on SIGINT/SIGTERM
 * or on any error; startDevnet preloads the devkit's exitWithParent.cjs, which sends SIGTERM when the parent process goes
 * away, so no server outlives the one who started it.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { TASK_COMPILE, TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import type { JsonRpcServer } from "hardhat/types";
import LocalProtocolModule, { DEVNET_PARAMETERS } from "../ignition/modules/LocalProtocol";
import { creationBlock } from "./creationBlock";
import type { Deployment, DeployedContract } from "./deployment";

const HOSTNAME = "127.0.0.1";

async function main(): Promise<void> {
  // Until the server is up, SIGINT/SIGTERM exit at once, through the exit handlers (which release the compile lock).
  const exitNow = () => process.exit(0);
  process.once("SIGINT", exitNow);
  process.once("SIGTERM", exitNow);
  const port = Number(process.env.MYC_DEVNET_PORT ?? 8545);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`MYC_DEVNET_PORT is not a port: ${port}`);

  await compileOnce();
  const provider = hre.network.provider;
  await provider.request({ method: "hardhat_setLoggingEnabled", params: [process.env.MYC_DEVNET_VERBOSE === "1"] });
  const server: JsonRpcServer = await hre.run(TASK_NODE_CREATE_SERVER, { hostname: HOSTNAME, port, provider });
  const { port: actualPort } = await server.listen();
  const stop = async (code: number) => {
    await server.close().catch(() => undefined);
    process.exit(code);
  };
  process.removeListener("SIGINT", exitNow);
  process.removeListener("SIGTERM", exitNow);
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));

  const deployed = await hre.ignition.deploy(LocalProtocolModule, { parameters: DEVNET_PARAMETERS, displayUi: false });
  const contracts: Record<string, DeployedContract> = {};
  for (const [name, contract] of Object.entries(deployed)) {
    contracts[name] = {
      address: contract.address,
      startBlock: await creationBlock(provider, contract.address, Number(await provider.request({ method: "eth_blockNumber" }))),
    };
  }
  const chainId = Number(await provider.request({ method: "eth_chainId" }));
  const deployment: Deployment = { chainId, rpcUrl: `http://${HOSTNAME}:${actualPort}`, contracts };
  const resultFd = process.env.MYC_DEVNET_RESULT_FD;
  fs.writeSync(resultFd === undefined ? 1 : Number(resultFd), `${JSON.stringify(deployment)}\n`);
}

/**
 * Compiles (a no-op when artifacts are fresh) under a lock directory, so devnets started at the same moment on a fresh
 * checkout do not write the same artifacts concurrently. The lock holds its owner's pid: a lock whose owner is gone
 * (killed while compiling) is taken over at once, and the owner releases it on exit, whatever ends it.
 */
async function compileOnce(): Promise<void> {
  const lock = process.env.MYC_DEVNET_COMPILE_LOCK || path.join(hre.config.paths.cache, "devnet-compile.lock");
  const owner = path.join(lock, "pid");
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (isStaleLock(lock, owner)) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the compile lock ${lock} (held by process ${readOwner(owner)})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const release = () => fs.rmSync(lock, { recursive: true, force: true });
  process.once("exit", release);
  try {
    fs.writeFileSync(owner, `${process.pid}\n`);
    await hre.run(TASK_COMPILE, { quiet: true });
  } finally {
    process.removeListener("exit", release);
    release();
  }
}

function readOwner(owner: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(owner, "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A lock whose owner process is gone, or that never got an owner within 10 s (its creator died right after mkdir). */
function isStaleLock(lock: string, owner: string): boolean {
  const pid = readOwner(owner);
  if (pid === undefined) {
    const stat = fs.statSync(lock, { throwIfNoEntry: false });
    return stat !== undefined && Date.now() - stat.mtimeMs > 10_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
