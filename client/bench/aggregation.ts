/**
 * Aggregation benchmark (`npm run bench:aggregation`): one `aggregateUpdates` with the default rule (robust filter at
 * 2 median distances, then a 20% trimmed mean) for 8, 32, 64, 128 and 256 trainers x 1,000,000 weights, each size in
 * its own child process so that its peak RSS is its own. Writes bench/results/aggregation.json.
 *
 * Inputs are seeded: a base of N(0, 0.05) values and, per trainer, the base plus N(0, 0.01) noise, with one trainer in
 * eight sending 100x noise (so the filter excludes something, as in a round with attackers). Per size:
 * - seconds: wall time of the one aggregation (screening, distances to the coordinate-wise median, trimmed mean);
 * - peakRssMiB: the child's peak resident memory, inputMiB: the updates and the base themselves (memory is linear
 *   when peak minus input stays small and flat);
 * - included, excluded: the verdicts; outputDigest: sha256 of the aggregate's canonical bytes, so a change to the
 *   implementation can be checked bit for bit against these figures.
 * Flat keys `seconds@<n>x1M` and `peakRssMiB@<n>x1M` repeat the headline figures.
 */
import childProcess from "node:child_process";
import { benchMachine, writeBenchResult } from "@mycelium/devkit";
import { DEFAULT_AGGREGATION_RULE, SeededRandom, aggregateUpdates, weightsDigest, type AggregationUpdate } from "@mycelium/client";

const TRAINERS = (process.env.BENCH_TRAINERS ?? "8,32,64,128,256").split(",").map(Number);
const WEIGHTS = Number(process.env.BENCH_WEIGHTS ?? 1_000_000);
const MiB = 1024 * 1024;

type CaseResult = {
  trainers: number;
  weights: number;
  seconds: number;
  peakRssMiB: number;
  inputMiB: number;
  included: number;
  excluded: number;
  outputDigest: string;
};

/** A child: builds the inputs of one size, aggregates once, reports. */
function runCase(trainers: number, weights: number): CaseResult {
  const random = new SeededRandom(`0x${(trainers * 1_000_003 + weights).toString(16).padStart(64, "0")}`);
  const base = new Float32Array(weights);
  for (let j = 0; j < weights; j++) base[j] = 0.05 * random.nextNormal();
  const updates: AggregationUpdate[] = [];
  for (let i = 0; i < trainers; i++) {
    const scale = i % 8 === 7 ? 1 : 0.01;
    const tensor = new Float32Array(weights);
    for (let j = 0; j < weights; j++) tensor[j] = base[j]! + scale * random.nextNormal();
    updates.push({ trainerIndex: i, samples: 1_000 + i, weights: [tensor] });
  }
  const start = performance.now();
  const result = aggregateUpdates({ base: [base], updates, rule: DEFAULT_AGGREGATION_RULE });
  const seconds = (performance.now() - start) / 1000;
  const included = result.verdicts.filter((verdict) => verdict.included).length;
  return {
    trainers,
    weights,
    seconds: Math.round(seconds * 1000) / 1000,
    peakRssMiB: Math.round((process.resourceUsage().maxRSS * 1024) / MiB),
    inputMiB: Math.round(((trainers + 1) * weights * 4) / MiB),
    included,
    excluded: trainers - included,
    outputDigest: weightsDigest(result.weights),
  };
}

function inChild(trainers: number, weights: number): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = childProcess.fork(import.meta.filename, ["--case", String(trainers), String(weights)], { stdio: "inherit" });
    let result: CaseResult | undefined;
    child.once("message", (message) => {
      result = message as CaseResult;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`the benchmark case ${trainers} x ${weights} exited with code ${code} before reporting`));
    });
  });
}

if (process.argv[2] === "--case") {
  process.send!(runCase(Number(process.argv[3]), Number(process.argv[4])));
  process.disconnect();
} else {
  const started = performance.now();
  const label = WEIGHTS === 1_000_000 ? "1M" : String(WEIGHTS);
  const cases: CaseResult[] = [];
  const headline: Record<string, number> = {};
  for (const trainers of TRAINERS) {
    const result = await inChild(trainers, WEIGHTS);
    cases.push(result);
    headline[`seconds@${trainers}x${label}`] = result.seconds;
    headline[`peakRssMiB@${trainers}x${label}`] = result.peakRssMiB;
    console.log(
      `${trainers} trainers x ${WEIGHTS} weights: ${result.seconds.toFixed(2)} s, peak RSS ${result.peakRssMiB} MiB ` +
        `(input ${result.inputMiB} MiB), ${result.included} included, ${result.excluded} excluded`,
    );
  }
  const file = writeBenchResult("aggregation", {
    benchmark: "aggregation",
    date: new Date().toISOString(),
    wallSeconds: Math.round((performance.now() - started) / 100) / 10,
    machine: benchMachine(),
    rule: DEFAULT_AGGREGATION_RULE,
    ...headline,
    targets: { "seconds@256x1M": 15 },
    cases,
  });
  console.log(`wrote ${file}`);
}
