import { BaseError } from "@mycelium/client";

/** Thrown for a `--backend` value that names no backend. */
export class UnknownBackendError extends BaseError {
  override name = "UnknownBackendError";
  readonly value: string;
  constructor(value: string, known: readonly string[]) {
    super(`Unknown compute backend "${value}".`, {
      details: `Known backends, best first: ${known.join(", ")}.`,
      hint: `Pass one of ${known.join(", ")} (or "auto" to take the best one installed).`,
    });
    this.value = value;
  }
}

/** Thrown when the requested backend's package is not installed or fails to initialise. */
export class BackendUnavailableError extends BaseError {
  override name = "BackendUnavailableError";
  readonly backend: string;
  constructor(backend: string, params: { reason: string; packageName: string | null; cause?: unknown }) {
    super(`Compute backend "${backend}" is not available.`, {
      details: params.reason,
      cause: params.cause,
      hint: params.packageName
        ? `Install ${params.packageName}@4.22.0 (it downloads native libraries at install time, and the GPU build needs CUDA), or choose another backend.`
        : "Choose another backend.",
    });
    this.backend = backend;
  }
}

/** Thrown when a model cannot be used for training: unsupported weights, data that does not fit its input. */
export class IncompatibleModelError extends BaseError {
  override name = "IncompatibleModelError";
  constructor(shortMessage: string, details: string, cause?: unknown) {
    super(shortMessage, {
      details,
      cause,
      hint: "Check that the job's model, spec and dataset belong together (input shape, class count, float32 weights).",
    });
  }
}

/** Thrown when the arguments of an aggregation cannot describe a round (as opposed to a bad update, which is excluded). */
export class InvalidAggregationInputError extends BaseError {
  override name = "InvalidAggregationInputError";
  constructor(details: string) {
    super("Invalid aggregation input.", {
      details,
      hint: "Pass the round's base model weights and one entry per revealed update, each with a distinct trainer index.",
    });
  }
}

/** The journal in the trainer's data directory cannot be used (unreadable, malformed, or another job's or account's). */
export class TrainerJournalError extends BaseError {
  override name = "TrainerJournalError";
  readonly path: string;
  constructor(path: string, problem: string, cause?: unknown) {
    super(`The trainer journal ${path} cannot be used: ${problem}.`, {
      cause,
      hint: "Each job and account has its own journal file; pass the data directory this trainer used before, or move the file away to start afresh (a commitment it records may then go unrevealed and be slashed).",
    });
    this.path = path;
  }
}

/** The account cannot take part in the job any more (it left, was slashed, or withdrew its stake) while rounds remain. */
export class TrainerNotActiveError extends BaseError {
  override name = "TrainerNotActiveError";
  readonly status: string;
  constructor(params: { jobId: bigint; trainer: string; status: string }) {
    super(`Trainer ${params.trainer} is "${params.status}" in job ${params.jobId} and cannot train in it.`, {
      hint: "Join another job, or run the trainer with another account.",
    });
    this.status = params.status;
  }
}

/** A commitment of this trainer was not revealed in its reveal window: its stake is lost to whoever slashes it. */
export class RevealMissedError extends BaseError {
  override name = "RevealMissedError";
  readonly round: bigint;
  constructor(params: { jobId: bigint; round: bigint; trainer: string; details?: string }) {
    super(`Trainer ${params.trainer} committed in round ${params.round} of job ${params.jobId} and did not reveal in time.`, {
      details: params.details,
      hint: "The stake will be slashed (anyone may call slash); the account cannot commit again in this job. Keep the trainer's data directory and RPC reachable through the reveal window.",
    });
    this.round = params.round;
  }
}

/**
 * A revealed update whose manifest does not match its reveal (another job, round, trainer, sample count or base
 * model). The round loop passes it to aggregation as `unavailable` with this message: excluded, never a crash.
 */
export class UpdateMismatchError extends BaseError {
  override name = "UpdateMismatchError";
  readonly cid: string;
  constructor(cid: string, mismatches: readonly string[]) {
    super(`Update ${cid} does not match its reveal: ${mismatches.join("; ")}.`, {
      hint: "The trainer that revealed it published a manifest for something else; its update is excluded from the round.",
    });
    this.cid = cid;
  }
}
