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
  /** Trainer index (bit in inclusion masks, rank in aggregation); meaningful while "active" or "left". */
  index: bigint;
  stake: bigint;
  /** Quorum weight its reveals bring (units of 2^-16 minimum stakes, capped at the job's weight cap). */
  weight: bigint;
  /** The first round it may commit in (its stake is bonded only for rounds that began after it joined). */
  firstRound: bigint;
  /** The round of a commitment not revealed yet, or null. */
  pendingRound: bigint | null;
  /** The round of its last on-time reveal, or null. */
  lastRevealRound: bigint | null;
  /** Whether that reveal's penalty (silence, a losing tuple) is still to be taken (at its next commit or withdrawal). */
  unsettled: boolean;
  /** When it left (unix seconds), or null. */
  leftAt: bigint | null;
  canWithdraw: boolean;
  /** Whether anyone may evict it now (idle: no on-time reveal for IDLE_ROUNDS rounds). */
  evictable: boolean;
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
    weight: state.weight,
    firstRound: state.firstRound,
    pendingRound: state.hasPendingCommit ? state.pendingRound : null,
    lastRevealRound: state.hasRevealed ? state.lastRevealRound : null,
    unsettled: state.hasUnsettledReveal,
    leftAt: state.leftAt === 0n ? null : state.leftAt,
    canWithdraw: state.canWithdraw,
    evictable: state.evictable,
  };
}
