/**
 * An HTTP proxy in front of a JSON-RPC endpoint, for outage tests: it forwards every request, counts the raw
 * transactions that reach the node, and can simulate an outage that starts right after a chosen transaction has been
 * forwarded (the node has it, the sender never hears back): the connection is dropped and the port stops accepting
 * connections for a while, then the proxy listens again on the same port.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { parseTransaction, toFunctionSelector, type Hex } from "viem";

type JsonRpcRequest = { method?: string; params?: unknown[] };

export class RpcProxy {
  /** Raw transactions forwarded to the node, in order: the called function's selector and the node's answer. */
  readonly forwarded: { selector: Hex | null; answer: string }[] = [];
  /** Start and end (ms) of each outage. */
  readonly outages: { from: number; to: number }[] = [];
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private cut: { selector: Hex; downForMs: number; done: (at: number) => void } | null = null;
  private held: { selector: Hex; waiting: (() => void)[] } | null = null;
  port = 0;

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => void this.handle(request, response));
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /**
   * After the next raw transaction calling `functionSignature` (e.g. "commit(uint256,uint256,bytes32)") has been
   * forwarded, drop its connection without an answer and refuse connections for `downForMs`. Resolves with the
   * time the endpoint came back.
   */
  outageAfter(functionSignature: string, downForMs: number): Promise<number> {
    return new Promise((resolve) => {
      this.cut = { selector: toFunctionSelector(functionSignature), downForMs, done: resolve };
    });
  }

  /**
   * Holds back every raw transaction calling `functionSignature` (the request waits, as on a slow machine or a slow
   * link) until the returned function is called; then they go on to the node, late.
   */
  hold(functionSignature: string): () => void {
    const held = { selector: toFunctionSelector(functionSignature), waiting: [] as (() => void)[] };
    this.held = held;
    return () => {
      if (this.held === held) this.held = null;
      for (const release of held.waiting.splice(0)) release();
    };
  }

  /** Raw transactions held back so far (see hold). */
  get holding(): number {
    return this.held?.waiting.length ?? 0;
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const calls = parseCalls(body);
    const raw = calls.filter((call) => call.method === "eth_sendRawTransaction").map((call) => call.params?.[0] as Hex);
    const held = this.held;
    if (held !== null && raw.some((serialized) => selectorOf(serialized) === held.selector)) {
      await new Promise<void>((resolve) => held.waiting.push(resolve));
    }
    let answer: Response;
    try {
      answer = await fetch(this.target, { method: "POST", headers: { "content-type": "application/json" }, body });
    } catch {
      response.destroy();
      return;
    }
    const text = await answer.text();
    let cutNow = false;
    for (const serialized of raw) {
      const selector = selectorOf(serialized);
      this.forwarded.push({ selector, answer: text.slice(0, 200) });
      if (this.cut && selector === this.cut.selector) cutNow = true;
    }
    if (cutNow && this.cut) {
      const { downForMs, done } = this.cut;
      this.cut = null;
      const from = Date.now();
      request.socket.destroy();
      await this.stop();
      setTimeout(() => {
        void this.start().then(() => {
          const to = Date.now();
          this.outages.push({ from, to });
          done(to);
        });
      }, downForMs);
      return;
    }
    response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
    response.end(text);
  }
}

function parseCalls(body: Buffer): JsonRpcRequest[] {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as JsonRpcRequest | JsonRpcRequest[];
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return [];
  }
}

function selectorOf(serialized: Hex): Hex | null {
  try {
    const data = parseTransaction(serialized).data;
    return data && data.length >= 10 ? (data.slice(0, 10) as Hex) : null;
  } catch {
    return null;
  }
}
