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
