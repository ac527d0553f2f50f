/**
 * Exit codes of `myc`, one per error class, so scripts can tell failures apart without parsing messages. Keyed by the
 * error's `name` (every class sets its own), so storage and training errors are listed here without importing them.
 * Codes are stable: new classes get new numbers, existing numbers never change meaning.
 */
export const EXIT_CODES = {
  /** Success. */
  ok: 0,
  /** An error without a code of its own (a bug: please report it with --verbose output). */
  unexpected: 1,
  /** Bad command line: unknown command or option, missing argument (from the argument parser). */
  usage: 2,
  InvalidArgumentError: 3,
  InvalidCidError: 4,
  ManifestValidationError: 5,
  AssetNotFoundError: 6,
  JobNotFoundError: 7,
  InsufficientBalanceError: 8,
  InsufficientAllowanceError: 9,
  NotAssetOwnerError: 10,
  ContractRevertedError: 11,
  TransactionRevertedError: 12,
  WrongChainError: 13,
  RpcUnreachableError: 14,
  UnknownDeploymentError: 15,
  InvalidDeploymentError: 16,
  MissingContractError: 17,
  MissingAccountError: 18,
  KeystoreError: 19,
  ChainRequestError: 20,
  MissingEventError: 21,
  NothingToClaimError: 22,
  InvalidTrainingSpecError: 23,
  BlockNotFoundError: 24,
  BlockVerificationError: 25,
  InvalidContentError: 26,
  PathNotFoundError: 27,
  UnsupportedContentError: 28,
  InvalidTensorShardError: 29,
  InvalidDatasetError: 30,
  ModelStorageError: 31,
  StorageNodeError: 32,
  InvalidStorageParameterError: 33,
  CarError: 34,
  GatewayError: 35,
  // The trainer (@mycelium/trainer, `mycelium-trainer`)
  UnknownBackendError: 36,
  BackendUnavailableError: 37,
  IncompatibleModelError: 38,
  TrainerJournalError: 39,
  TrainerNotActiveError: 40,
  RevealMissedError: 41,
  AbortedError: 130,
} as const;

export type ExitCodeName = keyof typeof EXIT_CODES;

/** The exit code for `error`: its class's code, else the code of the nearest ancestor class listed, else 1. */
export function exitCodeOf(error: unknown): number {
  for (let proto = error !== null && typeof error === "object" ? Object.getPrototypeOf(error) : null; proto; proto = Object.getPrototypeOf(proto)) {
    const name = (proto.constructor as { name?: string } | undefined)?.name;
    if (name && Object.hasOwn(EXIT_CODES, name)) return EXIT_CODES[name as ExitCodeName];
  }
  const name = (error as { name?: unknown })?.name;
  if (typeof name === "string" && Object.hasOwn(EXIT_CODES, name)) return EXIT_CODES[name as ExitCodeName];
  return EXIT_CODES.unexpected;
}
