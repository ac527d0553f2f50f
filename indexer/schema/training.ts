/**
 * TrainingJobs: jobs, their trainers and rounds, every per-round event (commitments, reveals, attestations, tuples,
 * finalizations, claims, sweeps, penalties, slashes), stake withdrawals and evictions, refunds, and stakes per account.
 * Imports `asset` from assets.ts, which imports this file back (see the note there), and `token` from tokens.ts.
 *
 * Weights: a trainer's quorum weight is its stake capped at `weightCap` minimum stakes, in units of 2^-16 minimum stakes
 * (`TrainerJoined.weight`, `Revealed.weight`); rounds and tuples tally weights, not stakes.
 */
import { index, onchainEnum, onchainTable, type PgColumn, primaryKey, relations } from "ponder";
import { asset } from "./assets.ts";
import { createdAtColumns, eventColumns, updatedAtColumns } from "./common.ts";
import { token } from "./tokens.ts";

/** Lifecycle of a training job as events show it (`active`: scheduled or running; compare `startTime` with the clock). */
export const jobStatus = onchainEnum("job_status", ["active", "ended", "cancelled"]);
/**
 * `TrainerStatus` of contracts/types/Training.sol, without `None`, plus `evicted`: the contract reports an evicted
 * trainer as `Withdrawn` (its stake went back to it), the indexer keeps why.
 */
export const trainerStatus = onchainEnum("trainer_status", ["active", "left", "slashed", "withdrawn", "evicted"]);
/** Outcome of a round (`cancelled`: the round in progress when its job was cancelled). */
export const roundStatus = onchainEnum("round_status", ["pending", "succeeded", "failed", "cancelled"]);
/**
 * The furthest phase events have shown for a round: `commit` when it starts, `reveal` at its first on-time reveal,
 * `attest` at its first attestation or late reveal, `finalized`. The phase by the clock follows from the window ends
 * (see `roundPhaseAt` in the client).
 */
export const roundPhase = onchainEnum("round_phase", ["commit", "reveal", "attest", "finalized"]);
/** `PenaltyReason` of contracts/types/Training.sol: why `TrainerPenalized` cut a stake. */
export const penaltyReason = onchainEnum("penalty_reason", ["silent", "losingTuple", "lateReveal", "idle"]);

type One = Parameters<Parameters<typeof relations>[1]>[0]["one"];

/** The round a (jobId, round)-keyed row belongs to. */
function roundOf(one: One, row: { jobId: PgColumn; round: PgColumn }, relationName: string) {
  return one(round, { fields: [row.jobId, row.round], references: [round.jobId, round.round], relationName });
}

/** The trainer a (jobId, trainer)-keyed row belongs to. */
function trainerOf(one: One, row: { jobId: PgColumn; trainer: PgColumn }, relationName: string) {
  return one(trainer, { fields: [row.jobId, row.trainer], references: [trainer.jobId, trainer.account], relationName });
}

/**
 * Per account and job token: stake locked in training jobs now, and what was deposited, returned (withdrawn or given
 * back at an eviction), slashed and cut by penalties. `staked = deposited - withdrawn - slashed - penalized`.
 */
export const accountStake = onchainTable(
  "account_stake",
  (t) => ({
    account: t.hex().notNull(),
    tokenAddress: t.hex().notNull(),
    staked: t.bigint().notNull(),
    deposited: t.bigint().notNull(),
    withdrawn: t.bigint().notNull(),
    slashed: t.bigint().notNull(),
    penalized: t.bigint().notNull(),
    /** Jobs joined (joining the same job again does not count twice). */
    jobCount: t.integer().notNull(),
    ...updatedAtColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.account, table.tokenAddress] }) }),
);

export const accountStakeRelations = relations(accountStake, ({ one }) => ({
  token: one(token, { fields: [accountStake.tokenAddress], references: [token.address] }),
}));

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
    /** The job's one ERC-20: rewards and stakes (forfeited stake becomes reward). */
    token: t.hex().notNull(),
    rewardPool: t.bigint().notNull(),
    rewardPerRound: t.bigint().notNull(),
    minStake: t.bigint().notNull(),
    numRounds: t.integer().notNull(),
    commitWindow: t.integer().notNull(),
    revealWindow: t.integer().notNull(),
    attestWindow: t.integer().notNull(),
    /** Seconds after the job's end during which rewards can be claimed and stakes stay locked. */
    claimPeriod: t.integer().notNull(),
    /** Share of the attested weight the leading tuple needs to win, in basis points. */
    quorumBps: t.integer().notNull(),
    /** Share of the revealed weight that must attest for a round to succeed, in basis points. */
    participationBps: t.integer().notNull(),
    /** Most stake counted toward the quorum per trainer, in minimum stakes. */
    weightCap: t.integer().notNull(),
    maxTrainers: t.integer().notNull(),
    maxSamples: t.bigint().notNull(),
    startTime: t.bigint().notNull(),
    /** Updates every attester replays per round. */
    auditsPerRound: t.integer().notNull(),
    status: jobStatus().notNull(),
    /** The round in progress; equals `numRounds` once every round is final. */
    currentRound: t.integer().notNull(),
    roundsSucceeded: t.integer().notNull(),
    roundsFailed: t.integer().notNull(),
    /** Accounts that ever joined (rows of `trainer`), joins (an account may join again), and trainers active now. */
    trainerCount: t.integer().notNull(),
    joinCount: t.integer().notNull(),
    activeTrainerCount: t.integer().notNull(),
    /** Stake held by the job now. */
    totalStaked: t.bigint().notNull(),
    /** Reward waiting for the next successful round (failed rounds, swept unpaid rewards); the sponsor's after the end. */
    carry: t.bigint().notNull(),
    /** Forfeited stake waiting for the next successful round (burned, never refunded, after the end). */
    forfeits: t.bigint().notNull(),
    /** Stake lost to penalties and to slashes, in total (both went to the forfeits). */
    penalized: t.bigint().notNull(),
    penaltyCount: t.integer().notNull(),
    slashed: t.bigint().notNull(),
    rewardClaimed: t.bigint().notNull(),
    /** Unpaid rewards swept (`RewardSwept`): back to the carry, and the share that came from forfeits back to them. */
    swept: t.bigint().notNull(),
    /** Returned to the sponsor (cancellation and remainder refunds), and forfeits burned (sent to 0x…dEaD). */
    refunded: t.bigint().notNull(),
    burned: t.bigint().notNull(),
    /** The global model: the aggregate of the last successful round, or the base model. */
    currentModelCid: t.text().notNull(),
    lastSuccessfulRound: t.integer(),
    /** The model asset minted by `publishResult`, and the round it came from. */
    resultAssetId: t.bigint(),
    resultRound: t.integer(),
    ...createdAtColumns(t),
    ...updatedAtColumns(t),
  }),
  (table) => ({
    sponsorIdx: index().on(table.sponsor),
    datasetIdx: index().on(table.datasetId),
    baseModelIdx: index().on(table.baseModelId),
    statusIdx: index().on(table.status),
  }),
);

export const jobRelations = relations(job, ({ one, many }) => ({
  dataset: one(asset, { fields: [job.datasetId], references: [asset.id], relationName: "jobDataset" }),
  baseModel: one(asset, { fields: [job.baseModelId], references: [asset.id], relationName: "jobBaseModel" }),
  resultAsset: one(asset, { fields: [job.resultAssetId], references: [asset.id], relationName: "jobResult" }),
  tokenInfo: one(token, { fields: [job.token], references: [token.address], relationName: "jobToken" }),
  rounds: many(round, { relationName: "jobRounds" }),
  trainers: many(trainer, { relationName: "jobTrainers" }),
  claims: many(claim, { relationName: "jobClaims" }),
  sweeps: many(sweep, { relationName: "jobSweeps" }),
  penalties: many(penalty, { relationName: "jobPenalties" }),
  slashes: many(slash, { relationName: "jobSlashes" }),
  withdrawals: many(stakeWithdrawal, { relationName: "jobWithdrawals" }),
  evictions: many(eviction, { relationName: "jobEvictions" }),
  refunds: many(jobRefund, { relationName: "jobRefunds" }),
}));

/**
 * A trainer of a job, one row per account: its current membership (index, stake, weight, first round, standing,
 * libp2p peer info) and what it did over all of them. An account that withdrew, was slashed or was evicted may join
 * again: the row becomes active again with the new index, stake and first round, and its totals go on.
 * `stake = deposited - withdrawn - slashed - penalized`.
 */
export const trainer = onchainTable(
  "trainer",
  (t) => ({
    jobId: t.bigint().notNull(),
    account: t.hex().notNull(),
    /** Its bit in inclusion masks and its rank in aggregation (freed indices are given to later joins). */
    index: t.integer().notNull(),
    /** Stake held now (0 once slashed, withdrawn or evicted). */
    stake: t.bigint().notNull(),
    /** Quorum weight its reveals bring now: the stake capped at `weightCap` minimum stakes, in 2^-16 minimum stakes. */
    weight: t.bigint().notNull(),
    /** The first round it may commit in: its stake is bonded only for rounds that begin after it joined. */
    firstRound: t.integer().notNull(),
    status: trainerStatus().notNull(),
    /** libp2p peer id (base58btc, `12D3Koo...`) and multiaddrs (`/ip4/...`); undecodable bytes stay 0x-hex. */
    peerId: t.text().notNull(),
    addrs: t.text().array().notNull(),
    /** Round of a commitment not revealed yet (slashable after its attest window), or null. */
    pendingRound: t.integer(),
    /** Round of its last on-time reveal (its stake stays bonded an unbond round after it), or null. */
    lastRevealRound: t.integer(),
    /** Set by `leave` (cleared by a new join): when, and the round from whose start its stake unlocks. */
    leftAt: t.bigint(),
    unlockRound: t.integer(),
    joinCount: t.integer().notNull(),
    commitCount: t.integer().notNull(),
    /** On-time reveals (counted in their rounds), and late ones (during the attest window: no weight, penalized). */
    revealCount: t.integer().notNull(),
    lateRevealCount: t.integer().notNull(),
    attestCount: t.integer().notNull(),
    claimCount: t.integer().notNull(),
    penaltyCount: t.integer().notNull(),
    evictionCount: t.integer().notNull(),
    /** Samples of its on-time reveals. */
    samplesRevealed: t.bigint().notNull(),
    rewardClaimed: t.bigint().notNull(),
    /** Stake totals over its memberships: deposited, returned (withdrawals and evictions), slashed, cut by penalties. */
    deposited: t.bigint().notNull(),
    withdrawn: t.bigint().notNull(),
    slashed: t.bigint().notNull(),
    penalized: t.bigint().notNull(),
    /** Its last join. */
    joinedAtBlock: t.bigint().notNull(),
    joinedAtTimestamp: t.bigint().notNull(),
    joinedAtTransaction: t.hex().notNull(),
    ...updatedAtColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.account] }), accountIdx: index().on(table.account) }),
);

export const trainerRelations = relations(trainer, ({ one, many }) => ({
  job: one(job, { fields: [trainer.jobId], references: [job.id], relationName: "jobTrainers" }),
  commitments: many(commitment, { relationName: "trainerCommitments" }),
  reveals: many(reveal, { relationName: "trainerReveals" }),
  attestations: many(attestation, { relationName: "trainerAttestations" }),
  claims: many(claim, { relationName: "trainerClaims" }),
  penalties: many(penalty, { relationName: "trainerPenalties" }),
  withdrawals: many(stakeWithdrawal, { relationName: "trainerWithdrawals" }),
  evictions: many(eviction, { relationName: "trainerEvictions" }),
}));

/**
 * A round of a job, created when it starts (round 0 with the job, round r+1 when round r is finalized): its seed and
 * windows, live tallies of weight, its leading tuple, and once finalized its outcome.
 */
export const round = onchainTable(
  "round",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    seed: t.hex().notNull(),
    /**
     * Window bounds (unix seconds): commits in [start, commitEnd), reveals in [commitEnd, revealEnd), attestations (and
     * late reveals) in [revealEnd, attestEnd).
     */
    start: t.bigint().notNull(),
    commitEnd: t.bigint().notNull(),
    revealEnd: t.bigint().notNull(),
    attestEnd: t.bigint().notNull(),
    status: roundStatus().notNull(),
    phase: roundPhase().notNull(),
    commitCount: t.integer().notNull(),
    /** On-time reveals (they count), late reveals (they do not). */
    revealCount: t.integer().notNull(),
    lateRevealCount: t.integer().notNull(),
    attestCount: t.integer().notNull(),
    tupleCount: t.integer().notNull(),
    slashCount: t.integer().notNull(),
    /** Penalties taken for this round (late reveals at once, silence and losing tuples when settled later). */
    penaltyCount: t.integer().notNull(),
    penalized: t.bigint().notNull(),
    /** Weight and samples of the on-time reveals, and weight of the attesters. */
    revealedWeight: t.bigint().notNull(),
    revealedSamples: t.bigint().notNull(),
    attestedWeight: t.bigint().notNull(),
    /** The tuple with the most attested weight (the first to get it on ties), and its weight; null before any attestation. */
    leaderTupleId: t.integer(),
    leaderWeight: t.bigint(),
    /** The winning tuple, set when the round succeeded (the leader won): the new global model and its inclusion. */
    aggregateCid: t.text(),
    includedMask: t.bigint(),
    includedSamples: t.bigint(),
    /** The slash mask the round applied (its winner's, or a failed round's majority leader's): trainer indices whose update failed its replay audit and lost its stake. */
    slashMask: t.bigint(),
    /**
     * Set at finalization: what the winners share (`rewardPerRound` plus the carry and forfeits it takes, up to the
     * contract's MAX_ROUND_REWARD; 0 when the round failed), the carry and forfeits after the round, and whether it was
     * finalized before its attest window ended.
     */
    reward: t.bigint(),
    carry: t.bigint(),
    forfeits: t.bigint(),
    early: t.boolean(),
    claimCount: t.integer().notNull(),
    claimedAmount: t.bigint().notNull(),
    claimedSamples: t.bigint().notNull(),
    /** What `sweep` took back of the unpaid reward (null until swept; claims are over then); see `sweep` for the split. */
    swept: t.bigint(),
    finalizedAtBlock: t.bigint(),
    finalizedAtTimestamp: t.bigint(),
    finalizedAtTransaction: t.hex(),
    createdAtBlock: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round] }) }),
);

export const roundRelations = relations(round, ({ one, many }) => ({
  job: one(job, { fields: [round.jobId], references: [job.id], relationName: "jobRounds" }),
  commitments: many(commitment, { relationName: "roundCommitments" }),
  reveals: many(reveal, { relationName: "roundReveals" }),
  attestations: many(attestation, { relationName: "roundAttestations" }),
  tuples: many(tuple, { relationName: "roundTuples" }),
  leader: one(tuple, {
    fields: [round.jobId, round.round, round.leaderTupleId],
    references: [tuple.jobId, tuple.round, tuple.tupleId],
    relationName: "roundLeader",
  }),
  claims: many(claim, { relationName: "roundClaims" }),
  penalties: many(penalty, { relationName: "roundPenalties" }),
  slashes: many(slash, { relationName: "roundSlashes" }),
  finalization: one(finalization, {
    fields: [round.jobId, round.round],
    references: [finalization.jobId, finalization.round],
    relationName: "roundFinalization",
  }),
  sweep: one(sweep, {
    fields: [round.jobId, round.round],
    references: [sweep.jobId, sweep.round],
    relationName: "roundSweep",
  }),
}));

/** `Committed`: a trainer's commitment to its update of a round. */
export const commitment = onchainTable(
  "commitment",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    trainer: t.hex().notNull(),
    commitment: t.hex().notNull(),
    /** Revealed, on time or late (see the reveal's `late`). */
    revealed: t.boolean().notNull(),
    slashed: t.boolean().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }) }),
);

export const commitmentRelations = relations(commitment, ({ one }) => ({
  roundInfo: roundOf(one, commitment, "roundCommitments"),
  trainerInfo: trainerOf(one, commitment, "trainerCommitments"),
}));

/**
 * `Revealed`: a trainer's update of a round, its samples and the weight it brings to the round. A `late` reveal (during
 * the attest window) brings no weight, does not count and cannot attest; it cost a penalty.
 */
export const reveal = onchainTable(
  "reveal",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    trainer: t.hex().notNull(),
    index: t.integer().notNull(),
    updateCid: t.text().notNull(),
    samples: t.bigint().notNull(),
    weight: t.bigint().notNull(),
    late: t.boolean().notNull(),
    /** The commitment's salt: the on-time reveals' salts seed the round's audit draw (client computeAuditSeed). */
    salt: t.hex().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }) }),
);

export const revealRelations = relations(reveal, ({ one }) => ({
  roundInfo: roundOf(one, reveal, "roundReveals"),
  trainerInfo: trainerOf(one, reveal, "trainerReveals"),
}));

/** `Attested`: the tuple a trainer attested in a round with its weight, the tuple's tally and the round's leader after it. */
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
    /** The trainers the tuple slashes: bit i set when trainer index i's update failed its replay audit. */
    slashMask: t.bigint().notNull(),
    tupleId: t.integer().notNull(),
    /** The attester's weight (what it added to the tuple's tally). */
    weight: t.bigint().notNull(),
    tupleWeight: t.bigint().notNull(),
    leaderTupleId: t.integer().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }) }),
);

export const attestationRelations = relations(attestation, ({ one }) => ({
  roundInfo: roundOf(one, attestation, "roundAttestations"),
  trainerInfo: trainerOf(one, attestation, "trainerAttestations"),
  tuple: one(tuple, {
    fields: [attestation.jobId, attestation.round, attestation.tupleId],
    references: [tuple.jobId, tuple.round, tuple.tupleId],
    relationName: "tupleAttestations",
  }),
}));

/**
 * The distinct tuples attested in a round (numbered from 1 in order of first attestation), with their attested weight.
 * The round's `leaderTupleId` names the leading one; whether it wins is decided at finalization (`won`).
 */
export const tuple = onchainTable(
  "tuple",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    tupleId: t.integer().notNull(),
    aggregateCid: t.text().notNull(),
    includedMask: t.bigint().notNull(),
    includedSamples: t.bigint().notNull(),
    slashMask: t.bigint().notNull(),
    weight: t.bigint().notNull(),
    attestationCount: t.integer().notNull(),
    /** Set when the round is finalized with this tuple as winner. */
    won: t.boolean().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.tupleId] }) }),
);

export const tupleRelations = relations(tuple, ({ one, many }) => ({
  roundInfo: roundOf(one, tuple, "roundTuples"),
  attestations: many(attestation, { relationName: "tupleAttestations" }),
}));

/** `RoundFinalized`, as emitted (the round row carries the same outcome; `leaderTupleId` 0: nobody attested). */
export const finalization = onchainTable(
  "finalization",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    succeeded: t.boolean().notNull(),
    aggregateCid: t.text(),
    includedMask: t.bigint().notNull(),
    includedSamples: t.bigint().notNull(),
    slashMask: t.bigint().notNull(),
    leaderTupleId: t.integer().notNull(),
    reward: t.bigint().notNull(),
    carry: t.bigint().notNull(),
    forfeits: t.bigint().notNull(),
    early: t.boolean().notNull(),
    nextSeed: t.hex().notNull(),
    nextRoundStart: t.bigint().notNull(),
    /** Who called `finalize`. */
    caller: t.hex().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round] }) }),
);

export const finalizationRelations = relations(finalization, ({ one }) => ({
  roundInfo: roundOf(one, finalization, "roundFinalization"),
}));

/** `RewardClaimed`: what a trainer was paid for a round. */
export const claim = onchainTable(
  "claim",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    trainer: t.hex().notNull(),
    amount: t.bigint().notNull(),
    samples: t.bigint().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }), trainerIdx: index().on(table.trainer) }),
);

export const claimRelations = relations(claim, ({ one }) => ({
  job: one(job, { fields: [claim.jobId], references: [job.id], relationName: "jobClaims" }),
  roundInfo: roundOf(one, claim, "roundClaims"),
  trainerInfo: trainerOf(one, claim, "trainerClaims"),
}));

/**
 * `RewardSwept`: what nobody claimed of a successful round's reward (`amount`, once per round) went back where it came
 * from, pro rata: `toForfeits` (the share that came from forfeited stake) to the forfeits, the rest to the carry.
 */
export const sweep = onchainTable(
  "sweep",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    amount: t.bigint().notNull(),
    toForfeits: t.bigint().notNull(),
    /** Who sent the transaction. */
    caller: t.hex().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round] }) }),
);

export const sweepRelations = relations(sweep, ({ one }) => ({
  job: one(job, { fields: [sweep.jobId], references: [job.id], relationName: "jobSweeps" }),
  roundInfo: roundOf(one, sweep, "roundSweep"),
}));

/**
 * `TrainerPenalized`: a share of a trainer's stake went to the job's forfeits, for `reason` in `round` (a late reveal
 * at once; silence or a losing tuple when the trainer's last reveal was settled, at its next commit, withdrawal,
 * eviction or `settle`).
 */
export const penalty = onchainTable(
  "penalty",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    trainer: t.hex().notNull(),
    reason: penaltyReason().notNull(),
    amount: t.bigint().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ jobIdx: index().on(table.jobId), trainerIdx: index().on(table.trainer) }),
);

export const penaltyRelations = relations(penalty, ({ one }) => ({
  job: one(job, { fields: [penalty.jobId], references: [job.id], relationName: "jobPenalties" }),
  roundInfo: roundOf(one, penalty, "roundPenalties"),
  trainerInfo: trainerOf(one, penalty, "trainerPenalties"),
}));

/**
 * `TrainerSlashed`: a trainer lost its whole stake to the forfeits, `reason` "unrevealed" (it committed and never
 * revealed, not even late) or "replay-mismatch" (the round's winning tuple named its update in its slash mask: it
 * failed its replay audit).
 */
export const slash = onchainTable(
  "slash",
  (t) => ({
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    trainer: t.hex().notNull(),
    caller: t.hex().notNull(),
    index: t.integer().notNull(),
    stake: t.bigint().notNull(),
    reason: t.text().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }) }),
);

export const slashRelations = relations(slash, ({ one }) => ({
  job: one(job, { fields: [slash.jobId], references: [job.id], relationName: "jobSlashes" }),
  roundInfo: roundOf(one, slash, "roundSlashes"),
}));

/** `StakeWithdrawn`: a trainer took its stake back and freed its index (once per membership). */
export const stakeWithdrawal = onchainTable(
  "stake_withdrawal",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    trainer: t.hex().notNull(),
    index: t.integer().notNull(),
    amount: t.bigint().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ jobIdx: index().on(table.jobId), trainerIdx: index().on(table.trainer) }),
);

export const stakeWithdrawalRelations = relations(stakeWithdrawal, ({ one }) => ({
  job: one(job, { fields: [stakeWithdrawal.jobId], references: [job.id], relationName: "jobWithdrawals" }),
  trainerInfo: trainerOf(one, stakeWithdrawal, "trainerWithdrawals"),
}));

/** `TrainerEvicted`: `caller` evicted an idle trainer; its stake (`amount`) went back to it and its index is free. */
export const eviction = onchainTable(
  "eviction",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    trainer: t.hex().notNull(),
    caller: t.hex().notNull(),
    index: t.integer().notNull(),
    amount: t.bigint().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ jobIdx: index().on(table.jobId), trainerIdx: index().on(table.trainer) }),
);

export const evictionRelations = relations(eviction, ({ one }) => ({
  job: one(job, { fields: [eviction.jobId], references: [job.id], relationName: "jobEvictions" }),
  trainerInfo: trainerOf(one, eviction, "trainerEvictions"),
}));

/**
 * The sponsor's refunds, `cancelled` (`JobCancelled`) and `remainder` (`RemainderRefunded`): `refund` went to the
 * sponsor, `burned` forfeits to 0x…dEaD.
 */
export const jobRefund = onchainTable(
  "job_refund",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    kind: t.text().notNull(),
    sponsor: t.hex().notNull(),
    refund: t.bigint().notNull(),
    burned: t.bigint().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ jobIdx: index().on(table.jobId) }),
);

export const jobRefundRelations = relations(jobRefund, ({ one }) => ({
  job: one(job, { fields: [jobRefund.jobId], references: [job.id], relationName: "jobRefunds" }),
}));
