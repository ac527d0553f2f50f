/**
 * Exit codes of the project's command lines (`myc`, `mycelium-trainer`), one per error `code` (every error class of
 * the project sets its own, see BaseError), so scripts can tell failures apart without parsing messages. A test checks
 * that every exported error class has its code here. Numbers are stable: new codes get new numbers, existing numbers
 * never change meaning. Only an error that is not one of the project's (a bug) exits with `unexpected`.
 */
export const EXIT_CODES = {
  /** Success. */
  ok: 0,
  /** An error that is not one of the project's own: a bug, please report it with --verbose output. */
  unexpected: 1,
  /** Bad command line: unknown command or option, missing argument (from the argument parser). */
  usage: 2,
  INVALID_ARGUMENT: 3,
  INVALID_CID: 4,
  MANIFEST_VALIDATION: 5,
  ASSET_NOT_FOUND: 6,
  JOB_NOT_FOUND: 7,
  INSUFFICIENT_BALANCE: 8,
  INSUFFICIENT_ALLOWANCE: 9,
  NOT_ASSET_OWNER: 10,
  CONTRACT_REVERTED: 11,
  TRANSACTION_REVERTED: 12,
  WRONG_CHAIN: 13,
  RPC_UNREACHABLE: 14,
  UNKNOWN_DEPLOYMENT: 15,
  INVALID_DEPLOYMENT: 16,
  MISSING_CONTRACT: 17,
  MISSING_ACCOUNT: 18,
  KEYSTORE: 19,
  CHAIN_REQUEST: 20,
  MISSING_EVENT: 21,
  NOTHING_TO_CLAIM: 22,
  INVALID_TRAINING_SPEC: 23,
  BLOCK_NOT_FOUND: 24,
  BLOCK_VERIFICATION: 25,
  INVALID_CONTENT: 26,
  PATH_NOT_FOUND: 27,
  UNSUPPORTED_CONTENT: 28,
  INVALID_TENSOR_SHARD: 29,
  INVALID_DATASET: 30,
  MODEL_STORAGE: 31,
  STORAGE_NODE: 32,
  INVALID_STORAGE_PARAMETER: 33,
  CAR: 34,
  GATEWAY: 35,
  // The trainer (@mycelium/trainer, `mycelium-trainer`)
  UNKNOWN_BACKEND: 36,
  BACKEND_UNAVAILABLE: 37,
  INCOMPATIBLE_MODEL: 38,
  TRAINER_JOURNAL: 39,
  TRAINER_NOT_ACTIVE: 40,
  REVEAL_MISSED: 41,
  // The indexer and its client
  INDEXER_REQUEST: 42,
  INDEXER_QUERY: 43,
  INDEXER_TIMEOUT: 44,
  INVALID_INDEXER_QUERY: 45,
  MANIFEST_RESOLVER_REQUIRED: 46,
  INDEXER_CONFIG: 54,
  // Datasets
  DATASET_FILES_NOT_FOUND: 47,
  INVALID_IDX_FILE: 48,
  INVALID_SHARD_ASSIGNMENT: 49,
  INVALID_RANDOM_RANGE: 50,
  INVALID_RANDOM_SEED: 51,
  // The round protocol
  UPDATE_MISMATCH: 52,
  INVALID_AGGREGATION_INPUT: 53,
  /** `myc verify`: the finalized tuple is not the one the rule gives (every update was fetched). */
  VERIFICATION_DISAGREES: 55,
  /** `myc verify`: the tuples differ and some update could not be fetched, so nothing is proven. */
  VERIFICATION_INCONCLUSIVE: 56,
  // Development tools (@mycelium/devkit, the demo)
  DEVNET_START: 57,
  INDEXER_START: 58,
  HUB: 59,
  /** A BaseError thrown as is, without a class of its own. */
  MYCELIUM_ERROR: 60,
  ABORTED: 130,
} as const;

export type ExitCodeName = keyof typeof EXIT_CODES;

/** The exit code for `error`: the one of its `code`, `unexpected` (1) for errors that are not the project's own. */
export function exitCodeOf(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code !== "ok" && code !== "unexpected" && code !== "usage" && Object.hasOwn(EXIT_CODES, code)) {
    return EXIT_CODES[code as ExitCodeName];
  }
  return EXIT_CODES.unexpected;
}
