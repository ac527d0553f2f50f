/**
 * The inverse of publishing: saves what a manifest describes to a directory, so a buyer gets back what the publisher
 * published. A dataset becomes the same dataset directory (`<split>/0000.myts`, ..., labels.json); a model becomes
 * its TF.js layers directory (model.json, weights.bin). The manifest itself is saved as manifest.json (dag-json).
 * Every block is verified against its CID on the way.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import * as dagJson from "@ipld/dag-json";
import type { CID } from "multiformats/cid";
import { throwIfAborted } from "../errors/base.ts";
import { loadManifest } from "../manifests/codec.ts";
import { MANIFEST_IDS } from "../manifests/common.ts";
import type { DatasetManifest } from "../manifests/dataset.ts";
import type { ModelManifest } from "../manifests/model.ts";
import type { BlockStorage } from "../storage/blocks.ts";
import type { CidLike } from "../storage/cid.ts";
import { fetchToPath, listDirectory, statContent, type ReadProgressEvent } from "../storage/read.ts";

export type SaveManifestContentParameters = {
  signal?: AbortSignal | undefined;
  /** Bytes saved so far, out of the content's total. */
  onProgress?: ((event: ReadProgressEvent) => void) | undefined;
};

export type SaveManifestContentReturnType = {
  manifest: DatasetManifest | ModelManifest;
  /** Files written, relative to the directory. */
  files: string[];
  bytes: number;
};

/** Saves a dataset's or a model's content (and its manifest) from `storage` into `directory`. */
export async function saveManifestContent(
  storage: BlockStorage,
  manifestCid: CidLike,
  directory: string,
  parameters: SaveManifestContentParameters = {},
): Promise<SaveManifestContentReturnType> {
  const { signal, onProgress } = parameters;
  const manifest = (await loadManifest(storage, manifestCid, signal ? { signal } : {})) as DatasetManifest | ModelManifest;
  await mkdir(directory, { recursive: true });
  const files: string[] = [];
  let done = 0;
  const save = async (cid: CID, relative: string, total: number | null) => {
    const base = done;
    const stat = await fetchToPath(storage, cid, path.join(directory, relative), {
      signal,
      onProgress: (event) => {
        if (event.type === "read") onProgress?.({ type: "read", bytes: base + event.bytes, totalBytes: total });
      },
    });
    done += stat.size;
    files.push(relative);
  };
  if (manifest.manifest === MANIFEST_IDS.dataset) {
    const splits = Object.entries(manifest.splits) as [string, DatasetManifest["splits"]["train"]][];
    const total = splits.reduce((sum, [, shards]) => sum + shards.reduce((bytes, shard) => bytes + shard.bytes, 0), 0);
    for (const [split, shards] of splits) {
      for (const [index, shard] of shards.entries()) {
        throwIfAborted(signal, "Saving the dataset");
        await save(shard.cid, path.join(split, `${String(index).padStart(4, "0")}.myts`), total);
      }
    }
    await writeFile(path.join(directory, "labels.json"), `${JSON.stringify(manifest.schema.labelClasses)}\n`);
    files.push("labels.json");
  } else {
    const { size } = await statContent(storage, manifest.model, signal ? { signal } : {});
    await save(manifest.model, "", size);
    files.pop();
    files.push(...(await listDirectory(storage, manifest.model, signal ? { signal } : {})).map((entry) => entry.name));
  }
  await writeFile(path.join(directory, "manifest.json"), dagJson.encode(manifest));
  files.push("manifest.json");
  return { manifest, files, bytes: done };
}
