import type { IndexerClient, IndexerRequestOptions } from "./client.ts";
import { queryPage } from "./client.ts";
import { ManifestResolverRequiredError } from "./errors.ts";
import {
  addressParameter,
  ASSET_FIELDS,
  parseAsset,
  type IndexedAsset,
  type IndexedAssetKind,
  type IndexedAssetState,
  type IndexerPage,
  type PageParameters,
} from "./types.ts";

/** Reads an asset's manifest (a dag-json object from IPFS); undefined when it cannot be found. */
export type ResolveManifest = (cid: string, options: { signal?: AbortSignal | undefined }) => Promise<unknown>;

export type GetAssetsParameters = IndexerRequestOptions &
  PageParameters & {
    kind?: IndexedAssetKind | undefined;
    owner?: string | undefined;
    state?: IndexedAssetState | undefined;
    /**
     * Case-insensitive part of the manifest's `name`. Names live in the manifests on IPFS, not on-chain, so this needs
     * `resolveManifest`: the helper pages through the assets matching the other filters and reads their manifests.
     */
    name?: string | undefined;
    resolveManifest?: ResolveManifest | undefined;
  };

export type GetAssetsReturnType = IndexerPage<IndexedAsset>;

/**
 * Assets by kind, owner, state and name, with their listing and revenue per payment token. Pages of 50 by default,
 * at most 500, by id (oldest first unless `orderDirection: "desc"`).
 */
export async function getAssets(client: IndexerClient, parameters: GetAssetsParameters = {}): Promise<GetAssetsReturnType> {
  const where: Record<string, unknown> = {};
  if (parameters.kind !== undefined) where.kind = parameters.kind;
  if (parameters.state !== undefined) where.state = parameters.state;
  if (parameters.owner !== undefined) where.owner = addressParameter("owner", parameters.owner);
  const fetchPage = (after: string | undefined) =>
    queryPage(
      client,
      {
        list: "assets",
        filterType: "assetFilter",
        where,
        fields: ASSET_FIELDS,
        orderBy: "id",
        defaultDirection: "asc",
        defaultLimit: 50,
        maxLimit: 500,
      },
      { ...parameters, after },
      parseAsset,
    );
  if (parameters.name === undefined) return fetchPage(parameters.after);

  const { resolveManifest } = parameters;
  if (resolveManifest === undefined) throw new ManifestResolverRequiredError();
  const needle = parameters.name.toLowerCase();
  const matches: IndexedAsset[] = [];
  let cursor = parameters.after;
  for (;;) {
    const page = await fetchPage(cursor);
    for (const asset of page.items) {
      const manifest = await resolveManifest(asset.manifestCid, { signal: parameters.signal });
      const name = typeof manifest === "object" && manifest !== null ? (manifest as { name?: unknown }).name : undefined;
      if (typeof name === "string" && name.toLowerCase().includes(needle)) matches.push(asset);
    }
    cursor = page.nextCursor ?? undefined;
    // Whole pages only, so that `nextCursor` resumes exactly after what was searched.
    if (matches.length >= (parameters.limit ?? 50) || page.nextCursor === null) return { items: matches, nextCursor: page.nextCursor };
  }
}
