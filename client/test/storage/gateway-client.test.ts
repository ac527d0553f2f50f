import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { AbortedError, GatewayError } from "../../src/index.ts";
import { closeGatewayConnections, fetchGatewayBlock } from "../../src/storage/gateway-client.ts";
import { pseudoRandomBytes, rejection } from "./helpers.ts";
import { sleep } from "../../src/utils/async.ts";

/**
 * The block client against a node:http server that answers in the ways real gateways do: plain Content-Length
 * bodies, chunked bodies, errors, early closes, and idle keep-alive connections it closes.
 */
describe("trustless gateway client", () => {
  const block = pseudoRandomBytes(300_000, 1);
  let cid: CID;
  let server: http.Server;
  let url: string;
  let requests = 0;
  let behaviour: (response: http.ServerResponse) => void;

  before(async () => {
    cid = CID.createV1(raw.code, await sha256.digest(block));
    server = http.createServer((request, response) => {
      requests++;
      assert.equal(request.url, `/ipfs/${cid}?format=raw`);
      assert.equal(request.headers.accept, "application/vnd.ipld.raw");
      behaviour(response);
    });
    server.keepAliveTimeout = 100;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => closeGatewayConnections());
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const plain = (response: http.ServerResponse) => {
    response.writeHead(200, { "Content-Type": "application/vnd.ipld.raw", "Content-Length": block.byteLength });
    response.end(block);
  };

  it("reads a Content-Length body whole, and reuses the connection", async () => {
    behaviour = plain;
    const connections = new Set<unknown>();
    server.on("connection", (socket) => connections.add(socket));
    for (let i = 0; i < 3; i++) {
      const result = await fetchGatewayBlock(url, cid);
      assert.equal(result.status, "found");
      assert.deepEqual(Buffer.from((result as { bytes: Uint8Array }).bytes), Buffer.from(block));
    }
    assert.equal(connections.size, 1, "one keep-alive connection served all three");
  });

  it("retries on a new connection when the server closed the idle one", async () => {
    behaviour = plain;
    await fetchGatewayBlock(url, cid);
    await sleep(300);
    const result = await fetchGatewayBlock(url, cid);
    assert.equal(result.status, "found");
  });

  it("falls back to node:http for chunked responses", async () => {
    behaviour = (response) => {
      response.writeHead(200, { "Content-Type": "application/vnd.ipld.raw" });
      response.write(block.subarray(0, 1000));
      response.end(block.subarray(1000));
    };
    const result = await fetchGatewayBlock(url, cid);
    assert.deepEqual(Buffer.from((result as { bytes: Uint8Array }).bytes), Buffer.from(block));
  });

  it("reports 404 as missing, other statuses and oversized blocks as GatewayError", async () => {
    behaviour = (response) => response.writeHead(404, { "Content-Length": 9 }).end("not found");
    assert.deepEqual(await fetchGatewayBlock(url, cid), { status: "missing", httpStatus: 404 });
    behaviour = (response) => response.writeHead(500, { "Content-Length": 4 }).end("oops");
    assert.equal((await rejection(fetchGatewayBlock(url, cid), GatewayError)).status, 500);
    behaviour = plain;
    const tooBig = await rejection(fetchGatewayBlock(url, cid, { maxBytes: 1000 }), GatewayError);
    assert.match(tooBig.message, /exceeds the 1000-byte limit/);
  });

  it("fails with GatewayError when the body is cut short", async () => {
    behaviour = (response) => {
      response.writeHead(200, { "Content-Length": block.byteLength });
      response.write(block.subarray(0, 1000), () => response.socket?.destroy());
    };
    const error = await rejection(fetchGatewayBlock(url, cid), GatewayError);
    assert.match(error.message, /closed/);
  });

  it("stops with AbortedError when the signal fires mid-response", async () => {
    behaviour = (response) => {
      response.writeHead(200, { "Content-Length": block.byteLength });
      response.write(block.subarray(0, 1000));
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await rejection(fetchGatewayBlock(url, cid, { signal: controller.signal }), AbortedError);
  });

  it("fails with GatewayError when nothing listens", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await rejection(fetchGatewayBlock(`http://127.0.0.1:${port}`, cid), GatewayError);
    assert.ok(requests > 0);
  });
});
