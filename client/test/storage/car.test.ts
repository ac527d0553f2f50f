import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CarBlockIterator } from "@ipld/car/iterator";
import { MemoryBlockstore } from "blockstore-core";
import {
  BlockVerificationError,
  CarError,
  UNIXFS_CHUNK_BYTES,
  addBytes,
  addDirectoryEntries,
  buildDatasetManifest,
  exportCar,
  exportCarFile,
  fetchBytes,
  importCar,
  importCarFile,
  loadManifest,
  resolvePath,
  storeManifest,
} from "../../src/index.ts";
import type { CarProgressEvent, StorageNode } from "../../src/index.ts";
import { collectBytes, pseudoRandomBytes, rejection, useNodes } from "./helpers.ts";

describe("CAR export and import", () => {
  const context = useNodes("each");
  let nodes: typeof context.nodes;
  let a: StorageNode;
  beforeEach(async () => {
    nodes = context.nodes;
    a = await nodes.start();
  });

  it("moves a manifest with its shards to an unconnected node through a CAR file", async () => {
    const shards = [pseudoRandomBytes(UNIXFS_CHUNK_BYTES + 100, 1), pseudoRandomBytes(2000, 2)];
    const cids = await Promise.all(shards.map((s) => addBytes(a, s)));
    const manifest = buildDatasetManifest({
      name: "tiny",
      license: "CC0-1.0",
      creator: "test",
      format: "mycelium/tensor-shards@1",
      schema: { featureShape: [4], dtype: "float32", labelClasses: ["x", "y"] },
      splits: { train: [{ cid: cids[0]!, samples: 10, bytes: shards[0]!.byteLength }], test: [{ cid: cids[1]!, samples: 2, bytes: 2000 }] },
    });
    const root = await storeManifest(a, manifest);
    const path = join(nodes.dir, "dataset.car");
    const progress: CarProgressEvent[] = [];
    const exported = await exportCarFile(a, root, path, { onProgress: (e) => e.type === "car" && progress.push(e) });
    assert.equal(exported.blocks, 5, "the manifest, the first shard (root + 2 leaves), the second (one raw block)");
    assert.equal(progress.at(-1)!.blocks, exported.blocks);
    assert.ok((await stat(path)).size > exported.bytes);

    // An unconnected node with no peers can read everything after the import.
    const offline = await nodes.start({ blockTimeoutMs: 200 });
    const imported = await importCarFile(offline, path);
    assert.deepEqual(imported.roots.map(String), [root.toString()]);
    assert.equal(imported.blocks, exported.blocks);
    const loaded = await loadManifest(offline, root, { kind: "dataset" });
    assert.deepEqual(Buffer.from(await fetchBytes(offline, loaded.splits.train[0]!.cid)), Buffer.from(shards[0]!));
    assert.deepEqual(Buffer.from(await fetchBytes(offline, loaded.splits.test[0]!.cid)), Buffer.from(shards[1]!));
  });

  it("exports blocks depth-first, each once, readable by @ipld/car", async () => {
    const same = pseudoRandomBytes(100, 9);
    const dir = await addDirectoryEntries(a, [
      { path: "a.bin", content: same },
      { path: "b.bin", content: same },
      { path: "sub/c.bin", content: pseudoRandomBytes(UNIXFS_CHUNK_BYTES + 1, 3) },
    ]);
    const car = await collectBytes(exportCar(a, dir));
    const iterator = await CarBlockIterator.fromIterable(
      (async function* () {
        yield car;
      })(),
    );
    assert.deepEqual((await iterator.getRoots()).map(String), [dir.toString()]);
    const order: string[] = [];
    for await (const block of iterator) order.push(block.cid.toString());
    assert.equal(new Set(order).size, order.length, "no block twice");
    assert.equal(order[0], dir.toString());
    assert.equal(order[1], (await resolvePath(a, dir, "a.bin")).toString());
    assert.equal(order.length, 1 + 1 + 1 + 3, "root, shared a/b leaf, sub, c root + 2 leaves");
  });

  it("round-trips between two nodes without files: export from one, import into the other", async () => {
    const bytes = pseudoRandomBytes(3 * UNIXFS_CHUNK_BYTES, 4);
    const cid = await addBytes(a, bytes);
    const b = await nodes.start({ blockTimeoutMs: 200 });
    await importCar(b, exportCar(a, cid));
    assert.deepEqual(Buffer.from(await fetchBytes(b, cid)), Buffer.from(bytes));
  });

  it("rejects a CAR holding a block whose bytes do not match its CID", async () => {
    const bytes = pseudoRandomBytes(UNIXFS_CHUNK_BYTES + 50, 5);
    const cid = await addBytes(a, bytes);
    const car = Buffer.from(await collectBytes(exportCar(a, cid)));
    const at = car.indexOf(Buffer.from(bytes.subarray(UNIXFS_CHUNK_BYTES, UNIXFS_CHUNK_BYTES + 50)));
    assert.ok(at > 0);
    car[at + 10]! ^= 0x01;
    const store = new MemoryBlockstore();
    const error = await rejection(importCar({ blockstore: store }, new Uint8Array(car)), BlockVerificationError);
    assert.equal(error.source, "car");
  });

  it("rejects an incomplete CAR, unless asked to accept partial content, and garbage", async () => {
    const cid = await addBytes(a, pseudoRandomBytes(2 * UNIXFS_CHUNK_BYTES, 6));
    const car = await collectBytes(exportCar(a, cid));
    const truncatedAtBlock = await cutLastBlock(car);
    const error = await rejection(importCar({ blockstore: new MemoryBlockstore() }, truncatedAtBlock), CarError);
    assert.match(error.message, /incomplete/);
    const partial = await importCar({ blockstore: new MemoryBlockstore() }, truncatedAtBlock, { requireComplete: false });
    assert.equal(partial.blocks, 2);
    await rejection(importCar({ blockstore: new MemoryBlockstore() }, new TextEncoder().encode("not a car")), CarError);
    await rejection(importCar({ blockstore: new MemoryBlockstore() }, car.subarray(0, car.byteLength - 100)), CarError);
    const file = join(nodes.dir, "garbage.car");
    await writeFile(file, "garbage");
    await rejection(importCarFile(a, file), CarError);
    assert.ok((await readFile(file)).byteLength > 0);
  });
});

/** A CAR without its last block (cut at a block boundary, so it is well-formed but incomplete). */
async function cutLastBlock(car: Uint8Array): Promise<Uint8Array> {
  const { CarWriter } = await import("@ipld/car/writer");
  const iterator = await CarBlockIterator.fromIterable(
    (async function* () {
      yield car;
    })(),
  );
  const blocks = [];
  for await (const block of iterator) blocks.push(block);
  const { writer, out } = CarWriter.create(await iterator.getRoots());
  const collected = collectBytes(out);
  for (const block of blocks.slice(0, -1)) await writer.put(block);
  await writer.close();
  return collected;
}
