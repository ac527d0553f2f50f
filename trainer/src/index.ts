export { BACKEND_NAMES, parseBackendName, probeBackends, selectBackend } from "./backend.ts";
export type { BackendName, BackendProbe, SelectBackendParameters, SelectedBackend } from "./backend.ts";
export {
  BackendUnavailableError,
  IncompatibleModelError,
  InvalidAggregationInputError,
  RevealMissedError,
  TrainerJournalError,
  TrainerNotActiveError,
  UnknownBackendError,
  UpdateMismatchError,
} from "./errors.ts";
export {
  canonicalWeightBytes,
  createLayersModel,
  denseClassifierTopology,
  fromModelArtifacts,
  initializeModel,
  readLayersModel,
  toModelArtifacts,
  topologyOf,
  weightsDigest,
} from "./model.ts";
export type { LayersModelDefinition, WeightSpec } from "./model.ts";
export { createOptimizer, evaluateModel, trainLocally } from "./train.ts";
export type {
  EvaluateModelParameters,
  EvaluationResult,
  LocalTrainingConfig,
  LocalTrainingResult,
  TrainLocallyParameters,
  TrainingProgress,
} from "./train.ts";
export { MAX_TRAINER_INDEX, aggregateUpdates } from "./aggregate.ts";
export type { AggregateParameters, AggregationResult, AggregationUpdate, ExclusionReason, UpdateVerdict } from "./aggregate.ts";

// The round loop: the long-running trainer of one job (library entry and command line)
export { runTrainer } from "./loop/runTrainer.ts";
export type {
  ProducedUpdate,
  RoundSummary,
  RunTrainerOptions,
  RunTrainerReturnType,
  TrainerHooks,
  TrainerStorageOptions,
  TrainerSummary,
  UpdateContext,
} from "./loop/runTrainer.ts";
export { formatEvent } from "./loop/events.ts";
export type { RoundStep, TrainerEvent, TrainerEventBody, TrainerEventType } from "./loop/events.ts";
export { JOURNAL_FORMAT, Journal } from "./loop/journal.ts";
export type { JournalIdentity, JournalRound, JournalState, PendingTransaction } from "./loop/journal.ts";
export { TRAINER_ENVIRONMENT, runTrainerCli } from "./cli.ts";
export type { RunTrainerCliParameters } from "./cli.ts";
export { loadGlobalModel, loadUpdateWeights, storeAggregate, storeUpdate } from "./loop/content.ts";
export type { GlobalModel, LoadUpdateParameters, StoreAggregateParameters, StoreUpdateParameters } from "./loop/content.ts";
