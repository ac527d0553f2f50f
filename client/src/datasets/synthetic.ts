import { createTensorDataset, sliceDataset, type TensorDataset } from "./dataset.ts";
import { InvalidDatasetError } from "./errors.ts";
import { SeededRandom } from "./random.ts";

export type GenerateBlobsParameters = {
  /** uint32 seed; the same seed gives the same bytes on any machine. */
  seed: number;
  /** Number of samples. */
  samples: number;
  /** Number of classes (default 4). */
  classCount?: number;
  /** Features per sample (default 16). */
  features?: number;
  /**
   * Standard deviation of the class centres around the origin, in units of the per-feature noise (default 0.5).
   * Larger is easier; the default gives a task that a small dense model learns to roughly 90% in a few epochs.
   */
  separation?: number;
};

/**
 * A small learnable classification task for fast tests: Gaussian blobs. Class centres are drawn once from the seed
 * (normal, standard deviation `separation`), then each sample takes a class (balanced: the labels 0..c-1 repeated,
 * shuffled) and its features are its class centre plus standard normal noise. Float32 features, shape [features].
 *
 * Every draw comes from SeededRandom (exactly specified, normals from the Irwin-Hall sum), so the dataset is
 * byte-identical across processes and machines, and a prefix of `samples` does not depend on the total: generating
 * 1,000 samples and taking the first 500 is not the same as generating 500 (labels are shuffled as a whole).
 */
export function generateBlobsDataset(params: GenerateBlobsParameters): TensorDataset {
  const classCount = params.classCount ?? 4;
  const width = params.features ?? 16;
  const separation = params.separation ?? 0.5;
  if (!Number.isSafeInteger(params.samples) || params.samples < 1) {
    throw new InvalidDatasetError({ field: "samples", expected: "a positive integer", found: String(params.samples) });
  }
  if (!Number.isInteger(classCount) || classCount < 2 || classCount > 256) {
    throw new InvalidDatasetError({ field: "classCount", expected: "an integer in [2, 256]", found: String(classCount) });
  }
  if (!Number.isInteger(width) || width < 1) {
    throw new InvalidDatasetError({ field: "features", expected: "a positive integer", found: String(width) });
  }
  if (!(separation > 0 && Number.isFinite(separation))) {
    throw new InvalidDatasetError({ field: "separation", expected: "a positive finite number", found: String(separation) });
  }
  const random = new SeededRandom(params.seed);
  const centres = new Float64Array(classCount * width);
  for (let i = 0; i < centres.length; i++) centres[i] = random.nextNormal() * separation;
  const labels = new Uint8Array(params.samples);
  for (let i = 0; i < labels.length; i++) labels[i] = i % classCount;
  random.shuffle(labels);
  const features = new Float32Array(params.samples * width);
  for (let i = 0; i < params.samples; i++) {
    const centre = labels[i]! * width;
    for (let j = 0; j < width; j++) features[i * width + j] = centres[centre + j]! + random.nextNormal();
  }
  return createTensorDataset({ featureShape: [width], features, labels, classCount });
}

export type GenerateBlobsSplitsParameters = Omit<GenerateBlobsParameters, "samples"> & {
  trainSamples: number;
  /** Default: a fifth as many as `trainSamples` (at least 1). */
  testSamples?: number;
};

/**
 * Train and test splits of one blobs task: one generation of `trainSamples + testSamples` samples (so both splits
 * share the class centres), the first `trainSamples` for training and the rest for testing. Two separate
 * generations with different seeds would be two different tasks, and a model trained on one scores chance on the other.
 */
export function generateBlobsSplits(params: GenerateBlobsSplitsParameters): { train: TensorDataset; test: TensorDataset } {
  const { trainSamples, testSamples = Math.max(1, Math.floor(trainSamples / 5)), ...task } = params;
  for (const [field, value] of [
    ["trainSamples", trainSamples],
    ["testSamples", testSamples],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new InvalidDatasetError({ field, expected: "a positive integer", found: String(value) });
  }
  const all = generateBlobsDataset({ ...task, samples: trainSamples + testSamples });
  return { train: sliceDataset(all, 0, trainSamples), test: sliceDataset(all, trainSamples, trainSamples + testSamples) };
}
