import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type LeaveJobParameters = { jobId: bigint | number } & TransactionOptions;

export type LeaveJobReturnType = TransactionResult & {
  jobId: bigint;
  /**
   * The round from whose start the stake is withdrawable (the unbond rounds after its last on-time reveal), unless the
   * job ends earlier (then: its end plus the claim period).
   */
  unlockRound: bigint;
};

export type LeaveJobErrorType = WriteActionErrorType;

/** Stops taking part in a job (a pending commitment must still be revealed); the stake stays bonded to its last reveal. */
export async function leaveJob(client: MyceliumClient, parameters: LeaveJobParameters): Promise<LeaveJobReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Leaving job ${jobId}`;
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "leave",
    args: [jobId],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [left] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "TrainerLeft", address: jobs, action });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, jobId, unlockRound: left!.args.unlockRound };
}
