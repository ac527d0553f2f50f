import { isHash, type Hash } from "viem";
import { AbortedError } from "../errors/base.ts";
import { requestIndexer, type IndexerClient } from "./client.ts";
import { IndexerRequestError, IndexerTimeoutError, InvalidIndexerQueryError } from "./errors.ts";
import { sleep } from "../utils/async.ts";

export type WaitForIndexedProgress =
  /** The transaction is not in a block yet (or the indexer's node does not know it yet). */
  | { type: "pending"; hash: Hash }
  /** The transaction is in `blockNumber`; the indexer has indexed up to `indexedBlock`. */
  | { type: "indexing"; hash: Hash; blockNumber: bigint; indexedBlock: bigint };

export type WaitForIndexedParameters = {
  hash: Hash;
  /** Default 60,000 ms. */
  timeoutMs?: number | undefined;
  /** Pause between polls, default 50 ms. */
  pollingIntervalMs?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((event: WaitForIndexedProgress) => void) | undefined;
};

export type WaitForIndexedReturnType = {
  hash: Hash;
  blockNumber: bigint;
  /** The transaction's outcome: a reverted transaction emitted nothing, so no row will show it. */
  status: "success" | "reverted";
  /** The block the indexer had indexed when it resolved (at least `blockNumber`). */
  indexedBlock: bigint;
};

export type WaitForIndexedErrorType = IndexerTimeoutError | IndexerRequestError | AbortedError;

/**
 * Resolves as soon as the indexer has indexed the block of transaction `hash`, so every row the transaction produced
 * can be queried. Asks the indexer for the transaction's block (`GET /tx/:hash`, from the chain through the indexer's
 * own RPC), then polls its progress (`GET /status`).
 */
export async function waitForIndexed(client: IndexerClient, parameters: WaitForIndexedParameters): Promise<WaitForIndexedReturnType> {
  const { hash, signal, onProgress } = parameters;
  if (!isHash(hash)) throw new InvalidIndexerQueryError("hash", hash, "a transaction hash (0x and 64 hex digits)");
  const timeoutMs = parameters.timeoutMs ?? 60_000;
  const pollingIntervalMs = parameters.pollingIntervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  const operation = `Waiting for the indexer to index transaction ${hash}`;
  const request = { signal };

  let receipt: { blockNumber: bigint; status: "success" | "reverted" } | undefined;
  let indexedBlock = -1n;
  for (;;) {
    if (signal?.aborted) throw new AbortedError(operation, { cause: signal.reason });
    if (receipt === undefined) {
      const response = await requestIndexer(client, `/tx/${hash}`, request);
      if (response.ok) {
        const body = (await response.json()) as { blockNumber: string; status: "success" | "reverted" };
        receipt = { blockNumber: BigInt(body.blockNumber), status: body.status };
      } else if (response.status === 404) {
        onProgress?.({ type: "pending", hash });
      } else {
        throw new IndexerRequestError({ url: client.url, status: response.status, body: await response.text() });
      }
    }
    if (receipt !== undefined) {
      const response = await requestIndexer(client, "/status", request);
      if (!response.ok) throw new IndexerRequestError({ url: client.url, status: response.status, body: await response.text() });
      const status = (await response.json()) as Record<string, { block?: { number: number } }>;
      // The indexer follows one chain; its /status has one entry (keyed by the chain's name in ponder.config.ts).
      indexedBlock = BigInt(Object.values(status)[0]?.block?.number ?? -1);
      if (indexedBlock >= receipt.blockNumber) return { hash, ...receipt, indexedBlock };
      onProgress?.({ type: "indexing", hash, blockNumber: receipt.blockNumber, indexedBlock });
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new IndexerTimeoutError(
        operation,
        timeoutMs,
        receipt === undefined
          ? "The indexer's node has no receipt for this transaction (unknown, or still pending)."
          : `The transaction is in block ${receipt.blockNumber}; the indexer reached block ${indexedBlock}.`,
      );
    }
    await sleep(Math.min(pollingIntervalMs, remaining), signal).catch(() => undefined);
  }
}
