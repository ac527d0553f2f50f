import type { Address } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { toAddress, toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type EvictTrainerParameters = {
  jobId: bigint | number;
  /** A trainer without an on-time reveal for IDLE_ROUNDS rounds and without a pending commitment. */
  trainer: Address;
} & TransactionOptions;

export type EvictTrainerReturnType = TransactionResult & {
  jobId: bigint;
  trainer: Address;
  /** The freed trainer index, and the stake returned to the trainer (after settling its last reveal). */
  index: bigint;
  amount: bigint;
};

export type EvictTrainerErrorType = WriteActionErrorType;

/**
 * Evicts an idle trainer (anyone, while the job runs): its stake goes back to it and its index is freed for a trainer
 * who will work, so indices cannot be squatted. NotIdle until it has been idle for IDLE_ROUNDS rounds.
 */
export async function evictTrainer(client: MyceliumClient, parameters: EvictTrainerParameters): Promise<EvictTrainerReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const trainer = toAddress(parameters.trainer, "trainer");
  const action = `Evicting trainer ${trainer} from job ${jobId}`;
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "evict",
    args: [jobId, trainer],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [evicted] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "TrainerEvicted", address: jobs, action });
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    jobId,
    trainer,
    index: evicted!.args.index,
    amount: evicted!.args.amount,
  };
}
