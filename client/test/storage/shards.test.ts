import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MemoryBlockstore } from "blockstore-core";
import {
  InvalidContentError,
  InvalidStorageParameterError,
  UNIXFS_CHUNK_BYTES,
  addBytes,
  readShards,
  shardBytes,
  shardFile,
} from "../../src/index.ts";
import type { AddProgressEvent, BlockProgressEvent, StorageNode } from "../../src/index.ts";
import { pseudoRandomBytes, rejection, useNodes } from "./helpers.ts";

describe("dataset sharding", () => {
  const context = useNodes("all", { pair: true });
  let nodes: typeof context.nodes;
  let a: StorageNode;
  let b: StorageNode;
  before(() => ({ nodes, a, b } = context));

  it("splits bytes into fixed-size shards, each its own UnixFS file", async () => {
    const bytes = pseudoRandomBytes(10 * 1024 * 1024 + 123, 1);
    const progress: AddProgressEvent[] = [];
    const shards = await shardBytes(a, bytes, { shardBytes: 4 * 1024 * 1024, onProgress: (e) => progress.push(e) });
    assert.deepEqual(
      shards.map((s) => [s.index, s.offset, s.bytes]),
      [
        [0, 0, 4 * 1024 * 1024],
        [1, 4 * 1024 * 1024, 4 * 1024 * 1024],
        [2, 8 * 1024 * 1024, 2 * 1024 * 1024 + 123],
      ],
    );
    for (const shard of shards) {
      const alone = await addBytes({ blockstore: new MemoryBlockstore() }, bytes.subarray(shard.offset, shard.offset + shard.bytes));
      assert.equal(shard.cid.toString(), alone.toString());
    }
    assert.equal(progress.at(-1)!.bytes, bytes.byteLength);
    assert.ok(progress.every((e) => e.totalBytes === bytes.byteLength));
  });

  it("keeps records whole: shard sizes are a multiple of the record size", async () => {
    const record = 28 * 28 + 1;
    const bytes = pseudoRandomBytes(record * 3000, 2);
    const shards = await shardBytes(a, bytes, { shardBytes: 1024 * 1024, recordBytes: record });
    assert.ok(shards.every((s) => s.bytes % record === 0 && s.offset % record === 0));
    assert.equal(shards[0]!.bytes, Math.floor((1024 * 1024) / record) * record);
    assert.equal(
      shards.reduce((sum, s) => sum + s.bytes, 0),
      bytes.byteLength,
    );
    const error = await rejection(shardBytes(a, bytes.subarray(1), { recordBytes: record }), InvalidStorageParameterError);
    assert.equal(error.parameter, "recordBytes");
    assert.equal((await rejection(shardBytes(a, bytes, { shardBytes: 0 }), InvalidStorageParameterError)).parameter, "shardBytes");
  });

  it("shards a file from disk into the same shards as its bytes", async () => {
    const bytes = pseudoRandomBytes(3 * UNIXFS_CHUNK_BYTES + 17, 3);
    const path = join(nodes.dir, "data.bin");
    await writeFile(path, bytes);
    const fromFile = await shardFile(a, path, { shardBytes: 2 * UNIXFS_CHUNK_BYTES });
    const fromBytes = await shardBytes({ blockstore: new MemoryBlockstore() }, bytes, { shardBytes: 2 * UNIXFS_CHUNK_BYTES });
    assert.deepEqual(
      fromFile.map((s) => s.cid.toString()),
      fromBytes.map((s) => s.cid.toString()),
    );
    await rejection(shardFile(a, join(nodes.dir, "missing.bin")), InvalidStorageParameterError);
  });

  it("streams assigned shards from a peer, whole and in order, every block verified", async () => {
    const bytes = pseudoRandomBytes(6 * UNIXFS_CHUNK_BYTES, 4);
    const shards = await shardBytes(a, bytes, { shardBytes: UNIXFS_CHUNK_BYTES + UNIXFS_CHUNK_BYTES / 2 });
    const assigned = [shards[3]!, shards[0]!, shards[2]!];
    const blocks: BlockProgressEvent[] = [];
    const received = [];
    for await (const shard of readShards(b, assigned, { onProgress: (e) => e.type === "block" && blocks.push(e), concurrency: 4 }))
      received.push(shard);
    assert.deepEqual(
      received.map((r) => r.index),
      [0, 1, 2],
    );
    for (let i = 0; i < assigned.length; i++) {
      assert.ok(received[i]!.cid.equals(assigned[i]!.cid));
      assert.deepEqual(
        Buffer.from(received[i]!.bytes),
        Buffer.from(bytes.subarray(assigned[i]!.offset, assigned[i]!.offset + assigned[i]!.bytes)),
      );
    }
    assert.equal(blocks.length, 3 * 3, "each shard: a root and two leaves");
    assert.ok(blocks.every((e) => e.source === "gateway"));
  });

  it("checks listed shard sizes", async () => {
    const cid = await addBytes(a, pseudoRandomBytes(100, 5));
    const error = await rejection(
      (async () => {
        for await (const _ of readShards(b, [{ cid, bytes: 99 }])) void _;
      })(),
      InvalidContentError,
    );
    assert.match(error.message, /a shard of 99 bytes/);
  });
});
