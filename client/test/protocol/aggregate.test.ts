import { expect } from "chai";
import fc from "fast-check";
import { propertyRun } from "@mycelium/devkit";
import { aggregateUpdates, type AggregationRule } from "../../src/index.ts";

type Update = { trainerIndex: number; samples: number; weights: Float32Array[] };

/**
 * The aggregation rule as its normative text states it (trainer/README.md, "Aggregation"), written with plain sorts
 * and none of the implementation's selection or hashing, for updates that are available, well-shaped and finite.
 */
function referenceAggregate(base: Float32Array, updates: readonly Update[], rule: AggregationRule) {
  const byIndex = [...updates].sort((a, b) => a.trainerIndex - b.trainerIndex);
  const equal = (x: Float32Array, y: Float32Array) => x.every((value, j) => value === y[j]);
  const reasons = new Map<number, string>();
  const candidates: { trainerIndex: number; samples: number; w: Float32Array }[] = [];
  for (const update of byIndex) {
    const w = update.weights[0]!;
    if (equal(w, base)) reasons.set(update.trainerIndex, "base-equal");
    else if (candidates.some((candidate) => equal(w, candidate.w))) reasons.set(update.trainerIndex, "duplicate");
    else candidates.push({ trainerIndex: update.trainerIndex, samples: update.samples, w });
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  let included = candidates;
  if (rule.robustK !== null && candidates.length > 0) {
    const m = Array.from(base, (_, j) => median(candidates.map((candidate) => candidate.w[j]!)));
    const d = candidates.map((candidate) => {
      let sum = 0;
      for (let j = 0; j < base.length; j++) sum += (candidate.w[j]! - m[j]!) ** 2;
      return Math.sqrt(sum);
    });
    const threshold = rule.robustK * median(d);
    included = candidates.filter((candidate, i) => {
      if (d[i]! > threshold) reasons.set(candidate.trainerIndex, "outlier");
      return d[i]! <= threshold;
    });
  }
  for (const candidate of included) reasons.set(candidate.trainerIndex, "included");
  const n = included.length;
  const trim = rule.rule === "mean" ? 0 : Math.floor(rule.trimFraction * n);
  const out = Float32Array.from(base);
  if (n > 0) {
    for (let j = 0; j < base.length; j++) {
      const kept = [...included]
        .sort((a, b) => a.w[j]! - b.w[j]! || a.trainerIndex - b.trainerIndex)
        .slice(trim, n - trim)
        .sort((a, b) => a.trainerIndex - b.trainerIndex);
      let numerator = 0;
      let denominator = 0;
      for (const candidate of kept) {
        numerator += candidate.samples * candidate.w[j]!;
        denominator += candidate.samples;
      }
      const value = Math.fround(numerator / denominator);
      out[j] = value === 0 ? 0 : value;
    }
  }
  return { weights: out, reasons: byIndex.map((update) => reasons.get(update.trainerIndex)) };
}

const bits = (values: Float32Array) => Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("hex");

function expectReference(base: Float32Array, updates: readonly Update[], rule: AggregationRule) {
  const result = aggregateUpdates({ base: [base], updates, rule });
  const reference = referenceAggregate(base, updates, rule);
  expect(
    result.verdicts.map((verdict) => verdict.reason),
    "verdicts",
  ).to.deep.equal(reference.reasons);
  expect(bits(result.weights[0]!), "aggregate bits").to.equal(bits(reference.weights));
}

const rules: AggregationRule[] = [
  { rule: "mean", robustK: null, trimFraction: 0 },
  { rule: "mean", robustK: 2, trimFraction: 0 },
  { rule: "trimmed-mean", robustK: null, trimFraction: 0.2 },
  { rule: "trimmed-mean", robustK: 2, trimFraction: 0.2 },
  { rule: "trimmed-mean", robustK: 1, trimFraction: 0.34 },
  { rule: "trimmed-mean", robustK: 3, trimFraction: 0.49 },
];

describe("aggregateUpdates against the rule's text", () => {
  it("gives the reference's bits and verdicts for random rounds with ties, signed zeros, duplicates and base copies", async () => {
    // Few distinct values, so that ties (and -0 against +0) are common in every coordinate.
    const value = fc.oneof(
      fc.constantFrom(0, -0, 1, -1, 0.5, 2, 1e-30, -3.4e38, 3.4e38),
      fc.float({ noNaN: true, noDefaultInfinity: true }),
    );
    const round = fc
      .record({
        length: fc.integer({ min: 1, max: 6 }),
        n: fc.integer({ min: 1, max: 40 }),
        rule: fc.constantFrom(...rules),
      })
      .chain(({ length, n, rule }) =>
        fc.record({
          rule: fc.constant(rule),
          base: fc.array(value, { minLength: length, maxLength: length }),
          updates: fc.array(
            fc.record({
              // -1: a copy of the base; -2: a copy of the previous update with zeros' signs flipped; else own values
              copy: fc.integer({ min: -8, max: -1 }),
              samples: fc.integer({ min: 1, max: 1_000_000 }),
              values: fc.array(value, { minLength: length, maxLength: length }),
            }),
            { minLength: n, maxLength: n },
          ),
          order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
        }),
      );
    await fc.assert(
      fc.property(round, ({ rule, base, updates, order }) => {
        const baseWeights = Float32Array.from(base);
        const built: Update[] = [];
        for (const [i, update] of updates.entries()) {
          let weights = Float32Array.from(update.values);
          if (update.copy === -1) weights = Float32Array.from(baseWeights);
          if (update.copy === -2 && i > 0) weights = built[i - 1]!.weights[0]!.map((x) => (x === 0 ? (Object.is(x, 0) ? -0 : 0) : x));
          built.push({ trainerIndex: 3 * i + (i % 2), samples: update.samples, weights: [weights] });
        }
        expectReference(
          baseWeights,
          order.map((i) => built[i]!),
          rule,
        );
      }),
      propertyRun("aggregation against its text", { numRuns: 300 }),
    );
  });

  it("gives the reference's bits for 256 trainers whose values are all equal, sorted, reversed or organ-pipe", () => {
    const n = 256;
    const length = 64;
    const patterns: ((i: number, j: number) => number)[] = [
      (i, j) => (i === 0 ? j : 1 + (i % 7 === 0 ? 0 : i / 1e6)),
      (i, j) => i + j / 1e3,
      (i, j) => n - i + j / 1e3,
      (i, j) => Math.min(i, n - i) + j / 1e3,
      (i, j) => (i % 2 === 0 ? -0 : 0) + (i % 3) * j,
    ];
    for (const [p, pattern] of patterns.entries()) {
      const base = new Float32Array(length).fill(-5);
      const updates = Array.from({ length: n }, (_, i) => ({
        trainerIndex: i,
        samples: 1 + (i % 5),
        weights: [Float32Array.from({ length }, (_, j) => pattern(i, j))],
      }));
      for (const rule of rules) {
        try {
          expectReference(base, updates, rule);
        } catch (error) {
          throw new Error(`pattern ${p}, rule ${JSON.stringify(rule)}: ${(error as Error).message}`);
        }
      }
    }
  });
});
