/**
 * Root of every error the Mycelium packages throw on purpose.
 *
 * Modelled on viem's BaseError: `shortMessage` is one line saying what went wrong, `details` adds the specifics
 * (values, paths, CIDs), and `hint` says what to do next. `message` joins them for logs and the CLI. `cause` keeps
 * the underlying error, never swallowed. `code` is a stable machine-readable name, one per class (SCREAMING_SNAKE of
 * the class name without "Error": `AssetNotFoundError` has `ASSET_NOT_FOUND`); programs branch on it, and the command
 * lines' exit codes follow from it.
 */
export type BaseErrorParameters = {
  details?: string | undefined;
  hint?: string | undefined;
  cause?: unknown;
};

export type BaseErrorType = BaseError & { name: "BaseError" };

export class BaseError extends Error {
  override name = "BaseError";
  /** Stable machine-readable code of the class; every subclass sets its own (`static override readonly code`). */
  static readonly code: string = "MYCELIUM_ERROR";
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly hint: string | undefined;

  constructor(shortMessage: string, params: BaseErrorParameters = {}) {
    const lines = [shortMessage];
    if (params.details) lines.push(`Details: ${params.details}`);
    if (params.hint) lines.push(`What to do: ${params.hint}`);
    super(lines.join("\n"), params.cause === undefined ? undefined : { cause: params.cause });
    this.shortMessage = shortMessage;
    this.details = params.details;
    this.hint = params.hint;
  }

  /** The machine-readable code of this error's class (see `BaseError.code`): what programs and exit codes go by. */
  get code(): string {
    return (this.constructor as typeof BaseError).code;
  }

  /** Walks the `cause` chain and returns the first error for which `predicate` holds, or null. */
  walk(predicate: (error: unknown) => boolean): unknown | null {
    let current: unknown = this;
    const seen = new Set<unknown>();
    while (current != null && !seen.has(current)) {
      if (predicate(current)) return current;
      seen.add(current);
      current = (current as { cause?: unknown }).cause;
    }
    return null;
  }
}

/** Thrown when an operation is cancelled through its AbortSignal. */
export class AbortedError extends BaseError {
  override name = "AbortedError";
  static override readonly code: string = "ABORTED";
  constructor(operation: string, params: { cause?: unknown } = {}) {
    super(`${operation} was aborted.`, { cause: params.cause, hint: "Run it again when you are ready; work already stored is reused." });
  }
}

/** Throws AbortedError when `signal` has fired. Call at every await point of long loops. */
export function throwIfAborted(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw new AbortedError(operation, { cause: signal.reason });
}
