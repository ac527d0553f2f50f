import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { once } from "node:events";
import * as dagCbor from "@ipld/dag-cbor";
import { CarBlockIterator } from "@ipld/car/iterator";
import type { CID } from "multiformats/cid";
import { varint } from "multiformats";
import { AbortedError, BaseError, throwIfAborted } from "../errors/base.ts";
import { CarError } from "../errors/storage.ts";
import { verifiedGetter } from "./blocks.ts";
import type { BlockProgressEvent, BlockStorage } from "./blocks.ts";
import { toCid } from "./cid.ts";
import type { CidLike } from "./cid.ts";
import { blockLinks } from "./dag.ts";
import { verifyBlock } from "./verify.ts";

/** Cumulative progress of a CAR export or import. */
export type CarProgressEvent = { type: "car"; blocks: number; bytes: number };

export type CarOptions = {
  signal?: AbortSignal | undefined;
  onProgress?: ((event: CarProgressEvent | BlockProgressEvent) => void) | undefined;
};

const IDENTITY = 0x00;

/**
 * Streams a CARv1 holding every block reachable from `roots` (depth first, children in link order, each block once),
 * so the content can be imported and pinned by any IPFS implementation (`ipfs dag import`, pinning services). Blocks
 * missing locally are fetched (and verified) through the storage, like any read. Identity blocks are inline in
 * their CIDs and are not written.
 */
export async function* exportCar(storage: BlockStorage, roots: CidLike | CidLike[], options: CarOptions = {}): AsyncGenerator<Uint8Array> {
  const rootCids = (Array.isArray(roots) ? roots : [roots]).map((r) => toCid(r));
  const get = verifiedGetter(storage.blockstore);
  yield frame(dagCbor.encode({ version: 1, roots: rootCids }));
  const seen = new Set<string>();
  const stack = [...rootCids].reverse();
  let blocks = 0;
  let bytes = 0;
  while (stack.length > 0) {
    throwIfAborted(options.signal, "Exporting a CAR");
    const cid = stack.pop()!;
    const key = cid.toString();
    if (seen.has(key)) continue;
    seen.add(key);
    if (cid.multihash.code === IDENTITY) continue;
    const block = await get(cid, { signal: options.signal, onProgress: options.onProgress });
    const links = blockLinks(cid, block);
    for (let i = links.length - 1; i >= 0; i--) stack.push(links[i]!);
    const header = new Uint8Array(varint.encodingLength(cid.bytes.byteLength + block.byteLength) + cid.bytes.byteLength);
    varint.encodeTo(cid.bytes.byteLength + block.byteLength, header, 0);
    header.set(cid.bytes, header.byteLength - cid.bytes.byteLength);
    yield header;
    yield block;
    blocks++;
    bytes += block.byteLength;
    options.onProgress?.({ type: "car", blocks, bytes });
  }
}

/** Writes `exportCar` to a file (via a temporary name, renamed when complete). */
export async function exportCarFile(
  storage: BlockStorage,
  roots: CidLike | CidLike[],
  path: string,
  options: CarOptions = {},
): Promise<{ blocks: number; bytes: number }> {
  const temporary = `${path}.partial-${process.pid}`;
  const out = createWriteStream(temporary);
  let last = { blocks: 0, bytes: 0 };
  try {
    for await (const chunk of exportCar(storage, roots, {
      ...options,
      onProgress: (event) => {
        if (event.type === "car") last = { blocks: event.blocks, bytes: event.bytes };
        options.onProgress?.(event);
      },
    })) {
      if (!out.write(chunk)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
    await rename(temporary, path);
    return last;
  } catch (error) {
    out.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}

export type ImportCarOptions = CarOptions & {
  /**
   * Require every block reachable from the CAR's roots to be present afterwards (in the CAR or already stored), so
   * an import is a complete pin (default true). Set false to accept partial CARs.
   */
  requireComplete?: boolean;
};

export type ImportCarResult = { roots: CID[]; blocks: number; bytes: number };

/**
 * Imports a CAR (v1) into the storage. Every block is verified against its CID before it is stored; a CAR holding a
 * block whose bytes do not match fails with BlockVerificationError and stores nothing further.
 */
export async function importCar(
  storage: BlockStorage,
  car: Uint8Array | AsyncIterable<Uint8Array>,
  options: ImportCarOptions = {},
): Promise<ImportCarResult> {
  const source: AsyncIterable<Uint8Array> =
    car instanceof Uint8Array
      ? (async function* () {
          yield car;
        })()
      : car;
  let iterator: CarBlockIterator;
  try {
    iterator = await CarBlockIterator.fromIterable(source);
  } catch (cause) {
    if (options.signal?.aborted) throw new AbortedError("Importing a CAR", { cause });
    throw new CarError("The input is not a valid CAR file.", { details: (cause as Error).message, cause });
  }
  const roots = await iterator.getRoots();
  const linksOf = new Map<string, CID[]>();
  let blocks = 0;
  let bytes = 0;
  try {
    for await (const { cid, bytes: block } of iterator) {
      throwIfAborted(options.signal, "Importing a CAR");
      const verified = await verifyBlock(cid, block, { source: "car" });
      linksOf.set(cid.toString(), blockLinks(cid, verified));
      await storage.blockstore.put(cid, verified, { signal: options.signal });
      blocks++;
      bytes += verified.byteLength;
      options.onProgress?.({ type: "car", blocks, bytes });
    }
  } catch (cause) {
    if (cause instanceof BaseError) throw cause;
    if (options.signal?.aborted) throw new AbortedError("Importing a CAR", { cause });
    throw new CarError("The CAR file is truncated or malformed.", { details: (cause as Error).message, cause });
  }
  if (options.requireComplete ?? true) await assertComplete(storage, roots, linksOf, options.signal);
  return { roots, blocks, bytes };
}

/** Imports a CAR file from disk (streamed). */
export async function importCarFile(storage: BlockStorage, path: string, options: ImportCarOptions = {}): Promise<ImportCarResult> {
  return importCar(
    storage,
    createReadStream(path, { highWaterMark: 1024 * 1024, ...(options.signal ? { signal: options.signal } : {}) }),
    options,
  );
}

async function assertComplete(
  storage: BlockStorage,
  roots: CID[],
  linksOf: Map<string, CID[]>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const get = verifiedGetter(storage.blockstore);
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const cid = stack.pop()!;
    const key = cid.toString();
    if (seen.has(key) || cid.multihash.code === IDENTITY) continue;
    seen.add(key);
    let links = linksOf.get(key);
    if (!links) {
      if (!(await storage.blockstore.has(cid, { signal }))) {
        throw new CarError(
          `The CAR is incomplete: block ${key}, reachable from root ${roots.map(String).join(", ")}, is neither in the CAR nor stored.`,
          {
            hint: "Export the CAR again with every block (exportCar walks the whole DAG), or pass requireComplete: false.",
          },
        );
      }
      links = blockLinks(cid, await get(cid, { signal }));
    }
    stack.push(...links);
  }
}

function frame(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(varint.encodingLength(bytes.byteLength) + bytes.byteLength);
  varint.encodeTo(bytes.byteLength, out, 0);
  out.set(bytes, out.byteLength - bytes.byteLength);
  return out;
}
