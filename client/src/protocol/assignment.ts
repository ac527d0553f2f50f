import { hexToBytes, isHex, keccak256, stringToBytes, type Hex } from "viem";
import { InvalidShardAssignmentError } from "../datasets/errors.ts";

export type AssignShardsParameters = {
  /** The round seed fixed on-chain when the previous round finalized (bytes32, 0x + 64 hex digits). */
  roundSeed: Hex;
  /** The trainer's index in the job (its join order, from 0). */
  trainerIndex: number;
  /** Number of shards in the dataset's training split. */
  shardCount: number;
  /** `shardsPerTrainer` from the job spec. */
  shardsPerTrainer: number;
};

/**
 * Which training shards a trainer uses in a round: the same function for trainers, verifiers, tests and the demo.
 *
 * Definition (`mycelium/shard-assignment@1`), with n = shardCount, S = shardsPerTrainer, i = trainerIndex:
 * 1. A permutation π of 0..n-1 from the round seed (shardPermutation): start from the identity and, for k from n-1
 *    down to 1, swap π[k] with π[j] where
 *    j = uint256(keccak256(utf8("mycelium/shard-assignment@1") ‖ roundSeed (32 bytes) ‖ uint32be(n) ‖ uint32be(k))) mod (k+1).
 * 2. Trainer i takes the S consecutive slots starting at slot (i·S) mod n, wrapping around:
 *    { π[(i·S + t) mod n] : t = 0..S-1 }, returned in ascending shard order.
 *
 * Consequences: within a round, trainers 0..⌊n/S⌋-1 get pairwise disjoint shards (an IID partition of the training
 * split), and when the trainer count times S equals n every shard is used exactly once, so a round of federated
 * training sees exactly the samples of one centralized epoch. Trainer indices beyond ⌊n/S⌋-1 wrap around and share
 * shards with lower indices. Each round draws a fresh permutation, so a trainer sees different data every round.
 */
export function assignShards(params: AssignShardsParameters): number[] {
  const { trainerIndex, shardCount, shardsPerTrainer } = params;
  checkCounts(shardCount, shardsPerTrainer);
  if (!Number.isSafeInteger(trainerIndex) || trainerIndex < 0) {
    throw new InvalidShardAssignmentError("trainerIndex", "a non-negative integer", trainerIndex);
  }
  const permutation = shardPermutation(params.roundSeed, shardCount);
  const start = Number((BigInt(trainerIndex) * BigInt(shardsPerTrainer)) % BigInt(shardCount));
  const shards: number[] = [];
  for (let t = 0; t < shardsPerTrainer; t++) shards.push(permutation[(start + t) % shardCount]!);
  return shards.sort((a, b) => a - b);
}

/** The round's permutation of shard indices (step 1 of assignShards). */
export function shardPermutation(roundSeed: Hex, shardCount: number): Uint32Array {
  if (typeof roundSeed !== "string" || !isHex(roundSeed, { strict: true }) || roundSeed.length !== 66) {
    throw new InvalidShardAssignmentError("roundSeed", "a bytes32 hex string (0x + 64 hex digits)", roundSeed);
  }
  checkCounts(shardCount, 1);
  const message = new Uint8Array(TAG.length + 32 + 8);
  message.set(TAG, 0);
  message.set(hexToBytes(roundSeed), TAG.length);
  const view = new DataView(message.buffer);
  view.setUint32(TAG.length + 32, shardCount, false);
  const permutation = new Uint32Array(shardCount);
  for (let i = 0; i < shardCount; i++) permutation[i] = i;
  for (let k = shardCount - 1; k > 0; k--) {
    view.setUint32(TAG.length + 36, k, false);
    const j = Number(BigInt(keccak256(message)) % BigInt(k + 1));
    const tmp = permutation[k]!;
    permutation[k] = permutation[j]!;
    permutation[j] = tmp;
  }
  return permutation;
}

function checkCounts(shardCount: number, shardsPerTrainer: number): void {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 0xffffffff) {
    throw new InvalidShardAssignmentError("shardCount", "an integer in [1, 2^32 - 1]", shardCount);
  }
  if (!Number.isInteger(shardsPerTrainer) || shardsPerTrainer < 1 || shardsPerTrainer > shardCount) {
    throw new InvalidShardAssignmentError("shardsPerTrainer", `an integer in [1, shardCount = ${shardCount}]`, shardsPerTrainer);
  }
}

const TAG = stringToBytes("mycelium/shard-assignment@1");
