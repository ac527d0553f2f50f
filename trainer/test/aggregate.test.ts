import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "chai";
import fc from "fast-check";
import {
  DEFAULT_AGGREGATION_RULE,
  InvalidAggregationInputError,
  InvalidTrainingSpecError,
  SeededRandom,
  aggregateUpdates,
  canonicalWeightBytes,
  weightsDigest,
  type AggregationRule,
  type AggregationUpdate,
} from "@mycelium/client";
import { deltaRms, lazyUpdate, noiseUpdate, propertyRun, scaledUpdate, signFlippedUpdate } from "@mycelium/devkit";
import { evaluateModel } from "../src/index.ts";
import { encodeAggregationInput } from "./harness/aggregationInput.ts";
import { honestRoundFixture, type HonestRound } from "./harness/fixtures.ts";

/** The client's default: robust filter at 2 median distances, 20% trimmed mean. */
const robust: AggregationRule = DEFAULT_AGGREGATION_RULE;
const plainMean: AggregationRule = { rule: "mean", robustK: null, trimFraction: 0 };

/** One-coordinate models make the rule's arithmetic checkable by hand. */
const scalar = (value: number): Float32Array[] => [Float32Array.of(value)];

describe("aggregateUpdates", () => {
  describe("the rule's arithmetic", () => {
    it("computes the sample-weighted mean", () => {
      const updates = [10, 20, 30, 40, 50].map((value, i) => ({ trainerIndex: i, samples: i + 1, weights: scalar(value) }));
      const result = aggregateUpdates({ base: scalar(0), updates, rule: plainMean });
      expect(result.weights[0]![0]).to.equal(Math.fround(550 / 15));
      expect(result.includedMask).to.equal(0b11111n);
      expect(result.includedSamples).to.equal(15n);
    });

    it("trims floor(trimFraction x n) values at each end, then takes the sample-weighted mean", () => {
      const updates = [10, 20, 30, 40, 50].map((value, i) => ({ trainerIndex: i, samples: i + 1, weights: scalar(value) }));
      const result = aggregateUpdates({ base: scalar(0), updates, rule: { rule: "trimmed-mean", robustK: null, trimFraction: 0.2 } });
      // t = floor(0.2 x 5) = 1: 10 and 50 go; (2x20 + 3x30 + 4x40) / (2 + 3 + 4)
      expect(result.weights[0]![0]).to.equal(Math.fround(290 / 9));
      // trimming is per coordinate: every update that passed the filter is included (and rewarded)
      expect(result.includedMask).to.equal(0b11111n);
      expect(result.includedSamples).to.equal(15n);
    });

    it("breaks ties in trimming by trainer index, whatever the input order", () => {
      // the second coordinate only keeps the updates from being exact duplicates of each other
      const updates = [
        { trainerIndex: 0, samples: 1, weights: [Float32Array.of(1, 0)] },
        { trainerIndex: 1, samples: 10, weights: [Float32Array.of(1, 1)] },
        { trainerIndex: 2, samples: 1, weights: [Float32Array.of(5, 2)] },
      ];
      const rule: AggregationRule = { rule: "trimmed-mean", robustK: null, trimFraction: 0.34 };
      const base = [Float32Array.of(0, 0)];
      // first coordinate sorted (1, #0), (1, #1), (5, #2): t = 1 drops #0 and #2, leaving #1's 1 (and 1 in the second)
      expect([...aggregateUpdates({ base, updates, rule }).weights[0]!]).to.deep.equal([1, 1]);
      expect([...aggregateUpdates({ base, updates: [...updates].reverse(), rule }).weights[0]!]).to.deep.equal([1, 1]);
    });

    it("excludes updates farther than k median distances from the coordinate-wise median", () => {
      const updates = [0, 1, 2, 3, 100].map((value, i) => ({ trainerIndex: i, samples: 1, weights: scalar(value) }));
      // median 2, distances 2 1 0 1 98, median distance 1, threshold 2: only 100 is out (2 is not > 2)
      const result = aggregateUpdates({ base: scalar(50), updates, rule: { rule: "mean", robustK: 2, trimFraction: 0 } });
      expect(result.medianDistance).to.equal(1);
      expect(result.threshold).to.equal(2);
      expect(result.verdicts.map((v) => v.reason)).to.deep.equal(["included", "included", "included", "included", "outlier"]);
      expect(result.verdicts.map((v) => v.distance)).to.deep.equal([2, 1, 0, 1, 98]);
      expect(result.weights[0]![0]).to.equal(1.5);
      expect(result.includedMask).to.equal(0b01111n);
    });

    it("uses the mean of the two middle values as the median of an even count", () => {
      const updates = [0, 2, 4, 100].map((value, i) => ({ trainerIndex: i, samples: 1, weights: scalar(value) }));
      // median 3, distances 3 1 1 97, median distance 2, threshold 4
      const result = aggregateUpdates({ base: scalar(50), updates, rule: { rule: "mean", robustK: 2, trimFraction: 0 } });
      expect(result.medianDistance).to.equal(2);
      expect(result.verdicts.map((v) => v.included)).to.deep.equal([true, true, true, false]);
    });

    it("never outputs -0", () => {
      const updates = [
        { trainerIndex: 0, samples: 1, weights: [Float32Array.of(-0, 1)] },
        { trainerIndex: 1, samples: 1, weights: [Float32Array.of(-0, 2)] },
      ];
      const result = aggregateUpdates({ base: [Float32Array.of(1, 1)], updates, rule: plainMean });
      expect(Object.is(result.weights[0]![0], 0)).to.equal(true);
    });

    it("returns the base weights unchanged and an empty mask when nothing can be included", () => {
      const base = scalar(3);
      const result = aggregateUpdates({
        base,
        updates: [
          { trainerIndex: 4, samples: 1, weights: scalar(3) },
          { trainerIndex: 2, samples: 1, unavailable: "no provider" },
        ],
        rule: robust,
      });
      expect(result.weights[0]).to.deep.equal(base[0]);
      expect(result.weights[0]).to.not.equal(base[0]);
      expect(result.includedMask).to.equal(0n);
      expect(result.includedSamples).to.equal(0n);
      expect(result.verdicts.map((v) => v.trainerIndex)).to.deep.equal([2, 4]);
    });
  });

  describe("with a real round of training", () => {
    let round: HonestRound;
    before(async () => {
      round = await honestRoundFixture();
    });

    it("includes every honest update and the aggregate is at least as good as the base", async () => {
      const result = aggregateUpdates({ base: round.base.weights, updates: round.updates, rule: robust });
      expect(
        result.verdicts.every((v) => v.included),
        JSON.stringify(result.verdicts),
      ).to.equal(true);
      expect(result.includedMask).to.equal(0b111111n);
      expect(result.includedSamples).to.equal(2400n);
      const before = await evaluateModel({ model: round.base, data: round.test });
      const after = await evaluateModel({ model: { ...round.base, weights: result.weights }, data: round.test });
      expect(after.accuracy).to.be.greaterThan(before.accuracy + 0.2);
    });

    it("excludes a 100x scaled, a sign-flipped, a random-noise and a disguised lazy update as outliers", () => {
      const { base, updates } = round;
      const scale = deltaRms(base.weights, updates[0]!.weights);
      const attacks: [string, Float32Array[]][] = [
        ["scaled", scaledUpdate(base.weights, updates[1]!.weights, 100)],
        ["sign-flipped", signFlippedUpdate(base.weights, updates[2]!.weights)],
        ["noise", noiseUpdate(base.weights, { seed: 99, scale })],
        // the base model plus noise a tenth of an honest step: not base-equal, but no training either
        ["disguised lazy", noiseUpdate(base.weights, { seed: 98, scale: scale / 10 })],
      ];
      for (const [name, weights] of attacks) {
        const result = aggregateUpdates({
          base: base.weights,
          updates: [...updates, { trainerIndex: 9, samples: 400, weights }],
          rule: robust,
        });
        const verdict = result.verdicts.find((v) => v.trainerIndex === 9)!;
        expect(verdict.reason, name).to.equal("outlier");
        expect(verdict.detail).to.match(/exceeds 2 x median distance/);
        expect(result.includedMask, name).to.equal(0b111111n);
      }
      // all four at once: 4 of 10 updates are hostile and all of them are still caught
      const together = aggregateUpdates({
        base: base.weights,
        updates: [...updates, ...attacks.map(([, weights], i) => ({ trainerIndex: 10 + i, samples: 400, weights }))],
        rule: robust,
      });
      expect(together.verdicts.filter((v) => !v.included).map((v) => `${v.trainerIndex}:${v.reason}`)).to.deep.equal([
        "10:outlier",
        "11:outlier",
        "12:outlier",
        "13:outlier",
      ]);
    });

    it("lets the plain mean rule be dragged by the same attack", () => {
      const { base, updates } = round;
      const attacked = [...updates, { trainerIndex: 9, samples: 400, weights: scaledUpdate(base.weights, updates[1]!.weights, 100) }];
      const mean = aggregateUpdates({ base: base.weights, updates: attacked, rule: plainMean });
      const honest = aggregateUpdates({ base: base.weights, updates, rule: plainMean });
      expect(mean.includedMask).to.equal(0b1000111111n);
      expect(deltaRms(honest.weights, mean.weights)).to.be.greaterThan(10 * deltaRms(base.weights, honest.weights));
    });

    it("excludes exact duplicates (keeping the lowest trainer index) and updates equal to the base", () => {
      const { base, updates } = round;
      const result = aggregateUpdates({
        base: base.weights,
        updates: [
          ...updates,
          { trainerIndex: 7, samples: 400, weights: updates[3]!.weights.map((t) => Float32Array.from(t)) },
          { trainerIndex: 8, samples: 400, weights: lazyUpdate(base.weights) },
        ],
        rule: robust,
      });
      const byIndex = new Map(result.verdicts.map((v) => [v.trainerIndex, v]));
      expect(byIndex.get(3)!.reason).to.equal("included");
      expect(byIndex.get(7)!.reason).to.equal("duplicate");
      expect(byIndex.get(7)!.detail).to.equal("identical to the update of trainer 3");
      expect(byIndex.get(8)!.reason).to.equal("base-equal");
    });

    it("excludes unusable updates with a reason instead of failing", () => {
      const { base, updates } = round;
      const withNaN = updates[0]!.weights.map((t) => Float32Array.from(t));
      withNaN[1]![3] = Number.NaN;
      const withInfinity = updates[0]!.weights.map((t) => Float32Array.from(t));
      withInfinity[0]![0] = Number.NEGATIVE_INFINITY;
      const short = updates[0]!.weights.map((t) => Float32Array.from(t));
      short[2] = short[2]!.subarray(1);
      const hostile: AggregationUpdate[] = [
        { trainerIndex: 20, samples: 400, weights: withNaN },
        { trainerIndex: 21, samples: 400, weights: withInfinity },
        { trainerIndex: 22, samples: 400, weights: short },
        { trainerIndex: 23, samples: 400, weights: updates[0]!.weights.slice(1) },
        { trainerIndex: 24, samples: 0, weights: updates[4]!.weights },
        { trainerIndex: 25, samples: 2.5, weights: updates[4]!.weights },
        { trainerIndex: 26, samples: 400n, unavailable: "the CID could not be fetched from any provider within 60 s" },
      ];
      const result = aggregateUpdates({ base: base.weights, updates: [...hostile, ...updates], rule: robust });
      const reasons = result.verdicts.filter((v) => v.trainerIndex >= 20).map((v) => `${v.trainerIndex}:${v.reason}`);
      expect(reasons).to.deep.equal([
        "20:non-finite",
        "21:non-finite",
        "22:shape-mismatch",
        "23:shape-mismatch",
        "24:invalid-samples",
        "25:invalid-samples",
        "26:unavailable",
      ]);
      expect(result.verdicts.find((v) => v.trainerIndex === 20)!.detail).to.equal("weight tensor 1 value 3 is NaN");
      expect(result.includedMask).to.equal(0b111111n);
      const clean = aggregateUpdates({ base: base.weights, updates, rule: robust });
      expect(weightsDigest(result.weights)).to.equal(weightsDigest(clean.weights));
    });

    it("gives the same bytes for any order of the same updates", () => {
      const { base, updates } = round;
      const all = [
        ...updates,
        { trainerIndex: 9, samples: 400, weights: signFlippedUpdate(base.weights, updates[2]!.weights) },
        { trainerIndex: 10, samples: 400, weights: lazyUpdate(base.weights) },
      ];
      const reference = aggregateUpdates({ base: base.weights, updates: all, rule: robust });
      const referenceDigest = weightsDigest(reference.weights);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
          const shuffled = new SeededRandom(seed).shuffle([...all]);
          const result = aggregateUpdates({ base: base.weights, updates: shuffled, rule: robust });
          return (
            weightsDigest(result.weights) === referenceDigest &&
            result.includedMask === reference.includedMask &&
            result.verdicts.map((v) => v.reason).join() === reference.verdicts.map((v) => v.reason).join()
          );
        }),
        propertyRun("aggregation order independence", { numRuns: 12 }),
      );
    });

    it("gives byte-identical output in two separate OS processes", async () => {
      const { base, updates } = round;
      const input = {
        base: base.weights,
        updates: [
          ...updates,
          { trainerIndex: 9, samples: 400, weights: scaledUpdate(base.weights, updates[1]!.weights, 100) },
          {
            trainerIndex: 10,
            samples: 400,
            weights: noiseUpdate(base.weights, { seed: 3, scale: deltaRms(base.weights, updates[0]!.weights) }),
          },
        ],
        rule: robust,
      };
      const inProcess = aggregateUpdates(input);
      const directory = await mkdtemp(join(tmpdir(), "myc-aggregate-"));
      try {
        const path = join(directory, "input.json");
        await writeFile(path, encodeAggregationInput(input));
        const script = fileURLToPath(new URL("./harness/aggregateInProcess.ts", import.meta.url));
        const run = () => promisify(execFile)(process.execPath, ["--import", "tsx", script, path], { encoding: "utf8" });
        const [first, second] = (await Promise.all([run(), run()])).map((output) => JSON.parse(output.stdout) as Record<string, unknown>);
        expect(first!.pid).to.not.equal(second!.pid);
        expect(first!.pid).to.not.equal(process.pid);
        const expected = {
          digest: weightsDigest(inProcess.weights),
          includedMask: inProcess.includedMask.toString(),
          includedSamples: inProcess.includedSamples.toString(),
          reasons: inProcess.verdicts.map((v) => `${v.trainerIndex}:${v.reason}`),
        };
        for (const output of [first!, second!]) {
          delete output.pid;
          expect(output).to.deep.equal(expected);
        }
        expect(expected.includedMask).to.equal(String(0b111111n));
        expect(canonicalWeightBytes(inProcess.weights).length).to.equal(4 * base.weights.reduce((n, t) => n + t.length, 0));
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    });
  });

  describe("arguments that cannot describe a round", () => {
    it("rejects a trainer index given twice", () => {
      expect(() =>
        aggregateUpdates({
          base: scalar(0),
          updates: [
            { trainerIndex: 1, samples: 1, weights: scalar(1) },
            { trainerIndex: 1, samples: 1, weights: scalar(2) },
          ],
          rule: robust,
        }),
      ).to.throw(InvalidAggregationInputError, /appears twice/);
    });

    it("rejects an invalid rule with the spec's error", () => {
      const call = () => aggregateUpdates({ base: scalar(0), updates: [], rule: { rule: "trimmed-mean", robustK: 2, trimFraction: 0.5 } });
      expect(call)
        .to.throw(InvalidTrainingSpecError)
        .with.property("issues")
        .that.deep.equals([
          { path: "aggregation.trimFraction", expected: "a number with 0 < trimFraction < 0.5 for the trimmed-mean rule", found: "0.5" },
        ]);
    });

    it("rejects a base model that is not finite, and trainer indices out of range", () => {
      expect(() => aggregateUpdates({ base: scalar(Number.NaN), updates: [], rule: robust })).to.throw(
        InvalidAggregationInputError,
        /always finite/,
      );
      expect(() =>
        aggregateUpdates({ base: scalar(0), updates: [{ trainerIndex: -1, samples: 1, weights: scalar(1) }], rule: robust }),
      ).to.throw(InvalidAggregationInputError, /Trainer index/);
    });
  });
});
