import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as dagPb from "@ipld/dag-pb";
import { MemoryBlockstore } from "blockstore-core";
import { NextToLast } from "blockstore-fs/sharding";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { identity } from "multiformats/hashes/identity";
import { sha256, sha512 } from "multiformats/hashes/sha2";
import { BlockVerificationError, UNIXFS_CHUNK_BYTES, UnsupportedContentError, addBytes, fetchBytes, readBytes } from "../../src/index.ts";
import type { BlockProgressEvent, StorageNode } from "../../src/index.ts";
import { collectBytes, pseudoRandomBytes, rejection, useNodes } from "./helpers.ts";

/** Path of a block's file in a storage node's blockstore-fs directory. */
function blockPath(node: StorageNode, cid: CID): string {
  const { dir, file } = new NextToLast().encode(cid);
  return join(node.dataDir, "blocks", dir, file);
}

/** Flips one byte of the block on disk: same length, different hash. */
async function tamper(node: StorageNode, cid: CID): Promise<void> {
  const path = blockPath(node, cid);
  const bytes = await readFile(path);
  bytes[bytes.length >> 1]! ^= 0xff;
  await writeFile(path, bytes);
}

async function leavesOf(node: StorageNode, root: CID): Promise<CID[]> {
  const block = await collectBytes(node.blockstore.get(root) as AsyncIterable<Uint8Array>);
  return dagPb.decode(block).Links.map((l) => l.Hash);
}

describe("block verification", () => {
  const context = useNodes("each");
  let nodes: typeof context.nodes;
  beforeEach(() => (nodes = context.nodes));

  it("rejects a tampered block served by a peer, and yields none of its bytes", async () => {
    const a = await nodes.start();
    const b = await nodes.start({ peers: a.multiaddrs, blockTimeoutMs: 1_000 });
    const bytes = pseudoRandomBytes(3 * UNIXFS_CHUNK_BYTES, 21);
    const cid = await addBytes(a, bytes);
    const leaves = await leavesOf(a, cid);
    await tamper(a, leaves[1]!);

    const received: Uint8Array[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of readBytes(b, cid, { concurrency: 1 })) received.push(chunk);
      })(),
      BlockVerificationError,
    );
    assert.equal(error.cid, leaves[1]!.toString());
    assert.equal(error.source, "gateway");
    assert.equal(error.from, a.gatewayUrl);
    assert.match(error.message, /does not match its CID/);
    assert.equal(received.length, 1, "only the first, intact leaf was yielded");
    assert.deepEqual(Buffer.from(received[0]!), Buffer.from(bytes.subarray(0, UNIXFS_CHUNK_BYTES)));
    assert.equal(await b.blockstore.has(leaves[1]!), false, "the bad block was not stored");
  });

  it("detects a corrupt local copy, deletes it and fetches a good one from a peer", async () => {
    const a = await nodes.start();
    const b = await nodes.start({ peers: a.multiaddrs });
    const bytes = pseudoRandomBytes(2 * UNIXFS_CHUNK_BYTES + 1, 22);
    const cid = await addBytes(a, bytes);
    await fetchBytes(b, cid);
    const leaves = await leavesOf(b, cid);
    await tamper(b, leaves[0]!);

    const events: BlockProgressEvent[] = [];
    const healed = await fetchBytes(b, cid, { onProgress: (e) => e.type === "block" && events.push(e) });
    assert.deepEqual(Buffer.from(healed), Buffer.from(bytes));
    assert.deepEqual(events.map((e) => e.source).sort(), ["gateway", "local", "local", "local"]);
    assert.equal(events.find((e) => e.source === "gateway")!.cid.toString(), leaves[0]!.toString());
    assert.deepEqual(
      await readFile(blockPath(b, leaves[0]!)),
      Buffer.from(bytes.subarray(0, UNIXFS_CHUNK_BYTES)),
      "the good block replaced the corrupt one on disk",
    );
  });

  it("rejects a corrupt local copy when no peer can replace it", async () => {
    const a = await nodes.start({ blockTimeoutMs: 300 });
    const cid = await addBytes(a, pseudoRandomBytes(UNIXFS_CHUNK_BYTES + 10, 23));
    const leaves = await leavesOf(a, cid);
    await tamper(a, leaves[1]!);
    const error = await rejection(fetchBytes(a, cid), BlockVerificationError);
    assert.equal(error.source, "local");
    assert.equal(error.cid, leaves[1]!.toString());
    assert.match(error.hint ?? "", /corrupt/);
  });

  it("verifies blocks read from any plain blockstore", async () => {
    const blockstore = new MemoryBlockstore();
    const good = new TextEncoder().encode("the real bytes");
    const cid = CID.createV1(raw.code, await sha256.digest(good));
    await blockstore.put(cid, new TextEncoder().encode("other bytes!!!"));
    const error = await rejection(fetchBytes({ blockstore }, cid), BlockVerificationError);
    assert.equal(error.source, "local");
    assert.match(error.details ?? "", /expected multihash digest [0-9a-f]{64}, found [0-9a-f]{64}/);
  });

  it("reads identity CIDs from the CID itself, on any blockstore and on a node", async () => {
    const inline = new TextEncoder().encode("tiny");
    const cid = CID.createV1(raw.code, identity.digest(inline));
    assert.deepEqual(await fetchBytes({ blockstore: new MemoryBlockstore() }, cid), inline);
    const node = await nodes.start();
    assert.deepEqual(await fetchBytes(node, cid), inline);
  });

  it("refuses content hashed with a function it cannot verify", async () => {
    const blockstore = new MemoryBlockstore();
    const cid = CID.createV1(raw.code, await sha512.digest(new Uint8Array([1])));
    await blockstore.put(cid, new Uint8Array([1]));
    const error = await rejection(fetchBytes({ blockstore }, cid), UnsupportedContentError);
    assert.match(error.message, /hash function 0x13/);
  });
});
