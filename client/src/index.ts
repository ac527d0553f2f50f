export { AbortedError, BaseError, throwIfAborted } from "./errors/base.ts";
export type { BaseErrorParameters, BaseErrorType } from "./errors/base.ts";
export { assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi, trainingJobsAbi } from "./abis/index.ts";
export { SeededRandom, InvalidRandomRangeError, InvalidRandomSeedError, deriveSeed } from "./datasets/random.ts";
export type { RandomSeed } from "./datasets/random.ts";
export {
  DatasetFilesNotFoundError,
  InvalidDatasetError,
  InvalidIdxFileError,
  InvalidShardAssignmentError,
  InvalidTensorShardError,
} from "./datasets/errors.ts";
export type { TensorShardDefect } from "./datasets/errors.ts";
export {
  MAX_CLASS_COUNT,
  concatDatasets,
  createTensorDataset,
  featuresAsFloat32,
  sampleSizeOf,
  sliceDataset,
  splitIntoShards,
} from "./datasets/dataset.ts";
export type { CreateTensorDatasetParameters, FeatureDtype, TensorDataset } from "./datasets/dataset.ts";
export {
  TENSOR_SHARDS_FORMAT,
  TENSOR_SHARD_MAGIC,
  TENSOR_SHARD_VERSION,
  decodeTensorShard,
  encodeTensorShard,
} from "./datasets/tensorShards.ts";
export { FASHION_MNIST_CLASSES, FASHION_MNIST_DIRECTORY, parseIdx, readFashionMnist, readIdxFile } from "./datasets/idx.ts";
export type { FashionMnist, IdxArray } from "./datasets/idx.ts";
export { generateBlobsDataset } from "./datasets/synthetic.ts";
export type { GenerateBlobsParameters } from "./datasets/synthetic.ts";
export { assignShards, shardPermutation } from "./datasets/assignment.ts";
export type { AssignShardsParameters } from "./datasets/assignment.ts";
export {
  DEFAULT_AGGREGATION_RULE,
  InvalidTrainingSpecError,
  TRAINING_SPEC_FORMAT,
  buildTrainingSpec,
  validateAggregationRule,
  validateLocalTraining,
  validateTrainingSpec,
} from "./training/spec.ts";
export type {
  AggregationRule,
  BuildTrainingSpecParameters,
  JsonValue,
  LocalTrainingHyperparameters,
  LocalWork,
  OptimizerSpec,
  SpecIssue,
  TrainingSpec,
} from "./training/spec.ts";
export {
  IndexerQueryError,
  IndexerRequestError,
  IndexerTimeoutError,
  InvalidIndexerQueryError,
  ManifestResolverRequiredError,
  createIndexerClient,
  getAsset,
  getAssetOrders,
  getAssets,
  getJobs,
  getRounds,
  getTrainerEarnings,
  roundPhaseAt,
  queryIndexer,
  waitForIndexed,
} from "./indexer/index.ts";
export type {
  IndexedAssetKind,
  IndexedAssetState,
  RoundClockPhase,
  CreateIndexerClientParameters,
  GetAssetOrdersParameters,
  GetAssetOrdersReturnType,
  GetAssetParameters,
  GetAssetReturnType,
  GetAssetsParameters,
  GetAssetsReturnType,
  GetJobsParameters,
  GetJobsReturnType,
  GetRoundsParameters,
  GetRoundsReturnType,
  GetTrainerEarningsParameters,
  GetTrainerEarningsReturnType,
  IndexedAsset,
  IndexedJob,
  IndexedOrder,
  IndexedReveal,
  IndexedRound,
  IndexerClient,
  IndexerGraphQLError,
  IndexedJobStatus,
  IndexerPage,
  PageParameters,
  IndexerRequestOptions,
  ResolveManifest,
  IndexedRoundPhase,
  IndexedRoundStatus,
  TrainerEarnings,
  IndexedTrainerStatus,
  WaitForIndexedErrorType,
  WaitForIndexedParameters,
  WaitForIndexedProgress,
  WaitForIndexedReturnType,
} from "./indexer/index.ts";
