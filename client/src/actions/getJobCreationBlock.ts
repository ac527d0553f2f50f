import { getContractEvents } from "viem/actions";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { JobNotFoundError } from "../errors/contract.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { rpc } from "../utils/retry.ts";

export type GetJobCreationBlockParameters = { jobId: bigint | number };

export type GetJobCreationBlockReturnType = bigint;

export type GetJobCreationBlockErrorType = ReadActionErrorType | JobNotFoundError;

/**
 * The block in which a job was created (its `JobCreated` event): where scans of the job's events start. The contract
 * keeps reveals and peer info only in events, so every reader of a round starts here.
 */
export async function getJobCreationBlock(
  client: MyceliumClient,
  parameters: GetJobCreationBlockParameters,
): Promise<GetJobCreationBlockReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const fromBlock = BigInt(client.deployment.contracts.TrainingJobs?.startBlock ?? 0);
  const logs = await rpc(`Finding the creation of job ${jobId}`, () =>
    getContractEvents(client, {
      address: contractAddress(client.deployment, "TrainingJobs"),
      abi: trainingJobsAbi,
      eventName: "JobCreated",
      args: { jobId },
      fromBlock,
      toBlock: "latest",
    }),
  );
  const created = logs[0];
  if (created === undefined) throw new JobNotFoundError({ errorName: "JobNotFound", args: { jobId } });
  return created.blockNumber;
}
