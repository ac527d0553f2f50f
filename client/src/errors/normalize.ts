/**
 * Turns whatever viem throws into the client's typed errors, in one place, so every action reports a revert, a dead
 * RPC or a wrong chain the same way.
 */
import {
  ChainMismatchError,
  ContractFunctionRevertedError,
  HttpRequestError,
  SocketClosedError,
  TimeoutError,
  type Address,
  type Hex,
} from "viem";
import { BaseError } from "./base.ts";
import { ChainRequestError, RpcUnreachableError, TransactionRevertedError, WrongChainError } from "./chain.ts";
import { contractErrorFromRevert, decodeContractError } from "./contract.ts";

export type ErrorContext = {
  /** What the user asked for, in words ("Publishing asset", "Reading asset 7"). */
  action: string;
  rpcUrl?: string | undefined;
  contractAddress?: Address | undefined;
  functionName?: string | undefined;
};

/**
 * The typed error for `error`: our own errors pass through; contract reverts become ContractRevertedError (or one of
 * its specialisations); unreachable RPCs RpcUnreachableError; a chain mismatch WrongChainError; anything else
 * ChainRequestError, with the original error as `cause`. Gas shortfalls are turned into InsufficientBalanceError by the
 * transaction helper, which can read the balance.
 */
export function toMyceliumError(error: unknown, context: ErrorContext): BaseError {
  if (error instanceof BaseError) return error;

  const revert = findInChain(error, (e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | undefined;
  const data = revert?.raw ?? findRevertData(error);
  if (data !== undefined && data !== "0x") {
    const decoded = decodeContractError(data);
    if (decoded) {
      return contractErrorFromRevert({
        ...decoded,
        contractAddress: context.contractAddress,
        functionName: context.functionName,
        cause: error,
      });
    }
  }
  if (revert) {
    return new TransactionRevertedError({
      action: context.action,
      reason: revert.reason ?? revert.data?.errorName,
      raw: data,
      cause: error,
    });
  }
  const mismatch = findInChain(error, (e) => e instanceof ChainMismatchError);
  if (mismatch) {
    const text = (mismatch as Error).message;
    const [current, expected] = [/current chain of the wallet \(id: (\d+)\)/.exec(text)?.[1], /expected chain \(id: (\d+)/.exec(text)?.[1]];
    return new WrongChainError({
      expectedChainId: Number(expected ?? 0),
      actualChainId: Number(current ?? 0),
      rpcUrl: context.rpcUrl,
      expectedBy: "the client",
    });
  }
  const unreachable = findInChain(
    error,
    (e) =>
      e instanceof HttpRequestError ||
      e instanceof TimeoutError ||
      e instanceof SocketClosedError ||
      (e instanceof Error && /fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET/.test(e.message)),
  );
  if (unreachable) {
    const url = context.rpcUrl ?? (unreachable as { url?: string }).url ?? "(unknown URL)";
    return new RpcUnreachableError({ url, cause: error });
  }
  return new ChainRequestError({ action: context.action, cause: error });
}

/** The first error in the `cause` chain (the error itself included) for which `predicate` holds. */
export function findInChain(error: unknown, predicate: (error: unknown) => boolean): unknown {
  const seen = new Set<unknown>();
  for (
    let current = error;
    current !== null && current !== undefined && !seen.has(current);
    current = (current as { cause?: unknown }).cause
  ) {
    if (predicate(current)) return current;
    seen.add(current);
  }
  return undefined;
}

/** Revert data carried anywhere in an error chain (RPC errors put it in `data`, sometimes nested once). */
function findRevertData(error: unknown): Hex | undefined {
  const found = findInChain(error, (e) => extractData(e) !== undefined);
  return found === undefined ? undefined : extractData(found);
}

function extractData(error: unknown): Hex | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const { data } = error as { data?: unknown };
  if (typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data as Hex;
  if (data !== null && typeof data === "object") {
    const nested = (data as { data?: unknown }).data;
    if (typeof nested === "string" && /^0x[0-9a-fA-F]{8,}$/.test(nested)) return nested as Hex;
  }
  return undefined;
}
