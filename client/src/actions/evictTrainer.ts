import type { Address } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { penaltyReasonName } from "../protocol/enums.ts";
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
  /** The freed trainer index, and the stake returned to the trainer (after settling its last reveal, less IDLE_BPS). */
  index: bigint;
  amount: bigint;
  /** The penalties the eviction took, in order: the last reveal's, if it earned one, then the idle penalty. */
  penalties: Array<{ round: bigint; reason: ReturnType<typeof penaltyReasonName>; amount: bigint }>;
};

export type EvictTrainerErrorType = WriteActionErrorType;

/**
 * Evicts an idle trainer (anyone, while the job runs): its stake, less IDLE_BPS (which goes to the forfeits), goes back to
 * it and its index is freed for a trainer who will work, so squatting an index costs stake every time. NotIdle until it
 * has been idle for IDLE_ROUNDS rounds.
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
  const penalized = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "TrainerPenalized", address: jobs, action, optional: true });
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    jobId,
    trainer,
    index: evicted!.args.index,
    amount: evicted!.args.amount,
    penalties: penalized.map(({ args }) => ({ round: args.round, reason: penaltyReasonName(args.reason), amount: args.amount })),
  };
}
