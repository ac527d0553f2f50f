import type { Blockstore } from "interface-blockstore";
import type { CID } from "multiformats/cid";
import { throwIfAborted } from "../errors/base.ts";
import type { BlockSource } from "../errors/storage.ts";
import { verifyBlock } from "./verify.ts";

/**
 * The smallest dependency of the content functions: something that stores blocks. A storage node
 * (`createStorageNode`) satisfies it, and so does any `interface-blockstore` Blockstore (a MemoryBlockstore, an
 * FsBlockstore, Helia's `helia.blockstore`).
 */
export type BlockStorage = { blockstore: Blockstore };

const IDENTITY = 0x00;

/** Emitted once per block that a read obtained, with where it came from. */
export type BlockProgressEvent = {
  type: "block";
  cid: CID;
  /** Size of the block in bytes. */
  bytes: number;
  source: BlockSource;
  /** The peer gateway URL or peer id that served it; absent for local blocks. */
  from?: string;
};

export type BlockGetOptions = {
  signal?: AbortSignal | undefined;
  onProgress?: ((event: BlockProgressEvent) => void) | undefined;
};

/** Reads one block and returns bytes already verified against the CID. */
export type VerifiedBlockGetter = (cid: CID, options?: BlockGetOptions) => Promise<Uint8Array>;

/**
 * A blockstore carrying this symbol returns from `getVerified` only bytes it has checked against their CID (a
 * storage node's blockstore does: local reads and network fetches alike), so readers do not hash them twice.
 */
export const verifiedBlocks = Symbol.for("@mycelium/client/verified-blocks");

export type VerifyingBlockstore = Blockstore & { [verifiedBlocks]: VerifiedBlockGetter };

export function isVerifyingBlockstore(blockstore: unknown): blockstore is VerifyingBlockstore {
  return typeof (blockstore as Partial<VerifyingBlockstore>)?.[verifiedBlocks] === "function";
}

/**
 * Returns a getter that yields verified bytes from any blockstore: the store's own verified path when it has one,
 * otherwise reading the block and hashing it here. Every read path of this package goes through this function.
 */
export function verifiedGetter(blockstore: Pick<Blockstore, "get">): VerifiedBlockGetter {
  if (isVerifyingBlockstore(blockstore)) return blockstore[verifiedBlocks];
  return async (cid, options = {}) => {
    throwIfAborted(options.signal, "Reading a block");
    // Identity CIDs carry their bytes inline: nothing to read or to verify.
    if (cid.multihash.code === IDENTITY) return cid.multihash.digest;
    const bytes = await collect(blockstore.get(cid, { signal: options.signal }));
    const verified = await verifyBlock(cid, bytes, { source: "local" });
    options.onProgress?.({ type: "block", cid, bytes: verified.byteLength, source: "local" });
    return verified;
  };
}

/** Concatenates the chunks a blockstore yields for one block into one standalone buffer. */
export async function collect(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    length += chunk.byteLength;
  }
  if (parts.length === 1 && parts[0]!.byteOffset === 0 && parts[0]!.byteLength === parts[0]!.buffer.byteLength) return parts[0]!;
  return concatBytes(parts, length);
}

/** Joins byte arrays into one new array of `length` bytes (their total). */
export function concatBytes(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
