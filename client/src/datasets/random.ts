import { concatBytes, hexToBytes, isHex, keccak256, stringToBytes, type Hex } from "viem";
import { BaseError } from "../errors/base.ts";

/**
 * A seeded pseudo-random generator whose every output is defined exactly, so any process on any machine (and any
 * re-implementation in another language) draws the same sequence from the same seed.
 *
 * Definition (version 1):
 * - Seed bytes: a uint32 seed is its 4 bytes big-endian; a hex seed is its bytes as written.
 * - State: the first 16 bytes of keccak256(utf8("mycelium/random@1") ‖ seed bytes), read as four uint32 big-endian
 *   words s0..s3 (if all four are zero, s0 = 1; xoshiro must not start at zero).
 * - Generator: xoshiro128** (Blackman and Vigna): result = rotl(s1 * 5, 7) * 9, then t = s1 << 9, s2 ^= s0, s3 ^= s1,
 *   s1 ^= s2, s0 ^= s3, s2 ^= t, s3 = rotl(s3, 11); all arithmetic modulo 2^32.
 * - `nextInt(n)`: rejection sampling: draw x until x < 2^32 - (2^32 mod n), return x mod n (no modulo bias).
 * - `nextFloat()`: 53-bit float in [0, 1): ((a >>> 5) * 2^26 + (b >>> 6)) / 2^53 for two consecutive draws a, b.
 * - `shuffle(array)`: Fisher-Yates from the last index down to 1, swapping i with j = nextInt(i + 1).
 * - `nextNormal()`: Irwin-Hall approximation, (sum of 12 nextFloat()) - 6; mean 0, variance 1, only + and -, so the
 *   result does not depend on how an engine implements Math.log or Math.cos.
 *
 * Only integer operations, +, -, * and / on exactly representable values are used: no Math.random, no transcendental
 * functions.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: RandomSeed) {
    const digest = hexToBytes(keccak256(concatBytes([SEED_TAG, seedBytes(seed)])));
    const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
    this.s0 = view.getUint32(0, false);
    this.s1 = view.getUint32(4, false);
    this.s2 = view.getUint32(8, false);
    this.s3 = view.getUint32(12, false);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next uint32 of the xoshiro128** sequence. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform integer in [0, n), for 1 <= n <= 2^32. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > UINT32_RANGE) {
      throw new InvalidRandomRangeError(n);
    }
    const limit = UINT32_RANGE - (UINT32_RANGE % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** An approximately standard normal value (Irwin-Hall with 12 terms): mean 0, variance 1, range [-6, 6). */
  nextNormal(): number {
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += this.nextFloat();
    return sum - 6;
  }

  /** Shuffles `array` in place (Fisher-Yates, last index first) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A uniformly random permutation of 0..n-1 (the identity, shuffled). */
  permutation(n: number): Uint32Array {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }
}

/** A uint32 (0 <= seed < 2^32) or a hex string of whole bytes (a bytes32 round seed, for instance). */
export type RandomSeed = number | Hex;

/** Thrown for a seed that is neither a uint32 nor a hex string of whole bytes. */
export class InvalidRandomSeedError extends BaseError {
  override name = "InvalidRandomSeedError";
  static override readonly code: string = "INVALID_RANDOM_SEED";
  constructor(seed: unknown) {
    super("Invalid random seed.", {
      details: `Expected a uint32 integer or a 0x-prefixed hex string of whole bytes, found ${describe(seed)}.`,
      hint: "Pass the job spec's `seed` (a uint32) or a bytes32 round seed.",
    });
  }
}

/** Thrown when `nextInt(n)` is asked for an empty or too large range. */
export class InvalidRandomRangeError extends BaseError {
  override name = "InvalidRandomRangeError";
  static override readonly code: string = "INVALID_RANDOM_RANGE";
  constructor(n: number) {
    super("Invalid random integer range.", { details: `Expected an integer n with 1 <= n <= 2^32, found ${n}.` });
  }
}

/** Derives a uint32 seed from a parent seed and a label, for independent streams (per round, per trainer). */
export function deriveSeed(parent: RandomSeed, ...labels: readonly (string | number)[]): number {
  const parts: Uint8Array[] = [DERIVE_TAG, seedBytes(parent)];
  for (const label of labels) {
    if (typeof label === "number") parts.push(seedBytes(label));
    else parts.push(stringToBytes(label));
    parts.push(SEPARATOR);
  }
  const digest = hexToBytes(keccak256(concatBytes(parts)));
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, false);
}

function seedBytes(seed: RandomSeed): Uint8Array {
  if (typeof seed === "number") {
    if (!Number.isInteger(seed) || seed < 0 || seed >= UINT32_RANGE) throw new InvalidRandomSeedError(seed);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, seed, false);
    return bytes;
  }
  if (typeof seed === "string" && isHex(seed, { strict: true }) && seed.length > 2 && seed.length % 2 === 0) return hexToBytes(seed);
  throw new InvalidRandomSeedError(seed);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}

const UINT32_RANGE = 4294967296;
const SEED_TAG = stringToBytes("mycelium/random@1");
const DERIVE_TAG = stringToBytes("mycelium/derive-seed@1");
const SEPARATOR = new Uint8Array([0]);
