import type { IndexerClient, IndexerRequestOptions } from "./client.ts";
import { queryPage } from "./client.ts";
import {
  addressParameter,
  JOB_FIELDS,
  parseJob,
  type IndexedJob,
  type IndexedJobStatus,
  type IndexerPage,
  type PageParameters,
} from "./types.ts";

export type GetJobsParameters = IndexerRequestOptions &
  PageParameters & {
    status?: IndexedJobStatus | undefined;
    sponsor?: string | undefined;
    /** Jobs training on this dataset asset. */
    datasetId?: bigint | undefined;
    /** Jobs starting from this model asset. */
    baseModelId?: bigint | undefined;
  };

export type GetJobsReturnType = IndexerPage<IndexedJob>;

/** Training jobs with their parameters and progress. Pages of 50 by default, at most 1,000, newest first by default. */
export async function getJobs(client: IndexerClient, parameters: GetJobsParameters = {}): Promise<GetJobsReturnType> {
  const where: Record<string, unknown> = {};
  if (parameters.status !== undefined) where.status = parameters.status;
  if (parameters.sponsor !== undefined) where.sponsor = addressParameter("sponsor", parameters.sponsor);
  if (parameters.datasetId !== undefined) where.datasetId = parameters.datasetId.toString();
  if (parameters.baseModelId !== undefined) where.baseModelId = parameters.baseModelId.toString();
  return queryPage(
    client,
    {
      list: "jobs",
      filterType: "jobFilter",
      where,
      fields: JOB_FIELDS,
      orderBy: "id",
      defaultDirection: "desc",
      defaultLimit: 50,
      maxLimit: 1_000,
    },
    parameters,
    parseJob,
  );
}
