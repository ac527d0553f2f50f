import type { Address, Hash } from "viem";
import { getContractEvents } from "viem/actions";
import { trainingJobsAbi } from "../abis/index.ts";
import { toAddress, toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { rpc } from "../utils/retry.ts";
import { getJobCreationBlock } from "./getJobCreationBlock.ts";

export type GetRewardClaimsParameters = {
  jobId: bigint | number;
  /** Only this trainer's claims; default every trainer's. */
  trainer?: Address | undefined;
  /** Where the scan starts: the job's creation block (getJobCreationBlock), found when omitted. */
  fromBlock?: bigint | undefined;
};

/** One round's reward paid to a trainer (a `RewardClaimed` event). */
export type RewardClaim = { trainer: Address; round: bigint; amount: bigint; samples: bigint; transactionHash: Hash; blockNumber: bigint };

export type GetRewardClaimsReturnType = RewardClaim[];

export type GetRewardClaimsErrorType = ReadActionErrorType;

/** The rewards paid out of a job, per trainer and round, in the order the chain recorded them. */
export async function getRewardClaims(client: MyceliumClient, parameters: GetRewardClaimsParameters): Promise<GetRewardClaimsReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const trainer = parameters.trainer === undefined ? undefined : toAddress(parameters.trainer, "trainer");
  const fromBlock = parameters.fromBlock ?? (await getJobCreationBlock(client, { jobId }));
  const logs = await rpc(`Reading the reward claims of job ${jobId}`, () =>
    getContractEvents(client, {
      address: contractAddress(client.deployment, "TrainingJobs"),
      abi: trainingJobsAbi,
      eventName: "RewardClaimed",
      args: trainer === undefined ? { jobId } : { jobId, trainer },
      fromBlock,
      toBlock: "latest",
    }),
  );
  return logs.map((log) => ({
    trainer: log.args.trainer!,
    round: log.args.round!,
    amount: log.args.amount!,
    samples: log.args.samples!,
    transactionHash: log.transactionHash,
    blockNumber: log.blockNumber,
  }));
}
