/**
 * Bulk marketplace activity for the crash-recovery test and the benchmark: assets published with a datatoken and a
 * listing, bought, and ordered, many transactions per block. Returns the receipts and how many events the indexer
 * handles in them.
 */
import { assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi } from "@mycelium/client/abis";
import { parseEventLogs, zeroAddress, type Address, type Hex, type TransactionReceipt } from "viem";
import { call, sendInBlocks, type QueuedCall, type TestChain } from "./chain.ts";

/** Events the indexer deliberately has no handler for (see src/AssetRegistry.ts and src/Datatoken.ts). */
const UNHANDLED_EVENTS = new Set(["MetadataUpdate", "BatchMetadataUpdate", "EIP712DomainChanged"]);

export type ActivityParameters = {
  /** Assets to publish (each with a datatoken, an initial supply and a listing). */
  assets: number;
  /** Purchases per asset (`buy` of one datatoken each). */
  purchasesPerAsset: number;
  /** Orders per asset, by the buyers, of datatokens they bought. At most `purchasesPerAsset`. */
  ordersPerAsset: number;
  /** Transactions per block. */
  perBlock?: number;
};

export type ActivityResult = {
  receipts: TransactionReceipt[];
  /** Logs in `receipts` that the indexer handles. */
  events: number;
  firstBlock: bigint;
  lastBlock: bigint;
};

const ONE = 10n ** 18n;
const PRICE = 1_250_000n; // 1.25 units of the 6-decimal payment token

/** A deterministic, valid CIDv1 (dag-json, sha2-256) for the n-th generated manifest. */
export function manifestCid(n: number): Hex {
  return `0x01a90212200${n.toString(16).padStart(63, "0")}` as Hex;
}

export async function generateActivity(chain: TestChain, parameters: ActivityParameters): Promise<ActivityResult> {
  const { assets, purchasesPerAsset, ordersPerAsset, perBlock = 100 } = parameters;
  if (ordersPerAsset > purchasesPerAsset) throw new Error("ordersPerAsset cannot exceed purchasesPerAsset");
  const { registry, marketplace, usd, publicClient } = chain;
  const publishers = chain.accounts.slice(1, 5);
  const buyers = chain.accounts.slice(5, 15);
  const firstAssetId = (await publicClient.readContract({ address: registry, abi: assetRegistryAbi, functionName: "assetCount" })) + 1n;

  const setup: QueuedCall[] = [];
  for (const buyer of buyers) {
    setup.push(call(buyer, usd, testPaymentTokenAbi, "mint", [buyer, 10n ** 15n], 100_000n));
    setup.push(call(buyer, usd, testPaymentTokenAbi, "approve", [marketplace, 2n ** 255n], 100_000n));
  }
  const publications: QueuedCall[] = [];
  for (let i = 0; i < assets; i++) {
    publications.push(
      call(
        publishers[i % publishers.length]!,
        registry,
        assetRegistryAbi,
        "publishWithDatatokenAndListing",
        [
          i % 2,
          manifestCid(Number(firstAssetId) + i),
          [],
          { accessPeriod: 3_600n, initialSupply: BigInt(purchasesPerAsset) * ONE },
          { marketplace, paymentToken: usd, price: PRICE },
        ],
        700_000n,
      ),
    );
  }
  const purchases: QueuedCall[] = [];
  const orders: QueuedCall[] = [];
  for (let i = 0; i < assets; i++) {
    const assetId = firstAssetId + BigInt(i);
    for (let p = 0; p < purchasesPerAsset; p++) {
      const buyer = buyers[(i + p) % buyers.length]!;
      purchases.push(call(buyer, marketplace, marketplaceAbi, "buy", [assetId, 1n, usd, 10n ** 12n, zeroAddress, 0], 300_000n));
    }
  }
  const receipts = [
    ...(await sendInBlocks(chain, setup, perBlock)),
    ...(await sendInBlocks(chain, publications, perBlock)),
    ...(await sendInBlocks(chain, purchases, perBlock)),
  ];
  // Orders need the datatoken addresses, known once the publications are mined.
  const created = parseEventLogs({ abi: assetRegistryAbi, eventName: "DatatokenCreated", logs: receipts.flatMap((r) => r.logs) });
  const datatokenOf = new Map(created.map((log) => [log.args.assetId, log.args.datatoken]));
  for (let i = 0; i < assets; i++) {
    const assetId = firstAssetId + BigInt(i);
    for (let o = 0; o < ordersPerAsset; o++) {
      const buyer = buyers[(i + o) % buyers.length]!;
      orders.push(call(buyer, datatokenOf.get(assetId)!, datatokenAbi, "order", [buyer], 200_000n));
    }
  }
  receipts.push(...(await sendInBlocks(chain, orders, perBlock)));

  const indexed = new Set<Address>([registry.toLowerCase() as Address, marketplace.toLowerCase() as Address]);
  for (const datatoken of datatokenOf.values()) indexed.add(datatoken.toLowerCase() as Address);
  return {
    receipts,
    events: countIndexedEvents(receipts, indexed),
    firstBlock: receipts[0]!.blockNumber,
    lastBlock: receipts[receipts.length - 1]!.blockNumber,
  };
}

/** Logs emitted by `addresses` (lowercase) that the indexer has a handler for. */
export function countIndexedEvents(receipts: TransactionReceipt[], addresses: Set<Address>): number {
  const logs = receipts.flatMap((receipt) => receipt.logs).filter((log) => addresses.has(log.address.toLowerCase() as Address));
  const decoded = parseEventLogs({ abi: [...assetRegistryAbi, ...datatokenAbi, ...marketplaceAbi], logs, strict: false });
  return decoded.filter((log) => log.eventName !== undefined && !UNHANDLED_EVENTS.has(log.eventName)).length;
}
