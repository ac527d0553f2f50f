import * as dagJson from "@ipld/dag-json";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { ManifestValidationError } from "../errors/manifest.ts";
import { InvalidContentError } from "../errors/storage.ts";
import { verifiedGetter } from "../storage/blocks.ts";
import type { BlockStorage } from "../storage/blocks.ts";
import { toCid } from "../storage/cid.ts";
import type { CidLike } from "../storage/cid.ts";
import { MANIFEST_IDS } from "./common.ts";
import type { ManifestKind } from "./common.ts";
import { validateDatasetManifest } from "./dataset.ts";
import type { DatasetManifest } from "./dataset.ts";
import { validateModelManifest, validateUpdateManifest } from "./model.ts";
import type { ModelManifest, UpdateManifest } from "./model.ts";

export type Manifest = DatasetManifest | ModelManifest | UpdateManifest;
export type ManifestOfKind<K extends ManifestKind> = K extends "dataset"
  ? DatasetManifest
  : K extends "model"
    ? ModelManifest
    : UpdateManifest;

/** Manifests are single dag-json blocks; anything larger is refused before decoding. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** Validates any manifest (dispatching on its `manifest` field) and returns it typed. */
export function validateManifest(value: unknown, context: { cid?: string } = {}): Manifest {
  const id = (value as { manifest?: unknown } | null)?.manifest;
  if (id === MANIFEST_IDS.dataset) return validateDatasetManifest(value, context);
  if (id === MANIFEST_IDS.model) return validateModelManifest(value, context);
  if (id === MANIFEST_IDS.update) return validateUpdateManifest(value, context);
  throw new ManifestValidationError({
    kind: "Mycelium",
    cid: context.cid,
    issues: [
      {
        path: "manifest",
        expected: `one of ${Object.values(MANIFEST_IDS)
          .map((m) => JSON.stringify(m))
          .join(", ")}`,
        found: id === undefined ? "nothing" : JSON.stringify(id),
      },
    ],
  });
}

/**
 * Encodes a manifest as canonical dag-json (keys sorted, links as `{"/": cid}`) after validating it, and computes its
 * CIDv1 (dag-json, sha2-256). Equal manifests always give equal bytes and the same CID.
 */
export async function encodeManifest(manifest: Manifest): Promise<{ cid: CID; bytes: Uint8Array }> {
  validateManifest(manifest);
  const bytes = dagJson.encode(manifest);
  const cid = CID.createV1(dagJson.code, await sha256.digest(bytes));
  return { cid, bytes };
}

/** Validates, encodes and stores a manifest; returns its CID. */
export async function storeManifest(storage: BlockStorage, manifest: Manifest, options: { signal?: AbortSignal } = {}): Promise<CID> {
  const { cid, bytes } = await encodeManifest(manifest);
  await storage.blockstore.put(cid, bytes, options);
  return cid;
}

/**
 * Fetches (verified against its CID), decodes and validates a manifest. With `kind`, anything else is rejected with
 * ManifestValidationError; the return type follows `kind`.
 */
export async function loadManifest<K extends ManifestKind>(
  storage: BlockStorage,
  cid: CidLike,
  options: { kind: K; signal?: AbortSignal },
): Promise<ManifestOfKind<K>>;
export async function loadManifest(storage: BlockStorage, cid: CidLike, options?: { signal?: AbortSignal }): Promise<Manifest>;
export async function loadManifest(
  storage: BlockStorage,
  cid: CidLike,
  options: { kind?: ManifestKind; signal?: AbortSignal } = {},
): Promise<Manifest> {
  const root = toCid(cid);
  if (root.code !== dagJson.code) {
    throw new InvalidContentError({
      cid: root.toString(),
      expected: "a dag-json manifest",
      found: `a block with codec 0x${root.code.toString(16)}`,
      hint: "Pass the manifest CID (bagu...), not the CID of the content it describes.",
    });
  }
  const bytes = await verifiedGetter(storage.blockstore)(root, options.signal ? { signal: options.signal } : {});
  if (bytes.byteLength > MAX_MANIFEST_BYTES)
    throw new InvalidContentError({
      cid: root.toString(),
      expected: `a manifest of at most ${MAX_MANIFEST_BYTES} bytes`,
      found: `${bytes.byteLength} bytes`,
    });
  let value: unknown;
  try {
    value = dagJson.decode(bytes);
  } catch (cause) {
    throw new InvalidContentError({ cid: root.toString(), expected: "valid dag-json", found: (cause as Error).message, cause });
  }
  const context = { cid: root.toString() };
  if (options.kind) {
    const expected = MANIFEST_IDS[options.kind];
    const found = (value as { manifest?: unknown } | null)?.manifest;
    if (found !== expected) {
      throw new ManifestValidationError({
        kind: options.kind,
        cid: root.toString(),
        issues: [{ path: "manifest", expected: JSON.stringify(expected), found: found === undefined ? "nothing" : JSON.stringify(found) }],
      });
    }
  }
  return validateManifest(value, context);
}
