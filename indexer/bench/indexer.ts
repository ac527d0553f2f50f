/**
 * `npm run bench:indexer`: measures the indexer against a local devnet and writes bench/results/indexer.json:
 *
 * - backfillEventsPerSec: events indexed per second while backfilling blocks that are already final (Ponder's own
 *   "Started backfill indexing" to "Completed backfill indexing" timestamps; process start-up is not included).
 * - liveLatencyMsP50 / liveLatencyMsP95: for 200 transactions sent one after the other while the indexer runs live,
 *   the time from holding the transaction's receipt to seeing its row over GraphQL.
 * - events: how many events the backfill indexed.
 *
 * Environment: BENCH_ASSETS (default 450; every asset adds about 27 events), BENCH_LIVE_TRANSACTIONS (default 200).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { datatokenAbi, marketplaceAbi } from "@mycelium/client/abis";
import { encodeFunctionData, parseEventLogs, zeroAddress, type Address, type Hash } from "viem";
import { assetRegistryAbi } from "@mycelium/client/abis";
import { benchResultsFile } from "@mycelium/devkit";
import { generateActivity } from "../test/support/activity.ts";
import { mineBlocks, startTestChain, type TestChain } from "../test/support/chain.ts";
import { gql, startIndexer, tail, waitForBlock, type IndexerLogLine, type IndexerProcess } from "../test/support/ponder.ts";

const ASSETS = Number(process.env.BENCH_ASSETS ?? 450);
const LIVE_TRANSACTIONS = Number(process.env.BENCH_LIVE_TRANSACTIONS ?? 200);
/** Ponder counts a block final 30 blocks below the head on chains it does not know. */
const FINALITY_BLOCKS = 30;
const RESULT_FILE = benchResultsFile("indexer");

async function main(): Promise<void> {
  const chain = await startTestChain();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "myc-indexer-bench-"));
  let indexer: IndexerProcess | undefined;
  try {
    console.log(`Generating activity: ${ASSETS} assets, 5 purchases and 5 orders each...`);
    const activity = await generateActivity(chain, { assets: ASSETS, purchasesPerAsset: 5, ordersPerAsset: 5, perBlock: 100 });
    // Make every block with events final, so the indexer backfills all of them before going live.
    await mineBlocks(chain, FINALITY_BLOCKS + 10);
    const head = await chain.publicClient.getBlockNumber();
    console.log(
      `${activity.events} events in ${activity.receipts.length} transactions, blocks ${activity.firstBlock}-${activity.lastBlock}; head ${head}`,
    );

    indexer = await startIndexer({ deploymentFile: chain.deploymentFile, schema: "bench", dataDir });
    await waitForBlock(indexer, head, 600_000);
    const backfill = backfillWindow(indexer.logs);
    const indexedEvents = backfill.events;
    if (indexedEvents < activity.events) {
      throw new Error(`The backfill indexed ${indexedEvents} events, fewer than the ${activity.events} generated:\n${tail(indexer.logs)}`);
    }
    await checkCounts(indexer, activity.receipts.length > 0 ? ASSETS : 0);
    const backfillEventsPerSec = Math.round(indexedEvents / (backfill.durationMs / 1000));
    console.log(`Backfill: ${indexedEvents} events in ${(backfill.durationMs / 1000).toFixed(2)} s = ${backfillEventsPerSec} events/s`);

    const latencies = await measureLiveLatency(
      chain,
      indexer,
      activity.receipts.flatMap((receipt) => receipt.logs),
    );
    latencies.sort((a, b) => a - b);
    const result = {
      backfillEventsPerSec,
      liveLatencyMsP50: Math.round(percentile(latencies, 0.5)),
      liveLatencyMsP95: Math.round(percentile(latencies, 0.95)),
      events: indexedEvents,
    };
    console.log(
      `Live latency over ${latencies.length} transactions: p50 ${result.liveLatencyMsP50} ms, p95 ${result.liveLatencyMsP95} ms, ` +
        `max ${Math.round(latencies[latencies.length - 1]!)} ms`,
    );
    fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
    fs.writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`Wrote ${RESULT_FILE}`);
  } finally {
    await indexer?.stop();
    await chain.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The backfill's duration and event count, from Ponder's JSON logs. */
function backfillWindow(logs: IndexerLogLine[]): { durationMs: number; events: number } {
  const started = logs.find((line) => line.msg === "Started backfill indexing");
  const completed = logs.find((line) => line.msg === "Completed backfill indexing across all chains");
  if (started === undefined || completed === undefined) throw new Error(`No backfill in the logs:\n${tail(logs)}`);
  const events = logs
    .filter((line) => line.msg === "Indexed block range" && line.time <= completed.time)
    .reduce((sum, line) => sum + Number(line.event_count ?? 0), 0);
  return { durationMs: completed.time - started.time, events };
}

/** A sanity check that the benchmark measured a working indexer: the generated rows are all there. */
async function checkCounts(indexer: IndexerProcess, assets: number): Promise<void> {
  const data = await gql<{ assets: { totalCount: number }; orders: { totalCount: number }; purchases: { totalCount: number } }>(
    indexer.url,
    "{ assets { totalCount } orders { totalCount } purchases { totalCount } }",
  );
  const expected = { assets, orders: assets * 5, purchases: assets * 5 };
  const actual = { assets: data.assets.totalCount, orders: data.orders.totalCount, purchases: data.purchases.totalCount };
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`The indexer's rows do not match the generated activity: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
  }
}

/**
 * Sends LIVE_TRANSACTIONS purchases one at a time (automine: each is its own block) and measures, for each, the time
 * from its receipt to its `purchase` row answering a GraphQL query.
 */
async function measureLiveLatency(
  chain: TestChain,
  indexer: IndexerProcess,
  logs: Parameters<typeof parseEventLogs>[0]["logs"],
): Promise<number[]> {
  const published = parseEventLogs({ abi: assetRegistryAbi, eventName: "DatatokenCreated", logs });
  const owners = new Map<bigint, Address>(published.map((log) => [log.args.assetId, log.args.owner]));
  const buyers = chain.accounts.slice(5, 15);
  const assetIds = [...owners.keys()];
  // Give the live purchases something to buy: each owner mints more datatokens of its asset.
  for (const log of published.slice(0, 20)) {
    await send(
      chain,
      log.args.owner,
      log.args.datatoken,
      encodeFunctionData({ abi: datatokenAbi, functionName: "mint", args: [log.args.owner, 1_000n * 10n ** 18n] }),
    );
  }
  const latencies: number[] = [];
  for (let i = 0; i < LIVE_TRANSACTIONS; i++) {
    const assetId = assetIds[i % 20]!;
    const buyer = buyers[i % buyers.length]!;
    const data = encodeFunctionData({
      abi: marketplaceAbi,
      functionName: "buy",
      args: [assetId, 1n, chain.usd, 10n ** 12n, zeroAddress, 0],
    });
    const hash = await send(chain, buyer, chain.marketplace, data);
    const receivedReceiptAt = performance.now();
    const query = `{ purchases(where: { transaction: "${hash}" }) { items { id } } }`;
    const deadline = receivedReceiptAt + 30_000;
    for (;;) {
      const result = await gql<{ purchases: { items: unknown[] } }>(indexer.url, query);
      if (result.purchases.items.length > 0) break;
      if (performance.now() > deadline) throw new Error(`Purchase ${hash} not visible after 30 s:\n${tail(indexer.logs)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    latencies.push(performance.now() - receivedReceiptAt);
  }
  return latencies;
}

/** Sends a transaction (automine) and returns once its receipt is available. */
async function send(chain: TestChain, from: Address, to: Address, data: `0x${string}`): Promise<Hash> {
  const hash = (await chain.publicClient.request({ method: "eth_sendTransaction", params: [{ from, to, data }] } as never)) as Hash;
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 5 });
  if (receipt.status !== "success") throw new Error(`Transaction ${hash} reverted`);
  return hash;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
