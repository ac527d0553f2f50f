import { assetRegistryAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import { assetStateName, assetStateOrdinal, type AssetState } from "../chain/assetTypes.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type SetAssetStateParameters = {
  assetId: bigint | number;
  /** "active" and "deprecated" can be switched back and forth; "revoked" is final. */
  state: AssetState;
} & TransactionOptions;

export type SetAssetStateReturnType = TransactionResult & {
  assetId: bigint;
  previousState: ReturnType<typeof assetStateName>;
  state: AssetState;
};

export type SetAssetStateErrorType = WriteActionErrorType;

/** Changes an asset's lifecycle state (owner only). Only active assets accept orders, listings and purchases. */
export async function setAssetState(client: MyceliumClient, parameters: SetAssetStateParameters): Promise<SetAssetStateReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const ordinal = assetStateOrdinal(parameters.state);
  const action = `Setting asset ${assetId} ${parameters.state}`;
  const registry = contractAddress(client.deployment, "AssetRegistry");
  const receipt = await sendContractTransaction(client, {
    action,
    address: registry,
    abi: assetRegistryAbi,
    functionName: "setState",
    args: [assetId, ordinal],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [changed] = eventsOf(receipt, { abi: assetRegistryAbi, eventName: "AssetStateChanged", address: registry, action });
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    assetId,
    previousState: assetStateName(changed!.args.previousState),
    state: parameters.state,
  };
}
