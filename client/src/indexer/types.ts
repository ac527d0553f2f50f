/**
 * Typed rows of the indexer's GraphQL API, the field selections that fetch them, and the parsers from the JSON the
 * API returns (amounts and block numbers come as strings there and become bigint here; addresses are lowercase).
 */
import { isAddress, type Address, type Hash, type Hex } from "viem";
import { InvalidIndexerQueryError } from "./errors.ts";

export type IndexedAssetKind = "dataset" | "model";
export type IndexedAssetState = "active" | "deprecated" | "revoked";
export type IndexedJobStatus = "active" | "ended" | "cancelled";
/** A trainer's standing (`evicted`: the contract reports it as withdrawn; its stake went back to it). */
export type IndexedTrainerStatus = "active" | "left" | "slashed" | "withdrawn" | "evicted";
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

/**
 * An access receipt: `consumer` may use the asset until `validUntil` (2^64-1: forever). For a market order
 * (`buyAndOrder`) the Marketplace is the `payer`, the seller's inventory is `from`, and `buyer` names who bought it.
 */
export type IndexedOrder = {
  id: string;
  assetId: bigint;
  datatoken: Address;
  consumer: Address;
  payer: Address;
  from: Address;
  /** Who bought a market order (null for a direct order). */
  buyer: Address | null;
  validUntil: bigint;
  blockNumber: bigint;
  timestamp: bigint;
  transactionHash: Hash;
};

export const ORDER_FIELDS = "id assetId datatokenAddress consumer payer from buyer validUntil block timestamp transaction";

export function parseOrder(row: Json): IndexedOrder {
  return {
    id: row.id,
    assetId: BigInt(row.assetId),
    datatoken: row.datatokenAddress,
    consumer: row.consumer,
    payer: row.payer,
    from: row.from,
    buyer: row.buyer,
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
  /** The job's one token, for rewards and stakes, and its decimals. */
  token: Address;
  tokenDecimals: number | null;
  rewardPool: bigint;
  rewardPerRound: bigint;
  minStake: bigint;
  numRounds: number;
  commitWindow: number;
  revealWindow: number;
  attestWindow: number;
  /** Seconds after the end during which rewards can be claimed and stakes stay locked. */
  claimPeriod: number;
  /** The leading tuple's share of the attested weight needed to win, and the share of the revealed weight that must attest. */
  quorumBps: number;
  participationBps: number;
  /** Most stake counted toward the quorum per trainer, in minimum stakes. */
  weightCap: number;
  maxTrainers: number;
  maxSamples: bigint;
  startTime: bigint;
  status: IndexedJobStatus;
  /** Progress: the round in progress (= numRounds once ended) and how the finished ones went. */
  currentRound: number;
  roundsSucceeded: number;
  roundsFailed: number;
  /** Accounts that ever joined, joins (an account may join again), trainers active now. */
  trainerCount: number;
  joinCount: number;
  activeTrainerCount: number;
  totalStaked: bigint;
  /** Reward waiting for the next successful round (the sponsor's after the end). */
  carry: bigint;
  /** Forfeited stake waiting for the next successful round (burned after the end). */
  forfeits: bigint;
  /** Stake lost to penalties (and how many) and to slashes. */
  penalized: bigint;
  penaltyCount: number;
  slashed: bigint;
  rewardClaimed: bigint;
  /** Unpaid rewards swept into the carry. */
  swept: bigint;
  /** Returned to the sponsor, and forfeits burned. */
  refunded: bigint;
  burned: bigint;
  currentModelCid: string;
  lastSuccessfulRound: number | null;
  resultAssetId: bigint | null;
  createdAtBlock: bigint;
  updatedAtBlock: bigint;
};

export const JOB_FIELDS = `id sponsor datasetId baseModelId baseModelCid specCid token rewardPool rewardPerRound minStake numRounds
  commitWindow revealWindow attestWindow claimPeriod quorumBps participationBps weightCap maxTrainers maxSamples startTime status
  currentRound roundsSucceeded roundsFailed trainerCount joinCount activeTrainerCount totalStaked carry forfeits penalized penaltyCount
  slashed rewardClaimed swept refunded burned currentModelCid lastSuccessfulRound resultAssetId createdAtBlock updatedAtBlock
  tokenInfo { decimals }`;

export function parseJob(row: Json): IndexedJob {
  return {
    id: BigInt(row.id),
    sponsor: row.sponsor,
    datasetId: BigInt(row.datasetId),
    baseModelId: BigInt(row.baseModelId),
    baseModelCid: row.baseModelCid,
    specCid: row.specCid,
    token: row.token,
    tokenDecimals: row.tokenInfo?.decimals ?? null,
    rewardPool: BigInt(row.rewardPool),
    rewardPerRound: BigInt(row.rewardPerRound),
    minStake: BigInt(row.minStake),
    numRounds: row.numRounds,
    commitWindow: row.commitWindow,
    revealWindow: row.revealWindow,
    attestWindow: row.attestWindow,
    claimPeriod: row.claimPeriod,
    quorumBps: row.quorumBps,
    participationBps: row.participationBps,
    weightCap: row.weightCap,
    maxTrainers: row.maxTrainers,
    maxSamples: BigInt(row.maxSamples),
    startTime: BigInt(row.startTime),
    status: row.status,
    currentRound: row.currentRound,
    roundsSucceeded: row.roundsSucceeded,
    roundsFailed: row.roundsFailed,
    trainerCount: row.trainerCount,
    joinCount: row.joinCount,
    activeTrainerCount: row.activeTrainerCount,
    totalStaked: BigInt(row.totalStaked),
    carry: BigInt(row.carry),
    forfeits: BigInt(row.forfeits),
    penalized: BigInt(row.penalized),
    penaltyCount: row.penaltyCount,
    slashed: BigInt(row.slashed),
    rewardClaimed: BigInt(row.rewardClaimed),
    swept: BigInt(row.swept),
    refunded: BigInt(row.refunded),
    burned: BigInt(row.burned),
    currentModelCid: row.currentModelCid,
    lastSuccessfulRound: row.lastSuccessfulRound,
    resultAssetId: row.resultAssetId === null ? null : BigInt(row.resultAssetId),
    createdAtBlock: BigInt(row.createdAtBlock),
    updatedAtBlock: BigInt(row.updatedAtBlock),
  };
}

/** A reveal: its weight in the round, or `late` (revealed during the attest window: weight 0, it does not count). */
export type IndexedReveal = { trainer: Address; index: number; updateCid: string; samples: bigint; weight: bigint; late: boolean };

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
  /** On-time reveals (they count) and late ones (they do not). */
  revealCount: number;
  lateRevealCount: number;
  attestCount: number;
  /** Weight and samples of the on-time reveals, weight of the attesters. */
  revealedWeight: bigint;
  revealedSamples: bigint;
  attestedWeight: bigint;
  /** The tuple with the most attested weight so far (null before any attestation); it wins if the round succeeds. */
  leader: { tupleId: number; weight: bigint } | null;
  /** The winning tuple, once the round succeeded. */
  winner: { tupleId: number; aggregateCid: string; includedMask: bigint; includedSamples: bigint } | null;
  /**
   * Set once finalized: what the winners share (0 when failed), the carry and forfeits after the round, whether it was
   * finalized before its attest window ended.
   */
  reward: bigint | null;
  carry: bigint | null;
  forfeits: bigint | null;
  early: boolean | null;
  /** Stake forfeited for this round (late reveals, silence, losing tuples). */
  penalized: bigint;
  claimedAmount: bigint;
  /** What was swept of the unpaid reward into the carry (null until swept: claims are open until then). */
  swept: bigint | null;
  reveals: IndexedReveal[];
};

export const ROUND_FIELDS = `jobId round seed start commitEnd revealEnd attestEnd status phase commitCount revealCount lateRevealCount
  attestCount revealedWeight revealedSamples attestedWeight leaderTupleId leaderWeight aggregateCid includedMask includedSamples reward
  carry forfeits early penalized claimedAmount swept
  reveals(orderBy: "index", limit: 256) { items { trainer index updateCid samples weight late } }`;

export function parseRound(row: Json): IndexedRound {
  const leader = row.leaderTupleId === null ? null : { tupleId: row.leaderTupleId as number, weight: BigInt(row.leaderWeight) };
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
    lateRevealCount: row.lateRevealCount,
    attestCount: row.attestCount,
    revealedWeight: BigInt(row.revealedWeight),
    revealedSamples: BigInt(row.revealedSamples),
    attestedWeight: BigInt(row.attestedWeight),
    leader,
    winner:
      row.status !== "succeeded" || leader === null
        ? null
        : {
            tupleId: leader.tupleId,
            aggregateCid: row.aggregateCid,
            includedMask: BigInt(row.includedMask),
            includedSamples: BigInt(row.includedSamples),
          },
    reward: optionalBigInt(row.reward),
    carry: optionalBigInt(row.carry),
    forfeits: optionalBigInt(row.forfeits),
    early: row.early,
    penalized: BigInt(row.penalized),
    claimedAmount: BigInt(row.claimedAmount),
    swept: optionalBigInt(row.swept),
    reveals: (row.reveals.items as Json[]).map((item) => ({
      trainer: item.trainer,
      index: item.index,
      updateCid: item.updateCid,
      samples: BigInt(item.samples),
      weight: BigInt(item.weight),
      late: item.late,
    })),
  };
}

function optionalBigInt(value: string | null): bigint | null {
  return value === null ? null : BigInt(value);
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
