import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type SweepRoundParameters = {
  jobId: bigint | number;
  /** A successful round whose claim deadline has passed. */
  round: bigint | number;
} & TransactionOptions;

export type SweepRoundReturnType = TransactionResult & {
  jobId: bigint;
  round: bigint;
  /** What nobody claimed (rounding dust included). */
  amount: bigint;
  /** The share of it that came from forfeited stake, back to the forfeits (the rest went to the carry). */
  toForfeits: bigint;
};

export type SweepRoundErrorType = WriteActionErrorType;

/**
 * Moves what nobody claimed of a successful round's reward back where it came from (anyone): the share that came from
 * forfeited stake to the forfeits, the rest to the carry; once CLAIM_ROUNDS more rounds have been finalized, or the
 * claim period after the job's end is over. While the job runs both go to the next successful round; after the end
 * `refundRemainder` returns the carry to the sponsor and burns the forfeits. ClaimsStillOpen before the deadline.
 */
export async function sweepRound(client: MyceliumClient, parameters: SweepRoundParameters): Promise<SweepRoundReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const round = toId(parameters.round, "round");
  const action = `Sweeping round ${round} of job ${jobId}`;
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "sweep",
    args: [jobId, round],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [swept] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "RewardSwept", address: jobs, action });
  const { amount, toForfeits } = swept!.args;
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, jobId, round, amount, toForfeits };
}
