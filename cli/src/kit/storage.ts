/**
 * The IPFS side of the CLI: where content lives on this machine (a data directory, the same layout as a storage
 * node's: `<dataDir>/blocks`, `<dataDir>/datastore`) and how commands reach the network.
 *
 * `myc publish` only writes blocks into the data directory (no network needed); `myc serve` runs a node on that
 * directory so others can fetch them (it sees blocks added later, since the blockstore reads files on demand);
 * `myc get` starts a node of its own to fetch. Two nodes on one data directory at once would share one peer id:
 * give `myc get` another `--data-dir` while `myc serve` runs.
 */
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import {
  type BlockStorage,
  createStorageNode,
  FileBlockstore,
  InvalidArgumentError,
  type StorageNetwork,
  type StorageNode,
  type StorageNodeOptions,
} from "@mycelium/client";
import type { CliContext } from "./context.ts";

export type StorageCommandOptions = {
  dataDir?: string;
  network?: string;
  peer?: string[];
  gateway?: string[];
};

/** Environment variables of the IPFS side (listed in `myc --help` with the others). */
export const STORAGE_ENVIRONMENT = {
  MYC_DATA_DIR: "where content is stored on this machine (default ~/.mycelium)",
  MYC_NETWORK: "IPFS network of myc get and myc serve: public (default) or loopback (this machine only)",
  MYC_PEERS: "comma-separated multiaddrs (/ip4/…/tcp/…/p2p/…) of peers to dial, e.g. a publisher's `myc serve`",
  MYC_GATEWAYS: "comma-separated trustless gateway URLs to fetch blocks from (every block is verified)",
} as const;

const repeatable = (value: string, previous: string[]) => [...previous, value];

/** Adds --data-dir, and with `network` also --network, --peer and --gateway, to a command. */
export function withStorageOptions(command: Command, options: { network: boolean }): Command {
  command.option("--data-dir <dir>", "where content is stored on this machine (env MYC_DATA_DIR; default ~/.mycelium)");
  if (options.network) {
    command
      .option("--network <network>", "public (default) or loopback: this machine only, no internet services (env MYC_NETWORK)")
      .option("--peer <multiaddr>", "a peer to dial, e.g. a publisher's `myc serve` address (repeatable; env MYC_PEERS)", repeatable, [])
      .option("--gateway <url>", "a trustless gateway to fetch blocks from, verified (repeatable; env MYC_GATEWAYS)", repeatable, []);
  }
  return command;
}

export function dataDirOf(ctx: CliContext, options: StorageCommandOptions): string {
  return path.resolve(options.dataDir ?? (ctx.env.MYC_DATA_DIR || path.join(os.homedir(), ".mycelium")));
}

/** The data directory's blockstore alone: what publishing needs (no network). Close it when done. */
export async function openLocalStorage(dataDir: string): Promise<BlockStorage & { close: () => Promise<void> }> {
  const blockstore = new FileBlockstore(path.join(dataDir, "blocks"));
  await blockstore.open();
  return { blockstore, close: () => blockstore.close() };
}

/** Starts a storage node on the data directory with the command's network options. */
export async function startNode(
  ctx: CliContext,
  options: StorageCommandOptions,
  extra: Partial<StorageNodeOptions> = {},
): Promise<StorageNode> {
  const network = (options.network ?? (ctx.env.MYC_NETWORK || "public")) as StorageNetwork;
  if (network !== "public" && network !== "loopback") {
    throw new InvalidArgumentError({ parameter: "--network", value: network, expected: "public or loopback" });
  }
  const list = (flag: string[] | undefined, env: string | undefined) => [
    ...(flag ?? []),
    ...(env
      ? env
          .split(",")
          .map((item) => item.trim())
          .filter(Boolean)
      : []),
  ];
  return createStorageNode({
    dataDir: dataDirOf(ctx, options),
    network,
    peers: list(options.peer, ctx.env.MYC_PEERS),
    gateways: list(options.gateway, ctx.env.MYC_GATEWAYS),
    signal: ctx.signal,
    ...extra,
  });
}
