/**
 * Turns the binary values events carry into the strings a dApp uses: CIDs in their canonical string form, and the
 * ordinals of Solidity enums into names. Values the contracts did not validate never throw here: a CID that does not
 * decode is kept as 0x-hex, so a malformed input cannot stop the indexer.
 */
import { multiaddr } from "@multiformats/multiaddr";
import { base58btc } from "multiformats/bases/base58";
import { CID } from "multiformats/cid";
import { hexToBytes, type Hex } from "viem";

/** A binary CID (hex from the event) as a string: CIDv1 in base32 (`bafy...`), CIDv0 in base58 (`Qm...`). */
export function cidToString(binary: Hex): string {
  try {
    return CID.decode(hexToBytes(binary)).toString();
  } catch {
    return binary;
  }
}

/** A binary libp2p peer id as its usual string: the multihash in base58btc without multibase prefix (`12D3Koo...`). */
export function peerIdToString(binary: Hex): string {
  return binary === "0x" ? binary : base58btc.encode(hexToBytes(binary)).slice(1);
}

/** A binary multiaddr as text (`/ip4/127.0.0.1/tcp/4001`); bytes that are not a multiaddr stay 0x-hex. */
export function multiaddrToString(binary: Hex): string {
  try {
    return multiaddr(hexToBytes(binary)).toString();
  } catch {
    return binary;
  }
}

/** Names of `AssetKind` by ordinal (contracts/types/Asset.sol). */
export const ASSET_KINDS = ["dataset", "model"] as const;
/** Names of `AssetState` by ordinal (contracts/types/Asset.sol). */
export const ASSET_STATES = ["active", "deprecated", "revoked"] as const;

/** Maps a Solidity enum ordinal to its name; throws for ordinals this indexer does not know (update the indexer). */
export function enumName<const names extends readonly string[]>(names: names, ordinal: number, what: string): names[number] {
  const name = names[ordinal];
  if (name === undefined) {
    throw new Error(`Unknown ${what} ordinal ${ordinal}: the contracts are newer than this indexer; update it.`);
  }
  return name;
}
