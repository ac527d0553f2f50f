import { InvalidDatasetError } from "./errors.ts";

/**
 * A labelled classification dataset held in typed arrays, sample-major: sample i's features are
 * `features[i * sampleSize .. (i + 1) * sampleSize)` in row-major order of `featureShape`, its label is `labels[i]`.
 *
 * `uint8` features are intensities: models see them as value / 255 (see featuresAsFloat32). Labels are class indices
 * in [0, classCount).
 */
export type TensorDataset = {
  /** Shape of one sample's features, e.g. [28, 28] for Fashion-MNIST. */
  readonly featureShape: readonly number[];
  readonly count: number;
  readonly classCount: number;
  readonly labels: Uint8Array | Uint16Array;
} & (
  | { readonly featureDtype: "uint8"; readonly features: Uint8Array }
  | { readonly featureDtype: "float32"; readonly features: Float32Array }
);

export type FeatureDtype = TensorDataset["featureDtype"];

export type CreateTensorDatasetParameters = {
  featureShape: readonly number[];
  features: Uint8Array | Float32Array;
  labels: Uint8Array | Uint16Array;
  classCount: number;
};

/** Largest class count a dataset may declare (labels are stored as uint16 at most). */
export const MAX_CLASS_COUNT = 65536;

/** Checks every array against the shape and returns the dataset; throws InvalidDatasetError naming the bad field. */
export function createTensorDataset(params: CreateTensorDatasetParameters): TensorDataset {
  const { featureShape, features, labels, classCount } = params;
  if (!Array.isArray(featureShape) || featureShape.length === 0 || featureShape.length > 8) {
    throw new InvalidDatasetError({ field: "featureShape", expected: "1 to 8 dimensions", found: JSON.stringify(featureShape) });
  }
  for (const dim of featureShape) {
    if (!Number.isSafeInteger(dim) || dim < 1 || dim > 0xffffffff) {
      throw new InvalidDatasetError({
        field: "featureShape",
        expected: "positive integer dimensions",
        found: JSON.stringify(featureShape),
      });
    }
  }
  if (!Number.isInteger(classCount) || classCount < 1 || classCount > MAX_CLASS_COUNT) {
    throw new InvalidDatasetError({ field: "classCount", expected: `an integer in [1, ${MAX_CLASS_COUNT}]`, found: String(classCount) });
  }
  if (!(labels instanceof Uint8Array || labels instanceof Uint16Array)) {
    throw new InvalidDatasetError({ field: "labels", expected: "a Uint8Array or Uint16Array", found: typeName(labels) });
  }
  const count = labels.length;
  const size = sampleSizeOf(featureShape);
  if (!(features instanceof Uint8Array || features instanceof Float32Array)) {
    throw new InvalidDatasetError({ field: "features", expected: "a Uint8Array or Float32Array", found: typeName(features) });
  }
  if (features.length !== count * size) {
    throw new InvalidDatasetError({
      field: "features",
      expected: `${count * size} values (${count} labels x ${size} per sample)`,
      found: `${features.length}`,
    });
  }
  for (let i = 0; i < count; i++) {
    if (labels[i]! >= classCount) {
      throw new InvalidDatasetError({ field: `labels[${i}]`, expected: `a class index below ${classCount}`, found: String(labels[i]) });
    }
  }
  if (features instanceof Float32Array) {
    for (let i = 0; i < features.length; i++) {
      if (!Number.isFinite(features[i])) {
        throw new InvalidDatasetError({ field: `features[${i}]`, expected: "a finite number", found: String(features[i]) });
      }
    }
    return { featureShape: [...featureShape], count, classCount, labels, featureDtype: "float32", features };
  }
  return { featureShape: [...featureShape], count, classCount, labels, featureDtype: "uint8", features };
}

/** Number of feature values per sample: the product of `featureShape`. */
export function sampleSizeOf(featureShape: readonly number[]): number {
  let size = 1;
  for (const dim of featureShape) size *= dim;
  return size;
}

/** Samples [start, end) as a dataset sharing memory with `dataset` (no copy). */
export function sliceDataset(dataset: TensorDataset, start: number, end: number): TensorDataset {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > dataset.count) {
    throw new InvalidDatasetError({ field: "range", expected: `0 <= start <= end <= ${dataset.count}`, found: `[${start}, ${end})` });
  }
  const size = sampleSizeOf(dataset.featureShape);
  const labels = dataset.labels.subarray(start, end);
  const base = { featureShape: dataset.featureShape, count: end - start, classCount: dataset.classCount, labels };
  return dataset.featureDtype === "uint8"
    ? { ...base, featureDtype: "uint8", features: dataset.features.subarray(start * size, end * size) }
    : { ...base, featureDtype: "float32", features: dataset.features.subarray(start * size, end * size) };
}

/**
 * Splits a dataset into consecutive shards of `samplesPerShard` samples (the last one may be smaller), in order.
 * Shards share memory with `dataset`.
 */
export function splitIntoShards(dataset: TensorDataset, samplesPerShard: number): TensorDataset[] {
  if (!Number.isSafeInteger(samplesPerShard) || samplesPerShard < 1) {
    throw new InvalidDatasetError({ field: "samplesPerShard", expected: "a positive integer", found: String(samplesPerShard) });
  }
  const shards: TensorDataset[] = [];
  for (let start = 0; start < dataset.count; start += samplesPerShard) {
    shards.push(sliceDataset(dataset, start, Math.min(dataset.count, start + samplesPerShard)));
  }
  return shards;
}

/**
 * Concatenates datasets with the same feature shape, dtype and class count, in the order given (used to join a
 * trainer's assigned shards). Labels widen to uint16 if any input uses uint16.
 */
export function concatDatasets(datasets: readonly TensorDataset[]): TensorDataset {
  const first = datasets[0];
  if (first === undefined) {
    throw new InvalidDatasetError({ field: "datasets", expected: "at least one dataset", found: "none" });
  }
  let count = 0;
  let wide = false;
  for (const [i, dataset] of datasets.entries()) {
    if (
      dataset.featureDtype !== first.featureDtype ||
      dataset.classCount !== first.classCount ||
      !sameShape(dataset.featureShape, first.featureShape)
    ) {
      throw new InvalidDatasetError({
        field: `datasets[${i}]`,
        expected: `${first.featureDtype} features of shape [${first.featureShape.join(", ")}] with ${first.classCount} classes`,
        found: `${dataset.featureDtype} features of shape [${dataset.featureShape.join(", ")}] with ${dataset.classCount} classes`,
      });
    }
    count += dataset.count;
    wide ||= dataset.labels instanceof Uint16Array;
  }
  const size = sampleSizeOf(first.featureShape);
  const labels = wide ? new Uint16Array(count) : new Uint8Array(count);
  const features = first.featureDtype === "uint8" ? new Uint8Array(count * size) : new Float32Array(count * size);
  let offset = 0;
  for (const dataset of datasets) {
    labels.set(dataset.labels, offset);
    features.set(dataset.features, offset * size);
    offset += dataset.count;
  }
  return createTensorDataset({ featureShape: first.featureShape, features, labels, classCount: first.classCount });
}

/** The features as float32, what a model consumes: uint8 intensities become value / 255, float32 is returned as is. */
export function featuresAsFloat32(dataset: TensorDataset): Float32Array {
  if (dataset.featureDtype === "float32") return dataset.features;
  const out = new Float32Array(dataset.features.length);
  const source = dataset.features;
  for (let i = 0; i < source.length; i++) out[i] = source[i]! / 255;
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}
