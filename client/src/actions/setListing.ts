import type { Address, Hash } from "viem";
import { marketplaceAbi } from "../abis/index.ts";
import { toAddress, toId, toUint } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { readBalance, ensureAllowance } from "../chain/tokens.ts";
import { requireAccount, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { getAssetWithDatatoken } from "./getAsset.ts";

export type SetListingParameters = {
  assetId: bigint | number;
  /** Price of one whole datatoken in the smallest unit of the payment token (above zero). */
  price: bigint;
  /** Any ERC-20 with decimals(); default the deployment's PaymentToken. */
  paymentToken?: Address | undefined;
  /**
   * Approve the Marketplace (without limit) to sell the owner's datatokens when it may not move them all yet, which a
   * listing needs to sell anything. Default true.
   */
  approveInventory?: boolean | undefined;
} & TransactionOptions;

export type SetListingReturnType = TransactionResult & {
  assetId: bigint;
  paymentToken: Address;
  price: bigint;
  /** The inventory approval sent first, or null when none was needed. */
  approvalHash: Hash | null;
};

export type SetListingErrorType = WriteActionErrorType;

/** Opens or changes the fixed-rate listing of an asset (owner only; the asset must be active and have a datatoken). */
export async function setListing(client: MyceliumClient, parameters: SetListingParameters): Promise<SetListingReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const action = `Listing asset ${assetId}`;
  const price = toUint(parameters.price, "price", 96);
  const paymentToken = parameters.paymentToken
    ? toAddress(parameters.paymentToken, "paymentToken")
    : contractAddress(client.deployment, "PaymentToken");
  const marketplace = contractAddress(client.deployment, "Marketplace");
  const options = { signal: parameters.signal, onProgress: parameters.onProgress };
  const approvalHash = parameters.approveInventory === false ? null : await approveInventory(client, { assetId, action, ...options });
  const receipt = await sendContractTransaction(client, {
    action,
    address: marketplace,
    abi: marketplaceAbi,
    functionName: "setListing",
    args: [assetId, paymentToken, price],
    ...options,
  });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, assetId, paymentToken, price, approvalHash };
}

/**
 * Approves the Marketplace without limit on the asset's datatoken when its allowance does not cover the owner's whole
 * balance (listings and dispensers sell from it). Returns the approval's hash, or null when none was needed.
 */
export async function approveInventory(
  client: MyceliumClient,
  parameters: { assetId: bigint; action: string } & TransactionOptions,
): Promise<Hash | null> {
  const owner = requireAccount(client, parameters.action).address;
  const { datatoken } = await getAssetWithDatatoken(client, parameters.assetId);
  const balance = await readBalance(client, datatoken, owner);
  return ensureAllowance(client, {
    token: datatoken,
    spender: contractAddress(client.deployment, "Marketplace"),
    amount: balance > 0n ? balance : 1n,
    approve: true,
    unlimited: true,
    action: parameters.action,
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
}
