import { createReadStream } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { importer } from "ipfs-unixfs-importer";
import type { ImportCandidate, ImporterOptions } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import type { CID } from "multiformats/cid";
import { AbortedError, throwIfAborted } from "../errors/base.ts";
import { InvalidStorageParameterError, StorageNodeError } from "../errors/storage.ts";
import type { BlockStorage } from "./blocks.ts";

/**
 * UnixFS settings, fixed so that the same bytes always give the same CID, in any process, on any machine. They are
 * the IPIP-499 `unixfs-v1-2025` profile (what `ipfs add --cid-version=1 --raw-leaves --chunker=size-1048576` with
 * 1024 links per node produces), spelled out so a library upgrade cannot change them silently:
 * CIDv1, sha2-256, raw leaves, fixed 1 MiB chunks, balanced DAG of up to 1024 links per node, a file of one chunk is
 * the raw block itself, directories become HAMT shards (fanout 256) above 256 KiB, no mtime or mode metadata.
 */
export const UNIXFS_CHUNK_BYTES = 1024 * 1024;
export const UNIXFS_MAX_LINKS = 1024;

function importerOptions(signal: AbortSignal | undefined): ImporterOptions {
  // A fresh object each time: the importer writes its resolved settings back into the options it is given.
  return {
    profile: "unixfs-v1-2025",
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: UNIXFS_CHUNK_BYTES }),
    layout: balanced({ maxChildrenPerNode: UNIXFS_MAX_LINKS }),
    shardSplitStrategy: "block-bytes",
    shardSplitThresholdBytes: 256 * 1024,
    shardFanoutBits: 8,
    fieldOrder: "links-first",
    ...(signal ? { signal } : {}),
  } as ImporterOptions;
}

/** Cumulative progress of an add: `bytes` read from the source so far, out of `totalBytes` when known. */
export type AddProgressEvent = { type: "add"; bytes: number; totalBytes: number | null; path?: string };

export type AddOptions = {
  signal?: AbortSignal | undefined;
  onProgress?: ((event: AddProgressEvent) => void) | undefined;
};

export type ByteSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Adds bytes (one array or a stream of chunks) as a UnixFS file and returns its CID. */
export async function addBytes(storage: BlockStorage, bytes: ByteSource, options: AddOptions = {}): Promise<CID> {
  const total = bytes instanceof Uint8Array ? bytes.byteLength : null;
  const counter = progressCounter(total, options);
  const source = bytes instanceof Uint8Array ? [bytes] : bytes;
  return importOne(storage, { content: counter.count(source) }, options.signal, "Adding bytes");
}

/** Adds the file at `path` as a UnixFS file (streamed from disk, never loaded whole) and returns its CID. */
export async function addFile(storage: BlockStorage, path: string, options: AddOptions = {}): Promise<CID> {
  const info = await statOrThrow(path);
  if (!info.isFile())
    throw new InvalidStorageParameterError({ parameter: "path", expected: "a regular file", found: describe(info, path) });
  const counter = progressCounter(info.size, options);
  return importOne(storage, { content: counter.count(readChunks(path, options.signal), basename(path)) }, options.signal, `Adding ${path}`);
}

/** One entry of a directory built from memory: a path relative to the directory root and its content. */
export type DirectoryEntryInput = { path: string; content: ByteSource };

/**
 * Adds a directory from memory (for example a TF.js model: model.json and weights.bin) and returns the CID of the
 * UnixFS directory. Paths use "/" and must be relative; sub-directories are created as needed.
 */
export async function addDirectoryEntries(storage: BlockStorage, entries: DirectoryEntryInput[], options: AddOptions = {}): Promise<CID> {
  const seen = new Set<string>();
  for (const entry of entries) {
    if (!isSafeRelativePath(entry.path)) {
      throw new InvalidStorageParameterError({
        parameter: "entry path",
        expected: "a relative path without '.', '..' or empty segments",
        found: JSON.stringify(entry.path),
      });
    }
    if (seen.has(entry.path))
      throw new InvalidStorageParameterError({ parameter: "entry path", expected: "unique paths", found: `"${entry.path}" twice` });
    seen.add(entry.path);
  }
  const sizes = entries.map((e) => (e.content instanceof Uint8Array ? e.content.byteLength : null));
  const counter = progressCounter(sizes.includes(null) ? null : sizes.reduce<number>((sum, n) => sum + n!, 0), options);
  const candidates = entries.map((entry) => ({
    path: entry.path,
    content: counter.count(entry.content instanceof Uint8Array ? [entry.content] : entry.content, entry.path),
  }));
  return importWrapped(storage, candidates, options.signal, "Adding a directory");
}

/**
 * Adds the directory at `path` recursively (files streamed from disk; empty sub-directories kept; symbolic links
 * followed) and returns the CID of the UnixFS directory. Entry order on disk does not matter: the same tree gives
 * the same CID.
 */
export async function addDirectory(storage: BlockStorage, path: string, options: AddOptions = {}): Promise<CID> {
  const info = await statOrThrow(path);
  if (!info.isDirectory())
    throw new InvalidStorageParameterError({ parameter: "path", expected: "a directory", found: describe(info, path) });
  const files: { path: string; absolute: string; size: number }[] = [];
  const directories: string[] = [];
  await walk(path, path, files, directories, options.signal);
  const counter = progressCounter(
    files.reduce((sum, f) => sum + f.size, 0),
    options,
  );
  const candidates: ImportCandidate[] = [
    ...directories.map((dir) => ({ path: dir })),
    ...files.map((file) => ({ path: file.path, content: counter.count(readChunks(file.absolute, options.signal), file.path) })),
  ];
  return importWrapped(storage, candidates, options.signal, `Adding ${path}`);
}

async function walk(
  root: string,
  dir: string,
  files: { path: string; absolute: string; size: number }[],
  directories: string[],
  signal: AbortSignal | undefined,
  visiting = new Set<string>(),
): Promise<void> {
  throwIfAborted(signal, "Adding a directory");
  // Symbolic links are followed; one that leads back into a directory being walked would never end.
  const real = await realpath(dir);
  if (visiting.has(real)) {
    throw new InvalidStorageParameterError({
      parameter: "path",
      expected: "a directory tree without symbolic-link cycles",
      found: `${dir} leads back to ${real}`,
    });
  }
  visiting.add(real);
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    const absolute = join(dir, name);
    const info = await stat(absolute);
    const path = relative(root, absolute).split(sep).join("/");
    if (info.isDirectory()) {
      directories.push(path);
      await walk(root, absolute, files, directories, signal, visiting);
    } else if (info.isFile()) {
      files.push({ path, absolute, size: info.size });
    }
  }
  visiting.delete(real);
}

async function importOne(
  storage: BlockStorage,
  candidate: ImportCandidate,
  signal: AbortSignal | undefined,
  operation: string,
): Promise<CID> {
  let cid: CID | undefined;
  await runImport(
    async () => {
      for await (const entry of importer([candidate], storage.blockstore, importerOptions(signal))) cid = entry.cid;
    },
    signal,
    operation,
  );
  if (!cid)
    throw new StorageNodeError(`${operation} produced no CID.`, { hint: "This is a bug in the importer; report it with the input size." });
  return cid;
}

async function importWrapped(
  storage: BlockStorage,
  candidates: ImportCandidate[],
  signal: AbortSignal | undefined,
  operation: string,
): Promise<CID> {
  let root: CID | undefined;
  await runImport(
    async () => {
      const options = { ...importerOptions(signal), wrapWithDirectory: true };
      // The wrapping directory is the entry with the empty path, yielded last.
      for await (const entry of importer(candidates, storage.blockstore, options)) if (entry.path === "") root = entry.cid;
    },
    signal,
    operation,
  );
  if (!root)
    throw new StorageNodeError(`${operation} produced no root directory.`, {
      hint: "This is a bug in the importer; report it with the input.",
    });
  return root;
}

async function runImport(run: () => Promise<void>, signal: AbortSignal | undefined, operation: string): Promise<void> {
  throwIfAborted(signal, operation);
  try {
    await run();
  } catch (error) {
    if (signal?.aborted && !(error instanceof AbortedError)) throw new AbortedError(operation, { cause: error });
    throw error;
  }
}

function progressCounter(totalBytes: number | null, options: AddOptions) {
  let bytes = 0;
  return {
    async *count(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, path?: string): AsyncGenerator<Uint8Array> {
      for await (const chunk of source) {
        for (const piece of chunkerSized(chunk)) {
          throwIfAborted(options.signal, "Adding content");
          yield piece;
          bytes += piece.byteLength;
          options.onProgress?.({ type: "add", bytes, totalBytes, ...(path === undefined ? {} : { path }) });
        }
      }
    },
  };
}

/** Large chunks are passed on in chunker-sized views (no copy), so progress and aborts come once per block. */
function* chunkerSized(chunk: Uint8Array): Generator<Uint8Array> {
  if (chunk.byteLength <= UNIXFS_CHUNK_BYTES) {
    yield chunk;
    return;
  }
  for (let offset = 0; offset < chunk.byteLength; offset += UNIXFS_CHUNK_BYTES) yield chunk.subarray(offset, offset + UNIXFS_CHUNK_BYTES);
}

async function* readChunks(path: string, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  // 1 MiB reads match the chunker: one read per leaf block.
  const stream = createReadStream(path, { highWaterMark: UNIXFS_CHUNK_BYTES, ...(signal ? { signal } : {}) });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if (signal?.aborted) throw new AbortedError(`Reading ${path}`, { cause: error });
    throw error;
  }
}

async function statOrThrow(path: string) {
  try {
    return await stat(path);
  } catch (cause) {
    throw new InvalidStorageParameterError({
      parameter: "path",
      expected: "an existing file or directory",
      found: `${path} (${(cause as NodeJS.ErrnoException).code ?? "unreadable"})`,
    });
  }
}

function describe(info: Awaited<ReturnType<typeof stat>>, path: string): string {
  return `${path} is ${info.isDirectory() ? "a directory" : info.isFile() ? "a file" : "neither a file nor a directory"}`;
}

function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.startsWith("/")) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}
