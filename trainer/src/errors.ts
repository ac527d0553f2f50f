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
