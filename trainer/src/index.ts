export { BACKEND_NAMES, parseBackendName, probeBackends, selectBackend } from "./backend.ts";
export type { BackendName, BackendProbe, SelectBackendParameters, SelectedBackend } from "./backend.ts";
export {
  BackendUnavailableError,
  IncompatibleModelError,
  InvalidAggregationInputError,
  UnknownBackendError,
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
