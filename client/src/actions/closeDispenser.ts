import { marketplaceAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type CloseDispenserParameters = { assetId: bigint | number } & TransactionOptions;

export type CloseDispenserReturnType = TransactionResult & { assetId: bigint };

export type CloseDispenserErrorType = WriteActionErrorType;

/** Closes the dispenser of an asset (owner only). What wallets received stays counted if it is opened again. */
export async function closeDispenser(client: MyceliumClient, parameters: CloseDispenserParameters): Promise<CloseDispenserReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const receipt = await sendContractTransaction(client, {
    action: `Closing the dispenser of asset ${assetId}`,
    address: contractAddress(client.deployment, "Marketplace"),
    abi: marketplaceAbi,
    functionName: "closeDispenser",
    args: [assetId],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, assetId };
}
