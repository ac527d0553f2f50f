/**
 * The progress log of a hub run: short lines with the time since the start and who is speaking ("chain",
 * "publisher", "alice", ...), and the full output of every process for the log file and for failures.
 */

export type HubLog = {
  /** A step of the story: always shown. */
  step: (scope: string, message: string) => void;
  /** A line of a process's own output (devnet, indexer, trainers): kept, shown only when verbose. */
  output: (scope: string, line: string) => void;
};

export type ConsoleLogOptions = {
  /** Show the processes' own output too. */
  verbose?: boolean | undefined;
  /** Receives every line (steps and output), for a log file. */
  record?: ((line: string) => void) | undefined;
  write?: ((line: string) => void) | undefined;
};

/** A HubLog that prints `[  12.3 s] scope     message` lines. */
export function consoleLog(options: ConsoleLogOptions = {}): HubLog {
  const write = options.write ?? ((line: string) => console.log(line));
  const format = lineFormatter();
  return {
    step: (scope, message) => {
      const line = format(scope, message);
      write(line);
      options.record?.(line);
    },
    output: (scope, line) => {
      const formatted = format(scope, `| ${line}`);
      if (options.verbose) write(formatted);
      options.record?.(formatted);
    },
  };
}

/** A HubLog that keeps everything and prints nothing (tests print it when they fail). */
export function memoryLog(): HubLog & { lines: string[] } {
  const lines: string[] = [];
  const format = lineFormatter();
  const push = (scope: string, message: string) => lines.push(format(scope, message));
  return { lines, step: push, output: (scope, line) => push(scope, `| ${line}`) };
}

/** Formats `[  12.3 s] scope     message`, the time counted from the call. */
function lineFormatter(): (scope: string, message: string) => string {
  const started = performance.now();
  return (scope, message) => `[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${scope.padEnd(9)} ${message}`;
}
