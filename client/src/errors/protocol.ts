/** Errors of the round protocol: models that cannot take part in a round, aggregation inputs that cannot describe one. */
import { BaseError } from "./base.ts";

/** Thrown when a model cannot be used for training: unsupported weights, data that does not fit its input. */
export class IncompatibleModelError extends BaseError {
  override name = "IncompatibleModelError";
  static override readonly code: string = "INCOMPATIBLE_MODEL";
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
  static override readonly code: string = "INVALID_AGGREGATION_INPUT";
  constructor(details: string) {
    super("Invalid aggregation input.", {
      details,
      hint: "Pass the round's base model weights and one entry per revealed update, each with a distinct trainer index.",
    });
  }
}

/**
 * A revealed update whose manifest does not match its reveal (another job, round, trainer, sample count or base
 * model). The round loop passes it to aggregation as `unavailable` with this message: excluded, never a crash.
 */
export class UpdateMismatchError extends BaseError {
  override name = "UpdateMismatchError";
  static override readonly code: string = "UPDATE_MISMATCH";
  readonly cid: string;
  constructor(cid: string, mismatches: readonly string[]) {
    super(`Update ${cid} does not match its reveal: ${mismatches.join("; ")}.`, {
      hint: "The trainer that revealed it published a manifest for something else; its update is excluded from the round.",
    });
    this.cid = cid;
  }
}
