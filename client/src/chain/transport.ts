/**
 * The HTTP transport of Mycelium clients: viem's `http` with retries only where a retry can help (the network, a
 * timeout, rate limits, a 5xx), never on a JSON-RPC error such as a revert. viem's default also retries "internal
 * errors" (-32603), which is how Hardhat and many nodes report reverts, so every failing call would wait a second of
 * backoff before its typed error.
 */
import { HttpRequestError, TimeoutError, http, type Transport } from "viem";
import { retrying } from "../utils/retry.ts";

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** JSON-RPC codes of rate limits: 429 in the body, LimitExceeded (-32005), QuickNode's -32007. */
const RETRYABLE_CODES = new Set([429, -32005, -32007]);

export type ProtocolTransportOptions = {
  /** Per-request timeout in ms. Default 10,000. */
  timeout?: number | undefined;
  /** Retries of a transient failure. Default 2. */
  retryCount?: number | undefined;
  /** First backoff in ms, doubled per retry. Default 200. */
  retryDelay?: number | undefined;
};

export function protocolTransport(url: string, options: ProtocolTransportOptions = {}): Transport {
  const { timeout = 10_000, retryCount = 2, retryDelay = 200 } = options;
  const inner = http(url, { timeout, retryCount: 0 });
  return (config) => {
    const transport = inner({ ...config, retryCount: 0 });
    const request: typeof transport.request = (args, requestOptions) =>
      retrying(`JSON-RPC ${(args as { method?: string }).method ?? "request"}`, () => transport.request(args, requestOptions), {
        maxAttempts: retryCount + 1,
        baseDelayMs: retryDelay,
        maxDelayMs: retryDelay * 2 ** retryCount,
        retryIf: isTransientHttp,
      });
    return { ...transport, request };
  };
}

function isTransientHttp(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  if (error instanceof HttpRequestError) return error.status === undefined || RETRYABLE_STATUS.has(error.status);
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" && RETRYABLE_CODES.has(code);
}
