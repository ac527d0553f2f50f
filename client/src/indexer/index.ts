export { createIndexerClient, queryIndexer } from "./client.ts";
export type { CreateIndexerClientParameters, IndexerClient, IndexerRequestOptions } from "./client.ts";
export {
  IndexerQueryError,
  IndexerRequestError,
  IndexerTimeoutError,
  InvalidIndexerQueryError,
  ManifestResolverRequiredError,
} from "./errors.ts";
export type { IndexerGraphQLError } from "./errors.ts";
export { getAsset } from "./getAsset.ts";
export type { GetAssetParameters, GetAssetReturnType } from "./getAsset.ts";
export { getAssets } from "./getAssets.ts";
export type { GetAssetsParameters, GetAssetsReturnType, ResolveManifest } from "./getAssets.ts";
export { getAssetOrders } from "./getAssetOrders.ts";
export type { GetAssetOrdersParameters, GetAssetOrdersReturnType } from "./getAssetOrders.ts";
export { getJobs } from "./getJobs.ts";
export type { GetJobsParameters, GetJobsReturnType } from "./getJobs.ts";
export { getRounds } from "./getRounds.ts";
export type { GetRoundsParameters, GetRoundsReturnType } from "./getRounds.ts";
export { getTrainerEarnings } from "./getTrainerEarnings.ts";
export type { GetTrainerEarningsParameters, GetTrainerEarningsReturnType, TrainerEarnings } from "./getTrainerEarnings.ts";
export { waitForIndexed } from "./waitForIndexed.ts";
export type {
  WaitForIndexedErrorType,
  WaitForIndexedParameters,
  WaitForIndexedProgress,
  WaitForIndexedReturnType,
} from "./waitForIndexed.ts";
export { roundPhaseAt } from "./roundPhaseAt.ts";
export type { RoundClockPhase } from "./roundPhaseAt.ts";
export type {
  IndexedAssetKind,
  IndexedAssetState,
  IndexedAsset,
  IndexedJob,
  IndexedOrder,
  IndexedReveal,
  IndexedRound,
  IndexedJobStatus,
  IndexerPage,
  PageParameters,
  IndexedRoundPhase,
  IndexedRoundStatus,
  IndexedTrainerStatus,
} from "./types.ts";
