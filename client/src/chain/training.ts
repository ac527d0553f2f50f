/**
 * Values of the TrainingJobs contract in client form: its enums as names (contracts/types/Training.sol; ordinals are
 * the contract's and only grow), the commitment and tuple hashes exactly as the contract computes them, and the
 * binary encodings of libp2p peer ids and multiaddrs that `join` and `updatePeerInfo` take.
 */
import { randomBytes } from "node:crypto";
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";
import { base58btc } from "multiformats/bases/base58";
import { CID } from "multiformats/cid";
import { bytesToHex, encodeAbiParameters, hexToBytes, isHex, keccak256, parseAbiParameters, type Address, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/chain.ts";
import { toAddress, toUint } from "./args.ts";
import type { CidLike } from "../storage/cid.ts";
import { cidToHex } from "./cid.ts";

export const JOB_STATUSES = ["none", "scheduled", "running", "ended", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Where a job's current round stands by the clock (see the contract's `Phase`). */
export const PHASES = ["scheduled", "commit", "reveal", "attest", "finalize", "ended", "cancelled"] as const;
export type Phase = (typeof PHASES)[number];

export const TRAINER_STATUSES = ["none", "active", "left", "slashed", "withdrawn"] as const;
export type TrainerStatus = (typeof TRAINER_STATUSES)[number];

export const ROUND_STATUSES = ["pending", "succeeded", "failed"] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];

type Named<T extends string> = T | `unknown(${number})`;

function named<const T extends readonly string[]>(names: T) {
  return (ordinal: number | bigint): Named<T[number]> => names[Number(ordinal)] ?? (`unknown(${Number(ordinal)})` as const);
}

export const jobStatusName = named(JOB_STATUSES);
export const phaseName = named(PHASES);
export const trainerStatusName = named(TRAINER_STATUSES);
export const roundStatusName = named(ROUND_STATUSES);

export type ComputeCommitmentParameters = {
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
 * The commitment `commit` expects: `keccak256(abi.encode(bytes updateCid, uint256 samples, bytes32 salt,
 * address trainer))`, exactly as ITrainingJobs documents and `computeCommitment` on the contract returns.
 */
export function computeCommitment(parameters: ComputeCommitmentParameters): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters("bytes, uint256, bytes32, address"), [
      cidToHex(parameters.updateCid),
      toUint(parameters.samples, "samples"),
      toSalt(parameters.salt),
      toAddress(parameters.trainer, "trainer"),
    ]),
  );
}

/** The key attestations are tallied under: `keccak256(abi.encode(bytes aggregateCid, uint256 includedMask, uint256 includedSamples))`. */
export function computeTupleHash(parameters: { aggregateCid: CidLike; includedMask: bigint; includedSamples: bigint | number }): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters("bytes, uint256, uint256"), [
      cidToHex(parameters.aggregateCid),
      toUint(parameters.includedMask, "includedMask"),
      toUint(parameters.includedSamples, "includedSamples"),
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

/**
 * A libp2p peer id in the binary form the contract stores (its multihash): from the bytes, hex, a base58btc string
 * (`12D3KooW…`, `Qm…`) or a CIDv1 string (`bafz…`).
 */
export function encodePeerId(peerId: Uint8Array | string): Hex {
  if (peerId instanceof Uint8Array) return bytesToHex(peerId);
  if (isHex(peerId) && peerId.length > 2) return peerId;
  try {
    if (peerId.startsWith("1") || peerId.startsWith("Q")) return bytesToHex(base58btc.baseDecode(peerId));
    return bytesToHex(CID.parse(peerId).multihash.bytes);
  } catch (cause) {
    throw new InvalidArgumentError({ parameter: "peer id", value: peerId, expected: "a libp2p peer id (12D3KooW…, Qm… or bafz…) or its bytes", cause });
  }
}

/** The usual string form (12D3KooW…, Qm…) of a binary peer id, as `TrainerJoined` and `PeerInfoUpdated` carry it. */
export function decodePeerId(peerId: Hex | Uint8Array): string {
  return base58btc.baseEncode(peerId instanceof Uint8Array ? peerId : hexToBytes(peerId));
}

/** A multiaddr in binary form: from a Multiaddr, its bytes, hex, or a string such as `/ip4/127.0.0.1/tcp/4001`. */
export function encodeMultiaddr(address: Multiaddr | Uint8Array | string): Hex {
  if (address instanceof Uint8Array) return bytesToHex(address);
  if (typeof address !== "string") return bytesToHex(address.bytes);
  if (isHex(address)) return address;
  try {
    return bytesToHex(multiaddr(address).bytes);
  } catch (cause) {
    throw new InvalidArgumentError({ parameter: "multiaddr", value: address, expected: "a multiaddr such as /ip4/127.0.0.1/tcp/4001", cause });
  }
}

/** Decodes the binary multiaddrs a `TrainerJoined` or `PeerInfoUpdated` event carries. */
export function decodeMultiaddrs(addresses: readonly Hex[]): Multiaddr[] {
  return addresses.map((address) => multiaddr(hexToBytes(address)));
}

function toSalt(salt: Hex): Hex {
  if (!isHex(salt) || salt.length !== 66) throw new InvalidArgumentError({ parameter: "salt", value: salt, expected: "32 bytes of hex (0x + 64 digits)" });
  return salt;
}

