/**
 * Unit tests of TrainingJobs v2 (and its JobSetup library), against the spec in ITrainingJobs and types/Training.sol:
 * every revert by name and arguments, the events an indexer reads, and every token movement to the unit.
 */
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  keccak256,
  parseAbiParameters,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
} from "viem";
import { errorSelector, expectRevert } from "../fixtures/errors";
import { AssetKind, AssetState, MIN_WINDOW, cid, eventsOf, mined } from "../fixtures/protocol";
import {
  BURN_ADDRESS,
  CLAIM_PERIOD,
  CLAIM_ROUNDS,
  COMMIT_WINDOW,
  IDLE_ROUNDS,
  JobStatus,
  IDLE_BPS,
  LATE_REVEAL_BPS,
  LOSING_BPS,
  MAX_SAMPLES,
  NO_TUPLE,
  PenaltyReason,
  Phase,
  REVEAL_WINDOW,
  ATTEST_WINDOW,
  AUDIT_STAKE_MARGIN,
  RoundStatus,
  SILENT_BPS,
  TrainerStatus,
  UNBOND_ROUNDS,
  WEIGHT_UNIT,
  advanceTo,
  attestAll,
  balanceOf,
  claimed,
  commitAll,
  commitAndReveal,
  commitmentOf,
  createJob,
  finalizeWith,
  gotoPhase,
  honestTuple,
  jobParams,
  joinAll,
  makeAccounts,
  maskOf,
  multiaddrOf,
  nextBlockAt,
  peerIdOf,
  penaltyOf,
  revealAll,
  runHonestRound,
  shareOf,
  trainingFixture,
  tupleHashOf,
  updatesFor,
  weightOf,
  type Account,
  type JobOptions,
  type Token,
  type TrainingContext,
  type TrainingJobs,
  type Tuple,
  type Update,
} from "../fixtures/training";

const USDC = 10n ** 6n;
const DAI = 10n ** 18n;
/** The default job's reward per round and minimum stake (usdc, 6 decimals). */
const REWARD = 1_000n * USDC;
const MIN_STAKE = 100n * USDC;
/** The fixtures' stake: its penalties do not divide evenly, so the contract's rounding up shows. */
const STAKE = 123_456_789n;
/** The weight of STAKE under the default cap. */
const W = weightOf(STAKE, MIN_STAKE);
const MAX_WINDOW = 30n * 24n * 3_600n;
const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;
/** A 24-byte CIDv1 (raw, 20-byte digest) and two 68-byte ones (dag-cbor, 64-byte digest): one packs, two are stored whole. */
const SHORT_CID: Hex = `0x01551214${keccak256(toHex("short")).slice(2, 42)}`;
const LONG_CID: Hex = `0x01711340${keccak256(toHex("long:1")).slice(2)}${keccak256(toHex("long:2")).slice(2)}`;
const OTHER_LONG_CID: Hex = `0x01711340${keccak256(toHex("long:3")).slice(2)}${keccak256(toHex("long:4")).slice(2)}`;

type Four<T> = [T, T, T, T];
type Receipt = Awaited<ReturnType<typeof mined>>;

// ---------------------------------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------------------------------

/** The protocol and six trainer accounts funded with both tokens (approved for TrainingJobs); no job yet. */
async function trainersFixture() {
  const ctx = await trainingFixture();
  const accounts = await makeAccounts("trainer", 6, [ctx.usdc, ctx.dai], ctx.jobs.address, 10n ** 30n);
  return { ...ctx, accounts: accounts as [Account, Account, Account, Account, Account, Account] };
}

/** A new job created with `options`, which the first four accounts join with STAKE each (indices 0-3); two spare accounts. */
async function jobWithFourTrainers(ctx: Awaited<ReturnType<typeof trainersFixture>>, options: JobOptions) {
  const [a, b, c, d, e, f] = ctx.accounts;
  const jobId = await createJob(ctx, options);
  const trainers: Four<Account> = [a, b, c, d];
  await joinAll(ctx, jobId, trainers, STAKE);
  return { ...ctx, jobId, trainers, extra: [e, f] as [Account, Account] };
}

/** Four trainers (indices 0-3, first round 0, STAKE each) in a 3-round usdc job paying REWARD per round; round 0 not begun. */
async function fourTrainerJobFixture() {
  return jobWithFourTrainers(await trainersFixture(), { numRounds: 3 });
}

/** The same with 6 rounds (room for unbonding, eviction and sweeps while the job runs). */
async function sixRoundJobFixture() {
  return jobWithFourTrainers(await trainersFixture(), { numRounds: 6 });
}

type Job = Awaited<ReturnType<typeof fourTrainerJobFixture>>;

// ---------------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------------

/** Every event TrainingJobs emitted in a receipt, decoded, in log order. */
function jobEvents(receipt: Receipt, jobs: TrainingJobs) {
  return eventsOf(receipt, jobs);
}

type JobsEvent = ReturnType<typeof jobEvents>[number];

/** The `name` events TrainingJobs emitted in a receipt, in log order. */
function emitted<const N extends JobsEvent["eventName"]>(receipt: Receipt, jobs: TrainingJobs, name: N) {
  return jobEvents(receipt, jobs).filter((event) => event.eventName === name) as (JobsEvent & { eventName: N })[];
}

/** The arguments of the one `name` event in a receipt. */
function argsOf<const N extends JobsEvent["eventName"]>(receipt: Receipt, jobs: TrainingJobs, name: N) {
  const events = emitted(receipt, jobs, name);
  expect(events, `${name} events`).to.have.length(1);
  return events[0]!.args;
}

async function timestampOf(receipt: Receipt): Promise<bigint> {
  const publicClient = await hre.viem.getPublicClient();
  return (await publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
}

/** Seed of `round` as a client computes it: keccak256(abi.encode(chainId, contract, jobId, round, modelCid)). */
function seedOf(ctx: TrainingContext, jobId: bigint, round: bigint, modelCid: Hex): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters("uint256, address, uint256, uint256, bytes"), [
      ctx.domain.chainId,
      ctx.domain.jobs,
      jobId,
      round,
      modelCid,
    ]),
  );
}

function tupleOf(label: string, indices: readonly number[], includedSamples: bigint): Tuple {
  return { aggregateCid: cid(label), includedMask: maskOf(indices), includedSamples };
}

async function currentRound(job: Job): Promise<bigint> {
  return (await job.jobs.read.getRound([job.jobId])).round;
}

/** Finalizes the current round (as the outsider) once its attest window is over. */
async function finalizeAfterWindow(job: Job, tuple: Tuple = NO_TUPLE) {
  const { round, attestEnd } = await job.jobs.read.getRound([job.jobId]);
  await advanceTo(attestEnd);
  return finalizeWith(job.jobs, job.jobId, round, tuple, job.outsider);
}

/** Lets the current round pass with no on-time reveal: it fails as soon as its reveal window is over. */
async function skipRound(job: Job) {
  const { round, revealEnd } = await job.jobs.read.getRound([job.jobId]);
  await advanceTo(revealEnd);
  return finalizeWith(job.jobs, job.jobId, round, NO_TUPLE, job.outsider);
}

/** A round where `accounts` (trainer indices `indices`, 1,000 samples each) all attest `aggregateCid`: finalized early. */
async function runRoundWith(job: Job, accounts: readonly Account[], indices: readonly number[], aggregateCid: Hex) {
  const round = await currentRound(job);
  await commitAndReveal(job.jobs, job.jobId, updatesFor(accounts, job.jobId, round));
  const tuple: Tuple = { aggregateCid, includedMask: maskOf(indices), includedSamples: 1_000n * BigInt(accounts.length) };
  await attestAll(job.jobs, job.jobId, round, accounts, tuple);
  return finalizeWith(job.jobs, job.jobId, round, tuple, job.outsider);
}

function revealOf(job: Job, update: Update, round: bigint, overrides: Partial<Update> = {}) {
  const u = { ...update, ...overrides };
  return job.jobs.write.reveal([job.jobId, round, u.cid, u.samples, u.salt], { account: update.account.address });
}

function attestOf(job: Job, who: Account, round: bigint, tuple: Tuple) {
  return job.jobs.write.attest([job.jobId, round, tuple.aggregateCid, tuple.includedMask, tuple.includedSamples, tuple.slashMask ?? 0n], {
    account: who.address,
  });
}

function commitmentFor(job: Job, round: bigint, update: Update, trainer: Address = update.account.address): Hex {
  return commitmentOf(job.domain, job.jobId, round, update.cid, update.samples, update.salt, trainer);
}

async function stateOf(job: Job) {
  return (await job.jobs.read.getJob([job.jobId]))[1];
}

describe("TrainingJobs", () => {
  describe("deployment", () => {
    it("links JobSetup and takes a minimum window in [1, MAX_WINDOW]", async () => {
      const ctx = await loadFixture(trainingFixture);
      const setup = await hre.viem.deployContract("JobSetup");
      const deploy = (minWindow: bigint) =>
        hre.viem.deployContract("TrainingJobs", [ctx.registry.address, minWindow], { libraries: { JobSetup: setup.address } });
      await expectRevert(deploy(0n), "InvalidMinWindow", [0n, MAX_WINDOW]);
      await expectRevert(deploy(MAX_WINDOW + 1n), "InvalidMinWindow", [MAX_WINDOW + 1n, MAX_WINDOW]);
      expect(await (await deploy(1n)).read.minWindow()).to.equal(1n);
      const longest = await deploy(MAX_WINDOW);
      expect(await longest.read.minWindow()).to.equal(MAX_WINDOW);
      expect(getAddress(await longest.read.registry())).to.equal(getAddress(ctx.registry.address));
      expect(await longest.read.jobCount()).to.equal(0n);
    });

    it("exposes its constants; the tests' deployment has a one-minute minimum window", async () => {
      const { jobs, registry } = await loadFixture(trainingFixture);
      expect(await jobs.read.SILENT_BPS()).to.equal(SILENT_BPS);
      expect(await jobs.read.LOSING_BPS()).to.equal(LOSING_BPS);
      expect(await jobs.read.LATE_REVEAL_BPS()).to.equal(LATE_REVEAL_BPS);
      expect(await jobs.read.IDLE_BPS()).to.equal(IDLE_BPS);
      expect(await jobs.read.UNBOND_ROUNDS()).to.equal(UNBOND_ROUNDS);
      expect(await jobs.read.CLAIM_ROUNDS()).to.equal(CLAIM_ROUNDS);
      expect(await jobs.read.IDLE_ROUNDS()).to.equal(IDLE_ROUNDS);
      expect(await jobs.read.BURN_ADDRESS()).to.equal(BURN_ADDRESS);
      expect(await jobs.read.MAX_WINDOW()).to.equal(MAX_WINDOW);
      expect(await jobs.read.minWindow()).to.equal(BigInt(MIN_WINDOW));
      expect(await jobs.read.MAX_ROUNDS()).to.equal(2n ** 24n - 1n);
      expect(await jobs.read.MAX_TRAINERS()).to.equal(256n);
      expect(await jobs.read.MAX_STAKE()).to.equal(2n ** 88n - 1n);
      expect(await jobs.read.MAX_REWARD_POOL()).to.equal(2n ** 96n - 1n);
      expect(await jobs.read.MAX_ROUND_REWARD()).to.equal(2n ** 100n - 1n);
      expect(getAddress(await jobs.read.registry())).to.equal(getAddress(registry.address));
    });
  });

  describe("createJob", () => {
    it("stores the parameters, pulls the pool, emits them with round 0's seed and schedules round 0", async () => {
      const ctx = await loadFixture(trainingFixture);
      const params = await jobParams(ctx);
      const before = await balanceOf(ctx.usdc, ctx.sponsor);
      const receipt = await mined(ctx.jobs.write.createJob([params], { account: ctx.sponsor.address }));

      expect(await ctx.jobs.read.jobCount()).to.equal(1n);
      expect(before - (await balanceOf(ctx.usdc, ctx.sponsor))).to.equal(3n * REWARD);
      expect(await balanceOf(ctx.usdc, ctx.jobs.address)).to.equal(3n * REWARD);
      const seed = seedOf(ctx, 1n, 0n, params.baseModelCid);
      expect(argsOf(receipt, ctx.jobs, "JobCreated")).to.deep.equal({
        jobId: 1n,
        sponsor: ctx.sponsor.address,
        datasetId: ctx.datasetId,
        params,
        seed,
      });

      const [stored, state] = await ctx.jobs.read.getJob([1n]);
      expect(stored).to.deep.equal(params);
      expect(state).to.deep.equal({
        sponsor: ctx.sponsor.address,
        status: JobStatus.Scheduled,
        trainerCount: 0n,
        currentRound: 0n,
        carry: 0n,
        forfeits: 0n,
        unpaidPool: 3n * REWARD,
        trained: false,
        lastSuccessfulRound: 0n,
        everRevealed: false,
        endedAt: 0n,
        resultAssetId: 0n,
      });
      const commitEnd = params.startTime + BigInt(COMMIT_WINDOW);
      expect(await ctx.jobs.read.getRound([1n])).to.deep.equal({
        round: 0n,
        phase: Phase.Scheduled,
        start: params.startTime,
        commitEnd,
        revealEnd: commitEnd + BigInt(REVEAL_WINDOW),
        attestEnd: commitEnd + BigInt(REVEAL_WINDOW + ATTEST_WINDOW),
        seed,
        committedCount: 0n,
        revealedCount: 0n,
        lateRevealCount: 0n,
        attestedCount: 0n,
        revealedWeight: 0n,
        attestedWeight: 0n,
        leaderWeight: 0n,
        leaderTupleId: 0n,
        tupleCount: 0n,
        finalizable: false,
      });
      expect(await ctx.jobs.read.currentModel([1n])).to.deep.equal([params.baseModelCid, false, 0n]);

      // The seed binds the job id: a second job on the same base model starts from another seed.
      const second = await createJob(ctx);
      expect(second).to.equal(2n);
      expect((await ctx.jobs.read.getRound([2n])).seed).to.equal(seedOf(ctx, 2n, 0n, params.baseModelCid));
      expect(seedOf(ctx, 2n, 0n, params.baseModelCid)).to.not.equal(seed);
    });

    it("reverts every bad parameter with an error that names it", async () => {
      const ctx = await loadFixture(trainingFixture);
      const base = await jobParams(ctx, { startsIn: 86_400 });
      const create = (overrides: Partial<typeof base>) =>
        ctx.jobs.write.createJob([{ ...base, ...overrides }], { account: ctx.sponsor.address });
      const min = BigInt(MIN_WINDOW);

      await expectRevert(create({ token: zeroAddress }), "InvalidToken", [zeroAddress]);
      await expectRevert(create({ numRounds: 0, rewardPool: 0n }), "InvalidRoundCount", [0n, 2n ** 24n - 1n]);
      await expectRevert(create({ numRounds: 2 ** 24, rewardPool: REWARD * 2n ** 24n }), "InvalidRoundCount", [2n ** 24n, 2n ** 24n - 1n]);
      for (const field of ["commitWindow", "revealWindow", "attestWindow", "claimPeriod"] as const) {
        await expectRevert(create({ [field]: MIN_WINDOW - 1 }), "WindowOutOfRange", [min - 1n, min, MAX_WINDOW]);
        await expectRevert(create({ [field]: Number(MAX_WINDOW) + 1 }), "WindowOutOfRange", [MAX_WINDOW + 1n, min, MAX_WINDOW]);
      }
      await expectRevert(create({ quorumBps: 5_000 }), "InvalidQuorum", [5_000n]);
      await expectRevert(create({ quorumBps: 10_001 }), "InvalidQuorum", [10_001n]);
      await expectRevert(create({ participationBps: 4_999 }), "InvalidParticipation", [4_999n]);
      await expectRevert(create({ participationBps: 10_001 }), "InvalidParticipation", [10_001n]);
      await expectRevert(create({ weightCap: 0 }), "InvalidWeightCap", [0n]);
      await expectRevert(create({ maxTrainers: 0 }), "InvalidMaxTrainers", [0n, 256n]);
      await expectRevert(create({ maxTrainers: 257 }), "InvalidMaxTrainers", [257n, 256n]);
      await expectRevert(create({ maxSamples: 0 }), "InvalidMaxSamples", [0n]);
      await expectRevert(create({ minStake: 0n }), "InvalidMinStake", [0n, 2n ** 88n - 1n]);
      await expectRevert(create({ minStake: 2n ** 88n }), "InvalidMinStake", [2n ** 88n, 2n ** 88n - 1n]);
      // Every reverted transaction is mined too, so pin the block time right before this one.
      const now = BigInt(await time.latest()) + 5n;
      await nextBlockAt(now);
      await expectRevert(create({ startTime: now - 1n }), "StartTimeInPast", [now - 1n, now]);
      await expectRevert(create({ startTime: 2n ** 40n }), "StartTimeTooLate", [2n ** 40n, 2n ** 40n - 1n]);
      await expectRevert(create({ rewardPool: 2n ** 96n }), "RewardPoolTooLarge", [2n ** 96n, 2n ** 96n - 1n]);
      await expectRevert(create({ rewardPool: 3n * REWARD - 1n }), "RewardPoolMismatch", [3n * REWARD - 1n, 3n * REWARD]);
      await expectRevert(create({ rewardPerRound: 2n ** 255n }), "RewardPoolMismatch", [3n * REWARD, 2n ** 256n - 1n]);
      await expectRevert(create({ auditsPerRound: 0 }), "InvalidAuditCount", [0n]);
      // minStake * auditsPerRound must cover AUDIT_STAKE_MARGIN (2) round rewards: 100 USDC x 19 < 2 x 1,000 USDC.
      await expectRevert(create({ auditsPerRound: 19 }), "StakeBelowAuditBound", [MIN_STAKE, REWARD, 19n]);
      await expectRevert(create({ minStake: 2n * REWARD - 1n, auditsPerRound: 1 }), "StakeBelowAuditBound", [2n * REWARD - 1n, REWARD, 1n]);
      await expectRevert(create({ specCid: "0x" }), "EmptyCid", []);
      await expectRevert(create({ specCid: "0x02a9021220" }), "MalformedCid", ["0x02a9021220", 0n]);
      await expectRevert(create({ datasetId: ctx.baseModelId }), "WrongAssetKind", [ctx.baseModelId, AssetKind.Dataset, AssetKind.Model]);
      await expectRevert(create({ baseModelId: ctx.datasetId }), "WrongAssetKind", [ctx.datasetId, AssetKind.Model, AssetKind.Dataset]);
      await expectRevert(create({ datasetId: 99n }), "AssetNotFound", [99n]);
      await expectRevert(create({ baseModelId: 99n }), "AssetNotFound", [99n]);
      await expectRevert(create({ baseModelCid: cid("other") }), "BaseModelCidMismatch", [
        ctx.baseModelId,
        cid("base-model"),
        cid("other"),
      ]);
      await expectRevert(create({ baseModelCid: "0x" }), "BaseModelCidMismatch", [ctx.baseModelId, cid("base-model"), "0x"]);
      expect(await ctx.jobs.read.jobCount()).to.equal(0n);

      // The bounds themselves are accepted.
      await mined(
        create({
          commitWindow: MIN_WINDOW,
          revealWindow: Number(MAX_WINDOW),
          attestWindow: MIN_WINDOW,
          claimPeriod: Number(MAX_WINDOW),
          quorumBps: 5_001,
          participationBps: 10_000,
          weightCap: 1,
          maxTrainers: 256,
          startTime: 2n ** 40n - 1n,
        }),
      );
      expect(await ctx.jobs.read.jobCount()).to.equal(1n);
    });

    it("needs an Active dataset and base model, and the base model's current manifest", async () => {
      const ctx = await loadFixture(trainingFixture);
      const { registry, publisher, datasetId, baseModelId } = ctx;
      const params = await jobParams(ctx, { startsIn: 86_400 });
      const create = (overrides: Partial<typeof params> = {}) =>
        ctx.jobs.write.createJob([{ ...params, ...overrides }], { account: ctx.sponsor.address });

      // A new manifest of the base model: the job must name it, not the previous one.
      await mined(registry.write.updateManifest([baseModelId, cid("base-model-v2")], { account: publisher.account }));
      await expectRevert(create(), "BaseModelCidMismatch", [baseModelId, cid("base-model-v2"), cid("base-model")]);
      await mined(create({ baseModelCid: cid("base-model-v2") }));

      await mined(registry.write.setState([datasetId, AssetState.Deprecated], { account: publisher.account }));
      await expectRevert(create({ baseModelCid: cid("base-model-v2") }), "AssetNotActive", [datasetId, AssetState.Deprecated]);
      await mined(registry.write.setState([datasetId, AssetState.Active], { account: publisher.account }));
      await mined(registry.write.setState([baseModelId, AssetState.Deprecated], { account: publisher.account }));
      await expectRevert(create({ baseModelCid: cid("base-model-v2") }), "AssetNotActive", [baseModelId, AssetState.Deprecated]);
      await mined(registry.write.setState([baseModelId, AssetState.Revoked], { account: publisher.account }));
      await expectRevert(create({ baseModelCid: cid("base-model-v2") }), "AssetNotActive", [baseModelId, AssetState.Revoked]);
      await mined(registry.write.setState([datasetId, AssetState.Revoked], { account: publisher.account }));
      await expectRevert(create({ baseModelCid: cid("base-model-v2") }), "AssetNotActive", [datasetId, AssetState.Revoked]);
      expect(await ctx.jobs.read.jobCount()).to.equal(1n);
    });

    it("refuses a token that delivers less than it was asked for, for the pool and for a stake", async () => {
      const ctx = await loadFixture(trainersFixture);
      const fee = await hre.viem.deployContract("FeeOnTransferToken");
      const [trainer] = ctx.accounts;
      for (const account of [ctx.sponsor, trainer]) {
        await mined(fee.write.mint([account.address, 10n ** 24n]));
        await mined(fee.write.approve([ctx.jobs.address, 2n ** 256n - 1n], { account: account.address }));
      }
      const token = fee as unknown as Token;
      const params = await jobParams(ctx, { token });
      await expectRevert(ctx.jobs.write.createJob([params], { account: ctx.sponsor.address }), "TransferAmountMismatch", [
        fee.address,
        params.rewardPool,
        params.rewardPool - params.rewardPool / 100n,
      ]);
      // A job without rewards pulls nothing at creation; the stake is then the first transfer in.
      const jobId = await createJob(ctx, { token, rewardPerRound: 0n });
      const stake = 100n * DAI;
      await expectRevert(
        ctx.jobs.write.join([jobId, stake, peerIdOf(trainer), []], { account: trainer.address }),
        "TransferAmountMismatch",
        [fee.address, stake, stake - stake / 100n],
      );
    });
  });

  describe("cancelJob", () => {
    it("before round 0: refunds the whole pool, frees every stake at once and closes the job", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, usdc, sponsor, outsider } = job;
      const [a, b] = job.trainers;
      const before = await balanceOf(usdc, sponsor);
      const receipt = await mined(jobs.write.cancelJob([jobId], { account: sponsor.address }));
      expect((await balanceOf(usdc, sponsor)) - before).to.equal(3n * REWARD);
      expect(argsOf(receipt, jobs, "JobCancelled")).to.deep.equal({ jobId, sponsor: sponsor.address, refund: 3n * REWARD, burned: 0n });
      expect(await stateOf(job)).to.deep.include({ status: JobStatus.Cancelled, carry: 0n, forfeits: 0n, unpaidPool: 0n, endedAt: 0n });
      expect(await jobs.read.getRound([jobId])).to.deep.include({ phase: Phase.Cancelled, seed: ZERO_HASH, finalizable: false });

      expect(await jobs.read.getTrainer([jobId, a.address])).to.deep.include({ canWithdraw: true, evictable: false });
      const out = await mined(jobs.write.withdraw([jobId], { account: a.address }));
      expect(argsOf(out, jobs, "StakeWithdrawn")).to.deep.equal({ jobId, trainer: a.address, index: 0n, amount: STAKE });

      // Everything that needs a running job now says it was cancelled.
      const update = updatesFor([b], jobId, 0n)[0]!;
      const tuple = tupleOf("agg", [1], 1_000n);
      await expectRevert(jobs.write.cancelJob([jobId], { account: sponsor.address }), "JobIsCancelled", [jobId]);
      await expectRevert(jobs.write.join([jobId, STAKE, peerIdOf(outsider), []], { account: outsider.address }), "JobIsCancelled", [jobId]);
      await expectRevert(jobs.write.leave([jobId], { account: b.address }), "JobIsCancelled", [jobId]);
      await expectRevert(jobs.write.commit([jobId, 0n, commitmentFor(job, 0n, update)], { account: b.address }), "JobIsCancelled", [jobId]);
      await expectRevert(revealOf(job, update, 0n), "JobIsCancelled", [jobId]);
      await expectRevert(attestOf(job, b, 0n, tuple), "JobIsCancelled", [jobId]);
      await expectRevert(jobs.write.finalize([jobId, 0n, "0x", 0n, 0n, 0n]), "JobIsCancelled", [jobId]);
      await expectRevert(jobs.write.evict([jobId, b.address]), "JobIsCancelled", [jobId]);
      await expectRevert(jobs.write.slash([jobId, 0n, b.address]), "JobIsCancelled", [jobId]);
      await expectRevert(jobs.write.refundRemainder([jobId]), "JobIsCancelled", [jobId]);
      await expectRevert(jobs.write.publishResult([jobId]), "JobIsCancelled", [jobId]);

      for (const trainer of job.trainers.slice(1)) await mined(jobs.write.withdraw([jobId], { account: trainer.address }));
      expect(await balanceOf(usdc, jobs.address)).to.equal(0n);
    });

    it("after a failed round: refunds rewardPerRound * (numRounds - currentRound) + carry, burns the forfeits, frees pending commits", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, usdc, sponsor, outsider } = job;
      const [a, b, c, d] = job.trainers;
      // Round 0: a commits and reveals only during the attest window: nobody revealed on time, so the round fails at once.
      const [ua] = updatesFor([a], jobId, 0n);
      await gotoPhase(jobs, jobId, Phase.Commit);
      await commitAll(jobs, jobId, 0n, [ua!]);
      await gotoPhase(jobs, jobId, Phase.Attest);
      const late = penaltyOf(STAKE, LATE_REVEAL_BPS);
      await mined(revealOf(job, ua!, 0n));
      await finalizeWith(jobs, jobId, 0n, NO_TUPLE, outsider);
      // Round 1: b commits and will never reveal.
      await gotoPhase(jobs, jobId, Phase.Commit);
      await commitAll(jobs, jobId, 1n, updatesFor([b], jobId, 1n));
      expect(await stateOf(job)).to.deep.include({
        currentRound: 1n,
        carry: REWARD,
        forfeits: late,
        unpaidPool: 2n * REWARD + REWARD,
        everRevealed: false,
      });

      const sponsorBefore = await balanceOf(usdc, sponsor);
      const burnBefore = await balanceOf(usdc, BURN_ADDRESS);
      const receipt = await mined(jobs.write.cancelJob([jobId], { account: sponsor.address }));
      const refund = REWARD * (3n - 1n) + REWARD;
      expect(argsOf(receipt, jobs, "JobCancelled")).to.deep.equal({ jobId, sponsor: sponsor.address, refund, burned: late });
      expect((await balanceOf(usdc, sponsor)) - sponsorBefore).to.equal(refund);
      expect((await balanceOf(usdc, BURN_ADDRESS)) - burnBefore).to.equal(late);
      expect(await stateOf(job)).to.deep.include({ status: JobStatus.Cancelled, carry: 0n, forfeits: 0n, unpaidPool: 0n });

      // b's commitment is pending, and still it withdraws at once; a gets its stake less the late reveal's penalty.
      expect(await jobs.read.getTrainer([jobId, b.address])).to.deep.include({
        hasPendingCommit: true,
        pendingRound: 1n,
        canWithdraw: true,
      });
      const paid: bigint[] = [];
      for (const trainer of [a, b, c, d]) {
        const before = await balanceOf(usdc, trainer);
        await mined(jobs.write.withdraw([jobId], { account: trainer.address }));
        paid.push((await balanceOf(usdc, trainer)) - before);
      }
      expect(paid).to.deep.equal([STAKE - late, STAKE, STAKE, STAKE]);
      expect(await balanceOf(usdc, jobs.address)).to.equal(0n);
    });

    it("is for the sponsor only, until someone reveals on time, and while the job runs", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, sponsor, outsider } = job;
      const [a] = job.trainers;
      await expectRevert(jobs.write.cancelJob([jobId], { account: outsider.address }), "NotSponsor", [outsider.address, sponsor.address]);
      await expectRevert(jobs.write.cancelJob([42n], { account: sponsor.address }), "JobNotFound", [42n]);
      // Round 0 has begun and a trainer committed: still cancellable (checked with a call, not sent).
      await gotoPhase(jobs, jobId, Phase.Commit);
      await commitAll(jobs, jobId, 0n, updatesFor([a], jobId, 0n));
      await jobs.simulate.cancelJob([jobId], { account: sponsor.address });
      await gotoPhase(jobs, jobId, Phase.Reveal);
      await revealAll(jobs, jobId, 0n, updatesFor([a], jobId, 0n));
      expect((await stateOf(job)).everRevealed).to.equal(true);
      await expectRevert(jobs.write.cancelJob([jobId], { account: sponsor.address }), "UpdatesRevealed", [jobId]);
      await finalizeAfterWindow(job);
      await skipRound(job);
      await skipRound(job);
      await expectRevert(jobs.write.cancelJob([jobId], { account: sponsor.address }), "JobHasEnded", [jobId]);
    });
  });

  describe("join and bonding", () => {
    it("gives the lowest free index, pulls the stake exactly, and emits weight, first round and peer info", async () => {
      const ctx = await loadFixture(trainersFixture);
      const { jobs, usdc } = ctx;
      const [a, b, c, d] = ctx.accounts;
      const jobId = await createJob(ctx, { weightCap: 3 });
      // A minimum stake weighs one unit, more counts pro rata up to the cap (3 minimum stakes here).
      const stakes = [MIN_STAKE, 5n * MIN_STAKE, (3n * MIN_STAKE) / 2n, STAKE];
      const weights = [WEIGHT_UNIT, 3n * WEIGHT_UNIT, (3n * WEIGHT_UNIT) / 2n, weightOf(STAKE, MIN_STAKE, 3)];
      expect(stakes.map((stake) => weightOf(stake, MIN_STAKE, 3))).to.deep.equal(weights);
      const before = await balanceOf(usdc, b);
      for (const [i, trainer] of [a, b, c, d].entries()) {
        const receipt = await mined(
          jobs.write.join([jobId, stakes[i]!, peerIdOf(trainer), [multiaddrOf(4000 + i)]], { account: trainer.address }),
        );
        expect(argsOf(receipt, jobs, "TrainerJoined")).to.deep.equal({
          jobId,
          trainer: trainer.address,
          index: BigInt(i),
          stake: stakes[i]!,
          weight: weights[i]!,
          firstRound: 0n,
          peerId: peerIdOf(trainer),
          addrs: [multiaddrOf(4000 + i)],
        });
      }
      expect(before - (await balanceOf(usdc, b))).to.equal(5n * MIN_STAKE);
      expect(await balanceOf(usdc, jobs.address)).to.equal(3n * REWARD + stakes.reduce((sum, stake) => sum + stake, 0n));
      expect(await jobs.read.getTrainer([jobId, b.address])).to.deep.equal({
        status: TrainerStatus.Active,
        index: 1n,
        stake: 5n * MIN_STAKE,
        weight: 3n * WEIGHT_UNIT,
        firstRound: 0n,
        hasPendingCommit: false,
        pendingRound: 0n,
        hasUnsettledReveal: false,
        hasRevealed: false,
        lastRevealRound: 0n,
        leftAt: 0n,
        canWithdraw: false,
        evictable: false,
      });
      expect((await jobs.read.getJob([jobId]))[1].trainerCount).to.equal(4n);

      const update = await mined(
        jobs.write.updatePeerInfo([jobId, peerIdOf(d), [multiaddrOf(9000), multiaddrOf(9001)]], { account: a.address }),
      );
      expect(argsOf(update, jobs, "PeerInfoUpdated")).to.deep.equal({
        jobId,
        trainer: a.address,
        index: 0n,
        peerId: peerIdOf(d),
        addrs: [multiaddrOf(9000), multiaddrOf(9001)],
      });
    });

    it("reverts a stake out of bounds, an empty peer id, a second join and a join into a full job", async () => {
      const ctx = await loadFixture(trainersFixture);
      const { jobs } = ctx;
      const [a, b, c] = ctx.accounts;
      const jobId = await createJob(ctx, { maxTrainers: 2 });
      const join = (account: Account, stake: bigint, peerId: Hex = peerIdOf(account)) =>
        jobs.write.join([jobId, stake, peerId, []], { account: account.address });

      await expectRevert(join(a, MIN_STAKE - 1n), "StakeTooLow", [MIN_STAKE - 1n, MIN_STAKE]);
      await expectRevert(join(a, 2n ** 88n), "StakeTooHigh", [2n ** 88n, 2n ** 88n - 1n]);
      await expectRevert(join(a, MIN_STAKE, "0x"), "EmptyPeerId", []);
      await mined(join(a, MIN_STAKE));
      await expectRevert(join(a, MIN_STAKE), "AlreadyJoined", [jobId, a.address, 0n]);
      await mined(join(b, MIN_STAKE));
      await expectRevert(join(c, MIN_STAKE), "JobFull", [jobId, 2n]);
      await expectRevert(jobs.write.join([7n, MIN_STAKE, peerIdOf(c), []], { account: c.address }), "JobNotFound", [7n]);
      await expectRevert(jobs.write.updatePeerInfo([jobId, peerIdOf(c), []], { account: c.address }), "NotATrainer", [jobId, c.address]);
      await expectRevert(jobs.write.updatePeerInfo([jobId, "0x", []], { account: a.address }), "EmptyPeerId", []);
    });

    it("bonds a stake to the rounds that begin after it arrived: a join once a round began plays from the next", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, outsider } = job;
      const [early, late] = job.extra;
      const { start } = await jobs.read.getRound([jobId]);
      await nextBlockAt(start - 1n);
      const joinedEarly = await mined(jobs.write.join([jobId, STAKE, peerIdOf(early), []], { account: early.address }));
      expect(argsOf(joinedEarly, jobs, "TrainerJoined")).to.deep.include({ index: 4n, firstRound: 0n });
      await nextBlockAt(start);
      const joinedLate = await mined(jobs.write.join([jobId, STAKE, peerIdOf(late), []], { account: late.address }));
      expect(argsOf(joinedLate, jobs, "TrainerJoined")).to.deep.include({ index: 5n, firstRound: 1n });
      expect((await jobs.read.getTrainer([jobId, late.address])).firstRound).to.equal(1n);

      const [lateUpdate] = updatesFor([late], jobId, 0n);
      await expectRevert(jobs.write.commit([jobId, 0n, commitmentFor(job, 0n, lateUpdate!)], { account: late.address }), "NotBondedYet", [
        0n,
        1n,
      ]);
      // The trainer that joined a second before the start plays round 0.
      await runHonestRound(jobs, jobId, [...job.trainers, early], { finalizer: outsider });
      expect((await jobs.read.getRoundResult([jobId, 0n])).status).to.equal(RoundStatus.Succeeded);

      const [lateUpdate1] = updatesFor([late], jobId, 1n);
      const committed = await mined(jobs.write.commit([jobId, 1n, commitmentFor(job, 1n, lateUpdate1!)], { account: late.address }));
      expect(argsOf(committed, jobs, "Committed")).to.deep.equal({
        jobId,
        round: 1n,
        trainer: late.address,
        commitment: commitmentFor(job, 1n, lateUpdate1!),
      });
      // Its commitment may still be revealed (late) until the attest window ends: round 1 cannot end earlier.
      const w1 = await jobs.read.getRound([jobId]);
      expect(w1).to.deep.include({ committedCount: 1n, revealedCount: 0n, lateRevealCount: 0n });
      await advanceTo(w1.revealEnd);
      expect((await jobs.read.getRound([jobId])).finalizable).to.equal(false);
      await expectRevert(finalizeWith(jobs, jobId, 1n, NO_TUPLE, outsider), "FinalizeTooEarly", [1n, w1.attestEnd]);
      await finalizeAfterWindow(job);
      // Round 2 of 3 has begun: a trainer joining now would play from round 3, which does not exist.
      await expectRevert(jobs.write.join([jobId, STAKE, peerIdOf(outsider), []], { account: outsider.address }), "TooLateToJoin", [
        jobId,
        3n,
        3n,
      ]);
    });

    it("reuses the lowest free index, lets an account rejoin with a new one, and holds at most maxTrainers", async () => {
      const ctx = await loadFixture(trainersFixture);
      const { jobs, usdc } = ctx;
      const [a, b, c, d] = ctx.accounts;
      const jobId = await createJob(ctx, { maxTrainers: 3 });
      const join = (account: Account) => mined(jobs.write.join([jobId, MIN_STAKE, peerIdOf(account), []], { account: account.address }));
      const indexOf = async (account: Account) => (await jobs.read.getTrainer([jobId, account.address])).index;
      await joinAll(ctx, jobId, [a, b, c], MIN_STAKE);
      await expectRevert(jobs.write.join([jobId, MIN_STAKE, peerIdOf(d), []], { account: d.address }), "JobFull", [jobId, 3n]);

      // b never revealed: leaving unlocks its stake at once (its unlock round is the current one).
      const left = await mined(jobs.write.leave([jobId], { account: b.address }));
      expect(argsOf(left, jobs, "TrainerLeft")).to.deep.equal({ jobId, trainer: b.address, index: 1n, unlockRound: 0n });
      expect(await jobs.read.getTrainer([jobId, b.address])).to.deep.include({
        status: TrainerStatus.Left,
        leftAt: await timestampOf(left),
        canWithdraw: true,
      });
      const before = await balanceOf(usdc, b);
      const out = await mined(jobs.write.withdraw([jobId], { account: b.address }));
      expect(argsOf(out, jobs, "StakeWithdrawn")).to.deep.equal({ jobId, trainer: b.address, index: 1n, amount: MIN_STAKE });
      expect((await balanceOf(usdc, b)) - before).to.equal(MIN_STAKE);
      expect(await jobs.read.getTrainer([jobId, b.address])).to.deep.include({ status: TrainerStatus.Withdrawn, stake: 0n, weight: 0n });
      expect((await jobs.read.getJob([jobId]))[1].trainerCount).to.equal(2n);
      await expectRevert(jobs.write.updatePeerInfo([jobId, peerIdOf(b), []], { account: b.address }), "TrainerNotActive", [
        jobId,
        b.address,
        TrainerStatus.Withdrawn,
      ]);

      // d takes the freed index 1; b's rejoin finds the job full again.
      await join(d);
      expect(await indexOf(d)).to.equal(1n);
      await expectRevert(jobs.write.join([jobId, MIN_STAKE, peerIdOf(b), []], { account: b.address }), "JobFull", [jobId, 3n]);
      // a leaves and withdraws: b rejoins, on index 0 this time.
      await mined(jobs.write.leave([jobId], { account: a.address }));
      await mined(jobs.write.withdraw([jobId], { account: a.address }));
      const rejoined = await join(b);
      expect(argsOf(rejoined, jobs, "TrainerJoined")).to.deep.include({ trainer: b.address, index: 0n, stake: MIN_STAKE, firstRound: 0n });
      expect(await jobs.read.getTrainer([jobId, b.address])).to.deep.include({ status: TrainerStatus.Active, index: 0n, stake: MIN_STAKE });
      expect((await jobs.read.getJob([jobId]))[1].trainerCount).to.equal(3n);
    });
  });

  describe("round windows", () => {
    it("accepts commit, reveal and attest each in its window, and reverts outside it with the window's bounds", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, outsider } = job;
      const [a, b, c, d] = job.trainers;
      const w = await jobs.read.getRound([jobId]);
      const [ua, ub, uc, ud] = updatesFor(job.trainers, jobId, 0n) as Four<Update>;
      const commit = (who: Account, commitment: Hex, round = 0n) => jobs.write.commit([jobId, round, commitment], { account: who.address });
      const tuple = tupleOf("agg", [0, 2], ua.samples + uc.samples);

      // Before the start.
      await expectRevert(commit(a, commitmentFor(job, 0n, ua)), "OutsideWindow", [Phase.Commit, w.start, w.commitEnd]);
      await expectRevert(revealOf(job, ua, 0n), "OutsideWindow", [Phase.Reveal, w.commitEnd, w.attestEnd]);
      await expectRevert(attestOf(job, a, 0n, tuple), "OutsideWindow", [Phase.Attest, w.revealEnd, w.attestEnd]);
      await expectRevert(jobs.write.finalize([jobId, 0n, "0x", 0n, 0n, 0n]), "FinalizeTooEarly", [0n, w.attestEnd]);

      // Commit window.
      await advanceTo(w.start);
      expect((await jobs.read.getRound([jobId])).phase).to.equal(Phase.Commit);
      await expectRevert(revealOf(job, ua, 0n), "OutsideWindow", [Phase.Reveal, w.commitEnd, w.attestEnd]);
      await expectRevert(attestOf(job, a, 0n, tuple), "OutsideWindow", [Phase.Attest, w.revealEnd, w.attestEnd]);
      await expectRevert(commit(outsider, commitmentFor(job, 0n, ua)), "NotATrainer", [jobId, outsider.address]);
      await expectRevert(commit(a, commitmentFor(job, 0n, ua), 1n), "WrongRound", [1n, 0n]);
      await mined(commit(a, commitmentFor(job, 0n, ua)));
      expect(await jobs.read.getTrainer([jobId, a.address])).to.deep.include({ hasPendingCommit: true, pendingRound: 0n });
      await expectRevert(commit(a, commitmentFor(job, 0n, ua)), "AlreadyCommitted", [0n]);
      await expectRevert(jobs.write.slash([jobId, 0n, a.address]), "SlashTooEarly", [0n, w.attestEnd]);
      // b commits to its update for round 1: commitments are bound to the round, so it will not open in round 0.
      await mined(commit(b, commitmentFor(job, 1n, ub)));
      // The last second of the commit window is still in it; the next is not.
      await nextBlockAt(w.commitEnd - 1n);
      await mined(commit(c, commitmentFor(job, 0n, uc)));
      await nextBlockAt(w.commitEnd);
      await expectRevert(commit(d, commitmentFor(job, 0n, ud)), "OutsideWindow", [Phase.Commit, w.start, w.commitEnd]);

      // Reveal window.
      expect((await jobs.read.getRound([jobId])).phase).to.equal(Phase.Reveal);
      await expectRevert(attestOf(job, a, 0n, tuple), "OutsideWindow", [Phase.Attest, w.revealEnd, w.attestEnd]);
      await expectRevert(revealOf(job, ud, 0n), "NotCommitted", [0n]);
      await expectRevert(revealOf(job, ua, 0n, { samples: ua.samples + 1n }), "CommitmentMismatch", [
        commitmentFor(job, 0n, ua),
        commitmentFor(job, 0n, { ...ua, samples: ua.samples + 1n }),
      ]);
      await expectRevert(revealOf(job, ua, 0n, { samples: BigInt(MAX_SAMPLES) + 1n }), "SamplesOutOfRange", [
        BigInt(MAX_SAMPLES) + 1n,
        BigInt(MAX_SAMPLES),
      ]);
      await expectRevert(revealOf(job, ua, 0n, { samples: 0n }), "SamplesOutOfRange", [0n, BigInt(MAX_SAMPLES)]);
      await expectRevert(revealOf(job, ua, 0n, { cid: "0x" }), "EmptyCid", []);
      await expectRevert(revealOf(job, ua, 0n, { cid: "0x01" }), "MalformedCid", ["0x01", 1n]);
      await expectRevert(revealOf(job, ub, 0n), "CommitmentMismatch", [commitmentFor(job, 1n, ub), commitmentFor(job, 0n, ub)]);
      // c revealing a's values: the trainer is hashed in, so they do not match c's commitment.
      await expectRevert(revealOf(job, { ...ua, account: c }, 0n), "CommitmentMismatch", [
        commitmentFor(job, 0n, uc),
        commitmentFor(job, 0n, ua, c.address),
      ]);
      const revealed = await mined(revealOf(job, ua, 0n));
      expect(argsOf(revealed, jobs, "Revealed")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: a.address,
        index: 0n,
        updateCid: ua.cid,
        samples: ua.samples,
        weight: W,
        late: false,
        salt: ua.salt,
      });
      await expectRevert(revealOf(job, ua, 0n), "NotCommitted", [0n]);
      await mined(revealOf(job, uc, 0n));
      expect(await jobs.read.getTrainerRound([jobId, 0n, a.address])).to.deep.equal({
        revealed: true,
        late: false,
        samples: ua.samples,
        weight: W,
        attestedTupleId: 0n,
        included: false,
        claimed: false,
      });
      expect(await jobs.read.getTrainer([jobId, a.address])).to.deep.include({
        hasPendingCommit: false,
        hasUnsettledReveal: true,
        hasRevealed: true,
        lastRevealRound: 0n,
      });
      expect((await stateOf(job)).everRevealed).to.equal(true);
      expect(await jobs.read.getRound([jobId])).to.deep.include({
        phase: Phase.Reveal,
        revealedCount: 2n,
        revealedWeight: 2n * W,
        finalizable: false,
      });

      // Attest window.
      await advanceTo(w.revealEnd);
      expect((await jobs.read.getRound([jobId])).phase).to.equal(Phase.Attest);
      await expectRevert(attestOf(job, d, 0n, tuple), "NotRevealed", [0n]);
      await expectRevert(attestOf(job, b, 0n, tuple), "NotRevealed", [0n]);
      await expectRevert(attestOf(job, a, 0n, tupleOf("agg", [], 0n)), "InvalidInclusion", [0n, 0n]);
      await expectRevert(attestOf(job, a, 0n, tupleOf("agg", [0, 2], 1n)), "InvalidInclusion", [maskOf([0, 2]), 1n]);
      await expectRevert(attestOf(job, a, 0n, tupleOf("agg", [0], BigInt(MAX_SAMPLES) + 1n)), "InvalidInclusion", [
        maskOf([0]),
        BigInt(MAX_SAMPLES) + 1n,
      ]);
      await expectRevert(attestOf(job, a, 0n, { ...tuple, aggregateCid: "0x01" }), "MalformedCid", ["0x01", 1n]);
      const attested = await mined(attestOf(job, a, 0n, tuple));
      expect(argsOf(attested, jobs, "Attested")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: a.address,
        index: 0n,
        aggregateCid: tuple.aggregateCid,
        includedMask: tuple.includedMask,
        includedSamples: tuple.includedSamples,
        slashMask: 0n,
        tupleId: 1n,
        tupleWeight: W,
        leaderTupleId: 1n,
      });
      await expectRevert(attestOf(job, a, 0n, tuple), "AlreadyAttested", [0n, 1n]);
      expect(await jobs.read.getTrainerRound([jobId, 0n, a.address])).to.deep.include({ attestedTupleId: 1n, included: true });
      // Half the revealed weight attested: the outcome may still change, so no finalization before the window ends.
      expect(await jobs.read.getRound([jobId])).to.deep.include({ attestedCount: 1n, attestedWeight: W, finalizable: false });
      await expectRevert(finalizeWith(jobs, jobId, 0n, tuple, outsider), "FinalizeTooEarly", [0n, w.attestEnd]);

      // After the attest window.
      await nextBlockAt(w.attestEnd);
      await expectRevert(attestOf(job, c, 0n, tuple), "OutsideWindow", [Phase.Attest, w.revealEnd, w.attestEnd]);
      await expectRevert(revealOf(job, ub, 0n), "OutsideWindow", [Phase.Reveal, w.commitEnd, w.attestEnd]);
      expect(await jobs.read.getRound([jobId])).to.deep.include({ phase: Phase.Finalize, finalizable: true });
      await expectRevert(
        jobs.write.finalize([jobId, 1n, tuple.aggregateCid, tuple.includedMask, tuple.includedSamples, tuple.slashMask ?? 0n]),
        "WrongRound",
        [1n, 0n],
      );
      const finalized = await finalizeWith(jobs, jobId, 0n, tuple, outsider);
      // The leader holds all of the attested weight, and the attested weight is half the revealed: the round succeeds.
      expect(argsOf(finalized, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, early: false, reward: REWARD });
      await expectRevert(finalizeWith(jobs, jobId, 0n, tuple, outsider), "WrongRound", [0n, 1n]);
      await expectRevert(commit(a, commitmentFor(job, 0n, ua)), "WrongRound", [0n, 1n]);
    });

    it("fails a round nobody committed in as soon as its reveal window is over", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, outsider } = job;
      const w = await jobs.read.getRound([jobId]);
      await nextBlockAt(w.revealEnd - 1n);
      await expectRevert(finalizeWith(jobs, jobId, 0n, NO_TUPLE, outsider), "FinalizeTooEarly", [0n, w.attestEnd]);
      await time.increaseTo(w.revealEnd);
      expect((await jobs.read.getRound([jobId])).finalizable).to.equal(true);
      const receipt = await finalizeWith(jobs, jobId, 0n, NO_TUPLE, outsider);
      const at = await timestampOf(receipt);
      expect(argsOf(receipt, jobs, "RoundFinalized")).to.deep.equal({
        jobId,
        round: 0n,
        succeeded: false,
        aggregateCid: "0x",
        includedMask: 0n,
        includedSamples: 0n,
        slashMask: 0n,
        leaderTupleId: 0n,
        reward: 0n,
        carry: REWARD,
        forfeits: 0n,
        early: true,
        nextSeed: seedOf(job, jobId, 1n, cid("base-model")),
        nextRoundStart: at,
      });
      expect(await jobs.read.getRoundResult([jobId, 0n])).to.deep.equal({
        status: RoundStatus.Failed,
        leaderTupleId: 0n,
        includedSamples: 0n,
        reward: 0n,
        paid: 0n,
        swept: false,
        finalizedEarly: true,
        leaderMajority: false,
        slashMask: 0n,
      });
      expect(await jobs.read.getRound([jobId])).to.deep.include({
        round: 1n,
        phase: Phase.Commit,
        start: at,
        commitEnd: at + BigInt(COMMIT_WINDOW),
        seed: seedOf(job, jobId, 1n, cid("base-model")),
        revealedCount: 0n,
      });
      expect(await stateOf(job)).to.deep.include({ status: JobStatus.Running, currentRound: 1n, carry: REWARD, unpaidPool: 3n * REWARD });
    });

    it("refuses every round call once the job has ended", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, outsider, sponsor } = job;
      const [a] = job.trainers;
      for (let r = 0; r < 3; r++) await skipRound(job);
      const update = updatesFor([a], jobId, 3n)[0]!;
      await expectRevert(jobs.write.commit([jobId, 3n, commitmentFor(job, 3n, update)], { account: a.address }), "JobHasEnded", [jobId]);
      await expectRevert(revealOf(job, update, 3n), "JobHasEnded", [jobId]);
      await expectRevert(attestOf(job, a, 3n, tupleOf("agg", [0], 1n)), "JobHasEnded", [jobId]);
      await expectRevert(finalizeWith(jobs, jobId, 3n, NO_TUPLE, outsider), "JobHasEnded", [jobId]);
      await expectRevert(jobs.write.leave([jobId], { account: a.address }), "JobHasEnded", [jobId]);
      await expectRevert(jobs.write.evict([jobId, a.address]), "JobHasEnded", [jobId]);
      await expectRevert(jobs.write.join([jobId, STAKE, peerIdOf(outsider), []], { account: outsider.address }), "JobHasEnded", [jobId]);
      await expectRevert(jobs.write.cancelJob([jobId], { account: sponsor.address }), "JobHasEnded", [jobId]);
      expect(await jobs.read.getRound([jobId])).to.deep.include({ round: 3n, phase: Phase.Ended, seed: ZERO_HASH, finalizable: false });
      expect(await stateOf(job)).to.deep.include({
        status: JobStatus.Ended,
        currentRound: 3n,
        carry: 3n * REWARD,
        unpaidPool: 3n * REWARD,
      });
    });
  });

  describe("a job run honestly to its end", () => {
    it("finalizes each round early, pays every included attester exactly, publishes the model and returns the stakes", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc, outsider } = job;
      const samples = (i: number) => BigInt(i + 1) * 1_000n; // 1,000 to 4,000: 10,000 in all
      const tuples: Tuple[] = [];
      let endedAt = 0n;
      for (let r = 0n; r < 3n; r++) {
        const result = await runHonestRound(jobs, jobId, trainers, { samples, finalizer: outsider });
        tuples.push(result.tuple);
        for (const [i, receipt] of result.reveals.entries()) {
          expect(argsOf(receipt, jobs, "Revealed")).to.deep.include({ index: BigInt(i), samples: samples(i), weight: W, late: false });
        }
        // The first attestation creates tuple 1; each adds its trainer's weight.
        for (const [i, receipt] of result.attests.entries()) {
          expect(argsOf(receipt, jobs, "Attested")).to.deep.include({ tupleId: 1n, tupleWeight: BigInt(i + 1) * W, leaderTupleId: 1n });
        }
        const at = await timestampOf(result.finalize);
        expect(argsOf(result.finalize, jobs, "RoundFinalized")).to.deep.equal({
          jobId,
          round: r,
          succeeded: true,
          aggregateCid: result.tuple.aggregateCid,
          includedMask: maskOf([0, 1, 2, 3]),
          includedSamples: 10_000n,
          slashMask: 0n,
          leaderTupleId: 1n,
          reward: REWARD,
          carry: 0n,
          forfeits: 0n,
          // Everyone who revealed attested: the outcome could no longer change.
          early: true,
          nextSeed: r < 2n ? seedOf(job, jobId, r + 1n, result.tuple.aggregateCid) : ZERO_HASH,
          nextRoundStart: r < 2n ? at : 0n,
        });
        expect(await jobs.read.getRoundResult([jobId, r])).to.deep.equal({
          status: RoundStatus.Succeeded,
          leaderTupleId: 1n,
          includedSamples: 10_000n,
          reward: REWARD,
          paid: 0n,
          swept: false,
          finalizedEarly: true,
          leaderMajority: true,
          slashMask: 0n,
        });
        expect(await jobs.read.getTrainerRound([jobId, r, trainers[2].address])).to.deep.equal({
          revealed: true,
          late: false,
          samples: 3_000n,
          weight: W,
          attestedTupleId: 1n,
          included: true,
          claimed: false,
        });
        const { aggregateCid, includedMask, includedSamples } = result.tuple;
        expect(await jobs.read.getTuple([jobId, r, tupleHashOf(aggregateCid, includedMask, includedSamples)])).to.deep.equal([1n, 4n * W]);
        expect(await jobs.read.currentModel([jobId])).to.deep.equal([aggregateCid, true, r]);
        if (r < 2n) expect((await jobs.read.getRound([jobId])).seed).to.equal(seedOf(job, jobId, r + 1n, aggregateCid));
        endedAt = at;
      }
      expect(await stateOf(job)).to.deep.equal({
        sponsor: job.sponsor.address,
        status: JobStatus.Ended,
        trainerCount: 4n,
        currentRound: 3n,
        carry: 0n,
        forfeits: 0n,
        unpaidPool: 0n,
        trained: true,
        lastSuccessfulRound: 2n,
        everRevealed: true,
        endedAt,
        resultAssetId: 0n,
      });
      expect((await jobs.read.getRound([jobId])).phase).to.equal(Phase.Ended);

      // Each trainer claims its three rounds in one call and one transfer.
      for (const [i, trainer] of trainers.entries()) {
        const before = await balanceOf(usdc, trainer);
        const receipt = await mined(jobs.write.claim([jobId, [0n, 1n, 2n]], { account: trainer.address }));
        const share = (REWARD * samples(i)) / 10_000n;
        expect((await balanceOf(usdc, trainer)) - before).to.equal(3n * share);
        expect(emitted(receipt, jobs, "RewardClaimed").map((event) => event.args)).to.deep.equal(
          [0n, 1n, 2n].map((round) => ({ jobId, round, trainer: trainer.address, amount: share, samples: samples(i) })),
        );
        expect(eventsOf(receipt, usdc).filter((event) => event.eventName === "Transfer")).to.have.length(1);
      }
      expect((await jobs.read.getRoundResult([jobId, 1n])).paid).to.equal(REWARD);
      expect(await balanceOf(usdc, jobs.address)).to.equal(4n * STAKE);

      // Everyone revealed in the last round: the stakes wait for the claim period after the end.
      for (const trainer of trainers) {
        expect((await jobs.read.getTrainer([jobId, trainer.address])).canWithdraw).to.equal(false);
        await expectRevert(jobs.write.withdraw([jobId], { account: trainer.address }), "ClaimPeriodNotOver", [
          jobId,
          endedAt + BigInt(CLAIM_PERIOD),
        ]);
      }
      await advanceTo(endedAt + BigInt(CLAIM_PERIOD));
      for (const trainer of trainers) {
        const before = await balanceOf(usdc, trainer);
        await mined(jobs.write.withdraw([jobId], { account: trainer.address }));
        expect((await balanceOf(usdc, trainer)) - before).to.equal(STAKE);
      }
      expect(await balanceOf(usdc, jobs.address)).to.equal(0n);
      expect((await stateOf(job)).trainerCount).to.equal(0n);
    });
  });

  describe("quorum and the leading tuple", () => {
    it("keeps the lead with the first tuple to reach a weight, needs the leader at finalize, and fails a split round", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc, outsider } = job;
      const [a, b, c, d] = trainers;
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 0n));
      const x = tupleOf("x", [0, 1, 2, 3], 4_000n);
      const y = tupleOf("y", [0, 1, 2, 3], 4_000n);
      const attested = async (who: Account, tuple: Tuple) => argsOf(await mined(attestOf(job, who, 0n, tuple)), jobs, "Attested");
      expect(await attested(a, x)).to.deep.include({ tupleId: 1n, tupleWeight: W, leaderTupleId: 1n });
      // A tie does not take the lead from the tuple that reached the weight first.
      expect(await attested(b, y)).to.deep.include({ tupleId: 2n, tupleWeight: W, leaderTupleId: 1n });
      expect(await attested(c, y)).to.deep.include({ tupleId: 2n, tupleWeight: 2n * W, leaderTupleId: 2n });
      expect(await attested(d, x)).to.deep.include({ tupleId: 1n, tupleWeight: 2n * W, leaderTupleId: 2n });
      expect(await jobs.read.getRound([jobId])).to.deep.include({
        revealedCount: 4n,
        attestedCount: 4n,
        revealedWeight: 4n * W,
        attestedWeight: 4n * W,
        leaderWeight: 2n * W,
        leaderTupleId: 2n,
        tupleCount: 2n,
        finalizable: true,
      });
      expect(await jobs.read.getTuple([jobId, 0n, tupleHashOf(x.aggregateCid, x.includedMask, x.includedSamples)])).to.deep.equal([
        1n,
        2n * W,
      ]);
      expect(await jobs.read.getTuple([jobId, 0n, tupleHashOf(y.aggregateCid, y.includedMask, y.includedSamples)])).to.deep.equal([
        2n,
        2n * W,
      ]);
      expect(await jobs.read.getTuple([jobId, 0n, tupleHashOf(cid("z"), 1n, 1n)])).to.deep.equal([0n, 0n]);

      await expectRevert(finalizeWith(jobs, jobId, 0n, x, outsider), "NotLeadingTuple", [0n, 1n, 2n]);
      await expectRevert(finalizeWith(jobs, jobId, 0n, tupleOf("z", [0], 1n), outsider), "NotLeadingTuple", [0n, 0n, 2n]);
      await expectRevert(finalizeWith(jobs, jobId, 0n, NO_TUPLE, outsider), "NotLeadingTuple", [0n, 0n, 2n]);
      // Everyone attested, so it finalizes before the window ends; 50% of the attested weight is below the quorum.
      const receipt = await finalizeWith(jobs, jobId, 0n, y, outsider);
      expect(argsOf(receipt, jobs, "RoundFinalized")).to.deep.equal({
        jobId,
        round: 0n,
        succeeded: false,
        aggregateCid: "0x",
        includedMask: 0n,
        includedSamples: 0n,
        slashMask: 0n,
        leaderTupleId: 2n,
        reward: 0n,
        carry: REWARD,
        forfeits: 0n,
        early: true,
        nextSeed: seedOf(job, jobId, 1n, cid("base-model")),
        nextRoundStart: await timestampOf(receipt),
      });
      expect(await jobs.read.getRoundResult([jobId, 0n])).to.deep.equal({
        status: RoundStatus.Failed,
        leaderTupleId: 2n,
        includedSamples: 0n,
        reward: 0n,
        paid: 0n,
        swept: false,
        finalizedEarly: true,
        // A tie: the leader holds half of the attested weight, not more.
        leaderMajority: false,
        slashMask: 0n,
      });
      expect(await jobs.read.currentModel([jobId])).to.deep.equal([cid("base-model"), false, 0n]);
      expect(await stateOf(job)).to.deep.include({ carry: REWARD, unpaidPool: 3n * REWARD, trained: false });
      await expectRevert(jobs.write.claim([jobId, [0n]], { account: c.address }), "RoundFailed", [0n]);
      await expectRevert(jobs.write.sweep([jobId, 0n]), "NothingToSweep", [0n]);

      // Attesting the losing side of a failed round whose leader held no majority costs nothing.
      const { result: penalty } = await jobs.simulate.settle([jobId, a.address], { account: outsider.address });
      expect(penalty).to.equal(0n);
      const settled = await mined(jobs.write.settle([jobId, a.address], { account: outsider.address }));
      expect(emitted(settled, jobs, "TrainerPenalized")).to.have.length(0);
      expect(await jobs.read.getTrainer([jobId, a.address])).to.deep.include({ stake: STAKE, weight: W, hasUnsettledReveal: false });
      await expectRevert(jobs.write.settle([jobId, a.address]), "NothingToSettle", [jobId, a.address]);

      // The next successful round gets the rolled-over reward.
      const round1 = await runHonestRound(jobs, jobId, trainers, { finalizer: outsider });
      expect(emitted(round1.commits[1]!, jobs, "TrainerPenalized")).to.have.length(0);
      expect(argsOf(round1.finalize, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, reward: 2n * REWARD, carry: 0n });
      for (const trainer of trainers) {
        const before = await balanceOf(usdc, trainer);
        await mined(jobs.write.claim([jobId, [1n]], { account: trainer.address }));
        expect((await balanceOf(usdc, trainer)) - before).to.equal((2n * REWARD) / 4n);
      }
      expect(await stateOf(job)).to.deep.include({ carry: 0n, unpaidPool: REWARD });
    });

    it("fails a round whose attested weight is below the participation floor, though its leader holds every attestation", async () => {
      const job = await jobWithFourTrainers(await loadFixture(trainersFixture), { participationBps: 8_000 });
      const { jobs, jobId, trainers, outsider } = job;
      const [a, b, c, d] = trainers;
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 0n));
      const tuple = tupleOf("agg", [0, 1, 2, 3], 4_000n);
      await attestAll(jobs, jobId, 0n, [a, b, c], tuple);
      // 3 of 4 attested (75%): below the 80% floor, and the silent trainer could still attest.
      const w = await jobs.read.getRound([jobId]);
      expect(w).to.deep.include({ leaderWeight: 3n * W, attestedWeight: 3n * W, revealedWeight: 4n * W, finalizable: false });
      await expectRevert(finalizeWith(jobs, jobId, 0n, tuple, outsider), "FinalizeTooEarly", [0n, w.attestEnd]);
      const receipt = await finalizeAfterWindow(job, tuple);
      expect(argsOf(receipt, jobs, "RoundFinalized")).to.deep.include({
        succeeded: false,
        leaderTupleId: 1n,
        reward: 0n,
        carry: REWARD,
        forfeits: 0n,
        early: false,
      });
      expect(await jobs.read.getRoundResult([jobId, 0n])).to.deep.include({
        status: RoundStatus.Failed,
        leaderTupleId: 1n,
        finalizedEarly: false,
      });

      // The silent revealer pays SILENT_BPS; the attesters of the failed round's leader pay nothing.
      const silent = penaltyOf(STAKE, SILENT_BPS);
      const settled = await mined(jobs.write.settle([jobId, d.address], { account: outsider.address }));
      expect(argsOf(settled, jobs, "TrainerPenalized")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: d.address,
        reason: PenaltyReason.Silent,
        amount: silent,
      });
      const quiet = await mined(jobs.write.settle([jobId, a.address], { account: outsider.address }));
      expect(emitted(quiet, jobs, "TrainerPenalized")).to.have.length(0);
      expect(await stateOf(job)).to.deep.include({ carry: REWARD, forfeits: silent });
      expect(await jobs.read.getTrainer([jobId, d.address])).to.deep.include({
        stake: STAKE - silent,
        weight: weightOf(STAKE - silent, MIN_STAKE),
      });
      await expectRevert(jobs.write.claim([jobId, [0n]], { account: a.address }), "RoundFailed", [0n]);
    });

    it("penalizes the attesters of other tuples in a failed round only when its leader held more than half of the attested weight: an exact 50/50 split penalizes nobody, a 3-to-1 split below the quorum costs the dissenter LOSING_BPS", async () => {
      const job = await jobWithFourTrainers(await loadFixture(trainersFixture), { quorumBps: 8_000 });
      const { jobs, jobId, trainers, usdc, outsider } = job;
      const [a, b, c, d] = trainers;

      // Round 0: two tuples of exactly half the attested weight each. The round fails and nobody holds a majority.
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 0n));
      const x0 = tupleOf("x0", [0, 1, 2, 3], 4_000n);
      await attestAll(jobs, jobId, 0n, [a, b], x0);
      await attestAll(jobs, jobId, 0n, [c, d], tupleOf("y0", [0, 1, 2, 3], 4_000n));
      expect(await jobs.read.getRound([jobId])).to.deep.include({ attestedWeight: 4n * W, leaderWeight: 2n * W, leaderTupleId: 1n });
      const split = await finalizeWith(jobs, jobId, 0n, x0, outsider);
      expect(argsOf(split, jobs, "RoundFinalized")).to.deep.include({ succeeded: false, leaderTupleId: 1n, carry: REWARD, early: true });
      expect(await jobs.read.getRoundResult([jobId, 0n])).to.deep.include({ status: RoundStatus.Failed, leaderMajority: false });
      for (const trainer of trainers) {
        const { result } = await jobs.simulate.settle([jobId, trainer.address], { account: outsider.address });
        expect(result).to.equal(0n);
        const settled = await mined(jobs.write.settle([jobId, trainer.address], { account: outsider.address }));
        expect(emitted(settled, jobs, "TrainerPenalized")).to.have.length(0);
        expect(await jobs.read.getTrainer([jobId, trainer.address])).to.deep.include({ stake: STAKE, hasUnsettledReveal: false });
      }
      expect((await stateOf(job)).forfeits).to.equal(0n);

      // Round 1: 3 to 1. The leader holds 75% of the attested weight: below the 80% quorum, but a majority.
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 1n));
      const x1 = tupleOf("x1", [0, 1, 2, 3], 4_000n);
      await attestAll(jobs, jobId, 1n, [a, b, c], x1);
      await attestAll(jobs, jobId, 1n, [d], tupleOf("y1", [3], 1_000n));
      const failed = await finalizeWith(jobs, jobId, 1n, x1, outsider);
      expect(argsOf(failed, jobs, "RoundFinalized")).to.deep.include({
        succeeded: false,
        leaderTupleId: 1n,
        reward: 0n,
        carry: 2n * REWARD,
      });
      expect(await jobs.read.getRoundResult([jobId, 1n])).to.deep.include({ status: RoundStatus.Failed, leaderMajority: true });
      await expectRevert(jobs.write.claim([jobId, [1n]], { account: a.address }), "RoundFailed", [1n]);

      // Round 2: the next commits settle round 1: d pays LOSING_BPS, the majority's attesters nothing.
      const losing = penaltyOf(STAKE, LOSING_BPS);
      const { commits } = await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 2n));
      for (const receipt of commits.slice(0, 3)) expect(emitted(receipt, jobs, "TrainerPenalized")).to.have.length(0);
      expect(argsOf(commits[3]!, jobs, "TrainerPenalized")).to.deep.equal({
        jobId,
        round: 1n,
        trainer: d.address,
        reason: PenaltyReason.LosingTuple,
        amount: losing,
      });
      expect(await jobs.read.getTrainer([jobId, d.address])).to.deep.include({
        stake: STAKE - losing,
        weight: weightOf(STAKE - losing, MIN_STAKE),
      });
      for (const trainer of [a, b, c]) expect((await jobs.read.getTrainer([jobId, trainer.address])).stake).to.equal(STAKE);
      // Everyone agrees: the round succeeds and pays its reward, the two failed rounds' carry and d's forfeit.
      const x2 = tupleOf("x2", [0, 1, 2, 3], 4_000n);
      await attestAll(jobs, jobId, 2n, trainers, x2);
      const reward = 3n * REWARD + losing;
      expect(argsOf(await finalizeWith(jobs, jobId, 2n, x2, outsider), jobs, "RoundFinalized")).to.deep.include({
        succeeded: true,
        reward,
      });
      for (const trainer of trainers) expect(await claimed(job, usdc, jobId, trainer, [2n])).to.equal(shareOf(reward, 4_000n, 1_000n));
    });

    it("caps a trainer's weight at weightCap minimum stakes: a whale cannot outvote three minimum stakes", async () => {
      const ctx = await loadFixture(trainersFixture);
      const jobId = await createJob(ctx, { weightCap: 1 });
      const [whale, s1, s2, s3] = ctx.accounts;
      const trainers: Four<Account> = [whale, s1, s2, s3];
      const whaleStake = 50n * MIN_STAKE;
      const joined = await mined(ctx.jobs.write.join([jobId, whaleStake, peerIdOf(whale), []], { account: whale.address }));
      expect(argsOf(joined, ctx.jobs, "TrainerJoined")).to.deep.include({ stake: whaleStake, weight: WEIGHT_UNIT });
      await joinAll(ctx, jobId, [s1, s2, s3], MIN_STAKE);
      const job: Job = { ...ctx, jobId, trainers, extra: [ctx.accounts[4], ctx.accounts[5]] };
      const { jobs, outsider } = job;
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 0n));
      const mine = tupleOf("whale", [0], 1_000n);
      const honest = tupleOf("honest", [0, 1, 2, 3], 4_000n);
      await attestAll(jobs, jobId, 0n, [whale], mine);
      await attestAll(jobs, jobId, 0n, [s1, s2, s3], honest);
      expect(await jobs.read.getRound([jobId])).to.deep.include({
        revealedWeight: 4n * WEIGHT_UNIT,
        leaderWeight: 3n * WEIGHT_UNIT,
        leaderTupleId: 2n,
        finalizable: true,
      });
      const receipt = await finalizeWith(jobs, jobId, 0n, honest, outsider);
      expect(argsOf(receipt, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, leaderTupleId: 2n, early: true });
      // The whale attested the losing tuple of a successful round: 10% of its (whole) stake; its weight stays capped.
      const settled = await mined(jobs.write.settle([jobId, whale.address], { account: outsider.address }));
      const losing = penaltyOf(whaleStake, LOSING_BPS);
      expect(losing).to.equal(5n * MIN_STAKE);
      expect(argsOf(settled, jobs, "TrainerPenalized")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: whale.address,
        reason: PenaltyReason.LosingTuple,
        amount: losing,
      });
      expect(await jobs.read.getTrainer([jobId, whale.address])).to.deep.include({ stake: whaleStake - losing, weight: WEIGHT_UNIT });
      expect((await stateOf(job)).forfeits).to.equal(losing);
    });
  });

  describe("early finalization", () => {
    it("finalizes once the leader holds max(quorum, participation) of the revealed weight; a revealer yet to attest loses no stake", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc, outsider } = job;
      const [a, b, c, d] = trainers;
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 0n));
      const tuple = tupleOf("agg0", [0, 1, 2, 3], 4_000n);
      await attestAll(jobs, jobId, 0n, [a, b], tuple);
      const w = await jobs.read.getRound([jobId]);
      expect(w.finalizable).to.equal(false);
      await expectRevert(finalizeWith(jobs, jobId, 0n, tuple, outsider), "FinalizeTooEarly", [0n, w.attestEnd]);
      await attestAll(jobs, jobId, 0n, [c], tuple);
      // 3 of 4 equal weights: 75% of the revealed weight, above both the 66.67% quorum and the 50% floor.
      expect((await jobs.read.getRound([jobId])).finalizable).to.equal(true);
      const receipt = await finalizeWith(jobs, jobId, 0n, tuple, outsider);
      expect((await timestampOf(receipt)) < w.attestEnd).to.equal(true);
      expect(argsOf(receipt, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, reward: REWARD, early: true });
      expect(await jobs.read.getRoundResult([jobId, 0n])).to.deep.include({ status: RoundStatus.Succeeded, finalizedEarly: true });
      await expectRevert(jobs.write.claim([jobId, [0n]], { account: d.address }), "NotAttested", [0n]);

      // d revealed and had no chance to attest: its next commit settles round 0 without a penalty.
      expect((await jobs.read.getTrainer([jobId, d.address])).hasUnsettledReveal).to.equal(true);
      const updates1 = updatesFor(trainers, jobId, 1n);
      await gotoPhase(jobs, jobId, Phase.Commit);
      const commits = await commitAll(jobs, jobId, 1n, updates1);
      expect(emitted(commits[3]!, jobs, "TrainerPenalized")).to.have.length(0);
      expect(await jobs.read.getTrainer([jobId, d.address])).to.deep.include({ stake: STAKE, hasUnsettledReveal: false });

      // Round 1: everyone attests, d another tuple. Early again, and a losing attester of a successful round pays.
      await gotoPhase(jobs, jobId, Phase.Reveal);
      await revealAll(jobs, jobId, 1n, updates1);
      await gotoPhase(jobs, jobId, Phase.Attest);
      const honest = tupleOf("agg1", [0, 1, 2, 3], 4_000n);
      await attestAll(jobs, jobId, 1n, [a, b, c], honest);
      await attestAll(jobs, jobId, 1n, [d], tupleOf("dissent", [3], 1_000n));
      const final = await finalizeWith(jobs, jobId, 1n, honest, outsider);
      expect(argsOf(final, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, leaderTupleId: 1n, early: true });
      const losing = penaltyOf(STAKE, LOSING_BPS);
      const { result } = await jobs.simulate.settle([jobId, d.address], { account: outsider.address });
      expect(result).to.equal(losing);
      const settled = await mined(jobs.write.settle([jobId, d.address], { account: outsider.address }));
      expect(argsOf(settled, jobs, "TrainerPenalized")).to.deep.equal({
        jobId,
        round: 1n,
        trainer: d.address,
        reason: PenaltyReason.LosingTuple,
        amount: losing,
      });
      await expectRevert(jobs.write.claim([jobId, [1n]], { account: d.address }), "AttestedLosingTuple", [1n, 2n, 1n]);
      // Round 0's included share of d stays unclaimed (for the sweep); a, b and c get a quarter each.
      for (const trainer of [a, b, c]) {
        const before = await balanceOf(usdc, trainer);
        await mined(jobs.write.claim([jobId, [0n]], { account: trainer.address }));
        expect((await balanceOf(usdc, trainer)) - before).to.equal(REWARD / 4n);
      }
    });

    it("waits for every commitment: FinalizeTooEarly while a committer has not revealed, though everyone who revealed attested; its late reveal keeps 95% of its stake, is not slashable, and makes the round finalizable at once", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc, outsider } = job;
      const [a, b, c, d] = trainers;
      const updates = updatesFor(trainers, jobId, 0n) as Four<Update>;
      await commitAndReveal(jobs, jobId, updates, updates.slice(0, 3));
      const tuple = tupleOf("agg", [0, 1, 2], 3_000n);
      await attestAll(jobs, jobId, 0n, [a, b, c], tuple);
      // Everyone who revealed attested the leader, which holds all of the revealed weight; d may still reveal late.
      const w = await jobs.read.getRound([jobId]);
      expect(w).to.deep.include({
        committedCount: 4n,
        revealedCount: 3n,
        lateRevealCount: 0n,
        revealedWeight: 3n * W,
        attestedWeight: 3n * W,
        leaderWeight: 3n * W,
        finalizable: false,
      });
      await expectRevert(finalizeWith(jobs, jobId, 0n, tuple, outsider), "FinalizeTooEarly", [0n, w.attestEnd]);
      await expectRevert(jobs.write.slash([jobId, 0n, d.address], { account: outsider.address }), "SlashTooEarly", [0n, w.attestEnd]);

      const late = penaltyOf(STAKE, LATE_REVEAL_BPS);
      const revealed = await mined(revealOf(job, updates[3], 0n));
      expect(argsOf(revealed, jobs, "TrainerPenalized")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: d.address,
        reason: PenaltyReason.LateReveal,
        amount: late,
      });
      expect(await jobs.read.getRound([jobId])).to.deep.include({ committedCount: 4n, lateRevealCount: 1n, finalizable: true });
      const receipt = await finalizeWith(jobs, jobId, 0n, tuple, outsider);
      expect((await timestampOf(receipt)) < w.attestEnd).to.equal(true);
      expect(argsOf(receipt, jobs, "RoundFinalized")).to.deep.include({
        succeeded: true,
        reward: REWARD + late,
        forfeits: 0n,
        early: true,
      });
      await expectRevert(jobs.write.slash([jobId, 0n, d.address], { account: outsider.address }), "NothingToSlash", [jobId, 0n, d.address]);

      // d keeps 95% of its stake; a late reveal is audited like an on-time one, so the stake stays bonded until
      // UNBOND_ROUNDS more rounds are finalized (round 2's start), even after d leaves.
      expect(STAKE - late).to.equal(117_283_949n);
      await mined(jobs.write.leave([jobId], { account: d.address }));
      await expectRevert(jobs.write.withdraw([jobId], { account: d.address }), "StakeBonded", [jobId, d.address, 2n]);
      expect((await jobs.read.getTrainer([jobId, d.address])).stake).to.equal(STAKE - late);
      for (const trainer of [a, b, c])
        expect(await claimed(job, usdc, jobId, trainer, [0n])).to.equal(shareOf(REWARD + late, 3_000n, 1_000n));
    });
  });

  describe("late reveals", () => {
    it("accepts a reveal during the attest window for LATE_REVEAL_BPS: no weight, no attestation, not counted", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc, outsider } = job;
      const [a, b, c, d] = trainers;
      const updates = updatesFor(trainers, jobId, 0n) as Four<Update>;
      const w = await jobs.read.getRound([jobId]);
      await gotoPhase(jobs, jobId, Phase.Commit);
      await commitAll(jobs, jobId, 0n, updates);
      await gotoPhase(jobs, jobId, Phase.Reveal);
      await revealAll(jobs, jobId, 0n, updates.slice(0, 2));
      // The last second of the reveal window is on time; the first of the attest window is late.
      await nextBlockAt(w.revealEnd - 1n);
      const onTime = await mined(revealOf(job, updates[2], 0n));
      expect(argsOf(onTime, jobs, "Revealed")).to.deep.include({ trainer: c.address, weight: W, late: false });
      await nextBlockAt(w.revealEnd);
      const late = await mined(revealOf(job, updates[3], 0n));
      const penalty = penaltyOf(STAKE, LATE_REVEAL_BPS);
      expect(penalty).to.equal(6_172_840n); // 5% of 123,456,789 is 6,172,839.45, rounded up
      expect(argsOf(late, jobs, "TrainerPenalized")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: d.address,
        reason: PenaltyReason.LateReveal,
        amount: penalty,
      });
      expect(argsOf(late, jobs, "Revealed")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: d.address,
        index: 3n,
        updateCid: updates[3].cid,
        samples: updates[3].samples,
        weight: 0n,
        late: true,
        salt: updates[3].salt,
      });
      expect(await jobs.read.getTrainerRound([jobId, 0n, d.address])).to.deep.equal({
        revealed: true,
        late: true,
        samples: updates[3].samples,
        weight: 0n,
        attestedTupleId: 0n,
        included: false,
        claimed: false,
      });
      expect(await jobs.read.getTrainer([jobId, d.address])).to.deep.include({
        stake: STAKE - penalty,
        weight: weightOf(STAKE - penalty, MIN_STAKE),
        hasPendingCommit: false,
        // A late reveal is audited like an on-time one: it bonds the stake and awaits the round's verdict.
        hasRevealed: true,
        hasUnsettledReveal: true,
      });
      expect(await jobs.read.getRound([jobId])).to.deep.include({ revealedCount: 3n, revealedWeight: 3n * W });
      expect((await stateOf(job)).forfeits).to.equal(penalty);
      const tuple = tupleOf("agg", [0, 1, 2], 3_000n);
      await expectRevert(attestOf(job, d, 0n, tuple), "RevealedLate", [0n]);
      await expectRevert(jobs.write.settle([jobId, d.address]), "RoundNotFinalized", [0n, 0n]);

      // The three on-time revealers attest: everyone who counts attested. The forfeit joins this round's reward.
      await attestAll(jobs, jobId, 0n, [a, b, c], tuple);
      const receipt = await finalizeWith(jobs, jobId, 0n, tuple, outsider);
      const reward = REWARD + penalty;
      expect(argsOf(receipt, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, reward, forfeits: 0n, early: true });
      // The late revealer is not slashable: it revealed.
      await expectRevert(jobs.write.slash([jobId, 0n, d.address]), "NothingToSlash", [jobId, 0n, d.address]);
      const share = shareOf(reward, 3_000n, 1_000n);
      for (const trainer of [a, b, c]) {
        const before = await balanceOf(usdc, trainer);
        await mined(jobs.write.claim([jobId, [0n]], { account: trainer.address }));
        expect((await balanceOf(usdc, trainer)) - before).to.equal(share);
      }
      // 1,006,172,840 / 3 rounds down: two units of dust stay for the sweep.
      expect(share).to.equal(335_390_946n);
      expect(await jobs.read.getRoundResult([jobId, 0n])).to.deep.include({ paid: 3n * share });
    });
  });

  describe("penalties and settle", () => {
    it("takes SILENT_BPS from an on-time revealer that did not attest, at its next commit or through settle; forfeits pay the next success", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc, outsider } = job;
      const [a, b, c, d] = trainers;
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 0n));
      const tuple0 = tupleOf("agg0", [0, 1], 2_000n);
      await attestAll(jobs, jobId, 0n, [a, b], tuple0);
      // Two silent revealers cannot block the round: half the revealed weight attested, all of it for one tuple.
      expect((await jobs.read.getRound([jobId])).finalizable).to.equal(false);
      await expectRevert(jobs.write.settle([jobId, c.address]), "RoundNotFinalized", [0n, 0n]);
      const final0 = await finalizeAfterWindow(job, tuple0);
      expect(argsOf(final0, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, reward: REWARD, early: false });
      expect(await jobs.read.getTrainer([jobId, c.address])).to.deep.include({
        hasUnsettledReveal: true,
        hasRevealed: true,
        lastRevealRound: 0n,
      });

      // c's next commit takes the penalty first.
      const silent = penaltyOf(STAKE, SILENT_BPS);
      expect(silent).to.equal(1_234_568n); // 1% of 123,456,789 rounded up
      const updates1 = updatesFor(trainers, jobId, 1n) as Four<Update>;
      await gotoPhase(jobs, jobId, Phase.Commit);
      const [committed] = await commitAll(jobs, jobId, 1n, [updates1[2]]);
      expect(argsOf(committed!, jobs, "TrainerPenalized")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: c.address,
        reason: PenaltyReason.Silent,
        amount: silent,
      });
      const reduced = weightOf(STAKE - silent, MIN_STAKE);
      expect(reduced < W).to.equal(true);
      expect(await jobs.read.getTrainer([jobId, c.address])).to.deep.include({
        stake: STAKE - silent,
        weight: reduced,
        hasUnsettledReveal: false,
      });
      // Anyone settles d; the attesters of the winner owe nothing.
      const { result } = await jobs.simulate.settle([jobId, d.address], { account: outsider.address });
      expect(result).to.equal(silent);
      const settled = await mined(jobs.write.settle([jobId, d.address], { account: outsider.address }));
      expect(argsOf(settled, jobs, "TrainerPenalized")).to.deep.include({
        trainer: d.address,
        reason: PenaltyReason.Silent,
        amount: silent,
      });
      await expectRevert(jobs.write.settle([jobId, d.address]), "NothingToSettle", [jobId, d.address]);
      await expectRevert(jobs.write.settle([jobId, outsider.address]), "NothingToSettle", [jobId, outsider.address]);
      const quiet = await mined(jobs.write.settle([jobId, a.address], { account: outsider.address }));
      expect(emitted(quiet, jobs, "TrainerPenalized")).to.have.length(0);
      expect(await stateOf(job)).to.deep.include({ forfeits: 2n * silent, carry: 0n });

      // Round 1: the penalized weights count, and the forfeits join the reward.
      await commitAll(jobs, jobId, 1n, [updates1[0], updates1[1], updates1[3]]);
      await gotoPhase(jobs, jobId, Phase.Reveal);
      const reveals = await revealAll(jobs, jobId, 1n, updates1);
      expect(argsOf(reveals[2]!, jobs, "Revealed")).to.deep.include({ trainer: c.address, weight: reduced });
      await gotoPhase(jobs, jobId, Phase.Attest);
      const tuple1 = tupleOf("agg1", [0, 1, 2, 3], 4_000n);
      await attestAll(jobs, jobId, 1n, trainers, tuple1);
      expect((await jobs.read.getRound([jobId])).revealedWeight).to.equal(2n * W + 2n * reduced);
      const final1 = await finalizeWith(jobs, jobId, 1n, tuple1, outsider);
      const reward1 = REWARD + 2n * silent;
      expect(argsOf(final1, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, reward: reward1, carry: 0n, forfeits: 0n });

      for (const trainer of trainers) {
        const before = await balanceOf(usdc, trainer);
        await mined(jobs.write.claim([jobId, [1n]], { account: trainer.address }));
        expect((await balanceOf(usdc, trainer)) - before).to.equal(shareOf(reward1, 4_000n, 1_000n));
      }
      for (const trainer of [a, b]) await mined(jobs.write.claim([jobId, [0n]], { account: trainer.address }));
      // Round 2's reward, the stakes less what was forfeited, and round 1's rounding dust are all that is left.
      const dust = reward1 - 4n * shareOf(reward1, 4_000n, 1_000n);
      expect(await balanceOf(usdc, jobs.address)).to.equal(REWARD + 4n * STAKE - 2n * silent + dust);
    });
  });

  describe("slash", () => {
    it("takes the whole stake of a commitment never revealed once the attest window is over, for the next success; no caller share", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc, outsider, extra } = job;
      const [a, b, c, d] = trainers;
      const updates = updatesFor(trainers, jobId, 0n);
      const w = await jobs.read.getRound([jobId]);
      await gotoPhase(jobs, jobId, Phase.Commit);
      await commitAll(jobs, jobId, 0n, updates);
      await expectRevert(jobs.write.slash([jobId, 0n, d.address]), "SlashTooEarly", [0n, w.attestEnd]);
      await gotoPhase(jobs, jobId, Phase.Reveal);
      await revealAll(jobs, jobId, 0n, updates.slice(0, 3));
      await gotoPhase(jobs, jobId, Phase.Attest);
      const tuple = tupleOf("agg", [0, 1, 2], 3_000n);
      await attestAll(jobs, jobId, 0n, [a, b, c], tuple);
      await expectRevert(jobs.write.slash([jobId, 0n, a.address], { account: outsider.address }), "NothingToSlash", [jobId, 0n, a.address]);
      await expectRevert(jobs.write.slash([jobId, 1n, d.address], { account: outsider.address }), "NothingToSlash", [jobId, 1n, d.address]);
      // d could still reveal late until the attest window ends.
      await nextBlockAt(w.attestEnd - 1n);
      await expectRevert(jobs.write.slash([jobId, 0n, d.address]), "SlashTooEarly", [0n, w.attestEnd]);

      await nextBlockAt(w.attestEnd);
      const before = await balanceOf(usdc, outsider);
      const receipt = await mined(jobs.write.slash([jobId, 0n, d.address], { account: outsider.address }));
      expect(await balanceOf(usdc, outsider)).to.equal(before);
      expect(argsOf(receipt, jobs, "TrainerSlashed")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: d.address,
        caller: outsider.address,
        index: 3n,
        stake: STAKE,
      });
      expect(await jobs.read.getTrainer([jobId, d.address])).to.deep.include({
        status: TrainerStatus.Slashed,
        stake: 0n,
        weight: 0n,
        hasPendingCommit: false,
        hasUnsettledReveal: false,
        canWithdraw: false,
        evictable: false,
      });
      expect(await stateOf(job)).to.deep.include({ forfeits: STAKE, trainerCount: 3n });
      await expectRevert(jobs.write.slash([jobId, 0n, d.address]), "NothingToSlash", [jobId, 0n, d.address]);

      // The round's reward includes the slashed stake.
      const final = await finalizeWith(jobs, jobId, 0n, tuple, outsider);
      const reward = REWARD + STAKE;
      expect(argsOf(final, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, reward, forfeits: 0n, early: false });
      for (const trainer of [a, b, c]) {
        const balance = await balanceOf(usdc, trainer);
        await mined(jobs.write.claim([jobId, [0n]], { account: trainer.address }));
        expect((await balanceOf(usdc, trainer)) - balance).to.equal(shareOf(reward, 3_000n, 1_000n));
      }

      // The slashed account has nothing left here, but it may join again, on the lowest free index then.
      await expectRevert(jobs.write.withdraw([jobId], { account: d.address }), "TrainerNotActive", [
        jobId,
        d.address,
        TrainerStatus.Slashed,
      ]);
      await expectRevert(jobs.write.commit([jobId, 1n, ZERO_HASH], { account: d.address }), "TrainerNotActive", [
        jobId,
        d.address,
        TrainerStatus.Slashed,
      ]);
      await mined(jobs.write.join([jobId, STAKE, peerIdOf(extra[0]), []], { account: extra[0].address }));
      expect((await jobs.read.getTrainer([jobId, extra[0].address])).index).to.equal(3n);
      const rejoined = await mined(jobs.write.join([jobId, STAKE, peerIdOf(d), []], { account: d.address }));
      expect(argsOf(rejoined, jobs, "TrainerJoined")).to.deep.include({ trainer: d.address, index: 4n, stake: STAKE, firstRound: 2n });
      expect(await jobs.read.getTrainer([jobId, d.address])).to.deep.include({ status: TrainerStatus.Active, index: 4n, stake: STAKE });
    });

    it("slashes a past round's commitment at once; until then it blocks the trainer's next commit, its withdrawal and its eviction", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, outsider } = job;
      const [a, b, c, d] = trainers;
      const w0 = await jobs.read.getRound([jobId]);
      const updates = updatesFor(trainers, jobId, 0n);
      await gotoPhase(jobs, jobId, Phase.Commit);
      await commitAll(jobs, jobId, 0n, updates);
      await gotoPhase(jobs, jobId, Phase.Reveal);
      await revealAll(jobs, jobId, 0n, updates.slice(0, 3));
      await gotoPhase(jobs, jobId, Phase.Attest);
      const tuple = tupleOf("agg", [0, 1, 2], 3_000n);
      await attestAll(jobs, jobId, 0n, [a, b, c], tuple);
      // Everyone who revealed attested, but d may still reveal late: round 0 runs to the end of its attest window.
      expect(await jobs.read.getRound([jobId])).to.deep.include({ committedCount: 4n, revealedCount: 3n, finalizable: false });
      await expectRevert(finalizeWith(jobs, jobId, 0n, tuple, outsider), "FinalizeTooEarly", [0n, w0.attestEnd]);
      await finalizeAfterWindow(job, tuple);
      const w1 = await jobs.read.getRound([jobId]);
      expect(w1.round).to.equal(1n);

      const [ud] = updatesFor([d], jobId, 1n);
      await expectRevert(jobs.write.commit([jobId, 1n, commitmentFor(job, 1n, ud!)], { account: d.address }), "CommitmentPending", [
        jobId,
        d.address,
        0n,
      ]);
      await expectRevert(jobs.write.withdraw([jobId], { account: d.address }), "CommitmentPending", [jobId, d.address, 0n]);
      await mined(jobs.write.leave([jobId], { account: d.address }));
      await expectRevert(jobs.write.withdraw([jobId], { account: d.address }), "CommitmentPending", [jobId, d.address, 0n]);
      await expectRevert(jobs.write.evict([jobId, d.address]), "CommitmentPending", [jobId, d.address, 0n]);
      expect(await jobs.read.getTrainer([jobId, d.address])).to.deep.include({
        status: TrainerStatus.Left,
        hasPendingCommit: true,
        pendingRound: 0n,
        canWithdraw: false,
        evictable: false,
      });
      // Round 0 is past: its commitment is slashed at once, long before the current round's attest window ends.
      const receipt = await mined(jobs.write.slash([jobId, 0n, d.address], { account: a.address }));
      expect((await timestampOf(receipt)) < w1.revealEnd).to.equal(true);
      expect(argsOf(receipt, jobs, "TrainerSlashed")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: d.address,
        caller: a.address,
        index: 3n,
        stake: STAKE,
      });
      expect(await stateOf(job)).to.deep.include({ forfeits: STAKE, trainerCount: 3n });
      expect((await jobs.read.getTrainer([jobId, d.address])).status).to.equal(TrainerStatus.Slashed);
    });
  });

  describe("replay audits", () => {
    /** Round 0 of the four-trainer job in which d's update fails its replay: a, b and c attest the honest tuple that
     *  names d in its slash mask, d attests one that includes itself. */
    async function cheaterCaught(job: Job, options: { dLate?: boolean } = {}) {
      const { jobs, jobId, trainers, outsider } = job;
      const [a, b, c, d] = trainers;
      const updates = updatesFor(trainers, jobId, 0n);
      await commitAndReveal(jobs, jobId, updates, options.dLate ? updates.slice(0, 3) : updates);
      if (options.dLate) await mined(revealOf(job, updates[3]!, 0n));
      const honest = { ...tupleOf("honest", [0, 1, 2], 3_000n), slashMask: maskOf([3]) };
      await attestAll(jobs, jobId, 0n, [a, b, c], honest);
      if (!options.dLate) await attestAll(jobs, jobId, 0n, [d], tupleOf("with-d", [0, 1, 2, 3], 4_000n));
      const final = await finalizeAfterWindow(job, honest);
      return { a, b, c, d, honest, final, outsider };
    }

    it("stores auditsPerRound and refuses a tuple that slashes a trainer it includes", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers } = job;
      expect((await jobs.read.getJob([jobId]))[0].auditsPerRound).to.equal(20);
      expect(await jobs.read.AUDIT_STAKE_MARGIN()).to.equal(AUDIT_STAKE_MARGIN);
      const updates = updatesFor(trainers, jobId, 0n);
      await commitAndReveal(jobs, jobId, updates);
      const overlapping = { ...tupleOf("x", [0, 1, 2], 3_000n), slashMask: maskOf([2, 3]) };
      await expectRevert(attestOf(job, trainers[0], 0n, overlapping), "InvalidSlashMask", [maskOf([0, 1, 2]), maskOf([2, 3])]);
    });

    it("slashes the whole stake of a trainer the winning tuple names, once, through slash; the forfeit pays the next success", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, usdc } = job;
      const { a, b, c, d, final, outsider } = await cheaterCaught(job);
      expect(argsOf(final, jobs, "RoundFinalized")).to.deep.include({
        succeeded: true,
        includedMask: maskOf([0, 1, 2]),
        slashMask: maskOf([3]),
      });
      expect((await jobs.read.getRoundResult([jobId, 0n])).slashMask).to.equal(maskOf([3]));
      await expectRevert(jobs.write.slash([jobId, 0n, a.address], { account: outsider.address }), "NothingToSlash", [jobId, 0n, a.address]);
      await expectRevert(jobs.write.slash([jobId, 1n, d.address], { account: outsider.address }), "NothingToSlash", [jobId, 1n, d.address]);

      const receipt = await mined(jobs.write.slash([jobId, 0n, d.address], { account: outsider.address }));
      expect(argsOf(receipt, jobs, "TrainerSlashed")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: d.address,
        caller: outsider.address,
        index: 3n,
        stake: STAKE,
      });
      expect(emitted(receipt, jobs, "TrainerPenalized")).to.have.length(0);
      expect(await jobs.read.getTrainer([jobId, d.address])).to.deep.include({
        status: TrainerStatus.Slashed,
        stake: 0n,
        hasUnsettledReveal: false,
      });
      expect(await stateOf(job)).to.deep.include({ forfeits: STAKE, trainerCount: 3n });
      await expectRevert(jobs.write.slash([jobId, 0n, d.address]), "NothingToSlash", [jobId, 0n, d.address]);
      await expectRevert(jobs.write.claim([jobId, [0n]], { account: d.address }), "AttestedLosingTuple", [0n, 2n, 1n]);
      for (const trainer of [a, b, c]) expect(await claimed(job, usdc, jobId, trainer, [0n])).to.equal(REWARD / 3n);
      // The honest trainers' next successful round pays them d's stake on top of the round's reward.
      const next = await runHonestRound(jobs, jobId, [a, b, c], { finalizer: outsider });
      expect(argsOf(next.finalize, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, reward: REWARD + STAKE, forfeits: 0n });
    });

    it("takes the stake at the trainer's own settlement when nobody called slash: withdrawing returns nothing, committing slashes instead", async () => {
      const job = await loadFixture(sixRoundJobFixture);
      const { jobs, jobId, usdc } = job;
      const { a, b, c, d, outsider } = await cheaterCaught(job);
      // d leaves at once; after the bond it withdraws and gets nothing: its settlement slashed it.
      await mined(jobs.write.leave([jobId], { account: d.address }));
      await runHonestRound(jobs, jobId, [a, b, c], { finalizer: outsider });
      const before = await balanceOf(usdc, d);
      const out = await mined(jobs.write.withdraw([jobId], { account: d.address }));
      expect(await balanceOf(usdc, d)).to.equal(before);
      expect(argsOf(out, jobs, "TrainerSlashed")).to.deep.include({ round: 0n, trainer: d.address, caller: d.address, stake: STAKE });
      expect(emitted(out, jobs, "StakeWithdrawn")).to.have.length(0);
      expect((await jobs.read.getTrainer([jobId, d.address])).status).to.equal(TrainerStatus.Slashed);

      // Committing again is no way out either: the commit settles first, slashes, and commits nothing.
      const job2 = await loadFixture(sixRoundJobFixture);
      const caught = await cheaterCaught(job2);
      await gotoPhase(job2.jobs, job2.jobId, Phase.Commit);
      const commit = await mined(job2.jobs.write.commit([job2.jobId, 1n, ZERO_HASH], { account: caught.d.address }));
      expect(argsOf(commit, job2.jobs, "TrainerSlashed")).to.deep.include({ round: 0n, caller: caught.d.address, stake: STAKE });
      expect(emitted(commit, job2.jobs, "Committed")).to.have.length(0);
      expect(await job2.jobs.read.getTrainer([job2.jobId, caught.d.address])).to.deep.include({
        status: TrainerStatus.Slashed,
        hasPendingCommit: false,
      });
      // settle does it for anyone too.
      const job3 = await loadFixture(sixRoundJobFixture);
      const third = await cheaterCaught(job3);
      const settled = await mined(job3.jobs.write.settle([job3.jobId, third.d.address], { account: third.outsider.address }));
      expect(argsOf(settled, job3.jobs, "TrainerSlashed")).to.deep.include({ caller: third.outsider.address, stake: STAKE });
    });

    it("bounds a slash mask by the audits: auditsPerRound plus the late reveals, so a quorum cannot confiscate every other stake", async () => {
      // 50 USDC per round and a 100 USDC minimum stake: one audit per round satisfies the bound.
      const job = await jobWithFourTrainers(await trainersFixture(), { numRounds: 3, rewardPerRound: 50n * USDC, auditsPerRound: 1 });
      const { jobs, jobId, trainers, outsider } = job;
      const [a, b, c, d] = trainers;
      const updates = updatesFor(trainers, jobId, 0n);
      await commitAndReveal(jobs, jobId, updates, updates.slice(0, 3));
      // Three on-time reveals, one audit: a tuple naming two of them is refused.
      const greedy = { ...tupleOf("greedy", [0], 1_000n), slashMask: maskOf([1, 2]) };
      await expectRevert(attestOf(job, a, 0n, greedy), "InvalidSlashMask", [maskOf([0]), maskOf([1, 2])]);
      // d reveals late: the late reveal is audited too, so two names are allowed now.
      await mined(revealOf(job, updates[3]!, 0n));
      const withLate = { ...tupleOf("with-late", [0, 1], 2_000n), slashMask: maskOf([2, 3]) };
      await attestAll(jobs, jobId, 0n, [a, b, c], withLate);
      await finalizeWith(jobs, jobId, 0n, withLate, outsider);
      expect((await jobs.read.getRoundResult([jobId, 0n])).slashMask).to.equal(maskOf([2, 3]));
      for (const trainer of [c, d]) await mined(jobs.write.slash([jobId, 0n, trainer.address], { account: outsider.address }));
      expect(await stateOf(job)).to.deep.include({ trainerCount: 2n });
    });

    it("applies the leader's mask in a failed round it leads with a majority: a drawn cheater cannot escape by failing the round", async () => {
      // Participation 100%: the cheater's silence fails the round, but the honest leader holds all the attested weight.
      const job = await jobWithFourTrainers(await trainersFixture(), { numRounds: 3, participationBps: 10_000 });
      const { jobs, jobId, trainers, outsider } = job;
      const [a, b, c, d] = trainers;
      const updates = updatesFor(trainers, jobId, 0n);
      await commitAndReveal(jobs, jobId, updates);
      const honest = { ...tupleOf("honest", [0, 1, 2], 3_000n), slashMask: maskOf([3]) };
      await attestAll(jobs, jobId, 0n, [a, b, c], honest);
      const final = await finalizeAfterWindow(job, honest);
      expect(argsOf(final, jobs, "RoundFinalized")).to.deep.include({ succeeded: false, slashMask: maskOf([3]) });
      expect(await jobs.read.getRoundResult([jobId, 0n])).to.deep.include({
        status: RoundStatus.Failed,
        leaderMajority: true,
        slashMask: maskOf([3]),
      });
      const receipt = await mined(jobs.write.slash([jobId, 0n, d.address], { account: outsider.address }));
      expect(argsOf(receipt, jobs, "TrainerSlashed")).to.deep.include({ trainer: d.address, stake: STAKE });
      expect(emitted(receipt, jobs, "TrainerPenalized")).to.have.length(0);

      // Without a majority (a 2-2 split) nobody's mask applies.
      const split = await jobWithFourTrainers(await trainersFixture(), { numRounds: 3 });
      const u2 = updatesFor(split.trainers, split.jobId, 0n);
      await commitAndReveal(split.jobs, split.jobId, u2);
      const x = { ...tupleOf("x", [0, 1], 2_000n), slashMask: maskOf([2]) };
      await attestAll(split.jobs, split.jobId, 0n, split.trainers.slice(0, 2), x);
      await attestAll(split.jobs, split.jobId, 0n, split.trainers.slice(2), tupleOf("y", [2, 3], 2_000n));
      const none = await finalizeAfterWindow(split, x);
      expect(argsOf(none, split.jobs, "RoundFinalized")).to.deep.include({ succeeded: false, slashMask: 0n });
      const c2 = split.trainers[2]!;
      await expectRevert(split.jobs.write.slash([split.jobId, 0n, c2.address]), "NothingToSlash", [split.jobId, 0n, c2.address]);
    });

    it("audits a late reveal too: revealing late after seeing the draw does not escape the slash", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId } = job;
      const late = penaltyOf(STAKE, LATE_REVEAL_BPS);
      const { d, outsider } = await cheaterCaught(job, { dLate: true });
      // Its bond holds it until the verdict: no withdrawal in between.
      await mined(jobs.write.leave([jobId], { account: d.address }));
      await expectRevert(jobs.write.withdraw([jobId], { account: d.address }), "StakeBonded", [jobId, d.address, 2n]);
      const receipt = await mined(jobs.write.slash([jobId, 0n, d.address], { account: outsider.address }));
      expect(argsOf(receipt, jobs, "TrainerSlashed")).to.deep.include({ round: 0n, index: 3n, stake: STAKE - late });
      expect(await stateOf(job)).to.deep.include({ forfeits: STAKE - late });
    });
  });

  describe("leave and withdraw", () => {
    it("locks a running trainer's stake; after leave it unlocks once round lastRevealRound + UNBOND_ROUNDS + 1 has started", async () => {
      const job = await loadFixture(sixRoundJobFixture);
      const { jobs, jobId, trainers, usdc, outsider, extra } = job;
      const [a, b, c, d] = trainers;
      await expectRevert(jobs.write.withdraw([jobId], { account: a.address }), "StakeLocked", [jobId, a.address]);
      await runHonestRound(jobs, jobId, trainers, { finalizer: outsider });

      // Round 1: a leaves; it revealed in round 0, so its stake unlocks when round 2 starts.
      const left = await mined(jobs.write.leave([jobId], { account: a.address }));
      expect(argsOf(left, jobs, "TrainerLeft")).to.deep.equal({ jobId, trainer: a.address, index: 0n, unlockRound: 2n });
      expect(await jobs.read.getTrainer([jobId, a.address])).to.deep.include({
        status: TrainerStatus.Left,
        leftAt: await timestampOf(left),
        canWithdraw: false,
      });
      await expectRevert(jobs.write.leave([jobId], { account: a.address }), "TrainerNotActive", [jobId, a.address, TrainerStatus.Left]);
      await expectRevert(jobs.write.commit([jobId, 1n, ZERO_HASH], { account: a.address }), "TrainerNotActive", [
        jobId,
        a.address,
        TrainerStatus.Left,
      ]);
      await expectRevert(jobs.write.withdraw([jobId], { account: a.address }), "StakeBonded", [jobId, a.address, 2n]);
      await runHonestRound(jobs, jobId, [b, c, d], { indices: [1, 2, 3], finalizer: outsider });

      expect((await jobs.read.getTrainer([jobId, a.address])).canWithdraw).to.equal(true);
      const before = await balanceOf(usdc, a);
      const out = await mined(jobs.write.withdraw([jobId], { account: a.address }));
      expect(argsOf(out, jobs, "StakeWithdrawn")).to.deep.equal({ jobId, trainer: a.address, index: 0n, amount: STAKE });
      expect((await balanceOf(usdc, a)) - before).to.equal(STAKE);
      expect(await jobs.read.getTrainer([jobId, a.address])).to.deep.include({
        status: TrainerStatus.Withdrawn,
        stake: 0n,
        canWithdraw: false,
      });
      await expectRevert(jobs.write.withdraw([jobId], { account: a.address }), "TrainerNotActive", [
        jobId,
        a.address,
        TrainerStatus.Withdrawn,
      ]);
      await expectRevert(jobs.write.withdraw([jobId], { account: outsider.address }), "NotATrainer", [jobId, outsider.address]);
      // Its index is free again: a newcomer gets it and plays from the next round.
      const joined = await mined(jobs.write.join([jobId, STAKE, peerIdOf(extra[0]), []], { account: extra[0].address }));
      expect(argsOf(joined, jobs, "TrainerJoined")).to.deep.include({ index: 0n, firstRound: 3n });

      // Round 2: b commits, then leaves. Its commitment must still be revealed, and that reveal bonds the stake again.
      const updates2 = updatesFor([b, c, d], jobId, 2n);
      await gotoPhase(jobs, jobId, Phase.Commit);
      await commitAll(jobs, jobId, 2n, updates2);
      const bLeft = await mined(jobs.write.leave([jobId], { account: b.address }));
      expect(argsOf(bLeft, jobs, "TrainerLeft")).to.deep.include({ unlockRound: 3n });
      await expectRevert(jobs.write.withdraw([jobId], { account: b.address }), "CommitmentPending", [jobId, b.address, 2n]);
      await gotoPhase(jobs, jobId, Phase.Reveal);
      await revealAll(jobs, jobId, 2n, updates2);
      await gotoPhase(jobs, jobId, Phase.Attest);
      const tuple = honestTuple(jobId, 2n, updates2, [1, 2, 3]);
      await attestAll(jobs, jobId, 2n, [b, c, d], tuple);
      await finalizeWith(jobs, jobId, 2n, tuple, outsider);
      await expectRevert(jobs.write.withdraw([jobId], { account: b.address }), "StakeBonded", [jobId, b.address, 4n]);
      await skipRound(job);
      const bBefore = await balanceOf(usdc, b);
      await mined(jobs.write.withdraw([jobId], { account: b.address }));
      expect((await balanceOf(usdc, b)) - bBefore).to.equal(STAKE);
    });

    it("after the end: at once when the last reveal is old enough, else after endedAt + claimPeriod; withdrawing settles the last reveal", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc, outsider } = job;
      const [a, b, c, d] = trainers;
      // Round 0: d attests another tuple than the winner.
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 0n));
      const tuple = tupleOf("agg0", [0, 1, 2, 3], 4_000n);
      await attestAll(jobs, jobId, 0n, [a, b, c], tuple);
      await attestAll(jobs, jobId, 0n, [d], tupleOf("dissent", [0, 1, 2, 3], 4_000n));
      await finalizeWith(jobs, jobId, 0n, tuple, outsider);
      // Round 1 without d, round 2 with a and b only.
      await runHonestRound(jobs, jobId, [a, b, c], { finalizer: outsider });
      const last = await runHonestRound(jobs, jobId, [a, b], { finalizer: outsider });
      const endedAt = await timestampOf(last.finalize);
      expect((await stateOf(job)).endedAt).to.equal(endedAt);

      // d (last reveal in round 0) withdraws at once, paying for its losing attestation on the way.
      const losing = penaltyOf(STAKE, LOSING_BPS);
      const dBefore = await balanceOf(usdc, d);
      const out = await mined(jobs.write.withdraw([jobId], { account: d.address }));
      expect(argsOf(out, jobs, "TrainerPenalized")).to.deep.equal({
        jobId,
        round: 0n,
        trainer: d.address,
        reason: PenaltyReason.LosingTuple,
        amount: losing,
      });
      expect(argsOf(out, jobs, "StakeWithdrawn")).to.deep.include({ trainer: d.address, amount: STAKE - losing });
      expect((await balanceOf(usdc, d)) - dBefore).to.equal(STAKE - losing);
      // c revealed last in round 1: round 1 + UNBOND_ROUNDS + 1 = 3 is the end, so it is free at once.
      expect((await jobs.read.getTrainer([jobId, c.address])).canWithdraw).to.equal(true);
      await mined(jobs.write.withdraw([jobId], { account: c.address }));
      // a and b revealed in the last round: their stakes wait for the claim period.
      const unlocksAt = endedAt + BigInt(CLAIM_PERIOD);
      expect((await jobs.read.getTrainer([jobId, a.address])).canWithdraw).to.equal(false);
      await expectRevert(jobs.write.withdraw([jobId], { account: a.address }), "ClaimPeriodNotOver", [jobId, unlocksAt]);
      await nextBlockAt(unlocksAt - 1n);
      await expectRevert(jobs.write.withdraw([jobId], { account: a.address }), "ClaimPeriodNotOver", [jobId, unlocksAt]);
      await nextBlockAt(unlocksAt);
      const aBefore = await balanceOf(usdc, a);
      await mined(jobs.write.withdraw([jobId], { account: a.address }));
      expect((await balanceOf(usdc, a)) - aBefore).to.equal(STAKE);
      // The forfeit has no round left to pay: it is burned with the remainder.
      expect((await stateOf(job)).forfeits).to.equal(losing);
    });
  });

  describe("evict", () => {
    it("returns the stake less IDLE_BPS of a trainer idle IDLE_ROUNDS rounds since max(firstRound, lastRevealRound + 1), frees its index, and the forfeit pays the next successful round", async () => {
      const job = await loadFixture(sixRoundJobFixture);
      const { jobs, jobId, trainers, usdc, outsider, extra } = job;
      const [a, b, c, d] = trainers;
      const [e, f] = extra;
      // e joins once round 0 has begun: it plays from round 1.
      const w0 = await jobs.read.getRound([jobId]);
      await advanceTo(w0.start);
      await mined(jobs.write.join([jobId, STAKE, peerIdOf(e), []], { account: e.address }));
      expect(await jobs.read.getTrainer([jobId, e.address])).to.deep.include({ index: 4n, firstRound: 1n });
      // Round 0: a, b and c reveal, c stays silent; d does nothing.
      await commitAndReveal(jobs, jobId, updatesFor([a, b, c], jobId, 0n));
      const tuple0 = tupleOf("agg0", [0, 1], 2_000n);
      await attestAll(jobs, jobId, 0n, [a, b], tuple0);
      await finalizeAfterWindow(job, tuple0);

      await expectRevert(jobs.write.evict([jobId, d.address]), "NotIdle", [jobId, d.address, IDLE_ROUNDS]);
      await expectRevert(jobs.write.evict([jobId, outsider.address]), "NotATrainer", [jobId, outsider.address]);
      expect((await jobs.read.getTrainer([jobId, d.address])).evictable).to.equal(false);
      await runHonestRound(jobs, jobId, [a, b], { finalizer: outsider });
      await runHonestRound(jobs, jobId, [a, b], { finalizer: outsider });

      // Round 3: d (first round 0, never revealed) is evictable; c (last reveal in round 0) and e (first round 1) are not yet.
      expect(await currentRound(job)).to.equal(3n);
      await expectRevert(jobs.write.evict([jobId, c.address]), "NotIdle", [jobId, c.address, 4n]);
      await expectRevert(jobs.write.evict([jobId, e.address]), "NotIdle", [jobId, e.address, 4n]);
      expect((await jobs.read.getTrainer([jobId, d.address])).evictable).to.equal(true);
      const callerBefore = await balanceOf(usdc, outsider);
      const dBefore = await balanceOf(usdc, d);
      // Holding an index idle costs IDLE_BPS of the stake: 1% of 123,456,789 is 1,234,567.89, rounded up.
      const idle = penaltyOf(STAKE, IDLE_BPS);
      expect(idle).to.equal(1_234_568n);
      const evicted = await mined(jobs.write.evict([jobId, d.address], { account: outsider.address }));
      expect(argsOf(evicted, jobs, "TrainerPenalized")).to.deep.equal({
        jobId,
        round: 3n,
        trainer: d.address,
        reason: PenaltyReason.Idle,
        amount: idle,
      });
      expect(argsOf(evicted, jobs, "TrainerEvicted")).to.deep.equal({
        jobId,
        trainer: d.address,
        caller: outsider.address,
        index: 3n,
        amount: STAKE - idle,
      });
      expect((await balanceOf(usdc, d)) - dBefore).to.equal(STAKE - idle);
      expect(await balanceOf(usdc, outsider)).to.equal(callerBefore);
      expect(await jobs.read.getTrainer([jobId, d.address])).to.deep.include({
        status: TrainerStatus.Withdrawn,
        stake: 0n,
        evictable: false,
      });
      expect(await stateOf(job)).to.deep.include({ trainerCount: 4n, forfeits: idle });
      await expectRevert(jobs.write.evict([jobId, d.address]), "TrainerNotActive", [jobId, d.address, TrainerStatus.Withdrawn]);
      // Index 3 is free: f takes it; d rejoins on the next free index and plays from round 4.
      await mined(jobs.write.join([jobId, STAKE, peerIdOf(f), []], { account: f.address }));
      expect((await jobs.read.getTrainer([jobId, f.address])).index).to.equal(3n);
      const rejoined = await mined(jobs.write.join([jobId, STAKE, peerIdOf(d), []], { account: d.address }));
      expect(argsOf(rejoined, jobs, "TrainerJoined")).to.deep.include({ trainer: d.address, index: 5n, firstRound: 4n });

      // Round 3: a and b share its reward and d's forfeit.
      const round3 = await runHonestRound(jobs, jobId, [a, b], { finalizer: outsider });
      expect(argsOf(round3.finalize, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, reward: REWARD + idle, forfeits: 0n });
      for (const trainer of [a, b]) expect(await claimed(job, usdc, jobId, trainer, [3n])).to.equal(shareOf(REWARD + idle, 2_000n, 1_000n));

      // Round 4: c is evicted and pays for its silence in round 0 on the way, then IDLE_BPS of the rest; e pays IDLE_BPS.
      const silent = penaltyOf(STAKE, SILENT_BPS);
      const idleC = penaltyOf(STAKE - silent, IDLE_BPS);
      const cBefore = await balanceOf(usdc, c);
      const evictedC = await mined(jobs.write.evict([jobId, c.address], { account: a.address }));
      expect(emitted(evictedC, jobs, "TrainerPenalized").map((event) => event.args)).to.deep.equal([
        { jobId, round: 0n, trainer: c.address, reason: PenaltyReason.Silent, amount: silent },
        { jobId, round: 4n, trainer: c.address, reason: PenaltyReason.Idle, amount: idleC },
      ]);
      expect(argsOf(evictedC, jobs, "TrainerEvicted")).to.deep.include({
        trainer: c.address,
        caller: a.address,
        index: 2n,
        amount: STAKE - silent - idleC,
      });
      expect((await balanceOf(usdc, c)) - cBefore).to.equal(STAKE - silent - idleC);
      const evictedE = await mined(jobs.write.evict([jobId, e.address], { account: a.address }));
      expect(argsOf(evictedE, jobs, "TrainerPenalized")).to.deep.include({ round: 4n, reason: PenaltyReason.Idle, amount: idle });
      expect(argsOf(evictedE, jobs, "TrainerEvicted")).to.deep.include({ trainer: e.address, index: 4n, amount: STAKE - idle });
      expect((await stateOf(job)).forfeits).to.equal(silent + idleC + idle);

      // A pending commitment is not idleness (it must be revealed or slashed first), and it keeps the round open.
      await gotoPhase(jobs, jobId, Phase.Commit);
      await commitAll(jobs, jobId, 4n, updatesFor([f], jobId, 4n));
      await expectRevert(jobs.write.evict([jobId, f.address]), "CommitmentPending", [jobId, f.address, 4n]);
      await finalizeAfterWindow(job);
      await skipRound(job);
      await expectRevert(jobs.write.evict([jobId, b.address]), "JobHasEnded", [jobId]);
    });
  });

  describe("claim and sweep", () => {
    it("pays reward * samples / includedSamples rounded down in any order; the sweep takes exactly the rest, dust included", async () => {
      const job = await loadFixture(sixRoundJobFixture);
      const { jobs, jobId, trainers, usdc, outsider } = job;
      const [a, b, c, d] = trainers;
      const samples = [7n, 11n, 13n, 17n]; // 48 in all: no share divides evenly
      await runHonestRound(jobs, jobId, trainers, { samples: (i) => samples[i]!, finalizer: outsider });
      let paid = 0n;
      for (const [trainer, mine] of [
        [c, 13n],
        [a, 7n],
        [d, 17n],
      ] as const) {
        const before = await balanceOf(usdc, trainer);
        const receipt = await mined(jobs.write.claim([jobId, [0n]], { account: trainer.address }));
        const amount = shareOf(REWARD, 48n, mine);
        expect((await balanceOf(usdc, trainer)) - before).to.equal(amount);
        expect(argsOf(receipt, jobs, "RewardClaimed")).to.deep.equal({ jobId, round: 0n, trainer: trainer.address, amount, samples: mine });
        expect((await jobs.read.getTrainerRound([jobId, 0n, trainer.address])).claimed).to.equal(true);
        paid += amount;
      }
      expect([shareOf(REWARD, 48n, 13n), shareOf(REWARD, 48n, 7n), shareOf(REWARD, 48n, 17n)]).to.deep.equal([
        270_833_333n,
        145_833_333n,
        354_166_666n,
      ]);
      expect(await jobs.read.getRoundResult([jobId, 0n])).to.deep.include({ reward: REWARD, paid, swept: false });

      // Claims stay open until CLAIM_ROUNDS more rounds have been finalized: until round 3 starts.
      await expectRevert(jobs.write.sweep([jobId, 0n]), "ClaimsStillOpen", [0n, 3n, 0n]);
      await skipRound(job);
      await expectRevert(jobs.write.sweep([jobId, 0n]), "ClaimsStillOpen", [0n, 3n, 0n]);
      await skipRound(job);
      const rest = REWARD - paid;
      expect(rest).to.equal(shareOf(REWARD, 48n, 11n) + 2n); // b's share and two units of dust
      const { result } = await jobs.simulate.sweep([jobId, 0n], { account: outsider.address });
      expect(result).to.equal(rest);
      const swept = await mined(jobs.write.sweep([jobId, 0n], { account: outsider.address }));
      expect(argsOf(swept, jobs, "RewardSwept")).to.deep.equal({ jobId, round: 0n, amount: rest, toForfeits: 0n });
      expect(await jobs.read.getRoundResult([jobId, 0n])).to.deep.include({ paid, swept: true });
      expect(await stateOf(job)).to.deep.include({ carry: 2n * REWARD + rest, unpaidPool: 3n * REWARD + 2n * REWARD + rest });
      await expectRevert(jobs.write.claim([jobId, [0n]], { account: b.address }), "ClaimsClosed", [0n]);
      await expectRevert(jobs.write.sweep([jobId, 0n]), "NothingToSweep", [0n]);
      await expectRevert(jobs.write.sweep([jobId, 1n]), "NothingToSweep", [1n]);
      await expectRevert(jobs.write.sweep([jobId, 3n]), "RoundNotFinalized", [3n, 3n]);
      await expectRevert(jobs.write.sweep([jobId, 9n]), "RoundNotFinalized", [9n, 3n]);
      await expectRevert(jobs.write.sweep([99n, 0n]), "JobNotFound", [99n]);

      // The swept rest and the failed rounds' rewards pay the next successful round.
      const round3 = await runHonestRound(jobs, jobId, trainers, { finalizer: outsider });
      const reward3 = REWARD + 2n * REWARD + rest;
      expect(argsOf(round3.finalize, jobs, "RoundFinalized")).to.deep.include({ succeeded: true, reward: reward3, carry: 0n });
      for (const trainer of trainers) await mined(jobs.write.claim([jobId, [3n]], { account: trainer.address }));
      const dust3 = reward3 - 4n * shareOf(reward3, 4_000n, 1_000n);
      // Rounds 4 and 5 are still to come; everything else paid out is gone from the contract.
      expect(await balanceOf(usdc, jobs.address)).to.equal(2n * REWARD + 4n * STAKE + dust3);
    });

    it("reverts claims that are not owed", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc, outsider } = job;
      const [a, b, c, d] = trainers;
      const claim = (who: Account, rounds: bigint[]) => jobs.write.claim([jobId, rounds], { account: who.address });
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 0n));
      // The winning tuple leaves c's update out; d does not attest.
      const tuple0 = tupleOf("agg0", [0, 1, 3], 3_000n);
      await attestAll(jobs, jobId, 0n, [a, b, c], tuple0);
      await expectRevert(claim(a, [0n]), "RoundNotFinalized", [0n, 0n]);
      await finalizeWith(jobs, jobId, 0n, tuple0, outsider);

      await expectRevert(claim(a, []), "NoRoundsGiven", []);
      await expectRevert(jobs.write.claim([77n, [0n]], { account: a.address }), "JobNotFound", [77n]);
      await mined(claim(a, [0n]));
      await expectRevert(claim(a, [0n]), "AlreadyClaimed", [0n]);
      // A round listed twice: the whole call reverts, nothing is paid.
      const bBefore = await balanceOf(usdc, b);
      await expectRevert(claim(b, [0n, 0n]), "AlreadyClaimed", [0n]);
      expect(await balanceOf(usdc, b)).to.equal(bBefore);
      expect((await jobs.read.getTrainerRound([jobId, 0n, b.address])).claimed).to.equal(false);
      await expectRevert(claim(c, [0n]), "NotIncluded", [0n, 2n]);
      await expectRevert(claim(d, [0n]), "NotAttested", [0n]);
      await expectRevert(claim(outsider, [0n]), "NotAttested", [0n]);
      expect(await jobs.read.getTrainerRound([jobId, 0n, c.address])).to.deep.include({
        attestedTupleId: 1n,
        included: false,
        claimed: false,
      });
      expect(await jobs.read.getTrainerRound([jobId, 0n, a.address])).to.deep.include({
        attestedTupleId: 1n,
        included: true,
        claimed: true,
      });

      // Round 1: d attests another tuple.
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 1n));
      const tuple1 = tupleOf("agg1", [0, 1, 2, 3], 4_000n);
      await attestAll(jobs, jobId, 1n, [a, b, c], tuple1);
      await attestAll(jobs, jobId, 1n, [d], tupleOf("dissent", [0, 1, 2, 3], 4_000n));
      await expectRevert(claim(b, [1n]), "RoundNotFinalized", [1n, 1n]);
      await finalizeWith(jobs, jobId, 1n, tuple1, outsider);
      await expectRevert(claim(d, [1n]), "AttestedLosingTuple", [1n, 2n, 1n]);
      await expectRevert(claim(b, [2n]), "RoundNotFinalized", [2n, 2n]);
      // b claims both rounds in one call.
      const receipt = await mined(claim(b, [0n, 1n]));
      expect((await balanceOf(usdc, b)) - bBefore).to.equal(REWARD / 3n + REWARD / 4n);
      expect(emitted(receipt, jobs, "RewardClaimed").map((event) => event.args)).to.deep.equal([
        { jobId, round: 0n, trainer: b.address, amount: REWARD / 3n, samples: 1_000n },
        { jobId, round: 1n, trainer: b.address, amount: REWARD / 4n, samples: 1_000n },
      ]);
    });

    it("never pays a round more than its reward when includedSamples is understated; an overstated one leaves the rest to the sweep", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc, sponsor, outsider } = job;
      const [a, b, c] = trainers;
      // Round 0: 1,000 samples each (4,000), attested as 2,000.
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 0n));
      const understated = tupleOf("agg0", [0, 1, 2, 3], 2_000n);
      await attestAll(jobs, jobId, 0n, trainers, understated);
      await finalizeWith(jobs, jobId, 0n, understated, outsider);
      const before = await balanceOf(usdc, jobs.address);
      await mined(jobs.write.claim([jobId, [0n]], { account: a.address }));
      await mined(jobs.write.claim([jobId, [0n]], { account: b.address }));
      await expectRevert(jobs.write.claim([jobId, [0n]], { account: c.address }), "ClaimExceedsReward", [0n, (3n * REWARD) / 2n, REWARD]);
      expect(before - (await balanceOf(usdc, jobs.address))).to.equal(REWARD);
      expect((await jobs.read.getRoundResult([jobId, 0n])).paid).to.equal(REWARD);

      // Round 1: attested as 10,000: everyone claims a tenth.
      await commitAndReveal(jobs, jobId, updatesFor(trainers, jobId, 1n));
      const overstated = tupleOf("agg1", [0, 1, 2, 3], 10_000n);
      await attestAll(jobs, jobId, 1n, trainers, overstated);
      await finalizeWith(jobs, jobId, 1n, overstated, outsider);
      for (const trainer of trainers) await mined(jobs.write.claim([jobId, [1n]], { account: trainer.address }));
      expect((await jobs.read.getRoundResult([jobId, 1n])).paid).to.equal((4n * REWARD) / 10n);

      // The job ends with a failed round 2. Round 0 is CLAIM_ROUNDS rounds old: sweepable at once (nothing left).
      const last = await skipRound(job);
      const endedAt = await timestampOf(last);
      const sweep0 = await mined(jobs.write.sweep([jobId, 0n], { account: outsider.address }));
      expect(argsOf(sweep0, jobs, "RewardSwept")).to.deep.equal({ jobId, round: 0n, amount: 0n, toForfeits: 0n });
      await expectRevert(jobs.write.claim([jobId, [0n]], { account: c.address }), "ClaimsClosed", [0n]);
      // Round 1 waits for the claim period after the end.
      const unlocksAt = endedAt + BigInt(CLAIM_PERIOD);
      await expectRevert(jobs.write.sweep([jobId, 1n]), "ClaimsStillOpen", [1n, 4n, unlocksAt]);
      await nextBlockAt(unlocksAt - 1n);
      await expectRevert(jobs.write.sweep([jobId, 1n]), "ClaimsStillOpen", [1n, 4n, unlocksAt]);
      await nextBlockAt(unlocksAt);
      const sweep1 = await mined(jobs.write.sweep([jobId, 1n], { account: outsider.address }));
      expect(argsOf(sweep1, jobs, "RewardSwept")).to.deep.equal({ jobId, round: 1n, amount: (6n * REWARD) / 10n, toForfeits: 0n });
      expect(await stateOf(job)).to.deep.include({ carry: REWARD + (6n * REWARD) / 10n, unpaidPool: REWARD + (6n * REWARD) / 10n });

      const sponsorBefore = await balanceOf(usdc, sponsor);
      await mined(jobs.write.refundRemainder([jobId], { account: outsider.address }));
      expect((await balanceOf(usdc, sponsor)) - sponsorBefore).to.equal(REWARD + (6n * REWARD) / 10n);
      expect(await balanceOf(usdc, jobs.address)).to.equal(4n * STAKE);
    });
  });

  describe("refundRemainder", () => {
    it("after the end, sends the carry to the sponsor and burns the forfeits, as often as sweeps add to the carry", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc, sponsor, outsider } = job;
      const [a, b, c, d] = trainers;
      await runHonestRound(jobs, jobId, trainers, { finalizer: outsider });
      await skipRound(job);
      // Round 2: a reveals late (a forfeit), b commits and never reveals, c and d reveal on time and attest two tuples.
      const [ua, ub, uc, ud] = updatesFor(trainers, jobId, 2n) as Four<Update>;
      await gotoPhase(jobs, jobId, Phase.Commit);
      await commitAll(jobs, jobId, 2n, [ua, ub, uc, ud]);
      await gotoPhase(jobs, jobId, Phase.Reveal);
      await revealAll(jobs, jobId, 2n, [uc, ud]);
      await gotoPhase(jobs, jobId, Phase.Attest);
      await mined(revealOf(job, ua, 2n));
      const x = tupleOf("x", [2, 3], 2_000n);
      await attestAll(jobs, jobId, 2n, [c], x);
      await attestAll(jobs, jobId, 2n, [d], tupleOf("y", [2, 3], 2_000n));
      await expectRevert(jobs.write.refundRemainder([jobId]), "JobNotEnded", [jobId, 2n, 3n]);
      await expectRevert(jobs.write.publishResult([jobId]), "JobNotEnded", [jobId, 2n, 3n]);
      const late = penaltyOf(STAKE, LATE_REVEAL_BPS);
      // Everyone who revealed on time attested, but b's commitment may still be revealed: no early finalization.
      const w2 = await jobs.read.getRound([jobId]);
      expect(w2).to.deep.include({ committedCount: 4n, revealedCount: 2n, lateRevealCount: 1n, attestedCount: 2n, finalizable: false });
      await expectRevert(finalizeWith(jobs, jobId, 2n, x, outsider), "FinalizeTooEarly", [2n, w2.attestEnd]);
      const final = await finalizeAfterWindow(job, x);
      const endedAt = await timestampOf(final);
      // The round has a leader but fails: the forfeit is not paid to its attesters, it waits (and no round is left).
      expect(argsOf(final, jobs, "RoundFinalized")).to.deep.include({
        succeeded: false,
        leaderTupleId: 1n,
        reward: 0n,
        carry: 2n * REWARD,
        forfeits: late,
        early: false,
      });
      // A tie of two tuples: no majority, so neither side pays LOSING_BPS.
      expect((await jobs.read.getRoundResult([jobId, 2n])).leaderMajority).to.equal(false);
      await expectRevert(jobs.write.claim([jobId, [2n]], { account: c.address }), "RoundFailed", [2n]);
      // After the end, b's missing reveal is slashed at once: its stake joins the forfeits.
      const slashed = await mined(jobs.write.slash([jobId, 2n, b.address], { account: outsider.address }));
      expect(argsOf(slashed, jobs, "TrainerSlashed")).to.deep.include({ round: 2n, trainer: b.address, index: 1n, stake: STAKE });
      expect(await stateOf(job)).to.deep.include({
        status: JobStatus.Ended,
        carry: 2n * REWARD,
        forfeits: late + STAKE,
        unpaidPool: 2n * REWARD,
      });

      const sponsorBefore = await balanceOf(usdc, sponsor);
      const burnBefore = await balanceOf(usdc, BURN_ADDRESS);
      const receipt = await mined(jobs.write.refundRemainder([jobId], { account: outsider.address }));
      expect(argsOf(receipt, jobs, "RemainderRefunded")).to.deep.equal({
        jobId,
        sponsor: sponsor.address,
        refund: 2n * REWARD,
        burned: late + STAKE,
      });
      expect((await balanceOf(usdc, sponsor)) - sponsorBefore).to.equal(2n * REWARD);
      expect((await balanceOf(usdc, BURN_ADDRESS)) - burnBefore).to.equal(late + STAKE);
      expect(await stateOf(job)).to.deep.include({ carry: 0n, forfeits: 0n, unpaidPool: 0n });
      await expectRevert(jobs.write.refundRemainder([jobId]), "NothingToRefund", [jobId]);

      // Round 0 is CLAIM_ROUNDS rounds old: a claims, the rest is swept and refunded in turn.
      await mined(jobs.write.claim([jobId, [0n]], { account: a.address }));
      await mined(jobs.write.sweep([jobId, 0n], { account: outsider.address }));
      const again = await mined(jobs.write.refundRemainder([jobId], { account: outsider.address }));
      expect(argsOf(again, jobs, "RemainderRefunded")).to.deep.include({ refund: (3n * REWARD) / 4n, burned: 0n });

      // The stakes come back after the claim period: c's and d's revealed on time in the last round, and a's late
      // reveal of it is audited like any other, so it stays bonded as long.
      for (const trainer of [a, c]) {
        await expectRevert(jobs.write.withdraw([jobId], { account: trainer.address }), "ClaimPeriodNotOver", [
          jobId,
          endedAt + BigInt(CLAIM_PERIOD),
        ]);
      }
      await advanceTo(endedAt + BigInt(CLAIM_PERIOD));
      const returned: bigint[] = [];
      for (const trainer of [a, c, d]) {
        const before = await balanceOf(usdc, trainer);
        await mined(jobs.write.withdraw([jobId], { account: trainer.address }));
        returned.push((await balanceOf(usdc, trainer)) - before);
      }
      expect(returned).to.deep.equal([STAKE - late, STAKE, STAKE]);
      await expectRevert(jobs.write.withdraw([jobId], { account: b.address }), "TrainerNotActive", [
        jobId,
        b.address,
        TrainerStatus.Slashed,
      ]);
      // Nothing stays in the contract for good.
      expect(await balanceOf(usdc, jobs.address)).to.equal(0n);
      await expectRevert(jobs.write.refundRemainder([99n]), "JobNotFound", [99n]);
    });
  });

  describe("publishResult and currentModel", () => {
    it("keeps the last successful aggregate, long or short, as the model and the seed's input, and publishes it with its lineage", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, registry, sponsor, outsider } = job;
      const indices = [0, 1, 2, 3];
      // A CID longer than 37 bytes is stored whole, a shorter one packed; each replaces the other.
      const r0 = await runRoundWith(job, trainers, indices, LONG_CID);
      expect(argsOf(r0, jobs, "RoundFinalized")).to.deep.include({ aggregateCid: LONG_CID, nextSeed: seedOf(job, jobId, 1n, LONG_CID) });
      expect(await jobs.read.currentModel([jobId])).to.deep.equal([LONG_CID, true, 0n]);
      expect((await jobs.read.getRound([jobId])).seed).to.equal(seedOf(job, jobId, 1n, LONG_CID));
      const r1 = await runRoundWith(job, trainers, indices, SHORT_CID);
      expect(argsOf(r1, jobs, "RoundFinalized")).to.deep.include({ aggregateCid: SHORT_CID, nextSeed: seedOf(job, jobId, 2n, SHORT_CID) });
      expect(await jobs.read.currentModel([jobId])).to.deep.equal([SHORT_CID, true, 1n]);
      expect((await jobs.read.getRound([jobId])).seed).to.equal(seedOf(job, jobId, 2n, SHORT_CID));
      await expectRevert(jobs.write.publishResult([jobId]), "JobNotEnded", [jobId, 2n, 3n]);
      const r2 = await runRoundWith(job, trainers, indices, OTHER_LONG_CID);
      expect(argsOf(r2, jobs, "RoundFinalized")).to.deep.include({ aggregateCid: OTHER_LONG_CID, nextSeed: ZERO_HASH, nextRoundStart: 0n });
      expect(await jobs.read.currentModel([jobId])).to.deep.equal([OTHER_LONG_CID, true, 2n]);

      const published = await mined(jobs.write.publishResult([jobId], { account: outsider.address }));
      const [asset] = eventsOf(published, registry).filter((event) => event.eventName === "AssetPublished");
      const assetId = asset!.args.assetId;
      expect(asset!.args).to.deep.equal({
        assetId,
        owner: sponsor.address,
        kind: AssetKind.Model,
        publisher: getAddress(jobs.address),
        manifestCid: OTHER_LONG_CID,
        parents: [job.datasetId, job.baseModelId],
      });
      expect(argsOf(published, jobs, "ResultPublished")).to.deep.equal({
        jobId,
        modelAssetId: assetId,
        round: 2n,
        modelCid: OTHER_LONG_CID,
      });
      expect(getAddress(await registry.read.ownerOf([assetId]))).to.equal(sponsor.address);
      expect(await registry.read.manifestOf([assetId])).to.equal(OTHER_LONG_CID);
      expect((await stateOf(job)).resultAssetId).to.equal(assetId);
      await expectRevert(jobs.write.publishResult([jobId]), "ResultAlreadyPublished", [jobId, assetId]);
    });

    it("publishes a short aggregate that a failed last round kept, and needs a successful round", async () => {
      const ctx = await loadFixture(trainersFixture);
      const trainers = ctx.accounts.slice(0, 4) as Four<Account>;
      const first = await createJob(ctx, { numRounds: 2 });
      const second = await createJob(ctx, { numRounds: 1 });
      await joinAll(ctx, first, trainers, STAKE);
      const job: Job = { ...ctx, jobId: first, trainers, extra: [ctx.accounts[4], ctx.accounts[5]] };
      await runRoundWith(job, trainers, [0, 1, 2, 3], SHORT_CID);
      const failed = await skipRound(job);
      expect(argsOf(failed, ctx.jobs, "RoundFinalized")).to.deep.include({ succeeded: false, nextSeed: ZERO_HASH });
      expect(await ctx.jobs.read.currentModel([first])).to.deep.equal([SHORT_CID, true, 0n]);
      const published = await mined(ctx.jobs.write.publishResult([first]));
      expect(argsOf(published, ctx.jobs, "ResultPublished")).to.deep.include({ round: 0n, modelCid: SHORT_CID });

      // The second job's only round fails: nothing to publish, the base model is still the model.
      await skipRound({ ...job, jobId: second });
      await expectRevert(ctx.jobs.write.publishResult([second]), "NoSuccessfulRound", [second]);
      expect(await ctx.jobs.read.currentModel([second])).to.deep.equal([cid("base-model"), false, 0n]);
      expect((await ctx.jobs.read.getJob([second]))[1]).to.deep.include({ trained: false, carry: REWARD, status: JobStatus.Ended });
    });
  });

  describe("tokens", () => {
    it("runs a job in an 18-decimal token: claims, penalties and refunds to the wei, nothing left behind", async () => {
      const ctx = await loadFixture(trainersFixture);
      const { jobs, dai, sponsor, outsider } = ctx;
      const trainers = ctx.accounts.slice(0, 4) as Four<Account>;
      const [a, b, c, d] = trainers;
      const jobId = await createJob(ctx, { token: dai, numRounds: 2 });
      const [params] = await jobs.read.getJob([jobId]);
      expect(params).to.deep.include({ token: getAddress(dai.address), rewardPerRound: 1_000n * DAI, minStake: 100n * DAI });
      const stake = 100n * DAI + 1n;
      await joinAll(ctx, jobId, trainers, stake);
      const job: Job = { ...ctx, jobId, trainers, extra: [ctx.accounts[4], ctx.accounts[5]] };
      expect((await jobs.read.getTrainer([jobId, a.address])).weight).to.equal(weightOf(stake, 100n * DAI));

      const samples = [7n, 11n, 13n, 5n];
      const updates = updatesFor(trainers, jobId, 0n, (i) => samples[i]!) as Four<Update>;
      await gotoPhase(jobs, jobId, Phase.Commit);
      await commitAll(jobs, jobId, 0n, updates);
      await gotoPhase(jobs, jobId, Phase.Reveal);
      await revealAll(jobs, jobId, 0n, updates.slice(0, 3));
      await gotoPhase(jobs, jobId, Phase.Attest);
      await mined(revealOf(job, updates[3], 0n));
      const late = penaltyOf(stake, LATE_REVEAL_BPS);
      expect(late).to.equal(5n * DAI + 1n);
      const tuple = tupleOf("agg", [0, 1, 2], 31n);
      await attestAll(jobs, jobId, 0n, [a, b, c], tuple);
      await finalizeWith(jobs, jobId, 0n, tuple, outsider);
      const reward = 1_000n * DAI + late;
      let paid = 0n;
      for (const [i, trainer] of [a, b, c].entries()) {
        const before = await balanceOf(dai, trainer);
        await mined(jobs.write.claim([jobId, [0n]], { account: trainer.address }));
        const amount = shareOf(reward, 31n, samples[i]!);
        expect((await balanceOf(dai, trainer)) - before).to.equal(amount);
        paid += amount;
      }
      const dust = reward - paid;
      expect(dust > 0n).to.equal(true);
      const last = await skipRound(job);
      await advanceTo((await timestampOf(last)) + BigInt(CLAIM_PERIOD));
      // The dust goes back where it came from, pro rata: the late penalty's share (rounded up) to the forfeits, which
      // are burned at the end; the rest to the carry, refunded. Not a wei of forfeited stake reaches the sponsor.
      const swept = await mined(jobs.write.sweep([jobId, 0n]));
      const toForfeits = (dust * late + reward - 1n) / reward;
      expect(argsOf(swept, jobs, "RewardSwept")).to.deep.equal({ jobId, round: 0n, amount: dust, toForfeits });
      const sponsorBefore = await balanceOf(dai, sponsor);
      const refunded = await mined(jobs.write.refundRemainder([jobId]));
      expect(argsOf(refunded, jobs, "RemainderRefunded")).to.deep.include({ refund: 1_000n * DAI + dust - toForfeits, burned: toForfeits });
      expect((await balanceOf(dai, sponsor)) - sponsorBefore).to.equal(1_000n * DAI + dust - toForfeits);
      for (const trainer of trainers) await mined(jobs.write.withdraw([jobId], { account: trainer.address }));
      expect(await balanceOf(dai, d)).to.equal(10n ** 30n - late);
      expect(await balanceOf(dai, jobs.address)).to.equal(0n);
      expect(await balanceOf(ctx.usdc, jobs.address)).to.equal(0n);
    });

    it("refuses re-entry while tokens move out (claim and withdraw)", async () => {
      const ctx = await loadFixture(trainingFixture);
      const { jobs, sponsor, outsider } = ctx;
      const hostile = await hre.viem.deployContract("ReentrantPaymentToken");
      const token = hostile as unknown as Token;
      await mined(hostile.write.mint([sponsor.address, 1_000n * DAI]));
      await mined(hostile.write.approve([jobs.address, 2n ** 256n - 1n], { account: sponsor.address }));
      const trainers = await makeAccounts("hostile", 4, [token], jobs.address, 10n ** 30n);
      const jobId = await createJob(ctx, { token, numRounds: 1 });
      await joinAll(ctx, jobId, trainers, 100n * DAI);
      const round = await runHonestRound(jobs, jobId, trainers, { finalizer: outsider });
      const endedAt = await timestampOf(round.finalize);

      const reclaim = encodeFunctionData({ abi: jobs.abi, functionName: "claim", args: [jobId, [0n]] });
      await mined(hostile.write.arm([jobs.address, reclaim]));
      const [first, second] = trainers as Four<Account>;
      await mined(jobs.write.claim([jobId, [0n]], { account: first.address }));
      expect(await hostile.read.attempts()).to.equal(1n);
      expect(await hostile.read.lastSuccess()).to.equal(false);
      expect(await hostile.read.lastReturnData()).to.equal(errorSelector("ReentrancyGuardReentrantCall()"));
      expect(await balanceOf(hostile, first)).to.equal(10n ** 30n - 100n * DAI + (1_000n * DAI) / 4n);

      const rewithdraw = encodeFunctionData({ abi: jobs.abi, functionName: "withdraw", args: [jobId] });
      await mined(hostile.write.arm([jobs.address, rewithdraw]));
      await advanceTo(endedAt + BigInt(CLAIM_PERIOD));
      await mined(jobs.write.withdraw([jobId], { account: second.address }));
      expect(await hostile.read.attempts()).to.equal(2n);
      expect(await hostile.read.lastSuccess()).to.equal(false);
      expect(await hostile.read.lastReturnData()).to.equal(errorSelector("ReentrancyGuardReentrantCall()"));
      expect(await balanceOf(hostile, second)).to.equal(10n ** 30n);
    });
  });

  describe("views and encodings", () => {
    it("computes commitments and tuple hashes exactly as viem encodes them", async () => {
      const ctx = await loadFixture(trainingFixture);
      const trainer = ctx.outsider.address;
      const salt = keccak256("0x1234");
      expect(await ctx.jobs.read.computeCommitment([3n, 5n, cid("u"), 123n, salt, trainer])).to.equal(
        commitmentOf(ctx.domain, 3n, 5n, cid("u"), 123n, salt, trainer),
      );
      // Every input is bound: another job, round or trainer gives another commitment.
      const other = await ctx.jobs.read.computeCommitment([3n, 6n, cid("u"), 123n, salt, trainer]);
      expect(other).to.not.equal(commitmentOf(ctx.domain, 3n, 5n, cid("u"), 123n, salt, trainer));
      expect(await ctx.jobs.read.computeTupleHash([cid("a"), 0b1011n, 77n, 0n])).to.equal(tupleHashOf(cid("a"), 0b1011n, 77n));
      expect(await ctx.jobs.read.computeTupleHash([LONG_CID, 2n ** 255n, 1n, 0b100n])).to.equal(
        tupleHashOf(LONG_CID, 2n ** 255n, 1n, 0b100n),
      );
      // The slash mask is part of the key: the same aggregate naming another cheater is another tuple.
      expect(tupleHashOf(cid("a"), 0b1011n, 77n, 0b100n)).to.not.equal(tupleHashOf(cid("a"), 0b1011n, 77n));
    });

    it("reverts JobNotFound for an unknown job, and reads zeros for an account that never joined", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, outsider, sponsor } = job;
      const unknown = 99n;
      const as = { account: outsider.address };
      await expectRevert(jobs.read.getJob([unknown]), "JobNotFound", [unknown]);
      await expectRevert(jobs.read.getRound([unknown]), "JobNotFound", [unknown]);
      await expectRevert(jobs.read.getRoundResult([unknown, 0n]), "JobNotFound", [unknown]);
      await expectRevert(jobs.read.currentModel([unknown]), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.cancelJob([unknown], { account: sponsor.address }), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.join([unknown, STAKE, peerIdOf(outsider), []], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.leave([unknown], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.withdraw([unknown], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.evict([unknown, outsider.address], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.settle([unknown, outsider.address], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.commit([unknown, 0n, ZERO_HASH], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.reveal([unknown, 0n, cid("u"), 1n, ZERO_HASH], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.attest([unknown, 0n, cid("a"), 1n, 1n, 0n], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.finalize([unknown, 0n, "0x", 0n, 0n, 0n], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.claim([unknown, [0n]], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.sweep([unknown, 0n], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.slash([unknown, 0n, outsider.address], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.refundRemainder([unknown], as), "JobNotFound", [unknown]);
      await expectRevert(jobs.write.publishResult([unknown], as), "JobNotFound", [unknown]);

      expect(await jobs.read.getTrainer([jobId, outsider.address])).to.deep.equal({
        status: TrainerStatus.None,
        index: 0n,
        stake: 0n,
        weight: 0n,
        firstRound: 0n,
        hasPendingCommit: false,
        pendingRound: 0n,
        hasUnsettledReveal: false,
        hasRevealed: false,
        lastRevealRound: 0n,
        leftAt: 0n,
        canWithdraw: false,
        evictable: false,
      });
      expect(await jobs.read.getTrainerRound([jobId, 0n, outsider.address])).to.deep.equal({
        revealed: false,
        late: false,
        samples: 0n,
        weight: 0n,
        attestedTupleId: 0n,
        included: false,
        claimed: false,
      });
      expect(await jobs.read.getRoundResult([jobId, 5n])).to.deep.include({ status: RoundStatus.Pending, reward: 0n });
      await expectRevert(jobs.write.leave([jobId], as), "NotATrainer", [jobId, outsider.address]);
    });
  });
});
