import { CID } from "multiformats/cid";
import { InvalidCidError } from "../errors/storage.ts";

/** A CID object or its string form (base32 `bafy...` for CIDv1, `Qm...` for CIDv0). */
export type CidLike = CID | string;

/** Parses a CID string (or passes a CID through), throwing InvalidCidError with the offending value. */
export function toCid(value: CidLike): CID {
  const asCid = CID.asCID(value);
  if (asCid) return asCid;
  if (typeof value !== "string") throw new InvalidCidError({ value: String(value) });
  try {
    return CID.parse(value.trim());
  } catch (cause) {
    throw new InvalidCidError({ value, cause });
  }
}
