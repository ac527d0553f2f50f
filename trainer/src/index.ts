export { BACKEND_NAMES, parseBackendName, probeBackends, selectBackend } from "./backend.ts";
export type { BackendName, BackendProbe, SelectBackendParameters, SelectedBackend } from "./backend.ts";
export { BackendUnavailableError, RevealMissedError, TrainerJournalError, TrainerNotActiveError, UnknownBackendError } from "./errors.ts";
export { createLayersModel, denseClassifierTopology, initializeModel, readLayersModel, topologyOf } from "./model.ts";
export { createOptimizer, evaluateModel, trainLocally } from "./train.ts";
export { REPLAY_TOLERANCE, auditByReplay, compareWithReplay, createReplayAuditor, declaredSteps } from "./audit.ts";
export type { CreateReplayAuditorParameters, ReplayAuditParameters, ReplayAuditResult, ReplayComparison } from "./audit.ts";
export type {
  EvaluateModelParameters,
  EvaluationResult,
  LocalTrainingConfig,
  LocalTrainingResult,
  TrainLocallyParameters,
  TrainingProgress,
} from "./train.ts";

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
export { ShardCache } from "./loop/shards.ts";
export type { BlockSources } from "./loop/shards.ts";
