/**
 * Waiting with an AbortSignal: the one `sleep` and `abortable` every package uses. Both reject with AbortedError when
 * the signal fires, so a long loop stops at its next await.
 */
import { AbortedError, throwIfAborted } from "../errors/base.ts";

/** Resolves after `ms`, or rejects with AbortedError when `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal | undefined): Promise<void> {
  throwIfAborted(signal, "Waiting");
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError("Waiting", { cause: signal?.reason }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Races `promise` against `signal`; rejects with AbortedError(operation) when it fires first. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, operation: string): Promise<T> {
  if (!signal) return promise;
  throwIfAborted(signal, operation);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError(operation, { cause: signal.reason }));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Polls `check` every `intervalMs` until it returns something other than undefined, and returns that. Throws what
 * `onTimeout` returns once `timeoutMs` has passed (measured from the first check), and AbortedError on abort. Waits
 * on a condition, never on a fixed budget of wall time: pass a generous timeout, it only bounds a stuck wait.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined> | T | undefined,
  options: { intervalMs?: number | undefined; timeoutMs: number; signal?: AbortSignal | undefined; onTimeout: () => Error },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw options.onTimeout();
    await sleep(Math.min(options.intervalMs ?? 250, Math.max(0, deadline - Date.now())), options.signal);
  }
}
