import assert from "node:assert/strict";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { AbortedError, createStorageNode, fetchBytes, InvalidStorageParameterError, StorageNodeError } from "../../src/index.ts";
import { rejection, useNodes } from "./helpers.ts";
import { sleep } from "../../src/utils/async.ts";

describe("createStorageNode", () => {
  const context = useNodes("each");
  let nodes: typeof context.nodes;
  beforeEach(() => (nodes = context.nodes));

  describe("in loopback mode (the default)", () => {
    it("listens on 127.0.0.1 only, runs no internet service, and serves a gateway on loopback", async () => {
      const node = await nodes.start();
      assert.equal(node.network, "loopback");
      assert.ok(node.multiaddrs.length > 0);
      for (const address of node.multiaddrs) assert.match(address, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3Koo/);
      assert.deepEqual(Object.keys(node.helia.libp2p.services), ["identify"]);
      const protocols = node.helia.libp2p.getProtocols();
      assert.ok(protocols.includes("/ipfs/bitswap/1.2.0"), `bitswap is served: ${protocols.join(", ")}`);
      for (const p of protocols) assert.doesNotMatch(p, /kad|autonat|relay|dcutr|upnp|autotls/i);
      assert.match(node.gatewayUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${node.gatewayUrl}/nothing-here`);
      assert.equal(response.status, 404);
    });

    it("keeps its peer id across restarts of the same data directory", async () => {
      const first = await nodes.start({ dataDir: join(nodes.dir, "persistent") });
      const peerId = first.peerId;
      await first.stop();
      const second = await nodes.start({ dataDir: join(nodes.dir, "persistent") });
      assert.equal(second.peerId, peerId);
    });

    it("stops once, failing fetches still in flight with AbortedError", async () => {
      const node = await nodes.start();
      const missing = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode("never added")));
      const failed = rejection(fetchBytes(node, missing), AbortedError);
      await sleep(50);
      await Promise.all([node.stop(), node.stop()]);
      await failed;
      await node.stop();
    });

    it("refuses listen addresses that are not loopback", async () => {
      const error = await rejection(
        createStorageNode({ dataDir: join(nodes.dir, "x"), listen: ["/ip4/0.0.0.0/tcp/0"] }),
        InvalidStorageParameterError,
      );
      assert.equal(error.parameter, "listen");
      assert.match(error.message, /loopback/);
    });

    it("refuses malformed peer addresses and bad timeouts with the parameter named", async () => {
      assert.equal(
        (await rejection(createStorageNode({ dataDir: join(nodes.dir, "y"), peers: ["not a multiaddr"] }), InvalidStorageParameterError))
          .parameter,
        "peers",
      );
      assert.equal(
        (await rejection(createStorageNode({ dataDir: join(nodes.dir, "z"), blockTimeoutMs: 0 }), InvalidStorageParameterError)).parameter,
        "blockTimeoutMs",
      );
    });
  });

  describe("dialing", () => {
    it("connects to peers given at start and learns their gateways through identify", async () => {
      const a = await nodes.start();
      const b = await nodes.start({ peers: a.multiaddrs });
      assert.deepEqual(b.connectedPeers(), [a.peerId]);
      assert.ok(a.connectedPeers().includes(b.peerId));
      const announced = (await b.helia.libp2p.peerStore.get(a.helia.libp2p.peerId)).addresses.map((x) => x.multiaddr.toString());
      assert.ok(announced.includes(`/ip4/127.0.0.1/tcp/${new URL(a.gatewayUrl!).port}/http`), announced.join(", "));
      assert.equal(a.gatewayAddress, `/ip4/127.0.0.1/tcp/${new URL(a.gatewayUrl!).port}/http`);
    });

    it("fails with StorageNodeError when the peer is not there", async () => {
      const a = await nodes.start();
      const address = a.multiaddrs[0]!;
      const b = await nodes.start();
      await a.stop();
      const error = await rejection(b.dial(address), StorageNodeError);
      assert.match(error.shortMessage, /Could not connect to peer/);
    });

    it("does not announce a gateway when it is disabled", async () => {
      const a = await nodes.start({ gateway: false });
      assert.equal(a.gatewayUrl, null);
      assert.equal(a.gatewayAddress, null);
      const b = await nodes.start({ peers: a.multiaddrs });
      const announced = (await b.helia.libp2p.peerStore.get(a.helia.libp2p.peerId)).addresses.map((x) => x.multiaddr.toString());
      assert.ok(
        announced.every((x) => !x.endsWith("/http")),
        announced.join(", "),
      );
    });
  });
});
