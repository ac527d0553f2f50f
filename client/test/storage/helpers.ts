import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStorageNode } from "../../src/index.ts";
import type { StorageNode, StorageNodeOptions } from "../../src/index.ts";

/** A temporary directory removed by `cleanup`. */
export async function tempDir(prefix = "mycelium-storage-test-"): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Starts storage nodes in loopback mode, each with its own data directory under one temporary directory, and stops
 * them all (and removes the directory) in `stopAll`.
 */
export async function nodeFactory() {
  const dir = await tempDir();
  const nodes: StorageNode[] = [];
  let count = 0;
  return {
    dir: dir.path,
    async start(options: Partial<StorageNodeOptions> = {}): Promise<StorageNode> {
      const node = await createStorageNode({ dataDir: join(dir.path, `node-${count++}`), ...options });
      nodes.push(node);
      return node;
    },
    async stopAll(): Promise<void> {
      await Promise.all(nodes.splice(0).map((n) => n.stop()));
      await dir.cleanup();
    },
  };
}

/** Deterministic pseudo-random bytes (xorshift), so tests are reproducible and chunks never repeat. */
export function pseudoRandomBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
    if (i + 1 < length) out[i + 1] = (x >>> 8) & 0xff;
    if (i + 2 < length) out[i + 2] = (x >>> 16) & 0xff;
    if (i + 3 < length) out[i + 3] = (x >>> 24) & 0xff;
  }
  return out;
}

/** Collects an async iterable of byte chunks into one array. */
export async function collectBytes(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of source) parts.push(chunk);
  return new Uint8Array(Buffer.concat(parts));
}

/** Asserts that `promise` rejects with an instance of `type`, and returns the error for further checks. */
export async function rejection<T extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw new Error(`expected ${type.name}, got ${(error as Error)?.name}: ${(error as Error)?.message}`, { cause: error });
  }
  throw new Error(`expected ${type.name}, but the promise resolved`);
}

type Factory = Awaited<ReturnType<typeof nodeFactory>>;

/**
 * Registers mocha hooks that give each test (scope "each") or the whole suite (scope "all") a node factory, and
 * with `pair`, two started nodes where `b` has dialed `a`. Everything is stopped and removed afterwards.
 */
export function useNodes(scope: "each" | "all", options: { pair?: boolean } = {}): { nodes: Factory; a: StorageNode; b: StorageNode } {
  const context = {} as { nodes: Factory; a: StorageNode; b: StorageNode };
  (scope === "each" ? beforeEach : before)(async () => {
    context.nodes = await nodeFactory();
    if (options.pair) {
      context.a = await context.nodes.start();
      context.b = await context.nodes.start({ peers: context.a.multiaddrs });
    }
  });
  (scope === "each" ? afterEach : after)(async () => {
    await context.nodes.stopAll();
  });
  return context;
}
