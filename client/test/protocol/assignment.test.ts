import { expect } from "chai";
import { concatBytes, hexToBytes, keccak256, numberToBytes, stringToBytes, type Hex } from "viem";
import { InvalidShardAssignmentError, assignShards, shardPermutation } from "../../src/index.ts";

const seedA: Hex = `0x${"ab".repeat(32)}`;
const seedB: Hex = keccak256(stringToBytes("another round"));

/** The definition in assignShards' documentation, written out independently of the implementation. */
function referenceAssignment(roundSeed: Hex, trainerIndex: number, n: number, s: number): number[] {
  const permutation = Array.from({ length: n }, (_, i) => i);
  for (let k = n - 1; k > 0; k--) {
    const digest = keccak256(
      concatBytes([
        stringToBytes("mycelium/shard-assignment@1"),
        hexToBytes(roundSeed),
        numberToBytes(n, { size: 4 }),
        numberToBytes(k, { size: 4 }),
      ]),
    );
    const j = Number(BigInt(digest) % BigInt(k + 1));
    [permutation[k], permutation[j]] = [permutation[j]!, permutation[k]!];
  }
  return Array.from({ length: s }, (_, t) => permutation[(trainerIndex * s + t) % n]!).sort((a, b) => a - b);
}

describe("assignShards", () => {
  it("follows its documented definition", () => {
    for (const [seed, trainer, n, s] of [
      [seedA, 0, 40, 10],
      [seedA, 3, 40, 10],
      [seedB, 7, 40, 5],
      [seedB, 12, 7, 3],
      [seedA, 0, 1, 1],
    ] as const) {
      expect(assignShards({ roundSeed: seed, trainerIndex: trainer, shardCount: n, shardsPerTrainer: s })).to.deep.equal(
        referenceAssignment(seed, trainer, n, s),
      );
    }
  });

  it("is deterministic and pinned: these values must never change, every trainer depends on them", () => {
    expect(assignShards({ roundSeed: seedA, trainerIndex: 2, shardCount: 10, shardsPerTrainer: 3 })).to.deep.equal(
      assignShards({ roundSeed: seedA, trainerIndex: 2, shardCount: 10, shardsPerTrainer: 3 }),
    );
    expect([...shardPermutation(seedA, 10)]).to.deep.equal(PINNED_PERMUTATION);
  });

  it("partitions the shards when trainers x shardsPerTrainer = shardCount (IID, disjoint, complete)", () => {
    for (const trainers of [4, 8]) {
      const all = Array.from({ length: trainers }, (_, i) =>
        assignShards({ roundSeed: seedB, trainerIndex: i, shardCount: 40, shardsPerTrainer: 40 / trainers }),
      );
      expect(all.every((shards) => shards.length === 40 / trainers)).to.equal(true);
      expect(all.flat().sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i));
    }
  });

  it("changes with the round seed and wraps around for trainers beyond the partition", () => {
    const a = Array.from({ length: 4 }, (_, i) =>
      assignShards({ roundSeed: seedA, trainerIndex: i, shardCount: 40, shardsPerTrainer: 10 }),
    );
    const b = Array.from({ length: 4 }, (_, i) =>
      assignShards({ roundSeed: seedB, trainerIndex: i, shardCount: 40, shardsPerTrainer: 10 }),
    );
    expect(a).to.not.deep.equal(b);
    expect(assignShards({ roundSeed: seedA, trainerIndex: 4, shardCount: 40, shardsPerTrainer: 10 })).to.deep.equal(a[0]);
    // 3 shards per trainer over 7 shards: trainer 2 takes slots 6, 0, 1
    const permutation = shardPermutation(seedA, 7);
    expect(assignShards({ roundSeed: seedA, trainerIndex: 2, shardCount: 7, shardsPerTrainer: 3 })).to.deep.equal(
      [permutation[6]!, permutation[0]!, permutation[1]!].sort((x, y) => x - y),
    );
  });

  it("rejects parameters that cannot describe a round", () => {
    const ok = { roundSeed: seedA, trainerIndex: 0, shardCount: 4, shardsPerTrainer: 2 };
    for (const bad of [
      { roundSeed: "0x1234" as Hex },
      { roundSeed: `0x${"zz".repeat(32)}` as Hex },
      { trainerIndex: -1 },
      { trainerIndex: 1.5 },
      { shardCount: 0 },
      { shardsPerTrainer: 5 },
      { shardsPerTrainer: 0 },
    ]) {
      expect(() => assignShards({ ...ok, ...bad })).to.throw(InvalidShardAssignmentError);
    }
  });
});

const PINNED_PERMUTATION = [1, 0, 7, 9, 3, 8, 5, 6, 4, 2];
