/**
 * The indexer's tables. Conventions:
 * - Token amounts are `bigint` columns (numeric(78) in SQL, strings in GraphQL JSON) in the token's smallest unit; the
 *   token's decimals live in `token` (every amount row has a `token` relation), so a dApp formats them exactly.
 * - CIDs are strings in their canonical form (CIDv1 base32, `bafy...`, as in the registry's tokenURI).
 * - Addresses are lowercase hex. Ids of event rows are Ponder's event ids, which sort in chain order.
 * - Every row carries the block number, timestamp and transaction of the event that last wrote it (`*At*` columns).
 * - Aggregates (counts, revenue, earnings, stakes, progress) are maintained incrementally by the handlers.
 */
import { index, onchainEnum, onchainTable, primaryKey, relations, type PgColumn } from "ponder";

// ------------------------------------------------------------------------------------------------------------------
// Enums
// ------------------------------------------------------------------------------------------------------------------

/** `AssetKind` of contracts/types/Asset.sol, by ordinal. */
export const assetKind = onchainEnum("asset_kind", ["dataset", "model"]);
/** `AssetState` of contracts/types/Asset.sol, by ordinal. */
export const assetState = onchainEnum("asset_state", ["active", "deprecated", "revoked"]);
/** Lifecycle of a training job as events show it (`active`: scheduled or running; compare `startTime` with the clock). */
export const jobStatus = onchainEnum("job_status", ["active", "ended", "cancelled"]);
/** `TrainerStatus` of contracts/types/Training.sol, without `None`. */
export const trainerStatus = onchainEnum("trainer_status", ["active", "left", "slashed", "withdrawn"]);
/** Outcome of a round (`cancelled`: round 0 of a cancelled job). */
export const roundStatus = onchainEnum("round_status", ["pending", "succeeded", "failed", "cancelled"]);
/**
 * The furthest phase events have shown for a round: `commit` when it starts, `reveal` at its first reveal, `attest` at
 * its first attestation, `finalized`. The phase by the clock follows from the window ends (see `phaseAt` in the
 * client).
 */
export const roundPhase = onchainEnum("round_phase", ["commit", "reveal", "attest", "finalized"]);
/** What a row of `listing_change` or `dispenser_change` records. */
export const changeAction = onchainEnum("change_action", ["set", "closed"]);

// ------------------------------------------------------------------------------------------------------------------
// Tokens and accounts
// ------------------------------------------------------------------------------------------------------------------

/**
 * ERC-20 tokens amounts are paid in: Marketplace payment tokens (announced with their decimals by
 * `PaymentTokenRegistered`) and the reward and stake tokens of training jobs (their `decimals()` read once, when a job
 * first names them; null for a token without `decimals()`).
 */
export const token = onchainTable("token", (t) => ({
  address: t.hex().primaryKey(),
  decimals: t.integer(),
  isPaymentToken: t.boolean().notNull(),
  isRewardToken: t.boolean().notNull(),
  isStakeToken: t.boolean().notNull(),
  firstSeenAtBlock: t.bigint().notNull(),
  firstSeenAtTimestamp: t.bigint().notNull(),
}));

/**
 * What an account earned, per token: sales of its datatokens (the listing price part), consume-market fees it was
 * named recipient of, protocol fees it received as treasury, training rewards it claimed, and its share of the stakes
 * it slashed. `total` is their sum.
 */
export const accountEarning = onchainTable(
  "account_earning",
  (t) => ({
    account: t.hex().notNull(),
    tokenAddress: t.hex().notNull(),
    sales: t.bigint().notNull(),
    marketFees: t.bigint().notNull(),
    protocolFees: t.bigint().notNull(),
    trainingRewards: t.bigint().notNull(),
    slashRewards: t.bigint().notNull(),
    total: t.bigint().notNull(),
    /** Number of payments that made up the total. */
    paymentCount: t.integer().notNull(),
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.account, table.tokenAddress] }),
    tokenIdx: index().on(table.tokenAddress),
  }),
);

// ------------------------------------------------------------------------------------------------------------------
// AssetRegistry
// ------------------------------------------------------------------------------------------------------------------

/** An asset NFT: kind, current manifest, state, owner, and aggregates of its sales. */
export const asset = onchainTable(
  "asset",
  (t) => ({
    id: t.bigint().primaryKey(),
    kind: assetKind().notNull(),
    state: assetState().notNull(),
    owner: t.hex().notNull(),
    /** The account that sent the publishing transaction (differs from `owner` for `publish(owner, ...)`). */
    publisher: t.hex().notNull(),
    /** ERC-721 approved address (cleared on transfer). */
    approved: t.hex(),
    manifestCid: t.text().notNull(),
    version: t.integer().notNull(),
    /** Lineage: ids of the parent assets, in the order published (also as rows of `asset_parent`). */
    parentIds: t.bigint().array().notNull(),
    datatokenAddress: t.hex(),
    /** Access orders started (one datatoken burnt each). */
    orderCount: t.integer().notNull(),
    /** Marketplace purchases (a purchase may buy several datatokens). */
    purchaseCount: t.integer().notNull(),
    /** Whole datatokens sold by the marketplace. */
    datatokensSold: t.bigint().notNull(),
    /** Whole datatokens given away by the dispenser. */
    datatokensDispensed: t.bigint().notNull(),
    createdAtBlock: t.bigint().notNull(),
    createdAtTimestamp: t.bigint().notNull(),
    createdAtTransaction: t.hex().notNull(),
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  }),
  (table) => ({
    kindIdx: index().on(table.kind),
    ownerIdx: index().on(table.owner),
    manifestIdx: index().on(table.manifestCid),
  }),
);

/** Every manifest an asset has had: version 1 at publication, one more per `ManifestUpdated`. */
export const assetVersion = onchainTable(
  "asset_version",
  (t) => ({
    assetId: t.bigint().notNull(),
    version: t.integer().notNull(),
    manifestCid: t.text().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.assetId, table.version] }) }),
);

/** Lineage edges: `childId` was published with `parentId` at `position` in its parent list. */
export const assetParent = onchainTable(
  "asset_parent",
  (t) => ({
    childId: t.bigint().notNull(),
    parentId: t.bigint().notNull(),
    position: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.childId, table.parentId] }),
    parentIdx: index().on(table.parentId),
  }),
);

/** State changes (`AssetStateChanged`). */
export const assetStateChange = onchainTable(
  "asset_state_change",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    previousState: assetState().notNull(),
    newState: assetState().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

/** ERC-721 transfers of asset NFTs, the mint included (`from` = zero address). */
export const assetTransfer = onchainTable(
  "asset_transfer",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    from: t.hex().notNull(),
    to: t.hex().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId), toIdx: index().on(table.to), fromIdx: index().on(table.from) }),
);

/** ERC-721 operator approvals (`ApprovalForAll`). */
export const operatorApproval = onchainTable(
  "operator_approval",
  (t) => ({
    owner: t.hex().notNull(),
    operator: t.hex().notNull(),
    approved: t.boolean().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.owner, table.operator] }) }),
);

// ------------------------------------------------------------------------------------------------------------------
// Datatoken (clones found through DatatokenCreated)
// ------------------------------------------------------------------------------------------------------------------

/** A datatoken clone. 18 decimals; one whole token (10^18) is burnt per order. */
export const datatoken = onchainTable(
  "datatoken",
  (t) => ({
    address: t.hex().primaryKey(),
    assetId: t.bigint().notNull(),
    /** Seconds of access an order grants; 0: unlimited. */
    accessPeriod: t.bigint().notNull(),
    initialSupply: t.bigint().notNull(),
    /** Minted minus burnt, in datatoken units (18 decimals). */
    totalSupply: t.bigint().notNull(),
    orderCount: t.integer().notNull(),
    createdAtBlock: t.bigint().notNull(),
    createdAtTimestamp: t.bigint().notNull(),
    createdAtTransaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

/** Datatoken balances, per holder (rows stay at 0 after a holder empties its balance). */
export const datatokenBalance = onchainTable(
  "datatoken_balance",
  (t) => ({
    datatokenAddress: t.hex().notNull(),
    account: t.hex().notNull(),
    balance: t.bigint().notNull(),
    updatedAtBlock: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.datatokenAddress, table.account] }),
    accountIdx: index().on(table.account),
  }),
);

/**
 * The last ERC-20 `Approval` (or permit) per owner and spender. `transferFrom` spends allowances without an event, so
 * this is the approved value, not the remaining allowance: read `allowance()` on-chain for that.
 */
export const datatokenApproval = onchainTable(
  "datatoken_approval",
  (t) => ({
    datatokenAddress: t.hex().notNull(),
    owner: t.hex().notNull(),
    spender: t.hex().notNull(),
    value: t.bigint().notNull(),
    block: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.datatokenAddress, table.owner, table.spender] }) }),
);

/** Datatoken transfers, mints (`from` zero) and burns (`to` zero) included. */
export const datatokenTransfer = onchainTable(
  "datatoken_transfer",
  (t) => ({
    id: t.text().primaryKey(),
    datatokenAddress: t.hex().notNull(),
    from: t.hex().notNull(),
    to: t.hex().notNull(),
    value: t.bigint().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ datatokenIdx: index().on(table.datatokenAddress) }),
);

/** Access receipts (`OrderStarted`): `consumer` may use the asset until `validUntil` (2^64-1: forever). */
export const order = onchainTable(
  "order",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    datatokenAddress: t.hex().notNull(),
    consumer: t.hex().notNull(),
    /** Who paid (the buyer for `buyAndOrder`). */
    payer: t.hex().notNull(),
    /** Whose datatoken was burnt (the seller for `buyAndOrder`). */
    from: t.hex().notNull(),
    validUntil: t.bigint().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({
    assetIdx: index().on(table.assetId),
    datatokenIdx: index().on(table.datatokenAddress),
    consumerIdx: index().on(table.consumer),
  }),
);

// ------------------------------------------------------------------------------------------------------------------
// Marketplace
// ------------------------------------------------------------------------------------------------------------------

/** The marketplace's settings: owner (Ownable2Step) and protocol fee. */
export const marketplace = onchainTable("marketplace", (t) => ({
  address: t.hex().primaryKey(),
  owner: t.hex(),
  pendingOwner: t.hex(),
  treasury: t.hex(),
  protocolFeeBps: t.integer(),
  updatedAtBlock: t.bigint().notNull(),
}));

/** Protocol fee history (`ProtocolFeeSet`, also emitted at deployment). */
export const protocolFeeChange = onchainTable("protocol_fee_change", (t) => ({
  id: t.text().primaryKey(),
  treasury: t.hex().notNull(),
  bps: t.integer().notNull(),
  block: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  transaction: t.hex().notNull(),
}));

/** Ownership history of the marketplace (`OwnershipTransferStarted`, `OwnershipTransferred`). */
export const marketplaceOwnershipChange = onchainTable("marketplace_ownership_change", (t) => ({
  id: t.text().primaryKey(),
  /** `started` (a pending owner was named) or `transferred`. */
  step: t.text().notNull(),
  previousOwner: t.hex().notNull(),
  newOwner: t.hex().notNull(),
  block: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  transaction: t.hex().notNull(),
}));

/** The current fixed-rate listing of an asset (one per asset; `active` false once closed). */
export const listing = onchainTable(
  "listing",
  (t) => ({
    assetId: t.bigint().primaryKey(),
    datatokenAddress: t.hex().notNull(),
    paymentToken: t.hex().notNull(),
    /** Price of one whole datatoken in the payment token's smallest unit. */
    price: t.bigint().notNull(),
    /** The asset owner who set it. */
    owner: t.hex().notNull(),
    active: t.boolean().notNull(),
    /** ListingSet events for this asset so far. */
    changeCount: t.integer().notNull(),
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  }),
  (table) => ({ paymentTokenIdx: index().on(table.paymentToken) }),
);

/** Price history of listings: one row per `ListingSet` (`set`) and `ListingClosed` (`closed`, no price). */
export const listingChange = onchainTable(
  "listing_change",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    action: changeAction().notNull(),
    paymentToken: t.hex(),
    price: t.bigint(),
    owner: t.hex(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

/** The dispenser of an asset (free datatokens, at most `maxPerWallet` whole tokens per wallet). */
export const dispenser = onchainTable("dispenser", (t) => ({
  assetId: t.bigint().primaryKey(),
  datatokenAddress: t.hex().notNull(),
  maxPerWallet: t.bigint().notNull(),
  active: t.boolean().notNull(),
  /** Whole datatokens dispensed so far, and the number of `dispense` calls. */
  dispensed: t.bigint().notNull(),
  claimCount: t.integer().notNull(),
  updatedAtBlock: t.bigint().notNull(),
  updatedAtTimestamp: t.bigint().notNull(),
}));

/** History of dispenser settings: `set` (with the limit) and `closed`. */
export const dispenserChange = onchainTable(
  "dispenser_change",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    action: changeAction().notNull(),
    maxPerWallet: t.bigint(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

/** Dispenser claims (`Dispensed`). */
export const dispense = onchainTable(
  "dispense",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    recipient: t.hex().notNull(),
    owner: t.hex().notNull(),
    count: t.bigint().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId), recipientIdx: index().on(table.recipient) }),
);

/**
 * Marketplace purchases (`Purchased`). The buyer paid `total` = `base` (to the seller) + `protocolFee` (treasury) +
 * `marketFee` (marketFeeRecipient). `consumer` is set for `buyAndOrder` (the purchase also started an order).
 */
export const purchase = onchainTable(
  "purchase",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    buyer: t.hex().notNull(),
    seller: t.hex().notNull(),
    paymentToken: t.hex().notNull(),
    count: t.bigint().notNull(),
    base: t.bigint().notNull(),
    protocolFee: t.bigint().notNull(),
    marketFee: t.bigint().notNull(),
    total: t.bigint().notNull(),
    treasury: t.hex(),
    marketFeeRecipient: t.hex().notNull(),
    consumer: t.hex(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({
    assetIdx: index().on(table.assetId),
    buyerIdx: index().on(table.buyer),
    sellerIdx: index().on(table.seller),
  }),
);

/** Per asset and payment token: what its sales brought. `revenue` is the sellers' part (the listing prices). */
export const assetRevenue = onchainTable(
  "asset_revenue",
  (t) => ({
    assetId: t.bigint().notNull(),
    paymentToken: t.hex().notNull(),
    purchaseCount: t.integer().notNull(),
    datatokensSold: t.bigint().notNull(),
    revenue: t.bigint().notNull(),
    protocolFees: t.bigint().notNull(),
    marketFees: t.bigint().notNull(),
    /** What buyers paid in total: revenue + protocolFees + marketFees. */
    volume: t.bigint().notNull(),
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.assetId, table.paymentToken] }) }),
);

// ------------------------------------------------------------------------------------------------------------------
// TrainingJobs
// ------------------------------------------------------------------------------------------------------------------

/** Per account and stake token: stake locked in training jobs now, and what was deposited, withdrawn and slashed. */
export const accountStake = onchainTable(
  "account_stake",
  (t) => ({
    account: t.hex().notNull(),
    tokenAddress: t.hex().notNull(),
    staked: t.bigint().notNull(),
    deposited: t.bigint().notNull(),
    withdrawn: t.bigint().notNull(),
    slashed: t.bigint().notNull(),
    /** Jobs joined. */
    jobCount: t.integer().notNull(),
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.account, table.tokenAddress] }) }),
);

/** A training job: its parameters (`JobCreated`) and its progress, kept up to date by every later event. */
export const job = onchainTable(
  "job",
  (t) => ({
    id: t.bigint().primaryKey(),
    sponsor: t.hex().notNull(),
    datasetId: t.bigint().notNull(),
    baseModelId: t.bigint().notNull(),
    baseModelCid: t.text().notNull(),
    specCid: t.text().notNull(),
    rewardToken: t.hex().notNull(),
    rewardPool: t.bigint().notNull(),
    rewardPerRound: t.bigint().notNull(),
    stakeToken: t.hex().notNull(),
    minStake: t.bigint().notNull(),
    numRounds: t.integer().notNull(),
    commitWindow: t.integer().notNull(),
    revealWindow: t.integer().notNull(),
    attestWindow: t.integer().notNull(),
    quorumBps: t.integer().notNull(),
    maxTrainers: t.integer().notNull(),
    maxSamples: t.bigint().notNull(),
    startTime: t.bigint().notNull(),
    status: jobStatus().notNull(),
    /** The round in progress; equals `numRounds` once every round is final. */
    currentRound: t.integer().notNull(),
    roundsSucceeded: t.integer().notNull(),
    roundsFailed: t.integer().notNull(),
    /** Trainers that ever joined, and those still active (not left, slashed or withdrawn). */
    trainerCount: t.integer().notNull(),
    activeTrainerCount: t.integer().notNull(),
    /** Stake held by the job now. */
    totalStaked: t.bigint().notNull(),
    /** Reward waiting for the next round to succeed (failed rounds, slashes in the reward token). */
    carry: t.bigint().notNull(),
    /** Slashed stake held for the sponsor (stake token other than the reward token). */
    forfeitedStake: t.bigint().notNull(),
    rewardClaimed: t.bigint().notNull(),
    /** Reward token and stake token returned to the sponsor (cancellation and remainder refunds). */
    rewardRefunded: t.bigint().notNull(),
    stakeRefunded: t.bigint().notNull(),
    /** The global model: the aggregate of the last successful round, or the base model. */
    currentModelCid: t.text().notNull(),
    lastSuccessfulRound: t.integer(),
    /** The model asset minted by `publishResult`, and the round it came from. */
    resultAssetId: t.bigint(),
    resultRound: t.integer(),
    createdAtBlock: t.bigint().notNull(),
    createdAtTimestamp: t.bigint().notNull(),
    createdAtTransaction: t.hex().notNull(),
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  }),
  (table) => ({
    sponsorIdx: index().on(table.sponsor),
    datasetIdx: index().on(table.datasetId),
    baseModelIdx: index().on(table.baseModelId),
    statusIdx: index().on(table.status),
  }),
);

/** A trainer of a job: index, stake, standing, libp2p peer info, and what it did. */
export const trainer = onchainTable(
  "trainer",
  (t) => ({
    jobId: t.bigint().notNull(),
    account: t.hex().notNull(),
    /** Its bit in inclusion masks and its rank in aggregation. */
    index: t.integer().notNull(),
    /** Stake held now (0 once slashed or withdrawn). */
    stake: t.bigint().notNull(),
    status: trainerStatus().notNull(),
    /** libp2p peer id (base58btc, `12D3Koo...`) and multiaddrs (`/ip4/...`); undecodable bytes stay 0x-hex. */
    peerId: t.text().notNull(),
    addrs: t.text().array().notNull(),
    /** Round of a commitment not revealed yet (slashable after its reveal window), or null. */
    pendingRound: t.integer(),
    commitCount: t.integer().notNull(),
    revealCount: t.integer().notNull(),
    attestCount: t.integer().notNull(),
    claimCount: t.integer().notNull(),
    samplesRevealed: t.bigint().notNull(),
    rewardClaimed: t.bigint().notNull(),
    leftAt: t.bigint(),
    withdrawableAt: t.bigint(),
    withdrawnAmount: t.bigint(),
    slashedAmount: t.bigint(),
    joinedAtBlock: t.bigint().notNull(),
    joinedAtTimestamp: t.bigint().notNull(),
    joinedAtTransaction: t.hex().notNull(),
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.account] }), accountIdx: index().on(table.account) }),
);

/**
 * A round of a job, created when it starts (round 0 with the job, round r+1 when round r is finalized): its seed and
 * windows, live counters, and once finalized its outcome.
 */
export const round = onchainTable(
  "round",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    seed: t.hex().notNull(),
    /** Window bounds (unix seconds): commits in [start, commitEnd), reveals in [commitEnd, revealEnd), attestations in [revealEnd, attestEnd). */
    start: t.bigint().notNull(),
    commitEnd: t.bigint().notNull(),
    revealEnd: t.bigint().notNull(),
    attestEnd: t.bigint().notNull(),
    status: roundStatus().notNull(),
    phase: roundPhase().notNull(),
    commitCount: t.integer().notNull(),
    revealCount: t.integer().notNull(),
    attestCount: t.integer().notNull(),
    tupleCount: t.integer().notNull(),
    slashCount: t.integer().notNull(),
    revealedStake: t.bigint().notNull(),
    revealedSamples: t.bigint().notNull(),
    /** The winning tuple (null until a tuple reaches the quorum). */
    winningTupleId: t.integer(),
    aggregateCid: t.text(),
    includedMask: t.bigint(),
    includedSamples: t.bigint(),
    /** Set at finalization: the reward (claimable if succeeded, rolled over if failed) and the carry after the round. */
    reward: t.bigint(),
    carry: t.bigint(),
    claimCount: t.integer().notNull(),
    claimedAmount: t.bigint().notNull(),
    claimedSamples: t.bigint().notNull(),
    finalizedAtBlock: t.bigint(),
    finalizedAtTimestamp: t.bigint(),
    finalizedAtTransaction: t.hex(),
    createdAtBlock: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round] }) }),
);

/** `Committed`: a trainer's commitment to its update of a round. */
export const commitment = onchainTable(
  "commitment",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    trainer: t.hex().notNull(),
    commitment: t.hex().notNull(),
    revealed: t.boolean().notNull(),
    slashed: t.boolean().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }) }),
);

/** `Revealed`: a trainer's update of a round, its samples and the stake it brings to the quorum. */
export const reveal = onchainTable(
  "reveal",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    trainer: t.hex().notNull(),
    index: t.integer().notNull(),
    updateCid: t.text().notNull(),
    samples: t.bigint().notNull(),
    stake: t.bigint().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }) }),
);

/** `Attested`: the tuple a trainer attested in a round, with the tuple's tally after it. */
export const attestation = onchainTable(
  "attestation",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    trainer: t.hex().notNull(),
    index: t.integer().notNull(),
    aggregateCid: t.text().notNull(),
    includedMask: t.bigint().notNull(),
    includedSamples: t.bigint().notNull(),
    tupleId: t.integer().notNull(),
    tupleStake: t.bigint().notNull(),
    quorumReached: t.boolean().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }) }),
);

/** The distinct tuples attested in a round (numbered from 1 in order of first attestation), with their tallies. */
export const tuple = onchainTable(
  "tuple",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    tupleId: t.integer().notNull(),
    aggregateCid: t.text().notNull(),
    includedMask: t.bigint().notNull(),
    includedSamples: t.bigint().notNull(),
    stake: t.bigint().notNull(),
    attestationCount: t.integer().notNull(),
    quorumReached: t.boolean().notNull(),
    /** Set when the round is finalized with this tuple as winner. */
    won: t.boolean().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.tupleId] }) }),
);

/** `RoundFinalized`, as emitted (the round row carries the same outcome). */
export const finalization = onchainTable(
  "finalization",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    succeeded: t.boolean().notNull(),
    aggregateCid: t.text(),
    includedMask: t.bigint().notNull(),
    includedSamples: t.bigint().notNull(),
    winningTupleId: t.integer().notNull(),
    reward: t.bigint().notNull(),
    carry: t.bigint().notNull(),
    nextSeed: t.hex().notNull(),
    nextRoundStart: t.bigint().notNull(),
    /** Who called `finalize`. */
    caller: t.hex().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round] }) }),
);

/** `RewardClaimed`: what a trainer was paid for a round. */
export const claim = onchainTable(
  "claim",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    trainer: t.hex().notNull(),
    amount: t.bigint().notNull(),
    samples: t.bigint().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }), trainerIdx: index().on(table.trainer) }),
);

/** `TrainerSlashed`: a trainer that committed and did not reveal lost its stake. */
export const slash = onchainTable(
  "slash",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    trainer: t.hex().notNull(),
    caller: t.hex().notNull(),
    index: t.integer().notNull(),
    stake: t.bigint().notNull(),
    callerShare: t.bigint().notNull(),
    poolShare: t.bigint().notNull(),
    /** The pool share went to the job's carry (stake token = reward token), else to the sponsor's forfeited stake. */
    toCarry: t.boolean().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }) }),
);

/** `StakeWithdrawn`: a trainer took its stake back (once per job). */
export const stakeWithdrawal = onchainTable(
  "stake_withdrawal",
  (t) => ({
    jobId: t.bigint().notNull(),
    trainer: t.hex().notNull(),
    index: t.integer().notNull(),
    amount: t.bigint().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.trainer] }) }),
);

/** Refunds to a job's sponsor: `cancelled` (`JobCancelled`) and `remainder` (`RemainderRefunded`). */
export const jobRefund = onchainTable(
  "job_refund",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    kind: t.text().notNull(),
    sponsor: t.hex().notNull(),
    rewardAmount: t.bigint().notNull(),
    stakeAmount: t.bigint().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ jobIdx: index().on(table.jobId) }),
);

// ------------------------------------------------------------------------------------------------------------------
// Relations
// ------------------------------------------------------------------------------------------------------------------

export const tokenRelations = relations(token, ({ many }) => ({
  earnings: many(accountEarning),
}));

export const accountEarningRelations = relations(accountEarning, ({ one }) => ({
  token: one(token, { fields: [accountEarning.tokenAddress], references: [token.address] }),
}));

export const assetRelations = relations(asset, ({ one, many }) => ({
  datatoken: one(datatoken, { fields: [asset.id], references: [datatoken.assetId] }),
  listing: one(listing, { fields: [asset.id], references: [listing.assetId] }),
  dispenser: one(dispenser, { fields: [asset.id], references: [dispenser.assetId] }),
  versions: many(assetVersion),
  parents: many(assetParent, { relationName: "child" }),
  children: many(assetParent, { relationName: "parent" }),
  stateChanges: many(assetStateChange),
  transfers: many(assetTransfer),
  orders: many(order),
  purchases: many(purchase),
  revenue: many(assetRevenue),
  listingChanges: many(listingChange),
  dispenses: many(dispense),
  /** Training jobs on this dataset, and jobs starting from this model. */
  trainingJobs: many(job, { relationName: "jobDataset" }),
  fineTuningJobs: many(job, { relationName: "jobBaseModel" }),
}));

export const assetVersionRelations = relations(assetVersion, ({ one }) => ({
  asset: one(asset, { fields: [assetVersion.assetId], references: [asset.id] }),
}));

export const assetParentRelations = relations(assetParent, ({ one }) => ({
  child: one(asset, { fields: [assetParent.childId], references: [asset.id], relationName: "child" }),
  parent: one(asset, { fields: [assetParent.parentId], references: [asset.id], relationName: "parent" }),
}));

export const assetStateChangeRelations = relations(assetStateChange, ({ one }) => ({
  asset: one(asset, { fields: [assetStateChange.assetId], references: [asset.id] }),
}));

export const assetTransferRelations = relations(assetTransfer, ({ one }) => ({
  asset: one(asset, { fields: [assetTransfer.assetId], references: [asset.id] }),
}));

export const datatokenRelations = relations(datatoken, ({ one, many }) => ({
  asset: one(asset, { fields: [datatoken.assetId], references: [asset.id] }),
  orders: many(order),
  balances: many(datatokenBalance),
  transfers: many(datatokenTransfer),
  approvals: many(datatokenApproval),
}));

export const datatokenBalanceRelations = relations(datatokenBalance, ({ one }) => ({
  datatoken: one(datatoken, { fields: [datatokenBalance.datatokenAddress], references: [datatoken.address] }),
}));

export const datatokenApprovalRelations = relations(datatokenApproval, ({ one }) => ({
  datatoken: one(datatoken, { fields: [datatokenApproval.datatokenAddress], references: [datatoken.address] }),
}));

export const datatokenTransferRelations = relations(datatokenTransfer, ({ one }) => ({
  datatoken: one(datatoken, { fields: [datatokenTransfer.datatokenAddress], references: [datatoken.address] }),
}));

export const orderRelations = relations(order, ({ one }) => ({
  asset: one(asset, { fields: [order.assetId], references: [asset.id] }),
  datatoken: one(datatoken, { fields: [order.datatokenAddress], references: [datatoken.address] }),
}));

export const listingRelations = relations(listing, ({ one, many }) => ({
  asset: one(asset, { fields: [listing.assetId], references: [asset.id] }),
  token: one(token, { fields: [listing.paymentToken], references: [token.address] }),
  changes: many(listingChange),
}));

export const listingChangeRelations = relations(listingChange, ({ one }) => ({
  asset: one(asset, { fields: [listingChange.assetId], references: [asset.id] }),
  listing: one(listing, { fields: [listingChange.assetId], references: [listing.assetId] }),
  token: one(token, { fields: [listingChange.paymentToken], references: [token.address] }),
}));

export const dispenserRelations = relations(dispenser, ({ one, many }) => ({
  asset: one(asset, { fields: [dispenser.assetId], references: [asset.id] }),
  changes: many(dispenserChange),
  claims: many(dispense),
}));

export const dispenserChangeRelations = relations(dispenserChange, ({ one }) => ({
  dispenser: one(dispenser, { fields: [dispenserChange.assetId], references: [dispenser.assetId] }),
}));

export const dispenseRelations = relations(dispense, ({ one }) => ({
  asset: one(asset, { fields: [dispense.assetId], references: [asset.id] }),
  dispenser: one(dispenser, { fields: [dispense.assetId], references: [dispenser.assetId] }),
}));

export const purchaseRelations = relations(purchase, ({ one }) => ({
  asset: one(asset, { fields: [purchase.assetId], references: [asset.id] }),
  token: one(token, { fields: [purchase.paymentToken], references: [token.address] }),
}));

export const assetRevenueRelations = relations(assetRevenue, ({ one }) => ({
  asset: one(asset, { fields: [assetRevenue.assetId], references: [asset.id] }),
  token: one(token, { fields: [assetRevenue.paymentToken], references: [token.address] }),
}));

type One = Parameters<Parameters<typeof relations>[1]>[0]["one"];

/** The round a (jobId, round)-keyed row belongs to. */
function roundOf(one: One, row: { jobId: PgColumn; round: PgColumn }, relationName: string) {
  return one(round, { fields: [row.jobId, row.round], references: [round.jobId, round.round], relationName });
}

/** The trainer a (jobId, trainer)-keyed row belongs to. */
function trainerOf(one: One, row: { jobId: PgColumn; trainer: PgColumn }, relationName: string) {
  return one(trainer, { fields: [row.jobId, row.trainer], references: [trainer.jobId, trainer.account], relationName });
}

export const accountStakeRelations = relations(accountStake, ({ one }) => ({
  token: one(token, { fields: [accountStake.tokenAddress], references: [token.address] }),
}));

export const jobRelations = relations(job, ({ one, many }) => ({
  dataset: one(asset, { fields: [job.datasetId], references: [asset.id], relationName: "jobDataset" }),
  baseModel: one(asset, { fields: [job.baseModelId], references: [asset.id], relationName: "jobBaseModel" }),
  resultAsset: one(asset, { fields: [job.resultAssetId], references: [asset.id], relationName: "jobResult" }),
  rewardTokenInfo: one(token, { fields: [job.rewardToken], references: [token.address], relationName: "jobRewardToken" }),
  stakeTokenInfo: one(token, { fields: [job.stakeToken], references: [token.address], relationName: "jobStakeToken" }),
  rounds: many(round, { relationName: "jobRounds" }),
  trainers: many(trainer, { relationName: "jobTrainers" }),
  claims: many(claim, { relationName: "jobClaims" }),
  slashes: many(slash, { relationName: "jobSlashes" }),
  withdrawals: many(stakeWithdrawal, { relationName: "jobWithdrawals" }),
  refunds: many(jobRefund, { relationName: "jobRefunds" }),
}));

export const trainerRelations = relations(trainer, ({ one, many }) => ({
  job: one(job, { fields: [trainer.jobId], references: [job.id], relationName: "jobTrainers" }),
  commitments: many(commitment, { relationName: "trainerCommitments" }),
  reveals: many(reveal, { relationName: "trainerReveals" }),
  attestations: many(attestation, { relationName: "trainerAttestations" }),
  claims: many(claim, { relationName: "trainerClaims" }),
}));

export const roundRelations = relations(round, ({ one, many }) => ({
  job: one(job, { fields: [round.jobId], references: [job.id], relationName: "jobRounds" }),
  commitments: many(commitment, { relationName: "roundCommitments" }),
  reveals: many(reveal, { relationName: "roundReveals" }),
  attestations: many(attestation, { relationName: "roundAttestations" }),
  tuples: many(tuple, { relationName: "roundTuples" }),
  claims: many(claim, { relationName: "roundClaims" }),
  slashes: many(slash, { relationName: "roundSlashes" }),
  finalization: one(finalization, {
    fields: [round.jobId, round.round],
    references: [finalization.jobId, finalization.round],
    relationName: "roundFinalization",
  }),
}));

export const commitmentRelations = relations(commitment, ({ one }) => ({
  roundInfo: roundOf(one, commitment, "roundCommitments"),
  trainerInfo: trainerOf(one, commitment, "trainerCommitments"),
}));

export const revealRelations = relations(reveal, ({ one }) => ({
  roundInfo: roundOf(one, reveal, "roundReveals"),
  trainerInfo: trainerOf(one, reveal, "trainerReveals"),
}));

export const attestationRelations = relations(attestation, ({ one }) => ({
  roundInfo: roundOf(one, attestation, "roundAttestations"),
  trainerInfo: trainerOf(one, attestation, "trainerAttestations"),
  tuple: one(tuple, {
    fields: [attestation.jobId, attestation.round, attestation.tupleId],
    references: [tuple.jobId, tuple.round, tuple.tupleId],
    relationName: "tupleAttestations",
  }),
}));

export const tupleRelations = relations(tuple, ({ one, many }) => ({
  roundInfo: roundOf(one, tuple, "roundTuples"),
  attestations: many(attestation, { relationName: "tupleAttestations" }),
}));

export const finalizationRelations = relations(finalization, ({ one }) => ({
  roundInfo: roundOf(one, finalization, "roundFinalization"),
}));

export const claimRelations = relations(claim, ({ one }) => ({
  job: one(job, { fields: [claim.jobId], references: [job.id], relationName: "jobClaims" }),
  roundInfo: roundOf(one, claim, "roundClaims"),
  trainerInfo: trainerOf(one, claim, "trainerClaims"),
}));

export const slashRelations = relations(slash, ({ one }) => ({
  job: one(job, { fields: [slash.jobId], references: [job.id], relationName: "jobSlashes" }),
  roundInfo: roundOf(one, slash, "roundSlashes"),
}));

export const stakeWithdrawalRelations = relations(stakeWithdrawal, ({ one }) => ({
  job: one(job, { fields: [stakeWithdrawal.jobId], references: [job.id], relationName: "jobWithdrawals" }),
}));

export const jobRefundRelations = relations(jobRefund, ({ one }) => ({
  job: one(job, { fields: [jobRefund.jobId], references: [job.id], relationName: "jobRefunds" }),
}));
