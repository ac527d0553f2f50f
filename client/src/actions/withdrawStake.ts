import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type WithdrawStakeParameters = { jobId: bigint | number } & TransactionOptions;

export type WithdrawStakeReturnType = TransactionResult & { jobId: bigint; amount: bigint };

export type WithdrawStakeErrorType = WriteActionErrorType;

/** Takes the caller's stake back: after the job ended or was cancelled, or after leaving plus the cooldown. */
export async function withdrawStake(client: MyceliumClient, parameters: WithdrawStakeParameters): Promise<WithdrawStakeReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Withdrawing the stake of job ${jobId}`;
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "withdraw",
    args: [jobId],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [withdrawn] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "StakeWithdrawn", address: jobs, action });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, jobId, amount: withdrawn!.args.amount };
}
