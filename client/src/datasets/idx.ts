import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createTensorDataset, type TensorDataset } from "./dataset.ts";
import { DatasetFilesNotFoundError, InvalidIdxFileError } from "./errors.ts";

/** An IDX array of unsigned bytes: its dimensions and its values in row-major order. */
export type IdxArray = { readonly dims: readonly number[]; readonly data: Uint8Array };

/**
 * Parses an IDX file (the format of MNIST and Fashion-MNIST): two zero bytes, a type code, the number of dimensions,
 * the dimensions as big-endian uint32, then the values. Gzipped input (starting 1f 8b) is inflated first. Only the
 * unsigned byte type (0x08) is accepted; it is the only one the MNIST family uses.
 */
export function parseIdx(input: Uint8Array, source?: string): IdxArray {
  let bytes = input;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes));
    } catch (cause) {
      throw new InvalidIdxFileError("The gzip stream is corrupt.", { source, cause });
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new InvalidIdxFileError("An IDX file starts with two zero bytes.", { source });
  }
  if (bytes[2] !== 0x08) {
    throw new InvalidIdxFileError(
      `Type code 0x${bytes[2]!.toString(16).padStart(2, "0")} is not supported; only 0x08 (unsigned byte) is.`,
      { source },
    );
  }
  const rank = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (rank < 1 || bytes.length < 4 + 4 * rank) {
    throw new InvalidIdxFileError(`The header declares ${rank} dimensions but the file has ${bytes.length} bytes.`, { source });
  }
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const dim = view.getUint32(4 + 4 * i, false);
    dims.push(dim);
    size *= dim;
  }
  const start = 4 + 4 * rank;
  if (bytes.length !== start + size) {
    throw new InvalidIdxFileError(`Dimensions [${dims.join(", ")}] need ${start + size} bytes, found ${bytes.length}.`, { source });
  }
  return { dims, data: bytes.slice(start) };
}

/** Reads and parses one IDX file (plain or .gz). */
export async function readIdxFile(path: string): Promise<IdxArray> {
  return parseIdx(new Uint8Array(await readFile(path)), path);
}

/** Where the Debian package `dataset-fashion-mnist` installs its files. */
export const FASHION_MNIST_DIRECTORY = "/usr/share/datasets/fashion-mnist";

/** Fashion-MNIST class names, by label index. */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;

const FASHION_MNIST_FILES = {
  trainImages: "train-images-idx3-ubyte.gz",
  trainLabels: "train-labels-idx1-ubyte.gz",
  testImages: "t10k-images-idx3-ubyte.gz",
  testLabels: "t10k-labels-idx1-ubyte.gz",
} as const;

export type FashionMnist = { readonly train: TensorDataset; readonly test: TensorDataset };

/**
 * Reads Fashion-MNIST (60,000 training and 10,000 test images, 28x28 uint8, 10 classes) from the IDX files of the
 * Debian package `dataset-fashion-mnist`, or from `directory` holding the same four .gz files.
 * Throws DatasetFilesNotFoundError when files are missing.
 */
export async function readFashionMnist(params: { directory?: string } = {}): Promise<FashionMnist> {
  const directory = params.directory ?? FASHION_MNIST_DIRECTORY;
  const paths = Object.fromEntries(Object.entries(FASHION_MNIST_FILES).map(([key, file]) => [key, join(directory, file)])) as Record<
    keyof typeof FASHION_MNIST_FILES,
    string
  >;
  const missing: string[] = [];
  for (const path of Object.values(paths)) {
    try {
      await access(path);
    } catch {
      missing.push(path);
    }
  }
  if (missing.length > 0) {
    throw new DatasetFilesNotFoundError({
      dataset: "Fashion-MNIST",
      missing,
      hint:
        "Install them with `apt-get install -y dataset-fashion-mnist` (Debian), " +
        `or pass a directory holding ${Object.values(FASHION_MNIST_FILES).join(", ")}.`,
    });
  }
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    readIdxFile(paths.trainImages),
    readIdxFile(paths.trainLabels),
    readIdxFile(paths.testImages),
    readIdxFile(paths.testLabels),
  ]);
  return {
    train: imagesWithLabels(trainImages, trainLabels, paths.trainImages),
    test: imagesWithLabels(testImages, testLabels, paths.testImages),
  };
}

function imagesWithLabels(images: IdxArray, labels: IdxArray, source: string): TensorDataset {
  if (images.dims.length !== 3 || labels.dims.length !== 1 || images.dims[0] !== labels.dims[0]) {
    throw new InvalidIdxFileError(
      `Expected images [n, rows, cols] and labels [n], found [${images.dims.join(", ")}] and [${labels.dims.join(", ")}].`,
      { source },
    );
  }
  return createTensorDataset({
    featureShape: images.dims.slice(1),
    features: images.data,
    labels: labels.data,
    classCount: FASHION_MNIST_CLASSES.length,
  });
}
