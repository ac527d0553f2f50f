/**
 * TrainingJobs: jobs and their progress, trainers (stake, index, standing, peer info), rounds (seed, windows, phase,
 * tallies, winning tuple, reward), commitments, reveals, attestations and tuples, finalizations, claims, slashes,
 * withdrawals and refunds, plus per-account stakes and earnings.
 *
 * Every event carries the ids it concerns; the few values it lacks (a job's tokens and windows) come from the job row,
 * which each handler updates anyway: `update` returns the row, so no handler reads a row only to look something up
 * (but `noteToken`, once per job and token).
 */
import { ponder, type Context } from "ponder:registry";
import {
  accountStake,
  attestation,
  claim,
  commitment,
  finalization,
  job,
  jobRefund,
  reveal,
  round,
  slash,
  stakeWithdrawal,
  token,
  trainer,
  tuple,
} from "ponder:schema";
import { BaseError, ContractFunctionRevertedError, ContractFunctionZeroDataError, erc20Abi, type Address } from "viem";
import { addEarning } from "../lib/earnings.ts";
import { cidToString, multiaddrToString, peerIdToString } from "../lib/encoding.ts";

const PHASES = ["commit", "reveal", "attest", "finalized"] as const;
type RoundPhase = (typeof PHASES)[number];

/** The later of two phases: events of a phase can arrive after a later phase began (a reveal after an attestation). */
function laterPhase(current: RoundPhase, seen: RoundPhase): RoundPhase {
  return PHASES.indexOf(seen) > PHASES.indexOf(current) ? seen : current;
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
    rewardToken: params.rewardToken,
    rewardPool: params.rewardPool,
    rewardPerRound: params.rewardPerRound,
    stakeToken: params.stakeToken,
    minStake: params.minStake,
    numRounds: params.numRounds,
    commitWindow: params.commitWindow,
    revealWindow: params.revealWindow,
    attestWindow: params.attestWindow,
    quorumBps: params.quorumBps,
    maxTrainers: params.maxTrainers,
    maxSamples: BigInt(params.maxSamples),
    startTime: params.startTime,
    status: "active",
    currentRound: 0,
    roundsSucceeded: 0,
    roundsFailed: 0,
    trainerCount: 0,
    activeTrainerCount: 0,
    totalStaked: 0n,
    carry: 0n,
    forfeitedStake: 0n,
    rewardClaimed: 0n,
    rewardRefunded: 0n,
    stakeRefunded: 0n,
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
  await noteToken(context, params.rewardToken, "isRewardToken", block, timestamp);
  await noteToken(context, params.stakeToken, "isStakeToken", block, timestamp);
});

ponder.on("TrainingJobs:JobCancelled", async ({ event, context }) => {
  const { jobId, sponsor, refund } = event.args;
  const { number: block, timestamp } = event.block;
  await context.db.update(job, { id: jobId }).set((row) => ({
    status: "cancelled",
    rewardRefunded: row.rewardRefunded + refund,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await context.db.update(round, { jobId, round: 0 }).set({ status: "cancelled" });
  await context.db.insert(jobRefund).values({
    id: event.id,
    jobId,
    kind: "cancelled",
    sponsor,
    rewardAmount: refund,
    stakeAmount: 0n,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("TrainingJobs:RemainderRefunded", async ({ event, context }) => {
  const { jobId, sponsor, rewardAmount, stakeAmount } = event.args;
  const { number: block, timestamp } = event.block;
  await context.db.update(job, { id: jobId }).set((row) => ({
    rewardRefunded: row.rewardRefunded + rewardAmount,
    stakeRefunded: row.stakeRefunded + stakeAmount,
    carry: 0n,
    forfeitedStake: 0n,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await context.db.insert(jobRefund).values({
    id: event.id,
    jobId,
    kind: "remainder",
    sponsor,
    rewardAmount,
    stakeAmount,
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
  const { jobId, trainer: account, index, stake, peerId, addrs } = event.args;
  const { number: block, timestamp } = event.block;
  await context.db.insert(trainer).values({
    jobId,
    account,
    index: Number(index),
    stake,
    status: "active",
    peerId: peerIdToString(peerId),
    addrs: addrs.map(multiaddrToString),
    pendingRound: null,
    commitCount: 0,
    revealCount: 0,
    attestCount: 0,
    claimCount: 0,
    samplesRevealed: 0n,
    rewardClaimed: 0n,
    leftAt: null,
    withdrawableAt: null,
    withdrawnAmount: null,
    slashedAmount: null,
    joinedAtBlock: block,
    joinedAtTimestamp: timestamp,
    joinedAtTransaction: event.transaction.hash,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  });
  const { stakeToken } = await context.db.update(job, { id: jobId }).set((row) => ({
    trainerCount: row.trainerCount + 1,
    activeTrainerCount: row.activeTrainerCount + 1,
    totalStaked: row.totalStaked + stake,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await context.db
    .insert(accountStake)
    .values({
      account,
      tokenAddress: stakeToken,
      staked: stake,
      deposited: stake,
      withdrawn: 0n,
      slashed: 0n,
      jobCount: 1,
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    })
    .onConflictDoUpdate((row) => ({
      staked: row.staked + stake,
      deposited: row.deposited + stake,
      jobCount: row.jobCount + 1,
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
  const { jobId, trainer: account, withdrawableAt } = event.args;
  const { number: block, timestamp } = event.block;
  await context.db.update(trainer, { jobId, account }).set({
    status: "left",
    leftAt: timestamp,
    withdrawableAt,
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
    jobId,
    trainer: account,
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
  const { jobId, trainer: account, index, updateCid, samples, stake } = event.args;
  const roundNumber = Number(event.args.round);
  const { number: block, timestamp } = event.block;
  await context.db.insert(reveal).values({
    jobId,
    round: roundNumber,
    trainer: account,
    index: Number(index),
    updateCid: cidToString(updateCid),
    samples,
    stake,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  await context.db.update(commitment, { jobId, round: roundNumber, trainer: account }).set({ revealed: true });
  await context.db.update(round, { jobId, round: roundNumber }).set((row) => ({
    revealCount: row.revealCount + 1,
    revealedStake: row.revealedStake + stake,
    revealedSamples: row.revealedSamples + samples,
    phase: laterPhase(row.phase, "reveal"),
  }));
  await context.db.update(trainer, { jobId, account }).set((row) => ({
    revealCount: row.revealCount + 1,
    samplesRevealed: row.samplesRevealed + samples,
    pendingRound: null,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
});

ponder.on("TrainingJobs:Attested", async ({ event, context }) => {
  const { jobId, trainer: account, index, includedMask, includedSamples, tupleStake, quorumReached } = event.args;
  const roundNumber = Number(event.args.round);
  const tupleId = Number(event.args.tupleId);
  const aggregateCid = cidToString(event.args.aggregateCid);
  const { number: block, timestamp } = event.block;
  await context.db.insert(attestation).values({
    jobId,
    round: roundNumber,
    trainer: account,
    index: Number(index),
    aggregateCid,
    includedMask,
    includedSamples,
    tupleId,
    tupleStake,
    quorumReached,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  await context.db
    .insert(tuple)
    .values({
      jobId,
      round: roundNumber,
      tupleId,
      aggregateCid,
      includedMask,
      includedSamples,
      stake: tupleStake,
      attestationCount: 1,
      quorumReached,
      won: false,
    })
    .onConflictDoUpdate((row) => ({
      stake: tupleStake,
      attestationCount: row.attestationCount + 1,
      quorumReached: row.quorumReached || quorumReached,
    }));
  await context.db.update(round, { jobId, round: roundNumber }).set((row) => ({
    attestCount: row.attestCount + 1,
    tupleCount: Math.max(row.tupleCount, tupleId),
    phase: laterPhase(row.phase, "attest"),
    ...(quorumReached ? { winningTupleId: tupleId, aggregateCid, includedMask, includedSamples } : {}),
  }));
  await context.db.update(trainer, { jobId, account }).set((row) => ({
    attestCount: row.attestCount + 1,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
});

ponder.on("TrainingJobs:RoundFinalized", async ({ event, context }) => {
  const { jobId, succeeded, includedMask, includedSamples, reward, carry, nextSeed, nextRoundStart } = event.args;
  const roundNumber = Number(event.args.round);
  const winningTupleId = Number(event.args.winningTupleId);
  const aggregateCid = succeeded ? cidToString(event.args.aggregateCid) : null;
  const { number: block, timestamp } = event.block;
  const transaction = event.transaction.hash;
  await context.db.update(round, { jobId, round: roundNumber }).set({
    status: succeeded ? "succeeded" : "failed",
    phase: "finalized",
    ...(succeeded ? { winningTupleId, aggregateCid, includedMask, includedSamples } : {}),
    reward,
    carry,
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
    winningTupleId,
    reward,
    carry,
    nextSeed,
    nextRoundStart,
    caller: event.transaction.from,
    block,
    timestamp,
    transaction,
  });
  if (succeeded) await context.db.update(tuple, { jobId, round: roundNumber, tupleId: winningTupleId }).set({ won: true });
  const updated = await context.db.update(job, { id: jobId }).set((row) => ({
    currentRound: roundNumber + 1,
    roundsSucceeded: row.roundsSucceeded + (succeeded ? 1 : 0),
    roundsFailed: row.roundsFailed + (succeeded ? 0 : 1),
    status: roundNumber + 1 >= row.numRounds ? "ended" : row.status,
    carry,
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
  const { rewardToken } = await context.db.update(job, { id: jobId }).set((row) => ({
    rewardClaimed: row.rewardClaimed + amount,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await addEarning(context, account, rewardToken, "trainingRewards", amount, block, timestamp);
});

ponder.on("TrainingJobs:TrainerSlashed", async ({ event, context }) => {
  const { jobId, trainer: account, caller, index, stake, callerShare, poolShare, toCarry } = event.args;
  const roundNumber = Number(event.args.round);
  const { number: block, timestamp } = event.block;
  await context.db.insert(slash).values({
    jobId,
    round: roundNumber,
    trainer: account,
    caller,
    index: Number(index),
    stake,
    callerShare,
    poolShare,
    toCarry,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  await context.db.update(commitment, { jobId, round: roundNumber, trainer: account }).set({ slashed: true });
  await context.db.update(round, { jobId, round: roundNumber }).set((row) => ({ slashCount: row.slashCount + 1 }));
  const stakeToken = await releaseStake(context, {
    jobId,
    account,
    amount: stake,
    outcome: "slashed",
    block,
    timestamp,
    jobChanges: (row) => (toCarry ? { carry: row.carry + poolShare } : { forfeitedStake: row.forfeitedStake + poolShare }),
  });
  if (callerShare !== 0n) await addEarning(context, caller, stakeToken, "slashRewards", callerShare, block, timestamp);
});

type JobRow = typeof job.$inferSelect;

/**
 * A trainer's stake leaves the job, withdrawn or slashed: the trainer's standing, the job's totals (plus `jobChanges`)
 * and the account's stakes. Returns the job's stake token.
 */
async function releaseStake(
  context: Context,
  change: {
    jobId: bigint;
    account: Address;
    amount: bigint;
    outcome: "withdrawn" | "slashed";
    block: bigint;
    timestamp: bigint;
    jobChanges?: (row: JobRow) => Partial<JobRow>;
  },
): Promise<Address> {
  const { jobId, account, amount, outcome, block, timestamp } = change;
  let wasActive = false;
  await context.db.update(trainer, { jobId, account }).set((row) => {
    wasActive = row.status === "active";
    return {
      status: outcome,
      stake: 0n,
      ...(outcome === "withdrawn" ? { withdrawnAmount: amount } : { slashedAmount: amount }),
      pendingRound: null,
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    };
  });
  const { stakeToken } = await context.db.update(job, { id: jobId }).set((row) => ({
    totalStaked: row.totalStaked - amount,
    activeTrainerCount: row.activeTrainerCount - (wasActive ? 1 : 0),
    ...change.jobChanges?.(row),
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await context.db.update(accountStake, { account, tokenAddress: stakeToken }).set((row) => ({
    staked: row.staked - amount,
    ...(outcome === "withdrawn" ? { withdrawn: row.withdrawn + amount } : { slashed: row.slashed + amount }),
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  return stakeToken;
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
    attestCount: 0,
    tupleCount: 0,
    slashCount: 0,
    revealedStake: 0n,
    revealedSamples: 0n,
    winningTupleId: null,
    aggregateCid: null,
    includedMask: null,
    includedSamples: null,
    reward: null,
    carry: null,
    claimCount: 0,
    claimedAmount: 0n,
    claimedSamples: 0n,
    finalizedAtBlock: null,
    finalizedAtTimestamp: null,
    finalizedAtTransaction: null,
    createdAtBlock: block,
  };
}

/**
 * Records that a job uses `address` as reward or stake token. Its decimals are read from the chain once, the first
 * time any job names it (a token without `decimals()` keeps null).
 */
async function noteToken(
  context: Context,
  address: Address,
  role: "isRewardToken" | "isStakeToken",
  block: bigint,
  timestamp: bigint,
): Promise<void> {
  const known = await context.db.find(token, { address });
  if (known !== null) {
    if (!known[role]) await context.db.update(token, { address }).set({ [role]: true });
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
    isRewardToken: role === "isRewardToken",
    isStakeToken: role === "isStakeToken",
    firstSeenAtBlock: block,
    firstSeenAtTimestamp: timestamp,
  });
}
