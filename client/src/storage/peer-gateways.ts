import type { Libp2p, PeerId } from "@libp2p/interface";
import type { Multiaddr } from "@multiformats/multiaddr";
import { multiaddrToUri } from "@multiformats/multiaddr-to-uri";

/**
 * The HTTP trustless gateways this node may fetch blocks from: the ones configured by URL, plus one per connected
 * peer that advertises an `/http` address in its libp2p identify listen addresses (storage nodes announce their
 * gateway that way). Gateways are tried in order of recent success. One that sent a block not matching its CID is
 * never asked again by this node; one that failed (unreachable, HTTP 5xx) goes to the back of the line.
 */
export class PeerGateways {
  private readonly byPeer = new Map<string, string>();
  private readonly untrusted = new Set<string>();
  private readonly rank = new Map<string, number>();
  private clock = 0;

  constructor(private readonly configured: string[]) {
    for (const url of configured) this.rank.set(url, 0);
  }

  /** Follows identify and disconnect events of `libp2p`. Returns a function that stops following them. */
  follow(libp2p: Libp2p): () => void {
    const onIdentify = (event: CustomEvent<{ peerId: PeerId; listenAddrs: Multiaddr[] }>) => {
      const url = gatewayUrlOf(event.detail.listenAddrs);
      const peer = event.detail.peerId.toString();
      if (url) {
        this.byPeer.set(peer, url);
        if (!this.rank.has(url)) this.rank.set(url, 0);
      } else {
        this.byPeer.delete(peer);
      }
    };
    const onDisconnect = (event: CustomEvent<PeerId>) => {
      this.byPeer.delete(event.detail.toString());
    };
    libp2p.addEventListener("peer:identify", onIdentify as EventListener);
    libp2p.addEventListener("peer:disconnect", onDisconnect as EventListener);
    return () => {
      libp2p.removeEventListener("peer:identify", onIdentify as EventListener);
      libp2p.removeEventListener("peer:disconnect", onDisconnect as EventListener);
    };
  }

  /** The gateway a peer advertised, if it advertised one and is connected. */
  ofPeer(peerId: string): string | undefined {
    return this.byPeer.get(peerId);
  }

  /** Gateways to try for a block, best first. */
  candidates(): string[] {
    const urls = new Set([...this.configured, ...this.byPeer.values()]);
    return [...urls].filter((url) => !this.untrusted.has(url)).sort((a, b) => (this.rank.get(b) ?? 0) - (this.rank.get(a) ?? 0));
  }

  succeeded(url: string): void {
    this.rank.set(url, ++this.clock);
  }

  failed(url: string): void {
    this.rank.set(url, -++this.clock);
  }

  /** The gateway served bytes that do not match the CID asked for. */
  distrust(url: string): void {
    this.untrusted.add(url);
  }
}

/** The URL of the first `/http` (or `/https`) address in a peer's listen addresses. */
export function gatewayUrlOf(addresses: Multiaddr[]): string | undefined {
  for (const address of addresses) {
    const names = address.getComponents().map((c) => c.name);
    if (!names.includes("http") && !names.includes("https") && !names.includes("tls")) continue;
    try {
      return multiaddrToUri(address).replace(/\/$/, "");
    } catch {}
  }
  return undefined;
}
