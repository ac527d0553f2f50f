import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { once } from "node:events";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { exporter } from "ipfs-unixfs-exporter";
import type { UnixFSEntry } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { AbortedError, BaseError, throwIfAborted } from "../errors/base.ts";
import { InvalidContentError, InvalidStorageParameterError, PathNotFoundError } from "../errors/storage.ts";
import { concatBytes, verifiedGetter } from "./blocks.ts";
import type { BlockGetOptions, BlockProgressEvent, BlockStorage, VerifiedBlockGetter } from "./blocks.ts";
import { toCid } from "./cid.ts";
import type { CidLike } from "./cid.ts";

/** Cumulative progress of a read: `bytes` yielded so far, out of `totalBytes` once every root has been seen. */
export type ReadProgressEvent = { type: "read"; bytes: number; totalBytes: number | null };

export type ReadOptions = {
  signal?: AbortSignal | undefined;
  onProgress?: ((event: ReadProgressEvent | BlockProgressEvent) => void) | undefined;
  /**
   * Blocks fetched ahead of the one being yielded (default 16, i.e. up to 16 MiB in flight with 1 MiB chunks). More
   * hides latency on slow links; fewer bounds memory.
   */
  concurrency?: number | undefined;
};

const DEFAULT_READ_CONCURRENCY = 16;

type QueueEntry = {
  cid: CID;
  root: number;
  block: Promise<Uint8Array> | null;
};

/**
 * Streams the bytes of one UnixFS file, or of several one after another (dataset shards), in order. Every block is
 * verified against its CID before any of its bytes are yielded: a block that does not match fails the read with
 * BlockVerificationError. Up to `concurrency` blocks are fetched ahead, across file boundaries, so shards and
 * chunks arrive in parallel while the consumer works.
 */
export async function* readBytes(storage: BlockStorage, cids: CidLike | CidLike[], options: ReadOptions = {}): AsyncGenerator<Uint8Array> {
  for await (const piece of readFiles(storage, Array.isArray(cids) ? cids : [cids], options)) {
    if (piece.data) yield piece.data;
  }
}

/** A piece of `readFiles` output: bytes of file number `file`, or the mark that this file is complete. */
export type FilePiece = { file: number; data: Uint8Array; done?: never } | { file: number; data?: never; done: true };

/** The engine of readBytes and readShards: yields each file's bytes in order, then a `done` mark per file. */
export async function* readFiles(storage: BlockStorage, cids: CidLike[], options: ReadOptions = {}): AsyncGenerator<FilePiece> {
  const roots = cids.map((c) => toCid(c));
  const concurrency = options.concurrency ?? DEFAULT_READ_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new InvalidStorageParameterError({ parameter: "concurrency", expected: "a positive integer", found: String(concurrency) });
  }
  const get = verifiedGetter(storage.blockstore);
  // Fetches still running when the consumer stops (break, error, abort) are cancelled through this controller.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const blockOptions: BlockGetOptions = { signal, onProgress: options.onProgress };

  const queue: QueueEntry[] = roots.map((cid, root) => ({ cid, root, block: null }));
  const expected: (number | null)[] = roots.map(() => null);
  const yielded: number[] = roots.map(() => 0);
  const remaining: number[] = roots.map(() => 1);
  let inFlight = 0;
  let bytes = 0;
  let totalBytes: number | null = roots.length === 0 ? 0 : null;

  const start = () => {
    for (let i = 0; i < queue.length && inFlight < concurrency; i++) {
      const entry = queue[i]!;
      if (entry.block) continue;
      entry.block = get(entry.cid, blockOptions);
      // Rejections are handled when the entry reaches the head; this only keeps an early one from being "unhandled".
      entry.block.catch(() => {});
      inFlight++;
    }
  };

  try {
    while (queue.length > 0) {
      throwIfAborted(options.signal, "Reading content");
      start();
      const entry = queue.shift()!;
      const block = await awaitBlock(entry.block!, options.signal);
      inFlight--;
      remaining[entry.root]!--;
      const isRoot = expected[entry.root] === null;
      const { data, links, fileSize } = decodeFileBlock(entry.cid, block, roots[entry.root]!);
      if (isRoot) {
        expected[entry.root] = fileSize;
        if (expected.every((n) => n !== null)) totalBytes = expected.reduce<number>((sum, n) => sum + n!, 0);
      }
      if (links.length > 0) {
        queue.unshift(...links.map((cid) => ({ cid, root: entry.root, block: null })));
        remaining[entry.root]! += links.length;
      }
      if (data.byteLength > 0) {
        yielded[entry.root]! += data.byteLength;
        bytes += data.byteLength;
        yield { file: entry.root, data };
        options.onProgress?.({ type: "read", bytes, totalBytes });
      }
      if (remaining[entry.root] === 0) {
        if (yielded[entry.root] !== expected[entry.root]) {
          throw new InvalidContentError({
            cid: roots[entry.root]!.toString(),
            expected: `a file of ${expected[entry.root]} bytes as its root declares`,
            found: `${yielded[entry.root]} bytes in its blocks`,
          });
        }
        yield { file: entry.root, done: true };
      }
    }
  } finally {
    stop.abort();
  }
}

/** Reads a whole file into memory (verified block by block). Use readBytes to stream large content instead. */
export async function fetchBytes(
  storage: BlockStorage,
  cid: CidLike,
  options: ReadOptions & { maxBytes?: number } = {},
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of readBytes(storage, cid, options)) {
    length += chunk.byteLength;
    if (options.maxBytes !== undefined && length > options.maxBytes) {
      throw new InvalidContentError({
        cid: toCid(cid).toString(),
        expected: `at most ${options.maxBytes} bytes`,
        found: `more than ${options.maxBytes} bytes`,
        hint: "Stream it with readBytes, or raise maxBytes.",
      });
    }
    parts.push(chunk);
  }
  return parts.length === 1 ? parts[0]! : concatBytes(parts, length);
}

async function awaitBlock(block: Promise<Uint8Array>, signal: AbortSignal | undefined): Promise<Uint8Array> {
  try {
    return await block;
  } catch (error) {
    if (signal?.aborted && !(error instanceof AbortedError)) throw new AbortedError("Reading content", { cause: error });
    throw error;
  }
}

type FileBlock = { data: Uint8Array; links: CID[]; fileSize: number };

/** Splits one verified block of a UnixFS file into its own bytes and the links to its children, in order. */
function decodeFileBlock(cid: CID, block: Uint8Array, root: CID): FileBlock {
  if (cid.code === raw.code) return { data: block, links: [], fileSize: block.byteLength };
  if (cid.code !== dagPb.code) {
    throw new InvalidContentError({
      cid: root.toString(),
      expected: "a UnixFS file",
      found: `a block with codec 0x${cid.code.toString(16)} (${cid.toString()})`,
      hint: "Records such as manifests are read with loadManifest, not as files.",
    });
  }
  let node: dagPb.PBNode;
  let unixfs: UnixFS;
  try {
    node = dagPb.decode(block);
    if (!node.Data) throw new Error("the dag-pb node has no UnixFS data");
    unixfs = UnixFS.unmarshal(node.Data);
  } catch (cause) {
    throw new InvalidContentError({
      cid: root.toString(),
      expected: "a UnixFS file",
      found: `an undecodable dag-pb block ${cid.toString()}`,
      cause,
    });
  }
  if (unixfs.type !== "file" && unixfs.type !== "raw") {
    throw new InvalidContentError({
      cid: root.toString(),
      expected: "a UnixFS file",
      found: `a UnixFS ${unixfs.type}`,
      hint: unixfs.type === "directory" ? "List it with listDirectory or save it with fetchToPath." : undefined,
    });
  }
  return { data: unixfs.data ?? new Uint8Array(0), links: node.Links.map((link) => link.Hash), fileSize: Number(unixfs.fileSize()) };
}

/** What a CID names: a UnixFS file (raw or dag-pb), a UnixFS directory, or a record (dag-json and other codecs). */
export type ContentStat = {
  cid: CID;
  type: "file" | "directory" | "record";
  /** File size in bytes; for a directory the cumulative size of its DAG; for a record its encoded size. */
  size: number;
};

/** Entry of a UnixFS directory listing. */
export type DirectoryEntry = { name: string; cid: CID; type: "file" | "directory" | "record"; size: number };

/** Describes the content at `cid` (or at `path` inside it) from its root block. */
export async function statContent(
  storage: BlockStorage,
  cid: CidLike,
  options: { path?: string; signal?: AbortSignal | undefined } = {},
): Promise<ContentStat> {
  const entry = await exportEntry(storage, toCid(cid), options.path ?? "", options.signal);
  return { cid: entry.cid, type: entryType(entry), size: Number(entry.size) };
}

/** Resolves a path inside a UnixFS directory (for example "model.json") to the CID it names. */
export async function resolvePath(
  storage: BlockStorage,
  cid: CidLike,
  path: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<CID> {
  return (await exportEntry(storage, toCid(cid), path, options.signal)).cid;
}

/** Lists the entries of a UnixFS directory (plain or HAMT-sharded), sorted by name. */
export async function listDirectory(
  storage: BlockStorage,
  cid: CidLike,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<DirectoryEntry[]> {
  const root = toCid(cid);
  const entry = await exportEntry(storage, root, "", options.signal);
  if (entry.type !== "directory")
    throw new InvalidContentError({ cid: root.toString(), expected: "a UnixFS directory", found: `a ${entryType(entry)}` });
  const list: DirectoryEntry[] = [];
  for await (const child of entry.entries({ signal: options.signal })) {
    const stat = await statContent(storage, child.cid, { signal: options.signal });
    list.push({ name: child.name, cid: child.cid, type: stat.type, size: stat.size });
  }
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export type FetchToPathOptions = ReadOptions;

/**
 * Saves the file or directory at `cid` to `destination` on disk (a directory tree is recreated). Each file is
 * written to a temporary name and renamed when complete and verified, so a failed or aborted fetch never leaves a
 * truncated file under the final name. Returns what was saved.
 */
export async function fetchToPath(
  storage: BlockStorage,
  cid: CidLike,
  destination: string,
  options: FetchToPathOptions = {},
): Promise<ContentStat> {
  const root = toCid(cid);
  const stat = await statContent(storage, root, { signal: options.signal });
  if (stat.type === "record")
    throw new InvalidContentError({
      cid: root.toString(),
      expected: "a UnixFS file or directory",
      found: "a record",
      hint: "Load records with loadManifest.",
    });
  let bytes = 0;
  const forward = options.onProgress;
  const progress: ReadOptions["onProgress"] = (event) => {
    if (event.type !== "read") return forward?.(event);
  };
  const writeFileFrom = async (fileCid: CID, path: string) => {
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.partial-${process.pid}`;
    const out = createWriteStream(temporary);
    try {
      for await (const chunk of readBytes(storage, fileCid, { ...options, onProgress: progress })) {
        if (!out.write(chunk)) await once(out, "drain");
        bytes += chunk.byteLength;
        forward?.({ type: "read", bytes, totalBytes: stat.type === "file" ? stat.size : null });
      }
      out.end();
      await once(out, "finish");
      await rename(temporary, path);
    } catch (error) {
      out.destroy();
      await rm(temporary, { force: true });
      throw error;
    }
  };
  const saveDirectory = async (dirCid: CID, path: string) => {
    await mkdir(path, { recursive: true });
    for (const entry of await listDirectory(storage, dirCid, { signal: options.signal })) {
      throwIfAborted(options.signal, "Saving a directory");
      if (entry.name.includes("/") || entry.name === ".." || entry.name === "." || entry.name === "") {
        throw new InvalidContentError({ cid: dirCid.toString(), expected: "safe entry names", found: JSON.stringify(entry.name) });
      }
      const target = join(path, entry.name);
      if (entry.type === "directory") await saveDirectory(entry.cid, target);
      else if (entry.type === "file") await writeFileFrom(entry.cid, target);
    }
  };
  if (stat.type === "file") await writeFileFrom(root, destination);
  else await saveDirectory(root, destination);
  return stat;
}

function entryType(entry: UnixFSEntry): ContentStat["type"] {
  if (entry.type === "directory") return "directory";
  if (entry.type === "file" || entry.type === "raw" || entry.type === "identity") return "file";
  return "record";
}

async function exportEntry(storage: BlockStorage, root: CID, path: string, signal: AbortSignal | undefined): Promise<UnixFSEntry> {
  const clean = path
    .split("/")
    .filter((s) => s.length > 0)
    .join("/");
  try {
    return await exporter(
      clean ? `${root.toString()}/${clean}` : root,
      exporterStore(verifiedGetter(storage.blockstore), signal),
      signal ? { signal } : {},
    );
  } catch (error) {
    if (error instanceof BaseError) throw error;
    if (signal?.aborted) throw new AbortedError("Resolving content", { cause: error });
    const name = (error as Error).name;
    if (name === "NotFoundError" || name === "BadPathError")
      throw new PathNotFoundError({ cid: root.toString(), path: clean, cause: error });
    throw new InvalidContentError({ cid: root.toString(), expected: "UnixFS content", found: (error as Error).message, cause: error });
  }
}

/** The exporter reads blocks through this adapter, so directory walks are verified like everything else. */
function exporterStore(get: VerifiedBlockGetter, signal: AbortSignal | undefined) {
  return {
    async *get(cid: CID, options: { signal?: AbortSignal } = {}): AsyncGenerator<Uint8Array> {
      yield await get(cid, { signal: options.signal ?? signal });
    },
  };
}
