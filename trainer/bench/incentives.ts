/**
 * `npm run bench:incentives`: does faking the work pay? Writes bench/results/incentives.json at the repository root.
 *
 * 8 trainers play ROUNDS rounds on Fashion-MNIST (TRAIN_SAMPLES training images in 8 shards; each round assignShards
 * gives every trainer one shard, each trains one local epoch from the global model). 1 or 2 of them are free riders
 * that claim their whole shard while playing one strategy of issue 13's table (or a cheaper one found here). Every
 * round follows the protocol's audit rule (client/src/protocol/audits.ts, trainer/README.md "Replay audits"): the
 * audit seed from the on-time reveals' salts, AUDITS_PER_ROUND sample-weighted draws plus every late reveal, a replay
 * of each audited update (auditByReplay, REPLAY_TOLERANCE), `replay-mismatch` for a failed replay, the robust rule for
 * the rest, and a slash of the whole stake for a mismatch. The stake is the smallest the rule allows
 * (minimumAuditStake: one round's reward / AUDITS_PER_ROUND).
 *
 * Rewards are expectations over the audit draw, computed exactly: for every trainer the draw could pick (probability
 * samples / on-time samples), the round is aggregated with that trainer's replay verdict and each trainer's payoff is
 * its share of the round's reward if included, minus its stake if slashed. Every free rider's update is replayed every
 * round (so each verdict used is measured, never assumed); an honest update is replayed when the realized draw picks
 * it, and in the other branches it passes (a replay on the same backend is bit-identical: test/audit.test.ts). The
 * global model follows the realized draw.
 *
 * Options (environment): BENCH_ROUNDS (default 10), BENCH_TRAIN_SAMPLES (default 8000), BENCH_STRATEGIES (comma
 * separated subset), BENCH_BACKEND (default auto). About 12 minutes on 2 shared cores.
 */
import { writeFile } from "node:fs/promises";
import * as tf from "@tensorflow/tfjs";
import { keccak256, stringToHex, type Address, type Hex } from "viem";
import {
  DEFAULT_AGGREGATION_RULE,
  aggregateUpdates,
  assignShards,
  computeAuditSeed,
  concatDatasets,
  deriveSeed,
  minimumAuditStake,
  selectAudits,
  sliceDataset,
  splitIntoShards,
  type AggregationUpdate,
  type LayersModelDefinition,
  type TensorDataset,
} from "@mycelium/client";
import {
  auditByReplay,
  denseClassifierTopology,
  evaluateModel,
  initializeModel,
  parseBackendName,
  selectBackend,
  trainLocally,
  REPLAY_TOLERANCE,
  type LocalTrainingConfig,
} from "../src/index.ts";
import { BENCH_LOCAL_TRAINING, elapsedLog, fashionMnistOrExit } from "./common.ts";
import { benchMachine, benchResultsFile, deltaRms, extrapolatedUpdate, noiseUpdate, rebasedUpdate, ulpUpdate } from "@mycelium/devkit";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const TRAIN_SAMPLES = Number(process.env.BENCH_TRAIN_SAMPLES ?? 8000);
const TRAINERS = 8;
const AUDITS_PER_ROUND = 1;
const SEED = 42;
const FREE_RIDER_SETS: readonly (readonly number[])[] = [[3], [2, 6]];
const JOB = { chainId: 31337, contract: "0x00000000000000000000000000000000000000a1" as Address, jobId: 1 };
/** Rewards in units of one round's reward; the stake is the smallest the audit rule allows for it. */
const WEI = 10n ** 18n;
const STAKE = Number(minimumAuditStake({ roundReward: WEI, auditsPerRound: AUDITS_PER_ROUND })) / Number(WEI);
const LOCAL: LocalTrainingConfig = { ...BENCH_LOCAL_TRAINING, seed: SEED };

/** What a free rider knows when it builds its update: the round, its data, and everything public from earlier rounds. */
type Context = {
  round: number;
  trainerIndex: number;
  base: LayersModelDefinition;
  data: TensorDataset;
  config: LocalTrainingConfig;
  /** Last round's global model and revealed updates (public on IPFS); null in round 0. */
  previous: { base: readonly Float32Array[]; updates: Map<number, readonly Float32Array[]>; medianDistance: number | null } | null;
  /** The RMS of an honest step this round (a generous oracle: a real free rider can only estimate it). */
  honestRms: number;
};

type Strategy = {
  description: string;
  /** Reveals late (and is then audited anyway) whenever an on-time reveal would be drawn. */
  withholdIfDrawn?: boolean;
  /** Reveals on time but stops serving the update's data when it is drawn (the draw is public once the reveals are). */
  withholdDataIfDrawn?: boolean;
  make(context: Context): Promise<Float32Array[]> | Float32Array[];
};

const noise = (context: Context, scale: number) =>
  noiseUpdate(context.base.weights, { seed: deriveSeed(SEED, "free-rider", context.round, context.trainerIndex), scale });
const partial = async (context: Context, fraction: number) =>
  (
    await trainLocally({
      model: context.base,
      data: sliceDataset(context.data, 0, Math.max(1, Math.ceil(fraction * context.data.count))),
      config: context.config,
    })
  ).weights;
/** Strategies that need last round's public data play `ulp` in round 0. */
const afterFirst = (context: Context, make: (previous: NonNullable<Context["previous"]>) => Float32Array[]) =>
  context.previous === null ? ulpUpdate(context.base.weights) : make(context.previous);

const STRATEGIES: Record<string, Strategy> = {
  ulp: { description: "base + 1 ulp in one weight", make: (c) => ulpUpdate(c.base.weights) },
  noise0_05: { description: "base + N(0, 0.05 x RMS of an honest step)", make: (c) => noise(c, 0.05 * c.honestRms) },
  noise0_3: { description: "base + N(0, 0.3 x RMS of an honest step)", make: (c) => noise(c, 0.3 * c.honestRms) },
  noise1_0: { description: "base + N(0, 1.0 x RMS of an honest step)", make: (c) => noise(c, c.honestRms) },
  globalStep0_5: {
    description: "base + 0.5 x the previous round's global step",
    make: (c) => afterFirst(c, (p) => extrapolatedUpdate(c.base.weights, p.base, 0.5)),
  },
  globalStep1: {
    description: "base + 1 x the previous round's global step",
    make: (c) => afterFirst(c, (p) => extrapolatedUpdate(c.base.weights, p.base, 1)),
  },
  globalStep1_5: {
    description: "base + 1.5 x the previous round's global step",
    make: (c) => afterFirst(c, (p) => extrapolatedUpdate(c.base.weights, p.base, 1.5)),
  },
  rebasedCopy: {
    description: "another trainer's last-round step applied to this round's base",
    make: (c) =>
      afterFirst(c, (p) => {
        const other = [...p.updates.keys()].find((index) => index !== c.trainerIndex)!;
        return rebasedUpdate(c.base.weights, p.updates.get(other)!, p.base);
      }),
  },
  partial5: { description: "trains on 5% of its samples, claims all", make: (c) => partial(c, 0.05) },
  partial10: { description: "trains on 10% of its samples, claims all", make: (c) => partial(c, 0.1) },
  partial25: { description: "trains on 25% of its samples, claims all", make: (c) => partial(c, 0.25) },
  tunedNoise1_0: {
    description: "noise sized from last round's public updates to sit at 1.0x the median distance",
    make: (c) => afterFirst(c, (p) => tunedNoise(c, p, 1.0)),
  },
  tunedNoise1_8: {
    description: "noise sized from last round's public updates to sit at 1.8x the median distance",
    make: (c) => afterFirst(c, (p) => tunedNoise(c, p, 1.8)),
  },
  oneStepShort: {
    description: "trains honestly but stops one optimizer step short, declaring the full count",
    make: async (c) => {
      const steps = Math.ceil(c.data.count / c.config.batchSize) - 1;
      return (await trainLocally({ model: c.base, data: c.data, config: { ...c.config, local: { unit: "steps", count: steps } } })).weights;
    },
  },
  withholdIfDrawn: {
    description: "base + 1 ulp, revealing last and late whenever its on-time reveal would be drawn for audit",
    withholdIfDrawn: true,
    make: (c) => ulpUpdate(c.base.weights),
  },
  withholdDataIfDrawn: {
    description: "base + 1 ulp, revealed on time, its data withheld from the attesters whenever it is drawn for audit",
    withholdDataIfDrawn: true,
    make: (c) => ulpUpdate(c.base.weights),
  },
};

function tunedNoise(context: Context, previous: NonNullable<Context["previous"]>, multiple: number): Float32Array[] {
  // Distance to the median ≈ sqrt(|base - median|² + σ² P), with |base - median| about last round's global step.
  const size = context.base.weights.reduce((sum, tensor) => sum + tensor.length, 0);
  const step = deltaRms(previous.base, context.base.weights) * Math.sqrt(size);
  const target = multiple * (previous.medianDistance ?? step);
  // Where the global step alone is already farther than the target (early rounds), no noise brings it closer: send
  // the cheapest distinct update instead.
  const scale = Math.sqrt(Math.max(0, target * target - step * step) / size);
  return scale > 0 ? noise(context, scale) : ulpUpdate(context.base.weights);
}

const selected = process.env.BENCH_STRATEGIES?.split(",").map((name) => name.trim());
for (const name of selected ?? []) {
  if (!Object.hasOwn(STRATEGIES, name)) {
    console.error(`Unknown strategy "${name}". Known: ${Object.keys(STRATEGIES).join(", ")}.`);
    process.exit(2);
  }
}

const started = performance.now();
const log = elapsedLog();

const fashion = await fashionMnistOrExit("bench:incentives");
const train = sliceDataset(fashion.train, 0, TRAIN_SAMPLES);
const test = fashion.test;
const shards = splitIntoShards(train, TRAIN_SAMPLES / TRAINERS);
const backend = await selectBackend({ backend: parseBackendName(process.env.BENCH_BACKEND ?? "auto"), log });
const initial = await initializeModel({ topology: denseClassifierTopology({ inputs: 784, hidden: [128], classes: 10 }), seed: SEED });
log(`Fashion-MNIST: ${train.count} training images in ${shards.length} shards, ${test.count} test images; stake ${STAKE} round rewards`);

type RoundRecord = {
  /** Expected payoff per trainer index (share of the round reward, minus the stake times the chance of a slash). */
  expected: number[];
  /** Expected inclusion of each trainer's update. */
  inclusion: number[];
  /** Per free rider: whether its replay matched, its relative distance, and its compute time. */
  freeRiders: { trainerIndex: number; replayMatched: boolean; relativeDistance: number; computeMs: number }[];
  honestTrainMs: number[];
  replayMs: number[];
  drawn: number[];
  excludedRealized: string[];
};

type RunResult = { finalAccuracy: number; rounds: RoundRecord[]; seconds: number };

async function run(label: string, strategy: Strategy | null, freeRiders: readonly number[]): Promise<RunResult> {
  const runStarted = performance.now();
  let global = initial;
  let previous: Context["previous"] = null;
  const rounds: RoundRecord[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const roundSeed: Hex = keccak256(stringToHex(`mycelium/bench/incentives/round/${round}`));
    const config = (trainerIndex: number): LocalTrainingConfig => ({ ...LOCAL, seed: deriveSeed(SEED, round, trainerIndex) });
    const datasets: TensorDataset[] = [];
    const weights = new Map<number, Float32Array[]>();
    const honestTrainMs: number[] = [];
    for (let trainerIndex = 0; trainerIndex < TRAINERS; trainerIndex++) {
      const assigned = assignShards({ roundSeed, trainerIndex, shardCount: shards.length, shardsPerTrainer: 1 });
      datasets.push(concatDatasets(assigned.map((shard) => shards[shard]!)));
      if (freeRiders.includes(trainerIndex)) continue;
      const trained = await trainLocally({ model: global, data: datasets[trainerIndex]!, config: config(trainerIndex) });
      honestTrainMs.push(trained.durationMs);
      weights.set(trainerIndex, trained.weights);
    }
    const honestRms = deltaRms(global.weights, weights.values().next().value!);
    const freeRiderRecords: RoundRecord["freeRiders"] = [];
    const replayMatches = new Map<number, boolean>();
    const replayMs: number[] = [];
    const declaredSteps = (trainerIndex: number) => Math.ceil(datasets[trainerIndex]!.count / LOCAL.batchSize);
    const replay = async (trainerIndex: number) => {
      const audit = await auditByReplay({
        model: global,
        data: datasets[trainerIndex]!,
        config: config(trainerIndex),
        declaredSteps: declaredSteps(trainerIndex),
        claimed: weights.get(trainerIndex)!,
      });
      replayMs.push(audit.replayMs);
      replayMatches.set(trainerIndex, audit.matches);
      return audit;
    };
    for (const trainerIndex of freeRiders) {
      const t0 = performance.now();
      const made = await strategy!.make({
        round,
        trainerIndex,
        base: global,
        data: datasets[trainerIndex]!,
        config: config(trainerIndex),
        previous,
        honestRms,
      });
      const computeMs = performance.now() - t0;
      weights.set(trainerIndex, made);
      const audit = await replay(trainerIndex);
      freeRiderRecords.push({ trainerIndex, replayMatched: audit.matches, relativeDistance: audit.relativeDistance, computeMs });
    }

    // Every trainer reveals its shard's samples; salts are 32 bytes of each trainer's own.
    const samples = datasets.map((data) => data.count);
    const salt = (trainerIndex: number): Hex => keccak256(stringToHex(`mycelium/bench/incentives/${label}/${round}/${trainerIndex}/salt`));
    const outcome = (late: ReadonlySet<number>) => {
      const onTime = [...Array(TRAINERS).keys()].filter((index) => !late.has(index));
      const auditSeed = computeAuditSeed({
        ...JOB,
        round,
        roundSeed,
        reveals: onTime.map((index) => ({ trainerIndex: index, salt: salt(index) })),
      });
      return selectAudits({
        auditSeed,
        reveals: [...Array(TRAINERS).keys()].map((index) => ({ trainerIndex: index, samples: samples[index]!, late: late.has(index) })),
        count: AUDITS_PER_ROUND,
      });
    };

    const aggregations = new Map<string, ReturnType<typeof aggregateUpdates>>();
    const aggregate = (audited: readonly number[], late: ReadonlySet<number>) => {
      const key = `${audited.join(",")}|${[...late].join(",")}`;
      let result = aggregations.get(key);
      if (!result) {
        const updates: AggregationUpdate[] = [];
        for (let trainerIndex = 0; trainerIndex < TRAINERS; trainerIndex++) {
          const drawn = audited.includes(trainerIndex);
          const withheld = drawn && strategy?.withholdDataIfDrawn === true && freeRiders.includes(trainerIndex);
          const replayFailed = drawn && replayMatches.get(trainerIndex) === false;
          if (withheld) updates.push({ trainerIndex, samples: samples[trainerIndex]!, unavailable: "withheld when drawn" });
          else if (replayFailed) updates.push({ trainerIndex, samples: samples[trainerIndex]!, replayMismatch: "bench replay" });
          else if (!late.has(trainerIndex))
            updates.push({ trainerIndex, samples: samples[trainerIndex]!, weights: weights.get(trainerIndex)! });
        }
        result = aggregateUpdates({ base: global.weights, updates, rule: DEFAULT_AGGREGATION_RULE, audited });
        aggregations.set(key, result);
      }
      return result;
    };
    const payoffs = (result: ReturnType<typeof aggregateUpdates>) =>
      [...Array(TRAINERS).keys()].map((index) => {
        if ((result.slashMask >> BigInt(index)) & 1n) return -STAKE;
        if ((result.includedMask >> BigInt(index)) & 1n) return samples[index]! / Number(result.includedSamples);
        return 0;
      });

    // The branches of the draw: each on-time trainer first with probability samples / on-time samples (one audit per
    // round; more audits would nest the same way). A withholder drawn on time reveals late instead: it is audited as
    // a late reveal and the others face a fresh draw.
    const expected = new Array<number>(TRAINERS).fill(0);
    const inclusion = new Array<number>(TRAINERS).fill(0);
    const total = samples.reduce((a, b) => a + b, 0);
    const accumulate = (probability: number, audited: readonly number[], late: ReadonlySet<number>) => {
      const result = aggregate(audited, late);
      for (const [index, payoff] of payoffs(result).entries()) expected[index]! += probability * payoff;
      for (let index = 0; index < TRAINERS; index++) if ((result.includedMask >> BigInt(index)) & 1n) inclusion[index]! += probability;
    };
    const withholders = strategy?.withholdIfDrawn ? freeRiders : [];
    for (let first = 0; first < TRAINERS; first++) {
      const p = samples[first]! / total;
      if (!withholders.includes(first)) {
        accumulate(p, [first], new Set());
        continue;
      }
      const rest = total - samples[first]!;
      for (let second = 0; second < TRAINERS; second++) {
        if (second === first) continue;
        accumulate(
          (p * samples[second]!) / rest,
          [first, second].sort((a, b) => a - b),
          new Set([first]),
        );
      }
    }

    // The realized round: the draw the salts give, with the free riders' own choice of late reveal.
    let late = new Set<number>();
    let selection = outcome(late);
    for (const index of withholders) if (selection.drawn.includes(index)) late = new Set([...late, index]);
    if (late.size > 0) selection = outcome(late);
    for (const index of selection.audited) if (!replayMatches.has(index)) await replay(index);
    const realized = aggregate(selection.audited, late);
    const excludedRealized = realized.verdicts.filter((v) => !v.included).map((v) => `${v.trainerIndex}:${v.reason}`);
    previous = {
      base: global.weights,
      updates: new Map([...weights].filter(([index]) => !late.has(index))),
      medianDistance: realized.medianDistance,
    };
    global = { ...global, weights: realized.weights };
    rounds.push({
      expected,
      inclusion,
      freeRiders: freeRiderRecords,
      honestTrainMs,
      replayMs,
      drawn: selection.audited,
      excludedRealized,
    });
    log(
      `${label}: round ${round + 1}/${ROUNDS} audited [${selection.audited.join(", ")}], excluded [${excludedRealized.join(", ")}], ` +
        `free riders ${freeRiderRecords.map((f) => `${f.trainerIndex} E=${expected[f.trainerIndex]!.toFixed(3)} replay ${f.relativeDistance.toPrecision(2)}`).join("; ")}`,
    );
  }
  const finalAccuracy = (await evaluateModel({ model: global, data: test })).accuracy;
  log(`${label}: final test accuracy ${(finalAccuracy * 100).toFixed(2)}%`);
  return { finalAccuracy, rounds, seconds: (performance.now() - runStarted) / 1000 };
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const round4 = (value: number) => Math.round(value * 10000) / 10000;

const honest = await run("all-honest", null, []);
const honestTrainMs = honest.rounds.flatMap((r) => r.honestTrainMs);
const replayMs = honest.rounds.flatMap((r) => r.replayMs);

const rewardRatio: Record<string, number> = {};
const byStrategy: Record<string, unknown> = {};
const inclusionRates: number[] = [];
for (const [name, strategy] of Object.entries(STRATEGIES)) {
  if (selected && !selected.includes(name)) continue;
  const configurations: Record<string, unknown> = {};
  let worst = Number.NEGATIVE_INFINITY;
  for (const freeRiders of FREE_RIDER_SETS) {
    const result = await run(`${name}@${freeRiders.length}of${TRAINERS}`, strategy, freeRiders);
    const honestIndices = [...Array(TRAINERS).keys()].filter((index) => !freeRiders.includes(index));
    const honestReward = mean(result.rounds.flatMap((r) => honestIndices.map((index) => r.expected[index]!)));
    const riderReward = mean(result.rounds.flatMap((r) => freeRiders.map((index) => r.expected[index]!)));
    const ratio = riderReward / honestReward;
    worst = Math.max(worst, ratio);
    const inclusionRate = mean(result.rounds.flatMap((r) => honestIndices.map((index) => r.inclusion[index]!)));
    inclusionRates.push(inclusionRate);
    const riderRecords = result.rounds.flatMap((r) => r.freeRiders);
    const roundTrainMs = result.rounds.flatMap((r) => r.honestTrainMs);
    configurations[`${freeRiders.length}of${TRAINERS}`] = {
      freeRiderIndices: freeRiders,
      rewardRatio: round4(ratio),
      expectedRewardPerRound: { freeRider: round4(riderReward), honest: round4(honestReward), unit: "round rewards" },
      freeRiderInclusionRate: round4(mean(result.rounds.flatMap((r) => freeRiders.map((index) => r.inclusion[index]!)))),
      honestInclusionRate: round4(inclusionRate),
      replayMismatchRate: round4(riderRecords.filter((f) => !f.replayMatched).length / riderRecords.length),
      minReplayDistance: Number(Math.min(...riderRecords.map((f) => f.relativeDistance)).toPrecision(3)),
      computeRelativeToHonest: round4(mean(riderRecords.map((f) => f.computeMs)) / mean(roundTrainMs)),
      finalAccuracy: round4(result.finalAccuracy),
      accuracyRelativeToAllHonest: round4(result.finalAccuracy / honest.finalAccuracy),
      auditedByRound: result.rounds.map((r) => r.drawn),
      excludedByRound: result.rounds.map((r) => r.excludedRealized),
      seconds: Math.round(result.seconds),
    };
  }
  rewardRatio[name] = round4(worst);
  byStrategy[name] = { description: strategy.description, ...configurations };
}

const auditCostShare = (AUDITS_PER_ROUND * mean(replayMs)) / mean(honestTrainMs);
const results = {
  benchmark: "incentives",
  date: new Date().toISOString(),
  wallSeconds: Math.round((performance.now() - started) / 1000),
  machine: benchMachine(),
  backend: backend.name,
  tfjs: tf.version.tfjs,
  rewardRatio,
  honestInclusionRate: round4(Math.min(...inclusionRates)),
  allHonestAccuracy: round4(honest.finalAccuracy),
  allHonestInclusionRate: round4(mean(honest.rounds.flatMap((r) => r.inclusion))),
  auditCost: {
    replayMsPerAudit: Math.round(mean(replayMs)),
    trainingMsPerTrainerRound: Math.round(mean(honestTrainMs)),
    shareOfRoundTraining: round4(auditCostShare),
    note:
      `Every attester replays the ${AUDITS_PER_ROUND} drawn update(s) of a round (and any late reveal) in the attest window: ` +
      "its compute per round grows by this share of its own training. The replay runs the declared work, so it costs " +
      "what the audited trainer's training cost on this machine.",
  },
  targets: {
    "every rewardRatio <= 0.10": Object.values(rewardRatio).every((ratio) => ratio <= 0.1),
    "honestInclusionRate >= 0.99": Math.min(...inclusionRates) >= 0.99,
  },
  strategies: byStrategy,
  config: {
    dataset: { name: "Fashion-MNIST", trainSamples: train.count, shards: shards.length, testSamples: test.count },
    model: "Dense(128, relu) -> Dense(10, softmax) on 784 inputs (101,770 float32 weights)",
    trainers: TRAINERS,
    rounds: ROUNDS,
    localWork: "one epoch of the trainer's shard, Adam 0.001, batch 32, shuffle seed deriveSeed(42, round, trainer)",
    aggregation: DEFAULT_AGGREGATION_RULE,
    auditsPerRound: AUDITS_PER_ROUND,
    replayTolerance: REPLAY_TOLERANCE,
    stake: `${STAKE} round rewards (minimumAuditStake for ${AUDITS_PER_ROUND} audit(s) per round): all of it is slashed on a replay mismatch`,
    rewardRatio:
      "the free rider's expected payoff per round (share of the round's reward when included, minus the stake when " +
      "slashed, in expectation over the audit draw) over an honest trainer's, the worse of the 1-of-8 and 2-of-8 runs",
    honestInclusionRate: "expected share of honest updates included, over the draw, the lowest of any run",
    fallbacks:
      "strategies that use last round's public updates play ulp in round 0; noise scales use this round's honest RMS step (an oracle, generous to the attacker)",
  },
};

const out = benchResultsFile("incentives");
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${out}`);
console.log(
  JSON.stringify(
    { rewardRatio, honestInclusionRate: results.honestInclusionRate, auditCost: results.auditCost, targets: results.targets },
    null,
    2,
  ),
);
