export { AbortedError, BaseError, throwIfAborted } from "./errors/base.ts";
export type { BaseErrorParameters, BaseErrorType } from "./errors/base.ts";
export { assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi, trainingJobsAbi } from "./abis/index.ts";

// Chain: client, deployments, actions (one per file), typed errors
export { createMyceliumClient, DEFAULT_RPC_URL } from "./chain/client.ts";
export type {
  CreateMyceliumClientErrorType,
  CreateMyceliumClientParameters,
  CreateMyceliumClientReturnType,
  MyceliumClient,
  MyceliumWalletClient,
} from "./chain/client.ts";
export {
  contractAddress,
  findDeploymentsDirectory,
  loadDeployment,
  loadExplicitDeployment,
  newestDeploymentFile,
  readDeploymentFile,
  validateDeployment,
  writeDeploymentFile,
} from "./chain/deployment.ts";
export type {
  DeployedContract,
  Deployment,
  LoadDeploymentErrorType,
  LoadDeploymentParameters,
  LoadDeploymentReturnType,
  ProtocolContractName,
} from "./chain/deployment.ts";
export { protocolTransport } from "./chain/transport.ts";
export type { ProtocolTransportOptions } from "./chain/transport.ts";
export { ASSET_KINDS, ASSET_STATES, assetKindName, assetKindOrdinal, assetStateName, assetStateOrdinal } from "./chain/assetTypes.ts";
export type { AssetKind, AssetState } from "./chain/assetTypes.ts";
export { cidToHex, hexToCid } from "./chain/cid.ts";
export { toAddress, toId, toUint } from "./chain/args.ts";
export { formatAmount, readBalance, readToken, signPermit } from "./chain/tokens.ts";
export type { PermitSignature } from "./chain/tokens.ts";
export type { TransactionOptions, TransactionProgressEvent, TransactionResult } from "./chain/transaction.ts";
export { decryptKeystore, encryptKeystore, readKeystoreFile, writeKeystoreFile } from "./chain/keystore.ts";
export type { EncryptKeystoreOptions, KeystoreV3 } from "./chain/keystore.ts";

export { buy, toMarketFee } from "./actions/buy.ts";
export type { BuyErrorType, BuyParameters, BuyReturnType, MarketFee } from "./actions/buy.ts";
export { buyAccess, PERMIT_LIFETIME_SECONDS } from "./actions/buyAccess.ts";
export type { BuyAccessErrorType, BuyAccessParameters, BuyAccessReturnType } from "./actions/buyAccess.ts";
export { closeDispenser } from "./actions/closeDispenser.ts";
export type { CloseDispenserErrorType, CloseDispenserParameters, CloseDispenserReturnType } from "./actions/closeDispenser.ts";
export { closeListing } from "./actions/closeListing.ts";
export type { CloseListingErrorType, CloseListingParameters, CloseListingReturnType } from "./actions/closeListing.ts";
export { createDatatoken } from "./actions/createDatatoken.ts";
export type { CreateDatatokenErrorType, CreateDatatokenParameters, CreateDatatokenReturnType } from "./actions/createDatatoken.ts";
export { dispense } from "./actions/dispense.ts";
export type { DispenseErrorType, DispenseParameters, DispenseReturnType } from "./actions/dispense.ts";
export { faucet } from "./actions/faucet.ts";
export type { FaucetErrorType, FaucetParameters, FaucetReturnType } from "./actions/faucet.ts";
export { getAsset } from "./actions/getAsset.ts";
export type { Asset, GetAssetErrorType, GetAssetParameters, GetAssetReturnType } from "./actions/getAsset.ts";
export { getListing } from "./actions/getListing.ts";
export type { GetListingErrorType, GetListingParameters, GetListingReturnType } from "./actions/getListing.ts";
export { listAssets } from "./actions/listAssets.ts";
export type { ListAssetsErrorType, ListAssetsParameters, ListAssetsReturnType } from "./actions/listAssets.ts";
export { mintDatatokens } from "./actions/mintDatatokens.ts";
export type { MintDatatokensErrorType, MintDatatokensParameters, MintDatatokensReturnType } from "./actions/mintDatatokens.ts";
export { order, ORDER_AMOUNT } from "./actions/order.ts";
export type { OrderErrorType, OrderParameters, OrderReturnType } from "./actions/order.ts";
export { DEFAULT_INITIAL_SUPPLY, publishAsset } from "./actions/publishAsset.ts";
export type { PublishAssetErrorType, PublishAssetParameters, PublishAssetReturnType } from "./actions/publishAsset.ts";
export { quote } from "./actions/quote.ts";
export type { QuoteErrorType, QuoteParameters, QuoteReturnType } from "./actions/quote.ts";
export { setAssetState } from "./actions/setAssetState.ts";
export type { SetAssetStateErrorType, SetAssetStateParameters, SetAssetStateReturnType } from "./actions/setAssetState.ts";
export { setDispenser } from "./actions/setDispenser.ts";
export type { SetDispenserErrorType, SetDispenserParameters, SetDispenserReturnType } from "./actions/setDispenser.ts";
export { approveInventory, setListing } from "./actions/setListing.ts";
export type { SetListingErrorType, SetListingParameters, SetListingReturnType } from "./actions/setListing.ts";
export { assetKindOfManifest, publish } from "./actions/publish.ts";
export type { PublishErrorType, PublishInfo, PublishParameters, PublishProgressEvent, PublishReturnType } from "./actions/publish.ts";
export { addDatasetDirectory, DATASET_SPLITS, writeDatasetDirectory } from "./publishing/dataset.ts";
export type {
  AddDatasetDirectoryParameters,
  AddDatasetDirectoryReturnType,
  WriteDatasetDirectoryParameters,
} from "./publishing/dataset.ts";
export { saveManifestContent } from "./publishing/download.ts";
export { DEFAULT_SAMPLES_PER_SHARD, publishFashionMnist, publishTensorDataset } from "./publishing/tensorDataset.ts";
export type { PublishFashionMnistParameters, PublishTensorDatasetParameters } from "./publishing/tensorDataset.ts";
export type { SaveManifestContentParameters, SaveManifestContentReturnType } from "./publishing/download.ts";
export { addModelDirectory, readModelDirectory, tensorSpecsOf } from "./publishing/model.ts";
export type { AddModelDirectoryParameters } from "./publishing/model.ts";
export { prepareJobSpec } from "./actions/prepareJobSpec.ts";
export type { PrepareJobSpecErrorType, PrepareJobSpecParameters, PrepareJobSpecReturnType } from "./actions/prepareJobSpec.ts";
export { updateManifest } from "./actions/updateManifest.ts";
export type { UpdateManifestErrorType, UpdateManifestParameters, UpdateManifestReturnType } from "./actions/updateManifest.ts";

// Training jobs
export { attestAggregate } from "./actions/attestAggregate.ts";
export type { AttestAggregateErrorType, AttestAggregateParameters, AttestAggregateReturnType } from "./actions/attestAggregate.ts";
export { cancelJob } from "./actions/cancelJob.ts";
export type { CancelJobErrorType, CancelJobParameters, CancelJobReturnType } from "./actions/cancelJob.ts";
export { claimRewards } from "./actions/claimRewards.ts";
export type { ClaimRewardsErrorType, ClaimRewardsParameters, ClaimRewardsReturnType } from "./actions/claimRewards.ts";
export { commitUpdate } from "./actions/commitUpdate.ts";
export type { CommitUpdateErrorType, CommitUpdateParameters, CommitUpdateReturnType } from "./actions/commitUpdate.ts";
export {
  createJob,
  DEFAULT_PARTICIPATION_BPS,
  DEFAULT_QUORUM_BPS,
  DEFAULT_START_DELAY_SECONDS,
  DEFAULT_WEIGHT_CAP,
} from "./actions/createJob.ts";
export type { CreateJobErrorType, CreateJobParameters, CreateJobReturnType } from "./actions/createJob.ts";
export { finalizeRound } from "./actions/finalizeRound.ts";
export type { FinalizeRoundErrorType, FinalizeRoundParameters, FinalizeRoundReturnType } from "./actions/finalizeRound.ts";
export { getClaimableRounds } from "./actions/getClaimableRounds.ts";
export type {
  GetClaimableRoundsErrorType,
  GetClaimableRoundsParameters,
  GetClaimableRoundsReturnType,
} from "./actions/getClaimableRounds.ts";
export { getCurrentModel } from "./actions/getCurrentModel.ts";
export type { GetCurrentModelErrorType, GetCurrentModelParameters, GetCurrentModelReturnType } from "./actions/getCurrentModel.ts";
export { getAssetParents } from "./actions/getAssetParents.ts";
export type { GetAssetParentsErrorType, GetAssetParentsParameters, GetAssetParentsReturnType } from "./actions/getAssetParents.ts";
export { getAttestations } from "./actions/getAttestations.ts";
export type {
  Attestation,
  GetAttestationsErrorType,
  GetAttestationsParameters,
  GetAttestationsReturnType,
} from "./actions/getAttestations.ts";
export { getRewardClaims } from "./actions/getRewardClaims.ts";
export type {
  GetRewardClaimsErrorType,
  GetRewardClaimsParameters,
  GetRewardClaimsReturnType,
  RewardClaim,
} from "./actions/getRewardClaims.ts";
export { getChainTime } from "./actions/getChainTime.ts";
export type { GetChainTimeErrorType, GetChainTimeParameters, GetChainTimeReturnType } from "./actions/getChainTime.ts";
export { getJobCreationBlock } from "./actions/getJobCreationBlock.ts";
export type {
  GetJobCreationBlockErrorType,
  GetJobCreationBlockParameters,
  GetJobCreationBlockReturnType,
} from "./actions/getJobCreationBlock.ts";
export { getPeerInfo } from "./actions/getPeerInfo.ts";
export type { GetPeerInfoErrorType, GetPeerInfoParameters, GetPeerInfoReturnType, PeerRecord } from "./actions/getPeerInfo.ts";
export { getReveals } from "./actions/getReveals.ts";
export type { GetRevealsErrorType, GetRevealsParameters, GetRevealsReturnType, Reveal } from "./actions/getReveals.ts";
export { getJob } from "./actions/getJob.ts";
export type { GetJobErrorType, GetJobParameters, GetJobReturnType, Job } from "./actions/getJob.ts";
export { getPhase } from "./actions/getPhase.ts";
export type { GetPhaseErrorType, GetPhaseParameters, GetPhaseReturnType } from "./actions/getPhase.ts";
export { getRound } from "./actions/getRound.ts";
export type { GetRoundErrorType, GetRoundParameters, GetRoundReturnType, Round } from "./actions/getRound.ts";
export { getRoundResult } from "./actions/getRoundResult.ts";
export type { GetRoundResultErrorType, GetRoundResultParameters, GetRoundResultReturnType, RoundResult } from "./actions/getRoundResult.ts";
export { getTrainer } from "./actions/getTrainer.ts";
export type { GetTrainerErrorType, GetTrainerParameters, GetTrainerReturnType, Trainer } from "./actions/getTrainer.ts";
export { getTrainerRound } from "./actions/getTrainerRound.ts";
export type { GetTrainerRoundErrorType, GetTrainerRoundParameters, GetTrainerRoundReturnType } from "./actions/getTrainerRound.ts";
export { joinJob } from "./actions/joinJob.ts";
export type { JoinJobErrorType, JoinJobParameters, JoinJobReturnType } from "./actions/joinJob.ts";
export { leaveJob } from "./actions/leaveJob.ts";
export type { LeaveJobErrorType, LeaveJobParameters, LeaveJobReturnType } from "./actions/leaveJob.ts";
export { publishResult } from "./actions/publishResult.ts";
export type { PublishResultErrorType, PublishResultParameters, PublishResultReturnType } from "./actions/publishResult.ts";
export { refundRemainder } from "./actions/refundRemainder.ts";
export type { RefundRemainderErrorType, RefundRemainderParameters, RefundRemainderReturnType } from "./actions/refundRemainder.ts";
export { revealUpdate } from "./actions/revealUpdate.ts";
export type { RevealUpdateErrorType, RevealUpdateParameters, RevealUpdateReturnType } from "./actions/revealUpdate.ts";
export { settleTrainer } from "./actions/settleTrainer.ts";
export type { SettleTrainerErrorType, SettleTrainerParameters, SettleTrainerReturnType } from "./actions/settleTrainer.ts";
export { sweepRound } from "./actions/sweepRound.ts";
export type { SweepRoundErrorType, SweepRoundParameters, SweepRoundReturnType } from "./actions/sweepRound.ts";
export { evictTrainer } from "./actions/evictTrainer.ts";
export type { EvictTrainerErrorType, EvictTrainerParameters, EvictTrainerReturnType } from "./actions/evictTrainer.ts";
export { slashTrainer } from "./actions/slashTrainer.ts";
export type { SlashTrainerErrorType, SlashTrainerParameters, SlashTrainerReturnType } from "./actions/slashTrainer.ts";
export { updatePeerInfo } from "./actions/updatePeerInfo.ts";
export type { UpdatePeerInfoErrorType, UpdatePeerInfoParameters, UpdatePeerInfoReturnType } from "./actions/updatePeerInfo.ts";
export { withdrawStake } from "./actions/withdrawStake.ts";
export type { WithdrawStakeErrorType, WithdrawStakeParameters, WithdrawStakeReturnType } from "./actions/withdrawStake.ts";

export {
  ChainRequestError,
  InsufficientAllowanceError,
  InsufficientBalanceError,
  InvalidArgumentError,
  InvalidDeploymentError,
  KeystoreError,
  MissingAccountError,
  MissingContractError,
  MissingEventError,
  NATIVE_CURRENCY,
  NothingToClaimError,
  RpcUnreachableError,
  TransactionRevertedError,
  UnknownDeploymentError,
  WrongChainError,
} from "./errors/chain.ts";
export type { TokenDescription } from "./errors/chain.ts";
export {
  AssetNotFoundError,
  ContractRevertedError,
  contractErrorFromRevert,
  decodeContractError,
  JobNotFoundError,
  NotAssetOwnerError,
  protocolErrorsAbi,
} from "./errors/contract.ts";
export type { ContractErrorArgs, ContractErrorName } from "./errors/contract.ts";
export { toMyceliumError } from "./errors/normalize.ts";
export type { ErrorContext } from "./errors/normalize.ts";
export type { ReadActionErrorType, WriteActionErrorType } from "./errors/types.ts";

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
export { generateBlobsDataset, generateBlobsSplits } from "./datasets/synthetic.ts";
export type { GenerateBlobsParameters, GenerateBlobsSplitsParameters } from "./datasets/synthetic.ts";
// The round protocol (client/src/protocol): enums, hashes, peer encodings, shard assignment, the training spec, the
// aggregation rule, canonical storage of updates and aggregates, and verification. The trainer and every verifier use these.
export {
  JOB_STATUSES,
  PENALTY_REASONS,
  PHASES,
  ROUND_STATUSES,
  TRAINER_STATUSES,
  jobStatusName,
  penaltyReasonName,
  phaseName,
  roundStatusName,
  trainerStatusName,
} from "./protocol/enums.ts";
export type { JobStatus, PenaltyReason, Phase, RoundStatus, TrainerStatus } from "./protocol/enums.ts";
export { computeCommitment, computeRoundSeed, computeTupleHash, inclusionMask, maskIndices, randomSalt } from "./protocol/hashes.ts";
export type { ComputeCommitmentParameters, ComputeRoundSeedParameters } from "./protocol/hashes.ts";
export { decodeMultiaddrs, decodePeerId, dialableAddresses, encodeMultiaddr, encodePeerId } from "./protocol/peers.ts";
export { assignShards, shardPermutation } from "./protocol/assignment.ts";
export type { AssignShardsParameters } from "./protocol/assignment.ts";
export {
  DEFAULT_AGGREGATION_RULE,
  InvalidTrainingSpecError,
  TRAINING_SPEC_FORMAT,
  buildTrainingSpec,
  validateAggregationRule,
  validateLocalTraining,
  validateTrainingSpec,
} from "./protocol/spec.ts";
export type {
  AggregationRule,
  BuildTrainingSpecParameters,
  JsonValue,
  LocalTrainingHyperparameters,
  LocalWork,
  OptimizerSpec,
  SpecIssue,
  TrainingSpec,
} from "./protocol/spec.ts";
export { loadTrainingSpec, storeTrainingSpec } from "./protocol/specStore.ts";
export { rewardShare } from "./protocol/rewards.ts";
export {
  AUDIT_STAKE_MARGIN,
  MAX_AUDITS_PER_ROUND,
  computeAuditSeed,
  minimumAuditStake,
  minimumAuditsPerRound,
  selectAudits,
} from "./protocol/audits.ts";
export type { AuditCandidate, AuditSelection, ComputeAuditSeedParameters } from "./protocol/audits.ts";
export { screenRound } from "./protocol/roundAudits.ts";
export type {
  AuditRecord,
  ReplayAuditor,
  ReplayRequest,
  ReplayVerdict,
  ScreenRoundParameters,
  ScreenedRound,
} from "./protocol/roundAudits.ts";
export { MAX_TRAINER_INDEX, aggregateUpdates } from "./protocol/aggregate.ts";
export type { AggregateParameters, AggregationResult, AggregationUpdate, ExclusionReason, UpdateVerdict } from "./protocol/aggregate.ts";
export { canonicalWeightBytes, fromModelArtifacts, toModelArtifacts, weightsDigest } from "./protocol/weights.ts";
export type { LayersModelDefinition, WeightSpec } from "./protocol/weights.ts";
export {
  computeRoundAggregate,
  fetchRoundUpdate,
  loadGlobalModel,
  loadUpdateWeights,
  storeAggregate,
  storeUpdate,
} from "./protocol/content.ts";
export type {
  ComputeRoundAggregateParameters,
  FetchRoundUpdateParameters,
  GlobalModel,
  JobIdentity,
  LoadUpdateParameters,
  RoundAggregate,
  StoreAggregateParameters,
  StoreUpdateParameters,
} from "./protocol/content.ts";
export { verifyJob, verifyRound } from "./protocol/verify.ts";
export type {
  JobVerification,
  RoundTuple,
  RoundVerification,
  UpdateCheck,
  VerificationOutcome,
  VerifyJobParameters,
  VerifyJobReturnType,
  VerifyProgressEvent,
  VerifyRoundParameters,
  VerifyRoundReturnType,
} from "./protocol/verify.ts";
export { IncompatibleModelError, InvalidAggregationInputError, UpdateMismatchError } from "./errors/protocol.ts";

// Async helpers: waiting, aborting, retrying transient failures
export { abortable, pollUntil, sleep } from "./utils/async.ts";
export { isTransient, retrying, rpc } from "./utils/retry.ts";
export type { RetryInfo, RetryOptions } from "./utils/retry.ts";

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
export { FileBlockstore } from "./storage/fs-blockstore.ts";
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
export {
  MODEL_FORMAT,
  TFJS_VERSION,
  buildModelManifest,
  buildUpdateManifest,
  validateModelManifest,
  validateUpdateManifest,
} from "./manifests/model.ts";
export type {
  JobRef,
  JobRefInput,
  ModelLineage,
  ModelManifest,
  ModelManifestInput,
  TensorSpec,
  UpdateManifest,
  UpdateManifestInput,
} from "./manifests/model.ts";
export { encodeManifest, loadManifest, storeManifest, validateManifest } from "./manifests/codec.ts";
export type { Manifest, ManifestOfKind } from "./manifests/codec.ts";
export {
  IndexerQueryError,
  IndexerRequestError,
  IndexerTimeoutError,
  InvalidIndexerQueryError,
  ManifestResolverRequiredError,
  createIndexerClient,
  // The chain read `getAsset` (./actions/getAsset.ts) owns the plain name here; `@mycelium/client/indexer` exports this one as `getAsset`.
  getAsset as getIndexedAsset,
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
  GetAssetParameters as GetIndexedAssetParameters,
  GetAssetReturnType as GetIndexedAssetReturnType,
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
