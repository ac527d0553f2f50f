/**
 * Peer discovery on-chain: the binary encodings of libp2p peer ids and multiaddrs that `join` and `updatePeerInfo`
 * take and `TrainerJoined` / `PeerInfoUpdated` carry, and the dialable addresses of a peer.
 */
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";
import { base58btc } from "multiformats/bases/base58";
import { CID } from "multiformats/cid";
import { bytesToHex, hexToBytes, isHex, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/chain.ts";

/**
 * A libp2p peer id in the binary form the contract stores (its multihash): from the bytes, hex, a base58btc string
 * (`12D3KooW…`, `Qm…`) or a CIDv1 string (`bafz…`).
 */
export function encodePeerId(peerId: Uint8Array | string): Hex {
  if (peerId instanceof Uint8Array) return bytesToHex(peerId);
  if (isHex(peerId) && peerId.length > 2) return peerId;
  try {
    if (peerId.startsWith("1") || peerId.startsWith("Q")) return bytesToHex(base58btc.baseDecode(peerId));
    return bytesToHex(CID.parse(peerId).multihash.bytes);
  } catch (cause) {
    throw new InvalidArgumentError({
      parameter: "peer id",
      value: peerId,
      expected: "a libp2p peer id (12D3KooW…, Qm… or bafz…) or its bytes",
      cause,
    });
  }
}

/** The usual string form (12D3KooW…, Qm…) of a binary peer id, as `TrainerJoined` and `PeerInfoUpdated` carry it. */
export function decodePeerId(peerId: Hex | Uint8Array): string {
  return base58btc.baseEncode(peerId instanceof Uint8Array ? peerId : hexToBytes(peerId));
}

/** A multiaddr in binary form: from a Multiaddr, its bytes, hex, or a string such as `/ip4/127.0.0.1/tcp/4001`. */
export function encodeMultiaddr(address: Multiaddr | Uint8Array | string): Hex {
  if (address instanceof Uint8Array) return bytesToHex(address);
  if (typeof address !== "string") return bytesToHex(address.bytes);
  if (isHex(address)) return address;
  try {
    return bytesToHex(multiaddr(address).bytes);
  } catch (cause) {
    throw new InvalidArgumentError({
      parameter: "multiaddr",
      value: address,
      expected: "a multiaddr such as /ip4/127.0.0.1/tcp/4001",
      cause,
    });
  }
}

/** Decodes the binary multiaddrs a `TrainerJoined` or `PeerInfoUpdated` event carries. */
export function decodeMultiaddrs(addresses: readonly Hex[]): Multiaddr[] {
  return addresses.map((address) => multiaddr(hexToBytes(address)));
}

/**
 * The libp2p addresses among a peer's registered multiaddrs, each ending in /p2p/<peer id> as a dial needs. An HTTP
 * (or TLS) address is the peer's trustless gateway, which a node learns once connected: it is not dialed.
 */
export function dialableAddresses(peerId: string, addrs: readonly string[]): string[] {
  return addrs
    .filter((addr) => !/\/(http|https|tls)(\/|$)/.test(addr))
    .map((addr) => (addr.includes("/p2p/") ? addr : `${addr}/p2p/${peerId}`));
}
