import { formatUnits, type Address, type Hash } from "viem";
import { BaseError } from "./base.ts";

/**
 * Typed errors of the chain side of the client (deployments, accounts, RPC, transactions, balances). Contract reverts
 * have their own family in ./contract.ts. Each error carries the values that explain it and says what to do next.
 */

/** A parameter of an action or a CLI flag has the wrong shape (not an address, a negative amount, an unknown kind). */
export class InvalidArgumentError extends BaseError {
  override name = "InvalidArgumentError";
  static override readonly code: string = "INVALID_ARGUMENT";
  readonly parameter: string;
  readonly value: string;

  constructor(params: { parameter: string; value: unknown; expected: string; hint?: string; cause?: unknown }) {
    const shown = showArgument(params.value);
    super(`Invalid ${params.parameter}: ${shown}.`, {
      details: `expected ${params.expected}`,
      hint: params.hint ?? `Pass ${params.expected}.`,
      cause: params.cause,
    });
    this.parameter = params.parameter;
    this.value = shown;
  }
}

/**
 * How an invalid argument is shown in a message. A string that looks like a private key (56 or more hex digits, with or
 * without 0x: a key pasted into the wrong place, or mistyped) is never repeated: messages end up in terminals, logs and
 * bug reports.
 */
function showArgument(value: unknown): string {
  if (typeof value !== "string") return String(value);
  // 56 digits and more: a key with a digit or a few missing (or extra) is still most of a key.
  const hex = /^\s*(?:0x)?([0-9a-fA-F]{56,})\s*$/.exec(value);
  if (hex) return `(${hex[1]!.length} hex digits, not shown: they may be a private key)`;
  return JSON.stringify(value);
}

/** The JSON-RPC endpoint did not answer (nothing listening, DNS failure, timeout, HTTP error). */
export class RpcUnreachableError extends BaseError {
  override name = "RpcUnreachableError";
  static override readonly code: string = "RPC_UNREACHABLE";
  readonly url: string;

  constructor(params: { url: string; cause?: unknown }) {
    super(`The RPC endpoint ${params.url} is unreachable.`, {
      details: causeMessage(params.cause),
      hint: "Check the RPC URL (MYC_RPC_URL, or the one given) and that the node is running; for a local chain, start the devnet first.",
      cause: params.cause,
    });
    this.url = params.url;
  }
}

/** The RPC endpoint serves another chain than the one expected (from --chain-id, MYC_CHAIN_ID or the deployment). */
export class WrongChainError extends BaseError {
  override name = "WrongChainError";
  static override readonly code: string = "WRONG_CHAIN";
  readonly expectedChainId: number;
  readonly actualChainId: number;

  constructor(params: { expectedChainId: number; actualChainId: number; rpcUrl?: string | undefined; expectedBy: string }) {
    super(
      `Wrong chain: expected chain ${params.expectedChainId} (${params.expectedBy}), but the RPC serves chain ${params.actualChainId}.`,
      {
        details: params.rpcUrl ? `RPC ${params.rpcUrl}` : undefined,
        hint: "Point the RPC URL at the intended chain, or use the deployment of the chain it serves.",
      },
    );
    this.expectedChainId = params.expectedChainId;
    this.actualChainId = params.actualChainId;
  }
}

/** No deployment of the protocol is known for this chain id. */
export class UnknownDeploymentError extends BaseError {
  override name = "UnknownDeploymentError";
  static override readonly code: string = "UNKNOWN_DEPLOYMENT";
  readonly chainId: number;

  constructor(params: { chainId: number; searched: string[] }) {
    super(`No Mycelium deployment is known for chain ${params.chainId}.`, {
      details: params.searched.length > 0 ? `looked for ${params.searched.join(", ")}` : undefined,
      hint:
        "Pass the deployment (a file or an object; MYC_DEPLOYMENT names a file), set MYC_DEPLOYMENTS_DIR to the folder " +
        "holding <chainId>.json, or work in a directory with deployments/<chainId>.json (a local devnet writes one).",
    });
    this.chainId = params.chainId;
  }
}

/** A deployment file or object is not of the expected shape. */
export class InvalidDeploymentError extends BaseError {
  override name = "InvalidDeploymentError";
  static override readonly code: string = "INVALID_DEPLOYMENT";
  readonly source: string;

  constructor(params: { source: string; problem: string; cause?: unknown }) {
    super(`The deployment ${params.source} is invalid: ${params.problem}.`, {
      hint: 'A deployment is JSON: { "chainId": 31337, "contracts": { "AssetRegistry": { "address": "0x…", "startBlock": 1 }, … } }.',
      cause: params.cause,
    });
    this.source = params.source;
  }
}

/** The deployment lacks a contract an action needs (for example TrainingJobs on a chain deployed before it existed). */
export class MissingContractError extends BaseError {
  override name = "MissingContractError";
  static override readonly code: string = "MISSING_CONTRACT";
  readonly chainId: number;
  readonly contract: string;

  constructor(params: { chainId: number; contract: string; available: string[] }) {
    super(`The deployment of chain ${params.chainId} has no ${params.contract} contract.`, {
      details: `it has ${params.available.join(", ") || "no contracts"}`,
      hint: `Deploy ${params.contract} on this chain and add it to the deployment file, or use a chain that has it.`,
    });
    this.chainId = params.chainId;
    this.contract = params.contract;
  }
}

/** A write action was called on a client without an account. */
export class MissingAccountError extends BaseError {
  override name = "MissingAccountError";
  static override readonly code: string = "MISSING_ACCOUNT";

  constructor(params: { action: string }) {
    super(`${params.action} needs an account to sign with, and none is configured.`, {
      hint:
        "Create the client with an account (createMyceliumClient({ account }), from a private key or an encrypted " +
        "keystore: decryptKeystore).",
    });
  }
}

/** A keystore file cannot be read, decrypted or written. */
export class KeystoreError extends BaseError {
  override name = "KeystoreError";
  static override readonly code: string = "KEYSTORE";
  readonly path: string | undefined;

  constructor(shortMessage: string, params: { path?: string | undefined; hint: string; details?: string | undefined; cause?: unknown }) {
    super(shortMessage, { hint: params.hint, details: params.details, cause: params.cause });
    this.path = params.path;
  }
}

/** What a balance or allowance is counted in: an ERC-20 token, or the chain's native currency (`address` null). */
export type TokenDescription = { address: Address | null; symbol: string; decimals: number };

/** The chain's native currency, in which gas is paid. */
export const NATIVE_CURRENCY: TokenDescription = { address: null, symbol: "ETH", decimals: 18 };

function formatAmount(value: bigint, token: TokenDescription | undefined): string {
  return token ? `${formatUnits(value, token.decimals)} ${token.symbol}` : `${value} token units`;
}

/**
 * An account holds less of a token (or of the native currency, for gas) than an operation needs. `token` is undefined
 * when the error comes from a revert deep in a call, where the client cannot tell which token it was; `needed` is
 * undefined when the node only said the balance is too low (gas).
 */
export class InsufficientBalanceError extends BaseError {
  override name = "InsufficientBalanceError";
  static override readonly code: string = "INSUFFICIENT_BALANCE";
  readonly account: Address;
  readonly token: TokenDescription | undefined;
  readonly balance: bigint;
  readonly needed: bigint | undefined;

  constructor(params: {
    account: Address;
    token?: TokenDescription | undefined;
    balance: bigint;
    needed?: bigint | undefined;
    purpose: string;
    hint?: string;
    cause?: unknown;
  }) {
    const amount = (value: bigint) => formatAmount(value, params.token);
    const { needed } = params;
    super(
      `Account ${params.account} holds ${amount(params.balance)} ` +
        `but ${params.purpose} needs ${needed === undefined ? "more" : amount(needed)}.`,
      {
        details: params.token?.address ? `token ${params.token.address}` : undefined,
        hint:
          params.hint ??
          (needed === undefined
            ? `Send more ${params.token?.symbol ?? "funds"} to ${params.account} and try again.`
            : `Send at least ${amount(needed - params.balance)} more to ${params.account} and try again.`),
        cause: params.cause,
      },
    );
    this.account = params.account;
    this.token = params.token;
    this.balance = params.balance;
    this.needed = needed;
  }
}

/** A spender may move less of an owner's tokens than an operation needs. */
export class InsufficientAllowanceError extends BaseError {
  override name = "InsufficientAllowanceError";
  static override readonly code: string = "INSUFFICIENT_ALLOWANCE";
  readonly owner: Address | undefined;
  readonly spender: Address;
  readonly allowance: bigint;
  readonly needed: bigint;

  constructor(params: {
    owner?: Address | undefined;
    spender: Address;
    token?: TokenDescription | undefined;
    allowance: bigint;
    needed: bigint;
    hint?: string;
    cause?: unknown;
  }) {
    const amount = (value: bigint) => formatAmount(value, params.token);
    super(
      `${params.spender} may move ${amount(params.allowance)}${params.owner ? ` of ${params.owner}'s tokens` : ""}` +
        ` but needs ${amount(params.needed)}.`,
      {
        details: params.token?.address ? `token ${params.token.address}` : undefined,
        hint: params.hint ?? "Approve the spender for the amount first (the buy actions do it for you unless told not to).",
        cause: params.cause,
      },
    );
    this.owner = params.owner;
    this.spender = params.spender;
    this.allowance = params.allowance;
    this.needed = params.needed;
  }
}

/** A transaction or call reverted without a custom error this client knows (a require string, a panic, no data). */
export class TransactionRevertedError extends BaseError {
  override name = "TransactionRevertedError";
  static override readonly code: string = "TRANSACTION_REVERTED";
  readonly hash: Hash | undefined;
  readonly reason: string | undefined;

  constructor(params: { action: string; hash?: Hash | undefined; reason?: string | undefined; raw?: string | undefined; cause?: unknown }) {
    super(`${params.action} reverted${params.reason ? `: ${params.reason}` : ""}.`, {
      details:
        [params.hash ? `transaction ${params.hash}` : "", params.raw && params.raw !== "0x" ? `revert data ${params.raw}` : ""]
          .filter(Boolean)
          .join("; ") || undefined,
      hint: "Read the current state (asset, listing, job) and check the call's parameters against it.",
      cause: params.cause,
    });
    this.hash = params.hash;
    this.reason = params.reason;
  }
}

/** The node rejected a request for another reason (nonce, gas price, unsupported method...). */
export class ChainRequestError extends BaseError {
  override name = "ChainRequestError";
  static override readonly code: string = "CHAIN_REQUEST";

  constructor(params: { action: string; cause: unknown }) {
    super(`${params.action} failed: ${causeMessage(params.cause) ?? "the node rejected the request"}.`, {
      hint: "Check the node's logs; retry once the cause is fixed.",
      cause: params.cause,
    });
  }
}

/** `claimRewards` found no round whose reward the account may claim. */
export class NothingToClaimError extends BaseError {
  override name = "NothingToClaimError";
  static override readonly code: string = "NOTHING_TO_CLAIM";
  readonly jobId: bigint;

  constructor(params: { jobId: bigint; account: Address; checked: number }) {
    super(`Account ${params.account} has no reward to claim in job ${params.jobId}.`, {
      details: `checked ${params.checked} finalized round(s)`,
      hint: "Rewards go to trainers included in a round's winning aggregate who attested it; claimed rounds pay once.",
    });
    this.jobId = params.jobId;
  }
}

/** A confirmed transaction lacks the event its action is defined by (a contract that does not match this client). */
export class MissingEventError extends BaseError {
  override name = "MissingEventError";
  static override readonly code: string = "MISSING_EVENT";

  constructor(params: { action: string; eventName: string; hash: Hash; address: Address }) {
    super(`${params.action} was confirmed but ${params.address} emitted no ${params.eventName} event.`, {
      details: `transaction ${params.hash}`,
      hint: "The contract at this address is not the one this client expects: check the deployment file.",
    });
  }
}

function causeMessage(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  const short = (cause as { shortMessage?: unknown }).shortMessage;
  if (typeof short === "string") return short;
  if (cause instanceof Error) return cause.message.split("\n")[0];
  return String(cause);
}
