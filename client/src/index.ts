export { AbortedError, BaseError, throwIfAborted } from "./errors/base.ts";
export type { BaseErrorParameters, BaseErrorType } from "./errors/base.ts";
export { assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi, trainingJobsAbi } from "./abis/index.ts";

// Chain: client, deployments, actions (one per file), typed errors
export { createMyceliumClient, DEFAULT_RPC_URL } from "./chain/client.ts";
export type { CreateMyceliumClientErrorType, CreateMyceliumClientParameters, CreateMyceliumClientReturnType, MyceliumClient, MyceliumWalletClient } from "./chain/client.ts";
export { contractAddress, loadDeployment, loadExplicitDeployment, readDeploymentFile, validateDeployment } from "./chain/deployment.ts";
export type { DeployedContract, Deployment, LoadDeploymentErrorType, LoadDeploymentParameters, LoadDeploymentReturnType, ProtocolContractName } from "./chain/deployment.ts";
export { protocolTransport } from "./chain/transport.ts";
export type { ProtocolTransportOptions } from "./chain/transport.ts";
export { ASSET_KINDS, ASSET_STATES, assetKindName, assetKindOrdinal, assetStateName, assetStateOrdinal } from "./chain/assetTypes.ts";
export type { AssetKind, AssetState } from "./chain/assetTypes.ts";
export { cidToHex, hexToCid, parseCid } from "./chain/cid.ts";
export type { CidInput } from "./chain/cid.ts";
export { readBalance, readToken, signPermit } from "./chain/tokens.ts";
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
export { updateManifest } from "./actions/updateManifest.ts";
export type { UpdateManifestErrorType, UpdateManifestParameters, UpdateManifestReturnType } from "./actions/updateManifest.ts";

export {
  ChainRequestError,
  InsufficientAllowanceError,
  InsufficientBalanceError,
  InvalidArgumentError,
  InvalidCidError,
  InvalidDeploymentError,
  KeystoreError,
  MissingAccountError,
  MissingContractError,
  MissingEventError,
  NATIVE_CURRENCY,
  RpcUnreachableError,
  TransactionRevertedError,
  UnknownDeploymentError,
  WrongChainError,
} from "./errors/chain.ts";
export type { TokenDescription } from "./errors/chain.ts";
export { AssetNotFoundError, ContractRevertedError, contractErrorFromRevert, decodeContractError, NotAssetOwnerError, protocolErrorsAbi } from "./errors/contract.ts";
export type { ContractErrorArgs, ContractErrorName } from "./errors/contract.ts";
export { toMyceliumError } from "./errors/normalize.ts";
export type { ErrorContext } from "./errors/normalize.ts";
export type { ReadActionErrorType, WriteActionErrorType } from "./errors/types.ts";

// The myc CLI, for embedding and tests
export { buildProgram, main as runCli } from "./cli/main.ts";
export type { MainParameters as RunCliParameters } from "./cli/main.ts";
export { EXIT_CODES, exitCodeOf } from "./cli/exitCodes.ts";

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
