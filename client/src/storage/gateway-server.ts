import http from "node:http";
import type { AddressInfo } from "node:net";
import { extname } from "node:path";
import type { Blockstore } from "interface-blockstore";
import type { CID } from "multiformats/cid";
import { BaseError } from "../errors/base.ts";
import { InvalidCidError, PathNotFoundError, StorageNodeError } from "../errors/storage.ts";
import { collect } from "./blocks.ts";
import type { PooledBlock } from "./fs-blockstore.ts";
import { exportCar } from "./car.ts";
import { toCid } from "./cid.ts";
import { listDirectory, readBytes, statContent } from "./read.ts";

/**
 * A read-only IPFS HTTP gateway over a local blockstore. It never fetches from the network: it serves only what
 * this node holds, so it is not an open proxy.
 *
 * - Trustless responses (https://specs.ipfs.tech/http-gateways/trustless-gateway/): `?format=raw` or
 *   `Accept: application/vnd.ipld.raw` gives one block as stored; `?format=car` or `Accept: application/vnd.ipld.car`
 *   gives a CARv1 of the whole DAG. The client verifies these against their CIDs, so they are sent unhashed.
 * - Deserialized responses: `/ipfs/<cid>/<path>` gives a UnixFS file's bytes (verified block by block before they are
 *   sent), a directory listing, or a record's dag-json. This is what lets `tf.loadLayersModel(
 *   "http://host:port/ipfs/<cid>/model.json")` fetch model.json and the weight files next to it.
 *
 * Every response carries `Access-Control-Allow-Origin: *` and immutable caching headers (content never changes
 * under a CID). Byte ranges are not supported.
 */
export type GatewayServer = {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  close(): Promise<void>;
};

export type GatewayServerOptions = {
  /** Interface to listen on (default 127.0.0.1; use 0.0.0.0 to serve other machines). */
  host?: string;
  /** TCP port (default 0: any free port). */
  port?: number;
};

type RawReader = (cid: CID) => Promise<PooledBlock | null>;

const IMMUTABLE = "public, max-age=29030400, immutable";

/**
 * Starts a gateway over `blockstore`. When the store has `readBlockPooled` (FileBlockstore), raw blocks are read from
 * disk into reused buffers; otherwise through `get`.
 */
export async function startGatewayServer(
  storage: { blockstore: Blockstore & { readBlockPooled?: RawReader } },
  options: GatewayServerOptions = {},
): Promise<GatewayServer> {
  const { blockstore } = storage;
  const readRaw: RawReader = blockstore.readBlockPooled
    ? (cid) => blockstore.readBlockPooled!(cid)
    : async (cid) => ((await blockstore.has(cid)) ? { bytes: await collect(blockstore.get(cid)), release: () => {} } : null);
  const sockets = new Set<import("node:net").Socket>();
  const server = http.createServer((request, response) => {
    handle(storage, readRaw, request, response).catch((error) => fail(response, error));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => sockets.delete(socket));
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (cause) =>
      reject(
        new StorageNodeError(`The gateway could not listen on ${host}:${options.port ?? 0}.`, {
          details: (cause as Error).message,
          hint: "Choose another port, or pass gateway: false.",
          cause,
        }),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  storage: { blockstore: Blockstore },
  readRaw: RawReader,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  response.setHeader("Access-Control-Allow-Origin", "*");
  if (request.method === "OPTIONS") {
    response.writeHead(204, { "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS", "Access-Control-Allow-Headers": "*" }).end();
    return;
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { Allow: "GET, HEAD, OPTIONS" }).end();
    return;
  }
  const url = new URL(request.url ?? "/", "http://gateway");
  const match = /^\/ipfs\/([^/]+)(\/.*)?$/.exec(url.pathname);
  if (!match) {
    text(response, 404, "Not found: paths are /ipfs/<cid>[/<path>]\n");
    return;
  }
  let root: CID;
  try {
    root = toCid(decodeURIComponent(match[1]!));
  } catch (error) {
    if (error instanceof InvalidCidError) return text(response, 400, `${error.shortMessage}\n`);
    throw error;
  }
  const path = (match[2] ?? "")
    .split("/")
    .filter((s) => s.length > 0)
    .map(decodeURIComponent)
    .join("/");
  const accept = request.headers.accept ?? "";
  const format =
    url.searchParams.get("format") ??
    (accept.includes("application/vnd.ipld.raw") ? "raw" : accept.includes("application/vnd.ipld.car") ? "car" : "");
  const head = request.method === "HEAD";
  const cid = path ? (await statContent(storage, root, { path })).cid : root;
  const ipfsPath = `/ipfs/${root.toString()}${path ? `/${path}` : ""}`;

  if (format === "raw") {
    const block = await readRaw(cid);
    if (!block) return text(response, 404, `Block ${cid.toString()} is not held by this node.\n`);
    response.writeHead(200, {
      "Content-Type": "application/vnd.ipld.raw",
      "Content-Length": block.bytes.byteLength,
      "Cache-Control": IMMUTABLE,
      ETag: `"${cid.toString()}.raw"`,
      "X-Ipfs-Path": ipfsPath,
      "X-Content-Type-Options": "nosniff",
    });
    // A pooled buffer goes back to the pool once the response has been handed to the socket (or abandoned).
    response.once("finish", block.release);
    response.once("close", block.release);
    response.end(head ? undefined : block.bytes);
    return;
  }
  if (format === "car") {
    if (!(await storage.blockstore.has(cid))) return text(response, 404, `Block ${cid.toString()} is not held by this node.\n`);
    response.writeHead(200, {
      "Content-Type": "application/vnd.ipld.car; version=1",
      "Cache-Control": IMMUTABLE,
      ETag: `"${cid.toString()}.car"`,
      "X-Ipfs-Path": ipfsPath,
      "X-Content-Type-Options": "nosniff",
    });
    if (head) return void response.end();
    await pipeOut(response, exportCar(storage, cid));
    return;
  }
  if (format !== "") return text(response, 400, `Unsupported format "${format}": use raw, car, or none.\n`);

  const stat = await statContent(storage, cid);
  if (stat.type === "directory") {
    const entries = await listDirectory(storage, cid);
    const base = ipfsPath.endsWith("/") ? ipfsPath : `${ipfsPath}/`;
    const items = entries
      .map((e) => `<li><a href="${base}${encodeURIComponent(e.name)}">${escapeHtml(e.name)}</a> ${e.type} ${e.size}</li>`)
      .join("");
    const body = `<!doctype html><title>${escapeHtml(ipfsPath)}</title><h1>${escapeHtml(ipfsPath)}</h1><ul>${items}</ul>\n`;
    response.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Length": Buffer.byteLength(body),
      "Cache-Control": IMMUTABLE,
      ETag: `"${cid.toString()}.dir"`,
      "X-Ipfs-Path": ipfsPath,
    });
    response.end(head ? undefined : body);
    return;
  }
  if (stat.type === "record") {
    const block = await readRaw(cid);
    if (!block) return text(response, 404, `Block ${cid.toString()} is not held by this node.\n`);
    response.writeHead(200, {
      "Content-Type": "application/json",
      "Content-Length": block.bytes.byteLength,
      "Cache-Control": IMMUTABLE,
      ETag: `"${cid.toString()}"`,
      "X-Ipfs-Path": ipfsPath,
    });
    response.once("finish", block.release);
    response.once("close", block.release);
    response.end(head ? undefined : block.bytes);
    return;
  }
  response.writeHead(200, {
    "Content-Type": contentType(path),
    "Content-Length": stat.size,
    "Cache-Control": IMMUTABLE,
    ETag: `"${cid.toString()}"`,
    "X-Ipfs-Path": ipfsPath,
    "X-Content-Type-Options": "nosniff",
  });
  if (head) return void response.end();
  await pipeOut(response, readBytes(storage, cid));
}

/** Writes chunks with backpressure. A failure mid-body destroys the socket so the client sees a truncated response. */
async function pipeOut(response: http.ServerResponse, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (response.destroyed) return;
      if (!response.write(chunk))
        await new Promise<void>((resolve) => {
          response.once("drain", resolve);
          response.once("close", resolve);
        });
    }
    response.end();
  } catch {
    response.destroy();
  }
}

function fail(response: http.ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const notFound =
    error instanceof PathNotFoundError ||
    (error as Error)?.name === "NotFoundError" ||
    (error instanceof BaseError && error.walk((e) => (e as Error)?.name === "NotFoundError") !== null);
  if (notFound) {
    text(response, 404, `${error instanceof BaseError ? error.shortMessage : "Not held by this node."}\n`);
    return;
  }
  text(response, error instanceof BaseError ? 422 : 500, `${error instanceof BaseError ? error.shortMessage : "Internal error."}\n`);
}

function text(response: http.ServerResponse, status: number, body: string): void {
  response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  response.end(body);
}

const TYPES: Record<string, string> = {
  ".json": "application/json",
  ".bin": "application/octet-stream",
  ".txt": "text/plain; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
};

function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
