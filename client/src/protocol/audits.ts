/**
 * Replay audits (trainer/README.md, "Replay audits (normative)"): which revealed updates of a round every attester
 * replays, drawn from a seed no single trainer controls, and the stake that makes faking the work lose money in
 * expectation. Replaying itself needs TF.js and lives in the trainer (`auditByReplay`); its verdict enters aggregation
 * as an update with `replayMismatch`.
 */
import { encodeAbiParameters, keccak256, parseAbiParameters, type Address, type Hex } from "viem";
import { toAddress, toBytes32, toUint } from "../chain/args.ts";
import { InvalidArgumentError } from "../errors/chain.ts";

export type ComputeAuditSeedParameters = {
  chainId: number | bigint;
  /** The TrainingJobs contract. */
  contract: Address;
  jobId: bigint | number;
  round: bigint | number;
  /** The round's seed (`getRound(...).seed`). */
  roundSeed: Hex;
  /** Every on-time reveal of the round: the trainer index and the salt of its commitment, in any order. */
  reveals: readonly { trainerIndex: number; salt: Hex }[];
};

/**
 * The seed of a round's audit draw: `keccak256(abi.encode(uint256 chainId, address contract, uint256 jobId,
 * uint256 round, bytes32 roundSeed, uint256[] indices, bytes32[] salts))` over the on-time reveals in ascending
 * trainer index. Every salt was committed before any was revealed and each is 32 random bytes of its trainer, so no
 * trainer can steer the draw when it commits; the last to reveal can only choose not to reveal on time, and a late
 * reveal is audited anyway (selectAudits).
 */
export function computeAuditSeed(parameters: ComputeAuditSeedParameters): Hex {
  const reveals = [...parameters.reveals].sort((a, b) => a.trainerIndex - b.trainerIndex);
  for (const [i, reveal] of reveals.entries()) {
    toUint(reveal.trainerIndex, "trainerIndex", 8);
    if (i > 0 && reveals[i - 1]!.trainerIndex === reveal.trainerIndex)
      throw new InvalidArgumentError({ parameter: "reveals", value: reveal.trainerIndex, expected: "one reveal per trainer index" });
    toBytes32(reveal.salt, "salt");
  }
  return keccak256(
    encodeAbiParameters(parseAbiParameters("uint256, address, uint256, uint256, bytes32, uint256[], bytes32[]"), [
      toUint(parameters.chainId, "chainId"),
      toAddress(parameters.contract, "contract"),
      toUint(parameters.jobId, "jobId"),
      toUint(parameters.round, "round"),
      toBytes32(parameters.roundSeed, "roundSeed"),
      reveals.map((reveal) => BigInt(reveal.trainerIndex)),
      reveals.map((reveal) => reveal.salt),
    ]),
  );
}

export type AuditCandidate = {
  trainerIndex: number;
  /** The samples the reveal declares (the update's weight in the aggregate and in the draw). */
  samples: bigint | number;
  /** Revealed during the attest window: never paid, always audited. */
  late: boolean;
};

export type AuditSelection = {
  /** The trainer indices drawn from the on-time reveals, in draw order. */
  drawn: number[];
  /** Every trainer index to replay, ascending: the drawn ones and every late reveal. */
  audited: number[];
};

/**
 * The updates every attester replays. `count` draws without replacement from the on-time reveals, each draw picking
 * update i with probability samples_i / (samples still in the pool): draw k takes
 * `r = uint256(keccak256(abi.encode(bytes32 auditSeed, uint256 k))) mod total` and walks the pool in ascending trainer
 * index, subtracting samples until r falls inside one. Integer arithmetic only, so every implementation draws the same.
 * Weighting by samples makes the chance of being drawn grow with the reward claimed: a trainer's expected slash and
 * its share of the reward are proportional to the same samples (see `minimumAuditStake`). Late reveals are all
 * audited: not revealing on time cannot dodge a draw.
 */
export function selectAudits(parameters: { auditSeed: Hex; reveals: readonly AuditCandidate[]; count: number }): AuditSelection {
  const seed = toBytes32(parameters.auditSeed, "auditSeed");
  if (!Number.isSafeInteger(parameters.count) || parameters.count < 1)
    throw new InvalidArgumentError({ parameter: "count", value: parameters.count, expected: "an integer >= 1 (audits per round)" });
  const seen = new Set<number>();
  for (const reveal of parameters.reveals) {
    toUint(reveal.trainerIndex, "trainerIndex", 8);
    if (seen.has(reveal.trainerIndex))
      throw new InvalidArgumentError({ parameter: "reveals", value: reveal.trainerIndex, expected: "one reveal per trainer index" });
    seen.add(reveal.trainerIndex);
    const samples = toUint(reveal.samples, "samples");
    if (samples < 1n)
      throw new InvalidArgumentError({ parameter: "samples", value: reveal.samples, expected: "at least 1 (as reveal requires)" });
  }
  const pool = parameters.reveals
    .filter((reveal) => !reveal.late)
    .map((reveal) => ({ trainerIndex: reveal.trainerIndex, samples: BigInt(reveal.samples) }))
    .sort((a, b) => a.trainerIndex - b.trainerIndex);
  const drawn: number[] = [];
  for (let k = 0; k < parameters.count && pool.length > 0; k++) {
    const total = pool.reduce((sum, entry) => sum + entry.samples, 0n);
    let r = BigInt(keccak256(encodeAbiParameters(parseAbiParameters("bytes32, uint256"), [seed, BigInt(k)]))) % total;
    let pick = 0;
    while (r >= pool[pick]!.samples) {
      r -= pool[pick]!.samples;
      pick++;
    }
    drawn.push(pool[pick]!.trainerIndex);
    pool.splice(pick, 1);
  }
  const audited = new Set(drawn);
  for (const reveal of parameters.reveals) if (reveal.late) audited.add(reveal.trainerIndex);
  return { drawn, audited: [...audited].sort((a, b) => a - b) };
}

/**
 * How many times the break-even stake `minimumAuditStake` asks for. A caught cheater loses its stake; one not drawn
 * earns reward x samples / includedSamples, which exceeds reward x samples / S (S the round's on-time samples) when
 * other updates are excluded: the margin keeps cheating a loss while up to half of the on-time samples are excluded.
 */
export const AUDIT_STAKE_MARGIN = 2;

/**
 * The smallest `minStake` that makes faking work lose money in expectation at `auditsPerRound` draws:
 * ceil(AUDIT_STAKE_MARGIN x roundReward / auditsPerRound). A trainer with s of the round's S on-time samples is drawn
 * with probability p >= s / S (the first draw alone; about auditsPerRound x s / S while that is small). Drawn, an
 * update that fails its replay is paid nothing and loses the whole stake; not drawn, it earns at most
 * roundReward x s / includedSamples <= AUDIT_STAKE_MARGIN x roundReward x s / S while includedSamples >= S / 2. The
 * expected gain (1 - p) x AUDIT_STAKE_MARGIN x roundReward x s / S - p x stake is negative for any
 * stake >= AUDIT_STAKE_MARGIN x roundReward / auditsPerRound. A round's reward can exceed the per-round share by the
 * job's carry and forfeits: trainer/README.md states when the bound holds.
 */
export function minimumAuditStake(parameters: { roundReward: bigint; auditsPerRound: number }): bigint {
  const audits = parameters.auditsPerRound;
  if (!Number.isSafeInteger(audits) || audits < 1)
    throw new InvalidArgumentError({ parameter: "auditsPerRound", value: audits, expected: "an integer >= 1" });
  const reward = toUint(parameters.roundReward, "roundReward") * BigInt(AUDIT_STAKE_MARGIN);
  const n = BigInt(audits);
  return (reward + n - 1n) / n;
}

/** The most audits per round a job may ask for (the contract's `uint8 auditsPerRound`). */
export const MAX_AUDITS_PER_ROUND = 255;

/**
 * The fewest audits per round that keep faking the work unprofitable at this stake (the contract's `createJob` check,
 * `minStake * auditsPerRound >= AUDIT_STAKE_MARGIN * rewardPerRound`): ceil(AUDIT_STAKE_MARGIN x rewardPerRound /
 * minStake), at least 1. Every audit costs every attester one replay of a trainer's local training. Throws
 * InvalidArgumentError, naming the stake to ask for, when even MAX_AUDITS_PER_ROUND would not do.
 */
export function minimumAuditsPerRound(parameters: { rewardPerRound: bigint; minStake: bigint }): number {
  const reward = toUint(parameters.rewardPerRound, "rewardPerRound") * BigInt(AUDIT_STAKE_MARGIN);
  const stake = toUint(parameters.minStake, "minStake");
  if (stake === 0n) throw new InvalidArgumentError({ parameter: "minStake", value: stake, expected: "a positive amount" });
  const audits = (reward + stake - 1n) / stake;
  if (audits > BigInt(MAX_AUDITS_PER_ROUND)) {
    throw new InvalidArgumentError({
      parameter: "minStake",
      value: stake,
      expected:
        `at least ${minimumAuditStake({ roundReward: parameters.rewardPerRound, auditsPerRound: MAX_AUDITS_PER_ROUND })} ` +
        `(${AUDIT_STAKE_MARGIN} round rewards over at most ${MAX_AUDITS_PER_ROUND} audits per round); ` +
        `a stake of ${minimumAuditStake({ roundReward: parameters.rewardPerRound, auditsPerRound: 1 })} needs one audit per round`,
    });
  }
  return audits < 1n ? 1 : Number(audits);
}
