import type { CID } from "multiformats/cid";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import { hexToCid } from "../chain/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type PublishResultParameters = { jobId: bigint | number } & TransactionOptions;

export type PublishResultReturnType = TransactionResult & {
  jobId: bigint;
  /** The new model asset, owned by the sponsor, with the dataset and the base model as lineage parents. */
  modelAssetId: bigint;
  /** The round whose aggregate it is, and the aggregate's CID (the asset's manifest). */
  round: bigint;
  modelCid: CID;
};

export type PublishResultErrorType = WriteActionErrorType;

/**
 * After the last round, mints the last successful aggregate as a model asset for the sponsor (anyone may call, once).
 * The asset has no datatoken yet: its owner creates one with createDatatoken to sell access.
 */
export async function publishResult(client: MyceliumClient, parameters: PublishResultParameters): Promise<PublishResultReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Publishing the result of job ${jobId}`;
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "publishResult",
    args: [jobId],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [published] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "ResultPublished", address: jobs, action });
  const { modelAssetId, round, modelCid } = published!.args;
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, jobId, modelAssetId, round, modelCid: hexToCid(modelCid) };
}
