import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import {
  eventsOf,
  requireAccount,
  sendContractTransaction,
  type TransactionOptions,
  type TransactionResult,
} from "../chain/transaction.ts";
import { NothingToClaimError } from "../errors/chain.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { getClaimableRounds } from "./getClaimableRounds.ts";

export type ClaimRewardsParameters = {
  jobId: bigint | number;
  /** Rounds to claim; default every round the caller may claim now (getClaimableRounds). */
  rounds?: readonly (bigint | number)[] | undefined;
} & TransactionOptions;

export type ClaimRewardsReturnType = TransactionResult & {
  jobId: bigint;
  /** Total paid, in the job token's smallest unit, and the split per round. */
  amount: bigint;
  rounds: { round: bigint; amount: bigint; samples: bigint }[];
};

export type ClaimRewardsErrorType = WriteActionErrorType | NothingToClaimError;

/** Claims the caller's rewards of finalized rounds in one transaction; NothingToClaimError when there are none. */
export async function claimRewards(client: MyceliumClient, parameters: ClaimRewardsParameters): Promise<ClaimRewardsReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Claiming rewards of job ${jobId}`;
  const trainer = requireAccount(client, action).address;
  let rounds = (parameters.rounds ?? []).map((round, index) => toId(round, `rounds[${index}]`));
  if (parameters.rounds === undefined) {
    const claimable = await getClaimableRounds(client, { jobId, trainer });
    if (claimable.rounds.length === 0) throw new NothingToClaimError({ jobId, account: trainer, checked: claimable.checked });
    rounds = claimable.rounds;
  }
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "claim",
    args: [jobId, rounds],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const claimed = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "RewardClaimed", address: jobs, action }).map((log) => ({
    round: log.args.round,
    amount: log.args.amount,
    samples: log.args.samples,
  }));
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    jobId,
    amount: claimed.reduce((total, round) => total + round.amount, 0n),
    rounds: claimed,
  };
}
