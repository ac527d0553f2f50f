import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type CancelJobParameters = { jobId: bigint | number } & TransactionOptions;

export type CancelJobReturnType = TransactionResult & { jobId: bigint; refund: bigint };

export type CancelJobErrorType = WriteActionErrorType;

/** Cancels a job before round 0 starts and refunds its pool to the sponsor (sponsor only). */
export async function cancelJob(client: MyceliumClient, parameters: CancelJobParameters): Promise<CancelJobReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Cancelling job ${jobId}`;
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "cancelJob",
    args: [jobId],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [cancelled] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "JobCancelled", address: jobs, action });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, jobId, refund: cancelled!.args.refund };
}
