import { zeroAddress, type Address, type Hash, type TransactionReceipt } from "viem";
import { marketplaceAbi } from "../abis/index.ts";
import { toAddress, toId, toUint } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { ensureAllowance, requireBalance } from "../chain/tokens.ts";
import {
  eventsOf,
  requireAccount,
  sendContractTransaction,
  type TransactionOptions,
  type TransactionResult,
} from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { quote } from "./quote.ts";

/** A consume-market fee, paid by the buyer on top of the price to a front-end that named itself. */
export type MarketFee = { recipient: Address; bps: number };

export type BuyParameters = {
  assetId: bigint | number;
  /** Whole datatokens to buy (default 1). */
  count?: bigint | number | undefined;
  /** Upper bound on what is paid, fees included; default the current quote (so a price rise reverts PaymentTooHigh). */
  maxPayment?: bigint | undefined;
  marketFee?: MarketFee | undefined;
  /** Approve the Marketplace for `maxPayment` of the payment token when the allowance is short (a second transaction). Default true. */
  approve?: boolean | undefined;
} & TransactionOptions;

export type BuyReturnType = TransactionResult & {
  assetId: bigint;
  count: bigint;
  paymentToken: Address;
  /** What was paid: price * count + protocol fee + market fee. */
  total: bigint;
  /** The approval sent first, or null when the allowance was enough. */
  approvalHash: Hash | null;
};

export type BuyErrorType = WriteActionErrorType;

/**
 * Buys whole datatokens at the listed price; they go to the caller (spend them with `order`). For access in one
 * signature and one transaction, use `buyAccess`. InsufficientBalanceError before anything is signed when the caller
 * cannot pay.
 */
export async function buy(client: MyceliumClient, parameters: BuyParameters): Promise<BuyReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const action = `Buying datatokens of asset ${assetId}`;
  const account = requireAccount(client, action).address;
  const marketFee = toMarketFee(parameters.marketFee);
  const priced = await quote(client, { assetId, count: parameters.count ?? 1n, marketFeeBps: marketFee.bps });
  const maxPayment = parameters.maxPayment === undefined ? priced.total : toUint(parameters.maxPayment, "maxPayment");
  const marketplace = contractAddress(client.deployment, "Marketplace");
  const options = { signal: parameters.signal, onProgress: parameters.onProgress };
  await requireBalance(client, {
    token: priced.paymentToken,
    account,
    needed: priced.total,
    purpose: `buying ${priced.count} datatoken(s) of asset ${assetId}`,
  });
  const approvalHash = await ensureAllowance(client, {
    token: priced.paymentToken,
    spender: marketplace,
    amount: maxPayment,
    approve: parameters.approve ?? true,
    action,
    ...options,
  });
  const receipt = await sendContractTransaction(client, {
    action,
    address: marketplace,
    abi: marketplaceAbi,
    functionName: "buy",
    args: [assetId, priced.count, priced.paymentToken, maxPayment, marketFee.recipient, marketFee.bps],
    ...options,
  });
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    assetId,
    count: priced.count,
    paymentToken: priced.paymentToken,
    total: paidIn(receipt, marketplace, action),
    approvalHash,
  };
}

/** What the buyer paid in a purchase, from its `Purchased` event: base + protocol fee + market fee. */
export function paidIn(receipt: TransactionReceipt, marketplace: Address, action: string): bigint {
  const [purchased] = eventsOf(receipt, { abi: marketplaceAbi, eventName: "Purchased", address: marketplace, action });
  const { base, protocolFee, marketFee } = purchased!.args;
  return base + protocolFee + marketFee;
}

/** The market fee as the Marketplace takes it (zero recipient and 0 bps when there is none). */
export function toMarketFee(fee: MarketFee | undefined): { recipient: Address; bps: number } {
  if (fee === undefined) return { recipient: zeroAddress, bps: 0 };
  return { recipient: toAddress(fee.recipient, "marketFee.recipient"), bps: Number(toUint(fee.bps, "marketFee.bps", 16)) };
}
