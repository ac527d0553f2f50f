import { BaseError } from "../errors/base.ts";

/** Thrown when in-memory dataset arrays are inconsistent (lengths, shapes, labels out of range). */
export class InvalidDatasetError extends BaseError {
  override name = "InvalidDatasetError";
  static override readonly code: string = "INVALID_DATASET";
  readonly field: string;
  readonly expected: string;
  readonly found: string;
  constructor(params: { field: string; expected: string; found: string; hint?: string }) {
    super(`Invalid dataset: \`${params.field}\` is wrong.`, {
      details: `Expected ${params.expected}, found ${params.found}.`,
      hint: params.hint ?? "Build datasets with createTensorDataset, which checks every array against the shape.",
    });
    this.field = params.field;
    this.expected = params.expected;
    this.found = params.found;
  }
}

/** Why a `mycelium/tensor-shards@1` shard was rejected. */
export type TensorShardDefect =
  | "truncated"
  | "magic"
  | "version"
  | "dtype"
  | "shape"
  | "reserved"
  | "length"
  | "padding"
  | "checksum"
  | "label"
  | "non-finite";

/** Thrown when bytes are not a valid `mycelium/tensor-shards@1` shard. `defect` says which check failed. */
export class InvalidTensorShardError extends BaseError {
  override name = "InvalidTensorShardError";
  static override readonly code: string = "INVALID_TENSOR_SHARD";
  readonly defect: TensorShardDefect;
  constructor(defect: TensorShardDefect, details: string) {
    super(`Invalid tensor shard (${defect}).`, {
      details,
      hint: "The shard is corrupt or not a mycelium/tensor-shards@1 file: fetch it again by its CID, or re-import the dataset.",
    });
    this.defect = defect;
  }
}

/** Thrown when an IDX file (the MNIST family's format) cannot be parsed. */
export class InvalidIdxFileError extends BaseError {
  override name = "InvalidIdxFileError";
  static override readonly code: string = "INVALID_IDX_FILE";
  constructor(details: string, params: { source?: string; cause?: unknown } = {}) {
    super(`Invalid IDX file${params.source ? ` ${params.source}` : ""}.`, {
      details,
      cause: params.cause,
      hint: "Use the original (optionally gzipped) IDX files, e.g. those of the Debian package dataset-fashion-mnist.",
    });
  }
}

/** Thrown when the files of a well-known dataset are not where they should be. */
export class DatasetFilesNotFoundError extends BaseError {
  override name = "DatasetFilesNotFoundError";
  static override readonly code: string = "DATASET_FILES_NOT_FOUND";
  readonly missing: readonly string[];
  constructor(params: { dataset: string; missing: readonly string[]; hint: string }) {
    super(`${params.dataset} files not found.`, {
      details: `Missing: ${params.missing.join(", ")}.`,
      hint: params.hint,
    });
    this.missing = params.missing;
  }
}

/** Thrown for shard-assignment parameters that cannot describe a round (no shards, bad seed, bad index). */
export class InvalidShardAssignmentError extends BaseError {
  override name = "InvalidShardAssignmentError";
  static override readonly code: string = "INVALID_SHARD_ASSIGNMENT";
  constructor(field: string, expected: string, found: unknown) {
    super(`Invalid shard assignment parameter \`${field}\`.`, {
      details: `Expected ${expected}, found ${typeof found === "bigint" ? `${found}n` : (JSON.stringify(found) ?? String(found))}.`,
      hint:
        "Take roundSeed from the chain (bytes32), trainerIndex from the trainer's join, " +
        "and counts from the job spec and dataset manifest.",
    });
  }
}
