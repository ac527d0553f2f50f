import type { CID } from "multiformats/cid";
import { assetRegistryAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import { cidToHex } from "../chain/cid.ts";
import { toCid, type CidLike } from "../storage/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type UpdateManifestParameters = { assetId: bigint | number; manifestCid: CidLike } & TransactionOptions;

export type UpdateManifestReturnType = TransactionResult & { assetId: bigint; version: number; manifestCid: CID };

export type UpdateManifestErrorType = WriteActionErrorType;

/** Replaces an asset's manifest (owner only; not on a revoked asset) and returns the new version. */
export async function updateManifest(client: MyceliumClient, parameters: UpdateManifestParameters): Promise<UpdateManifestReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const manifestCid = toCid(parameters.manifestCid);
  const action = `Updating the manifest of asset ${assetId}`;
  const registry = contractAddress(client.deployment, "AssetRegistry");
  const receipt = await sendContractTransaction(client, {
    action,
    address: registry,
    abi: assetRegistryAbi,
    functionName: "updateManifest",
    args: [assetId, cidToHex(manifestCid)],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [updated] = eventsOf(receipt, { abi: assetRegistryAbi, eventName: "ManifestUpdated", address: registry, action });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, assetId, version: updated!.args.version, manifestCid };
}
