/**
 * `myc assets` and `myc asset <id>`: assets with their listings and dispensers. `myc assets` finds them through the
 * indexer's GraphQL API when one is configured (--indexer, MYC_INDEXER_URL), else by reading the registry asset by
 * asset; prices always come live from the chain.
 */
import type { Command } from "commander";
import { getAddress } from "viem";
import {
  type Asset,
  ASSET_KINDS,
  ASSET_STATES,
  type AssetKind,
  type AssetState,
  createIndexerClient,
  getAsset,
  getAssets as getIndexedAssets,
  getListing,
  type GetListingReturnType,
  listAssets,
  loadManifest,
  type Manifest,
  type MyceliumClient,
  quote,
  readToken,
  toCid,
  type TokenDescription,
  formatAmount,
} from "@mycelium/client";
import type { CliContext } from "../../kit/context.ts";
import { parseAddress, parseChoice, parseCount, parseId } from "../../kit/parse.ts";
import { dataDirOf, openLocalStorage, startNode, withStorageOptions, type StorageCommandOptions } from "../../kit/storage.ts";
import type { Run } from "../main.ts";

/** An asset with how it can be had, as `myc asset` and `myc assets` print it. */
export type AssetView = Asset & {
  listing: (NonNullable<GetListingReturnType["listing"]> & { token: TokenDescription; totalPerAccess: bigint }) | null;
  dispenser: GetListingReturnType["dispenser"];
};

export async function viewAsset(client: MyceliumClient, asset: Asset): Promise<AssetView> {
  const { listing, dispenser } = await getListing(client, { assetId: asset.id });
  if (listing === null) return { ...asset, listing: null, dispenser };
  const [token, priced] = await Promise.all([readToken(client, listing.paymentToken), quote(client, { assetId: asset.id })]);
  return { ...asset, listing: { ...listing, token, totalPerAccess: priced.total }, dispenser };
}

function describeSale(view: AssetView): string {
  const parts: string[] = [];
  if (view.listing)
    parts.push(
      `${formatAmount(view.listing.price, view.listing.token)} ` +
        `(${formatAmount(view.listing.totalPerAccess, view.listing.token)} with fees)`,
    );
  if (view.dispenser) parts.push(`free, up to ${view.dispenser.maxPerWallet} per wallet`);
  return parts.join("; ") || "not for sale";
}

/** How long a name search waits for one manifest block before treating the asset as not matching. */
const NAME_SEARCH_TIMEOUT_MS = 5_000;

type AssetsOptions = StorageCommandOptions & {
  kind?: string;
  owner?: string;
  state?: string;
  name?: string;
  limit: string;
  before?: string;
  after?: string;
  indexer?: string;
};

async function listCommand(ctx: CliContext, options: AssetsOptions): Promise<void> {
  const kind: AssetKind | undefined = options.kind === undefined ? undefined : parseChoice(options.kind, ASSET_KINDS, "--kind");
  const state: AssetState | undefined = options.state === undefined ? undefined : parseChoice(options.state, ASSET_STATES, "--state");
  const owner = options.owner === undefined ? undefined : parseAddress(options.owner, "--owner");
  const limit = Number(parseCount(options.limit, "--limit"));
  const indexerUrl = options.indexer ?? (ctx.env.MYC_INDEXER_URL || undefined);
  // Names live in the manifests on IPFS: a name search reads each candidate's manifest through a storage node.
  // A manifest that cannot be read (not found in time, not a manifest) just does not match.
  const node =
    options.name === undefined ? undefined : await startNode(ctx, options, { gateway: false, blockTimeoutMs: NAME_SEARCH_TIMEOUT_MS });
  const readManifest = (cid: string, signal: AbortSignal | undefined) => loadManifest(node!, cid, { signal }).catch(() => undefined);
  const matchesName = async (cid: string) =>
    options.name === undefined || ((await readManifest(cid, ctx.signal))?.name ?? "").toLowerCase().includes(options.name.toLowerCase());
  try {
    const client = await ctx.client();
    let views: AssetView[];
    let next: string | null;
    let total: bigint | null = null;
    if (indexerUrl !== undefined) {
      const page = await getIndexedAssets(createIndexerClient({ url: indexerUrl }), {
        kind,
        state,
        owner,
        limit,
        after: options.after,
        orderDirection: "desc",
        ...(options.name === undefined
          ? {}
          : {
              name: options.name,
              resolveManifest: (cid: string, { signal }: { signal?: AbortSignal | undefined }) => readManifest(cid, signal),
            }),
      });
      // The indexer finds the assets; their prices are read live from the chain, like `myc asset` does.
      views = await Promise.all(
        page.items.map((asset) =>
          viewAsset(client, {
            id: asset.id,
            owner: getAddress(asset.owner),
            kind: asset.kind,
            state: asset.state,
            version: asset.version,
            datatoken: asset.datatoken === null ? null : getAddress(asset.datatoken),
            manifestCid: toCid(asset.manifestCid),
          }),
        ),
      );
      next = page.nextCursor;
    } else {
      const found: Asset[] = [];
      let before = options.before === undefined ? undefined : parseId(options.before, "--before");
      let cursor: bigint | null = null;
      do {
        const page = await listAssets(client, { kind, state, owner, limit, before });
        total = page.total;
        for (const asset of page.assets) if (found.length < limit && (await matchesName(asset.manifestCid.toString()))) found.push(asset);
        cursor = page.next;
        before = page.next ?? undefined;
      } while (found.length < limit && cursor !== null && options.name !== undefined);
      views = await Promise.all(found.map((asset) => viewAsset(client, asset)));
      next = cursor === null ? null : String(cursor);
    }
    const lines =
      views.length === 0
        ? ["No assets found."]
        : [
            `${"ID".padEnd(6)} ${"KIND".padEnd(8)} ${"STATE".padEnd(11)} ${"OWNER".padEnd(42)} PRICE / MANIFEST`,
            ...views.map(
              (view) =>
                `${String(view.id).padEnd(6)} ${view.kind.padEnd(8)} ${view.state.padEnd(11)} ${view.owner} ${describeSale(view)}\n` +
                `${" ".repeat(71)}${view.manifestCid}`,
            ),
          ];
    if (next !== null) lines.push(`More: myc assets ${indexerUrl !== undefined ? "--after" : "--before"} ${next}`);
    ctx.output.result({ source: indexerUrl !== undefined ? "indexer" : "chain", total, next, assets: views }, lines);
  } finally {
    await node?.stop();
  }
}

/** The asset's manifest from this machine's data directory, or with `fetch` from the network; null when unavailable. */
async function readAssetManifest(
  ctx: CliContext,
  options: StorageCommandOptions & { fetch?: boolean },
  cid: string,
): Promise<Manifest | null> {
  if (options.fetch) {
    const node = await startNode(ctx, options, { gateway: false, blockTimeoutMs: NAME_SEARCH_TIMEOUT_MS });
    try {
      return await loadManifest(node, cid, { signal: ctx.signal }).catch(() => null);
    } finally {
      await node.stop();
    }
  }
  const storage = await openLocalStorage(dataDirOf(ctx, options));
  try {
    return await loadManifest(storage, cid, { signal: ctx.signal }).catch(() => null);
  } finally {
    await storage.close();
  }
}

export function register(program: Command, run: Run): void {
  withStorageOptions(
    program
      .command("assets")
      .description("list assets, newest first: from the indexer when one is configured, else from the chain")
      .option("--kind <kind>", `only this kind (${ASSET_KINDS.join(", ")})`)
      .option("--owner <address>", "only assets owned by this address")
      .option("--state <state>", `only this state (${ASSET_STATES.join(", ")})`)
      .option("--name <text>", "only assets whose manifest name contains this (reads each candidate's manifest from IPFS)")
      .option("--limit <n>", "at most this many", "20")
      .option("--indexer <url>", "the indexer's URL (env MYC_INDEXER_URL): faster than reading the chain asset by asset")
      .option("--before <id>", "chain: start below this asset id (the `next` of a previous page)")
      .option("--after <cursor>", "indexer: the `next` of a previous page"),
    { network: true },
  ).action(run(async (ctx: CliContext, options: AssetsOptions) => listCommand(ctx, options)));

  withStorageOptions(
    program
      .command("asset <id>")
      .description("show an asset: owner, kind, state, manifest (name, license... when it is on this machine), datatoken, price")
      .option("--fetch", "fetch the manifest from the network when it is not on this machine"),
    { network: true },
  ).action(
    run(async (ctx: CliContext, id: string, options: StorageCommandOptions & { fetch?: boolean }) => {
      const client = await ctx.client();
      const view = await viewAsset(client, await getAsset(client, { assetId: parseId(id, "asset id") }));
      const manifest = await readAssetManifest(ctx, options, view.manifestCid.toString());
      ctx.output.result({ ...view, manifest }, [
        `Asset ${view.id} (${view.kind}, ${view.state})${manifest ? `: ${manifest.name}` : ""}`,
        ...(manifest
          ? [
              `  license    ${manifest.license}`,
              `  creator    ${manifest.creator}`,
              ...(manifest.description ? [`  about      ${manifest.description}`] : []),
            ]
          : []),
        `  owner      ${view.owner}`,
        `  manifest   ${view.manifestCid} (version ${view.version})` +
          `${manifest ? "" : options.fetch ? " (not found)" : " (not on this machine: --fetch to read it)"}`,
        `  datatoken  ${view.datatoken ?? "none"}`,
        `  price      ${describeSale(view)}`,
      ]);
    }),
  );
}
