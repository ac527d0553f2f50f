/**
 * `myc get` (fetch content by CID, verified block by block), `myc download` (an asset's content and manifest) and
 * `myc serve` (keep this machine's content online).
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { fetchToPath, getAsset, saveManifestContent, statContent, toCid, verifiedGetter } from "@mycelium/client";
import type { CliContext } from "../../kit/context.ts";
import type { Run } from "../main.ts";
import { formatBytes } from "../../kit/output.ts";
import { parseCount, parseId } from "../../kit/parse.ts";
import { dataDirOf, startNode, withStorageOptions, type StorageCommandOptions } from "../../kit/storage.ts";

type GetOptions = StorageCommandOptions & { output?: string };
type ServeOptions = StorageCommandOptions & { listen: string[]; gatewayPort?: string; announce?: string };

export function register(program: Command, run: Run): void {
  withStorageOptions(
    program
      .command("get <cid>")
      .description("fetch a file, a directory or a manifest by CID (every block verified) and save it")
      .option("-o, --output <path>", "where to save it (default ./<cid>)"),
    { network: true },
  ).action(run(async (ctx: CliContext, cid: string, options: GetOptions) => get(ctx, cid, options)));

  withStorageOptions(
    program
      .command("download <asset>")
      .description("save an asset's content (a dataset's shards, a model's files) and its manifest to a directory")
      .option("-o, --output <dir>", "where to save it (default ./asset-<id>)"),
    { network: true },
  ).action(run(async (ctx: CliContext, asset: string, options: GetOptions) => download(ctx, parseId(asset, "asset id"), options)));

  withStorageOptions(
    program
      .command("serve")
      .description("keep a node running that serves this machine's content (what you published) to others")
      .option(
        "--listen <multiaddr>",
        "libp2p listen address (repeatable; default /ip4/127.0.0.1/tcp/0 in loopback mode)",
        (value: string, previous: string[]) => [...previous, value],
        [],
      )
      .option("--gateway-port <port>", "port of the node's HTTP trustless gateway (default: any free port)")
      .option("--announce <url>", "the gateway URL other machines reach (public network)"),
    { network: true },
  ).action(run(async (ctx: CliContext, options: ServeOptions) => serve(ctx, options), { untilInterrupted: true }));
}

async function get(ctx: CliContext, cidText: string, options: GetOptions): Promise<void> {
  const cid = toCid(cidText);
  const destination = path.resolve(options.output ?? cid.toString());
  const node = await startNode(ctx, options, { gateway: false });
  try {
    const spinner = ctx.output.spinner(`Looking up ${cid}`);
    const stat = await statContent(node, cid, { signal: ctx.signal });
    spinner.stop();
    if (stat.type === "record") {
      // A manifest or another IPLD record: its canonical bytes, as fetched (and verified).
      const bytes = await verifiedGetter(node.blockstore)(cid, { signal: ctx.signal });
      await mkdir(path.dirname(destination), { recursive: true });
      await writeFile(`${destination}.partial-${process.pid}`, bytes);
      await rename(`${destination}.partial-${process.pid}`, destination);
    } else {
      const bar = ctx.output.progress(`Fetching ${cid.toString().slice(0, 16)}…`, stat.type === "file" ? stat.size : null);
      await fetchToPath(node, cid, destination, {
        signal: ctx.signal,
        onProgress: (event) => {
          if (event.type === "read") bar.update(event.bytes, event.totalBytes);
        },
      });
      bar.stop();
    }
    ctx.output.result(
      { cid, type: stat.type, size: stat.size, path: destination },
      `Saved ${stat.type} ${cid} (${formatBytes(stat.size)}) to ${destination}.`,
    );
  } finally {
    await node.stop();
  }
}

async function download(ctx: CliContext, assetId: bigint, options: GetOptions): Promise<void> {
  const asset = await getAsset(await ctx.client(), { assetId });
  const directory = path.resolve(options.output ?? `asset-${assetId}`);
  const node = await startNode(ctx, options, { gateway: false });
  try {
    const bar = ctx.output.progress(`Downloading asset ${assetId}`, null);
    const saved = await saveManifestContent(node, asset.manifestCid, directory, {
      signal: ctx.signal,
      onProgress: (event) => bar.update(event.bytes, event.totalBytes),
    });
    bar.stop();
    ctx.output.result(
      {
        assetId,
        kind: asset.kind,
        manifestCid: asset.manifestCid,
        directory,
        files: saved.files,
        bytes: saved.bytes,
        manifest: saved.manifest,
      },
      [
        `Saved ${asset.kind} asset ${assetId} "${saved.manifest.name}" ` +
          `(${saved.files.length} files, ${formatBytes(saved.bytes)}) to ${directory}.`,
      ],
    );
  } finally {
    await node.stop();
  }
}

async function serve(ctx: CliContext, options: ServeOptions): Promise<void> {
  const gatewayPort = options.gatewayPort === undefined ? undefined : Number(parseCount(options.gatewayPort, "--gateway-port"));
  const node = await startNode(ctx, options, {
    ...(options.listen.length > 0 ? { listen: options.listen } : {}),
    gateway: {
      host: "127.0.0.1",
      ...(gatewayPort === undefined ? {} : { port: gatewayPort }),
      ...(options.announce ? { announce: options.announce } : {}),
    },
  });
  try {
    ctx.output.result(
      {
        peerId: node.peerId,
        multiaddrs: node.multiaddrs,
        gatewayUrl: node.gatewayUrl,
        dataDir: dataDirOf(ctx, options),
        network: node.network,
      },
      [
        `Serving ${dataDirOf(ctx, options)} as ${node.peerId} (${node.network} network).`,
        ...node.multiaddrs.map((address) => `  ${address}`),
        ...(node.gatewayUrl ? [`  gateway ${node.gatewayUrl}`] : []),
        "Others fetch with `myc get <cid> --peer <one of the addresses above>`. Ctrl-C to stop.",
      ],
    );
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    ctx.output.note("Stopping.");
  } finally {
    await node.stop();
  }
}
