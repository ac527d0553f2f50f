/**
 * Publishing a dataset from disk: a directory with one folder per split (`train/`, `test/`, optional `validation/`),
 * each holding tensor shards (`mycelium/tensor-shards@1`, written by `encodeTensorShard`), taken in file-name order.
 * Every shard is decoded and checked before it is added, so a dataset is never published with a bad shard or shards
 * that disagree on the feature shape, dtype or classes.
 */
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CID } from "multiformats/cid";
import { InvalidDatasetError, InvalidTensorShardError } from "../datasets/errors.ts";
import { splitIntoShards, type TensorDataset } from "../datasets/dataset.ts";
import { TENSOR_SHARDS_FORMAT, decodeTensorShard, encodeTensorShard } from "../datasets/tensorShards.ts";
import { throwIfAborted } from "../errors/base.ts";
import { InvalidArgumentError } from "../errors/chain.ts";
import type { DatasetManifest } from "../manifests/dataset.ts";
import { addBytes, type AddProgressEvent } from "../storage/add.ts";
import type { BlockStorage } from "../storage/blocks.ts";

export const DATASET_SPLITS = ["train", "test", "validation"] as const;

export type AddDatasetDirectoryParameters = {
  directory: string;
  /** Label names in class order; default `labels.json` in the directory (an array of strings), else "0", "1", ... */
  labelClasses?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
  /** Bytes added so far out of the whole dataset's. */
  onProgress?: ((event: AddProgressEvent) => void) | undefined;
};

/** What a dataset manifest needs besides the description: format, schema and the shards of every split. */
export type AddDatasetDirectoryReturnType = Pick<DatasetManifest, "format" | "schema" | "splits">;

/** Checks and adds every shard of a dataset directory; returns the manifest's content part. */
export async function addDatasetDirectory(
  storage: BlockStorage,
  parameters: AddDatasetDirectoryParameters,
): Promise<AddDatasetDirectoryReturnType> {
  const { directory, signal } = parameters;
  const files: Record<string, { file: string; bytes: number }[]> = {};
  let total = 0;
  for (const split of DATASET_SPLITS) {
    const folder = path.join(directory, split);
    const names = await readdir(folder).catch(() => null);
    if (names === null) continue;
    files[split] = [];
    for (const name of names.sort()) {
      const file = path.join(folder, name);
      const info = await stat(file);
      if (!info.isFile() || name.startsWith(".")) continue;
      files[split].push({ file, bytes: info.size });
      total += info.size;
    }
  }
  for (const split of ["train", "test"] as const) {
    if (!files[split]?.length) {
      throw new InvalidArgumentError({
        parameter: "dataset directory",
        value: directory,
        expected: `a directory with train/ and test/ folders (and optionally validation/) of tensor shards; ${split}/ is missing or empty`,
        hint: "Write shards with encodeTensorShard(splitIntoShards(dataset, n)[i]) into <dir>/train/ and <dir>/test/.",
      });
    }
  }

  let schema: { featureShape: number[]; dtype: "uint8" | "float32"; classCount: number } | undefined;
  let added = 0;
  const splits: Record<string, { cid: CID; samples: number; bytes: number }[]> = {};
  for (const [split, list] of Object.entries(files)) {
    splits[split] = [];
    for (const { file } of list) {
      throwIfAborted(signal, "Adding the dataset");
      const bytes = new Uint8Array(await readFile(file));
      let shard: TensorDataset;
      try {
        shard = decodeTensorShard(bytes);
      } catch (error) {
        if (error instanceof InvalidTensorShardError)
          throw new InvalidTensorShardError(error.defect, `${file}: ${error.details ?? error.shortMessage}`);
        throw error;
      }
      const shape = { featureShape: [...shard.featureShape], dtype: shard.featureDtype, classCount: shard.classCount };
      if (schema === undefined) schema = shape;
      else if (JSON.stringify(schema) !== JSON.stringify(shape)) {
        throw new InvalidDatasetError({
          field: file,
          expected: `the feature shape, dtype and class count of the other shards, ${JSON.stringify(schema)}`,
          found: JSON.stringify(shape),
          hint: "Every shard of a dataset has the same feature shape, dtype and classes.",
        });
      }
      const base = added;
      const cid = await addBytes(storage, bytes, {
        signal,
        onProgress:
          parameters.onProgress &&
          ((event) => parameters.onProgress!({ type: "add", bytes: base + event.bytes, totalBytes: total, path: file })),
      });
      added += bytes.byteLength;
      splits[split].push({ cid, samples: shard.count, bytes: bytes.byteLength });
    }
  }
  const labelClasses =
    parameters.labelClasses ?? (await labelsFile(directory)) ?? Array.from({ length: schema!.classCount }, (_, index) => String(index));
  if (labelClasses.length !== schema!.classCount) {
    throw new InvalidArgumentError({
      parameter: "label classes",
      value: labelClasses.join(","),
      expected: `${schema!.classCount} names, one per class of the shards`,
    });
  }
  return {
    format: TENSOR_SHARDS_FORMAT,
    schema: { featureShape: schema!.featureShape, dtype: schema!.dtype, labelClasses: [...labelClasses] },
    splits: splits as AddDatasetDirectoryReturnType["splits"],
  };
}

async function labelsFile(directory: string): Promise<string[] | null> {
  const file = path.join(directory, "labels.json");
  const text = await readFile(file, "utf8").catch(() => null);
  if (text === null) return null;
  let labels: unknown;
  try {
    labels = JSON.parse(text);
  } catch (cause) {
    throw new InvalidArgumentError({ parameter: "labels.json", value: file, expected: "a JSON array of label names", cause });
  }
  if (!Array.isArray(labels) || !labels.every((label) => typeof label === "string")) {
    throw new InvalidArgumentError({ parameter: "labels.json", value: file, expected: "a JSON array of label names" });
  }
  return labels;
}

export type WriteDatasetDirectoryParameters = {
  splits: { train: TensorDataset; test: TensorDataset; validation?: TensorDataset | undefined };
  /** Samples per shard (the last shard of a split may have fewer). */
  samplesPerShard: number;
  /** Label names in class order, written to labels.json. */
  labelClasses?: readonly string[] | undefined;
};

/**
 * Writes datasets as a dataset directory that `addDatasetDirectory` (and `myc publish`) reads: one folder per split
 * of shards named 0000.myts, 0001.myts, ... and labels.json. Returns the number of shards per split.
 */
export async function writeDatasetDirectory(
  directory: string,
  parameters: WriteDatasetDirectoryParameters,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [split, dataset] of Object.entries(parameters.splits)) {
    if (dataset === undefined) continue;
    const folder = path.join(directory, split);
    await mkdir(folder, { recursive: true });
    const shards = splitIntoShards(dataset, parameters.samplesPerShard);
    for (const [index, shard] of shards.entries())
      await writeFile(path.join(folder, `${String(index).padStart(4, "0")}.myts`), encodeTensorShard(shard));
    counts[split] = shards.length;
  }
  if (parameters.labelClasses) await writeFile(path.join(directory, "labels.json"), `${JSON.stringify(parameters.labelClasses)}\n`);
  return counts;
}
