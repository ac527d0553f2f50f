import type { Address } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { penaltyReasonName } from "../protocol/enums.ts";
import { toAddress, toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type SettleTrainerParameters = {
  jobId: bigint | number;
  /** The trainer whose last on-time reveal is settled. */
  trainer: Address;
} & TransactionOptions;

export type SettleTrainerReturnType = TransactionResult & {
  jobId: bigint;
  trainer: Address;
  /** The stake forfeited (0 when the reveal earned no penalty) and why. */
  penalty: bigint;
  reason: ReturnType<typeof penaltyReasonName> | null;
};

export type SettleTrainerErrorType = WriteActionErrorType;

/**
 * Takes the penalty a trainer's last on-time reveal earned, once its round is final (anyone): SILENT_BPS of its stake
 * for not attesting in a round whose attest window ran out, LOSING_BPS for attesting another tuple than a successful
 * round's winner (or than a failed round's leader that held more than half of the attested weight). The forfeit goes to the next successful round's winners. Commits, withdrawals and evictions settle on
 * the way; NothingToSettle when there is nothing left to settle.
 */
export async function settleTrainer(client: MyceliumClient, parameters: SettleTrainerParameters): Promise<SettleTrainerReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const trainer = toAddress(parameters.trainer, "trainer");
  const action = `Settling trainer ${trainer} of job ${jobId}`;
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "settle",
    args: [jobId, trainer],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [penalized] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "TrainerPenalized", address: jobs, action, optional: true });
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    jobId,
    trainer,
    penalty: penalized?.args.amount ?? 0n,
    reason: penalized ? penaltyReasonName(penalized.args.reason) : null,
  };
}
