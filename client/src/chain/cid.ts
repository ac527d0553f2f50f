/**
 * CIDs at the contract boundary. The contracts store and emit CIDs as binary CIDv1 (`bytes`); actions accept a CID
 * object or any CID string and convert it here, so every action treats CIDs the same way.
 */
import { CID } from "multiformats/cid";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { InvalidCidError } from "../errors/chain.ts";

/** A CID object or its string form (base32 `bafy...` for CIDv1, `Qm...` for CIDv0). */
export type CidInput = CID | string;

/** Parses a CID string (or passes a CID through); throws InvalidCidError with the offending value. */
export function parseCid(value: CidInput): CID {
  const asCid = CID.asCID(value);
  if (asCid) return asCid;
  if (typeof value !== "string") throw new InvalidCidError({ value: String(value) });
  try {
    return CID.parse(value.trim());
  } catch (cause) {
    throw new InvalidCidError({ value, cause });
  }
}

/**
 * The binary CIDv1 the contracts take, as hex. A CIDv0 (`Qm...`) is converted to the CIDv1 of the same content
 * (dag-pb, same multihash), which the contracts accept; both name the same bytes.
 */
export function cidToHex(value: CidInput): Hex {
  return bytesToHex(parseCid(value).toV1().bytes);
}

/** Decodes the binary CID a contract returned or emitted. */
export function hexToCid(value: Hex): CID {
  try {
    return CID.decode(hexToBytes(value));
  } catch (cause) {
    throw new InvalidCidError({ value, cause });
  }
}
