import { SeededRandom } from "@mycelium/client";

/**
 * Adversarial trainers for tests and benchmarks. They live here, not in the shipped trainer: an honest trainer has no
 * option to misbehave. Each takes the round's base weights and, where it needs one, an honest update to distort.
 */

/** Boosting attack: base + factor x (honest - base). */
export function scaledUpdate(base: readonly Float32Array[], honest: readonly Float32Array[], factor = 100): Float32Array[] {
  return base.map((tensor, t) => tensor.map((value, j) => value + factor * (honest[t]![j]! - value)));
}

/** Sign flip: base - (honest - base), pushing the model away from where training leads. */
export function signFlippedUpdate(base: readonly Float32Array[], honest: readonly Float32Array[]): Float32Array[] {
  return scaledUpdate(base, honest, -1);
}

/** Random noise: base + scale x N(0, 1) in every coordinate, drawn from SeededRandom(seed). */
export function noiseUpdate(base: readonly Float32Array[], params: { seed: number; scale: number }): Float32Array[] {
  const random = new SeededRandom(params.seed);
  return base.map((tensor) => tensor.map((value) => value + params.scale * random.nextNormal()));
}

/** Lazy trainer: sends the base model back unchanged. */
export function lazyUpdate(base: readonly Float32Array[]): Float32Array[] {
  return base.map((tensor) => Float32Array.from(tensor));
}

/** Root mean square of (update - base) over every coordinate: the scale of an honest step. */
export function deltaRms(base: readonly Float32Array[], update: readonly Float32Array[]): number {
  let sum = 0;
  let count = 0;
  base.forEach((tensor, t) => {
    for (let j = 0; j < tensor.length; j++) {
      const d = update[t]![j]! - tensor[j]!;
      sum += d * d;
      count++;
    }
  });
  return Math.sqrt(sum / count);
}

/**
 * Free rider's cheapest disguise: the base with its first weight moved by one unit in the last place. It differs from
 * the base (so it is not `base-equal`) and sits closer to the coordinate-wise median than any honest update.
 */
export function ulpUpdate(base: readonly Float32Array[]): Float32Array[] {
  const weights = base.map((tensor) => Float32Array.from(tensor));
  const first = weights.find((tensor) => tensor.length > 0);
  if (first) {
    const bits = new Uint32Array(first.buffer, first.byteOffset, 1);
    bits[0] = first[0] === 0 ? 1 : bits[0]! + 1; // the next float32 away from zero (the smallest subnormal after 0)
  }
  return weights;
}

/** Free rider replaying the job's momentum: base + factor x (base - previousBase), the last round's global step. */
export function extrapolatedUpdate(base: readonly Float32Array[], previousBase: readonly Float32Array[], factor: number): Float32Array[] {
  return base.map((tensor, t) => tensor.map((value, j) => value + factor * (value - previousBase[t]![j]!)));
}

/** Free rider copying another trainer's last-round step onto this round's base: base + (other - otherBase). */
export function rebasedUpdate(
  base: readonly Float32Array[],
  other: readonly Float32Array[],
  otherBase: readonly Float32Array[],
): Float32Array[] {
  return base.map((tensor, t) => tensor.map((value, j) => value + (other[t]![j]! - otherBase[t]![j]!)));
}
