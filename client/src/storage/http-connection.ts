import net from "node:net";
import { AbortedError } from "../errors/base.ts";
import { GatewayError } from "../errors/storage.ts";

/**
 * A lean HTTP/1.1 keep-alive client for one thing: `GET` requests whose responses carry a Content-Length (raw
 * blocks from trustless gateways). Each response body is read by the socket straight into a buffer of exactly its
 * size (`net.Socket`'s `onread` option), with no intermediate chunks, copies or stream events: on loopback this
 * halves the CPU a block costs compared with node:http, and keeps garbage collection quiet.
 *
 * Anything it does not handle (chunked or unframed bodies, oversized heads) rejects with UnsupportedResponseError,
 * and the caller repeats the request with node:http.
 */

const HEAD_BYTES = 16 * 1024;
const HEADER_END = Buffer.from("\r\n\r\n", "latin1");

export type RawResponse = { status: number; body: Uint8Array };

/** The response could not be read by this client (its framing is not a plain Content-Length body). */
export class UnsupportedResponseError extends Error {
  override name = "UnsupportedResponseError";
}

type Pending = {
  resolve: (response: RawResponse) => void;
  reject: (error: unknown) => void;
  maxBytes: number;
  url: string;
  receivedAny: boolean;
};

class Connection {
  readonly socket: net.Socket;
  readonly connected: Promise<void>;
  alive = true;
  reused = false;
  private readonly head = Buffer.allocUnsafe(HEAD_BYTES);
  private headLength = 0;
  private body: Uint8Array | null = null;
  private bodyLength = 0;
  private status = 0;
  private closeAfter = false;
  private pending: Pending | null = null;

  constructor(
    host: string,
    port: number,
    private readonly onIdle: (connection: Connection) => void,
    private readonly onDead: (connection: Connection) => void,
  ) {
    this.socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: () => this.target(),
        callback: (bytes: number) => {
          this.received(bytes);
          return true;
        },
      },
    });
    this.connected = new Promise<void>((resolve, reject) => {
      this.socket.once("connect", resolve);
      this.socket.once("error", reject);
    });
    this.connected.catch(() => {});
    this.socket.on("error", (error) => this.fail(error));
    this.socket.on("close", () => this.fail(new Error("the connection closed")));
  }

  request(path: string, host: string, pending: Pending): void {
    this.pending = pending;
    this.headLength = 0;
    this.body = null;
    this.bodyLength = 0;
    this.socket.ref();
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: application/vnd.ipld.raw\r\n\r\n`);
  }

  /** Where the next socket read lands: the rest of the body once known, the head buffer before. */
  private target(): Uint8Array {
    return this.body ? this.body.subarray(this.bodyLength) : this.head.subarray(this.headLength);
  }

  private received(bytes: number): void {
    const pending = this.pending;
    if (!pending) {
      this.fail(new Error("the server sent data without a request"));
      return;
    }
    pending.receivedAny = true;
    if (this.body) {
      this.bodyLength += bytes;
    } else {
      this.headLength += bytes;
      const end = this.head.subarray(0, this.headLength).indexOf(HEADER_END);
      if (end < 0) {
        if (this.headLength === HEAD_BYTES) this.fail(new UnsupportedResponseError("the response head exceeds 16 KiB"));
        return;
      }
      if (!this.parseHead(end, pending)) return;
    }
    if (this.body && this.bodyLength === this.body.byteLength) this.finish();
  }

  private parseHead(end: number, pending: Pending): boolean {
    const lines = this.head.toString("latin1", 0, end).split("\r\n");
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
    if (!status) {
      this.fail(new GatewayError({ url: pending.url, details: `malformed status line ${JSON.stringify(lines[0])}` }));
      return false;
    }
    this.status = Number(status[1]);
    let length: number | undefined;
    this.closeAfter = false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") length = Number(value);
      else if (name === "transfer-encoding") length = Number.NaN;
      else if (name === "connection" && value.toLowerCase() === "close") this.closeAfter = true;
    }
    if (length === undefined || !Number.isSafeInteger(length) || length < 0) {
      this.fail(new UnsupportedResponseError("the response has no plain Content-Length"));
      return false;
    }
    if (this.status === 200 && length > pending.maxBytes) {
      this.fail(new GatewayError({ url: pending.url, details: `block of ${length} bytes exceeds the ${pending.maxBytes}-byte limit` }));
      return false;
    }
    const extra = this.headLength - (end + HEADER_END.byteLength);
    if (extra > length) {
      this.fail(new GatewayError({ url: pending.url, details: "the server sent more bytes than the response declared" }));
      return false;
    }
    // A standalone buffer per block: it is handed to the caller (and may be moved to a hashing thread).
    this.body = this.status === 200 ? new Uint8Array(Buffer.allocUnsafeSlow(length).buffer) : new Uint8Array(length);
    this.body.set(this.head.subarray(end + HEADER_END.byteLength, this.headLength));
    this.bodyLength = extra;
    return true;
  }

  private finish(): void {
    const pending = this.pending!;
    const response = { status: this.status, body: this.body! };
    this.pending = null;
    this.body = null;
    this.headLength = 0;
    if (this.closeAfter) {
      this.alive = false;
      this.socket.destroy();
      this.onDead(this);
    } else {
      this.reused = true;
      this.socket.unref();
      this.onIdle(this);
    }
    pending.resolve(response);
  }

  fail(error: unknown): void {
    if (!this.alive) return;
    this.alive = false;
    this.socket.destroy();
    this.onDead(this);
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
  }
}

/** Keep-alive connections to one origin, at most `size` at a time; requests beyond that wait for a free one. */
export class ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private closed = false;
  private readonly waiting: ((value: Connection | "room" | "closed") => void)[] = [];

  constructor(
    private readonly origin: URL,
    private readonly size: number,
  ) {}

  /** GETs `path`; retries once on a fresh connection when a reused one was closed before any byte came back. */
  async get(path: string, options: { signal?: AbortSignal | undefined; maxBytes: number }): Promise<RawResponse> {
    const url = new URL(path, this.origin).toString();
    for (let attempt = 0; ; attempt++) {
      const connection = await this.acquire(options.signal, attempt > 0);
      try {
        return await this.send(connection, path, url, options);
      } catch (error) {
        const stale = error instanceof StaleConnectionError;
        if (!stale || attempt > 0)
          throw stale ? new GatewayError({ url, details: "the connection closed before the response", cause: error.cause }) : error;
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const connection of this.all) connection.fail(new Error("the connection pool was closed"));
    for (const waiter of this.waiting.splice(0)) waiter("closed");
  }

  private send(
    connection: Connection,
    path: string,
    url: string,
    options: { signal?: AbortSignal | undefined; maxBytes: number },
  ): Promise<RawResponse> {
    const signal = options.signal;
    return new Promise<RawResponse>((resolve, reject) => {
      const onAbort = () => connection.fail(new AbortedError("Fetching a block from a gateway", { cause: signal!.reason }));
      const done = () => signal?.removeEventListener("abort", onAbort);
      const pending: Pending = {
        url,
        maxBytes: options.maxBytes,
        receivedAny: false,
        resolve: (response) => {
          done();
          resolve(response);
        },
        reject: (error) => {
          done();
          if (error instanceof AbortedError || error instanceof GatewayError || error instanceof UnsupportedResponseError) reject(error);
          else if (connection.reused && !pending.receivedAny) reject(new StaleConnectionError(error));
          else reject(new GatewayError({ url, details: (error as Error)?.message, cause: error }));
        },
      };
      if (signal?.aborted) return reject(new AbortedError("Fetching a block from a gateway", { cause: signal.reason }));
      signal?.addEventListener("abort", onAbort, { once: true });
      connection.request(path, this.origin.host, pending);
    });
  }

  private async acquire(signal: AbortSignal | undefined, fresh: boolean): Promise<Connection> {
    if (this.closed) throw new GatewayError({ url: this.origin.toString(), details: "the connection pool was closed" });
    while (!fresh) {
      const idle = this.idle.pop();
      if (idle) return idle;
      if (this.all.size < this.size) break;
      // Wait for a connection to come free, or for one to die (then there is room for a new one).
      const handed = await new Promise<Connection | "room" | "closed" | "aborted">((resolve) => {
        const waiter = (value: Connection | "room" | "closed") => {
          signal?.removeEventListener("abort", onAbort);
          resolve(value);
        };
        const onAbort = () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          resolve("aborted");
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        this.waiting.push(waiter);
      });
      if (handed === "aborted") throw new AbortedError("Fetching a block from a gateway", { cause: signal?.reason });
      if (handed === "closed") throw new GatewayError({ url: this.origin.toString(), details: "the connection pool was closed" });
      if (handed !== "room") return handed;
    }
    const connection = new Connection(
      this.origin.hostname.replace(/^\[|\]$/g, ""),
      Number(this.origin.port || 80),
      (c) => this.release(c),
      (c) => this.forget(c),
    );
    this.all.add(connection);
    try {
      await connection.connected;
    } catch (cause) {
      connection.fail(cause);
      throw new GatewayError({ url: this.origin.toString(), details: (cause as Error).message, cause });
    }
    return connection;
  }

  private release(connection: Connection): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(connection);
    else this.idle.push(connection);
  }

  private forget(connection: Connection): void {
    this.all.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index >= 0) this.idle.splice(index, 1);
    if (!this.closed) this.waiting.shift()?.("room");
  }
}

/** A reused keep-alive connection turned out to be closed: the request is safe to repeat. */
class StaleConnectionError extends Error {
  constructor(cause: unknown) {
    super("stale keep-alive connection", { cause });
  }
}
