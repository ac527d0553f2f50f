/**
 * Runs the indexer package as a real `ponder start` process for tests, the benchmark and the demo: free port on
 * 127.0.0.1, its own data directory or PostgreSQL schema, JSON logs kept for assertions and for the report when
 * something fails. Every process started here ends with the process that started it: killed at its exit, and, when it
 * is killed outright (no exit handler runs), ending itself (../process/exitWithParent.cjs, shared with the devnet).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import net from "node:net";
import readline from "node:readline";
import { BaseError } from "@mycelium/client/errors";
import { sleep } from "@mycelium/client/utils";

import { INDEXER_ROOT, PONDER_CLI } from "@mycelium/indexer/ponder-cli";

/** Preload that ends an indexer whose parent is gone (see the file). */
const EXIT_WITH_PARENT = createRequire(import.meta.url).resolve("../process/exitWithParent.cjs");

/** The indexer process did not start serving: it exited first, or did not answer within the time allowed. */
export class IndexerStartError extends BaseError {
  override name = "IndexerStartError";
  static override readonly code: string = "INDEXER_START";
  constructor(reason: string, logTail: string) {
    super(`The indexer did not start: ${reason}.`, {
      details: logTail.length > 0 ? `Last log lines:\n${logTail}` : undefined,
      hint: "Read the log lines above; on a busy machine Ponder's database may take minutes to open: pass a longer timeoutMs.",
    });
  }
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export type IndexerLogLine = { time: number; level: number; msg: string; [key: string]: unknown };

export type IndexerProcess = {
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid: number;
  /** Every log line so far (Ponder's JSON logs, or `{ msg }` for other output). */
  logs: IndexerLogLine[];
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  exited: Promise<number | string | null>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. Safe to call twice. */
  stop: () => Promise<void>;
  /** SIGKILL at once (a crash), resolves once the process is gone. */
  kill: () => Promise<void>;
};

export type StartIndexerParameters = {
  deploymentFile: string;
  /** Database schema (Ponder's `--schema`). */
  schema: string;
  /** PGlite data directory (ignored when `databaseUrl` is set). */
  dataDir?: string;
  /** PostgreSQL connection string: the indexer uses PostgreSQL instead of PGlite. */
  databaseUrl?: string;
  /** Extra environment variables (MYC_POLLING_INTERVAL_MS, ...). */
  env?: Record<string, string>;
  /**
   * How long to wait for the HTTP server at most. Default 600 s: it only bounds a stuck start (PGlite has been seen
   * to take 80 s to open on a loaded machine); the wait ends as soon as /health answers.
   */
  timeoutMs?: number;
  /** Aborting stops the process: while starting, startIndexer rejects with the signal's reason once it is gone. */
  signal?: AbortSignal;
  onLog?: (line: IndexerLogLine) => void;
};

/** Starts `ponder start` and resolves once its HTTP server answers /health. */
export async function startIndexer(parameters: StartIndexerParameters): Promise<IndexerProcess> {
  const { deploymentFile, schema, dataDir, databaseUrl, timeoutMs = 600_000 } = parameters;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PONDER_TELEMETRY_DISABLED: "true",
    MYC_DEPLOYMENT: deploymentFile,
    ...parameters.env,
  };
  delete env.DATABASE_URL;
  delete env.DATABASE_PRIVATE_URL;
  delete env.DATABASE_SCHEMA;
  delete env.PORT;
  delete env.INIT_CWD;
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl;
  if (dataDir !== undefined) env.MYC_INDEXER_DIR = dataDir;

  const child = spawn(
    process.execPath,
    [
      "--require",
      EXIT_WITH_PARENT,
      PONDER_CLI,
      "start",
      "--schema",
      schema,
      "--port",
      String(port),
      "--hostname",
      "127.0.0.1",
      "--log-format",
      "json",
    ],
    // stdin: a pipe this process holds and never writes to; it closes when this process is gone.
    { cwd: INDEXER_ROOT, env, stdio: ["pipe", "pipe", "pipe"] },
  );
  running.add(child);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve(code ?? signal);
    }),
  );
  const logs: IndexerLogLine[] = [];
  let listeningPort: number | undefined;
  const onLine = (text: string) => {
    let line: IndexerLogLine;
    try {
      line = JSON.parse(text) as IndexerLogLine;
    } catch {
      line = { time: Date.now(), level: 30, msg: text };
    }
    if (line.msg === "Created HTTP server" && typeof line.port === "number") listeningPort = line.port;
    logs.push(line);
    parameters.onLog?.(line);
  };
  readline.createInterface({ input: child.stdout! }).on("line", onLine);
  readline.createInterface({ input: child.stderr! }).on("line", onLine);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };

  const deadline = Date.now() + timeoutMs;
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  parameters.signal?.addEventListener("abort", () => void stop(), { once: true });
  for (;;) {
    if (parameters.signal?.aborted) {
      await stop();
      throw parameters.signal.reason;
    }
    if (exitedEarly) throw new IndexerStartError("ponder start exited before serving", tail(logs));
    if (Date.now() > deadline) {
      await kill();
      throw new IndexerStartError(`ponder start did not serve within ${timeoutMs} ms`, tail(logs));
    }
    if (listeningPort !== undefined) {
      const healthy = await fetch(`http://127.0.0.1:${listeningPort}/health`)
        .then((response) => response.ok)
        .catch(() => false);
      if (healthy) break;
    }
    await sleep(100);
  }
  return { url: `http://127.0.0.1:${listeningPort}`, pid: child.pid!, logs, exited, stop, kill };
}

/** The last log lines, for error messages. */
export function tail(logs: IndexerLogLine[], count = 40): string {
  return logs
    .slice(-count)
    .map((line) => JSON.stringify(line))
    .join("\n");
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
