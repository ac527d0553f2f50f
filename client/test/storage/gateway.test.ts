import assert from "node:assert/strict";
import { MemoryBlockstore } from "blockstore-core";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import {
  UNIXFS_CHUNK_BYTES,
  addBytes,
  addDirectoryEntries,
  buildDatasetManifest,
  importCar,
  readBytes,
  resolvePath,
  startGatewayServer,
  storeManifest,
} from "../../src/index.ts";
import type { GatewayServer } from "../../src/index.ts";
import { collectBytes, pseudoRandomBytes } from "./helpers.ts";

describe("HTTP gateway", () => {
  const blockstore = new MemoryBlockstore();
  let gateway: GatewayServer;
  before(async () => {
    gateway = await startGatewayServer({ blockstore });
  });
  after(async () => {
    await gateway.close();
  });

  it("serves raw blocks (trustless) with immutable caching and CORS", async () => {
    const bytes = pseudoRandomBytes(2 * UNIXFS_CHUNK_BYTES, 1);
    const cid = await addBytes({ blockstore }, bytes);
    const response = await fetch(`${gateway.url}/ipfs/${cid}?format=raw`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/vnd.ipld.raw");
    assert.match(response.headers.get("cache-control") ?? "", /immutable/);
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    const block = new Uint8Array(await response.arrayBuffer());
    const viaAccept = await fetch(`${gateway.url}/ipfs/${cid}`, { headers: { accept: "application/vnd.ipld.raw" } });
    assert.deepEqual(new Uint8Array(await viaAccept.arrayBuffer()), block);
    const head = await fetch(`${gateway.url}/ipfs/${cid}?format=raw`, { method: "HEAD" });
    assert.equal(head.headers.get("content-length"), String(block.byteLength));
  });

  it("serves a CAR of the whole DAG that imports elsewhere", async () => {
    const bytes = pseudoRandomBytes(UNIXFS_CHUNK_BYTES + 1, 2);
    const cid = await addBytes({ blockstore }, bytes);
    const response = await fetch(`${gateway.url}/ipfs/${cid}?format=car`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /application\/vnd\.ipld\.car/);
    const other = new MemoryBlockstore();
    const result = await importCar({ blockstore: other }, new Uint8Array(await response.arrayBuffer()));
    assert.deepEqual(result.roots.map(String), [cid.toString()]);
    assert.deepEqual(Buffer.from(await collectBytes(readBytes({ blockstore: other }, cid))), Buffer.from(bytes));
  });

  it("serves UnixFS paths, directory listings and records", async () => {
    const dir = await addDirectoryEntries({ blockstore }, [
      { path: "docs/readme.txt", content: new TextEncoder().encode("read me") },
      { path: "model.json", content: new TextEncoder().encode('{"a":1}') },
    ]);
    const file = await fetch(`${gateway.url}/ipfs/${dir}/docs/readme.txt`);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await file.text(), "read me");
    assert.equal((await fetch(`${gateway.url}/ipfs/${dir}/model.json`)).headers.get("content-type"), "application/json");
    const listing = await fetch(`${gateway.url}/ipfs/${dir}/docs`);
    assert.match(await listing.text(), /readme\.txt/);
    const rawOfPath = await fetch(`${gateway.url}/ipfs/${dir}/docs/readme.txt?format=raw`);
    assert.equal(rawOfPath.headers.get("etag"), `"${(await resolvePath({ blockstore }, dir, "docs/readme.txt")).toString()}.raw"`);

    const shard = await addBytes({ blockstore }, new Uint8Array([1, 2, 3]));
    const manifest = await storeManifest(
      { blockstore },
      buildDatasetManifest({
        name: "n",
        license: "MIT",
        creator: "c",
        format: "a/b@1",
        schema: { featureShape: [3], dtype: "uint8", labelClasses: [] },
        splits: { train: [{ cid: shard, samples: 1, bytes: 3 }], test: [{ cid: shard, samples: 1, bytes: 3 }] },
      }),
    );
    const record = await fetch(`${gateway.url}/ipfs/${manifest}`);
    assert.equal(record.headers.get("content-type"), "application/json");
    assert.equal(((await record.json()) as { name: string }).name, "n");
  });

  it("answers 404 for content it does not hold, 400 for bad CIDs and formats, 405 for writes", async () => {
    const absent = CID.createV1(raw.code, await sha256.digest(new Uint8Array([9, 9, 9])));
    assert.equal((await fetch(`${gateway.url}/ipfs/${absent}?format=raw`)).status, 404);
    assert.equal((await fetch(`${gateway.url}/ipfs/${absent}`)).status, 404);
    const dir = await addDirectoryEntries({ blockstore }, [{ path: "x.txt", content: new Uint8Array([1]) }]);
    assert.equal((await fetch(`${gateway.url}/ipfs/${dir}/y.txt`)).status, 404);
    assert.equal((await fetch(`${gateway.url}/ipfs/not-a-cid`)).status, 400);
    assert.equal((await fetch(`${gateway.url}/ipfs/${dir}?format=tar`)).status, 400);
    assert.equal((await fetch(`${gateway.url}/ipfs/${dir}`, { method: "POST" })).status, 405);
    assert.equal((await fetch(`${gateway.url}/ipns/example.com`)).status, 404);
  });
});
