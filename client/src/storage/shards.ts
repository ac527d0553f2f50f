import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { CID } from "multiformats/cid";
import { AbortedError } from "../errors/base.ts";
import { InvalidContentError, InvalidStorageParameterError } from "../errors/storage.ts";
import { addBytes } from "./add.ts";
import type { AddOptions, AddProgressEvent } from "./add.ts";
import { concatBytes } from "./blocks.ts";
import type { BlockStorage } from "./blocks.ts";
import { toCid } from "./cid.ts";
import type { CidLike } from "./cid.ts";
import { readFiles } from "./read.ts";
import type { ReadOptions } from "./read.ts";

/**
 * Dataset sharding of plain bytes: content is cut into fixed-size shards, each added as its own UnixFS file, so a
 * trainer fetches (and verifies) only the shards it is assigned. Shards are small by design (1 to 16 MiB; default
 * 4 MiB, i.e. four 1 MiB blocks).
 */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

/** A stored shard: its CID, where it starts in the original content, and its size. */
export type Shard = { index: number; cid: CID; offset: number; bytes: number };

export type ShardOptions = AddOptions & {
  /** Target shard size in bytes (default 4 MiB). The last shard may be smaller. */
  shardBytes?: number;
  /**
   * Size of one record (sample) in bytes. Shard sizes are then rounded down to a whole number of records, so no record
   * straddles two shards, and the content must be a whole number of records.
   */
  recordBytes?: number;
};

/** Splits `bytes` into shards, adds each, and returns them in order. */
export async function shardBytes(storage: BlockStorage, bytes: Uint8Array, options: ShardOptions = {}): Promise<Shard[]> {
  const size = shardSize(bytes.byteLength, options);
  const progress = shardProgress(bytes.byteLength, options);
  const shards: Shard[] = [];
  for (let offset = 0, index = 0; offset < bytes.byteLength; offset += size, index++) {
    const length = Math.min(size, bytes.byteLength - offset);
    const cid = await addBytes(storage, bytes.subarray(offset, offset + length), { signal: options.signal, onProgress: progress(offset) });
    shards.push({ index, cid, offset, bytes: length });
  }
  return shards;
}

/** Splits the file at `path` into shards (streamed from disk, one shard in memory at a time), adds each. */
export async function shardFile(storage: BlockStorage, path: string, options: ShardOptions = {}): Promise<Shard[]> {
  let total: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error("not a regular file");
    total = info.size;
  } catch (cause) {
    throw new InvalidStorageParameterError({
      parameter: "path",
      expected: "a readable regular file",
      found: `${path} (${(cause as Error).message})`,
    });
  }
  const size = shardSize(total, options);
  const progress = shardProgress(total, options);
  const shards: Shard[] = [];
  for (let offset = 0, index = 0; offset < total; offset += size, index++) {
    const length = Math.min(size, total - offset);
    const stream = createReadStream(path, {
      start: offset,
      end: offset + length - 1,
      highWaterMark: 1024 * 1024,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let cid: CID;
    try {
      cid = await addBytes(storage, stream as AsyncIterable<Uint8Array>, { signal: options.signal, onProgress: progress(offset) });
    } catch (error) {
      if (options.signal?.aborted && !(error instanceof AbortedError)) throw new AbortedError(`Sharding ${path}`, { cause: error });
      throw error;
    }
    shards.push({ index, cid, offset, bytes: length });
  }
  return shards;
}

/** A shard to read: its CID, optionally with its expected size (checked). */
export type ShardSource = CidLike | { cid: CidLike; bytes?: number };

/**
 * Reads shards in order and yields each one whole, verified block by block against its CID. Blocks of the next
 * shards are fetched while the consumer handles the current one (`concurrency` blocks ahead).
 */
export async function* readShards(
  storage: BlockStorage,
  shards: ShardSource[],
  options: ReadOptions = {},
): AsyncGenerator<{ index: number; cid: CID; bytes: Uint8Array }> {
  const refs = shards.map((s) =>
    typeof s === "string" || CID.asCID(s)
      ? { cid: toCid(s as CidLike), bytes: undefined }
      : { cid: toCid((s as { cid: CidLike }).cid), bytes: (s as { bytes?: number }).bytes },
  );
  let parts: Uint8Array[] = [];
  let length = 0;
  for await (const piece of readFiles(
    storage,
    refs.map((r) => r.cid),
    options,
  )) {
    if (piece.data) {
      parts.push(piece.data);
      length += piece.data.byteLength;
      continue;
    }
    const ref = refs[piece.file]!;
    if (ref.bytes !== undefined && ref.bytes !== length) {
      throw new InvalidContentError({
        cid: ref.cid.toString(),
        expected: `a shard of ${ref.bytes} bytes (as listed)`,
        found: `${length} bytes`,
      });
    }
    yield { index: piece.file, cid: ref.cid, bytes: parts.length === 1 ? parts[0]! : concatBytes(parts, length) };
    parts = [];
    length = 0;
  }
}

function shardSize(total: number, options: ShardOptions): number {
  const target = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!Number.isSafeInteger(target) || target < 1)
    throw new InvalidStorageParameterError({ parameter: "shardBytes", expected: "a positive integer", found: String(target) });
  const record = options.recordBytes;
  if (record === undefined) return target;
  if (!Number.isSafeInteger(record) || record < 1)
    throw new InvalidStorageParameterError({ parameter: "recordBytes", expected: "a positive integer", found: String(record) });
  if (total % record !== 0) {
    throw new InvalidStorageParameterError({
      parameter: "recordBytes",
      expected: `a size dividing the content (${total} bytes)`,
      found: `${record} (${total % record} bytes left over)`,
    });
  }
  return Math.max(record, Math.floor(target / record) * record);
}

/** Turns per-shard add progress into progress over the whole content. */
function shardProgress(total: number, options: ShardOptions): (offset: number) => ((event: AddProgressEvent) => void) | undefined {
  const forward = options.onProgress;
  if (!forward) return () => undefined;
  return (offset) => (event) => forward({ type: "add", bytes: offset + event.bytes, totalBytes: total });
}
