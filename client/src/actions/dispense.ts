import { marketplaceAbi } from "../abis/index.ts";
import { toId, toUint } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type DispenseParameters = {
  assetId: bigint | number;
  /** Whole tokens to receive (default 1), within the dispenser's per-wallet limit. */
  count?: bigint | number | undefined;
} & TransactionOptions;

export type DispenseReturnType = TransactionResult & { assetId: bigint; count: bigint };

export type DispenseErrorType = WriteActionErrorType;

/** Takes free datatokens from an asset's dispenser (spend one with `order` to get access). */
export async function dispense(client: MyceliumClient, parameters: DispenseParameters): Promise<DispenseReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const action = `Dispensing datatokens of asset ${assetId}`;
  const marketplace = contractAddress(client.deployment, "Marketplace");
  const receipt = await sendContractTransaction(client, {
    action,
    address: marketplace,
    abi: marketplaceAbi,
    functionName: "dispense",
    args: [assetId, toUint(parameters.count ?? 1n, "count", 64)],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [dispensed] = eventsOf(receipt, { abi: marketplaceAbi, eventName: "Dispensed", address: marketplace, action });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, assetId, count: dispensed!.args.count };
}
