import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";

let counter = 0;

/** A fresh CIDv1 (raw codec, sha2-256) of some unique bytes, as a manifest stand-in in tests. */
export async function uniqueCid(label = "manifest"): Promise<CID> {
  const bytes = new TextEncoder().encode(`${label} ${process.pid} ${Date.now()} ${counter++}`);
  return CID.create(1, raw.code, await sha256.digest(bytes));
}
