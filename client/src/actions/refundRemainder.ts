import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type RefundRemainderParameters = { jobId: bigint | number } & TransactionOptions;

export type RefundRemainderReturnType = TransactionResult & {
  jobId: bigint;
  /** The carry sent back to the sponsor. */
  refund: bigint;
  /** Forfeited stake burned (never paid to the sponsor). */
  burned: bigint;
};

export type RefundRemainderErrorType = WriteActionErrorType;

/**
 * After a job ended, sends its sponsor the carry (rolled-over and swept rewards) and burns the forfeits nobody won
 * (anyone may call; sweep the last rounds after the claim period first).
 */
export async function refundRemainder(client: MyceliumClient, parameters: RefundRemainderParameters): Promise<RefundRemainderReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Refunding the remainder of job ${jobId}`;
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "refundRemainder",
    args: [jobId],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [refunded] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "RemainderRefunded", address: jobs, action });
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    jobId,
    refund: refunded!.args.refund,
    burned: refunded!.args.burned,
  };
}
