/**
 * Job specs on IPFS: a spec is one dag-json block (canonical: keys sorted, the dataset manifest as a link), validated
 * before it is stored and after it is loaded, so a trainer never trains on a malformed spec.
 */
import * as dagJson from "@ipld/dag-json";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { InvalidContentError } from "../errors/storage.ts";
import { verifiedGetter, type BlockStorage } from "../storage/blocks.ts";
import { toCid, type CidLike } from "../storage/cid.ts";
import { validateTrainingSpec, type TrainingSpec } from "./spec.ts";

/** Specs are single blocks; anything larger is refused before decoding. */
const MAX_SPEC_BYTES = 1024 * 1024;

/** Validates, encodes and stores a spec; returns its CID (dag-json, sha2-256), the `specCid` of createJob. */
export async function storeTrainingSpec(
  storage: BlockStorage,
  spec: TrainingSpec,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<CID> {
  const bytes = dagJson.encode(validateTrainingSpec(spec));
  const cid = CID.createV1(dagJson.code, await sha256.digest(bytes));
  await storage.blockstore.put(cid, bytes, options.signal ? { signal: options.signal } : {});
  return cid;
}

/** Fetches (verified against its CID), decodes and validates a spec; InvalidTrainingSpecError lists every problem. */
export async function loadTrainingSpec(
  storage: BlockStorage,
  cid: CidLike,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<TrainingSpec> {
  const root = toCid(cid);
  if (root.code !== dagJson.code) {
    throw new InvalidContentError({
      cid: root.toString(),
      expected: "a dag-json training spec",
      found: `a block with codec 0x${root.code.toString(16)}`,
    });
  }
  const bytes = await verifiedGetter(storage.blockstore)(root, options.signal ? { signal: options.signal } : {});
  if (bytes.byteLength > MAX_SPEC_BYTES)
    throw new InvalidContentError({
      cid: root.toString(),
      expected: `a spec of at most ${MAX_SPEC_BYTES} bytes`,
      found: `${bytes.byteLength} bytes`,
    });
  let value: unknown;
  try {
    value = dagJson.decode(bytes);
  } catch (cause) {
    throw new InvalidContentError({ cid: root.toString(), expected: "valid dag-json", found: (cause as Error).message, cause });
  }
  return validateTrainingSpec(value);
}
