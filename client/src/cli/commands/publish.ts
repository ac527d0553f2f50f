/** `myc publish`: mint an asset (NFT, datatoken and listing in one transaction) for a manifest. */
import type { Command } from "commander";
import { parseUnits } from "viem";
import { publishAsset, type PublishAssetParameters } from "../../actions/publishAsset.ts";
import { ASSET_KINDS } from "../../chain/assetTypes.ts";
import { contractAddress } from "../../chain/deployment.ts";
import { readToken } from "../../chain/tokens.ts";
import { InvalidArgumentError, type TokenDescription } from "../../errors/chain.ts";
import type { CliContext } from "../context.ts";
import type { Run } from "../main.ts";
import { formatAmount } from "../output.ts";
import { parseAddress, parseAmount, parseChoice, parseDuration, parseId } from "../parse.ts";

type PublishOptions = {
  kind: string;
  manifest?: string;
  price?: string;
  paymentToken?: string;
  supply: string;
  accessPeriod: string;
  parent: string[];
  datatoken: boolean;
};

export function register(program: Command, run: Run): void {
  program
    .command("publish")
    .description("publish an asset for a stored manifest: NFT, datatoken and listing in one transaction")
    .requiredOption("--kind <kind>", `what it is (${ASSET_KINDS.join(", ")})`)
    .option("--manifest <cid>", "CID of the manifest (already on IPFS)")
    .option("--price <amount>", "list it for sale at this price per access, in payment tokens (e.g. 2.5)")
    .option("--payment-token <address>", "ERC-20 buyers pay with (default: the deployment's PaymentToken)")
    .option("--supply <tokens>", "datatokens minted to you (whole tokens; each sells one access)", "100")
    .option("--access-period <duration>", "how long one access lasts (3600, 12h, 30d, unlimited)", "unlimited")
    .option("--parent <id>", "lineage: an asset this one derives from (repeatable)", collect, [])
    .option("--no-datatoken", "mint the NFT only (no datatoken, so nothing to sell yet)")
    .action(run(async (ctx: CliContext, options: PublishOptions) => publish(ctx, options)));
}

async function publish(ctx: CliContext, options: PublishOptions): Promise<void> {
  const kind = parseChoice(options.kind, ASSET_KINDS, "--kind");
  if (options.manifest === undefined) {
    throw new InvalidArgumentError({ parameter: "--manifest", value: "(missing)", expected: "the CID of a stored manifest" });
  }
  if (!options.datatoken && options.price !== undefined) {
    throw new InvalidArgumentError({ parameter: "--price", value: options.price, expected: "no price with --no-datatoken (a listing sells datatokens)" });
  }
  const parents = options.parent.map((parent) => parseId(parent, "--parent"));
  const client = await ctx.signer();
  const datatoken = options.datatoken
    ? { accessPeriod: parseDuration(options.accessPeriod, "--access-period"), initialSupply: parseAmount(options.supply, 0, "--supply") * parseUnits("1", 18) }
    : undefined;
  let listing: PublishAssetParameters["listing"];
  let token: TokenDescription | undefined;
  if (options.price !== undefined) {
    const paymentToken = options.paymentToken ? parseAddress(options.paymentToken, "--payment-token") : contractAddress(client.deployment, "PaymentToken");
    token = await readToken(client, paymentToken);
    listing = { paymentToken, price: parseAmount(options.price, token.decimals, "--price") };
  }
  const published = await ctx.withSpinner("Publishing", (tx) =>
    publishAsset(client, { kind, manifestCid: options.manifest!, parents, datatoken, listing, ...tx }),
  );
  ctx.output.result(
    { ...published, kind },
    [
      `Published ${kind} asset ${published.assetId} (manifest ${published.manifestCid}).`,
      published.datatoken ? `  datatoken  ${published.datatoken}` : "  datatoken  none",
      published.listing && token ? `  listed at  ${formatAmount(published.listing.price, token)} per access` : "  not listed",
      `  transaction ${published.hash}`,
    ],
  );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
