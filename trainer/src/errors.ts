import { BaseError } from "@mycelium/client";

/** Thrown for a `--backend` value that names no backend. */
export class UnknownBackendError extends BaseError {
  override name = "UnknownBackendError";
  static override readonly code: string = "UNKNOWN_BACKEND";
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
  static override readonly code: string = "BACKEND_UNAVAILABLE";
  readonly backend: string;
  constructor(backend: string, params: { reason: string; packageName: string | null; cause?: unknown }) {
    super(`Compute backend "${backend}" is not available.`, {
      details: params.reason,
      cause: params.cause,
      hint: params.packageName
        ? `Install ${params.packageName}@4.22.0 (it downloads native libraries at install time, ` +
          "and the GPU build needs CUDA), or choose another backend."
        : "Choose another backend.",
    });
    this.backend = backend;
  }
}

/** The journal in the trainer's data directory cannot be used (unreadable, malformed, or another job's or account's). */
export class TrainerJournalError extends BaseError {
  override name = "TrainerJournalError";
  static override readonly code: string = "TRAINER_JOURNAL";
  readonly path: string;
  constructor(path: string, problem: string, cause?: unknown) {
    super(`The trainer journal ${path} cannot be used: ${problem}.`, {
      cause,
      hint:
        "Each job and account has its own journal file; pass the data directory this trainer used before, " +
        "or move the file away to start afresh (a commitment it records may then go unrevealed and be slashed).",
    });
    this.path = path;
  }
}

/** The account cannot take part in the job any more (it left, was slashed, or withdrew its stake) while rounds remain. */
export class TrainerNotActiveError extends BaseError {
  override name = "TrainerNotActiveError";
  static override readonly code: string = "TRAINER_NOT_ACTIVE";
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
  static override readonly code: string = "REVEAL_MISSED";
  readonly round: bigint;
  constructor(params: { jobId: bigint; round: bigint; trainer: string; details?: string }) {
    super(`Trainer ${params.trainer} committed in round ${params.round} of job ${params.jobId} and did not reveal in time.`, {
      details: params.details,
      hint:
        "The stake will be slashed (anyone may call slash); the account cannot commit again in this job. " +
        "Keep the trainer's data directory and RPC reachable through the reveal window.",
    });
    this.round = params.round;
  }
}
