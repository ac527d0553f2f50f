import type { Address } from "viem";
import { datatokenAbi } from "../abis/index.ts";
import { toAddress, toId, toUint } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { requireAccount, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { getAssetWithDatatoken } from "./getAsset.ts";

export type MintDatatokensParameters = {
  assetId: bigint | number;
  /** Units to mint (18 decimals: one whole token, one order, is 10n ** 18n). */
  amount: bigint;
  /** Recipient; default the caller (the owner, whose balance listings and dispensers sell from). */
  to?: Address | undefined;
} & TransactionOptions;

export type MintDatatokensReturnType = TransactionResult & { assetId: bigint; datatoken: Address; to: Address; amount: bigint };

export type MintDatatokensErrorType = WriteActionErrorType;

/** Mints datatokens of an asset (only its current owner may). */
export async function mintDatatokens(client: MyceliumClient, parameters: MintDatatokensParameters): Promise<MintDatatokensReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const action = `Minting datatokens of asset ${assetId}`;
  const to = parameters.to === undefined ? requireAccount(client, action).address : toAddress(parameters.to, "to");
  const amount = toUint(parameters.amount, "amount");
  const { datatoken } = await getAssetWithDatatoken(client, assetId);
  const receipt = await sendContractTransaction(client, {
    action,
    address: datatoken,
    abi: datatokenAbi,
    functionName: "mint",
    args: [to, amount],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, assetId, datatoken, to, amount };
}
