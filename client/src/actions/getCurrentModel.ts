import type { CID } from "multiformats/cid";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import { hexToCid } from "../chain/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { readProtocol } from "../chain/transaction.ts";
import type { ReadActionErrorType } from "../errors/types.ts";

export type GetCurrentModelParameters = { jobId: bigint | number };

export type GetCurrentModelReturnType = {
  jobId: bigint;
  /** The global model: the last successful aggregate, or the base model. */
  cid: CID;
  /** The round that produced it, or null while it is still the base model. */
  round: bigint | null;
};

export type GetCurrentModelErrorType = ReadActionErrorType;

/** Reads the current global model of a job (what trainers train from this round). */
export async function getCurrentModel(client: MyceliumClient, parameters: GetCurrentModelParameters): Promise<GetCurrentModelReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const [cid, trained, round] = await readProtocol(client, {
    action: `Reading the model of job ${jobId}`,
    address: contractAddress(client.deployment, "TrainingJobs"),
    abi: trainingJobsAbi,
    functionName: "currentModel",
    args: [jobId],
  });
  return { jobId, cid: hexToCid(cid), round: trained ? round : null };
}
