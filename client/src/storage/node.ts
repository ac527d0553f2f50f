import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { withBitswap } from "@helia/bitswap";
import { libp2pDefaults, withLibp2pLight } from "@helia/libp2p";
import type { HeliaWithLibp2p } from "@helia/libp2p";
import { identify } from "@libp2p/identify";
import type { Libp2p, PeerId } from "@libp2p/interface";
import { noise } from "@libp2p/noise";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { multiaddr } from "@multiformats/multiaddr";
import type { Multiaddr } from "@multiformats/multiaddr";
import { NodeDatastore } from "./fs-datastore.ts";
import { createHelia, createHeliaLight } from "helia";
import type { Helia } from "helia";
import type { Blockstore, InputPair, Pair } from "interface-blockstore";
import type { CID } from "multiformats/cid";
import { AbortedError, BaseError, throwIfAborted } from "../errors/base.ts";
import { BlockNotFoundError, BlockVerificationError, InvalidStorageParameterError, StorageNodeError } from "../errors/storage.ts";
import { collect, verifiedBlocks } from "./blocks.ts";
import type { BlockGetOptions, BlockProgressEvent, VerifyingBlockstore } from "./blocks.ts";
import { FileBlockstore } from "./fs-blockstore.ts";
import { fetchGatewayBlock } from "./gateway-client.ts";
import { startGatewayServer } from "./gateway-server.ts";
import type { GatewayServer } from "./gateway-server.ts";
import { PeerGateways } from "./peer-gateways.ts";
import { verifyBlock } from "./verify.ts";

export type StorageNetwork = "loopback" | "public";

export type StorageNodeOptions = {
  /** Directory holding the node's blocks (`blocks/`, blockstore-fs) and its datastore (`datastore/`: peer key, pins). */
  dataDir: string;
  /**
   * `loopback` (default): TCP on 127.0.0.1 only, no bootstrap, mDNS, DHT, delegated routing, autoNAT, UPnP, autoTLS
   * or relays; peers are found only by dialing them (`peers`, `dial`). For single-machine runs and tests.
   * `public`: Helia's default libp2p stack (public bootstrap peers, DHT, delegated routing, public gateways).
   */
  network?: StorageNetwork;
  /** libp2p listen addresses (default `/ip4/127.0.0.1/tcp/0` in loopback mode; Helia's defaults in public mode). */
  listen?: string[];
  /** Multiaddrs (with `/p2p/<peer id>`) to dial at start. */
  peers?: string[];
  /**
   * The node's HTTP trustless gateway (serves its blocks, CARs and UnixFS paths). Default: on 127.0.0.1, any port.
   * In loopback mode its address is advertised to peers through libp2p identify, which makes it their fast path;
   * in public mode set `announce` to the URL other machines reach it at. `false` disables it.
   */
  gateway?: false | { host?: string; port?: number; announce?: string };
  /** Additional trustless gateway URLs to fetch blocks from (verified like every block). */
  gateways?: string[];
  /** How long one block may take to arrive from the network before the fetch fails (default 30 s). */
  blockTimeoutMs?: number;
  signal?: AbortSignal;
};

export type StorageNode = {
  /** Verified, network-backed blockstore: pass `node` (or `{ blockstore }`) to every content function. */
  readonly blockstore: VerifyingBlockstore;
  /** The underlying Helia node (libp2p, bitswap, pins), for what this package does not wrap. */
  readonly helia: HeliaWithLibp2p;
  readonly peerId: string;
  /** Dialable libp2p addresses of this node, each ending in /p2p/<peer id>: give them to peers. */
  readonly multiaddrs: string[];
  /** Base URL of this node's HTTP gateway (e.g. http://127.0.0.1:41234), or null when disabled. */
  readonly gatewayUrl: string | null;
  /**
   * The multiaddr this node advertises for its gateway (e.g. /ip4/127.0.0.1/tcp/41234/http, or the `announce` URL's),
   * or null when it advertises none. Publish it with the libp2p addresses (a trainer's on-chain peer info does).
   */
  readonly gatewayAddress: string | null;
  readonly dataDir: string;
  readonly network: StorageNetwork;
  /** Connects to a peer; resolves once it has identified itself (so its gateway, if any, is known). */
  dial(address: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** Peer ids of the peers currently connected. */
  connectedPeers(): string[];
  /** Stops the gateway, libp2p and the stores (once; later calls wait for the first). In-flight fetches fail with AbortedError. */
  stop(): Promise<void>;
};

/** At most this many gateways are asked for one block before falling back to bitswap. */
const MAX_GATEWAY_ATTEMPTS = 3;
const DEFAULT_BLOCK_TIMEOUT_MS = 30_000;
const IDENTIFY_WAIT_MS = 5_000;

/**
 * Creates and starts an IPFS storage node: Helia with a filesystem blockstore and datastore under `dataDir`, libp2p
 * over TCP, bitswap, and an HTTP trustless gateway.
 *
 * Blocks this node lacks are fetched in this order, each verified against its CID before it is stored or returned:
 * 1. the HTTP gateways of connected peers (and configured `gateways`), block by block (`/ipfs/<cid>?format=raw`);
 * 2. bitswap, through Helia, when no gateway has the block.
 * Fetched blocks are kept, so this node serves them to others afterwards (gateway and bitswap).
 */
export async function createStorageNode(options: StorageNodeOptions): Promise<StorageNode> {
  const network = options.network ?? "loopback";
  if (network !== "loopback" && network !== "public") {
    throw new InvalidStorageParameterError({ parameter: "network", expected: '"loopback" or "public"', found: JSON.stringify(network) });
  }
  const blockTimeoutMs = options.blockTimeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS;
  if (!Number.isFinite(blockTimeoutMs) || blockTimeoutMs <= 0) {
    throw new InvalidStorageParameterError({
      parameter: "blockTimeoutMs",
      expected: "a positive number of milliseconds",
      found: String(blockTimeoutMs),
    });
  }
  const listen = (options.listen ?? (network === "loopback" ? ["/ip4/127.0.0.1/tcp/0"] : [])).map((a) => parseMultiaddr(a, "listen"));
  if (network === "loopback") {
    for (const address of listen) {
      if (!isLoopback(address)) {
        throw new InvalidStorageParameterError({
          parameter: "listen",
          expected: "loopback addresses (127.0.0.0/8 or ::1) in loopback mode",
          found: address.toString(),
        });
      }
    }
  }
  const peers = (options.peers ?? []).map((a) => parseMultiaddr(a, "peers"));
  throwIfAborted(options.signal, "Creating a storage node");

  const dataDir = resolve(options.dataDir);
  const blockDir = join(dataDir, "blocks");
  const datastoreDir = join(dataDir, "datastore");
  await mkdir(blockDir, { recursive: true });
  await mkdir(datastoreDir, { recursive: true });
  const local = new FileBlockstore(blockDir);
  const datastore = new NodeDatastore(datastoreDir);
  await local.open();
  await datastore.open();

  let gateway: GatewayServer | null = null;
  let helia: HeliaWithLibp2p | undefined;
  let announced: string | undefined;
  try {
    if (options.gateway !== false) gateway = await startGatewayServer({ blockstore: local }, options.gateway ?? {});
    announced = gatewayAnnounceAddress(network, gateway, options.gateway === false ? undefined : options.gateway?.announce);
    const announce = announced;
    helia = network === "loopback" ? loopbackHelia(local, datastore, listen, announce) : publicHelia(local, datastore, listen, announce);
    await helia.start();
  } catch (cause) {
    await helia?.stop().catch(() => {});
    await gateway?.close();
    await datastore.close();
    if (cause instanceof BaseError) throw cause;
    throw new StorageNodeError("The storage node could not start.", {
      details: (cause as Error).message,
      hint: `Check that ${dataDir} is writable and not used by another running node.`,
      cause,
    });
  }
  const started = helia;
  const libp2p = started.libp2p as Libp2p;
  const gateways = new PeerGateways(options.gateways ?? []);
  const unfollow = gateways.follow(libp2p);
  const closing = new AbortController();
  const blockstore = new NodeBlockstore(local, started, gateways, blockTimeoutMs, closing.signal);

  const dial = async (address: string, dialOptions: { signal?: AbortSignal } = {}) => {
    const target = parseMultiaddr(address, "address");
    const identified = waitForIdentify(libp2p, target.getComponents().find((c) => c.name === "p2p")?.value, dialOptions.signal);
    try {
      await libp2p.dial(target, dialOptions.signal ? { signal: dialOptions.signal } : {});
    } catch (cause) {
      identified.cancel();
      if (dialOptions.signal?.aborted) throw new AbortedError(`Dialing ${address}`, { cause });
      throw new StorageNodeError(`Could not connect to peer ${address}.`, {
        details: (cause as Error).message,
        hint: "Check that the peer is running and that the address (with its /p2p/ id) is current.",
        cause,
      });
    }
    await identified.done;
  };

  let stopping: Promise<void> | undefined;
  const node: StorageNode = {
    blockstore,
    helia: started,
    peerId: libp2p.peerId.toString(),
    get multiaddrs() {
      return libp2p
        .getMultiaddrs()
        .filter((a) => !a.getComponents().some((c) => c.name === "http" || c.name === "https"))
        .map((a) => a.toString());
    },
    gatewayUrl: gateway?.url ?? null,
    gatewayAddress: announced ?? null,
    dataDir,
    network,
    dial,
    connectedPeers: () => [...new Set(libp2p.getConnections().map((c) => c.remotePeer.toString()))],
    stop() {
      // Idempotent: a second call waits for the first.
      stopping ??= (async () => {
        closing.abort(new StorageNodeError("The storage node was stopped."));
        unfollow();
        await gateway?.close();
        await started.stop();
        await datastore.close();
      })();
      return stopping;
    },
  };

  try {
    for (const peer of peers) await dial(peer.toString(), options.signal ? { signal: options.signal } : {});
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

function loopbackHelia(
  blockstore: Blockstore,
  datastore: NodeDatastore,
  listen: Multiaddr[],
  announce: string | undefined,
): HeliaWithLibp2p {
  const helia = createHeliaLight({ blockstore, datastore });
  const withP2p = withLibp2pLight(helia, {
    addresses: { listen: listen.map(String), appendAnnounce: announce ? [announce] : [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    // Yamux windows sized for 1 MiB blocks: the defaults (256 KiB window, 64 KiB frames) stall bitswap on
    // window updates.
    streamMuxers: [
      yamux({
        maxMessageSize: 256 * 1024,
        streamOptions: {
          initialStreamWindowSize: 16 * 1024 * 1024,
          maxStreamWindowSize: 32 * 1024 * 1024,
          maxReadBufferLength: 64 * 1024 * 1024,
        },
      } as Parameters<typeof yamux>[0]),
    ],
    peerDiscovery: [],
    services: { identify: identify() },
  });
  return withBitswap(withP2p) as unknown as HeliaWithLibp2p;
}

function publicHelia(blockstore: Blockstore, datastore: NodeDatastore, listen: Multiaddr[], announce: string | undefined): HeliaWithLibp2p {
  if (listen.length === 0 && !announce) return createHelia({ blockstore, datastore }) as unknown as HeliaWithLibp2p;
  // Helia replaces a default libp2p section by the one given: keep its default listen addresses unless overridden.
  const addresses = {
    listen: listen.length > 0 ? listen.map(String) : (libp2pDefaults().addresses?.listen ?? []),
    appendAnnounce: announce ? [announce] : [],
  };
  return createHelia({ blockstore, datastore, libp2p: { addresses } }) as unknown as HeliaWithLibp2p;
}

function gatewayAnnounceAddress(network: StorageNetwork, gateway: GatewayServer | null, announce: string | undefined): string | undefined {
  if (announce) {
    const url = new URL(announce);
    const protocol = url.protocol === "https:" ? "https" : "http";
    const port = url.port || (protocol === "https" ? "443" : "80");
    const host = /^\d+\.\d+\.\d+\.\d+$/.test(url.hostname)
      ? `/ip4/${url.hostname}`
      : url.hostname.startsWith("[")
        ? `/ip6/${url.hostname.slice(1, -1)}`
        : `/dns/${url.hostname}`;
    return `${host}/tcp/${port}/${protocol}`;
  }
  if (network === "loopback" && gateway) return `/ip4/127.0.0.1/tcp/${gateway.port}/http`;
  return undefined;
}

function waitForIdentify(
  libp2p: Libp2p,
  peerId: string | undefined,
  signal: AbortSignal | undefined,
): { done: Promise<void>; cancel(): void } {
  let cancel = () => {};
  const done = new Promise<void>((resolvePromise) => {
    const finish = () => {
      clearTimeout(timer);
      libp2p.removeEventListener("peer:identify", onIdentify as EventListener);
      signal?.removeEventListener("abort", finish);
      resolvePromise();
    };
    const onIdentify = (event: CustomEvent<{ peerId: PeerId }>) => {
      if (peerId === undefined || event.detail.peerId.toString() === peerId) finish();
    };
    // Identify normally completes within milliseconds; if it does not, the node still works (bitswap), so the wait
    // ends quietly.
    const timer = setTimeout(finish, IDENTIFY_WAIT_MS);
    libp2p.addEventListener("peer:identify", onIdentify as EventListener);
    signal?.addEventListener("abort", finish, { once: true });
    cancel = finish;
  });
  return { done, cancel: () => cancel() };
}

function parseMultiaddr(value: string, parameter: string): Multiaddr {
  try {
    return multiaddr(value);
  } catch {
    throw new InvalidStorageParameterError({
      parameter,
      expected: "a multiaddr such as /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...",
      found: JSON.stringify(value),
    });
  }
}

function isLoopback(address: Multiaddr): boolean {
  const first = address.getComponents()[0];
  if (!first) return false;
  if (first.name === "ip4") return first.value?.startsWith("127.") ?? false;
  if (first.name === "ip6") return first.value === "::1";
  if (first.name === "dns" || first.name === "dns4" || first.name === "dns6") return first.value === "localhost";
  return false;
}

type Fetched = { bytes: Uint8Array; source: BlockProgressEvent["source"]; from?: string };
type SharedFetch = { promise: Promise<Fetched>; cancel: AbortController; waiting: number };

/**
 * The node's blockstore. Reads return verified bytes (local blocks are hashed too: a corrupt copy on disk is deleted
 * and fetched again); misses go to peer gateways, then bitswap. Writes go through Helia so bitswap peers waiting for
 * a block are told when it arrives.
 */
class NodeBlockstore implements VerifyingBlockstore {
  private readonly inFlight = new Map<string, SharedFetch>();
  readonly [verifiedBlocks] = (cid: CID, options?: BlockGetOptions) => this.getVerified(cid, options);

  constructor(
    private readonly local: FileBlockstore,
    private readonly helia: Helia,
    private readonly gateways: PeerGateways,
    private readonly timeoutMs: number,
    private readonly closing: AbortSignal,
  ) {}

  async has(cid: CID, options?: { signal?: AbortSignal }): Promise<boolean> {
    return this.local.has(cid, options);
  }

  async put(
    cid: CID,
    bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options?: { signal?: AbortSignal },
  ): Promise<CID> {
    return this.helia.blockstore.put(cid, bytes instanceof Uint8Array ? bytes : await collect(bytes as AsyncIterable<Uint8Array>), options);
  }

  async *putMany(source: Iterable<InputPair> | AsyncIterable<InputPair>, options?: { signal?: AbortSignal }): AsyncGenerator<CID> {
    for await (const { cid, bytes } of source) yield await this.put(cid, bytes, options);
  }

  async *get(cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
    yield await this.getVerified(cid, options);
  }

  async *getMany(source: Iterable<CID> | AsyncIterable<CID>, options?: { signal?: AbortSignal }): AsyncGenerator<Pair> {
    for await (const cid of source) {
      const bytes = await this.getVerified(cid, options);
      yield {
        cid,
        bytes: (function* () {
          yield bytes;
        })(),
      };
    }
  }

  async delete(cid: CID, options?: { signal?: AbortSignal }): Promise<void> {
    await this.helia.blockstore.delete(cid, options);
  }

  async *deleteMany(source: Iterable<CID> | AsyncIterable<CID>, options?: { signal?: AbortSignal }): AsyncGenerator<CID> {
    yield* this.helia.blockstore.deleteMany(source, options);
  }

  async *getAll(options?: { signal?: AbortSignal }): AsyncGenerator<Pair> {
    yield* this.local.getAll(options);
  }

  /** Tells the block brokers a block arrived (what `helia.blockstore.put` does), so bitswap peers waiting get it. */
  private async announce(cid: CID): Promise<void> {
    const brokers = (this.helia as unknown as { blockBrokers?: { announce?: (cid: CID) => Promise<void> }[] }).blockBrokers ?? [];
    await Promise.all(brokers.map((broker) => broker.announce?.(cid)));
  }

  async getVerified(cid: CID, options: BlockGetOptions = {}): Promise<Uint8Array> {
    throwIfAborted(options.signal, "Reading a block");
    const key = cid.toString();
    let shared = this.inFlight.get(key);
    if (!shared) {
      // One fetch per block however many readers want it. It is cancelled when every reader waiting for it has
      // given up (each reader honours its own signal).
      const cancel = new AbortController();
      const entry: SharedFetch = { promise: this.fetch(cid, cancel.signal), cancel, waiting: 0 };
      entry.promise = entry.promise.finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, entry);
      shared = entry;
    }
    const entry = shared;
    entry.waiting++;
    let fetched: Fetched;
    try {
      fetched = await raceAbort(entry.promise, options.signal, "Reading a block");
    } catch (error) {
      if (options.signal?.aborted && --entry.waiting === 0) entry.cancel.abort(options.signal.reason);
      throw error;
    }
    entry.waiting--;
    options.onProgress?.({
      type: "block",
      cid,
      bytes: fetched.bytes.byteLength,
      source: fetched.source,
      ...(fetched.from ? { from: fetched.from } : {}),
    });
    return fetched.bytes;
  }

  private async fetch(cid: CID, cancelled: AbortSignal): Promise<Fetched> {
    if (cid.multihash.code === 0x00) return { bytes: cid.multihash.digest, source: "local" };
    let rejected: BlockVerificationError | undefined;
    const stored = await this.local.readBlock(cid);
    if (stored) {
      try {
        return { bytes: await verifyBlock(cid, stored, { source: "local" }, { owned: true }), source: "local" };
      } catch (error) {
        if (!(error instanceof BlockVerificationError)) throw error;
        rejected = error;
        await this.local.delete(cid);
      }
    }
    const stop = AbortSignal.any([this.closing, cancelled]);
    if (stop.aborted) throw new AbortedError("Reading a block", { cause: stop.reason });
    const deadline = AbortSignal.any([stop, AbortSignal.timeout(this.timeoutMs)]);
    const tried: string[] = [];
    for (const url of this.gateways.candidates().slice(0, MAX_GATEWAY_ATTEMPTS)) {
      tried.push(`gateway ${url}`);
      try {
        const result = await fetchGatewayBlock(url, cid, { signal: deadline });
        if (result.status === "missing") continue;
        const bytes = await this.local.putVerified(cid, result.bytes, { source: "gateway", from: url });
        await this.announce(cid);
        this.gateways.succeeded(url);
        return { bytes, source: "gateway", from: url };
      } catch (error) {
        if (error instanceof BlockVerificationError) {
          this.gateways.distrust(url);
          rejected ??= error;
        } else if (deadline.aborted) {
          break;
        } else {
          this.gateways.failed(url);
        }
      }
    }
    tried.push("bitswap");
    try {
      const bytes = await collect(this.helia.blockstore.get(cid, { signal: deadline }));
      return { bytes, source: "bitswap" };
    } catch (cause) {
      if (stop.aborted) throw new AbortedError("Reading a block", { cause: stop.reason });
      throw (
        rejected ??
        new BlockNotFoundError({ cid: cid.toString(), tried, ...(deadline.aborted ? { timeoutMs: this.timeoutMs } : {}), cause })
      );
    }
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, operation: string): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(new AbortedError(operation, { cause: signal.reason }));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolvePromise(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
