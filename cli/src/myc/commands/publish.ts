/**
 * `myc publish`: content from disk (a dataset directory of tensor shards, or a TF.js model directory) is added to
 * this machine's data directory, its manifest built and stored, and the asset minted with its datatoken and listing
 * in one transaction. `--manifest <cid>` publishes a manifest already on IPFS; `--manifest-file` a manifest written
 * as dag-json (as `myc get <manifest cid>` saves it).
 */
import { readFile } from "node:fs/promises";
import * as dagJson from "@ipld/dag-json";
import type { Command } from "commander";
import { parseUnits } from "viem";
import {
  ASSET_KINDS,
  type AssetKind,
  assetKindOfManifest,
  contractAddress,
  type DatasetManifest,
  InvalidArgumentError,
  type ModelManifest,
  type MyceliumClient,
  publish,
  publishAsset,
  type PublishAssetParameters,
  readToken,
  type TokenDescription,
  validateManifest,
  formatAmount,
  type PublishAssetReturnType,
  type PublishReturnType,
} from "@mycelium/client";
import type { CliContext } from "../../kit/context.ts";
import type { Run } from "../main.ts";
import { parseAddress, parseAmount, parseChoice, parseDuration, parseId } from "../../kit/parse.ts";
import { dataDirOf, openLocalStorage, withStorageOptions, type StorageCommandOptions } from "../../kit/storage.ts";

type PublishOptions = StorageCommandOptions & {
  kind?: string;
  name?: string;
  description?: string;
  license: string;
  creator?: string;
  labels?: string;
  metric: string[];
  manifest?: string;
  manifestFile?: string;
  price?: string;
  paymentToken?: string;
  supply: string;
  accessPeriod: string;
  parent: string[];
  datatoken: boolean;
};

const repeatable = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command, run: Run): void {
  withStorageOptions(
    program
      .command("publish [path]")
      .description("publish a dataset or model: content, manifest, then NFT + datatoken + listing in one transaction")
      .option("--kind <kind>", `what it is (${ASSET_KINDS.join(", ")})`)
      .option("--name <name>", "name shown to people (required with <path>)")
      .option("--description <text>", "what it is, for people")
      .option("--license <license>", 'SPDX id (e.g. CC-BY-4.0), "proprietary", or a license URL', "proprietary")
      .option("--creator <creator>", "who made it (default: your address)")
      .option("--labels <names>", "datasets: comma-separated class names in label order (default labels.json, else 0,1,...)")
      .option("--metric <name=value>", "models: an evaluation result such as accuracy=0.91 (repeatable)", repeatable, [])
      .option("--manifest <cid>", "publish a manifest already on IPFS instead of content from <path>")
      .option("--manifest-file <file>", "publish a dag-json manifest file instead (its content must already be stored)")
      .option("--price <amount>", "list it at this price per access, in payment tokens (e.g. 2.5)")
      .option("--payment-token <address>", "ERC-20 buyers pay with (default: the deployment's PaymentToken)")
      .option("--supply <tokens>", "datatokens minted to you (whole tokens; each sells one access)", "100")
      .option("--access-period <duration>", "how long one access lasts (3600, 12h, 30d, unlimited)", "unlimited")
      .option("--parent <id>", "lineage: an asset this one derives from (repeatable)", repeatable, [])
      .option("--no-datatoken", "mint the NFT only (no datatoken, so nothing to sell yet)"),
    { network: false },
  ).action(run(async (ctx: CliContext, path: string | undefined, options: PublishOptions) => publishCommand(ctx, path, options)));
}

async function publishCommand(ctx: CliContext, contentPath: string | undefined, options: PublishOptions): Promise<void> {
  const sources = [contentPath, options.manifest, options.manifestFile].filter((source) => source !== undefined);
  if (sources.length !== 1) {
    throw new InvalidArgumentError({
      parameter: "what to publish",
      value: sources.join(", ") || "(nothing)",
      expected: "exactly one of <path>, --manifest <cid> or --manifest-file <file>",
    });
  }
  if (!options.datatoken && options.price !== undefined) {
    throw new InvalidArgumentError({
      parameter: "--price",
      value: options.price,
      expected: "no price with --no-datatoken (a listing sells datatokens)",
    });
  }
  const fileManifest = options.manifestFile === undefined ? undefined : await readManifestFile(options.manifestFile);
  const kind: AssetKind | undefined =
    options.kind !== undefined
      ? parseChoice(options.kind, ASSET_KINDS, "--kind")
      : fileManifest
        ? assetKindOfManifest(fileManifest)
        : undefined;
  if (kind === undefined)
    throw new InvalidArgumentError({ parameter: "--kind", value: "(missing)", expected: `one of ${ASSET_KINDS.join(", ")}` });
  if (fileManifest && assetKindOfManifest(fileManifest) !== kind) {
    throw new InvalidArgumentError({
      parameter: "--kind",
      value: kind,
      expected: `the kind of the manifest file (${assetKindOfManifest(fileManifest)})`,
    });
  }
  if (contentPath !== undefined && !options.name)
    throw new InvalidArgumentError({ parameter: "--name", value: "(missing)", expected: "a name for the asset" });
  const parents = options.parent.map((parent) => parseId(parent, "--parent"));
  const metrics = parseMetrics(options.metric);
  const client = await ctx.signer();
  const { datatoken, listing, token } = await saleTerms(client, options);
  const common = { parents, datatoken, listing };

  let published: PublishAssetReturnType | PublishReturnType;
  if (options.manifest !== undefined) {
    published = {
      ...(await ctx.withSpinner("Publishing", (tx) => publishAsset(client, { kind, manifestCid: options.manifest!, ...common, ...tx }))),
      kind,
    };
  } else {
    const storage = await openLocalStorage(dataDirOf(ctx, options));
    const { onProgress, stop } = ctx.trackPublish("Adding content");
    try {
      published = await publish(client, {
        storage,
        ...common,
        ...(fileManifest
          ? { manifest: fileManifest }
          : {
              kind,
              path: contentPath!,
              info: { name: options.name!, description: options.description, license: options.license, creator: options.creator },
              labelClasses: options.labels?.split(",").map((label) => label.trim()),
              metrics,
            }),
        signal: ctx.signal,
        onProgress,
      });
    } finally {
      stop();
      await storage.close();
    }
  }
  ctx.output.result(published, [
    `Published ${kind} asset ${published.assetId} (manifest ${published.manifestCid}).`,
    published.datatoken ? `  datatoken  ${published.datatoken}` : "  datatoken  none",
    published.listing && token ? `  listed at  ${formatAmount(published.listing.price, token)} per access` : "  not listed",
    `  transaction ${published.hash}`,
    ...(options.manifest === undefined ? [`  content stored in ${dataDirOf(ctx, options)}: keep it online with \`myc serve\``] : []),
  ]);
}

/** The datatoken and listing of `publishAsset` from the command line options, with the payment token for display. */
async function saleTerms(client: MyceliumClient, options: PublishOptions) {
  const datatoken: PublishAssetParameters["datatoken"] = options.datatoken
    ? {
        accessPeriod: parseDuration(options.accessPeriod, "--access-period"),
        initialSupply: parseAmount(options.supply, 0, "--supply") * parseUnits("1", 18),
      }
    : undefined;
  let listing: PublishAssetParameters["listing"];
  let token: TokenDescription | undefined;
  if (options.price !== undefined) {
    const paymentToken = options.paymentToken
      ? parseAddress(options.paymentToken, "--payment-token")
      : contractAddress(client.deployment, "PaymentToken");
    token = await readToken(client, paymentToken);
    listing = { paymentToken, price: parseAmount(options.price, token.decimals, "--price") };
  }
  return { datatoken, listing, token };
}

/** Reads a dag-json manifest file and validates it (ManifestValidationError lists every problem). */
async function readManifestFile(file: string): Promise<DatasetManifest | ModelManifest> {
  let value: unknown;
  try {
    value = dagJson.decode(await readFile(file));
  } catch (cause) {
    throw new InvalidArgumentError({
      parameter: "--manifest-file",
      value: file,
      expected: 'a readable dag-json manifest (links written as {"/": "<cid>"})',
      cause,
    });
  }
  const manifest = validateManifest(value, { cid: file });
  if (assetKindOfManifest(manifest) === undefined) {
    throw new InvalidArgumentError({
      parameter: "--manifest-file",
      value: file,
      expected: "a dataset or model manifest (update manifests are not assets)",
    });
  }
  return manifest as DatasetManifest | ModelManifest;
}

function parseMetrics(entries: string[]): Record<string, number> | undefined {
  if (entries.length === 0) return undefined;
  const metrics: Record<string, number> = {};
  for (const entry of entries) {
    const [name, value] = entry.split("=");
    const number = Number(value);
    if (!name || value === undefined || value.trim() === "" || !Number.isFinite(number)) {
      throw new InvalidArgumentError({ parameter: "--metric", value: entry, expected: "name=number, such as accuracy=0.91" });
    }
    metrics[name.trim()] = number;
  }
  return metrics;
}
