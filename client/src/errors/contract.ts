/**
 * Custom errors of the Mycelium contracts, decoded into typed errors.
 *
 * Every custom error any protocol contract can raise (its own, and the OpenZeppelin errors it bubbles up) becomes a
 * `ContractRevertedError` whose `errorName` and `args` (an object keyed by the Solidity parameter names, typed from the
 * generated ABIs) say exactly what failed, and whose message says what to do. The table of explanations below is typed
 * against the ABIs: a new contract error does not typecheck until it has an explanation.
 *
 * A few errors users catch on their own get subclasses: `AssetNotFoundError`, `NotAssetOwnerError`. Token balance and
 * allowance reverts (`ERC20InsufficientBalance`, `ERC20InsufficientAllowance`) become `InsufficientBalanceError` and
 * `InsufficientAllowanceError` (./chain.ts), the same classes the actions throw when they see the shortfall before
 * sending, with the decoded `ContractRevertedError` as `cause`.
 */
import { decodeErrorResult, type AbiParameterToPrimitiveType, type Address, type Hex } from "viem";
import { assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi } from "../abis/index.ts";
import { assetStateName } from "../chain/assetTypes.ts";
import { BaseError } from "./base.ts";
import { InsufficientAllowanceError, InsufficientBalanceError } from "./chain.ts";

type ProtocolAbiItem =
  | (typeof assetRegistryAbi)[number]
  | (typeof datatokenAbi)[number]
  | (typeof marketplaceAbi)[number]
  | (typeof testPaymentTokenAbi)[number];
type ProtocolErrorItem = Extract<ProtocolAbiItem, { type: "error" }>;

/** Name of any custom error a protocol contract can revert with. */
export type ContractErrorName = ProtocolErrorItem["name"];

/** The decoded arguments of error `name`, keyed by their Solidity names. */
export type ContractErrorArgs<name extends ContractErrorName> = {
  [parameter in Extract<ProtocolErrorItem, { name: name }>["inputs"][number] as parameter["name"]]: AbiParameterToPrimitiveType<parameter>;
};

/** Every custom error of the protocol's ABIs, once each (errors shared by several contracts have one signature). */
export const protocolErrorsAbi: readonly ProtocolErrorItem[] = (() => {
  const bySignature = new Map<string, ProtocolErrorItem>();
  for (const abi of [assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi] as const) {
    for (const item of abi as readonly ProtocolAbiItem[]) {
      if (item.type !== "error") continue;
      bySignature.set(`${item.name}(${item.inputs.map((input) => input.type).join(",")})`, item);
    }
  }
  return [...bySignature.values()];
})();

type Explanation = { message: string; hint: string };
type Explain<name extends ContractErrorName> = (args: ContractErrorArgs<name>) => Explanation;

const bug = "This should not happen through the Mycelium client; please report it with the transaction or call that raised it.";
const amount = (value: bigint) => `${value} unit${value === 1n ? "" : "s"}`;

/** What each contract error means for the user, and what to do about it. */
const explanations: { [name in ContractErrorName]: Explain<name> } = {
  // AssetRegistry
  AssetNotFound: ({ assetId }) => ({
    message: `Asset ${assetId} does not exist.`,
    hint: "Check the id (list assets with `myc assets` or listAssets); asset ids start at 1.",
  }),
  NotAssetOwner: ({ assetId, caller, owner }) => ({
    message: `Account ${caller} does not own asset ${assetId} (owner is ${owner}).`,
    hint: "Transfer the asset NFT to this account or use the owner's key.",
  }),
  AssetIsRevoked: ({ assetId }) => ({
    message: `Asset ${assetId} is revoked.`,
    hint: "Revocation is final: its manifest and state can no longer change. Publish a new asset instead.",
  }),
  StateUnchanged: ({ assetId, state }) => ({
    message: `Asset ${assetId} is already ${assetStateName(state)}.`,
    hint: "Nothing to change; pick another state.",
  }),
  DatatokenExists: ({ assetId, datatoken }) => ({
    message: `Asset ${assetId} already has a datatoken (${datatoken}).`,
    hint: "An asset has one datatoken: mint more of it (mintDatatokens, `myc mint`) instead of creating another.",
  }),
  ParentNotFound: ({ parentId }) => ({
    message: `Lineage parent asset ${parentId} does not exist.`,
    hint: "Parents must be published assets; check the ids.",
  }),
  DuplicateParent: ({ parentId }) => ({
    message: `Lineage parent asset ${parentId} is named twice.`,
    hint: "Name each parent once.",
  }),
  TooManyParents: ({ count, max }) => ({
    message: `${count} lineage parents were given; at most ${max} are allowed.`,
    hint: `Keep the ${max} most direct parents.`,
  }),
  InvalidMarketplace: ({ marketplace }) => ({
    message: `${marketplace} is not a Marketplace contract.`,
    hint: "Use the Marketplace address of the deployment (the client does this unless you pass another).",
  }),
  EmptyCid: () => ({
    message: "The manifest CID is empty.",
    hint: "Pass the CIDv1 of the manifest (bafy...).",
  }),
  MalformedCid: ({ cid, offset }) => ({
    message: `The CID ${cid} is malformed at byte ${offset}.`,
    hint: "Pass a CIDv1 (a CID object or a bafy... string); the client converts it to the binary form the contract checks.",
  }),
  CloneArgumentsTooLong: () => ({ message: "The datatoken clone's arguments are too long.", hint: bug }),
  Create2EmptyBytecode: () => ({ message: "The datatoken implementation has no code.", hint: bug }),
  FailedDeployment: () => ({ message: "Creating the datatoken clone failed.", hint: bug }),
  InsufficientBalance: ({ balance, needed }) => ({
    message: `The registry holds ${balance} wei but creating the clone needs ${needed}.`,
    hint: bug,
  }),
  // ERC-721 (asset NFTs)
  ERC721IncorrectOwner: ({ sender, tokenId, owner }) => ({
    message: `Account ${sender} does not own asset ${tokenId} (owner is ${owner}).`,
    hint: "Use the owner's key to transfer the asset NFT.",
  }),
  ERC721InsufficientApproval: ({ operator, tokenId }) => ({
    message: `Account ${operator} is not approved to move asset ${tokenId}.`,
    hint: "Ask the owner to approve this account, or transfer with the owner's key.",
  }),
  ERC721InvalidApprover: ({ approver }) => ({ message: `${approver} cannot approve asset transfers.`, hint: "Approve from the owner's account." }),
  ERC721InvalidOperator: ({ operator }) => ({ message: `${operator} cannot be an operator.`, hint: "Name a non-zero operator address." }),
  ERC721InvalidOwner: ({ owner }) => ({ message: `${owner} cannot own assets.`, hint: "Name a non-zero owner address." }),
  ERC721InvalidReceiver: ({ receiver }) => ({
    message: `Asset NFTs cannot be sent to ${receiver}.`,
    hint: "Send to an account, or to a contract that implements onERC721Received.",
  }),
  ERC721InvalidSender: ({ sender }) => ({ message: `${sender} cannot send asset NFTs.`, hint: "Send from the owner's account." }),
  ERC721NonexistentToken: ({ tokenId }) => ({
    message: `Asset ${tokenId} does not exist.`,
    hint: "Check the id (list assets with `myc assets` or listAssets); asset ids start at 1.",
  }),
  // Datatoken
  AssetNotActive: ({ assetId, state }) => ({
    message: `Asset ${assetId} is ${assetStateName(state)}, not active.`,
    hint: "Only active assets can be listed, bought, dispensed or ordered; its owner can make it active again unless it is revoked.",
  }),
  InvalidConsumer: () => ({ message: "An order needs a consumer address.", hint: "Name the consumer (not the zero address)." }),
  NotRegistry: ({ caller }) => ({ message: `Only the asset registry may initialize a datatoken (caller ${caller}).`, hint: bug }),
  // ERC-20 and ERC-2612 (datatokens and payment tokens)
  ERC20InsufficientBalance: ({ sender, balance, needed }) => ({
    message: `Account ${sender} holds ${amount(balance)} of the token but ${amount(needed)} are needed.`,
    hint: "Top up the account (on a devnet: `myc faucet`). If it is the asset owner's account, the listing ran out of datatokens: the owner mints more.",
  }),
  ERC20InsufficientAllowance: ({ spender, allowance, needed }) => ({
    message: `${spender} may move ${amount(allowance)} of the token but ${amount(needed)} are needed.`,
    hint: "Approve the spender first; if the spender is the Marketplace selling an asset owner's datatokens, the owner approves it (setListing does).",
  }),
  ERC20InvalidApprover: ({ approver }) => ({ message: `${approver} cannot approve token transfers.`, hint: "Approve from a non-zero account." }),
  ERC20InvalidReceiver: ({ receiver }) => ({ message: `Tokens cannot be sent to ${receiver}.`, hint: "Name a non-zero recipient." }),
  ERC20InvalidSender: ({ sender }) => ({ message: `${sender} cannot send tokens.`, hint: "Send from a non-zero account." }),
  ERC20InvalidSpender: ({ spender }) => ({ message: `${spender} cannot be a spender.`, hint: "Name a non-zero spender." }),
  ERC2612ExpiredSignature: ({ deadline }) => ({
    message: `The permit expired at ${new Date(Number(deadline) * 1000).toISOString()}.`,
    hint: "Sign a new permit with a later deadline (buyAccess signs one for you).",
  }),
  ERC2612InvalidSigner: ({ signer, owner }) => ({
    message: `The permit was signed by ${signer}, not by the token holder ${owner}.`,
    hint: "Sign the permit with the holder's key, for this token and this chain id.",
  }),
  InvalidAccountNonce: ({ account, currentNonce }) => ({
    message: `The permit's nonce is stale for ${account} (the token expects nonce ${currentNonce}).`,
    hint: "Sign a new permit; another permit of this account was used in the meantime.",
  }),
  ECDSAInvalidSignature: () => ({ message: "The permit signature is invalid.", hint: "Sign the permit again with the holder's key." }),
  ECDSAInvalidSignatureLength: ({ length }) => ({ message: `The permit signature has ${length} bytes.`, hint: "Sign the permit again." }),
  ECDSAInvalidSignatureS: ({ s }) => ({ message: `The permit signature has a malleable s value (${s}).`, hint: "Sign the permit again." }),
  InvalidShortString: () => ({ message: "A token name is not a short string.", hint: bug }),
  StringTooLong: ({ str }) => ({ message: `The string "${str}" is too long for the token.`, hint: bug }),
  // Marketplace
  NoDatatoken: ({ assetId }) => ({
    message: `Asset ${assetId} has no datatoken yet.`,
    hint: "Its owner creates one (createDatatoken, `myc datatoken <id>`) before listing it or opening a dispenser.",
  }),
  NotListed: ({ assetId }) => ({
    message: `Asset ${assetId} is not for sale.`,
    hint: "Check the asset (`myc asset <id>`): it may have a dispenser instead, or its owner may open a listing.",
  }),
  NoDispenser: ({ assetId }) => ({
    message: `Asset ${assetId} has no open dispenser.`,
    hint: "Buy access instead, or ask its owner to open a dispenser.",
  }),
  ZeroPrice: () => ({ message: "A listing price must be above zero.", hint: "Open a dispenser (setDispenser) to give an asset away." }),
  InvalidPaymentToken: ({ token }) => ({
    message: `${token} cannot be used as a payment token.`,
    hint: "Use an ERC-20 contract that answers decimals(), other than the asset's own datatoken.",
  }),
  PaymentTokenMismatch: ({ assetId, expected, actual }) => ({
    message: `The listing of asset ${assetId} is now paid in ${actual}, not ${expected}.`,
    hint: "The listing changed since it was read: read it again and retry.",
  }),
  ZeroCount: () => ({ message: "The number of tokens must be at least 1.", hint: "Ask for one or more whole tokens." }),
  PaymentTooHigh: ({ total, maxPayment }) => ({
    message: `The purchase now costs ${amount(total)}, above the maximum of ${amount(maxPayment)}.`,
    hint: "The price or the fees changed since the quote: quote again, or raise the maximum payment.",
  }),
  MarketFeeTooHigh: ({ bps, cap }) => ({
    message: `A consume-market fee of ${bps} basis points exceeds the cap of ${cap}.`,
    hint: `Use at most ${cap} basis points.`,
  }),
  ProtocolFeeTooHigh: ({ bps, cap }) => ({
    message: `A protocol fee of ${bps} basis points exceeds the cap of ${cap}.`,
    hint: `Use at most ${cap} basis points.`,
  }),
  MissingMarketFeeRecipient: () => ({
    message: "A consume-market fee needs a recipient.",
    hint: "Name the fee recipient, or set the fee to 0.",
  }),
  InvalidTreasury: ({ treasury }) => ({ message: `${treasury} cannot receive the protocol fee.`, hint: "Name a non-zero treasury." }),
  InvalidDispenserLimit: ({ maxPerWallet }) => ({
    message: `A dispenser limit of ${maxPerWallet} tokens per wallet is not allowed.`,
    hint: "Use a limit of at least 1, or close the dispenser (closeDispenser).",
  }),
  DispenserLimitExceeded: ({ assetId, wallet, requested, remaining }) => ({
    message: `The dispenser of asset ${assetId} gives ${wallet} at most ${remaining} more token${remaining === 1n ? "" : "s"}; ${requested} were requested.`,
    hint: remaining > 0n ? `Ask for at most ${remaining}.` : "This wallet has had its share; buy access instead.",
  }),
  OwnableInvalidOwner: ({ owner }) => ({ message: `${owner} cannot own the Marketplace.`, hint: "Name a non-zero owner." }),
  OwnableUnauthorizedAccount: ({ account }) => ({
    message: `Account ${account} is not the Marketplace's owner.`,
    hint: "Only the protocol administrator may change protocol settings.",
  }),
  ReentrancyGuardReentrantCall: () => ({
    message: "A reentrant call into the Marketplace was blocked.",
    hint: "The payment token called back into the Marketplace; use a plain ERC-20 payment token.",
  }),
  SafeERC20FailedOperation: ({ token }) => ({
    message: `Token ${token} refused a transfer.`,
    hint: "The token returned false; check the balance and allowance it expects, or use another payment token.",
  }),
};

/** A contract call or transaction reverted with one of the protocol's custom errors. */
export class ContractRevertedError<name extends ContractErrorName = ContractErrorName> extends BaseError {
  override name = "ContractRevertedError";
  /** The Solidity error's name, e.g. "NotAssetOwner". */
  readonly errorName: name;
  /** The error's arguments, keyed by their Solidity names. */
  readonly args: ContractErrorArgs<name>;
  /** The contract and function the client called (the error may come from a contract it called in turn). */
  readonly contractAddress: Address | undefined;
  readonly functionName: string | undefined;

  constructor(params: {
    errorName: name;
    args: ContractErrorArgs<name>;
    contractAddress?: Address | undefined;
    functionName?: string | undefined;
    cause?: unknown;
  }) {
    const { message, hint } = (explanations[params.errorName] as Explain<name>)(params.args);
    super(message, {
      details: `${params.errorName}(${Object.entries(params.args as Record<string, unknown>).map(([key, value]) => `${key}: ${String(value)}`).join(", ")})${params.functionName ? ` in ${params.functionName}` : ""}${params.contractAddress ? ` on ${params.contractAddress}` : ""}`,
      hint,
      cause: params.cause,
    });
    this.errorName = params.errorName;
    this.args = params.args;
    this.contractAddress = params.contractAddress;
    this.functionName = params.functionName;
  }

  /** Narrows to one error name: `if (error.is("NotListed")) error.args.assetId`. */
  is<other extends ContractErrorName>(errorName: other): this is ContractRevertedError<other> {
    return (this.errorName as ContractErrorName) === errorName;
  }
}

/** The asset id names no asset (`AssetNotFound`). */
export class AssetNotFoundError extends ContractRevertedError<"AssetNotFound"> {
  override name = "AssetNotFoundError";
  get assetId(): bigint {
    return this.args.assetId;
  }
}

/** The account is not the asset NFT's current owner. */
export class NotAssetOwnerError extends ContractRevertedError<"NotAssetOwner"> {
  override name = "NotAssetOwnerError";
}

/** Decodes revert data against every protocol error; null when the selector is not one of them. */
export function decodeContractError(data: Hex): { errorName: ContractErrorName; args: Record<string, unknown> } | null {
  if (data.length < 10) return null;
  try {
    const decoded = decodeErrorResult({ abi: protocolErrorsAbi, data });
    const item = protocolErrorsAbi.find((error) => error.name === decoded.errorName && decoded.abiItem === error) ??
      protocolErrorsAbi.find((error) => error.name === decoded.errorName)!;
    const values = (decoded.args ?? []) as readonly unknown[];
    const args = Object.fromEntries(item.inputs.map((input, index) => [input.name, values[index]]));
    return { errorName: decoded.errorName as ContractErrorName, args };
  } catch {
    return null;
  }
}

/**
 * The typed error for a decoded revert: AssetNotFoundError, NotAssetOwnerError, InsufficientBalanceError,
 * InsufficientAllowanceError, or a ContractRevertedError keyed by name.
 */
export function contractErrorFromRevert(params: {
  errorName: ContractErrorName;
  args: Record<string, unknown>;
  contractAddress?: Address | undefined;
  functionName?: string | undefined;
  cause?: unknown;
}): BaseError {
  const { errorName, args, contractAddress, functionName, cause } = params;
  const common = { contractAddress, functionName, cause };
  switch (errorName) {
    case "AssetNotFound":
      return new AssetNotFoundError({ errorName, args: args as ContractErrorArgs<"AssetNotFound">, ...common });
    case "NotAssetOwner":
      return new NotAssetOwnerError({ errorName, args: args as ContractErrorArgs<"NotAssetOwner">, ...common });
    case "ERC20InsufficientBalance": {
      const typed = args as ContractErrorArgs<"ERC20InsufficientBalance">;
      const reverted = new ContractRevertedError({ errorName, args: typed, ...common });
      return new InsufficientBalanceError({
        account: typed.sender,
        balance: typed.balance,
        needed: typed.needed,
        purpose: functionName ? `${functionName}` : "the call",
        hint: reverted.hint,
        cause: reverted,
      });
    }
    case "ERC20InsufficientAllowance": {
      const typed = args as ContractErrorArgs<"ERC20InsufficientAllowance">;
      const reverted = new ContractRevertedError({ errorName, args: typed, ...common });
      return new InsufficientAllowanceError({ spender: typed.spender, allowance: typed.allowance, needed: typed.needed, hint: reverted.hint, cause: reverted });
    }
    default:
      return new ContractRevertedError({ errorName, args: args as never, ...common });
  }
}
