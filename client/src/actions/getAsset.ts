import { zeroAddress, type Address } from "viem";
import type { CID } from "multiformats/cid";
import { assetRegistryAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import { assetKindName, assetStateName } from "../chain/assetTypes.ts";
import { hexToCid } from "../chain/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { readProtocol } from "../chain/transaction.ts";
import { ContractRevertedError } from "../errors/contract.ts";
import type { ReadActionErrorType } from "../errors/types.ts";

export type GetAssetParameters = { assetId: bigint | number };

/** An asset as the registry stores it, with its current owner. */
export type Asset = {
  id: bigint;
  owner: Address;
  kind: ReturnType<typeof assetKindName>;
  state: ReturnType<typeof assetStateName>;
  /** Manifest version: 1 at publication, +1 per update. */
  version: number;
  /** The asset's datatoken, or null when it has none yet. */
  datatoken: Address | null;
  manifestCid: CID;
};

export type GetAssetReturnType = Asset;

/** AssetNotFoundError for an unknown id. */
export type GetAssetErrorType = ReadActionErrorType;

/** Reads an asset from the registry. */
export async function getAsset(client: MyceliumClient, parameters: GetAssetParameters): Promise<GetAssetReturnType> {
  const id = toId(parameters.assetId, "assetId");
  const record = await readProtocol(client, {
    action: `Reading asset ${id}`,
    address: contractAddress(client.deployment, "AssetRegistry"),
    abi: assetRegistryAbi,
    functionName: "assetOf",
    args: [id],
  });
  return {
    id,
    owner: record.owner,
    kind: assetKindName(record.kind),
    state: assetStateName(record.state),
    version: record.version,
    datatoken: record.datatoken === zeroAddress ? null : record.datatoken,
    manifestCid: hexToCid(record.manifestCid),
  };
}

/**
 * The asset and its datatoken, for actions that move datatokens; the Marketplace's `NoDatatoken` error (raised here,
 * before anything is signed) when the asset has none yet.
 */
export async function getAssetWithDatatoken(client: MyceliumClient, assetId: bigint): Promise<Asset & { datatoken: Address }> {
  const asset = await getAsset(client, { assetId });
  if (asset.datatoken === null) throw new ContractRevertedError({ errorName: "NoDatatoken", args: { assetId } });
  return asset as Asset & { datatoken: Address };
}
