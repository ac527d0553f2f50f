import type { CID } from "multiformats/cid";
import type { Hex } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import { hexToCid } from "../chain/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { roundOrCurrent } from "./getRound.ts";

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
  /** Claimable by included attesters when the round succeeded; rolled over otherwise. */
  reward: bigint;
  carry: bigint;
  /** Seed and start of the next round (null after the last round). */
  nextSeed: Hex | null;
  nextRoundStart: bigint | null;
};

export type FinalizeRoundErrorType = WriteActionErrorType;

/** Finalizes the current round (anyone; after the attest window, or once everyone who revealed has attested). */
export async function finalizeRound(client: MyceliumClient, parameters: FinalizeRoundParameters): Promise<FinalizeRoundReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Finalizing a round of job ${jobId}`;
  const round = await roundOrCurrent(client, jobId, parameters.round);
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "finalize",
    args: [jobId, round],
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
    reward: event.reward,
    carry: event.carry,
    nextSeed: last ? null : event.nextSeed,
    nextRoundStart: last ? null : event.nextRoundStart,
  };
}
