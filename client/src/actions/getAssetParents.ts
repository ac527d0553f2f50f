import { getContractEvents } from "viem/actions";
import { assetRegistryAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { AssetNotFoundError } from "../errors/contract.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { rpc } from "../utils/retry.ts";

export type GetAssetParentsParameters = { assetId: bigint | number };

/** The asset ids an asset derives from, in the order its publisher gave them. */
export type GetAssetParentsReturnType = bigint[];

export type GetAssetParentsErrorType = ReadActionErrorType | AssetNotFoundError;

/** An asset's lineage parents. The registry keeps them only in its `AssetPublished` event, so this reads the event. */
export async function getAssetParents(client: MyceliumClient, parameters: GetAssetParentsParameters): Promise<GetAssetParentsReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const logs = await rpc(`Reading the lineage of asset ${assetId}`, () =>
    getContractEvents(client, {
      address: contractAddress(client.deployment, "AssetRegistry"),
      abi: assetRegistryAbi,
      eventName: "AssetPublished",
      args: { assetId },
      fromBlock: BigInt(client.deployment.contracts.AssetRegistry?.startBlock ?? 0),
      toBlock: "latest",
    }),
  );
  const published = logs[0];
  if (published === undefined) throw new AssetNotFoundError({ errorName: "AssetNotFound", args: { assetId } });
  return [...published.args.parents!];
}
