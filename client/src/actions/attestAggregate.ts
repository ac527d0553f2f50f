import type { CID } from "multiformats/cid";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId, toUint } from "../chain/args.ts";
import { cidToHex } from "../chain/cid.ts";
import { toCid, type CidLike } from "../storage/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { roundOrCurrent } from "./getRound.ts";

export type AttestAggregateParameters = {
  jobId: bigint | number;
  /** Default the job's current round. */
  round?: bigint | number | undefined;
  /** The aggregate computed from the revealed updates with the job's rule. */
  aggregateCid: CidLike;
  /** Bit i set when trainer index i's update is included (see inclusionMask). */
  includedMask: bigint;
  /** Sum of the included updates' samples. */
  includedSamples: bigint | number;
  /** Bit i set when trainer index i's update failed its replay audit (the aggregation result's `slashMask`). */
  slashMask: bigint;
} & TransactionOptions;

export type AttestAggregateReturnType = TransactionResult & {
  jobId: bigint;
  round: bigint;
  aggregateCid: CID;
  /** The tuple's number in the round. */
  tupleId: bigint;
  /** The weight behind the tuple after this attestation, and the round's leading tuple after it. */
  tupleWeight: bigint;
  leaderTupleId: bigint;
};

export type AttestAggregateErrorType = WriteActionErrorType;

/** Attests the aggregate the caller computed, during the attest window (only trainers who revealed on time). */
export async function attestAggregate(client: MyceliumClient, parameters: AttestAggregateParameters): Promise<AttestAggregateReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Attesting an aggregate in job ${jobId}`;
  const aggregateCid = toCid(parameters.aggregateCid);
  const round = await roundOrCurrent(client, jobId, parameters.round);
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "attest",
    args: [
      jobId,
      round,
      cidToHex(aggregateCid),
      toUint(parameters.includedMask, "includedMask"),
      toUint(parameters.includedSamples, "includedSamples"),
      toUint(parameters.slashMask, "slashMask"),
    ],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [attested] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "Attested", address: jobs, action });
  const { tupleId, tupleWeight, leaderTupleId } = attested!.args;
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    jobId,
    round,
    aggregateCid,
    tupleId,
    tupleWeight,
    leaderTupleId,
  };
}
