import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { CID } from "multiformats/cid";
import { BlockVerificationError, UnsupportedContentError } from "../errors/storage.ts";
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
export async function verifyBlock(cid: CID, bytes: Uint8Array, context: VerifyContext, options: { owned?: boolean } = {}): Promise<Uint8Array> {
  if (options.owned && cid.multihash.code === SHA2_256 && bytes.byteLength >= OFFLOAD_MIN_BYTES && ownsWholeBuffer(bytes)) {
    const { bytes: returned, digest } = await hashPool().sha256(bytes);
    if (!equalBytes(cid.multihash.digest, digest)) throw mismatch(cid, cid.multihash.digest, digest, context);
    return returned;
  }
  verifyBlockSync(cid, bytes, context);
  return bytes;
}

/** Checks that `bytes` hash to `cid`, inline. Throws like verifyBlock. */
export function verifyBlockSync(cid: CID, bytes: Uint8Array, context: VerifyContext): void {
  const { code, digest } = cid.multihash;
  if (code === IDENTITY) {
    if (!equalBytes(digest, bytes)) throw mismatch(cid, digest, bytes, context);
    return;
  }
  if (code !== SHA2_256) {
    throw new UnsupportedContentError({ cid: cid.toString(), what: `hash function 0x${code.toString(16)}`, supported: "sha2-256 (0x12), identity (0x00)" });
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
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function ownsWholeBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
}

// The worker is plain CommonJS evaluated from a string so it runs without a TypeScript loader.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
parentPort.on("message", ({ id, buffer }) => {
  const digest = createHash("sha256").update(new Uint8Array(buffer)).digest();
  const out = new Uint8Array(digest.byteLength);
  out.set(digest);
  parentPort.postMessage({ id, buffer, digest: out.buffer }, [buffer, out.buffer]);
});
`;

type Pending = { resolve: (value: { bytes: Uint8Array; digest: Uint8Array }) => void; reject: (error: unknown) => void };

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

  sha256(bytes: Uint8Array): Promise<{ bytes: Uint8Array; digest: Uint8Array }> {
    const worker = this.pick();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.inFlight++;
      if (this.inFlight === 1) for (const w of this.workers) w.ref();
      worker.postMessage({ id, buffer: bytes.buffer }, [bytes.buffer as ArrayBuffer]);
    });
  }

  private pick(): Worker {
    if (this.workers.length < this.size) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on("message", (message: { id: number; buffer: ArrayBuffer; digest: ArrayBuffer }) => this.settle(message));
      worker.on("error", (error) => this.failAll(error));
      worker.unref();
      this.workers.push(worker);
      return worker;
    }
    const worker = this.workers[this.nextWorker % this.workers.length]!;
    this.nextWorker++;
    return worker;
  }

  private settle({ id, buffer, digest }: { id: number; buffer: ArrayBuffer; digest: ArrayBuffer }): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    this.inFlight--;
    if (this.inFlight === 0) for (const w of this.workers) w.unref();
    entry.resolve({ bytes: new Uint8Array(buffer), digest: new Uint8Array(digest) });
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
