import type { CID } from "multiformats/cid";
import type { Hex } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import { hexToCid } from "../chain/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { getAttestations } from "./getAttestations.ts";
import { getRound } from "./getRound.ts";

export type FinalizeRoundParameters = {
  jobId: bigint | number;
  /** Default the job's current round. */
  round?: bigint | number | undefined;
} & TransactionOptions;

export type FinalizeRoundReturnType = TransactionResult & {
  jobId: bigint;
  round: bigint;
  succeeded: boolean;
  /** The new global model, or null when the round failed. */
  aggregateCid: CID | null;
  includedMask: bigint;
  includedSamples: bigint;
  /** The trainers the winning tuple slashes (their update failed its replay audit); 0 when the round failed. */
  slashMask: bigint;
  /** The round's leading tuple (the winner when it succeeded), or null when nobody attested. */
  leaderTupleId: bigint | null;
  /** What the winners share (the round's reward, the carry and the forfeits); 0 when the round failed. */
  reward: bigint;
  /** The carry and the forfeits after this round. */
  carry: bigint;
  forfeits: bigint;
  /** Whether it was finalized before its attest window ended (the outcome could no longer change). */
  early: boolean;
  /** Seed and start of the next round (null after the last round). */
  nextSeed: Hex | null;
  nextRoundStart: bigint | null;
};

export type FinalizeRoundErrorType = WriteActionErrorType;

/**
 * Finalizes the current round (anyone; after the attest window, or once the outcome can no longer change). The contract
 * checks the leading tuple against its tally from calldata: it is read here from the round's `Attested` events.
 */
export async function finalizeRound(client: MyceliumClient, parameters: FinalizeRoundParameters): Promise<FinalizeRoundReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Finalizing a round of job ${jobId}`;
  const current = await getRound(client, { jobId });
  const round = parameters.round === undefined ? current.round : toId(parameters.round, "round");
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  // The leader of the current round; a round other than the current one makes the contract revert WrongRound.
  const leaderTupleId = round === current.round ? current.leaderTupleId : null;
  let tuple: readonly [Hex, bigint, bigint, bigint] = ["0x", 0n, 0n, 0n];
  if (leaderTupleId !== null) {
    const attestations = await getAttestations(client, { jobId, round });
    const leader = attestations.find((attestation) => attestation.tupleId === leaderTupleId);
    if (leader) tuple = [leader.rawCid, leader.includedMask, leader.includedSamples, leader.slashMask];
  }
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "finalize",
    args: [jobId, round, ...tuple],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [finalized] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "RoundFinalized", address: jobs, action });
  const event = finalized!.args;
  const last = event.nextRoundStart === 0n;
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    jobId,
    round,
    succeeded: event.succeeded,
    aggregateCid: event.succeeded ? hexToCid(event.aggregateCid) : null,
    includedMask: event.includedMask,
    includedSamples: event.includedSamples,
    slashMask: event.slashMask,
    leaderTupleId: event.leaderTupleId === 0n ? null : event.leaderTupleId,
    reward: event.reward,
    carry: event.carry,
    forfeits: event.forfeits,
    early: event.early,
    nextSeed: last ? null : event.nextSeed,
    nextRoundStart: last ? null : event.nextRoundStart,
  };
}
