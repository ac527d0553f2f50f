/**
 * The hashes of the round protocol exactly as the TrainingJobs contract computes them: the commitment of an update, the
 * key attestations are tallied under, and the round seed; and the inclusion mask of a set of trainer indices.
 */
import { randomBytes } from "node:crypto";
import { bytesToHex, encodeAbiParameters, keccak256, parseAbiParameters, type Address, type Hex } from "viem";
import { toAddress, toBytes32, toUint } from "../chain/args.ts";
import { cidToHex } from "../chain/cid.ts";
import type { CidLike } from "../storage/cid.ts";

export type ComputeCommitmentParameters = {
  /** The chain the job lives on. */
  chainId: number | bigint;
  /** The TrainingJobs contract. */
  contract: Address;
  jobId: bigint | number;
  /** The round the update belongs to. */
  round: bigint | number;
  /** The update's CID (sent as binary CIDv1, as `reveal` will send it). */
  updateCid: CidLike;
  /** Samples trained on. */
  samples: bigint | number;
  /** 32 random bytes kept secret until the reveal. */
  salt: Hex;
  /** The committing account. */
  trainer: Address;
};

/**
 * The commitment `commit` expects: `keccak256(abi.encode(uint256 chainId, address contract, uint256 jobId,
 * uint256 round, bytes updateCid, uint256 samples, bytes32 salt, address trainer))`, exactly as ITrainingJobs documents
 * and `computeCommitment` on the contract returns. Binding the chain, contract, job and round means a commitment (and
 * its reveal) can never be replayed in another round, job or deployment.
 */
export function computeCommitment(parameters: ComputeCommitmentParameters): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters("uint256, address, uint256, uint256, bytes, uint256, bytes32, address"), [
      toUint(parameters.chainId, "chainId"),
      toAddress(parameters.contract, "contract"),
      toUint(parameters.jobId, "jobId"),
      toUint(parameters.round, "round"),
      cidToHex(parameters.updateCid),
      toUint(parameters.samples, "samples"),
      toBytes32(parameters.salt, "salt"),
      toAddress(parameters.trainer, "trainer"),
    ]),
  );
}

/**
 * The key attestations are tallied under:
 * `keccak256(abi.encode(bytes aggregateCid, uint256 includedMask, uint256 includedSamples, uint256 slashMask))`.
 */
export function computeTupleHash(parameters: {
  aggregateCid: CidLike;
  includedMask: bigint;
  includedSamples: bigint | number;
  slashMask: bigint;
}): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters("bytes, uint256, uint256, uint256"), [
      cidToHex(parameters.aggregateCid),
      toUint(parameters.includedMask, "includedMask"),
      toUint(parameters.includedSamples, "includedSamples"),
      toUint(parameters.slashMask, "slashMask"),
    ]),
  );
}

export type ComputeRoundSeedParameters = {
  chainId: number | bigint;
  /** The TrainingJobs contract. */
  contract: Address;
  jobId: bigint | number;
  round: bigint | number;
  /** The global model at the start of `round`: the winning aggregate of the last successful round, or the base model. */
  modelCid: CidLike;
};

/**
 * The seed of a round, exactly as TrainingJobs fixes it when the previous round is finalized:
 * `keccak256(abi.encode(uint256 chainId, address contract, uint256 jobId, uint256 round, bytes modelCid))`. Anyone
 * can compute it before the finalization from the aggregate they expect to win (the trainer uses this to start the
 * next round's training while the chain settles the current one); `getRound` returns the fixed value.
 */
export function computeRoundSeed(parameters: ComputeRoundSeedParameters): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters("uint256, address, uint256, uint256, bytes"), [
      toUint(parameters.chainId, "chainId"),
      toAddress(parameters.contract, "contract"),
      toUint(parameters.jobId, "jobId"),
      toUint(parameters.round, "round"),
      cidToHex(parameters.modelCid),
    ]),
  );
}

/** A fresh 32-byte salt for a commitment (keep it: the reveal needs it). */
export function randomSalt(): Hex {
  return bytesToHex(randomBytes(32));
}

/** The inclusion mask of a set of trainer indices (bit i for index i). */
export function inclusionMask(indices: Iterable<number | bigint>): bigint {
  let mask = 0n;
  for (const index of indices) mask |= 1n << toUint(index, "trainer index", 8);
  return mask;
}

/** The trainer indices set in an inclusion mask, ascending. */
export function maskIndices(mask: bigint): number[] {
  const indices: number[] = [];
  for (let index = 0; mask >> BigInt(index) > 0n; index++) if ((mask >> BigInt(index)) & 1n) indices.push(index);
  return indices;
}
