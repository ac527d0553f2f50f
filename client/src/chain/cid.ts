/**
 * CIDs at the contract boundary. The contracts store and emit CIDs as binary CIDv1 (`bytes`); actions accept a CID
 * object or any CID string (parsed by the storage layer's `toCid`) and convert it here, so every action treats CIDs
 * the same way.
 */
import { CID } from "multiformats/cid";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { InvalidCidError } from "../errors/storage.ts";
import { toCid, type CidLike } from "../storage/cid.ts";

/**
 * The binary CIDv1 the contracts take, as hex. A CIDv0 (`Qm...`) is converted to the CIDv1 of the same content
 * (dag-pb, same multihash), which the contracts accept; both name the same bytes.
 */
export function cidToHex(value: CidLike): Hex {
  return bytesToHex(toCid(value).toV1().bytes);
}

/** Decodes the binary CID a contract returned or emitted. */
export function hexToCid(value: Hex): CID {
  try {
    return CID.decode(hexToBytes(value));
  } catch (cause) {
    throw new InvalidCidError({ value, cause });
  }
}
