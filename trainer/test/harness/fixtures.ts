import {
  assignShards,
  concatDatasets,
  generateBlobsDataset,
  sliceDataset,
  splitIntoShards,
  type LayersModelDefinition,
  type TensorDataset,
} from "@mycelium/client";
import { denseClassifierTopology, initializeModel, selectBackend, trainLocally, type LocalTrainingConfig } from "../../src/index.ts";

/** A small dense classifier for the generated blobs (16 features, 4 classes). */
export function blobsTopology(): LayersModelDefinition["topology"] {
  return denseClassifierTopology({ inputs: 16, hidden: [32], classes: 4 });
}

export const blobsConfig: LocalTrainingConfig = {
  optimizer: { name: "adam", learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  loss: "sparseCategoricalCrossentropy",
  batchSize: 32,
  local: { unit: "epochs", count: 1 },
  seed: 1,
};

export type HonestRound = {
  base: LayersModelDefinition;
  updates: { trainerIndex: number; samples: number; weights: Float32Array[] }[];
  train: TensorDataset;
  test: TensorDataset;
};

let honestRound: Promise<HonestRound> | undefined;

/**
 * One real federated round on the blobs task: six trainers, each trained one epoch from the same base model on its
 * assigned (disjoint) shards. Built once per test process.
 */
export function honestRoundFixture(): Promise<HonestRound> {
  honestRound ??= (async () => {
    await selectBackend({ backend: "wasm", log: () => {} });
    const data = generateBlobsDataset({ seed: 1, samples: 3400 });
    const train = sliceDataset(data, 0, 2400);
    const test = sliceDataset(data, 2400, 3400);
    const shards = splitIntoShards(train, 100);
    const base = await initializeModel({ topology: blobsTopology(), seed: 7 });
    const updates: HonestRound["updates"] = [];
    for (let trainerIndex = 0; trainerIndex < 6; trainerIndex++) {
      const mine = assignShards({ roundSeed: `0x${"11".repeat(32)}`, trainerIndex, shardCount: shards.length, shardsPerTrainer: 4 });
      const result = await trainLocally({
        model: base,
        data: concatDatasets(mine.map((s) => shards[s]!)),
        config: { ...blobsConfig, seed: trainerIndex },
      });
      updates.push({ trainerIndex, samples: result.samples, weights: result.weights });
    }
    return { base, updates, train, test };
  })();
  return honestRound;
}
