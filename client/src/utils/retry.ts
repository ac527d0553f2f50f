/**
 * Retrying. A trainer runs for hours against an RPC endpoint and IPFS peers that come and go: a request
 * that fails for a transient reason (the endpoint unreachable or timing out, a block no peer served in time) is retried
 * with exponential backoff until it succeeds, the operation's deadline passes or the trainer is stopped. Everything
 * else (a contract revert, a malformed manifest) is not retried: the caller decides.
 */
import { AbortedError, throwIfAborted } from "../errors/base.ts";
import { ChainRequestError, RpcUnreachableError } from "../errors/chain.ts";
import { toMyceliumError } from "../errors/normalize.ts";
import { BlockNotFoundError, StorageNodeError } from "../errors/storage.ts";
import { sleep } from "./async.ts";

/** Whether retrying `error` may help. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof RpcUnreachableError ||
    error instanceof ChainRequestError ||
    error instanceof BlockNotFoundError ||
    error instanceof StorageNodeError
  );
}

export type RetryInfo = { operation: string; attempt: number; delayMs: number; error: unknown };

export type RetryOptions = {
  signal?: AbortSignal | undefined;
  /** Unix time in ms after which no retry starts (the error is thrown). Default: retry until stopped. */
  deadline?: number | undefined;
  /** First delay in ms, doubled per attempt up to maxDelayMs. Defaults 500 and 5,000. */
  baseDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
  /** Most attempts in all (default: no limit but the deadline and the signal). */
  maxAttempts?: number | undefined;
  /** Which failures a retry may fix (default isTransient: the client's typed RPC and IPFS faults). */
  retryIf?: ((error: unknown) => boolean) | undefined;
  onRetry?: ((info: RetryInfo) => void) | undefined;
};

/** Runs `fn` until it succeeds, retrying transient failures with backoff (see the module comment). */
export async function retrying<T>(operation: string, fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const {
    signal,
    deadline,
    baseDelayMs = 500,
    maxDelayMs = 5_000,
    onRetry,
    retryIf = isTransient,
    maxAttempts = Number.POSITIVE_INFINITY,
  } = options;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal, operation);
    try {
      return await fn();
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(operation, { cause: signal.reason });
      if (!retryIf(error) || attempt >= maxAttempts) throw error;
      let delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      if (deadline !== undefined) {
        const left = deadline - Date.now();
        if (left <= 0) throw error;
        delayMs = Math.min(delayMs, left);
      }
      onRetry?.({ operation, attempt, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
}

/** Runs a raw viem request, turning its failures into the client's typed errors (so isTransient can judge them). */
export async function rpc<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toMyceliumError(error, { action });
  }
}
