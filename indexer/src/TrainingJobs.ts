/**
 * TrainingJobs: jobs and their progress, trainers (index, stake, weight, bonding, standing, peer info; an account may
 * join again after it withdrew, was slashed or was evicted), rounds (seed, windows, phase, weight tallies, leading
 * tuple, outcome, reward, sweep), commitments, reveals (late ones flagged), attestations and tuples, finalizations,
 * claims, sweeps, penalties, slashes, withdrawals, evictions and refunds, plus per-account stakes and earnings.
 *
 * Every event carries the ids it concerns; the few values it lacks (a job's token, windows and weight parameters) come
 * from the job row, which each handler updates anyway: `update` returns the row, so no handler reads a row only to look
 * something up (but `noteToken`, once per job).
 */
import { ponder, type Context } from "ponder:registry";
import {
  accountStake,
  attestation,
  claim,
  commitment,
  eviction,
  finalization,
  job,
  jobRefund,
  penalty,
  reveal,
  round,
  slash,
  stakeWithdrawal,
  sweep,
  token,
  trainer,
  tuple,
} from "ponder:schema";
import { BaseError, ContractFunctionRevertedError, ContractFunctionZeroDataError, erc20Abi, type Address } from "viem";
import { addEarning } from "../lib/earnings.ts";
import { cidToString, multiaddrToString, peerIdToString } from "../lib/encoding.ts";

const PHASES = ["commit", "reveal", "attest", "finalized"] as const;
type RoundPhase = (typeof PHASES)[number];

/** `PenaltyReason` of contracts/types/Training.sol, by ordinal. */
const PENALTY_REASONS = ["silent", "losingTuple", "lateReveal", "idle"] as const;

/** TrainingJobs' WEIGHT_UNIT: weights are in 2^-16 minimum stakes. */
const WEIGHT_UNIT = 1n << 16n;

/** The later of two phases: events of a phase can arrive after a later phase began (a reveal after an attestation). */
function laterPhase(current: RoundPhase, seen: RoundPhase): RoundPhase {
  return PHASES.indexOf(seen) > PHASES.indexOf(current) ? seen : current;
}

/** The quorum weight of `stake` in a job (TrainingJobs' `_weight`): `min(stake / minStake, weightCap)` in WEIGHT_UNITs. */
function weightOf(stake: bigint, parameters: { minStake: bigint; weightCap: number }): bigint {
  const weight = (stake * WEIGHT_UNIT) / parameters.minStake;
  const cap = BigInt(parameters.weightCap) * WEIGHT_UNIT;
  return weight < cap ? weight : cap;
}

ponder.on("TrainingJobs:JobCreated", async ({ event, context }) => {
  const { jobId, sponsor, datasetId, params, seed } = event.args;
  const { number: block, timestamp } = event.block;
  const baseModelCid = cidToString(params.baseModelCid);
  await context.db.insert(job).values({
    id: jobId,
    sponsor,
    datasetId,
    baseModelId: params.baseModelId,
    baseModelCid,
    specCid: cidToString(params.specCid),
    token: params.token,
    rewardPool: params.rewardPool,
    rewardPerRound: params.rewardPerRound,
    minStake: params.minStake,
    numRounds: params.numRounds,
    commitWindow: params.commitWindow,
    revealWindow: params.revealWindow,
    attestWindow: params.attestWindow,
    claimPeriod: params.claimPeriod,
    quorumBps: params.quorumBps,
    participationBps: params.participationBps,
    weightCap: params.weightCap,
    maxTrainers: params.maxTrainers,
    maxSamples: BigInt(params.maxSamples),
    startTime: params.startTime,
    auditsPerRound: params.auditsPerRound,
    status: "active",
    currentRound: 0,
    roundsSucceeded: 0,
    roundsFailed: 0,
    trainerCount: 0,
    joinCount: 0,
    activeTrainerCount: 0,
    totalStaked: 0n,
    carry: 0n,
    forfeits: 0n,
    penalized: 0n,
    penaltyCount: 0,
    slashed: 0n,
    rewardClaimed: 0n,
    swept: 0n,
    refunded: 0n,
    burned: 0n,
    currentModelCid: baseModelCid,
    lastSuccessfulRound: null,
    resultAssetId: null,
    resultRound: null,
    createdAtBlock: block,
    createdAtTimestamp: timestamp,
    createdAtTransaction: event.transaction.hash,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  });
  await context.db.insert(round).values(newRound(jobId, 0, seed, params.startTime, params, block));
  await noteToken(context, params.token, block, timestamp);
});

ponder.on("TrainingJobs:JobCancelled", async ({ event, context }) => {
  const { jobId, sponsor, refund, burned } = event.args;
  const { number: block, timestamp } = event.block;
  const { currentRound } = await context.db.update(job, { id: jobId }).set((row) => ({
    status: "cancelled",
    refunded: row.refunded + refund,
    burned: row.burned + burned,
    carry: 0n,
    forfeits: 0n,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  // A job can be cancelled while no trainer ever revealed on time, so the round in progress may be a later one.
  await context.db.update(round, { jobId, round: currentRound }).set({ status: "cancelled" });
  await context.db.insert(jobRefund).values({
    id: event.id,
    jobId,
    kind: "cancelled",
    sponsor,
    refund,
    burned,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("TrainingJobs:RemainderRefunded", async ({ event, context }) => {
  const { jobId, sponsor, refund, burned } = event.args;
  const { number: block, timestamp } = event.block;
  await context.db.update(job, { id: jobId }).set((row) => ({
    refunded: row.refunded + refund,
    burned: row.burned + burned,
    carry: 0n,
    forfeits: 0n,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await context.db.insert(jobRefund).values({
    id: event.id,
    jobId,
    kind: "remainder",
    sponsor,
    refund,
    burned,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("TrainingJobs:ResultPublished", async ({ event, context }) => {
  const { jobId, modelAssetId, round: resultRound } = event.args;
  await context.db.update(job, { id: jobId }).set({
    resultAssetId: modelAssetId,
    resultRound: Number(resultRound),
    updatedAtBlock: event.block.number,
    updatedAtTimestamp: event.block.timestamp,
  });
});

ponder.on("TrainingJobs:TrainerJoined", async ({ event, context }) => {
  const { jobId, trainer: account, stake, weight, peerId, addrs } = event.args;
  const index = Number(event.args.index);
  const firstRound = Number(event.args.firstRound);
  const { number: block, timestamp } = event.block;
  const transaction = event.transaction.hash;
  const membership = {
    index,
    stake,
    weight,
    firstRound,
    status: "active" as const,
    peerId: peerIdToString(peerId),
    addrs: addrs.map(multiaddrToString),
    pendingRound: null,
    leftAt: null,
    unlockRound: null,
    joinedAtBlock: block,
    joinedAtTimestamp: timestamp,
    joinedAtTransaction: transaction,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  };
  // An account that withdrew, was slashed or was evicted joins again: same row, a new membership, totals go on.
  let again = false;
  await context.db
    .insert(trainer)
    .values({
      jobId,
      account,
      ...membership,
      lastRevealRound: null,
      joinCount: 1,
      commitCount: 0,
      revealCount: 0,
      lateRevealCount: 0,
      attestCount: 0,
      claimCount: 0,
      penaltyCount: 0,
      evictionCount: 0,
      samplesRevealed: 0n,
      rewardClaimed: 0n,
      deposited: stake,
      withdrawn: 0n,
      slashed: 0n,
      penalized: 0n,
    })
    .onConflictDoUpdate((row) => {
      again = true;
      // Its last reveal belongs to the previous membership, which was settled when it ended.
      return { ...membership, lastRevealRound: null, joinCount: row.joinCount + 1, deposited: row.deposited + stake };
    });
  const { token: tokenAddress } = await context.db.update(job, { id: jobId }).set((row) => ({
    trainerCount: row.trainerCount + (again ? 0 : 1),
    joinCount: row.joinCount + 1,
    activeTrainerCount: row.activeTrainerCount + 1,
    totalStaked: row.totalStaked + stake,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await context.db
    .insert(accountStake)
    .values({
      account,
      tokenAddress,
      staked: stake,
      deposited: stake,
      withdrawn: 0n,
      slashed: 0n,
      penalized: 0n,
      jobCount: 1,
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    })
    .onConflictDoUpdate((row) => ({
      staked: row.staked + stake,
      deposited: row.deposited + stake,
      jobCount: row.jobCount + (again ? 0 : 1),
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    }));
});

ponder.on("TrainingJobs:PeerInfoUpdated", async ({ event, context }) => {
  const { jobId, trainer: account, peerId, addrs } = event.args;
  await context.db.update(trainer, { jobId, account }).set({
    peerId: peerIdToString(peerId),
    addrs: addrs.map(multiaddrToString),
    updatedAtBlock: event.block.number,
    updatedAtTimestamp: event.block.timestamp,
  });
});

ponder.on("TrainingJobs:TrainerLeft", async ({ event, context }) => {
  const { jobId, trainer: account, unlockRound } = event.args;
  const { number: block, timestamp } = event.block;
  await context.db.update(trainer, { jobId, account }).set({
    status: "left",
    leftAt: timestamp,
    unlockRound: Number(unlockRound),
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  });
  await context.db.update(job, { id: jobId }).set((row) => ({
    activeTrainerCount: row.activeTrainerCount - 1,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
});

ponder.on("TrainingJobs:StakeWithdrawn", async ({ event, context }) => {
  const { jobId, trainer: account, index, amount } = event.args;
  const { number: block, timestamp } = event.block;
  await releaseStake(context, { jobId, account, amount, outcome: "withdrawn", block, timestamp });
  await context.db.insert(stakeWithdrawal).values({
    id: event.id,
    jobId,
    trainer: account,
    index: Number(index),
    amount,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("TrainingJobs:TrainerEvicted", async ({ event, context }) => {
  const { jobId, trainer: account, caller, index, amount } = event.args;
  const { number: block, timestamp } = event.block;
  await releaseStake(context, { jobId, account, amount, outcome: "evicted", block, timestamp });
  await context.db.insert(eviction).values({
    id: event.id,
    jobId,
    trainer: account,
    caller,
    index: Number(index),
    amount,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("TrainingJobs:Committed", async ({ event, context }) => {
  const { jobId, trainer: account, commitment: hash } = event.args;
  const roundNumber = Number(event.args.round);
  const { number: block, timestamp } = event.block;
  await context.db.insert(commitment).values({
    jobId,
    round: roundNumber,
    trainer: account,
    commitment: hash,
    revealed: false,
    slashed: false,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  await context.db.update(round, { jobId, round: roundNumber }).set((row) => ({ commitCount: row.commitCount + 1 }));
  await context.db.update(trainer, { jobId, account }).set((row) => ({
    commitCount: row.commitCount + 1,
    pendingRound: roundNumber,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
});

ponder.on("TrainingJobs:Revealed", async ({ event, context }) => {
  const { jobId, trainer: account, index, updateCid, samples, weight, late, salt } = event.args;
  const roundNumber = Number(event.args.round);
  const { number: block, timestamp } = event.block;
  await context.db.insert(reveal).values({
    jobId,
    round: roundNumber,
    trainer: account,
    index: Number(index),
    updateCid: cidToString(updateCid),
    samples,
    weight,
    late,
    salt,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  await context.db.update(commitment, { jobId, round: roundNumber, trainer: account }).set({ revealed: true });
  // A late reveal (its penalty came just before, in `TrainerPenalized`) does not count, and shows the attest window.
  await context.db.update(round, { jobId, round: roundNumber }).set((row) =>
    late
      ? { lateRevealCount: row.lateRevealCount + 1, phase: laterPhase(row.phase, "attest") }
      : {
          revealCount: row.revealCount + 1,
          revealedWeight: row.revealedWeight + weight,
          revealedSamples: row.revealedSamples + samples,
          phase: laterPhase(row.phase, "reveal"),
        },
  );
  await context.db.update(trainer, { jobId, account }).set((row) => ({
    ...(late
      ? { lateRevealCount: row.lateRevealCount + 1 }
      : { revealCount: row.revealCount + 1, samplesRevealed: row.samplesRevealed + samples, lastRevealRound: roundNumber }),
    pendingRound: null,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
});

ponder.on("TrainingJobs:Attested", async ({ event, context }) => {
  const { jobId, trainer: account, index, includedMask, includedSamples, slashMask, tupleWeight } = event.args;
  const roundNumber = Number(event.args.round);
  const tupleId = Number(event.args.tupleId);
  const leaderTupleId = Number(event.args.leaderTupleId);
  const aggregateCid = cidToString(event.args.aggregateCid);
  const { number: block, timestamp } = event.block;
  // The attester's weight is what its attestation added to the tuple's tally.
  let tallyBefore = 0n;
  await context.db
    .insert(tuple)
    .values({
      jobId,
      round: roundNumber,
      tupleId,
      aggregateCid,
      includedMask,
      includedSamples,
      slashMask,
      weight: tupleWeight,
      attestationCount: 1,
      won: false,
    })
    .onConflictDoUpdate((row) => {
      tallyBefore = row.weight;
      return { weight: tupleWeight, attestationCount: row.attestationCount + 1 };
    });
  const weight = tupleWeight - tallyBefore;
  await context.db.insert(attestation).values({
    jobId,
    round: roundNumber,
    trainer: account,
    index: Number(index),
    aggregateCid,
    includedMask,
    includedSamples,
    slashMask,
    tupleId,
    weight,
    tupleWeight,
    leaderTupleId,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  // Only the attested tuple's tally grew: the leader is either unchanged or this tuple.
  await context.db.update(round, { jobId, round: roundNumber }).set((row) => ({
    attestCount: row.attestCount + 1,
    attestedWeight: row.attestedWeight + weight,
    tupleCount: Math.max(row.tupleCount, tupleId),
    phase: laterPhase(row.phase, "attest"),
    leaderTupleId,
    leaderWeight: leaderTupleId === tupleId ? tupleWeight : row.leaderWeight,
  }));
  await context.db.update(trainer, { jobId, account }).set((row) => ({
    attestCount: row.attestCount + 1,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
});

ponder.on("TrainingJobs:RoundFinalized", async ({ event, context }) => {
  const { jobId, succeeded, includedMask, includedSamples, slashMask, reward, carry, forfeits, early, nextSeed, nextRoundStart } =
    event.args;
  const roundNumber = Number(event.args.round);
  const leaderTupleId = Number(event.args.leaderTupleId);
  const aggregateCid = succeeded ? cidToString(event.args.aggregateCid) : null;
  const { number: block, timestamp } = event.block;
  const transaction = event.transaction.hash;
  await context.db.update(round, { jobId, round: roundNumber }).set({
    status: succeeded ? "succeeded" : "failed",
    phase: "finalized",
    leaderTupleId: leaderTupleId === 0 ? null : leaderTupleId,
    ...(succeeded ? { aggregateCid, includedMask, includedSamples } : {}),
    // A failed round applies its leader's mask too when the leader held a majority of the attested weight.
    slashMask,
    reward,
    carry,
    forfeits,
    early,
    finalizedAtBlock: block,
    finalizedAtTimestamp: timestamp,
    finalizedAtTransaction: transaction,
  });
  await context.db.insert(finalization).values({
    jobId,
    round: roundNumber,
    succeeded,
    aggregateCid,
    includedMask,
    includedSamples,
    slashMask,
    leaderTupleId,
    reward,
    carry,
    forfeits,
    early,
    nextSeed,
    nextRoundStart,
    caller: event.transaction.from,
    block,
    timestamp,
    transaction,
  });
  if (succeeded) await context.db.update(tuple, { jobId, round: roundNumber, tupleId: leaderTupleId }).set({ won: true });
  const updated = await context.db.update(job, { id: jobId }).set((row) => ({
    currentRound: roundNumber + 1,
    roundsSucceeded: row.roundsSucceeded + (succeeded ? 1 : 0),
    roundsFailed: row.roundsFailed + (succeeded ? 0 : 1),
    status: roundNumber + 1 >= row.numRounds ? "ended" : row.status,
    carry,
    forfeits,
    ...(succeeded ? { lastSuccessfulRound: roundNumber, currentModelCid: aggregateCid! } : {}),
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  if (roundNumber + 1 < updated.numRounds) {
    await context.db.insert(round).values(newRound(jobId, roundNumber + 1, nextSeed, nextRoundStart, updated, block));
  }
});

ponder.on("TrainingJobs:RewardClaimed", async ({ event, context }) => {
  const { jobId, trainer: account, amount, samples } = event.args;
  const roundNumber = Number(event.args.round);
  const { number: block, timestamp } = event.block;
  await context.db.insert(claim).values({
    jobId,
    round: roundNumber,
    trainer: account,
    amount,
    samples,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  await context.db.update(round, { jobId, round: roundNumber }).set((row) => ({
    claimCount: row.claimCount + 1,
    claimedAmount: row.claimedAmount + amount,
    claimedSamples: row.claimedSamples + samples,
  }));
  await context.db.update(trainer, { jobId, account }).set((row) => ({
    claimCount: row.claimCount + 1,
    rewardClaimed: row.rewardClaimed + amount,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  const { token: tokenAddress } = await context.db.update(job, { id: jobId }).set((row) => ({
    rewardClaimed: row.rewardClaimed + amount,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await addEarning(context, account, tokenAddress, "trainingRewards", amount, block, timestamp);
});

ponder.on("TrainingJobs:RewardSwept", async ({ event, context }) => {
  const { jobId, amount, toForfeits } = event.args;
  const roundNumber = Number(event.args.round);
  const { number: block, timestamp } = event.block;
  await context.db.insert(sweep).values({
    jobId,
    round: roundNumber,
    amount,
    toForfeits,
    caller: event.transaction.from,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  await context.db.update(round, { jobId, round: roundNumber }).set({ swept: amount });
  await context.db.update(job, { id: jobId }).set((row) => ({
    swept: row.swept + amount,
    carry: row.carry + amount - toForfeits,
    forfeits: row.forfeits + toForfeits,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
});

ponder.on("TrainingJobs:TrainerPenalized", async ({ event, context }) => {
  const { jobId, trainer: account, amount } = event.args;
  const roundNumber = Number(event.args.round);
  const reason = PENALTY_REASONS[event.args.reason];
  if (reason === undefined) throw new Error(`Unknown penalty reason ${event.args.reason} in ${event.transaction.hash}`);
  const { number: block, timestamp } = event.block;
  await context.db.insert(penalty).values({
    id: event.id,
    jobId,
    round: roundNumber,
    trainer: account,
    reason,
    amount,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  await context.db.update(round, { jobId, round: roundNumber }).set((row) => ({
    penaltyCount: row.penaltyCount + 1,
    penalized: row.penalized + amount,
  }));
  const updated = await context.db.update(job, { id: jobId }).set((row) => ({
    totalStaked: row.totalStaked - amount,
    forfeits: row.forfeits + amount,
    penalized: row.penalized + amount,
    penaltyCount: row.penaltyCount + 1,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  // The contract recomputes the weight from the stake left; the event does not carry it.
  await context.db.update(trainer, { jobId, account }).set((row) => ({
    stake: row.stake - amount,
    weight: weightOf(row.stake - amount, updated),
    penaltyCount: row.penaltyCount + 1,
    penalized: row.penalized + amount,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await context.db.update(accountStake, { account, tokenAddress: updated.token }).set((row) => ({
    staked: row.staked - amount,
    penalized: row.penalized + amount,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
});

ponder.on("TrainingJobs:TrainerSlashed", async ({ event, context }) => {
  const { jobId, trainer: account, caller, index, stake } = event.args;
  const roundNumber = Number(event.args.round);
  const { number: block, timestamp } = event.block;
  // A trainer that revealed this round (on time or late) is slashed for failing its replay audit.
  const revealed = await context.db.find(reveal, { jobId, round: roundNumber, trainer: account });
  await context.db.insert(slash).values({
    jobId,
    round: roundNumber,
    trainer: account,
    caller,
    index: Number(index),
    stake,
    reason: revealed ? "replay-mismatch" : "unrevealed",
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  await context.db.update(commitment, { jobId, round: roundNumber, trainer: account }).set({ slashed: true });
  await context.db.update(round, { jobId, round: roundNumber }).set((row) => ({ slashCount: row.slashCount + 1 }));
  await releaseStake(context, {
    jobId,
    account,
    amount: stake,
    outcome: "slashed",
    block,
    timestamp,
    jobChanges: (row) => ({ forfeits: row.forfeits + stake, slashed: row.slashed + stake }),
  });
});

type JobRow = typeof job.$inferSelect;

/**
 * A trainer's stake leaves the job, withdrawn, given back at an eviction, or slashed (to the forfeits): the trainer's
 * standing and totals, the job's totals (plus `jobChanges`) and the account's stakes.
 */
async function releaseStake(
  context: Context,
  change: {
    jobId: bigint;
    account: Address;
    amount: bigint;
    outcome: "withdrawn" | "evicted" | "slashed";
    block: bigint;
    timestamp: bigint;
    jobChanges?: (row: JobRow) => Partial<JobRow>;
  },
): Promise<void> {
  const { jobId, account, amount, outcome, block, timestamp } = change;
  const slashed = outcome === "slashed";
  let wasActive = false;
  await context.db.update(trainer, { jobId, account }).set((row) => {
    wasActive = row.status === "active";
    return {
      status: outcome,
      stake: 0n,
      weight: 0n,
      pendingRound: null,
      ...(slashed ? { slashed: row.slashed + amount } : { withdrawn: row.withdrawn + amount }),
      ...(outcome === "evicted" ? { evictionCount: row.evictionCount + 1 } : {}),
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    };
  });
  const { token: tokenAddress } = await context.db.update(job, { id: jobId }).set((row) => ({
    totalStaked: row.totalStaked - amount,
    activeTrainerCount: row.activeTrainerCount - (wasActive ? 1 : 0),
    ...change.jobChanges?.(row),
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await context.db.update(accountStake, { account, tokenAddress }).set((row) => ({
    staked: row.staked - amount,
    ...(slashed ? { slashed: row.slashed + amount } : { withdrawn: row.withdrawn + amount }),
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
}

type Windows = { commitWindow: number; revealWindow: number; attestWindow: number };

/** The row of a round that starts at `start`, with its windows from the job's parameters. */
function newRound(jobId: bigint, roundNumber: number, seed: `0x${string}`, start: bigint, windows: Windows, block: bigint) {
  const commitEnd = start + BigInt(windows.commitWindow);
  const revealEnd = commitEnd + BigInt(windows.revealWindow);
  return {
    jobId,
    round: roundNumber,
    seed,
    start,
    commitEnd,
    revealEnd,
    attestEnd: revealEnd + BigInt(windows.attestWindow),
    status: "pending" as const,
    phase: "commit" as const,
    commitCount: 0,
    revealCount: 0,
    lateRevealCount: 0,
    attestCount: 0,
    tupleCount: 0,
    slashCount: 0,
    penaltyCount: 0,
    penalized: 0n,
    revealedWeight: 0n,
    revealedSamples: 0n,
    attestedWeight: 0n,
    leaderTupleId: null,
    leaderWeight: null,
    aggregateCid: null,
    includedMask: null,
    includedSamples: null,
    reward: null,
    carry: null,
    forfeits: null,
    early: null,
    claimCount: 0,
    claimedAmount: 0n,
    claimedSamples: 0n,
    swept: null,
    finalizedAtBlock: null,
    finalizedAtTimestamp: null,
    finalizedAtTransaction: null,
    createdAtBlock: block,
  };
}

/**
 * Records that a job uses `address` (for rewards and stakes). Its decimals are read from the chain once, the first time
 * any job names it (a token without `decimals()` keeps null).
 */
async function noteToken(context: Context, address: Address, block: bigint, timestamp: bigint): Promise<void> {
  const known = await context.db.find(token, { address });
  if (known !== null) {
    if (!known.isJobToken) await context.db.update(token, { address }).set({ isJobToken: true });
    return;
  }
  let decimals: number | null;
  try {
    decimals = await context.client.readContract({ abi: erc20Abi, address, functionName: "decimals" });
  } catch (error) {
    // Only "this contract has no decimals()" means null; RPC failures must fail the event, so Ponder retries it.
    const noDecimals =
      error instanceof BaseError &&
      error.walk((cause) => cause instanceof ContractFunctionRevertedError || cause instanceof ContractFunctionZeroDataError) !== null;
    if (!noDecimals) throw error;
    decimals = null;
  }
  await context.db.insert(token).values({
    address,
    decimals,
    isPaymentToken: false,
    isJobToken: true,
    firstSeenAtBlock: block,
    firstSeenAtTimestamp: timestamp,
  });
}
