import { expect } from "chai";
import { concatBytes, hexToBytes, keccak256, stringToBytes } from "viem";
import { InvalidRandomRangeError, InvalidRandomSeedError, SeededRandom, deriveSeed } from "../../src/index.ts";

/** xoshiro128** from its definition, in BigInt arithmetic, seeded as SeededRandom documents. */
function* reference(seed: number): Generator<number> {
  const digest = hexToBytes(
    keccak256(
      concatBytes([stringToBytes("mycelium/random@1"), Uint8Array.of(seed >>> 24, (seed >>> 16) & 255, (seed >>> 8) & 255, seed & 255)]),
    ),
  );
  const word = (i: number) => BigInt((digest[i]! << 24) | (digest[i + 1]! << 16) | (digest[i + 2]! << 8) | digest[i + 3]!) & 0xffffffffn;
  const s = [word(0), word(4), word(8), word(12)];
  const mask = 0xffffffffn;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & mask;
  for (;;) {
    const result = (rotl((s[1]! * 5n) & mask, 7n) * 9n) & mask;
    const t = (s[1]! << 9n) & mask;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11n);
    yield Number(result);
  }
}

describe("SeededRandom", () => {
  it("is xoshiro128** seeded from keccak256, as documented, and pinned", () => {
    const random = new SeededRandom(42);
    const expected = reference(42);
    for (let i = 0; i < 1000; i++) expect(random.nextUint32()).to.equal(expected.next().value);
    const fresh = new SeededRandom(42);
    expect([fresh.nextUint32(), fresh.nextUint32(), fresh.nextUint32(), fresh.nextUint32()]).to.deep.equal([
      2419052563, 535454441, 2284974214, 2713913380,
    ]);
  });

  it("draws unbiased integers, floats in [0, 1) and shuffles into permutations", () => {
    const random = new SeededRandom(7);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[random.nextInt(6)]!++;
    for (const count of counts) expect(count).to.be.within(9600, 10400);
    for (let i = 0; i < 1000; i++) expect(random.nextFloat()).to.be.within(0, 1 - Number.EPSILON / 2);
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < 20000; i++) {
      const x = random.nextNormal();
      sum += x;
      squares += x * x;
    }
    expect(sum / 20000).to.be.within(-0.05, 0.05);
    expect(squares / 20000).to.be.within(0.95, 1.05);
    expect([...random.permutation(50)].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
  });

  it("accepts uint32 and hex seeds only", () => {
    expect(new SeededRandom(`0x${"ab".repeat(32)}`).nextUint32()).to.be.a("number");
    for (const bad of [-1, 2 ** 32, 1.5, "0x", "0xabc", "abcd", Number.NaN]) {
      expect(() => new SeededRandom(bad as never)).to.throw(InvalidRandomSeedError);
    }
    expect(() => new SeededRandom(1).nextInt(0)).to.throw(InvalidRandomRangeError);
  });

  it("derives independent uint32 seeds from a parent and labels", () => {
    expect(deriveSeed(42, "initializer", 0)).to.equal(1682700411);
    expect(deriveSeed(`0x${"ab".repeat(32)}`, 3)).to.equal(1195639223);
    const seeds = new Set([deriveSeed(1, 0, 1), deriveSeed(1, 1, 0), deriveSeed(1, "0", 1), deriveSeed(2, 0, 1), deriveSeed(1, "01")]);
    expect(seeds.size).to.equal(5);
  });
});
