import type { IndexerClient, IndexerRequestOptions } from "./client.ts";
import { queryIndexer } from "./client.ts";
import { ASSET_FIELDS, parseAsset, type IndexedAsset } from "./types.ts";

export type GetAssetParameters = IndexerRequestOptions & { id: bigint };
/** The asset, or null when the indexer has no asset with this id (not published, or not indexed yet). */
export type GetAssetReturnType = IndexedAsset | null;

export async function getAsset(client: IndexerClient, parameters: GetAssetParameters): Promise<GetAssetReturnType> {
  const data = await queryIndexer<{ asset: Record<string, unknown> | null }>(
    client,
    `query ($id: BigInt!) { asset(id: $id) { ${ASSET_FIELDS} } }`,
    { id: parameters.id.toString() },
    parameters,
  );
  return data.asset === null ? null : parseAsset(data.asset);
}
