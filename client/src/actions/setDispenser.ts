import type { Hash } from "viem";
import { marketplaceAbi } from "../abis/index.ts";
import { toId, toUint } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { approveInventory } from "./setListing.ts";

export type SetDispenserParameters = {
  assetId: bigint | number;
  /** Whole tokens one wallet may receive in total (above zero). */
  maxPerWallet: bigint | number;
  /** Approve the Marketplace to hand out the owner's datatokens when needed (see setListing). Default true. */
  approveInventory?: boolean | undefined;
} & TransactionOptions;

export type SetDispenserReturnType = TransactionResult & { assetId: bigint; maxPerWallet: bigint; approvalHash: Hash | null };

export type SetDispenserErrorType = WriteActionErrorType;

/** Opens a dispenser of free datatokens for an asset, or changes its per-wallet limit (owner only). */
export async function setDispenser(client: MyceliumClient, parameters: SetDispenserParameters): Promise<SetDispenserReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const maxPerWallet = toUint(parameters.maxPerWallet, "maxPerWallet", 64);
  const action = `Opening the dispenser of asset ${assetId}`;
  const options = { signal: parameters.signal, onProgress: parameters.onProgress };
  const approvalHash = parameters.approveInventory === false ? null : await approveInventory(client, { assetId, action, ...options });
  const receipt = await sendContractTransaction(client, {
    action,
    address: contractAddress(client.deployment, "Marketplace"),
    abi: marketplaceAbi,
    functionName: "setDispenser",
    args: [assetId, maxPerWallet],
    ...options,
  });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, assetId, maxPerWallet, approvalHash };
}
