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

// Storage (IPFS on Helia)
export {
  BlockNotFoundError,
  BlockVerificationError,
  CarError,
  GatewayError,
  InvalidCidError,
  InvalidContentError,
  InvalidStorageParameterError,
  ModelStorageError,
  PathNotFoundError,
  StorageNodeError,
  UnsupportedContentError,
} from "./errors/storage.ts";
export type { BlockSource } from "./errors/storage.ts";
export { createStorageNode } from "./storage/node.ts";
export type { StorageNetwork, StorageNode, StorageNodeOptions } from "./storage/node.ts";
export { isVerifyingBlockstore, verifiedBlocks, verifiedGetter } from "./storage/blocks.ts";
export type { BlockGetOptions, BlockProgressEvent, BlockStorage, VerifiedBlockGetter, VerifyingBlockstore } from "./storage/blocks.ts";
export { toCid } from "./storage/cid.ts";
export type { CidLike } from "./storage/cid.ts";
export { UNIXFS_CHUNK_BYTES, UNIXFS_MAX_LINKS, addBytes, addDirectory, addDirectoryEntries, addFile } from "./storage/add.ts";
export type { AddOptions, AddProgressEvent, ByteSource, DirectoryEntryInput } from "./storage/add.ts";
export { fetchBytes, fetchToPath, listDirectory, readBytes, readFiles, resolvePath, statContent } from "./storage/read.ts";
export type { ContentStat, DirectoryEntry, FetchToPathOptions, FilePiece, ReadOptions, ReadProgressEvent } from "./storage/read.ts";
export { exportCar, exportCarFile, importCar, importCarFile } from "./storage/car.ts";
export type { CarOptions, CarProgressEvent, ImportCarOptions, ImportCarResult } from "./storage/car.ts";
export { startGatewayServer } from "./storage/gateway-server.ts";
export type { GatewayServer, GatewayServerOptions } from "./storage/gateway-server.ts";
export { closeGatewayConnections } from "./storage/gateway-client.ts";
export { verifyBlock } from "./storage/verify.ts";
export { DEFAULT_SHARD_BYTES, readShards, shardBytes, shardFile } from "./storage/shards.ts";
export type { Shard, ShardOptions, ShardSource } from "./storage/shards.ts";
export {
  MODEL_JSON,
  MODEL_WEIGHTS,
  canonicalJson,
  ipfsModelHandler,
  loadModel,
  loadModelArtifacts,
  loadModelWeights,
  saveModel,
  serializeModel,
  storeModelArtifacts,
  storeModelWithWeights,
} from "./storage/tfjs.ts";
export type { IpfsModelHandler, ModelOptions, ModelWeight } from "./storage/tfjs.ts";

// Manifests (dag-json)
export { ManifestValidationError } from "./errors/manifest.ts";
export type { ManifestIssue } from "./errors/manifest.ts";
export { DTYPES, MANIFEST_IDS } from "./manifests/common.ts";
export type { AssetInfo, Dtype, ManifestKind } from "./manifests/common.ts";
export { buildDatasetManifest, validateDatasetManifest } from "./manifests/dataset.ts";
export type { DatasetManifest, DatasetManifestInput, ShardRef, ShardRefInput } from "./manifests/dataset.ts";
export { MODEL_FORMAT, TFJS_VERSION, buildModelManifest, buildUpdateManifest, validateModelManifest, validateUpdateManifest } from "./manifests/model.ts";
export type { JobRef, JobRefInput, ModelLineage, ModelManifest, ModelManifestInput, TensorSpec, UpdateManifest, UpdateManifestInput } from "./manifests/model.ts";
export { encodeManifest, loadManifest, storeManifest, validateManifest } from "./manifests/codec.ts";
export type { Manifest, ManifestOfKind } from "./manifests/codec.ts";
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
