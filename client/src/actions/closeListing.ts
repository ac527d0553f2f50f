import { marketplaceAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type CloseListingParameters = { assetId: bigint | number } & TransactionOptions;

export type CloseListingReturnType = TransactionResult & { assetId: bigint };

export type CloseListingErrorType = WriteActionErrorType;

/** Closes the listing of an asset (owner only). */
export async function closeListing(client: MyceliumClient, parameters: CloseListingParameters): Promise<CloseListingReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const receipt = await sendContractTransaction(client, {
    action: `Closing the listing of asset ${assetId}`,
    address: contractAddress(client.deployment, "Marketplace"),
    abi: marketplaceAbi,
    functionName: "closeListing",
    args: [assetId],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, assetId };
}
