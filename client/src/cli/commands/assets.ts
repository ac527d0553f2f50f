/** `myc assets` and `myc asset <id>`: read assets, their listings and dispensers from the chain. */
import type { Command } from "commander";
import { getAsset, type Asset } from "../../actions/getAsset.ts";
import { getListing, type GetListingReturnType } from "../../actions/getListing.ts";
import { listAssets } from "../../actions/listAssets.ts";
import { quote } from "../../actions/quote.ts";
import { ASSET_KINDS, ASSET_STATES, type AssetKind, type AssetState } from "../../chain/assetTypes.ts";
import type { MyceliumClient } from "../../chain/client.ts";
import { readToken } from "../../chain/tokens.ts";
import type { TokenDescription } from "../../errors/chain.ts";
import type { CliContext } from "../context.ts";
import { formatAmount } from "../output.ts";
import { parseAddress, parseChoice, parseCount, parseId } from "../parse.ts";
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
  if (view.listing) parts.push(`${formatAmount(view.listing.price, view.listing.token)} (${formatAmount(view.listing.totalPerAccess, view.listing.token)} with fees)`);
  if (view.dispenser) parts.push(`free, up to ${view.dispenser.maxPerWallet} per wallet`);
  return parts.join("; ") || "not for sale";
}

export function register(program: Command, run: Run): void {
  program
    .command("assets")
    .description("list assets, newest first (reads the chain directly)")
    .option("--kind <kind>", `only this kind (${ASSET_KINDS.join(", ")})`)
    .option("--owner <address>", "only assets owned by this address")
    .option("--state <state>", `only this state (${ASSET_STATES.join(", ")})`)
    .option("--limit <n>", "at most this many", "20")
    .option("--before <id>", "start below this asset id (the `next` of a previous page)")
    .action(
      run(async (ctx: CliContext, options: { kind?: string; owner?: string; state?: string; limit: string; before?: string }) => {
        const kind: AssetKind | undefined = options.kind === undefined ? undefined : parseChoice(options.kind, ASSET_KINDS, "--kind");
        const state: AssetState | undefined = options.state === undefined ? undefined : parseChoice(options.state, ASSET_STATES, "--state");
        const client = await ctx.client();
        const page = await listAssets(client, {
          kind,
          state,
          owner: options.owner === undefined ? undefined : parseAddress(options.owner, "--owner"),
          limit: Number(parseCount(options.limit, "--limit")),
          before: options.before === undefined ? undefined : parseId(options.before, "--before"),
        });
        const views = await Promise.all(page.assets.map((asset) => viewAsset(client, asset)));
        const lines = views.length === 0 ? ["No assets found."] : [
          `${"ID".padEnd(6)} ${"KIND".padEnd(8)} ${"STATE".padEnd(11)} ${"OWNER".padEnd(42)} PRICE / MANIFEST`,
          ...views.map(
            (view) =>
              `${String(view.id).padEnd(6)} ${view.kind.padEnd(8)} ${view.state.padEnd(11)} ${view.owner} ${describeSale(view)}\n${" ".repeat(71)}${view.manifestCid}`,
          ),
        ];
        if (page.next !== null) lines.push(`More: myc assets --before ${page.next}`);
        ctx.output.result({ total: page.total, next: page.next, assets: views }, lines);
      }),
    );

  program
    .command("asset <id>")
    .description("show an asset: owner, kind, state, manifest, datatoken, price")
    .action(
      run(async (ctx: CliContext, id: string) => {
        const client = await ctx.client();
        const view = await viewAsset(client, await getAsset(client, { assetId: parseId(id, "asset id") }));
        ctx.output.result(view, [
          `Asset ${view.id} (${view.kind}, ${view.state})`,
          `  owner      ${view.owner}`,
          `  manifest   ${view.manifestCid} (version ${view.version})`,
          `  datatoken  ${view.datatoken ?? "none"}`,
          `  price      ${describeSale(view)}`,
        ]);
      }),
    );
}
