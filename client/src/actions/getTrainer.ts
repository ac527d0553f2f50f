import type { Address } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { toAddress, toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { trainerStatusName } from "../protocol/enums.ts";
import { readProtocol, requireAccount } from "../chain/transaction.ts";
import type { ReadActionErrorType } from "../errors/types.ts";

export type GetTrainerParameters = {
  jobId: bigint | number;
  /** Default: the client's account. */
  trainer?: Address | undefined;
};

/** A trainer's standing in a job (TrainingJobs `getTrainer`). */
export type Trainer = {
  jobId: bigint;
  trainer: Address;
  status: ReturnType<typeof trainerStatusName>;
  /** Trainer index (bit in inclusion masks, rank in aggregation); meaningful unless status is "none". */
  index: bigint;
  stake: bigint;
  /** The round of a commitment not revealed yet, or null. */
  pendingRound: bigint | null;
  /** When it left (unix seconds), or null. */
  leftAt: bigint | null;
  /** For a trainer that left: when its cooldown ends, or null. */
  withdrawableAt: bigint | null;
  canWithdraw: boolean;
};

export type GetTrainerReturnType = Trainer;

export type GetTrainerErrorType = ReadActionErrorType;

/** Reads a trainer's standing in a job ("none" when it never joined). */
export async function getTrainer(client: MyceliumClient, parameters: GetTrainerParameters): Promise<GetTrainerReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const trainer =
    parameters.trainer === undefined ? requireAccount(client, "Reading a trainer").address : toAddress(parameters.trainer, "trainer");
  const state = await readProtocol(client, {
    action: `Reading trainer ${trainer} of job ${jobId}`,
    address: contractAddress(client.deployment, "TrainingJobs"),
    abi: trainingJobsAbi,
    functionName: "getTrainer",
    args: [jobId, trainer],
  });
  return {
    jobId,
    trainer,
    status: trainerStatusName(state.status),
    index: state.index,
    stake: state.stake,
    pendingRound: state.hasPendingCommit ? state.pendingRound : null,
    leftAt: state.leftAt === 0n ? null : state.leftAt,
    withdrawableAt: state.withdrawableAt === 0n ? null : state.withdrawableAt,
    canWithdraw: state.canWithdraw,
  };
}
