import * as tf from "@tensorflow/tfjs";
import {
  assignShards,
  deriveSeed,
  loadManifest,
  throwIfAborted,
  type BlockStorage,
  type DatasetManifest,
  type LayersModelDefinition,
  type ReplayAuditor,
  type TensorDataset,
  type TrainingSpec,
} from "@mycelium/client";
import { ShardCache } from "./loop/shards.ts";
import { trainLocally, type LocalTrainingConfig, type TrainingProgress } from "./train.ts";

/**
 * Replay audits: an auditor re-runs the local work an update declares (the global model it started from, its assigned
 * shards, the spec's optimizer and batch size, its shuffle seed and its step count) and compares the result with the
 * weights the trainer published.
 *
 * Local training is deterministic for one backend build, so a replay on the trainer's own backend gives the same bits.
 * Builds differ only in the last bits of float arithmetic. Measured (trainer/test/audit.test.ts, a 16-32-4 dense model,
 * 60 steps): an honest wasm update replayed on cpu is 2.9e-7 of the update's size away, on wasm without SIMD 0; every
 * cheap way to fake the work lands far away: the base plus one ulp or plus noise 1.0, another trainer's update 1.4,
 * another shuffle 0.41, stopping one step short 2.3e-2. Issue 13 measured the same on Fashion-MNIST (3e-7 to 2e-6
 * between builds, at least 3.7e-2 for every cheap strategy). The tolerance sits between the two, more than an order of
 * magnitude from each.
 */
export const REPLAY_TOLERANCE = 1e-3;

export type ReplayComparison = {
  /**
   * ‖claimed − replayed‖ / ‖replayed − base‖: the distance between the published weights and the replay, relative to
   * the size of the replayed update (Euclidean norms over every weight in spec order, summed in float64). 0 when
   * identical; Infinity when the shapes differ.
   */
  relativeDistance: number;
  tolerance: number;
  /** relativeDistance <= tolerance. */
  matches: boolean;
  /** A sentence for logs. */
  detail: string;
};

/** Compares published weights with a replay of the declared work (see REPLAY_TOLERANCE). */
export function compareWithReplay(params: {
  base: readonly Float32Array[];
  claimed: readonly Float32Array[];
  replayed: readonly Float32Array[];
  tolerance?: number;
}): ReplayComparison {
  const tolerance = params.tolerance ?? REPLAY_TOLERANCE;
  const { base, claimed, replayed } = params;
  const shapes = (weights: readonly Float32Array[]) => weights.map((tensor) => tensor.length).join(",");
  if (claimed.length !== base.length || shapes(claimed) !== shapes(base) || shapes(replayed) !== shapes(base)) {
    return {
      relativeDistance: Number.POSITIVE_INFINITY,
      tolerance,
      matches: false,
      detail: `the published weights have tensor lengths [${shapes(claimed)}], the replay [${shapes(replayed)}]`,
    };
  }
  let apart = 0;
  let step = 0;
  for (let t = 0; t < base.length; t++) {
    const b = base[t]!;
    const c = claimed[t]!;
    const r = replayed[t]!;
    for (let j = 0; j < b.length; j++) {
      const difference = c[j]! - r[j]!;
      const moved = r[j]! - b[j]!;
      apart += difference * difference;
      step += moved * moved;
    }
  }
  // A replay that did not move (no step changed any weight) only matches an identical claim.
  const relativeDistance = apart === 0 ? 0 : step === 0 ? Number.POSITIVE_INFINITY : Math.sqrt(apart) / Math.sqrt(step);
  const matches = relativeDistance <= tolerance;
  return {
    relativeDistance,
    tolerance,
    matches,
    detail: matches
      ? `matches its replay (distance ${relativeDistance.toPrecision(3)} of the update's size, tolerance ${tolerance})`
      : `differs from its replay by ${relativeDistance.toPrecision(3)} of the update's size (tolerance ${tolerance}): ` +
        "the declared work does not produce these weights",
  };
}

export type ReplayAuditParameters = {
  /** The global model the update declares as its start. */
  model: LayersModelDefinition;
  /** The audited trainer's assigned shards, concatenated in assignment order. */
  data: TensorDataset;
  /** The spec's optimizer, loss and batch size, and the trainer's shuffle seed; `local` is ignored. */
  config: LocalTrainingConfig;
  /** Optimizer steps the update declares (what a `local: seconds` trainer reports as its work). */
  declaredSteps: number;
  /** The published weights. */
  claimed: readonly Float32Array[];
  tolerance?: number;
  signal?: AbortSignal;
  onProgress?: (event: TrainingProgress) => void;
};

export type ReplayAuditResult = ReplayComparison & {
  /** Steps replayed (the declared ones), distinct samples they trained on, the replay's wall time and the TF.js backend. */
  steps: number;
  samples: number;
  replayMs: number;
  backend: string;
};

/**
 * Replays an update's declared work on the active backend and compares it with the published weights. The replay
 * costs what the trainer's own training cost on this machine. Invalid hyperparameters throw InvalidTrainingSpecError
 * (from trainLocally); a declared step count that is not a positive integer is a claim no work can match, so it
 * fails the audit without training.
 */
export async function auditByReplay(params: ReplayAuditParameters): Promise<ReplayAuditResult> {
  throwIfAborted(params.signal, "Replay audit");
  const tolerance = params.tolerance ?? REPLAY_TOLERANCE;
  const backend = tf.getBackend();
  if (!Number.isSafeInteger(params.declaredSteps) || params.declaredSteps < 1) {
    return {
      relativeDistance: Number.POSITIVE_INFINITY,
      tolerance,
      matches: false,
      detail: `declares ${String(params.declaredSteps)} steps; an update is at least one optimizer step`,
      steps: 0,
      samples: 0,
      replayMs: 0,
      backend,
    };
  }
  const replay = await trainLocally({
    model: params.model,
    data: params.data,
    config: { ...params.config, local: { unit: "steps", count: params.declaredSteps } },
    signal: params.signal,
    onProgress: params.onProgress,
  });
  const comparison = compareWithReplay({ base: params.model.weights, claimed: params.claimed, replayed: replay.weights, tolerance });
  return { ...comparison, steps: replay.steps, samples: replay.samples, replayMs: replay.durationMs, backend };
}

/**
 * The optimizer steps an update of `spec` declares (trainer/README.md, "Replay audits"): fixed by the spec for
 * `epochs` (count x ceil(assigned samples / batchSize)) and `steps`, and the update manifest's `steps` for `seconds`
 * (at most the spec's `local.maxSteps` when it sets one).
 * A manifest that states another count than the spec fixes, or a `seconds` update that states none, declares work no
 * replay can match: the result then says why.
 */
export function declaredSteps(params: {
  spec: Pick<TrainingSpec, "local" | "batchSize">;
  assignedSamples: number;
  manifestSteps: number | undefined;
}): { steps: number } | { invalid: string } {
  const { local, batchSize } = params.spec;
  const fixed =
    local.unit === "epochs" ? local.count * Math.ceil(params.assignedSamples / batchSize) : local.unit === "steps" ? local.count : null;
  if (fixed === null) {
    if (params.manifestSteps === undefined) return { invalid: "declares no step count, which a replay of work measured in seconds needs" };
    if (local.maxSteps !== undefined && params.manifestSteps > local.maxSteps)
      return { invalid: `declares ${params.manifestSteps} steps, above the spec's maxSteps ${local.maxSteps}` };
    return { steps: params.manifestSteps };
  }
  if (params.manifestSteps !== undefined && params.manifestSteps !== fixed)
    return { invalid: `declares ${params.manifestSteps} steps where the spec fixes ${fixed}` };
  return { steps: fixed };
}

export type CreateReplayAuditorParameters = {
  /** Where update manifests and dataset shards are read from (a trainer's node). */
  storage: BlockStorage;
  spec: TrainingSpec;
  /** The spec's dataset manifest. */
  dataset: DatasetManifest;
  /** The train split's shards, shared with the caller's own training (one fetch per shard). */
  shards?: ShardCache | undefined;
  tolerance?: number | undefined;
  /** Each finished replay, for logs. */
  onReplay?: ((event: { trainerIndex: number; round: number } & ReplayAuditResult) => void) | undefined;
};

/**
 * The replay audit of the round protocol (screenRound's `replay`): re-runs the declared work of an audited update on
 * this process's TF.js backend, from the round's global model, on the shards `assignShards` gives the audited trainer,
 * shuffled by `deriveSeed(spec.seed, round, trainerIndex)`, for the declared steps, and compares the weights and the
 * revealed sample count with the replay.
 */
export function createReplayAuditor(params: CreateReplayAuditorParameters): ReplayAuditor {
  const { storage, spec } = params;
  const shards = params.shards ?? new ShardCache(storage, params.dataset, spec.dataset.trainSplit);
  return async ({ reveal, weights, global, round, roundSeed, signal }) => {
    const { trainerIndex } = reveal;
    if (reveal.updateCid === null) return { matches: false, detail: `the revealed value ${reveal.rawCid} is not a CID` };
    const manifest = await loadManifest(storage, reveal.updateCid, { kind: "update", ...(signal ? { signal } : {}) });
    const indices = assignShards({ roundSeed, trainerIndex, shardCount: shards.shards.length, shardsPerTrainer: spec.shardsPerTrainer });
    const data = await shards.load(indices, signal ? { signal } : {});
    const steps = declaredSteps({ spec, assignedSamples: data.count, manifestSteps: manifest.steps });
    if ("invalid" in steps) return { matches: false, detail: `the update ${steps.invalid}` };
    const result = await auditByReplay({
      model: global.definition,
      data,
      config: {
        optimizer: spec.optimizer,
        loss: spec.loss,
        batchSize: spec.batchSize,
        local: spec.local,
        seed: deriveSeed(spec.seed, round, trainerIndex),
      },
      declaredSteps: steps.steps,
      claimed: weights,
      tolerance: params.tolerance,
      signal,
    });
    params.onReplay?.({ trainerIndex, round, ...result });
    if (result.matches && BigInt(result.samples) !== reveal.samples)
      return {
        matches: false,
        detail: `the reveal claims ${reveal.samples} samples; the declared ${result.steps} steps train on ${result.samples}`,
      };
    return {
      matches: result.matches,
      detail: `${result.detail}; ${result.steps} steps replayed in ${Math.round(result.replayMs)} ms on ${result.backend}`,
    };
  };
}
