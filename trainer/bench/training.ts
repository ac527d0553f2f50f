/**
 * `npm run bench:training`: centralized vs federated training on Fashion-MNIST, with and without Byzantine trainers,
 * and raw training throughput per compute backend. Writes bench/results/training.json at the repository root.
 *
 * Every configuration trains the same 784-128-10 model from the same seeded initial weights on the same total number
 * of training samples: ROUNDS passes over the 60,000 training images. Centralized: one trainer, ROUNDS epochs.
 * Federated @N: ROUNDS rounds; in each, the round's shard assignment (assignShards, a fresh IID partition of the 40
 * shards) gives each of N trainers 40/N shards, each trains one local epoch from the global model, and
 * aggregateUpdates makes the next global model. Byzantine: 8 trainers of which 2 (25%) send scaled noise instead of
 * training; once with the plain mean (no filter) and once with the robust rule. Trainers run one after another in
 * this process: the figures are about accuracy and compute, not about a network.
 *
 * roundOverheadFraction comes from the real round loop (./roundLoop.ts): a job on a devnet with LOOP_TRAINERS trainer
 * processes, Helia nodes on loopback and the whole Fashion-MNIST training set as the dataset asset, local work in
 * seconds filling a LOOP_COMMIT_WINDOW-second commit window.
 *
 * Options (environment): BENCH_ROUNDS (default 10), BENCH_BACKEND (default auto), BENCH_TRACE=1 (print the round
 * loop's trainer events). About 12 minutes on 2 shared cores.
 */
import { writeFile } from "node:fs/promises";
import * as tf from "@tensorflow/tfjs";
import type { Hex } from "viem";
import { keccak256, stringToHex } from "viem";
import {
  DEFAULT_AGGREGATION_RULE,
  assignShards,
  concatDatasets,
  deriveSeed,
  sliceDataset,
  splitIntoShards,
  aggregateUpdates,
  type AggregationRule,
  type AggregationUpdate,
  type LayersModelDefinition,
  type TensorDataset,
} from "@mycelium/client";
import {
  denseClassifierTopology,
  evaluateModel,
  initializeModel,
  parseBackendName,
  probeBackends,
  selectBackend,
  trainLocally,
  type LocalTrainingConfig,
} from "../src/index.ts";
import { BENCH_LOCAL_TRAINING, elapsedLog, fashionMnistOrExit } from "./common.ts";
import { benchMachine, benchResultsFile, deltaRms, noiseUpdate } from "@mycelium/devkit";
import { measureRoundLoop } from "./roundLoop.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const SEED = 42;
const SAMPLES_PER_SHARD = 1500;
const ROBUST_RULE: AggregationRule = DEFAULT_AGGREGATION_RULE;
const MEAN_RULE: AggregationRule = { rule: "mean", robustK: null, trimFraction: 0 };
const BYZANTINE_TRAINERS = [1, 5];
const LOOP_TRAINERS = 4;
const LOOP_ROUNDS = 3;
/** The reveal window is the devnet deployment's minimum window (TrainingJobs v2 refuses shorter ones). */
/** The attest window holds one replay audit: up to a commit window's training again, shared by three replayers. */
const LOOP_WINDOWS = { commit: 40, reveal: 5, attest: 50 };
/** Byzantine noise: per-coordinate standard deviation as a multiple of an honest update's RMS step. */
const NOISE_SCALE = 100;
const LOCAL: LocalTrainingConfig = { ...BENCH_LOCAL_TRAINING, seed: SEED };

const started = performance.now();
const log = elapsedLog();

const fashion = await fashionMnistOrExit("bench:training");
const { train, test } = fashion;
const shards = splitIntoShards(train, SAMPLES_PER_SHARD);
log(`Fashion-MNIST: ${train.count} training images in ${shards.length} shards of ${SAMPLES_PER_SHARD}, ${test.count} test images`);

const backend = await selectBackend({ backend: parseBackendName(process.env.BENCH_BACKEND ?? "auto"), log });
const topology = denseClassifierTopology({ inputs: 784, hidden: [128], classes: 10 });
const initial = await initializeModel({ topology, seed: SEED });
const initialAccuracy = (await evaluateModel({ model: initial, data: test })).accuracy;
log(`initial model: test accuracy ${pct(initialAccuracy)}`);

const timings: Record<string, number> = {};
const curves: Record<string, number[]> = {};
const exclusions: Record<string, string[][]> = {};
/** Per round: the largest distance ratio d/M among included updates and the smallest among outliers (robust rule only). */
const distanceRatios: Record<string, { maxIncluded: number; minExcluded: number | null }[]> = {};
const aggregationMs: number[] = [];

// Centralized: one trainer, ROUNDS epochs with one optimizer state throughout.
let t0 = performance.now();
const centralized = await trainLocally({
  model: initial,
  data: train,
  config: { ...LOCAL, local: { unit: "epochs", count: ROUNDS } },
  onProgress: (event) => {
    if (event.step % Math.ceil(train.count / LOCAL.batchSize) === 0)
      log(`centralized: epoch ${event.epoch + 1}/${ROUNDS} done, batch loss ${event.loss.toFixed(4)}`);
  },
});
const centralizedAccuracy = (await evaluateModel({ model: { ...initial, weights: centralized.weights }, data: test })).accuracy;
timings.centralized = seconds(t0);
log(`centralized: test accuracy ${pct(centralizedAccuracy)} after ${centralized.sampleVisits} training samples`);

const decentralized4 = await federated("decentralized@4", 4, [], ROBUST_RULE);
const decentralized8 = await federated("decentralized@8", 8, [], ROBUST_RULE);
const byzantineMean = await federated("byzantine25Mean", 8, BYZANTINE_TRAINERS, MEAN_RULE);
const byzantineRobust = await federated("byzantine25Robust", 8, BYZANTINE_TRAINERS, ROBUST_RULE);

// Throughput of local training on every backend that loads here.
const samplesPerSec: Record<string, number> = {};
for (const probe of await probeBackends()) {
  if (!probe.available) {
    log(`samplesPerSec: ${probe.name} skipped (${probe.reason})`);
    continue;
  }
  await selectBackend({ backend: probe.name, log: () => {} });
  const n = probe.name === "cpu" ? 4800 : 19200;
  const slice = sliceDataset(train, 0, n);
  await trainLocally({ model: initial, data: sliceDataset(train, 0, 640), config: LOCAL }); // warm-up: kernels, allocator
  const result = await trainLocally({ model: initial, data: slice, config: LOCAL });
  samplesPerSec[probe.name] = Math.round(result.sampleVisits / (result.durationMs / 1000));
  log(`samplesPerSec: ${probe.name} ${samplesPerSec[probe.name]}`);
}

// The round loop: trainers as OS processes on a devnet with IPFS, every protocol step, time per round measured.
t0 = performance.now();
const loop = await measureRoundLoop({
  train,
  test,
  samplesPerShard: SAMPLES_PER_SHARD,
  trainers: LOOP_TRAINERS,
  shardsPerTrainer: shards.length / LOOP_TRAINERS,
  rounds: LOOP_ROUNDS,
  windows: LOOP_WINDOWS,
  seed: SEED,
  log,
  trace: process.env.BENCH_TRACE === "1" ? (line) => console.log(line) : undefined,
});
timings.roundLoop = seconds(t0);
log(
  `round loop: overhead fraction ${loop.roundOverheadFraction.toFixed(3)} ` +
    `(${loop.meanTrainingSecondsPerRound.toFixed(1)} s of local training in rounds of ${loop.meanRoundSeconds.toFixed(1)} s)`,
);

const ratio = (accuracy: number) => round4(accuracy / centralizedAccuracy);
const results = {
  benchmark: "training",
  date: new Date().toISOString(),
  wallSeconds: seconds(started),
  machine: benchMachine(),
  backend: backend.name,
  tfjs: tf.version.tfjs,
  centralizedAccuracy: round4(centralizedAccuracy),
  "decentralizedAccuracy@4": round4(decentralized4),
  "decentralizedAccuracy@8": round4(decentralized8),
  byzantine25MeanAccuracy: round4(byzantineMean),
  byzantine25RobustAccuracy: round4(byzantineRobust),
  samplesPerSec,
  relativeToCentralized: {
    "decentralized@4": ratio(decentralized4),
    "decentralized@8": ratio(decentralized8),
    byzantine25Mean: ratio(byzantineMean),
    byzantine25Robust: ratio(byzantineRobust),
  },
  targets: {
    "decentralized@4 >= 0.97": ratio(decentralized4) >= 0.97,
    "decentralized@8 >= 0.97": ratio(decentralized8) >= 0.97,
    "byzantine25Robust >= 0.95": ratio(byzantineRobust) >= 0.95,
    "byzantine25Mean visibly worse (< byzantine25Robust - 0.05)": byzantineMean < byzantineRobust - 0.05,
    "roundOverheadFraction <= 0.2": loop.roundOverheadFraction <= 0.2,
  },
  roundOverheadFraction: round4(loop.roundOverheadFraction),
  roundLoop: {
    trainers: LOOP_TRAINERS,
    rounds: LOOP_ROUNDS,
    windowsSeconds: LOOP_WINDOWS,
    localWork: `{ unit: "seconds", count: ${LOOP_WINDOWS.commit} } (each trainer stops 2 s before it must commit)`,
    overheadByRound: loop.overheadByRound.map(round4),
    meanRoundSeconds: round4(loop.meanRoundSeconds),
    meanTrainingSecondsPerRound: round4(loop.meanTrainingSecondsPerRound),
    meanShardLoadMs: Math.round(loop.meanDataLoadMs),
    meanFetchAuditAndAggregateMs: Math.round(loop.meanAggregationMs),
    auditsPerRound: 1,
    replaysPerTrainerRound: round4(loop.replaysPerTrainerRound),
    meanReplayMs: Math.round(loop.meanReplayMs),
    validationAccuracyByRound: loop.accuracyByRound.map(round4),
    samplesPerSecPerTrainer: loop.samplesPerSecPerTrainer,
    note:
      "Share of each round's wall time (previous finalization to this one, as each trainer process saw it) " +
      "not spent in local training, averaged over trainers and rounds. " +
      "The non-training part is about fixed per round (the reveal window, the commit margin, " +
      "fetching the updates, replaying the audited one (every trainer but its owner replays it: up to a commit window of " +
      "training again, which is the price of replay audits), aggregating, attesting and finalizing), " +
      "so the fraction falls as the sponsor lengthens the commit window; " +
      "trainers train the next round early, from the aggregate they attested, while the round is finalized.",
  },
  aggregationMsPerRound: {
    mean: round4(aggregationMs.reduce((a, b) => a + b, 0) / aggregationMs.length),
    max: round4(Math.max(...aggregationMs)),
    updatesPerRound: "4 or 8",
  },
  accuracyByRound: curves,
  excludedByRound: exclusions,
  distanceRatiosByRound: distanceRatios,
  secondsPerConfiguration: timings,
  config: {
    dataset: {
      name: "Fashion-MNIST",
      source: "Debian dataset-fashion-mnist (IDX)",
      trainSamples: train.count,
      testSamples: test.count,
      samplesPerShard: SAMPLES_PER_SHARD,
      shards: shards.length,
    },
    model: "Dense(128, relu) -> Dense(10, softmax) on 784 inputs (101,770 float32 weights)",
    initialWeights: `initializeModel(seed ${SEED})`,
    initialAccuracy: round4(initialAccuracy),
    optimizer: LOCAL.optimizer,
    batchSize: LOCAL.batchSize,
    rounds: ROUNDS,
    centralized: `${ROUNDS} epochs, one optimizer state`,
    federated:
      "per round: assignShards (IID partition of the shards), " +
      "one local epoch per trainer from the global model with a fresh optimizer, then aggregateUpdates",
    trainingSamplesPerConfiguration: ROUNDS * train.count,
    roundSeed: "keccak256(utf8('mycelium/bench/training/round/' + round))",
    robustRule: ROBUST_RULE,
    meanRule: MEAN_RULE,
    byzantine: {
      trainers: 8,
      byzantineTrainerIndices: BYZANTINE_TRAINERS,
      attack:
        `base + ${NOISE_SCALE} x (RMS of an honest update) x N(0, 1) in every coordinate, ` +
        "claiming the samples of their assigned shards",
    },
    evaluation: "accuracy on the 10,000 Fashion-MNIST test images",
  },
};

const out = benchResultsFile("training");
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${out}`);
console.log(
  JSON.stringify(
    { ...results, accuracyByRound: undefined, excludedByRound: undefined, distanceRatiosByRound: undefined, config: undefined },
    null,
    2,
  ),
);

async function federated(name: string, trainers: number, byzantine: readonly number[], rule: AggregationRule): Promise<number> {
  const start = performance.now();
  let global: LayersModelDefinition = initial;
  curves[name] = [];
  exclusions[name] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const roundSeed: Hex = keccak256(stringToHex(`mycelium/bench/training/round/${round}`));
    const updates: AggregationUpdate[] = [];
    const honest: Float32Array[][] = [];
    for (let trainerIndex = 0; trainerIndex < trainers; trainerIndex++) {
      const assigned = assignShards({ roundSeed, trainerIndex, shardCount: shards.length, shardsPerTrainer: shards.length / trainers });
      const data: TensorDataset = concatDatasets(assigned.map((shard) => shards[shard]!));
      if (byzantine.includes(trainerIndex)) {
        updates.push({ trainerIndex, samples: data.count, weights: [] });
        continue;
      }
      const result = await trainLocally({ model: global, data, config: { ...LOCAL, seed: deriveSeed(SEED, round, trainerIndex) } });
      honest.push(result.weights);
      updates.push({ trainerIndex, samples: result.samples, weights: result.weights });
    }
    if (byzantine.length > 0) {
      const scale = NOISE_SCALE * deltaRms(global.weights, honest[0]!);
      for (const update of updates) {
        if (byzantine.includes(update.trainerIndex) && "weights" in update) {
          update.weights = noiseUpdate(global.weights, { seed: deriveSeed(SEED, "byzantine", round, update.trainerIndex), scale });
        }
      }
    }
    const aggregationStart = performance.now();
    const aggregate = aggregateUpdates({ base: global.weights, updates, rule });
    aggregationMs.push(performance.now() - aggregationStart);
    global = { ...global, weights: aggregate.weights };
    const accuracy = (await evaluateModel({ model: global, data: test })).accuracy;
    curves[name]!.push(round4(accuracy));
    if (aggregate.medianDistance !== null) {
      const ratios = (included: boolean) =>
        aggregate.verdicts
          .filter((verdict) => verdict.included === included && verdict.distance !== null)
          .map((verdict) => verdict.distance! / aggregate.medianDistance!);
      const outliers = ratios(false);
      (distanceRatios[name] ??= []).push({
        maxIncluded: round4(Math.max(...ratios(true))),
        minExcluded: outliers.length ? round4(Math.min(...outliers)) : null,
      });
    }
    const excluded = aggregate.verdicts
      .filter((verdict) => !verdict.included)
      .map((verdict) => `${verdict.trainerIndex}:${verdict.reason}`);
    exclusions[name]!.push(excluded);
    log(
      `${name}: round ${round + 1}/${ROUNDS} test accuracy ${pct(accuracy)}, ` +
        `excluded [${excluded.join(", ")}], aggregation ${aggregationMs.at(-1)!.toFixed(0)} ms`,
    );
  }
  timings[name] = seconds(start);
  return curves[name]!.at(-1)!;
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

function round4(value: number): number {
  return Math.round(value * 10000) / 10000;
}

function pct(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}
