import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { CID } from "multiformats/cid";
import { BlockVerificationError, StorageNodeError, UnsupportedContentError } from "../errors/storage.ts";
import type { BlockSource } from "../errors/storage.ts";

/** Multihash codes this client verifies. Content addressed with anything else is refused, never trusted blindly. */
const SHA2_256 = 0x12;
const IDENTITY = 0x00;

/**
 * Blocks at least this large are hashed on a worker thread so verification overlaps with network and disk I/O on
 * the main thread. Smaller ones cost less to hash inline than to hand over.
 */
const OFFLOAD_MIN_BYTES = 64 * 1024;

/** Where verified bytes came from, for error messages. */
export type VerifyContext = { source: BlockSource | "car" | "input"; from?: string | undefined };

/**
 * Checks that `bytes` hash to `cid` and returns the verified bytes. Throws BlockVerificationError on mismatch and
 * UnsupportedContentError for hash functions other than sha2-256 and identity.
 *
 * With `owned: true` the caller declares that nobody else holds `bytes` (a buffer it just read or received): a large
 * block is then moved to a hashing thread and back, so hashing overlaps with I/O on the main thread, and the caller
 * must use the returned array (the one passed in is detached). Without it, hashing happens inline.
 */
export async function verifyBlock(
  cid: CID,
  bytes: Uint8Array,
  context: VerifyContext,
  options: { owned?: boolean } = {},
): Promise<Uint8Array> {
  if (options.owned && cid.multihash.code === SHA2_256 && bytes.byteLength >= OFFLOAD_MIN_BYTES && ownsWholeBuffer(bytes)) {
    const { bytes: returned, digest } = await hashPool().sha256(bytes);
    if (!equalBytes(cid.multihash.digest, digest)) throw mismatch(cid, cid.multihash.digest, digest, context);
    return returned;
  }
  verifyBlockSync(cid, bytes, context);
  return bytes;
}

/**
 * Verifies an owned block like verifyBlock and, when the block went to a hashing thread and matched, has that thread
 * write it to `file` too. `stored` says whether it was written; when false (small block, or hashed inline), the
 * caller stores it. A block that does not match is never written. Throws StorageNodeError if the write failed.
 */
export async function verifyAndStoreBlock(
  cid: CID,
  bytes: Uint8Array,
  context: VerifyContext,
  file: BlockFile,
): Promise<{ bytes: Uint8Array; stored: boolean }> {
  if (cid.multihash.code === SHA2_256 && bytes.byteLength >= OFFLOAD_MIN_BYTES && ownsWholeBuffer(bytes)) {
    const hashed = await hashPool().sha256(bytes, { expected: cid.multihash.digest, file });
    if (!equalBytes(cid.multihash.digest, hashed.digest)) throw mismatch(cid, cid.multihash.digest, hashed.digest, context);
    if (hashed.error !== undefined) {
      throw new StorageNodeError(`Block ${cid.toString()} was verified but could not be written to disk.`, {
        details: hashed.error,
        hint: `Check free space and permissions in ${file.directory}.`,
      });
    }
    return { bytes: hashed.bytes, stored: hashed.stored };
  }
  verifyBlockSync(cid, bytes, context);
  return { bytes, stored: false };
}

/** Checks that `bytes` hash to `cid`, inline. Throws like verifyBlock. */
export function verifyBlockSync(cid: CID, bytes: Uint8Array, context: VerifyContext): void {
  const { code, digest } = cid.multihash;
  if (code === IDENTITY) {
    if (!equalBytes(digest, bytes)) throw mismatch(cid, digest, bytes, context);
    return;
  }
  if (code !== SHA2_256) {
    throw new UnsupportedContentError({
      cid: cid.toString(),
      what: `hash function 0x${code.toString(16)}`,
      supported: "sha2-256 (0x12), identity (0x00)",
    });
  }
  const actual = createHash("sha256").update(bytes).digest();
  if (!equalBytes(digest, actual)) throw mismatch(cid, digest, actual, context);
}

function mismatch(cid: CID, expected: Uint8Array, found: Uint8Array, context: VerifyContext): BlockVerificationError {
  return new BlockVerificationError({
    cid: cid.toString(),
    source: context.source,
    from: context.from,
    expected: Buffer.from(expected).toString("hex"),
    found: Buffer.from(found).toString("hex"),
  });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.byteLength === b.byteLength &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  );
}

function ownsWholeBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
}

// The worker is plain CommonJS evaluated from a string so it runs without a TypeScript loader. With `file`, it also
// writes a block whose digest matched to disk (temporary name, then rename): blocking calls are fine on this thread,
// and it saves the main thread four trips through the libuv thread pool per block.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { mkdirSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const directories = new Set();
parentPort.on("message", ({ id, buffer, expected, file }) => {
  const bytes = new Uint8Array(buffer);
  const digest = createHash("sha256").update(bytes).digest();
  let stored = false;
  let error;
  if (file && expected && digest.equals(Buffer.from(expected))) {
    try {
      if (!directories.has(file.directory)) {
        mkdirSync(file.directory, { recursive: true });
        directories.add(file.directory);
      }
      writeFileSync(file.temporary, bytes);
      renameSync(file.temporary, file.target);
      stored = true;
    } catch (cause) {
      error = String(cause && cause.message || cause);
      try { rmSync(file.temporary, { force: true }); } catch {}
    }
  }
  const out = new Uint8Array(digest.byteLength);
  out.set(digest);
  parentPort.postMessage({ id, buffer, digest: out.buffer, stored, error }, [buffer, out.buffer]);
});
`;

/** Where a verified block is written: a temporary file in `directory`, renamed to `target` when complete. */
export type BlockFile = { directory: string; temporary: string; target: string };

type Hashed = { bytes: Uint8Array; digest: Uint8Array; stored: boolean; error?: string | undefined };

type Pending = { resolve: (value: Hashed) => void; reject: (error: unknown) => void };

/**
 * A small pool of hashing threads. Buffers are transferred (moved, not copied) to a worker and back. Workers are
 * unref'd: an idle pool never keeps the process alive.
 */
class HashPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private nextWorker = 0;
  private inFlight = 0;

  constructor(private readonly size: number) {}

  sha256(bytes: Uint8Array, store?: { expected: Uint8Array; file: BlockFile }): Promise<Hashed> {
    const worker = this.pick();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.inFlight++;
      if (this.inFlight === 1) for (const w of this.workers) w.ref();
      worker.postMessage({ id, buffer: bytes.buffer, expected: store ? Uint8Array.from(store.expected) : undefined, file: store?.file }, [
        bytes.buffer as ArrayBuffer,
      ]);
    });
  }

  private pick(): Worker {
    if (this.workers.length < this.size) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on("message", (message: { id: number; buffer: ArrayBuffer; digest: ArrayBuffer; stored: boolean; error?: string }) =>
        this.settle(message),
      );
      worker.on("error", (error) => this.failAll(error));
      worker.unref();
      this.workers.push(worker);
      return worker;
    }
    const worker = this.workers[this.nextWorker % this.workers.length]!;
    this.nextWorker++;
    return worker;
  }

  private settle({
    id,
    buffer,
    digest,
    stored,
    error,
  }: {
    id: number;
    buffer: ArrayBuffer;
    digest: ArrayBuffer;
    stored: boolean;
    error?: string;
  }): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    this.inFlight--;
    if (this.inFlight === 0) for (const w of this.workers) w.unref();
    entry.resolve({ bytes: new Uint8Array(buffer), digest: new Uint8Array(digest), stored, error });
  }

  private failAll(error: unknown): void {
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
    this.inFlight = 0;
    for (const worker of this.workers) void worker.terminate();
    this.workers.length = 0;
  }
}

let pool: HashPool | undefined;

function hashPool(): HashPool {
  // One thread per spare core, at most 4: the main thread keeps the sockets and the disk busy meanwhile.
  pool ??= new HashPool(Math.max(1, Math.min(4, availableParallelism() - 1)));
  return pool;
}
