import { InvalidAggregationInputError } from "../errors/protocol.ts";
import { validateAggregationRule, type AggregationRule } from "./spec.ts";

export type { AggregationRule } from "./spec.ts";

/**
 * One revealed update of a round. `weights` are in the base model's weight-spec order. An update that could not be
 * fetched or parsed is passed as `{ unavailable: reason }` so it is excluded with that reason, like any other; an
 * audited update whose replay did not reproduce it (trainer `auditByReplay`) as `{ replayMismatch: detail }`: excluded
 * as `replay-mismatch` and named in the result's `slashMask`.
 */
export type AggregationUpdate =
  | { trainerIndex: number; samples: number | bigint; weights: readonly Float32Array[] }
  | { trainerIndex: number; samples: number | bigint; unavailable: string }
  | { trainerIndex: number; samples: number | bigint; replayMismatch: string };

export type AggregateParameters = {
  /** The round's global model (the weights every update started from), in weight-spec order. */
  base: readonly Float32Array[];
  /** Every revealed update of the round, in any order. */
  updates: readonly AggregationUpdate[];
  /** The job spec's `aggregation`. */
  rule: AggregationRule;
  /**
   * Trainer indices drawn for a replay audit this round (selectAudits' `audited`). A drawn update that is unavailable
   * counts as failing its replay (`replay-mismatch`, in `slashMask`): withholding the data when drawn must not pay.
   */
  audited?: readonly number[];
};

/** Why an update was left out. */
export type ExclusionReason =
  | "unavailable"
  | "replay-mismatch"
  | "invalid-samples"
  | "shape-mismatch"
  | "non-finite"
  | "base-equal"
  | "duplicate"
  | "outlier";

export type UpdateVerdict = {
  trainerIndex: number;
  included: boolean;
  reason: "included" | ExclusionReason;
  /** A sentence for logs. */
  detail: string;
  /** Euclidean distance to the coordinate-wise median, for updates the robust filter looked at; otherwise null. */
  distance: number | null;
};

export type AggregationResult = {
  /** The next global model, one Float32Array per weight spec; the base weights unchanged if nothing was included. */
  weights: Float32Array[];
  /** Bit i set when the update of trainer index i is included. */
  includedMask: bigint;
  /** Sum of the included updates' samples. */
  includedSamples: bigint;
  /** Bit i set when the update of trainer index i failed its replay audit (`replay-mismatch`): the trainers to slash. */
  slashMask: bigint;
  /** One verdict per update, in ascending trainer index. */
  verdicts: UpdateVerdict[];
  /** Median distance to the coordinate-wise median and the exclusion threshold (k times it); null when the filter did not run. */
  medianDistance: number | null;
  threshold: number | null;
};

/** Trainer indices must fit the on-chain bitmask; this bound keeps bigint masks small. */
export const MAX_TRAINER_INDEX = 65535;

/**
 * The deterministic aggregation rule of Mycelium rounds (trainer/README.md, "Aggregation", is the normative text):
 *
 * 1. Order updates by trainer index. Exclude, in this order of checks: unavailable updates, updates that failed their
 *    replay audit, samples that are not an integer in [1, 2^53 - 1], weights whose tensor count or lengths differ from
 *    the base, any NaN or ±Infinity, updates equal to the base in every coordinate, and updates equal in every
 *    coordinate to an earlier (lower-index) update still in the running. Equality is numeric (-0 equals 0).
 * 2. Robust filter (unless robustK is null): m = coordinate-wise median of the remaining updates (the mean of the two
 *    middle values for an even count); d_i = sqrt(Σ_j (w_i[j] - m[j])²) summed in float64 in weight order;
 *    M = median of the d_i; exclude update i when d_i > robustK × M.
 * 3. Aggregate the n included updates coordinate by coordinate: with t = floor(trimFraction × n) (0 for "mean"), drop
 *    the t smallest and the t largest values, ordering by value and then by trainer index; the result is
 *    fround(Σ s_i·w_i[j] / Σ s_i) over the kept updates, each sum in float64 in ascending trainer index, s_i the
 *    update's samples. -0 becomes +0.
 *
 * Only +, -, *, /, sqrt and comparisons touch the numbers, all on float64 in a fixed order, so every JavaScript engine
 * produces the same bits: the output is canonical. Bad updates never throw: they get a verdict. Only arguments that
 * cannot describe a round (bad base, repeated trainer index, invalid rule) throw InvalidAggregationInputError or
 * InvalidTrainingSpecError.
 */
export function aggregateUpdates(params: AggregateParameters): AggregationResult {
  const rule = validateAggregationRule(params.rule);
  const base = checkBase(params.base);
  const updates = checkUpdates(params.updates);

  const verdicts = new Map<number, UpdateVerdict>();
  const candidates: Candidate[] = [];
  const seen = new EqualityIndex(base);
  const audited = new Set(params.audited ?? []);
  for (const update of updates) {
    let exclusion = screen(update, base);
    if (exclusion?.reason === "unavailable" && audited.has(update.trainerIndex))
      exclusion = { reason: "replay-mismatch", detail: `drawn for a replay audit but ${exclusion.detail}` };
    if (exclusion === null) {
      const accepted = update as { trainerIndex: number; samples: number | bigint; weights: readonly Float32Array[] };
      const candidate = { trainerIndex: accepted.trainerIndex, samples: Number(accepted.samples), weights: accepted.weights };
      exclusion = seen.admit(candidate);
      if (exclusion === null) candidates.push(candidate);
    }
    if (exclusion !== null) {
      verdicts.set(update.trainerIndex, { trainerIndex: update.trainerIndex, included: false, distance: null, ...exclusion });
    }
  }

  let included = candidates;
  let medianDistance: number | null = null;
  let threshold: number | null = null;
  const distances = new Map<number, number>();
  if (rule.robustK !== null && candidates.length > 0) {
    const d = distancesToMedian(
      candidates.map((candidate) => candidate.weights),
      base,
    );
    medianDistance = medianOf(Float64Array.from(d));
    threshold = rule.robustK * medianDistance;
    for (const [i, candidate] of candidates.entries()) distances.set(candidate.trainerIndex, d[i]!);
    included = [];
    candidates.forEach((candidate, i) => {
      if (d[i]! > threshold!) {
        verdicts.set(candidate.trainerIndex, {
          trainerIndex: candidate.trainerIndex,
          included: false,
          reason: "outlier",
          detail:
            `distance to the coordinate-wise median ${fmt(d[i]!)} exceeds ` +
            `${rule.robustK} x median distance ${fmt(medianDistance!)} = ${fmt(threshold!)}`,
          distance: d[i]!,
        });
      } else {
        included.push(candidate);
      }
    });
  }

  let includedMask = 0n;
  let includedSamples = 0n;
  for (const candidate of included) {
    includedMask |= 1n << BigInt(candidate.trainerIndex);
    includedSamples += BigInt(candidate.samples);
    verdicts.set(candidate.trainerIndex, {
      trainerIndex: candidate.trainerIndex,
      included: true,
      reason: "included",
      detail: `included with ${candidate.samples} samples`,
      distance: distances.get(candidate.trainerIndex) ?? null,
    });
  }

  const trim = rule.rule === "mean" ? 0 : Math.floor(rule.trimFraction * included.length);
  const weights =
    included.length === 0
      ? base.map((tensor) => Float32Array.from(tensor))
      : weightedTrimmedMean(
          included.map((candidate) => candidate.weights),
          included.map((candidate) => candidate.samples),
          trim,
          base,
        );
  let slashMask = 0n;
  for (const verdict of verdicts.values()) if (verdict.reason === "replay-mismatch") slashMask |= 1n << BigInt(verdict.trainerIndex);
  return {
    weights,
    includedMask,
    includedSamples,
    slashMask,
    verdicts: updates.map((update) => verdicts.get(update.trainerIndex)!),
    medianDistance,
    threshold,
  };
}

type Candidate = { trainerIndex: number; samples: number; weights: readonly Float32Array[] };

type Exclusion = { reason: ExclusionReason; detail: string };

/** The checks of one update alone; `base-equal` and `duplicate` are EqualityIndex's. */
function screen(update: AggregationUpdate, base: readonly Float32Array[]): Exclusion | null {
  if ("unavailable" in update) return { reason: "unavailable", detail: `update unavailable: ${update.unavailable}` };
  if ("replayMismatch" in update) return { reason: "replay-mismatch", detail: `failed its replay audit: ${update.replayMismatch}` };
  const samples = update.samples;
  const samplesOk =
    typeof samples === "bigint"
      ? samples >= 1n && samples <= BigInt(Number.MAX_SAFE_INTEGER)
      : Number.isSafeInteger(samples) && samples >= 1;
  if (!samplesOk) return { reason: "invalid-samples", detail: `samples must be an integer in [1, 2^53 - 1], found ${String(samples)}` };
  const weights = update.weights;
  if (!Array.isArray(weights) || weights.length !== base.length) {
    return {
      reason: "shape-mismatch",
      detail: `expected ${base.length} weight tensors, found ${Array.isArray(weights) ? weights.length : typeof weights}`,
    };
  }
  for (let t = 0; t < base.length; t++) {
    const tensor = weights[t];
    if (!(tensor instanceof Float32Array) || tensor.length !== base[t]!.length) {
      return {
        reason: "shape-mismatch",
        detail:
          `weight tensor ${t} should be a Float32Array of ${base[t]!.length} values, ` +
          `found ${
            tensor instanceof Float32Array ? `${tensor.length} values` : String((tensor as object | undefined)?.constructor?.name ?? tensor)
          }`,
      };
    }
  }
  for (let t = 0; t < base.length; t++) {
    const tensor = weights[t]!;
    for (let j = 0; j < tensor.length; j++) {
      const value = tensor[j]!;
      if (value - value !== 0) return { reason: "non-finite", detail: `weight tensor ${t} value ${j} is ${value}` };
    }
  }
  return null;
}

/**
 * The base and the updates still in the running, bucketed by a hash of their values (-0 hashed as 0), so that finding an
 * equal one compares whole tensors only within a bucket: linear in the input however many updates differ only in
 * their last value. Each update is hashed once.
 */
class EqualityIndex {
  readonly #buckets = new Map<number, (Candidate | "base")[]>();
  readonly #base: readonly Float32Array[];

  constructor(base: readonly Float32Array[]) {
    this.#base = base;
    this.#buckets.set(hashWeights(base), ["base"]);
  }

  /**
   * `base-equal` when the candidate equals the base, `duplicate` when it equals an earlier update in the running;
   * otherwise records it (so later updates are compared with it) and returns null.
   */
  admit(candidate: Candidate): Exclusion | null {
    const hash = hashWeights(candidate.weights);
    const bucket = this.#buckets.get(hash) ?? [];
    for (const entry of bucket) {
      if (entry === "base" && equalWeights(candidate.weights, this.#base))
        return { reason: "base-equal", detail: "identical to the base model: no training was done" };
      if (entry !== "base" && equalWeights(candidate.weights, entry.weights))
        return { reason: "duplicate", detail: `identical to the update of trainer ${entry.trainerIndex}` };
    }
    bucket.push(candidate);
    this.#buckets.set(hash, bucket);
    return null;
  }
}

/** FNV-1a over the float32 bit patterns, with -0 as 0 (equality is numeric). */
function hashWeights(weights: readonly Float32Array[]): number {
  let hash = 0x811c9dc5;
  for (const tensor of weights) {
    hash = Math.imul(hash ^ tensor.length, 0x01000193);
    const bits = bitsOf(tensor);
    for (let j = 0; j < bits.length; j++) {
      const word = bits[j]!;
      hash = Math.imul(hash ^ (word === SIGN ? 0 : word), 0x01000193);
    }
  }
  return hash >>> 0;
}

/** Euclidean distance of each update to the coordinate-wise median of all of them. */
function distancesToMedian(updates: readonly (readonly Float32Array[])[], base: readonly Float32Array[]): Float64Array {
  const n = updates.length;
  const squared = new Float64Array(n);
  const keys = new Float64Array(n);
  for (let t = 0; t < base.length; t++) {
    const tensors = updates.map((update) => update[t]!);
    const bits = tensors.map(bitsOf);
    const length = base[t]!.length;
    for (let j = 0; j < length; j++) {
      for (let i = 0; i < n; i++) keys[i] = orderKey(bits[i]![j]!, i);
      const median = medianOfKeys(keys);
      for (let i = 0; i < n; i++) {
        const diff = tensors[i]![j]! - median;
        squared[i] = squared[i]! + diff * diff;
      }
    }
  }
  const distances = new Float64Array(n);
  for (let i = 0; i < n; i++) distances[i] = Math.sqrt(squared[i]!);
  return distances;
}

/** Median of finite values (sorts `values` in place): the middle one, or the mean of the two middle ones. */
function medianOf(values: Float64Array): number {
  values.sort();
  const n = values.length;
  const mid = n >> 1;
  return n % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/**
 * Median of the values behind order keys (reorders `keys`): the middle value, or the mean of the two middle values.
 * Which of two equal values is "the middle one" cannot change the result, and a zero's sign only reaches the distances
 * squared, so this gives the same numbers as sorting the values.
 */
function medianOfKeys(keys: Float64Array): number {
  const n = keys.length;
  const mid = n >> 1;
  select(keys, 0, n, mid);
  const upper = keyValue(keys[mid]!);
  if (n % 2 === 1) return upper;
  let below = keys[0]!;
  for (let i = 1; i < mid; i++) if (keys[i]! > below) below = keys[i]!;
  return (keyValue(below) + upper) / 2;
}

// Order keys: a float32 value (by its bit pattern) and a position below 2^16 in one float64 that compares as (value,
// position), with -0 taken as +0 (the rule compares numerically). Keys are distinct, and exact: the value's
// order-preserving 32 bits times 2^16 plus the position stays below 2^48.
const keyScratch = new Float32Array(1);
const keyBits = new Uint32Array(keyScratch.buffer);
const POSITIONS = 65536;
const SIGN = 0x80000000;

/** The bit patterns of a tensor's values, without copying. */
function bitsOf(tensor: Float32Array): Uint32Array {
  return new Uint32Array(tensor.buffer, tensor.byteOffset, tensor.length);
}

function orderKey(bits: number, position: number): number {
  // Negative values: all bits flipped (larger magnitudes first); positive ones and zeros (-0 as +0): the sign bit set.
  const ordered = bits > SIGN ? ~bits >>> 0 : bits === SIGN ? SIGN : bits + SIGN;
  return ordered * POSITIONS + position;
}

function keyValue(key: number): number {
  const ordered = Math.floor(key / POSITIONS);
  keyBits[0] = ordered >= SIGN ? ordered - SIGN : ~ordered >>> 0;
  return keyScratch[0]!;
}

function keyPosition(key: number): number {
  return key % POSITIONS;
}

/**
 * Reorders the distinct keys of `keys[lo, hi)` so that `keys[k]` holds the key of rank k, smaller ones before it and
 * larger ones after (quickselect with a median-of-three pivot, short ranges by insertion): linear on average. Values
 * come from trainers, so a range that resists partitioning (a crafted input) is sorted natively instead, which bounds
 * the worst case at O(n log n).
 */
function select(keys: Float64Array, lo: number, hi: number, k: number): void {
  let left = lo;
  let right = hi - 1;
  let budget = 2 * (32 - Math.clz32(hi - lo)) + 4;
  while (right > left) {
    if (right - left < 16) {
      insertionSort(keys, left, right);
      return;
    }
    if (budget-- === 0) {
      keys.subarray(left, right + 1).sort();
      return;
    }
    // Median of three as the pivot, moved to the end; then a branch-free Lomuto partition (the comparisons are
    // unpredictable on real data, so no branch depends on them).
    const mid = (left + right) >>> 1;
    if (keys[mid]! < keys[left]!) swap(keys, mid, left);
    if (keys[right]! < keys[left]!) swap(keys, right, left);
    if (keys[mid]! < keys[right]!) swap(keys, mid, right);
    const pivot = keys[right]!;
    let store = left;
    for (let i = left; i < right; i++) {
      const key = keys[i]!;
      keys[i] = keys[store]!;
      keys[store] = key;
      store += +(key < pivot);
    }
    keys[right] = keys[store]!;
    keys[store] = pivot;
    if (k < store) right = store - 1;
    else if (k > store) left = store + 1;
    else return;
  }
}

function insertionSort(keys: Float64Array, left: number, right: number): void {
  for (let i = left + 1; i <= right; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= left && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
}

function swap(keys: Float64Array, a: number, b: number): void {
  const value = keys[a]!;
  keys[a] = keys[b]!;
  keys[b] = value;
}

/** Step 3: the sample-weighted mean after trimming `trim` values at each end of every coordinate. */
function weightedTrimmedMean(
  updates: readonly (readonly Float32Array[])[],
  samples: readonly number[],
  trim: number,
  base: readonly Float32Array[],
): Float32Array[] {
  const n = updates.length;
  const out = base.map((tensor) => new Float32Array(tensor.length));
  if (trim === 0) {
    let denominator = 0;
    for (let i = 0; i < n; i++) denominator += samples[i]!;
    for (let t = 0; t < base.length; t++) {
      const sums = new Float64Array(base[t]!.length);
      for (let i = 0; i < n; i++) {
        const tensor = updates[i]![t]!;
        const weight = samples[i]!;
        for (let j = 0; j < sums.length; j++) sums[j] = sums[j]! + weight * tensor[j]!;
      }
      const target = out[t]!;
      for (let j = 0; j < sums.length; j++) target[j] = canonical(sums[j]! / denominator);
    }
    return out;
  }
  const keys = new Float64Array(n);
  const kept = new Uint8Array(n);
  for (let t = 0; t < base.length; t++) {
    const tensors = updates.map((update) => update[t]!);
    const bits = tensors.map(bitsOf);
    const target = out[t]!;
    for (let j = 0; j < target.length; j++) {
      // Positions are in ascending trainer index, so keys order by value and then by trainer index. Two selections
      // put the `trim` smallest first and the `trim` largest last (2 trim < n since trimFraction < 0.5).
      for (let i = 0; i < n; i++) keys[i] = orderKey(bits[i]![j]!, i);
      select(keys, 0, n, trim);
      select(keys, trim, n, n - trim);
      kept.fill(1);
      for (let k = 0; k < trim; k++) {
        kept[keyPosition(keys[k]!)] = 0;
        kept[keyPosition(keys[n - 1 - k]!)] = 0;
      }
      // No branch on `kept`: a dropped update adds ±0, which changes no sum (one that starts at +0 is never -0).
      let numerator = 0;
      let denominator = 0;
      for (let i = 0; i < n; i++) {
        const keep = kept[i]!;
        numerator += keep * (samples[i]! * tensors[i]![j]!);
        denominator += keep * samples[i]!;
      }
      target[j] = canonical(numerator / denominator);
    }
  }
  return out;
}

/** Rounds to float32 and turns -0 into +0. */
function canonical(value: number): number {
  const rounded = Math.fround(value);
  return rounded === 0 ? 0 : rounded;
}

function equalWeights(a: readonly Float32Array[], b: readonly Float32Array[]): boolean {
  for (let t = 0; t < a.length; t++) {
    const x = a[t]!;
    const y = b[t]!;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

function checkBase(base: readonly Float32Array[]): readonly Float32Array[] {
  if (!Array.isArray(base) || base.length === 0)
    throw new InvalidAggregationInputError("The base model must be a non-empty list of Float32Array tensors.");
  base.forEach((tensor, t) => {
    if (!(tensor instanceof Float32Array)) throw new InvalidAggregationInputError(`Base tensor ${t} is not a Float32Array.`);
    for (let j = 0; j < tensor.length; j++) {
      if (!Number.isFinite(tensor[j]))
        throw new InvalidAggregationInputError(`Base tensor ${t} value ${j} is ${tensor[j]}; a global model is always finite.`);
    }
  });
  return base;
}

function checkUpdates(updates: readonly AggregationUpdate[]): AggregationUpdate[] {
  if (!Array.isArray(updates)) throw new InvalidAggregationInputError("`updates` must be a list.");
  const seen = new Set<number>();
  for (const update of updates) {
    const index = update?.trainerIndex;
    if (!Number.isInteger(index) || index < 0 || index > MAX_TRAINER_INDEX) {
      throw new InvalidAggregationInputError(`Trainer index must be an integer in [0, ${MAX_TRAINER_INDEX}], found ${String(index)}.`);
    }
    if (seen.has(index))
      throw new InvalidAggregationInputError(`Trainer index ${index} appears twice; a trainer reveals at most one update per round.`);
    seen.add(index);
  }
  return [...updates].sort((a, b) => a.trainerIndex - b.trainerIndex);
}

function fmt(value: number): string {
  return value.toPrecision(6);
}
