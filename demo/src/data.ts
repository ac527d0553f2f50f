/**
 * The dataset a hub run publishes: real Fashion-MNIST (the Debian package's files when installed, else the compact
 * subset committed in ./fashion-mnist), or generated blobs for quick tests.
 */
import path from "node:path";
import {
  DatasetFilesNotFoundError,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIRECTORY,
  generateBlobsSplits,
  readFashionMnist,
  sampleSizeOf,
  type FashionMnist,
  type TensorDataset,
} from "@mycelium/client";

/** The committed subset: 6,000 training and 1,000 test images (see fashion-mnist/README.md). */
export const FASHION_MNIST_SUBSET_DIRECTORY = path.join(import.meta.dirname, "..", "fashion-mnist");

export type DatasetSource =
  /** `directory` default: the Debian package's files when present, else the committed subset. */
  { kind: "fashion-mnist"; directory?: string | undefined } | { kind: "blobs"; trainSamples: number; testSamples: number; seed: number };

export type DemoDataset = {
  /** Name, description and license for the dataset manifest. */
  name: string;
  description: string;
  license: string;
  /** Where the samples came from, in words. */
  origin: string;
  train: TensorDataset;
  test: TensorDataset;
  labelClasses: readonly string[] | undefined;
  /** Features per sample (the model's input width). */
  features: number;
  classes: number;
};

/** Loads the samples of a source. */
export async function loadDataset(source: DatasetSource): Promise<DemoDataset> {
  if (source.kind === "blobs") {
    const { train, test } = generateBlobsSplits({ seed: source.seed, trainSamples: source.trainSamples, testSamples: source.testSamples });
    return {
      name: "Generated blobs",
      description: `Gaussian clusters generated with seed ${source.seed} (the client's generateBlobsSplits).`,
      license: "CC0-1.0",
      origin: `generated (seed ${source.seed})`,
      train,
      test,
      labelClasses: undefined,
      features: sampleSizeOf(train.featureShape),
      classes: train.classCount,
    };
  }
  const { directory, train, test } = await readFashionMnistFrom(source.directory);
  const debian = path.resolve(directory) === FASHION_MNIST_DIRECTORY;
  return {
    name: "Fashion-MNIST",
    description:
      "Zalando's article images: 28x28 grayscale, 10 classes. " +
      (debian
        ? "The full release (Debian package dataset-fashion-mnist)."
        : `${train.count} training and ${test.count} test images from the original release.`),
    license: "MIT",
    origin: debian ? `${directory} (Debian package dataset-fashion-mnist)` : path.relative(process.cwd(), directory) || directory,
    train,
    test,
    labelClasses: FASHION_MNIST_CLASSES,
    features: sampleSizeOf(train.featureShape),
    classes: train.classCount,
  };
}

/** Reads Fashion-MNIST from `directory`, or from the Debian package's files when installed, else from the subset. */
async function readFashionMnistFrom(directory: string | undefined): Promise<{ directory: string } & FashionMnist> {
  if (directory !== undefined) return { directory, ...(await readFashionMnist({ directory })) };
  try {
    return { directory: FASHION_MNIST_DIRECTORY, ...(await readFashionMnist()) };
  } catch (error) {
    if (!(error instanceof DatasetFilesNotFoundError)) throw error;
    return { directory: FASHION_MNIST_SUBSET_DIRECTORY, ...(await readFashionMnist({ directory: FASHION_MNIST_SUBSET_DIRECTORY })) };
  }
}
