import http from "node:http";
import https from "node:https";
import type { CID } from "multiformats/cid";
import { AbortedError, BaseError } from "../errors/base.ts";
import { GatewayError } from "../errors/storage.ts";
import { ConnectionPool, UnsupportedResponseError } from "./http-connection.ts";

/** Largest block accepted from a gateway: the IPFS ecosystem's 2 MiB ceiling (our own blocks are at most 1 MiB). */
export const MAX_BLOCK_BYTES = 2 * 1024 * 1024;

/** Sockets kept open per gateway; the reader keeps about this many block requests in flight. */
const SOCKETS_PER_GATEWAY = 16;

export type GatewayBlockResult = { status: "found"; bytes: Uint8Array } | { status: "missing"; httpStatus: number };

const agents = new Map<string, http.Agent>();
const pools = new Map<string, ConnectionPool>();

function agentFor(url: URL): http.Agent {
  let agent = agents.get(url.origin);
  if (!agent) {
    const init = { keepAlive: true, maxSockets: SOCKETS_PER_GATEWAY, scheduling: "lifo" as const };
    agent = url.protocol === "https:" ? new https.Agent(init) : new http.Agent(init);
    agents.set(url.origin, agent);
  }
  return agent;
}

/** Closes idle keep-alive sockets to gateways, so a process that is done can exit at once. */
export function closeGatewayConnections(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
  for (const pool of pools.values()) pool.close();
  pools.clear();
}

/**
 * Fetches one raw block from an IPFS trustless gateway (`GET /ipfs/<cid>?format=raw`, Accept
 * application/vnd.ipld.raw). The bytes are NOT verified here: callers verify them against the CID before any use.
 * Resolves `{ status: "missing" }` for 404/410 (the gateway does not hold it); throws GatewayError for other
 * failures and AbortedError when `signal` fires. Plain-HTTP gateways go through the lean keep-alive client of
 * http-connection.ts; HTTPS gateways, and responses that client does not read, through node:http(s).
 */
export async function fetchGatewayBlock(
  gateway: string,
  cid: CID,
  options: { signal?: AbortSignal | undefined; maxBytes?: number } = {},
): Promise<GatewayBlockResult> {
  const base = new URL(gateway);
  if (base.protocol === "http:") {
    let pool = pools.get(base.origin);
    if (!pool) {
      pool = new ConnectionPool(base, SOCKETS_PER_GATEWAY);
      pools.set(base.origin, pool);
    }
    try {
      const response = await pool.get(`/ipfs/${cid.toString()}?format=raw`, {
        signal: options.signal,
        maxBytes: options.maxBytes ?? MAX_BLOCK_BYTES,
      });
      if (response.status === 200) return { status: "found", bytes: response.body };
      if (response.status === 404 || response.status === 410) return { status: "missing", httpStatus: response.status };
      throw new GatewayError({ url: new URL(`/ipfs/${cid.toString()}?format=raw`, base).toString(), status: response.status });
    } catch (error) {
      if (!(error instanceof UnsupportedResponseError)) throw error;
    }
  }
  return fetchWithNodeHttp(gateway, cid, options);
}

function fetchWithNodeHttp(
  gateway: string,
  cid: CID,
  options: { signal?: AbortSignal | undefined; maxBytes?: number },
): Promise<GatewayBlockResult> {
  const url = new URL(`/ipfs/${cid.toString()}?format=raw`, gateway);
  const maxBytes = options.maxBytes ?? MAX_BLOCK_BYTES;
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(new AbortedError("Fetching a block from a gateway", { cause: signal.reason }));
  const client = url.protocol === "https:" ? https : http;
  return new Promise<GatewayBlockResult>((resolve, reject) => {
    const request = client.get(url, { agent: agentFor(url), headers: { accept: "application/vnd.ipld.raw" } }, (response) => {
      const status = response.statusCode ?? 0;
      if (status === 404 || status === 410) {
        response.resume();
        resolve({ status: "missing", httpStatus: status });
        return;
      }
      if (status !== 200) {
        response.resume();
        reject(new GatewayError({ url: url.toString(), status }));
        return;
      }
      const declared = Number(response.headers["content-length"]);
      if (Number.isFinite(declared) && declared > maxBytes) {
        response.destroy();
        reject(new GatewayError({ url: url.toString(), details: `block of ${declared} bytes exceeds the ${maxBytes}-byte limit` }));
        return;
      }
      // With a declared length the block is assembled in one standalone buffer (one copy, and it can be moved to a
      // hashing thread); otherwise chunks are joined at the end.
      let body: Uint8Array | null = Number.isFinite(declared) ? new Uint8Array(Buffer.allocUnsafeSlow(declared).buffer) : null;
      const chunks: Buffer[] = [];
      let received = 0;
      response.on("data", (chunk: Buffer) => {
        if (received + chunk.byteLength > maxBytes || (body && received + chunk.byteLength > body.byteLength)) {
          response.destroy(
            new GatewayError({ url: url.toString(), details: "the response is longer than declared or than the block size limit" }),
          );
          return;
        }
        if (body) body.set(chunk, received);
        else chunks.push(chunk);
        received += chunk.byteLength;
      });
      response.on("end", () => {
        if (body && received !== body.byteLength) {
          reject(new GatewayError({ url: url.toString(), details: `the response ended after ${received} of ${body.byteLength} bytes` }));
          return;
        }
        body ??= new Uint8Array(Buffer.concat(chunks, received));
        resolve({ status: "found", bytes: body });
      });
      response.on("error", (cause) =>
        reject(cause instanceof BaseError ? cause : new GatewayError({ url: url.toString(), details: cause.message, cause })),
      );
    });
    request.on("error", (cause) => {
      if (signal?.aborted) reject(new AbortedError("Fetching a block from a gateway", { cause: signal.reason }));
      else reject(new GatewayError({ url: url.toString(), details: (cause as Error).message, cause }));
    });
    if (signal) {
      const onAbort = () => request.destroy(new AbortedError("Fetching a block from a gateway", { cause: signal.reason }));
      signal.addEventListener("abort", onAbort, { once: true });
      request.on("close", () => signal.removeEventListener("abort", onAbort));
    }
  });
}
