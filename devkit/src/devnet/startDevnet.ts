/**
 * Starts a local Mycelium chain: a `hardhat node`-style JSON-RPC server on 127.0.0.1 in a child process (the contracts
 * package's devnet server), with the LocalProtocol Ignition module (registry, datatoken implementation, marketplace,
 * 6-decimal test payment token) deployed on a fresh chain. Used by `npm run devnet` and by the tests of the indexer,
 * the client and the end-to-end demo, which may run several at once on different ports.
 *
 * The child never outlives its parent: `stop()` ends it, so do an abort of `signal`, an error while starting, and the
 * parent's exit; if the parent is killed outright, the child ends itself (../process/exitWithParent.cjs).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import type { Readable } from "node:stream";
import { AbortedError, BaseError } from "@mycelium/client/errors";
import { writeDeploymentFile, type Deployment } from "@mycelium/client/deployment";

export type { DeployedContract, Deployment } from "@mycelium/client/deployment";

/** A devnet's deployment always names its RPC URL. */
export type DevnetDeployment = Deployment & { rpcUrl: string };

const require = createRequire(import.meta.url);
/** The contracts package (its hardhat.config.ts is found from there) and its devnet server entry point. */
const CONTRACTS_ROOT = path.dirname(require.resolve("@mycelium/contracts/package.json"));
const SERVER = require.resolve("@mycelium/contracts/devnet-server");
/** Preload that ends a child whose parent is gone (see the file). */
export const EXIT_WITH_PARENT_PRELOAD = require.resolve("../process/exitWithParent.cjs");
/** The server writes the deployment to this extra pipe, so stdout and stderr carry only logs. */
const RESULT_FD = 3;

export type StartDevnetParameters = {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 8545. */
  port?: number | undefined;
  /** Chain id of the new chain. Default 31337. */
  chainId?: number | undefined;
  /**
   * Where to write the deployment JSON: a path, or a function of the deployment (for example
   * `(d) => \`deployments/${d.chainId}.json\``). Relative paths are resolved against the working directory. Default: no file.
   */
  deploymentFile?: string | ((deployment: Deployment) => string) | undefined;
  /** Aborting stops the devnet (while starting: rejects with AbortedError). */
  signal?: AbortSignal | undefined;
  /** Receives every line the server prints (compilation, RPC calls when `verbose`, errors). */
  onLog?: ((line: string) => void) | undefined;
  /** Log every JSON-RPC call like `hardhat node` does. Default false. */
  verbose?: boolean | undefined;
  /** How long starting (compile included) may take. Default 180 s. */
  timeoutMs?: number | undefined;
  /**
   * Let consecutive blocks share a timestamp (Hardhat's `allowBlocksWithSameTimestamp`), as blocks of a real chain
   * hold many transactions at one time. Default false: each automined block is then at least one second after the
   * previous one, so a burst of N transactions pushes the chain's clock up to N seconds ahead of the wall clock for
   * good, which eats into time windows of a few seconds (trainers revealing at once). Runs with short training windows
   * (tests, demos, benchmarks of the round loop) turn it on. Also set by MYC_DEVNET_SAME_TIMESTAMP=1.
   */
  allowBlocksWithSameTimestamp?: boolean | undefined;
};

export type Devnet = {
  /** `http://127.0.0.1:<port>` */
  rpcUrl: string;
  chainId: number;
  deployment: DevnetDeployment;
  /** Absolute path of the deployment JSON, when one was written. */
  deploymentFile: string | undefined;
  /** Process id of the server. */
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and resolves once the process is gone. Safe to call twice. */
  stop: () => Promise<void>;
};

export type StartDevnetReturnType = Devnet;
export type StartDevnetErrorType = DevnetStartError | AbortedError;

/** The devnet server could not be started (port taken, compilation failed, deployment failed, timeout). */
export class DevnetStartError extends BaseError {
  override name = "DevnetStartError";
  static override readonly code: string = "DEVNET_START";
  constructor(reason: string, params: { logTail: string[]; cause?: unknown }) {
    super(`The devnet did not start: ${reason}.`, {
      details: params.logTail.length > 0 ? `Last lines from the server:\n${params.logTail.join("\n")}` : undefined,
      hint: "Check the lines above; if the port is taken, pass another port or 0 to pick a free one.",
      cause: params.cause,
    });
  }
}

export async function startDevnet(parameters: StartDevnetParameters = {}): Promise<Devnet> {
  const { port = 8545, chainId, deploymentFile, signal, onLog, verbose = false, timeoutMs = 180_000 } = parameters;
  if (signal?.aborted) throw new AbortedError("Starting the devnet", { cause: signal.reason });

  const env: NodeJS.ProcessEnv = { ...process.env, MYC_DEVNET_PORT: String(port), MYC_DEVNET_RESULT_FD: String(RESULT_FD) };
  // The server runs on the in-process Hardhat network, whatever network the caller's own Hardhat process uses.
  delete env.HARDHAT_NETWORK;
  if (chainId !== undefined) env.MYC_DEVNET_CHAIN_ID = String(chainId);
  if (parameters.allowBlocksWithSameTimestamp !== undefined)
    env.MYC_DEVNET_SAME_TIMESTAMP = parameters.allowBlocksWithSameTimestamp ? "1" : "0";
  env.MYC_DEVNET_VERBOSE = verbose ? "1" : "0";

  const hardhatRegister = createRequire(SERVER).resolve("hardhat/register");
  const child = spawn(process.execPath, ["--require", EXIT_WITH_PARENT_PRELOAD, "--require", hardhatRegister, SERVER], {
    cwd: CONTRACTS_ROOT,
    env,
    stdio: ["pipe", "pipe", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // The parent's exit is the last chance to end the child synchronously.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener("exit", killOnExit);
    signal?.removeEventListener("abort", onAbortAfterStart);
  };
  const onAbortAfterStart = () => void stop();

  let deployment: DevnetDeployment;
  try {
    deployment = await waitForReady(child, exited, { signal, onLog, timeoutMs });
  } catch (error) {
    await stop();
    throw error;
  }
  signal?.addEventListener("abort", onAbortAfterStart, { once: true });
  void exited.then((code) => onLog?.(`devnet server exited (code ${code})`));

  let written: string | undefined;
  if (deploymentFile !== undefined) {
    const target = typeof deploymentFile === "function" ? deploymentFile(deployment) : deploymentFile;
    written = writeDeploymentFile(path.resolve(target), deployment);
  }
  return {
    rpcUrl: deployment.rpcUrl,
    chainId: deployment.chainId,
    deployment,
    deploymentFile: written,
    pid: child.pid!,
    stop,
  };
}

/** Resolves with the deployment the server prints once ready; rejects if it exits, times out or is aborted first. */
function waitForReady(
  child: ChildProcess,
  exited: Promise<number | null>,
  options: { signal: AbortSignal | undefined; onLog: ((line: string) => void) | undefined; timeoutMs: number },
): Promise<DevnetDeployment> {
  const logTail: string[] = [];
  const log = (line: string) => {
    logTail.push(line);
    if (logTail.length > 30) logTail.shift();
    options.onLog?.(line);
  };
  return new Promise<DevnetDeployment>((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      action();
    };
    const onAbort = () => settle(() => reject(new AbortedError("Starting the devnet", { cause: options.signal?.reason })));
    const timer = setTimeout(
      () => settle(() => reject(new DevnetStartError(`no deployment after ${options.timeoutMs} ms`, { logTail }))),
      options.timeoutMs,
    );
    options.signal?.addEventListener("abort", onAbort, { once: true });

    readline.createInterface({ input: child.stdout! }).on("line", log);
    readline.createInterface({ input: child.stdio[RESULT_FD] as Readable }).once("line", (line) => {
      try {
        const deployment = JSON.parse(line) as DevnetDeployment;
        settle(() => resolve(deployment));
      } catch (cause) {
        settle(() => reject(new DevnetStartError("the server sent an unreadable deployment", { logTail, cause })));
      }
    });
    readline.createInterface({ input: child.stderr! }).on("line", log);
    child.once("error", (cause) =>
      settle(() => reject(new DevnetStartError("the server process could not be spawned", { logTail, cause }))),
    );
    void exited.then((code) =>
      settle(() => reject(new DevnetStartError(`the server exited with code ${code} before it was ready`, { logTail }))),
    );
  });
}
