import type { Address } from "viem";
import { assetRegistryAbi } from "../abis/index.ts";
import { toAddress, toId } from "../chain/args.ts";
import type { AssetKind, AssetState } from "../chain/assetTypes.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { readProtocol } from "../chain/transaction.ts";
import { InvalidArgumentError } from "../errors/chain.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { getAsset, type Asset } from "./getAsset.ts";

export type ListAssetsParameters = {
  kind?: AssetKind | undefined;
  owner?: Address | undefined;
  state?: AssetState | undefined;
  /** At most this many assets (default 50, at most 1,000). */
  limit?: number | undefined;
  /** Start below this id (exclusive), for paging backwards; default: after the newest asset. */
  before?: bigint | number | undefined;
};

export type ListAssetsReturnType = {
  /** Matching assets, newest first. */
  assets: Asset[];
  /** Number of assets ever published (the highest id). */
  total: bigint;
  /** Pass as `before` to get the next page; null when the scan reached asset 1. */
  next: bigint | null;
};

export type ListAssetsErrorType = ReadActionErrorType;

/** How many assets are read at once (one JSON-RPC round trip each; the transport may batch them). */
const CONCURRENCY = 16;

/**
 * Lists assets newest first by reading the registry directly (ids are 1..assetCount), filtered by kind, owner and
 * state. It reads every asset it passes over, so on a chain with many assets use the indexer's GraphQL API for search.
 */
export async function listAssets(client: MyceliumClient, parameters: ListAssetsParameters = {}): Promise<ListAssetsReturnType> {
  const limit = parameters.limit ?? 50;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1_000) {
    throw new InvalidArgumentError({ parameter: "limit", value: limit, expected: "an integer between 1 and 1000" });
  }
  const owner = parameters.owner === undefined ? undefined : toAddress(parameters.owner, "owner");
  const total = await readProtocol(client, {
    action: "Counting assets",
    address: contractAddress(client.deployment, "AssetRegistry"),
    abi: assetRegistryAbi,
    functionName: "assetCount",
  });
  let cursor = parameters.before === undefined ? total + 1n : toId(parameters.before, "before");
  if (cursor > total + 1n) cursor = total + 1n;
  const matches = (asset: Asset) =>
    (parameters.kind === undefined || asset.kind === parameters.kind) &&
    (parameters.state === undefined || asset.state === parameters.state) &&
    (owner === undefined || asset.owner === owner);

  const assets: Asset[] = [];
  while (cursor > 1n && assets.length < limit) {
    const ids: bigint[] = [];
    for (let id = cursor - 1n; id >= 1n && ids.length < CONCURRENCY; id--) ids.push(id);
    const page = await Promise.all(ids.map((assetId) => getAsset(client, { assetId })));
    for (const asset of page) {
      cursor = asset.id;
      if (matches(asset)) assets.push(asset);
      if (assets.length === limit) break;
    }
  }
  return { assets, total, next: cursor > 1n ? cursor : null };
}
