/** Content on disk for publishing tests: a small dataset of tensor shards and a small TF.js model directory. */
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import * as tf from "@tensorflow/tfjs";
import { generateBlobsDataset, MODEL_JSON, MODEL_WEIGHTS, serializeModel, writeDatasetDirectory } from "@mycelium/client";
import { tempDirectory } from "./tmp.ts";

/** A dataset directory: train/ (3 shards) and test/ (1 shard) of generated blobs, 4 classes of 16 features. */
export async function makeDatasetDirectory(seed = 1): Promise<string> {
  const directory = tempDirectory("myc-dataset-");
  const splits = { train: generateBlobsDataset({ seed, samples: 300 }), test: generateBlobsDataset({ seed: seed + 1000, samples: 100 }) };
  await writeDatasetDirectory(directory, { splits, samplesPerShard: 100 });
  return directory;
}

/** A TF.js layers model directory (model.json + weights.bin) of a small named classifier over 16 features. */
export async function makeModelDirectory(): Promise<string> {
  const model = tf.sequential({ name: "publish_fixture" });
  model.add(
    tf.layers.dense({
      name: "hidden",
      inputShape: [16],
      units: 8,
      activation: "relu",
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  model.add(
    tf.layers.dense({
      name: "probabilities",
      units: 4,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
    }),
  );
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  const { modelJson, weights } = serializeModel(artifacts!);
  const directory = tempDirectory("myc-model-");
  fs.writeFileSync(path.join(directory, MODEL_JSON), modelJson);
  fs.writeFileSync(path.join(directory, MODEL_WEIGHTS), weights);
  model.dispose();
  return directory;
}

/** An IDX file (big-endian dims, uint8 data), as the Fashion-MNIST files hold. */
export function idxFile(dims: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  const view = new DataView(header.buffer);
  for (const [i, dim] of dims.entries()) view.setUint32(4 + 4 * i, dim, false);
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** Deterministic 28x28 images: `n` of them. */
export function fashionPixels(n: number): Uint8Array {
  return Uint8Array.from({ length: n * 784 }, (_, i) => (i * 13) % 256);
}

/** Writes the four gzipped IDX files of a tiny Fashion-MNIST (images from fashionPixels) into `directory`. */
export function writeFashionMnistFiles(directory: string, labels: { train: number[]; test: number[] }): void {
  const write = (name: string, dims: number[], data: Uint8Array) =>
    fs.writeFileSync(path.join(directory, name), gzipSync(idxFile(dims, data)));
  write("train-images-idx3-ubyte.gz", [labels.train.length, 28, 28], fashionPixels(labels.train.length));
  write("train-labels-idx1-ubyte.gz", [labels.train.length], Uint8Array.from(labels.train));
  write("t10k-images-idx3-ubyte.gz", [labels.test.length, 28, 28], fashionPixels(labels.test.length));
  write("t10k-labels-idx1-ubyte.gz", [labels.test.length], Uint8Array.from(labels.test));
}
