/**
 * TrainingJobs: jobs, their trainers and rounds, every per-round event (commitments, reveals, attestations, tuples,
 * finalizations, claims, slashes), stake withdrawals, refunds, and stakes per account. Imports `asset` from assets.ts,
 * which imports this file back (see the note there), and `token` from tokens.ts.
 */
import { index, onchainEnum, onchainTable, type PgColumn, primaryKey, relations } from "ponder";
import { asset } from "./assets.ts";
import { createdAtColumns, eventColumns, updatedAtColumns } from "./common.ts";
import { token } from "./tokens.ts";

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

type One = Parameters<Parameters<typeof relations>[1]>[0]["one"];

/** The round a (jobId, round)-keyed row belongs to. */
function roundOf(one: One, row: { jobId: PgColumn; round: PgColumn }, relationName: string) {
  return one(round, { fields: [row.jobId, row.round], references: [round.jobId, round.round], relationName });
}

/** The trainer a (jobId, trainer)-keyed row belongs to. */
function trainerOf(one: One, row: { jobId: PgColumn; trainer: PgColumn }, relationName: string) {
  return one(trainer, { fields: [row.jobId, row.trainer], references: [trainer.jobId, trainer.account], relationName });
}

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
  rewardTokenInfo: one(token, { fields: [job.rewardToken], references: [token.address], relationName: "jobRewardToken" }),
  stakeTokenInfo: one(token, { fields: [job.stakeToken], references: [token.address], relationName: "jobStakeToken" }),
  rounds: many(round, { relationName: "jobRounds" }),
  trainers: many(trainer, { relationName: "jobTrainers" }),
  claims: many(claim, { relationName: "jobClaims" }),
  slashes: many(slash, { relationName: "jobSlashes" }),
  withdrawals: many(stakeWithdrawal, { relationName: "jobWithdrawals" }),
  refunds: many(jobRefund, { relationName: "jobRefunds" }),
}));

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
}));

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
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }) }),
);

export const commitmentRelations = relations(commitment, ({ one }) => ({
  roundInfo: roundOf(one, commitment, "roundCommitments"),
  trainerInfo: trainerOf(one, commitment, "trainerCommitments"),
}));

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
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }) }),
);

export const revealRelations = relations(reveal, ({ one }) => ({
  roundInfo: roundOf(one, reveal, "roundReveals"),
  trainerInfo: trainerOf(one, reveal, "trainerReveals"),
}));

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

export const tupleRelations = relations(tuple, ({ one, many }) => ({
  roundInfo: roundOf(one, tuple, "roundTuples"),
  attestations: many(attestation, { relationName: "tupleAttestations" }),
}));

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
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.round, table.trainer] }) }),
);

export const slashRelations = relations(slash, ({ one }) => ({
  job: one(job, { fields: [slash.jobId], references: [job.id], relationName: "jobSlashes" }),
  roundInfo: roundOf(one, slash, "roundSlashes"),
}));

/** `StakeWithdrawn`: a trainer took its stake back (once per job). */
export const stakeWithdrawal = onchainTable(
  "stake_withdrawal",
  (t) => ({
    jobId: t.bigint().notNull(),
    trainer: t.hex().notNull(),
    index: t.integer().notNull(),
    amount: t.bigint().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.trainer] }) }),
);

export const stakeWithdrawalRelations = relations(stakeWithdrawal, ({ one }) => ({
  job: one(job, { fields: [stakeWithdrawal.jobId], references: [job.id], relationName: "jobWithdrawals" }),
}));

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
    ...eventColumns(t),
  }),
  (table) => ({ jobIdx: index().on(table.jobId) }),
);

export const jobRefundRelations = relations(jobRefund, ({ one }) => ({
  job: one(job, { fields: [jobRefund.jobId], references: [job.id], relationName: "jobRefunds" }),
}));
