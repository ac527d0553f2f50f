import assert from "node:assert/strict";
import { mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as dagPb from "@ipld/dag-pb";
import { MemoryBlockstore } from "blockstore-core";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import {
  AbortedError,
  BlockNotFoundError,
  InvalidContentError,
  InvalidStorageParameterError,
  PathNotFoundError,
  UNIXFS_CHUNK_BYTES,
  addBytes,
  addDirectory,
  addDirectoryEntries,
  addFile,
  fetchBytes,
  fetchToPath,
  listDirectory,
  readBytes,
  resolvePath,
  statContent,
} from "../../src/index.ts";
import type { AddProgressEvent, BlockProgressEvent, ReadProgressEvent, StorageNode } from "../../src/index.ts";
import { collectBytes, pseudoRandomBytes, rejection, tempDir, useNodes } from "./helpers.ts";
import { sleep } from "../../src/utils/async.ts";

describe("content between two storage nodes over loopback TCP", () => {
  const context = useNodes("each", { pair: true });
  let nodes: typeof context.nodes;
  let a: StorageNode;
  let b: StorageNode;
  beforeEach(() => ({ nodes, a, b } = context));

  describe("bytes", () => {
    it("adds on one node and fetches on the other, block by block from the peer's gateway", async () => {
      const bytes = pseudoRandomBytes(3 * UNIXFS_CHUNK_BYTES + 12345);
      const cid = await addBytes(a, bytes);
      const sources: BlockProgressEvent[] = [];
      const fetched = await fetchBytes(b, cid, { onProgress: (e) => e.type === "block" && sources.push(e) });
      assert.deepEqual(Buffer.from(fetched), Buffer.from(bytes));
      assert.equal(sources.length, 5, "a root and four leaves");
      assert.ok(sources.every((e) => e.source === "gateway" && e.from === a.gatewayUrl));
      // fetched blocks are kept: a second read is local
      const again: BlockProgressEvent[] = [];
      await fetchBytes(b, cid, { onProgress: (e) => e.type === "block" && again.push(e) });
      assert.ok(again.every((e) => e.source === "local"));
    });

    it("gives the same CID for the same bytes on any node and any blockstore, with fixed 1 MiB raw leaves", async () => {
      const bytes = pseudoRandomBytes(2 * UNIXFS_CHUNK_BYTES + 7, 42);
      const onA = await addBytes(a, bytes);
      const onB = await addBytes(b, bytes);
      const inMemory = await addBytes({ blockstore: new MemoryBlockstore() }, [bytes.subarray(0, 1000), bytes.subarray(1000)]);
      assert.equal(onA.toString(), onB.toString());
      assert.equal(onA.toString(), inMemory.toString());
      assert.equal(onA.version, 1);
      assert.equal(onA.code, dagPb.code);
      const root = dagPb.decode(await fetchBytesOfBlock(a, onA));
      assert.deepEqual(
        root.Links.map((l) => l.Hash.code),
        [raw.code, raw.code, raw.code],
      );
      assert.deepEqual(
        root.Links.map((l) => l.Tsize),
        [UNIXFS_CHUNK_BYTES, UNIXFS_CHUNK_BYTES, 7],
      );
      // a single-chunk file is the raw block itself: its CID is sha2-256 of the bytes
      const small = new TextEncoder().encode("hello mycelium");
      const smallCid = await addBytes(a, small);
      assert.equal(smallCid.toString(), CID.createV1(raw.code, await sha256.digest(small)).toString());
    });

    it("keeps serving what it fetched: a third node gets the content from the second after the first is gone", async () => {
      const bytes = pseudoRandomBytes(UNIXFS_CHUNK_BYTES + 1, 7);
      const cid = await addBytes(a, bytes);
      await fetchBytes(b, cid);
      await a.stop();
      const c = await nodes.start({ peers: b.multiaddrs });
      const sources: BlockProgressEvent[] = [];
      const fetched = await fetchBytes(c, cid, { onProgress: (e) => e.type === "block" && sources.push(e) });
      assert.deepEqual(Buffer.from(fetched), Buffer.from(bytes));
      assert.ok(sources.every((e) => e.from === b.gatewayUrl));
    });

    it("passes on over bitswap a block it fetched while a peer was waiting for it", async () => {
      const relay = await nodes.start({ gateway: false, peers: a.multiaddrs });
      const waiting = await nodes.start({ peers: relay.multiaddrs });
      const bytes = pseudoRandomBytes(UNIXFS_CHUNK_BYTES / 2, 8);
      const cid = await addBytes(a, bytes);
      const sources: BlockProgressEvent[] = [];
      const pending = fetchBytes(waiting, cid, { onProgress: (e) => e.type === "block" && sources.push(e) });
      await sleep(100);
      assert.deepEqual(Buffer.from(await fetchBytes(relay, cid)), Buffer.from(bytes));
      assert.deepEqual(Buffer.from(await pending), Buffer.from(bytes));
      assert.deepEqual(
        sources.map((e) => e.source),
        ["bitswap"],
      );
    });

    it("falls back to bitswap when the peer has no gateway", async () => {
      const c = await nodes.start({ gateway: false });
      const d = await nodes.start({ peers: c.multiaddrs });
      const bytes = pseudoRandomBytes(2 * UNIXFS_CHUNK_BYTES, 3);
      const cid = await addBytes(c, bytes);
      const sources: BlockProgressEvent[] = [];
      const fetched = await fetchBytes(d, cid, { onProgress: (e) => e.type === "block" && sources.push(e) });
      assert.deepEqual(Buffer.from(fetched), Buffer.from(bytes));
      assert.ok(sources.length === 3 && sources.every((e) => e.source === "bitswap"), JSON.stringify(sources.map((s) => s.source)));
    });

    it("fails with BlockNotFoundError naming what it tried when no peer has the block", async () => {
      const lonely = await nodes.start({ peers: a.multiaddrs, blockTimeoutMs: 300 });
      const missing = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode("nobody has this")));
      const error = await rejection(fetchBytes(lonely, missing), BlockNotFoundError);
      assert.equal(error.cid, missing.toString());
      assert.match(error.message, /gateway http:\/\/127\.0\.0\.1:\d+, bitswap/);
      assert.match(error.message, /300 ms/);
    });

    it("reports typed add and read progress up to the total", async () => {
      const bytes = pseudoRandomBytes(2 * UNIXFS_CHUNK_BYTES + 99, 5);
      const added: AddProgressEvent[] = [];
      const cid = await addBytes(a, bytes, { onProgress: (e) => added.push(e) });
      assert.ok(added.length >= 2);
      assert.ok(added.every((e, i) => e.type === "add" && e.totalBytes === bytes.byteLength && (i === 0 || e.bytes > added[i - 1]!.bytes)));
      assert.equal(added.at(-1)!.bytes, bytes.byteLength);
      const read: ReadProgressEvent[] = [];
      await collectBytes(readBytes(b, cid, { onProgress: (e) => e.type === "read" && read.push(e) }));
      assert.equal(read.length, 3);
      assert.ok(read.every((e) => e.totalBytes === bytes.byteLength));
      assert.equal(read.at(-1)!.bytes, bytes.byteLength);
    });

    it("stops a read with AbortedError when its signal fires", async () => {
      const cid = await addBytes(a, pseudoRandomBytes(4 * UNIXFS_CHUNK_BYTES, 9));
      const controller = new AbortController();
      const chunks: Uint8Array[] = [];
      const error = await rejection(
        (async () => {
          for await (const chunk of readBytes(b, cid, { signal: controller.signal, concurrency: 1 })) {
            chunks.push(chunk);
            controller.abort();
          }
        })(),
        AbortedError,
      );
      assert.equal(chunks.length, 1);
      assert.match(error.message, /aborted/);
    });

    it("stops an add with AbortedError when its signal fires", async () => {
      const controller = new AbortController();
      controller.abort();
      await rejection(addBytes(a, pseudoRandomBytes(1000), { signal: controller.signal }), AbortedError);
      const midway = new AbortController();
      const error = await rejection(
        addBytes(a, pseudoRandomBytes(3 * UNIXFS_CHUNK_BYTES), { signal: midway.signal, onProgress: () => midway.abort() }),
        AbortedError,
      );
      assert.match(error.shortMessage, /aborted/);
    });

    it("reads several files as one stream, in order", async () => {
      const parts = [
        pseudoRandomBytes(10, 1),
        pseudoRandomBytes(UNIXFS_CHUNK_BYTES + 10, 2),
        pseudoRandomBytes(0, 3),
        pseudoRandomBytes(500, 4),
      ];
      const cids = await Promise.all(parts.map((p) => addBytes(a, p)));
      const joined = await collectBytes(readBytes(b, cids, { concurrency: 2 }));
      assert.deepEqual(Buffer.from(joined), Buffer.concat(parts));
    });
  });

  describe("files and directories", () => {
    it("adds a file from disk and saves it on the other node", async () => {
      const dir = await tempDir();
      try {
        const bytes = pseudoRandomBytes(UNIXFS_CHUNK_BYTES * 2 + 3, 11);
        await writeFile(join(dir.path, "data.bin"), bytes);
        const cid = await addFile(a, join(dir.path, "data.bin"));
        assert.equal(cid.toString(), (await addBytes({ blockstore: new MemoryBlockstore() }, bytes)).toString());
        const stat = await fetchToPath(b, cid, join(dir.path, "copy.bin"));
        assert.deepEqual(stat, { cid, type: "file", size: bytes.byteLength });
        assert.deepEqual(await readFile(join(dir.path, "copy.bin")), Buffer.from(bytes));
        await rejection(addFile(a, join(dir.path, "absent.bin")), Error);
      } finally {
        await dir.cleanup();
      }
    });

    it("adds a directory tree and recreates it on the other node; the CID does not depend on creation order", async () => {
      const dir = await tempDir();
      try {
        const tree = {
          "readme.txt": "hello",
          "sub/a.bin": pseudoRandomBytes(UNIXFS_CHUNK_BYTES + 5, 1),
          "sub/deeper/b.txt": "b",
          "z.txt": "",
        };
        for (const root of ["one", "two"]) {
          const paths = Object.keys(tree);
          if (root === "two") paths.reverse();
          for (const path of paths) {
            await mkdir(join(dir.path, root, path, ".."), { recursive: true });
            await writeFile(join(dir.path, root, path), tree[path as keyof typeof tree]);
          }
          await mkdir(join(dir.path, root, "empty"), { recursive: true });
        }
        const one = await addDirectory(a, join(dir.path, "one"));
        const two = await addDirectory(a, join(dir.path, "two"));
        assert.equal(one.toString(), two.toString());

        const listing = await listDirectory(b, one);
        assert.deepEqual(
          listing.map((e) => [e.name, e.type]),
          [
            ["empty", "directory"],
            ["readme.txt", "file"],
            ["sub", "directory"],
            ["z.txt", "file"],
          ],
        );
        assert.equal(listing.find((e) => e.name === "readme.txt")!.size, 5);
        const nested = await resolvePath(b, one, "sub/deeper/b.txt");
        assert.equal(new TextDecoder().decode(await fetchBytes(b, nested)), "b");
        await rejection(resolvePath(b, one, "sub/missing.txt"), PathNotFoundError);
        await rejection(fetchBytes(b, one), InvalidContentError);

        await fetchToPath(b, one, join(dir.path, "copy"));
        assert.deepEqual((await readdir(join(dir.path, "copy"))).sort(), ["empty", "readme.txt", "sub", "z.txt"]);
        assert.deepEqual(await readFile(join(dir.path, "copy", "sub", "a.bin")), Buffer.from(tree["sub/a.bin"]));
        assert.equal(await readFile(join(dir.path, "copy", "z.txt"), "utf8"), "");
        assert.deepEqual(await statContent(b, one, { path: "sub/a.bin" }), {
          cid: await resolvePath(b, one, "sub/a.bin"),
          type: "file",
          size: UNIXFS_CHUNK_BYTES + 5,
        });
      } finally {
        await dir.cleanup();
      }
    });

    it("refuses a directory whose symbolic links form a cycle", async () => {
      const dir = await tempDir();
      try {
        await mkdir(join(dir.path, "tree", "sub"), { recursive: true });
        await symlink(join(dir.path, "tree"), join(dir.path, "tree", "sub", "loop"));
        const error = await rejection(addDirectory(a, join(dir.path, "tree")), InvalidStorageParameterError);
        assert.match(error.message, /cycles/);
      } finally {
        await dir.cleanup();
      }
    });

    it("builds directories from memory with the same CID as from disk", async () => {
      const dir = await tempDir();
      try {
        await mkdir(join(dir.path, "m"));
        await writeFile(join(dir.path, "m", "model.json"), "{}");
        await writeFile(join(dir.path, "m", "weights.bin"), Buffer.from([1, 2, 3]));
        const fromDisk = await addDirectory(a, join(dir.path, "m"));
        const fromMemory = await addDirectoryEntries(b, [
          { path: "weights.bin", content: new Uint8Array([1, 2, 3]) },
          { path: "model.json", content: new TextEncoder().encode("{}") },
        ]);
        assert.equal(fromDisk.toString(), fromMemory.toString());
        await rejection(addDirectoryEntries(b, [{ path: "../escape", content: new Uint8Array(1) }]), Error);
      } finally {
        await dir.cleanup();
      }
    });
  });
});

async function fetchBytesOfBlock(node: StorageNode, cid: CID): Promise<Uint8Array> {
  return collectBytes(node.blockstore.get(cid) as AsyncIterable<Uint8Array>);
}
