/**
 * Typed rows of the indexer's GraphQL API, the field selections that fetch them, and the parsers from the JSON the
 * API returns (amounts and block numbers come as strings there and become bigint here; addresses are lowercase).
 */
import { isAddress, type Address, type Hash, type Hex } from "viem";
import { InvalidIndexerQueryError } from "./errors.ts";

export type IndexedAssetKind = "dataset" | "model";
export type IndexedAssetState = "active" | "deprecated" | "revoked";
export type IndexedJobStatus = "active" | "ended" | "cancelled";
export type IndexedTrainerStatus = "active" | "left" | "slashed" | "withdrawn";
export type IndexedRoundStatus = "pending" | "succeeded" | "failed" | "cancelled";
export type IndexedRoundPhase = "commit" | "reveal" | "attest" | "finalized";

/** One page of a list, and the cursor of the next page (null on the last). */
export type IndexerPage<item> = { items: item[]; nextCursor: string | null };

export type IndexedAsset = {
  id: bigint;
  kind: IndexedAssetKind;
  state: IndexedAssetState;
  owner: Address;
  publisher: Address;
  manifestCid: string;
  version: number;
  parentIds: bigint[];
  datatoken: Address | null;
  orderCount: number;
  purchaseCount: number;
  datatokensSold: bigint;
  datatokensDispensed: bigint;
  /** The current listing (null if the asset was never listed). */
  listing: { paymentToken: Address; decimals: number | null; price: bigint; active: boolean } | null;
  /** Revenue per payment token (the sellers' part), with what buyers paid in total. */
  revenue: { paymentToken: Address; decimals: number | null; revenue: bigint; volume: bigint; purchaseCount: number }[];
  createdAtBlock: bigint;
  createdAtTimestamp: bigint;
  createdAtTransaction: Hash;
  updatedAtBlock: bigint;
};

export const ASSET_FIELDS = `id kind state owner publisher manifestCid version parentIds datatokenAddress orderCount purchaseCount
  datatokensSold datatokensDispensed createdAtBlock createdAtTimestamp createdAtTransaction updatedAtBlock
  listing { paymentToken price active token { decimals } }
  revenue(limit: 10, orderBy: "paymentToken") { items { paymentToken revenue volume purchaseCount token { decimals } } }`;

// biome-ignore lint/suspicious/noExplicitAny: rows of the indexer's GraphQL are untyped JSON; each parser below checks what it reads.
type Json = Record<string, any>;

export function parseAsset(row: Json): IndexedAsset {
  return {
    id: BigInt(row.id),
    kind: row.kind,
    state: row.state,
    owner: row.owner,
    publisher: row.publisher,
    manifestCid: row.manifestCid,
    version: row.version,
    parentIds: (row.parentIds as string[]).map(BigInt),
    datatoken: row.datatokenAddress,
    orderCount: row.orderCount,
    purchaseCount: row.purchaseCount,
    datatokensSold: BigInt(row.datatokensSold),
    datatokensDispensed: BigInt(row.datatokensDispensed),
    listing:
      row.listing === null
        ? null
        : {
            paymentToken: row.listing.paymentToken,
            decimals: row.listing.token?.decimals ?? null,
            price: BigInt(row.listing.price),
            active: row.listing.active,
          },
    revenue: (row.revenue.items as Json[]).map((item) => ({
      paymentToken: item.paymentToken,
      decimals: item.token?.decimals ?? null,
      revenue: BigInt(item.revenue),
      volume: BigInt(item.volume),
      purchaseCount: item.purchaseCount,
    })),
    createdAtBlock: BigInt(row.createdAtBlock),
    createdAtTimestamp: BigInt(row.createdAtTimestamp),
    createdAtTransaction: row.createdAtTransaction,
    updatedAtBlock: BigInt(row.updatedAtBlock),
  };
}

/** An access receipt: `consumer` may use the asset until `validUntil` (2^64-1: forever). */
export type IndexedOrder = {
  id: string;
  assetId: bigint;
  datatoken: Address;
  consumer: Address;
  payer: Address;
  from: Address;
  validUntil: bigint;
  blockNumber: bigint;
  timestamp: bigint;
  transactionHash: Hash;
};

export const ORDER_FIELDS = "id assetId datatokenAddress consumer payer from validUntil block timestamp transaction";

export function parseOrder(row: Json): IndexedOrder {
  return {
    id: row.id,
    assetId: BigInt(row.assetId),
    datatoken: row.datatokenAddress,
    consumer: row.consumer,
    payer: row.payer,
    from: row.from,
    validUntil: BigInt(row.validUntil),
    blockNumber: BigInt(row.block),
    timestamp: BigInt(row.timestamp),
    transactionHash: row.transaction,
  };
}

export type IndexedJob = {
  id: bigint;
  sponsor: Address;
  datasetId: bigint;
  baseModelId: bigint;
  baseModelCid: string;
  specCid: string;
  rewardToken: Address;
  rewardTokenDecimals: number | null;
  rewardPool: bigint;
  rewardPerRound: bigint;
  stakeToken: Address;
  stakeTokenDecimals: number | null;
  minStake: bigint;
  numRounds: number;
  commitWindow: number;
  revealWindow: number;
  attestWindow: number;
  quorumBps: number;
  maxTrainers: number;
  maxSamples: bigint;
  startTime: bigint;
  status: IndexedJobStatus;
  /** Progress: the round in progress (= numRounds once ended) and how the finished ones went. */
  currentRound: number;
  roundsSucceeded: number;
  roundsFailed: number;
  trainerCount: number;
  activeTrainerCount: number;
  totalStaked: bigint;
  carry: bigint;
  rewardClaimed: bigint;
  currentModelCid: string;
  lastSuccessfulRound: number | null;
  resultAssetId: bigint | null;
  createdAtBlock: bigint;
  updatedAtBlock: bigint;
};

export const JOB_FIELDS = `id sponsor datasetId baseModelId baseModelCid specCid rewardToken rewardPool rewardPerRound stakeToken minStake
  numRounds commitWindow revealWindow attestWindow quorumBps maxTrainers maxSamples startTime status currentRound roundsSucceeded
  roundsFailed trainerCount activeTrainerCount totalStaked carry rewardClaimed currentModelCid lastSuccessfulRound resultAssetId
  createdAtBlock updatedAtBlock rewardTokenInfo { decimals } stakeTokenInfo { decimals }`;

export function parseJob(row: Json): IndexedJob {
  return {
    id: BigInt(row.id),
    sponsor: row.sponsor,
    datasetId: BigInt(row.datasetId),
    baseModelId: BigInt(row.baseModelId),
    baseModelCid: row.baseModelCid,
    specCid: row.specCid,
    rewardToken: row.rewardToken,
    rewardTokenDecimals: row.rewardTokenInfo?.decimals ?? null,
    rewardPool: BigInt(row.rewardPool),
    rewardPerRound: BigInt(row.rewardPerRound),
    stakeToken: row.stakeToken,
    stakeTokenDecimals: row.stakeTokenInfo?.decimals ?? null,
    minStake: BigInt(row.minStake),
    numRounds: row.numRounds,
    commitWindow: row.commitWindow,
    revealWindow: row.revealWindow,
    attestWindow: row.attestWindow,
    quorumBps: row.quorumBps,
    maxTrainers: row.maxTrainers,
    maxSamples: BigInt(row.maxSamples),
    startTime: BigInt(row.startTime),
    status: row.status,
    currentRound: row.currentRound,
    roundsSucceeded: row.roundsSucceeded,
    roundsFailed: row.roundsFailed,
    trainerCount: row.trainerCount,
    activeTrainerCount: row.activeTrainerCount,
    totalStaked: BigInt(row.totalStaked),
    carry: BigInt(row.carry),
    rewardClaimed: BigInt(row.rewardClaimed),
    currentModelCid: row.currentModelCid,
    lastSuccessfulRound: row.lastSuccessfulRound,
    resultAssetId: row.resultAssetId === null ? null : BigInt(row.resultAssetId),
    createdAtBlock: BigInt(row.createdAtBlock),
    updatedAtBlock: BigInt(row.updatedAtBlock),
  };
}

export type IndexedReveal = { trainer: Address; index: number; updateCid: string; samples: bigint; stake: bigint };

export type IndexedRound = {
  jobId: bigint;
  round: number;
  seed: Hex;
  /** Window bounds in unix seconds: commit [start, commitEnd), reveal [commitEnd, revealEnd), attest [revealEnd, attestEnd). */
  start: bigint;
  commitEnd: bigint;
  revealEnd: bigint;
  attestEnd: bigint;
  status: IndexedRoundStatus;
  /** The furthest phase events have shown; `roundPhaseAt` gives the phase by the clock. */
  phase: IndexedRoundPhase;
  commitCount: number;
  revealCount: number;
  attestCount: number;
  revealedStake: bigint;
  revealedSamples: bigint;
  /** The winning tuple, once a tuple reached the quorum. */
  winner: { tupleId: number; aggregateCid: string; includedMask: bigint; includedSamples: bigint } | null;
  /** Set once finalized: the reward (claimable when succeeded) and the carry after the round. */
  reward: bigint | null;
  carry: bigint | null;
  claimedAmount: bigint;
  reveals: IndexedReveal[];
};

export const ROUND_FIELDS = `jobId round seed start commitEnd revealEnd attestEnd status phase commitCount revealCount attestCount
  revealedStake revealedSamples winningTupleId aggregateCid includedMask includedSamples reward carry claimedAmount
  reveals(orderBy: "index", limit: 256) { items { trainer index updateCid samples stake } }`;

export function parseRound(row: Json): IndexedRound {
  return {
    jobId: BigInt(row.jobId),
    round: row.round,
    seed: row.seed,
    start: BigInt(row.start),
    commitEnd: BigInt(row.commitEnd),
    revealEnd: BigInt(row.revealEnd),
    attestEnd: BigInt(row.attestEnd),
    status: row.status,
    phase: row.phase,
    commitCount: row.commitCount,
    revealCount: row.revealCount,
    attestCount: row.attestCount,
    revealedStake: BigInt(row.revealedStake),
    revealedSamples: BigInt(row.revealedSamples),
    winner:
      row.winningTupleId === null
        ? null
        : {
            tupleId: row.winningTupleId,
            aggregateCid: row.aggregateCid,
            includedMask: BigInt(row.includedMask),
            includedSamples: BigInt(row.includedSamples),
          },
    reward: row.reward === null ? null : BigInt(row.reward),
    carry: row.carry === null ? null : BigInt(row.carry),
    claimedAmount: BigInt(row.claimedAmount),
    reveals: (row.reveals.items as Json[]).map((item) => ({
      trainer: item.trainer,
      index: item.index,
      updateCid: item.updateCid,
      samples: BigInt(item.samples),
      stake: BigInt(item.stake),
    })),
  };
}

/** Page size, cursor and direction, as every list helper takes them. */
export type PageParameters = {
  /** Page size (each helper says its default and maximum). */
  limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  after?: string | undefined;
  orderDirection?: "asc" | "desc" | undefined;
};

/** Turns a GraphQL page (`items` and `pageInfo`) into an IndexerPage. */
export function toPage<item>(
  page: { items: Json[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } },
  parse: (row: Json) => item,
): IndexerPage<item> {
  return { items: page.items.map(parse), nextCursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null };
}

/** A requested page size, at most `max` (larger ones are clamped: nested lists multiply the rows a query returns). */
export function pageSize(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidIndexerQueryError("limit", limit, `an integer from 1 to ${max}`);
  return Math.min(limit, max);
}

/** An address as the indexer stores it (lowercase); throws for anything else. */
export function addressParameter(name: string, value: string): Address {
  if (!isAddress(value, { strict: false })) throw new InvalidIndexerQueryError(name, value, "a 20-byte hex address");
  return value.toLowerCase() as Address;
}
