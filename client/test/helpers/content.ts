/** Content on disk for publishing tests: a small dataset of tensor shards and a small TF.js model directory. */
import fs from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { generateBlobsDataset } from "../../src/datasets/synthetic.ts";
import { writeDatasetDirectory } from "../../src/publishing/dataset.ts";
import { serializeModel, MODEL_JSON, MODEL_WEIGHTS } from "../../src/storage/tfjs.ts";
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
  model.add(tf.layers.dense({ name: "hidden", inputShape: [16], units: 8, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  model.add(tf.layers.dense({ name: "probabilities", units: 4, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }));
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (saved) => {
    artifacts = saved;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  const { modelJson, weights } = serializeModel(artifacts!);
  const directory = tempDirectory("myc-model-");
  fs.writeFileSync(path.join(directory, MODEL_JSON), modelJson);
  fs.writeFileSync(path.join(directory, MODEL_WEIGHTS), weights);
  model.dispose();
  return directory;
}
