/** Trainer processes for tests and benchmarks: spawned as real OS processes, their JSON-line events collected. */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import type { TrainerEvent } from "@mycelium/trainer";

const ENTRY = path.join(import.meta.dirname, "trainerProcess.ts");
/** The tsx ESM loader, for `node --import`. */
const TSX_LOADER = import.meta.resolve("tsx");

/** An event as printed with --json: bigints are decimal strings. */
export type JsonEvent = { [key: string]: unknown } & { type: TrainerEvent["type"] | "summary"; time: number };

export type TrainerProcessOptions = {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** Receives every line the process prints (stdout and stderr), prefixed with its name. */
  log?: ((line: string) => void) | undefined;
};

export class TrainerProcess {
  readonly events: JsonEvent[] = [];
  readonly stderr: string[] = [];
  private child: ChildProcess;
  private waiters: { predicate: (event: JsonEvent) => boolean; resolve: (event: JsonEvent) => void }[] = [];
  exited: Promise<number | null>;

  constructor(private readonly options: TrainerProcessOptions) {
    this.child = this.spawn();
    this.exited = this.watch();
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts the process again with the same arguments (after a kill): events keep accumulating. */
  restart(): void {
    this.child = this.spawn();
    this.exited = this.watch();
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** The first event (already seen or coming) that satisfies `predicate`; rejects after `timeoutMs` or on exit. */
  waitFor(predicate: (event: JsonEvent) => boolean, timeoutMs: number, what = "an event"): Promise<JsonEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise<JsonEvent>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.options.name}: no ${what} within ${timeoutMs} ms; last events: ${this.tail()}`)),
        timeoutMs,
      );
      const waiter = {
        predicate,
        resolve: (event: JsonEvent) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      this.waiters.push(waiter);
      void this.exited.then((code) => {
        if (!this.waiters.includes(waiter)) return;
        clearTimeout(timer);
        reject(
          new Error(
            `${this.options.name} exited (${code}) before ${what}; ` +
              `stderr: ${this.stderr.slice(-5).join(" | ")}; last events: ${this.tail()}`,
          ),
        );
      });
    });
  }

  /** Events of one type. */
  ofType(type: JsonEvent["type"]): JsonEvent[] {
    return this.events.filter((event) => event.type === type);
  }

  tail(count = 6): string {
    return this.events
      .slice(-count)
      .map(
        (event) =>
          `${event.type}${"round" in event ? ` r${String(event.round)}` : ""}${"reason" in event ? ` ${String(event.reason)}` : ""}`,
      )
      .join(", ");
  }

  private spawn(): ChildProcess {
    return spawn(process.execPath, ["--import", TSX_LOADER, ENTRY, ...this.options.args, "--json"], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...this.options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  private watch(): Promise<number | null> {
    const child = this.child;
    readline.createInterface({ input: child.stdout! }).on("line", (line) => {
      this.options.log?.(`[${this.options.name}] ${line}`);
      let event: JsonEvent;
      try {
        event = JSON.parse(line) as JsonEvent;
      } catch {
        return;
      }
      this.events.push(event);
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(event)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
    readline.createInterface({ input: child.stderr! }).on("line", (line) => {
      this.stderr.push(line);
      this.options.log?.(`[${this.options.name} stderr] ${line}`);
    });
    return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
  }
}
