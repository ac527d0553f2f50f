import { erc20Abi, type Address } from "viem";
import { getBlock } from "viem/actions";
import { datatokenAbi, marketplaceAbi } from "../abis/index.ts";
import { toAddress, toId, toUint } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { requireBalance, signPermit, type PermitSignature } from "../chain/tokens.ts";
import {
  eventsOf,
  readProtocol,
  requireAccount,
  sendContractTransaction,
  type TransactionOptions,
  type TransactionResult,
} from "../chain/transaction.ts";
import { toMyceliumError } from "../errors/normalize.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { paidIn, toMarketFee, type MarketFee } from "./buy.ts";
import { getAssetWithDatatoken } from "./getAsset.ts";
import { quote } from "./quote.ts";

/** How long a permit signed by buyAccess stays valid: 30 minutes of chain time. */
export const PERMIT_LIFETIME_SECONDS = 1_800n;

export type BuyAccessParameters = {
  assetId: bigint | number;
  /** Who gets access; default the caller. */
  consumer?: Address | undefined;
  /** Upper bound on what is paid, fees included; default the current quote. The permit is signed for this amount. */
  maxPayment?: bigint | undefined;
  marketFee?: MarketFee | undefined;
  /** Seconds of chain time the permit stays valid (default PERMIT_LIFETIME_SECONDS). */
  permitLifetime?: bigint | number | undefined;
} & TransactionOptions;

export type BuyAccessReturnType = TransactionResult & {
  assetId: bigint;
  consumer: Address;
  /** Unix time the access ends (2^64-1 for unlimited). */
  validUntil: bigint;
  paymentToken: Address;
  /** What was paid: price + protocol fee + market fee. */
  total: bigint;
  /** Whether a permit was signed (false when the existing allowance already covered `maxPayment`). */
  signedPermit: boolean;
};

export type BuyAccessErrorType = WriteActionErrorType;

/**
 * Buys access to an asset in one transaction with one signature: the buyer signs an ERC-2612 permit of the payment
 * token off-chain (no transaction), and `buyAndOrder` uses it to pay and to spend one datatoken on an access receipt
 * for `consumer`, taken straight from the seller's inventory. InsufficientBalanceError before anything is signed when
 * the buyer cannot pay; AssetNotFoundError, NotListed or AssetNotActive as typed errors.
 */
export async function buyAccess(client: MyceliumClient, parameters: BuyAccessParameters): Promise<BuyAccessReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const action = `Buying access to asset ${assetId}`;
  const buyer = requireAccount(client, action).address;
  const consumer = parameters.consumer === undefined ? buyer : toAddress(parameters.consumer, "consumer");
  const marketFee = toMarketFee(parameters.marketFee);
  const lifetime = toUint(parameters.permitLifetime ?? PERMIT_LIFETIME_SECONDS, "permitLifetime", 64);
  const marketplace = contractAddress(client.deployment, "Marketplace");

  const { datatoken } = await getAssetWithDatatoken(client, assetId);
  const priced = await quote(client, { assetId, count: 1n, marketFeeBps: marketFee.bps });
  const maxPayment = parameters.maxPayment === undefined ? priced.total : toUint(parameters.maxPayment, "maxPayment");
  await requireBalance(client, {
    token: priced.paymentToken,
    account: buyer,
    needed: priced.total,
    purpose: `buying access to asset ${assetId}`,
  });

  const allowance = await readProtocol(client, {
    action,
    address: priced.paymentToken,
    abi: erc20Abi,
    functionName: "allowance",
    args: [buyer, marketplace],
  });
  let permit: PermitSignature = { value: 0n, deadline: 0n, v: 0, r: `0x${"00".repeat(32)}`, s: `0x${"00".repeat(32)}` };
  if (allowance < maxPayment) {
    const now = await getBlock(client, { blockTag: "latest" }).then(
      (block) => block.timestamp,
      (error: unknown) => {
        throw toMyceliumError(error, { action });
      },
    );
    permit = await signPermit(client, { token: priced.paymentToken, spender: marketplace, value: maxPayment, deadline: now + lifetime });
  }

  const receipt = await sendContractTransaction(client, {
    action,
    address: marketplace,
    abi: marketplaceAbi,
    functionName: "buyAndOrder",
    args: [assetId, consumer, priced.paymentToken, maxPayment, marketFee.recipient, marketFee.bps, permit],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [started] = eventsOf(receipt, { abi: datatokenAbi, eventName: "OrderStarted", address: datatoken, action });
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    assetId,
    consumer,
    validUntil: started!.args.validUntil,
    paymentToken: priced.paymentToken,
    total: paidIn(receipt, marketplace, action),
    signedPermit: permit.deadline !== 0n,
  };
}
