import { parseUnits, type Address } from "viem";
import { datatokenAbi } from "../abis/index.ts";
import { toAddress, toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { requireBalance } from "../chain/tokens.ts";
import {
  eventsOf,
  requireAccount,
  sendContractTransaction,
  type TransactionOptions,
  type TransactionResult,
} from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { getAssetWithDatatoken } from "./getAsset.ts";

/** Datatoken units one order spends: one whole token (the Datatoken's ORDER_AMOUNT). */
export const ORDER_AMOUNT = parseUnits("1", 18);

export type OrderParameters = {
  assetId: bigint | number;
  /** Who gets access; default the caller. */
  consumer?: Address | undefined;
} & TransactionOptions;

export type OrderReturnType = TransactionResult & {
  assetId: bigint;
  consumer: Address;
  /** Unix time the access ends (2^64-1 for unlimited). */
  validUntil: bigint;
};

export type OrderErrorType = WriteActionErrorType;

/**
 * Spends one datatoken the caller holds (bought with `buy`, received from `dispense` or minted) on an access receipt
 * for `consumer`. InsufficientBalanceError, before anything is signed, when the caller holds less than one token.
 */
export async function order(client: MyceliumClient, parameters: OrderParameters): Promise<OrderReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const action = `Ordering access to asset ${assetId}`;
  const account = requireAccount(client, action).address;
  const consumer = parameters.consumer === undefined ? account : toAddress(parameters.consumer, "consumer");
  const { datatoken } = await getAssetWithDatatoken(client, assetId);
  await requireBalance(client, {
    token: datatoken,
    account,
    needed: ORDER_AMOUNT,
    purpose: `an order of asset ${assetId}`,
    hint:
      `Get a datatoken of asset ${assetId} first: buy one (buy, or buyAccess to buy and order at once), ` +
      "or take one from its dispenser (dispense).",
  });
  const receipt = await sendContractTransaction(client, {
    action,
    address: datatoken,
    abi: datatokenAbi,
    functionName: "order",
    args: [consumer],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [started] = eventsOf(receipt, { abi: datatokenAbi, eventName: "OrderStarted", address: datatoken, action });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, assetId, consumer, validUntil: started!.args.validUntil };
}
