import type { Address } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { toAddress, toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type SlashTrainerParameters = {
  jobId: bigint | number;
  /** The round in which `trainer` committed and did not reveal, or whose winning tuple names it in its slash mask. */
  round: bigint | number;
  trainer: Address;
} & TransactionOptions;

export type SlashTrainerReturnType = TransactionResult & {
  jobId: bigint;
  round: bigint;
  trainer: Address;
  /** The stake taken: all of it goes to the forfeits, which the next successful round's winners share. */
  stake: bigint;
};

export type SlashTrainerErrorType = WriteActionErrorType;

/**
 * Slashes a trainer that committed and never revealed, not even late (anyone, once the round's attest window is over),
 * or whose update of a successful round failed its replay audit (the winning tuple's `slashMask` names it, and its
 * reveal is not settled yet): its whole stake goes to the forfeits and its index is freed. The caller gets nothing:
 * slashing pays the honest.
 */
export async function slashTrainer(client: MyceliumClient, parameters: SlashTrainerParameters): Promise<SlashTrainerReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const round = toId(parameters.round, "round");
  const trainer = toAddress(parameters.trainer, "trainer");
  const action = `Slashing ${trainer} in job ${jobId}`;
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "slash",
    args: [jobId, round, trainer],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [slashed] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "TrainerSlashed", address: jobs, action });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, jobId, round, trainer, stake: slashed!.args.stake };
}
