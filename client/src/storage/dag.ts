import * as dagCbor from "@ipld/dag-cbor";
import * as dagJson from "@ipld/dag-json";
import * as dagPb from "@ipld/dag-pb";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { InvalidContentError, UnsupportedContentError } from "../errors/storage.ts";

const SUPPORTED_CODECS = "raw (0x55), dag-pb (0x70), dag-json (0x0129), dag-cbor (0x71)";

/** The CIDs a block links to, in order: the edges walked by CAR export and completeness checks. */
export function blockLinks(cid: CID, bytes: Uint8Array): CID[] {
  try {
    switch (cid.code) {
      case raw.code:
        return [];
      case dagPb.code:
        return dagPb.decode(bytes).Links.map((link) => link.Hash);
      case dagJson.code:
        return collectCids(dagJson.decode(bytes));
      case dagCbor.code:
        return collectCids(dagCbor.decode(bytes));
    }
  } catch (cause) {
    throw new InvalidContentError({ cid: cid.toString(), expected: "a decodable block", found: (cause as Error).message, cause });
  }
  throw new UnsupportedContentError({ cid: cid.toString(), what: `codec 0x${cid.code.toString(16)}`, supported: SUPPORTED_CODECS });
}

function collectCids(value: unknown, out: CID[] = []): CID[] {
  const cid = CID.asCID(value);
  if (cid) {
    out.push(cid);
  } else if (Array.isArray(value)) {
    for (const item of value) collectCids(item, out);
  } else if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    for (const key of Object.keys(value).sort()) collectCids((value as Record<string, unknown>)[key], out);
  }
  return out;
}
