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

export type AuditFixture = {
  /** A base model (the round's global model). */
  base: LayersModelDefinition;
  /** Trainer i's assigned shards of the blobs task, concatenated. */
  dataOf(trainerIndex: number): TensorDataset;
  /** The spec's hyperparameters with trainer i's shuffle seed, for `steps` optimizer steps. */
  configOf(trainerIndex: number, steps: number): LocalTrainingConfig;
};

/**
 * What a replay audit needs, rebuilt identically in any process: the blobs task cut into 24 shards, four assigned to
 * each trainer, and a base model (trained two epochs from initialization, so updates are steps of a model in
 * progress, not of a fresh one). Pass `base` to use the base weights of another process.
 */
export async function auditFixture(base?: LayersModelDefinition): Promise<AuditFixture> {
  const data = generateBlobsDataset({ seed: 5, samples: 2400 });
  const shards = splitIntoShards(data, 100);
  const configOf = (trainerIndex: number, steps: number): LocalTrainingConfig => ({
    ...blobsConfig,
    local: { unit: "steps", count: steps },
    seed: 1_000 + trainerIndex,
  });
  let model = base;
  if (model === undefined) {
    const initial = await initializeModel({ topology: blobsTopology(), seed: 11 });
    const warm = await trainLocally({ model: initial, data, config: { ...blobsConfig, local: { unit: "epochs", count: 2 } } });
    model = { ...initial, weights: warm.weights };
  }
  return {
    base: model,
    dataOf: (trainerIndex) =>
      concatDatasets(
        assignShards({ roundSeed: `0x${"22".repeat(32)}`, trainerIndex, shardCount: shards.length, shardsPerTrainer: 4 }).map(
          (s) => shards[s]!,
        ),
      ),
    configOf,
  };
}
