/** Unions of the typed errors actions throw, for the `XErrorType` of each action. */
import type { AbortedError } from "./base.ts";
import type {
  ChainRequestError,
  InsufficientAllowanceError,
  InsufficientBalanceError,
  InvalidArgumentError,
  MissingAccountError,
  MissingContractError,
  MissingEventError,
  RpcUnreachableError,
  TransactionRevertedError,
  WrongChainError,
} from "./chain.ts";
import type { InvalidCidError } from "./storage.ts";
import type { AssetNotFoundError, ContractRevertedError, NotAssetOwnerError } from "./contract.ts";

/** What any read action may throw. */
export type ReadActionErrorType =
  | ContractRevertedError
  | AssetNotFoundError
  | InvalidArgumentError
  | InvalidCidError
  | MissingContractError
  | RpcUnreachableError
  | TransactionRevertedError
  | ChainRequestError;

/** What any write action may throw. */
export type WriteActionErrorType =
  | ReadActionErrorType
  | NotAssetOwnerError
  | InsufficientBalanceError
  | InsufficientAllowanceError
  | MissingAccountError
  | MissingEventError
  | WrongChainError
  | AbortedError;
