import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type WithdrawStakeParameters = { jobId: bigint | number } & TransactionOptions;

export type WithdrawStakeReturnType = TransactionResult & {
  jobId: bigint;
  /** The stake returned. */
  amount: bigint;
  /** The penalty its last reveal earned, taken on the way (silence or a losing tuple; 0 for an honest trainer). */
  penalty: bigint;
};

export type WithdrawStakeErrorType = WriteActionErrorType;

/**
 * Takes the caller's stake back (settling its last reveal first): once the job was cancelled, after its end plus the
 * claim period, or after leaving once the unbond rounds after its last on-time reveal have passed.
 */
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
  const penalties = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "TrainerPenalized", address: jobs, action, optional: true });
  const penalty = penalties.reduce((sum, event) => sum + event.args.amount, 0n);
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, jobId, amount: withdrawn!.args.amount, penalty };
}
