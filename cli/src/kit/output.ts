/**
 * What `myc` prints. Results go to stdout: lines for people, or one JSON document with --json (bigints as decimal
 * strings, CIDs as strings). Progress bars and spinners go to stderr and only when stderr is a terminal, so pipes and
 * scripts see nothing but results. Errors: one line on stderr (`error: ...`), the hint on a second line.
 */
import { BaseError } from "@mycelium/client";
import { exitCodeOf } from "./exitCodes.ts";
import { cliHint } from "./hints.ts";

export type OutputOptions = {
  json: boolean;
  verbose: boolean;
  stdout?: NodeJS.WritableStream | undefined;
  stderr?: (NodeJS.WritableStream & { isTTY?: boolean; columns?: number }) | undefined;
};

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  private active: Spinner | ProgressBar | undefined;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.verbose = options.verbose;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
  }

  /** Whether progress may be drawn (stderr is a terminal). */
  get interactive(): boolean {
    return this.stderr.isTTY === true && process.env.TERM !== "dumb";
  }

  /** Prints the command's result: `human` lines normally, `data` as JSON with --json. */
  result(data: unknown, human: string | string[]): void {
    this.clear();
    if (this.json) this.stdout.write(`${toJson(data)}\n`);
    else this.stdout.write(`${(Array.isArray(human) ? human : [human]).join("\n")}\n`);
  }

  /** A note for people (stderr, so it never mixes with results); silent with --json. */
  note(message: string): void {
    if (this.json) return;
    this.clear();
    this.stderr.write(`${message}\n`);
  }

  /** Starts a spinner with `label` (no-op unless interactive); returns it so callers can relabel and stop it. */
  spinner(label: string): Spinner {
    this.clear();
    const spinner = new Spinner(this.stderr, label, this.interactive && !this.json);
    this.active = spinner;
    return spinner;
  }

  /** Starts a progress bar over `total` bytes (unknown total: a running count). */
  progress(label: string, total: number | null): ProgressBar {
    this.clear();
    const bar = new ProgressBar(this.stderr, label, total, this.interactive && !this.json);
    this.active = bar;
    return bar;
  }

  /** Reports a failure and returns the exit code to use. */
  error(error: unknown): number {
    this.clear();
    const code = exitCodeOf(error);
    const typed = error instanceof BaseError ? error : undefined;
    let message = typed?.shortMessage ?? (error instanceof Error ? error.message : String(error));
    // Validation errors (manifests, specs) are only actionable with their list of problems: keep it on the line.
    if (typed?.details && Array.isArray((error as { issues?: unknown }).issues)) message = `${message} ${typed.details}`;
    if (this.json) {
      this.stdout.write(
        `${toJson({
          error: {
            name: (error as Error)?.name ?? "Error",
            code,
            message,
            details: typed?.details ?? null,
            hint: (typed ? cliHint(typed.code, typed.hint) : undefined) ?? null,
          },
        })}\n`,
      );
    }
    this.stderr.write(`error: ${message.split("\n")[0]}\n`);
    const hint = typed ? cliHint(typed.code, typed.hint) : undefined;
    if (hint) this.stderr.write(`hint: ${hint}\n`);
    if (this.verbose) {
      if (typed?.details) this.stderr.write(`details: ${typed.details}\n`);
      this.stderr.write(`${describeCauses(error)}\n`);
    }
    return code;
  }

  private clear(): void {
    this.active?.stop();
    this.active = undefined;
  }
}

/** A one-line spinner on stderr: `⠋ label (elapsed)`. */
export class Spinner {
  private static readonly FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  private frame = 0;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private label: string,
    private readonly enabled: boolean,
  ) {
    if (enabled) {
      this.timer = setInterval(() => this.draw(), 80);
      this.timer.unref();
      this.draw();
    }
  }

  update(label: string): void {
    this.label = label;
    if (this.enabled) this.draw();
  }

  stop(): void {
    if (!this.enabled) return;
    clearInterval(this.timer);
    this.stream.write("\r\x1b[2K");
  }

  private draw(): void {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    this.stream.write(`\r\x1b[2K${Spinner.FRAMES[this.frame++ % Spinner.FRAMES.length]} ${this.label} (${seconds}s)`);
  }
}

/** A byte progress bar on stderr: `label [#####.....] 45% 12.0/27.0 MiB 5.1 MiB/s`. */
export class ProgressBar {
  private done = 0;
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WritableStream & { columns?: number },
    private readonly label: string,
    private total: number | null,
    private readonly enabled: boolean,
  ) {
    if (enabled) this.draw();
  }

  /** Sets the bytes done so far (and the total when it becomes known). */
  update(done: number, total?: number | null): void {
    this.done = done;
    if (total !== undefined) this.total = total;
    const now = Date.now();
    if (this.enabled && now - this.lastDraw >= 100) {
      this.lastDraw = now;
      this.draw();
    }
  }

  stop(): void {
    if (this.enabled) this.stream.write("\r\x1b[2K");
  }

  private draw(): void {
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const rate = `${formatBytes(this.done / seconds)}/s`;
    if (this.total === null || this.total === 0) {
      this.stream.write(`\r\x1b[2K${this.label} ${formatBytes(this.done)} ${rate}`);
      return;
    }
    const fraction = Math.min(this.done / this.total, 1);
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - this.label.length - 40));
    const filled = Math.round(fraction * width);
    this.stream.write(
      `\r\x1b[2K${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.floor(fraction * 100)}% ` +
        `${formatBytes(this.done)}/${formatBytes(this.total)} ${rate}`,
    );
  }
}

/**
 * JSON with bigints as decimal strings and CIDs as their string form (not dag-json's `{ "/": ... }` links). Indented
 * by default (one document per command); `indent: 0` gives one line (JSON lines, as the trainer prints its events).
 */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => {
      if (typeof item === "bigint") return item.toString();
      if (item !== null && typeof item === "object" && !Array.isArray(item)) {
        const keys = Object.keys(item);
        const link = (item as Record<string, unknown>)["/"];
        if (keys.length === 1 && typeof link === "string") return link;
      }
      return item;
    },
    indent === 0 ? undefined : indent,
  );
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function describeCauses(error: unknown): string {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  for (let current = error; current && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    lines.push(current instanceof Error ? (current.stack ?? current.message) : String(current));
  }
  return lines.join("\ncaused by: ");
}
