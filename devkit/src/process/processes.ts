/**
 * Child processes of a hub run (the trainers) and the teardown of everything a run starts.
 *
 * A run registers every resource it starts (devnet, indexer, storage nodes, trainer processes, temporary directories)
 * in a `Teardown` as soon as it exists; `close()` releases them in reverse order, whatever happened (success, a
 * failure, an abort from Ctrl-C), each step bounded in time, and reports what it could not release. Trainer processes
 * get SIGTERM and, after a grace period, SIGKILL; any still alive when this process exits get SIGKILL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import readline from "node:readline";

const alive = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of alive) child.kill("SIGKILL");
});

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

export type ManagedProcess = {
  name: string;
  pid: number;
  /** Resolves once the process is gone. */
  exited: Promise<ExitStatus>;
  /** How it ended, once it is gone; null while it runs. */
  readonly status: ExitStatus | null;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s); resolves once the process is gone. Safe to call twice. */
  stop: (graceMs?: number) => Promise<ExitStatus>;
};

export type SpawnTypeScriptParameters = {
  /** Shown in logs and errors. */
  name: string;
  /** Absolute path of the TypeScript entry point, run by Node with the tsx loader. */
  script: string;
  args?: readonly string[] | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
  /** Every line the process prints, stdout and stderr. */
  onLine: (line: string, stream: "stdout" | "stderr") => void;
};

/** The tsx ESM loader, for `node --import`. */
const TSX_LOADER = import.meta.resolve("tsx");

/** Runs a TypeScript entry point in a new Node process (the same Node as this one) with its output read line by line. */
export function spawnTypeScript(parameters: SpawnTypeScriptParameters): ManagedProcess {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, parameters.script, ...(parameters.args ?? [])], {
    cwd: parameters.cwd,
    env: parameters.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  alive.add(child);
  let status: ExitStatus | null = null;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once("exit", (code, signal) => {
      status = { code, signal };
      alive.delete(child);
      resolve(status);
    });
    child.once("error", () => {
      // Spawning failed (no pid): there will be no exit event.
      if (child.pid === undefined) {
        status = { code: null, signal: null };
        alive.delete(child);
        resolve(status);
      }
    });
  });
  readline.createInterface({ input: child.stdout! }).on("line", (line) => parameters.onLine(line, "stdout"));
  readline.createInterface({ input: child.stderr! }).on("line", (line) => parameters.onLine(line, "stderr"));
  const stop = async (graceMs = 5_000) => {
    if (status === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    return exited;
  };
  return {
    name: parameters.name,
    pid: child.pid ?? -1,
    exited,
    get status() {
      return status;
    },
    stop,
  };
}

/** How a process ended, in words. */
export function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `killed by ${status.signal}` : `exit code ${status.code}`;
}

type TeardownStep = { label: string; release: () => Promise<unknown> | unknown };

/** Resources of a run, released in reverse order of registration. */
export class Teardown {
  readonly #steps: TeardownStep[] = [];

  /** Registers a release step; it runs in `close()`, after the steps registered later. */
  add(label: string, release: () => Promise<unknown> | unknown): void {
    this.#steps.push({ label, release });
  }

  /**
   * Runs every step, the last registered first, each for at most `stepTimeoutMs`. Never throws: returns the labels
   * of the steps that failed or timed out, with why.
   */
  async close(options: { stepTimeoutMs?: number; onStep?: (label: string) => void } = {}): Promise<string[]> {
    const failures: string[] = [];
    const stepTimeoutMs = options.stepTimeoutMs ?? 15_000;
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      options.onStep?.(step.label);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(step.release),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`did not finish within ${stepTimeoutMs} ms`)), stepTimeoutMs);
          }),
        ]);
      } catch (error) {
        failures.push(`${step.label}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        clearTimeout(timer);
      }
    }
    return failures;
  }
}
