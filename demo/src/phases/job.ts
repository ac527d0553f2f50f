/**
 * Phase 3: the sponsor publishes the base model (seeded initial weights, the dataset as its parent), builds the job
 * spec from the two assets, measures this machine to size the round windows, and creates the job with its pool.
 *
 * Windows follow the machine, not a guess: one local training of a trainer's share (the same backend, on this process,
 * under whatever else the machine is doing) and one transaction are timed, and the commit window holds that training
 * with all trainers sharing the cores, twice over; reveal and attest hold a few transactions. The parameters' windows
 * are the floor. The job's start time is far ahead: the next phase starts it once every trainer has joined.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  concatDatasets,
  createJob,
  faucet,
  getChainTime,
  getJob,
  loadTrainingSpec,
  minimumAuditsPerRound,
  MODEL_JSON,
  MODEL_WEIGHTS,
  prepareJobSpec,
  publish,
  serializeModel,
  sliceDataset,
  toModelArtifacts,
  type Job,
  type TrainingSpec,
} from "@mycelium/client";
import { denseClassifierTopology, evaluateModel, initializeModel, selectBackend, trainLocally } from "@mycelium/trainer";
import { percent } from "../format.ts";
import type { HubParameters, PlayContext } from "../hub.ts";
import type { Infrastructure } from "./infrastructure.ts";
import type { Market } from "./market.ts";

/** How far ahead of its creation the job is scheduled: the trainers phase starts it as soon as everyone is ready. */
export const START_HORIZON_SECONDS = 3_600n;

export type TrainingJob = {
  jobId: bigint;
  job: Job;
  spec: TrainingSpec;
  baseModel: { assetId: bigint; manifestCid: string };
  baseScore: { accuracy: number; loss: number };
  windows: HubParameters["windows"];
  rewardPerRound: bigint;
  minStake: bigint;
  trainerCount: number;
};

export async function createTrainingJob(context: PlayContext, infrastructure: Infrastructure, market: Market): Promise<TrainingJob> {
  const { log, signal, step, run, parameters, workDir } = context;
  const { dataset, nodes, clients, units, money } = infrastructure;

  await step(
    selectBackend({ backend: (parameters.backend ?? "wasm") as never, log: (line) => log.output("observer", line) }),
    "Starting TF.js",
  );
  const topology = denseClassifierTopology({ inputs: dataset.features, hidden: parameters.model.hidden, classes: dataset.classes });
  const initial = await initializeModel({ topology, seed: parameters.model.seed });
  const modelDir = parameters.baseModelDir ?? path.join(workDir, "base-model");
  writeModelDirectory(modelDir, toModelArtifacts(initial));
  const baseScore = await evaluateModel({ model: initial, data: dataset.test });
  const baseModel = await step(
    publish(clients.sponsor, {
      storage: nodes.sponsor,
      kind: "model",
      path: modelDir,
      info: {
        name: `${dataset.name} classifier (untrained)`,
        description:
          `Dense ${[dataset.features, ...parameters.model.hidden, dataset.classes].join("-")} network with seeded initial weights ` +
          `(seed ${parameters.model.seed}).`,
        license: "MIT",
      },
      metrics: { accuracy: baseScore.accuracy, loss: baseScore.loss },
      parents: [market.dataset.assetId],
      signal,
    }),
    "Publishing the base model",
  );
  const parameterCount = initial.weights.reduce((sum, tensor) => sum + tensor.length, 0);
  run.baseModel = {
    assetId: baseModel.assetId,
    manifestCid: baseModel.manifestCid.toString(),
    parameters: parameterCount,
    accuracy: baseScore.accuracy,
    loss: baseScore.loss,
  };
  log.step(
    "sponsor",
    `published base model asset ${baseModel.assetId} (${parameterCount.toLocaleString("en")} weights, ` +
      `test accuracy ${percent(baseScore.accuracy)}), manifest ${baseModel.manifestCid}`,
  );

  const prepared = await step(
    prepareJobSpec(clients.sponsor, nodes.sponsor, {
      datasetId: market.dataset.assetId,
      baseModelId: baseModel.assetId,
      shardsPerTrainer: parameters.shardsPerTrainer,
      local: { unit: "epochs", count: parameters.training.epochs },
      batchSize: parameters.training.batchSize,
      optimizer: { name: "adam", learningRate: parameters.training.learningRate },
      seed: parameters.model.seed,
      signal,
    }),
    "Building the job spec",
  );
  const spec = await step(loadTrainingSpec(nodes.sponsor, prepared.specCid, { signal }), "Reading the job spec");
  const trainerCount = parameters.trainers.honest + parameters.trainers.adversaries.length;
  const rewardPerRound = units(parameters.economics.rewardPerRound);
  const minStake = units(parameters.economics.minStake);

  // Measure: one trainer's local work on this machine now, and one transaction (the sponsor's funding).
  const share = Math.min(dataset.train.count, parameters.shardsPerTrainer * parameters.samplesPerShard);
  const trainStarted = performance.now();
  await trainLocally({
    model: initial,
    config: { optimizer: spec.optimizer, loss: spec.loss, batchSize: spec.batchSize, local: spec.local, seed: 1 },
    data: concatDatasets([sliceDataset(dataset.train, 0, share)]),
    signal,
  });
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const txStarted = performance.now();
  await step(faucet(clients.sponsor, { amount: rewardPerRound * BigInt(parameters.rounds), signal }), "Funding the sponsor");
  const transactionSeconds = (performance.now() - txStarted) / 1000;
  const cores = os.availableParallelism();
  // createJob's default audit rate: the fewest audits per round the stake pays for (here every update, in a small job).
  const auditsPerRound = minimumAuditsPerRound({ rewardPerRound, minStake });
  const windows = planWindows({
    floor: parameters.windows,
    trainSeconds,
    transactionSeconds,
    trainers: trainerCount,
    cores,
    replays: Math.min(auditsPerRound, trainerCount - 1),
  });
  log.step(
    "sponsor",
    `measured this machine: one trainer's local work ${trainSeconds.toFixed(1)} s, one transaction ${transactionSeconds.toFixed(2)} s, ` +
      `${cores} cores for ${trainerCount} trainers; ` +
      `windows ${windows.commit}/${windows.reveal}/${windows.attest} s (commit/reveal/attest)`,
  );

  const now = await step(getChainTime(clients.observer), "Reading the chain's clock");
  const created = await step(
    createJob(clients.sponsor, {
      datasetId: market.dataset.assetId,
      baseModelId: baseModel.assetId,
      specCid: prepared.specCid,
      rewardPerRound,
      numRounds: parameters.rounds,
      minStake,
      maxSamples: prepared.maxSamples,
      maxTrainers: trainerCount,
      // 60% of the attested weight: the three honest trainers of five carry a round although each cheater attests a
      // tuple that does not name itself (with the default two thirds such a round fails, and its majority's slash mask
      // still applies).
      quorumBps: QUORUM_BPS,
      commitWindow: windows.commit,
      revealWindow: windows.reveal,
      attestWindow: windows.attest,
      // Stakes stay bonded through the claim period after the end: one reveal window, so the trainers exit soon after.
      claimPeriod: windows.reveal,
      startTime: now + START_HORIZON_SECONDS,
      signal,
    }),
    "Creating the training job",
  );
  const job = await step(getJob(clients.observer, { jobId: created.jobId }), "Reading the job");
  context.milestone("job created");
  run.job = {
    id: created.jobId,
    specCid: prepared.specCid.toString(),
    rewardPool: created.rewardPool,
    rewardPerRound,
    minStake,
    numRounds: parameters.rounds,
    windows,
    measured: { trainSeconds: round2(trainSeconds), transactionSeconds: round2(transactionSeconds), cores },
    maxSamples: prepared.maxSamples,
    quorumBps: job.quorumBps,
    aggregation: spec.aggregation,
  };
  log.step(
    "sponsor",
    `created job ${created.jobId}: ${parameters.rounds} rounds x ${money(rewardPerRound)} (pool ${money(created.rewardPool)} deposited), ` +
      `stake >= ${money(minStake)}, ` +
      `quorum ${job.quorumBps / 100}% of the attested weight (${job.participationBps / 100}% of the revealed weight attesting), ` +
      `${parameters.shardsPerTrainer} shard(s) per trainer and round; ` +
      `spec ${prepared.specCid}; ` +
      "it starts once every trainer has joined",
  );
  return {
    jobId: created.jobId,
    job,
    spec,
    baseModel: { assetId: baseModel.assetId, manifestCid: baseModel.manifestCid.toString() },
    baseScore: { accuracy: baseScore.accuracy, loss: baseScore.loss },
    windows,
    rewardPerRound,
    minStake,
    trainerCount,
  };
}

/**
 * Round windows for this machine: the commit window holds one trainer's measured local work with every trainer
 * sharing the cores, twice over, plus a few transactions and the seconds a trainer may take to notice the round began;
 * the reveal window a few transactions; the attest window the replay audits (each trainer replays up to `replays`
 * other trainers' local work, all at once), fetching and aggregating (a fraction of training) and a few transactions.
 * Never below `floor`.
 */
/** The demo job's quorum, in basis points of the attested weight. */
const QUORUM_BPS = 6_000;

export function planWindows(parameters: {
  floor: HubParameters["windows"];
  trainSeconds: number;
  transactionSeconds: number;
  trainers: number;
  cores: number;
  /** Updates one trainer replays per round: the job's audits, at most the other trainers' updates. */
  replays: number;
}): HubParameters["windows"] {
  const { floor, trainSeconds, transactionSeconds } = parameters;
  const sharedTraining = trainSeconds * Math.max(1, parameters.trainers / Math.max(1, parameters.cores));
  return {
    commit: Math.max(floor.commit, Math.ceil(2 * sharedTraining + 8 * transactionSeconds + 8)),
    reveal: Math.max(floor.reveal, Math.ceil(10 * transactionSeconds + 4)),
    attest: Math.max(floor.attest, Math.ceil((1 + 1.5 * parameters.replays) * sharedTraining + 10 * transactionSeconds + 6)),
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Writes model artifacts as a TF.js layers model directory (model.json and weights.bin), as `myc publish` reads it. */
function writeModelDirectory(directory: string, artifacts: Parameters<typeof serializeModel>[0]): void {
  const { modelJson, weights } = serializeModel(artifacts);
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, MODEL_JSON), modelJson);
  fs.writeFileSync(path.join(directory, MODEL_WEIGHTS), weights);
}
