import hre from "hardhat";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeAbiParameters, encodeFunctionData, keccak256, parseAbiParameters, zeroAddress, type Hex } from "viem";
import { expectRevert, errorSelector } from "../fixtures/errors";
import { AssetKind, cid, eventsOf, mined } from "../fixtures/protocol";
import {
  ATTEST_WINDOW,
  COMMIT_WINDOW,
  JobStatus,
  MAX_SAMPLES,
  Phase,
  REVEAL_WINDOW,
  ROUND_LENGTH,
  RoundStatus,
  SLASH_CALLER_BPS,
  TrainerStatus,
  advanceTo,
  attestAll,
  commitAll,
  commitmentOf,
  createJob,
  gotoPhase,
  jobParams,
  joinAll,
  makeAccounts,
  maskOf,
  nextBlockAt,
  multiaddrOf,
  peerIdOf,
  revealAll,
  runHonestRound,
  trainingFixture,
  tupleHashOf,
  updatesFor,
  type Account,
  type TrainingContext,
  type Tuple,
} from "../fixtures/training";

const USDC = 10n ** 6n;
const DAI = 10n ** 18n;
const STAKE = 1_000n * DAI;
const REWARD = 1_000n * USDC;

/** Four trainers (indices 0-3) in a 3-round job paying 1,000 USDC (6 decimals) per round, staking 1,000 DAI (18). */
async function fourTrainerJobFixture() {
  const ctx = await trainingFixture();
  const trainers = await makeAccounts("trainer", 4, [ctx.usdc, ctx.dai], ctx.jobs.address, 10n ** 30n);
  const jobId = await createJob(ctx, { numRounds: 3 });
  await joinAll(ctx, jobId, trainers, STAKE);
  return { ...ctx, trainers, jobId };
}

/** The same job with one token (DAI, 18 decimals) for rewards and stakes: slashed stake flows into the carry. */
async function sameTokenJobFixture() {
  const ctx = await trainingFixture();
  const trainers = await makeAccounts("trainer", 4, [ctx.dai], ctx.jobs.address, 10n ** 30n);
  const jobId = await createJob(ctx, { numRounds: 3, rewardToken: ctx.dai, stakeToken: ctx.dai });
  await joinAll(ctx, jobId, trainers, STAKE);
  return { ...ctx, trainers, jobId };
}

type Job = TrainingContext & { trainers: Account[]; jobId: bigint };

const _addr = (account: Account) => account.address;

/** Seed of `round` as a client computes it: keccak256(abi.encode(chainId, contract, jobId, round, modelCid)). */
async function expectedSeed(ctx: TrainingContext, jobId: bigint, round: bigint, modelCid: Hex): Promise<Hex> {
  const chainId = await ctx.publicClient.getChainId();
  return keccak256(
    encodeAbiParameters(parseAbiParameters("uint256, address, uint256, uint256, bytes"), [
      BigInt(chainId),
      ctx.jobs.address,
      jobId,
      round,
      modelCid,
    ]),
  );
}

/** Commit and reveal `updates`, then move to the attest window. */
async function commitAndReveal(job: Job, updates: ReturnType<typeof updatesFor>) {
  const round = (await job.jobs.read.getRound([job.jobId])).round;
  await gotoPhase(job.jobs, job.jobId, Phase.Commit);
  await commitAll(job.jobs, job.jobId, round, updates);
  await gotoPhase(job.jobs, job.jobId, Phase.Reveal);
  await revealAll(job.jobs, job.jobId, round, updates);
  await gotoPhase(job.jobs, job.jobId, Phase.Attest);
  return round;
}

async function finalizeAfterWindow(job: Job) {
  const round = await job.jobs.read.getRound([job.jobId]);
  await advanceTo(round.attestEnd);
  return mined(job.jobs.write.finalize([job.jobId, round.round], { account: job.outsider.address }));
}

describe("TrainingJobs", () => {
  describe("createJob", () => {
    it("stores the parameters, pulls the pool, emits everything an indexer needs and schedules round 0", async () => {
      const ctx = await loadFixture(trainingFixture);
      const params = await jobParams(ctx, { numRounds: 3 });
      const before = await ctx.usdc.read.balanceOf([ctx.sponsor.address]);
      const receipt = await mined(ctx.jobs.write.createJob([params], { account: ctx.sponsor.address }));

      expect(await ctx.jobs.read.jobCount()).to.equal(1n);
      expect(before - (await ctx.usdc.read.balanceOf([ctx.sponsor.address]))).to.equal(3n * REWARD);
      expect(await ctx.usdc.read.balanceOf([ctx.jobs.address])).to.equal(3n * REWARD);

      const [created] = eventsOf(receipt, ctx.jobs).filter((e) => e.eventName === "JobCreated");
      expect(created!.args.jobId).to.equal(1n);
      expect(created!.args.sponsor.toLowerCase()).to.equal(ctx.sponsor.address.toLowerCase());
      expect(created!.args.datasetId).to.equal(ctx.datasetId);
      expect(created!.args.params).to.deep.equal(params);
      expect(created!.args.seed).to.equal(await expectedSeed(ctx, 1n, 0n, params.baseModelCid));

      const [stored, state] = await ctx.jobs.read.getJob([1n]);
      expect(stored).to.deep.equal(params);
      expect(state.sponsor.toLowerCase()).to.equal(ctx.sponsor.address.toLowerCase());
      expect(state.status).to.equal(JobStatus.Scheduled);
      expect(state.currentRound).to.equal(0n);
      expect(state.unpaidPool).to.equal(3n * REWARD);
      expect(state.trained).to.equal(false);

      const round = await ctx.jobs.read.getRound([1n]);
      expect(round.phase).to.equal(Phase.Scheduled);
      expect(round.start).to.equal(params.startTime);
      expect(round.commitEnd).to.equal(params.startTime + BigInt(COMMIT_WINDOW));
      expect(round.revealEnd).to.equal(round.commitEnd + BigInt(REVEAL_WINDOW));
      expect(round.attestEnd).to.equal(round.revealEnd + BigInt(ATTEST_WINDOW));
      expect(round.seed).to.equal(created!.args.seed);
      expect(await ctx.jobs.read.currentModel([1n])).to.deep.equal([params.baseModelCid, false, 0n]);
    });

    it("reverts every bad parameter with an error that names it", async () => {
      const ctx = await loadFixture(trainingFixture);
      const base = await jobParams(ctx);
      const create = (overrides: Partial<typeof base>) =>
        ctx.jobs.write.createJob([{ ...base, ...overrides }], { account: ctx.sponsor.address });

      await expectRevert(create({ rewardToken: zeroAddress }), "InvalidToken", [zeroAddress]);
      await expectRevert(create({ stakeToken: zeroAddress }), "InvalidToken", [zeroAddress]);
      await expectRevert(create({ numRounds: 0, rewardPool: 0n }), "InvalidRoundCount", [0n, 2n ** 24n - 1n]);
      await expectRevert(create({ numRounds: 2 ** 24 }), "InvalidRoundCount", [2n ** 24n, 2n ** 24n - 1n]);
      await expectRevert(create({ revealWindow: 0 }), "InvalidWindows", [BigInt(COMMIT_WINDOW), 0n, BigInt(ATTEST_WINDOW)]);
      await expectRevert(create({ quorumBps: 5_000 }), "InvalidQuorum", [5_000n]);
      await expectRevert(create({ quorumBps: 10_001 }), "InvalidQuorum", [10_001n]);
      await expectRevert(create({ maxTrainers: 0 }), "InvalidMaxTrainers", [0n, 256n]);
      await expectRevert(create({ maxTrainers: 257 }), "InvalidMaxTrainers", [257n, 256n]);
      await expectRevert(create({ maxSamples: 0 }), "InvalidMaxSamples", [0n]);
      await expectRevert(create({ minStake: 0n }), "InvalidMinStake", [0n, 2n ** 88n - 1n]);
      await expectRevert(create({ minStake: 2n ** 88n }), "InvalidMinStake", [2n ** 88n, 2n ** 88n - 1n]);
      // Every reverted transaction is mined too, so pin the block time right before this one.
      const now = BigInt(await time.latest()) + 5n;
      await nextBlockAt(now);
      await expectRevert(create({ startTime: now - 1n }), "StartTimeInPast", [now - 1n, now]);
      await expectRevert(create({ rewardPool: 2n ** 96n }), "RewardPoolTooLarge", [2n ** 96n, 2n ** 96n - 1n]);
      await expectRevert(create({ rewardPool: 3n * REWARD - 1n }), "RewardPoolMismatch", [3n * REWARD - 1n, 3n * REWARD]);
      await expectRevert(create({ rewardPerRound: 2n ** 255n }), "RewardPoolMismatch", [3n * REWARD, 2n ** 256n - 1n]);
      await expectRevert(create({ baseModelCid: "0x" }), "EmptyCid", []);
      await expectRevert(create({ specCid: "0x02a9021220" }), "MalformedCid", ["0x02a9021220", 0n]);
      await expectRevert(create({ datasetId: ctx.baseModelId }), "WrongAssetKind", [ctx.baseModelId, AssetKind.Dataset, AssetKind.Model]);
      await expectRevert(create({ baseModelId: ctx.datasetId }), "WrongAssetKind", [ctx.datasetId, AssetKind.Model, AssetKind.Dataset]);
      await expectRevert(create({ datasetId: 99n }), "AssetNotFound", [99n]);
      expect(await ctx.jobs.read.jobCount()).to.equal(0n);
    });

    it("refuses tokens that deliver less than was sent", async () => {
      const ctx = await loadFixture(trainingFixture);
      const fee = await hre.viem.deployContract("FeeOnTransferToken");
      await fee.write.mint([ctx.sponsor.address, 10n ** 24n]);
      await mined(fee.write.approve([ctx.jobs.address, 2n ** 256n - 1n], { account: ctx.sponsor.address }));
      const params = { ...(await jobParams(ctx)), rewardToken: fee.address };
      await expectRevert(ctx.jobs.write.createJob([params], { account: ctx.sponsor.address }), "TransferAmountMismatch", [
        fee.address,
        params.rewardPool,
        params.rewardPool - params.rewardPool / 100n,
      ]);
    });
  });

  describe("cancelJob", () => {
    it("refunds the whole pool before round 0 and frees the stakes at once", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const before = await job.usdc.read.balanceOf([job.sponsor.address]);
      const receipt = await mined(job.jobs.write.cancelJob([job.jobId], { account: job.sponsor.address }));
      expect((await job.usdc.read.balanceOf([job.sponsor.address])) - before).to.equal(3n * REWARD);
      const [cancelled] = eventsOf(receipt, job.jobs).filter((e) => e.eventName === "JobCancelled");
      expect(cancelled!.args.refund).to.equal(3n * REWARD);
      const [, state] = await job.jobs.read.getJob([job.jobId]);
      expect(state.status).to.equal(JobStatus.Cancelled);
      expect(state.unpaidPool).to.equal(0n);
      expect((await job.jobs.read.getRound([job.jobId])).phase).to.equal(Phase.Cancelled);

      const trainer = job.trainers[0]!;
      expect((await job.jobs.read.getTrainer([job.jobId, trainer.address])).canWithdraw).to.equal(true);
      const stakeBefore = await job.dai.read.balanceOf([trainer.address]);
      await mined(job.jobs.write.withdraw([job.jobId], { account: trainer.address }));
      expect((await job.dai.read.balanceOf([trainer.address])) - stakeBefore).to.equal(STAKE);

      await expectRevert(job.jobs.write.cancelJob([job.jobId], { account: job.sponsor.address }), "JobIsCancelled", [job.jobId]);
      await expectRevert(
        job.jobs.write.join([job.jobId, STAKE, peerIdOf(job.outsider), []], { account: job.outsider.address }),
        "JobIsCancelled",
        [job.jobId],
      );
      await expectRevert(job.jobs.write.refundRemainder([job.jobId]), "NothingToRefund", [job.jobId]);
      await expectRevert(job.jobs.write.publishResult([job.jobId]), "JobIsCancelled", [job.jobId]);
    });

    it("is for the sponsor only, and only before round 0 starts", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      await expectRevert(job.jobs.write.cancelJob([job.jobId], { account: job.outsider.address }), "NotSponsor", [
        job.outsider.address,
        job.sponsor.address,
      ]);
      const { start } = await job.jobs.read.getRound([job.jobId]);
      await advanceTo(start);
      await expectRevert(job.jobs.write.cancelJob([job.jobId], { account: job.sponsor.address }), "JobAlreadyStarted", [job.jobId, start]);
      await expectRevert(job.jobs.write.cancelJob([42n], { account: job.sponsor.address }), "JobNotFound", [42n]);
    });
  });

  describe("membership", () => {
    it("assigns indices in join order, pulls the stake and publishes the peer info", async () => {
      const ctx = await loadFixture(trainingFixture);
      const [a, b] = await makeAccounts("member", 2, [ctx.dai], ctx.jobs.address, 10n ** 24n);
      const jobId = await createJob(ctx);
      const receipts = await joinAll(ctx, jobId, [a!, b!], STAKE);
      const [joined] = eventsOf(receipts[1]!, ctx.jobs).filter((e) => e.eventName === "TrainerJoined");
      expect(joined!.args).to.deep.include({ jobId, index: 1n, stake: STAKE, peerId: peerIdOf(b!), addrs: [multiaddrOf(4001)] });
      expect(await ctx.dai.read.balanceOf([ctx.jobs.address])).to.equal(2n * STAKE);
      const state = await ctx.jobs.read.getTrainer([jobId, b!.address]);
      expect(state).to.deep.include({ status: TrainerStatus.Active, index: 1n, stake: STAKE, hasPendingCommit: false, canWithdraw: false });
      expect((await ctx.jobs.read.getJob([jobId]))[1].trainerCount).to.equal(2n);

      const update = await mined(ctx.jobs.write.updatePeerInfo([jobId, peerIdOf(a!), [multiaddrOf(9000)]], { account: a!.address }));
      const [peer] = eventsOf(update, ctx.jobs).filter((e) => e.eventName === "PeerInfoUpdated");
      expect(peer!.args).to.deep.include({ index: 0n, addrs: [multiaddrOf(9000)] });
    });

    it("reverts a stake below the minimum or above the maximum, an empty peer id, a second join and a full job", async () => {
      const ctx = await loadFixture(trainingFixture);
      const accounts = await makeAccounts("member", 3, [ctx.dai], ctx.jobs.address, 10n ** 30n);
      const jobId = await createJob(ctx, { maxTrainers: 2 });
      const minStake = 100n * DAI;
      const join = (account: Account, stake: bigint, peerId: Hex = peerIdOf(account)) =>
        ctx.jobs.write.join([jobId, stake, peerId, []], { account: account.address });

      await expectRevert(join(accounts[0]!, minStake - 1n), "StakeTooLow", [minStake - 1n, minStake]);
      await expectRevert(join(accounts[0]!, 2n ** 88n), "StakeTooHigh", [2n ** 88n, 2n ** 88n - 1n]);
      await expectRevert(join(accounts[0]!, minStake, "0x"), "EmptyPeerId", []);
      await mined(join(accounts[0]!, minStake));
      await expectRevert(join(accounts[0]!, minStake), "AlreadyJoined", [jobId, accounts[0]!.address, 0n]);
      await mined(join(accounts[1]!, minStake));
      await expectRevert(join(accounts[2]!, minStake), "JobFull", [jobId, 2n]);
      await expectRevert(
        ctx.jobs.write.join([7n, minStake, peerIdOf(accounts[2]!), []], { account: accounts[2]!.address }),
        "JobNotFound",
        [7n],
      );
      await expectRevert(
        ctx.jobs.write.updatePeerInfo([jobId, peerIdOf(accounts[2]!), []], { account: accounts[2]!.address }),
        "NotATrainer",
        [jobId, accounts[2]!.address],
      );
    });

    it("locks the stake of an active trainer, frees it one round length after leaving, and only once", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const [trainer] = job.trainers;
      const withdraw = () => job.jobs.write.withdraw([job.jobId], { account: trainer!.address });
      await expectRevert(withdraw(), "StakeLocked", [job.jobId, trainer!.address]);

      const receipt = await mined(job.jobs.write.leave([job.jobId], { account: trainer!.address }));
      const leftAt = BigInt(await time.latest());
      const withdrawableAt = leftAt + BigInt(ROUND_LENGTH);
      const [left] = eventsOf(receipt, job.jobs).filter((e) => e.eventName === "TrainerLeft");
      expect(left!.args).to.deep.include({ index: 0n, withdrawableAt });
      expect(await job.jobs.read.getTrainer([job.jobId, trainer!.address])).to.deep.include({
        status: TrainerStatus.Left,
        leftAt,
        withdrawableAt,
        canWithdraw: false,
      });
      await expectRevert(job.jobs.write.leave([job.jobId], { account: trainer!.address }), "TrainerNotActive", [
        job.jobId,
        trainer!.address,
        TrainerStatus.Left,
      ]);

      await nextBlockAt(withdrawableAt - 1n);
      await expectRevert(withdraw(), "CooldownNotOver", [withdrawableAt, withdrawableAt - 1n]);
      // (Hardhat mines reverted transactions: the latest block is now at withdrawableAt - 1.)
      expect((await job.jobs.read.getTrainer([job.jobId, trainer!.address])).canWithdraw).to.equal(false);
      await nextBlockAt(withdrawableAt);
      const before = await job.dai.read.balanceOf([trainer!.address]);
      const out = await mined(withdraw());
      expect((await job.dai.read.balanceOf([trainer!.address])) - before).to.equal(STAKE);
      const [withdrawn] = eventsOf(out, job.jobs).filter((e) => e.eventName === "StakeWithdrawn");
      expect(withdrawn!.args).to.deep.include({ index: 0n, amount: STAKE });
      expect(await job.jobs.read.getTrainer([job.jobId, trainer!.address])).to.deep.include({
        status: TrainerStatus.Withdrawn,
        stake: 0n,
      });
      await expectRevert(withdraw(), "TrainerNotActive", [job.jobId, trainer!.address, TrainerStatus.Withdrawn]);
      await expectRevert(job.jobs.write.withdraw([job.jobId], { account: job.outsider.address }), "NotATrainer", [
        job.jobId,
        job.outsider.address,
      ]);
    });

    it("keeps a commitment made before leaving binding: no withdrawal until it is revealed", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const [trainer] = job.trainers;
      const updates = updatesFor([trainer!], job.jobId, 0n);
      await gotoPhase(job.jobs, job.jobId, Phase.Commit);
      await commitAll(job.jobs, job.jobId, 0n, updates);
      await mined(job.jobs.write.leave([job.jobId], { account: trainer!.address }));
      await expectRevert(job.jobs.write.commit([job.jobId, 0n, keccak256("0x01")], { account: trainer!.address }), "TrainerNotActive", [
        job.jobId,
        trainer!.address,
        TrainerStatus.Left,
      ]);
      await advanceTo(BigInt(await time.latest()) + BigInt(ROUND_LENGTH));
      await expectRevert(job.jobs.write.withdraw([job.jobId], { account: trainer!.address }), "CommitmentPending", [
        job.jobId,
        trainer!.address,
        0n,
      ]);
    });
  });

  describe("a full job with 4 trainers over 3 rounds", () => {
    it("pays every included attester reward * samples / includedSamples, exactly, and publishes the final model", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc } = job;
      const samples = (i: number) => BigInt(i + 1) * 1_000n; // 1,000 2,000 3,000 4,000: 10,000 in all
      const rounds = [];
      for (let r = 0; r < 3; r++) {
        const before = await jobs.read.getRound([jobId]);
        const result = await runHonestRound(jobs, jobId, trainers, { samples });
        rounds.push(result);
        expect(result.round).to.equal(BigInt(r));
        // Every trainer attested, so the round finalized before its attest window closed.
        expect(BigInt(await time.latest()) < before.attestEnd).to.equal(true);
        const [finalized] = eventsOf(result.finalize, jobs).filter((e) => e.eventName === "RoundFinalized");
        expect(finalized!.args).to.deep.include({
          round: BigInt(r),
          succeeded: true,
          aggregateCid: result.tuple.aggregateCid,
          includedMask: maskOf([0, 1, 2, 3]),
          includedSamples: 10_000n,
          winningTupleId: 1n,
          reward: REWARD,
          carry: 0n,
        });
        const after = await jobs.read.getRound([jobId]);
        if (r < 2) {
          expect(finalized!.args.nextSeed).to.equal(await expectedSeed(job, jobId, BigInt(r + 1), result.tuple.aggregateCid));
          expect(after.seed).to.equal(finalized!.args.nextSeed);
          expect(after.start).to.equal(finalized!.args.nextRoundStart);
          expect(after.round).to.equal(BigInt(r + 1));
        } else {
          expect(finalized!.args.nextSeed).to.equal(`0x${"00".repeat(32)}`);
          expect(after.phase).to.equal(Phase.Ended);
        }
        expect(await jobs.read.getRoundResult([jobId, BigInt(r)])).to.deep.equal({
          status: RoundStatus.Succeeded,
          aggregateCid: result.tuple.aggregateCid,
          includedMask: maskOf([0, 1, 2, 3]),
          includedSamples: 10_000n,
          winningTupleId: 1n,
          reward: REWARD,
          claimedSamples: 0n,
        });
        const [attested] = eventsOf(result.attests[2]!, jobs).filter((e) => e.eventName === "Attested");
        // 3 of 4 equal stakes is the first tally at or above 66.67% of the revealed stake.
        expect(attested!.args).to.deep.include({ tupleId: 1n, tupleStake: 3n * STAKE, quorumReached: true, index: 2n });
      }
      const [, state] = await jobs.read.getJob([jobId]);
      expect(state).to.deep.include({ status: JobStatus.Ended, currentRound: 3n, unpaidPool: 0n, trained: true, lastSuccessfulRound: 2n });
      expect(await jobs.read.currentModel([jobId])).to.deep.equal([rounds[2]!.tuple.aggregateCid, true, 2n]);

      for (const [i, trainer] of trainers.entries()) {
        const before = await usdc.read.balanceOf([trainer.address]);
        const receipt = await mined(jobs.write.claim([jobId, [0n, 1n, 2n]], { account: trainer.address }));
        const share = (REWARD * samples(i)) / 10_000n;
        expect((await usdc.read.balanceOf([trainer.address])) - before).to.equal(3n * share);
        const claimed = eventsOf(receipt, jobs).filter((e) => e.eventName === "RewardClaimed");
        expect(claimed.map((e) => [e.args.round, e.args.amount, e.args.samples])).to.deep.equal([
          [0n, share, samples(i)],
          [1n, share, samples(i)],
          [2n, share, samples(i)],
        ]);
        // One token transfer for the three rounds.
        expect(eventsOf(receipt, usdc).filter((e) => e.eventName === "Transfer")).to.have.length(1);
      }
      expect(await usdc.read.balanceOf([jobs.address])).to.equal(0n);
      expect((await jobs.read.getRoundResult([jobId, 1n])).claimedSamples).to.equal(10_000n);

      // The final model becomes a model asset of the sponsor, with the dataset and the base model as parents.
      const published = await mined(jobs.write.publishResult([jobId], { account: job.outsider.address }));
      const [asset] = eventsOf(published, job.registry).filter((e) => e.eventName === "AssetPublished");
      expect(asset!.args).to.deep.include({
        kind: AssetKind.Model,
        manifestCid: rounds[2]!.tuple.aggregateCid,
        parents: [job.datasetId, job.baseModelId],
      });
      expect(asset!.args.owner.toLowerCase()).to.equal(job.sponsor.address.toLowerCase());
      expect((await job.registry.read.ownerOf([asset!.args.assetId])).toLowerCase()).to.equal(job.sponsor.address.toLowerCase());
      const [resultEvent] = eventsOf(published, jobs).filter((e) => e.eventName === "ResultPublished");
      expect(resultEvent!.args).to.deep.include({ modelAssetId: asset!.args.assetId, round: 2n, modelCid: rounds[2]!.tuple.aggregateCid });
      expect((await jobs.read.getJob([jobId]))[1].resultAssetId).to.equal(asset!.args.assetId);
      await expectRevert(jobs.write.publishResult([jobId]), "ResultAlreadyPublished", [jobId, asset!.args.assetId]);

      // The job is over: every stake comes back.
      for (const trainer of trainers) {
        expect((await jobs.read.getTrainer([jobId, trainer.address])).canWithdraw).to.equal(true);
        await mined(jobs.write.withdraw([jobId], { account: trainer.address }));
      }
      expect(await job.dai.read.balanceOf([jobs.address])).to.equal(0n);
    });

    it("reads the current phase and its deadlines, and refuses an early finalization until everyone attested", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers } = job;
      const updates = updatesFor(trainers, jobId, 0n);
      const round = await jobs.read.getRound([jobId]);
      expect(round.phase).to.equal(Phase.Scheduled);
      await gotoPhase(jobs, jobId, Phase.Commit);
      expect((await jobs.read.getRound([jobId])).phase).to.equal(Phase.Commit);
      await commitAll(jobs, jobId, 0n, updates);
      expect(await jobs.read.getTrainer([jobId, trainers[0]!.address])).to.deep.include({ hasPendingCommit: true, pendingRound: 0n });
      await gotoPhase(jobs, jobId, Phase.Reveal);
      expect((await jobs.read.getRound([jobId])).phase).to.equal(Phase.Reveal);
      await revealAll(jobs, jobId, 0n, updates);
      expect(await jobs.read.getTrainerRound([jobId, 0n, trainers[1]!.address])).to.deep.equal({
        revealed: true,
        samples: 1_000n,
        attestedTupleId: 0n,
        included: false,
        claimed: false,
      });
      await gotoPhase(jobs, jobId, Phase.Attest);
      const tuple: Tuple = { aggregateCid: cid("agg"), includedMask: maskOf([0, 1, 2, 3]), includedSamples: 4_000n };
      await attestAll(jobs, jobId, 0n, trainers.slice(0, 3), tuple);
      const live = await jobs.read.getRound([jobId]);
      expect(live).to.deep.include({
        phase: Phase.Attest,
        revealedCount: 4n,
        attestedCount: 3n,
        revealedStake: 4n * STAKE,
        quorumStake: (4n * STAKE * 6_667n + 9_999n) / 10_000n,
        winningTupleId: 1n,
        finalizable: false,
      });
      expect(
        await jobs.read.getTuple([jobId, 0n, tupleHashOf(tuple.aggregateCid, tuple.includedMask, tuple.includedSamples)]),
      ).to.deep.equal([1n, 3n * STAKE]);
      await expectRevert(jobs.write.finalize([jobId, 0n]), "FinalizeTooEarly", [0n, live.attestEnd]);
      await attestAll(jobs, jobId, 0n, trainers.slice(3), tuple);
      expect((await jobs.read.getRound([jobId])).finalizable).to.equal(true);
      await mined(jobs.write.finalize([jobId, 0n]));
    });
  });

  describe("windows", () => {
    it("reverts every round call outside its window with the window's bounds", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers } = job;
      const [a, b] = trainers;
      const update = updatesFor([a!], jobId, 0n)[0]!;
      const commitment = commitmentOf(update.cid, update.samples, update.salt, a!.address);
      const w = await jobs.read.getRound([jobId]);
      const commit = () => jobs.write.commit([jobId, 0n, commitment], { account: a!.address });
      const reveal = () => jobs.write.reveal([jobId, 0n, update.cid, update.samples, update.salt], { account: a!.address });
      const tuple = { aggregateCid: cid("agg"), includedMask: maskOf([0]), includedSamples: update.samples };
      const attest = (who: Account = a!) =>
        jobs.write.attest([jobId, 0n, tuple.aggregateCid, tuple.includedMask, tuple.includedSamples], { account: who.address });

      // Before the start.
      await expectRevert(commit(), "OutsideWindow", [Phase.Commit, w.start, w.commitEnd]);
      await expectRevert(jobs.write.finalize([jobId, 0n]), "FinalizeTooEarly", [0n, w.attestEnd]);
      // Commit window.
      await advanceTo(w.start);
      await expectRevert(reveal(), "OutsideWindow", [Phase.Reveal, w.commitEnd, w.revealEnd]);
      await expectRevert(attest(), "OutsideWindow", [Phase.Attest, w.revealEnd, w.attestEnd]);
      await mined(commit());
      await expectRevert(commit(), "AlreadyCommitted", [0n]);
      await expectRevert(jobs.write.commit([jobId, 1n, commitment], { account: b!.address }), "WrongRound", [1n, 0n]);
      await expectRevert(jobs.write.slash([jobId, 0n, a!.address]), "SlashTooEarly", [0n, w.revealEnd]);
      // Reveal window: the last second of the commit window is still the commit window.
      await nextBlockAt(w.commitEnd - 1n);
      await mined(jobs.write.commit([jobId, 0n, commitment], { account: trainers[2]!.address }));
      await nextBlockAt(w.commitEnd);
      await expectRevert(jobs.write.commit([jobId, 0n, commitment], { account: b!.address }), "OutsideWindow", [
        Phase.Commit,
        w.start,
        w.commitEnd,
      ]);
      await expectRevert(attest(), "OutsideWindow", [Phase.Attest, w.revealEnd, w.attestEnd]);
      await expectRevert(jobs.write.reveal([jobId, 0n, update.cid, update.samples, update.salt], { account: b!.address }), "NotCommitted", [
        0n,
      ]);
      await expectRevert(
        jobs.write.reveal([jobId, 0n, update.cid, update.samples + 1n, update.salt], { account: a!.address }),
        "CommitmentMismatch",
        [commitment, commitmentOf(update.cid, update.samples + 1n, update.salt, a!.address)],
      );
      await expectRevert(
        jobs.write.reveal([jobId, 0n, update.cid, BigInt(MAX_SAMPLES) + 1n, update.salt], { account: a!.address }),
        "SamplesOutOfRange",
        [BigInt(MAX_SAMPLES) + 1n, BigInt(MAX_SAMPLES)],
      );
      await expectRevert(jobs.write.reveal([jobId, 0n, update.cid, 0n, update.salt], { account: a!.address }), "SamplesOutOfRange", [
        0n,
        BigInt(MAX_SAMPLES),
      ]);
      // Another trainer's reveal of the same values does not match its own commitment (the trainer is hashed in).
      await expectRevert(
        jobs.write.reveal([jobId, 0n, update.cid, update.samples, update.salt], { account: trainers[2]!.address }),
        "CommitmentMismatch",
        [commitment, commitmentOf(update.cid, update.samples, update.salt, trainers[2]!.address)],
      );
      await mined(reveal());
      await expectRevert(reveal(), "NotCommitted", [0n]);
      // Attest window.
      await advanceTo(w.revealEnd);
      await expectRevert(reveal(), "OutsideWindow", [Phase.Reveal, w.commitEnd, w.revealEnd]);
      await expectRevert(attest(b!), "NotRevealed", [0n]);
      await expectRevert(jobs.write.attest([jobId, 0n, tuple.aggregateCid, 0n, 0n], { account: a!.address }), "InvalidInclusion", [0n, 0n]);
      await expectRevert(
        jobs.write.attest([jobId, 0n, tuple.aggregateCid, maskOf([0, 1]), 1n], { account: a!.address }),
        "InvalidInclusion",
        [maskOf([0, 1]), 1n],
      );
      await expectRevert(
        jobs.write.attest([jobId, 0n, tuple.aggregateCid, maskOf([0]), BigInt(MAX_SAMPLES) + 1n], { account: a!.address }),
        "InvalidInclusion",
        [maskOf([0]), BigInt(MAX_SAMPLES) + 1n],
      );
      await expectRevert(jobs.write.attest([jobId, 0n, "0x01", maskOf([0]), 1n], { account: a!.address }), "MalformedCid", ["0x01", 1n]);
      await mined(attest());
      await expectRevert(attest(), "AlreadyAttested", [0n, 1n]);
      // After the attest window: finalize (the single revealer's tuple reached the quorum alone).
      await nextBlockAt(w.attestEnd);
      await expectRevert(attest(), "OutsideWindow", [Phase.Attest, w.revealEnd, w.attestEnd]);
      expect((await jobs.read.getRound([jobId])).phase).to.equal(Phase.Finalize);
      await expectRevert(jobs.write.finalize([jobId, 1n]), "WrongRound", [1n, 0n]);
      await mined(jobs.write.finalize([jobId, 0n]));
      await expectRevert(jobs.write.finalize([jobId, 0n]), "WrongRound", [0n, 1n]);
      await expectRevert(commit(), "WrongRound", [0n, 1n]);
      await expectRevert(jobs.write.finalize([9n, 0n]), "JobNotFound", [9n]);
    });

    it("refuses every round call once the job has ended", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      for (let r = 0; r < 3; r++) await runHonestRound(job.jobs, job.jobId, job.trainers);
      const [a] = job.trainers;
      await expectRevert(job.jobs.write.commit([job.jobId, 3n, keccak256("0x01")], { account: a!.address }), "JobHasEnded", [job.jobId]);
      await expectRevert(job.jobs.write.finalize([job.jobId, 3n]), "JobHasEnded", [job.jobId]);
      await expectRevert(job.jobs.write.leave([job.jobId], { account: a!.address }), "JobHasEnded", [job.jobId]);
      await expectRevert(
        job.jobs.write.join([job.jobId, STAKE, peerIdOf(job.outsider), []], { account: job.outsider.address }),
        "JobHasEnded",
        [job.jobId],
      );
    });
  });

  describe("slash", () => {
    it("takes the stake of a trainer that committed and did not reveal: 10% to the caller, the rest to the next round", async () => {
      const job = await loadFixture(sameTokenJobFixture);
      const { jobs, jobId, trainers, dai } = job;
      const [a, b, c, d] = trainers;
      const updates = updatesFor(trainers, jobId, 0n);
      await gotoPhase(jobs, jobId, Phase.Commit);
      await commitAll(jobs, jobId, 0n, updates);
      await gotoPhase(jobs, jobId, Phase.Reveal);
      await revealAll(jobs, jobId, 0n, updates.slice(0, 3)); // d does not reveal
      await expectRevert(jobs.write.slash([jobId, 0n, d!.address]), "SlashTooEarly", [0n, (await jobs.read.getRound([jobId])).revealEnd]);
      await gotoPhase(jobs, jobId, Phase.Attest);
      await expectRevert(jobs.write.slash([jobId, 0n, a!.address], { account: job.outsider.address }), "NothingToSlash", [
        jobId,
        0n,
        a!.address,
      ]);
      await expectRevert(jobs.write.slash([jobId, 1n, d!.address], { account: job.outsider.address }), "NothingToSlash", [
        jobId,
        1n,
        d!.address,
      ]);

      const before = await dai.read.balanceOf([job.outsider.address]);
      const receipt = await mined(jobs.write.slash([jobId, 0n, d!.address], { account: job.outsider.address }));
      const callerShare = (STAKE * SLASH_CALLER_BPS) / 10_000n;
      expect((await dai.read.balanceOf([job.outsider.address])) - before).to.equal(callerShare);
      const [slashed] = eventsOf(receipt, jobs).filter((e) => e.eventName === "TrainerSlashed");
      expect(slashed!.args).to.deep.include({
        round: 0n,
        index: 3n,
        stake: STAKE,
        callerShare,
        poolShare: STAKE - callerShare,
        toCarry: true,
      });
      expect(await jobs.read.getTrainer([jobId, d!.address])).to.deep.include({
        status: TrainerStatus.Slashed,
        stake: 0n,
        hasPendingCommit: false,
        canWithdraw: false,
      });
      expect((await jobs.read.getJob([jobId]))[1].carry).to.equal(STAKE - callerShare);
      await expectRevert(jobs.write.slash([jobId, 0n, d!.address]), "NothingToSlash", [jobId, 0n, d!.address]);

      // The three revealers attest and win; round 0's reward includes the slashed stake.
      const tuple: Tuple = { aggregateCid: cid("agg0"), includedMask: maskOf([0, 1, 2]), includedSamples: 3_000n };
      await attestAll(jobs, jobId, 0n, [a!, b!, c!], tuple);
      const final = await mined(jobs.write.finalize([jobId, 0n]));
      const [finalized] = eventsOf(final, jobs).filter((e) => e.eventName === "RoundFinalized");
      const reward = 1_000n * DAI + STAKE - callerShare;
      expect(finalized!.args).to.deep.include({ succeeded: true, reward, carry: 0n });
      const balance = await dai.read.balanceOf([a!.address]);
      await mined(jobs.write.claim([jobId, [0n]], { account: a!.address }));
      expect((await dai.read.balanceOf([a!.address])) - balance).to.equal(reward / 3n);

      // A slashed stake is gone for good: no withdrawal, no commit, not even after the end.
      await expectRevert(jobs.write.withdraw([jobId], { account: d!.address }), "TrainerNotActive", [
        jobId,
        d!.address,
        TrainerStatus.Slashed,
      ]);
      await gotoPhase(jobs, jobId, Phase.Commit);
      await expectRevert(jobs.write.commit([jobId, 1n, keccak256("0x01")], { account: d!.address }), "TrainerNotActive", [
        jobId,
        d!.address,
        TrainerStatus.Slashed,
      ]);
      for (let r = 1; r < 3; r++) await runHonestRound(jobs, jobId, [a!, b!, c!]);
      await expectRevert(jobs.write.withdraw([jobId], { account: d!.address }), "TrainerNotActive", [
        jobId,
        d!.address,
        TrainerStatus.Slashed,
      ]);
    });

    it(
      "blocks the next commit and the withdrawal until the missing reveal is slashed; " +
        "with another stake token the rest goes to the sponsor",
      async () => {
        const job = await loadFixture(fourTrainerJobFixture);
        const { jobs, jobId, trainers, dai } = job;
        const [a, b, c, d] = trainers;
        await commitAndReveal(job, []);
        // Nobody acted in round 0: it fails as soon as its reveal window is over.
        await mined(jobs.write.finalize([jobId, 0n]));
        await gotoPhase(jobs, jobId, Phase.Commit);
        const round1 = updatesFor(trainers, jobId, 1n);
        await commitAll(jobs, jobId, 1n, round1);
        await gotoPhase(jobs, jobId, Phase.Reveal);
        await revealAll(jobs, jobId, 1n, round1.slice(0, 3));
        await gotoPhase(jobs, jobId, Phase.Attest);
        await attestAll(jobs, jobId, 1n, [a!, b!, c!], {
          aggregateCid: cid("agg1"),
          includedMask: maskOf([0, 1, 2]),
          includedSamples: 3_000n,
        });
        await mined(jobs.write.finalize([jobId, 1n]));

        // d's round-1 commitment is still unrevealed in round 2.
        await gotoPhase(jobs, jobId, Phase.Commit);
        await expectRevert(jobs.write.commit([jobId, 2n, keccak256("0x01")], { account: d!.address }), "CommitmentPending", [
          jobId,
          d!.address,
          1n,
        ]);
        await mined(jobs.write.leave([jobId], { account: d!.address }));
        await advanceTo(BigInt(await time.latest()) + BigInt(ROUND_LENGTH));
        await expectRevert(jobs.write.withdraw([jobId], { account: d!.address }), "CommitmentPending", [jobId, d!.address, 1n]);

        // A past round is slashable at once. DAI stake, USDC rewards: the rest is held for the sponsor.
        const receipt = await mined(jobs.write.slash([jobId, 1n, d!.address], { account: a!.address }));
        const callerShare = STAKE / 10n;
        const [slashed] = eventsOf(receipt, jobs).filter((e) => e.eventName === "TrainerSlashed");
        expect(slashed!.args).to.deep.include({ round: 1n, toCarry: false, poolShare: STAKE - callerShare });
        expect((await jobs.read.getJob([jobId]))[1].forfeitedStake).to.equal(STAKE - callerShare);
        await expectRevert(jobs.write.refundRemainder([jobId]), "JobNotEnded", [jobId, 2n, 3n]);

        // The last round fails (nobody commits): its reward and round 0's roll over and go back to the sponsor.
        await advanceTo((await jobs.read.getRound([jobId])).revealEnd);
        await mined(jobs.write.finalize([jobId, 2n]));
        const [, state] = await jobs.read.getJob([jobId]);
        expect(state).to.deep.include({ status: JobStatus.Ended, carry: REWARD, unpaidPool: REWARD });
        const usdcBefore = await job.usdc.read.balanceOf([job.sponsor.address]);
        const daiBefore = await dai.read.balanceOf([job.sponsor.address]);
        const refund = await mined(jobs.write.refundRemainder([jobId], { account: job.outsider.address }));
        expect((await job.usdc.read.balanceOf([job.sponsor.address])) - usdcBefore).to.equal(REWARD);
        expect((await dai.read.balanceOf([job.sponsor.address])) - daiBefore).to.equal(STAKE - callerShare);
        const [refunded] = eventsOf(refund, jobs).filter((e) => e.eventName === "RemainderRefunded");
        expect(refunded!.args).to.deep.include({ rewardAmount: REWARD, stakeAmount: STAKE - callerShare });
        await expectRevert(jobs.write.refundRemainder([jobId]), "NothingToRefund", [jobId]);
        await expectRevert(jobs.write.withdraw([jobId], { account: d!.address }), "TrainerNotActive", [
          jobId,
          d!.address,
          TrainerStatus.Slashed,
        ]);
      },
    );
  });

  describe("quorum", () => {
    it("pays nothing to an attester of a losing tuple", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers } = job;
      const [a, b, c, d] = trainers;
      const updates = updatesFor(trainers, jobId, 0n);
      await commitAndReveal(job, updates);
      const winning: Tuple = { aggregateCid: cid("honest"), includedMask: maskOf([0, 1, 2, 3]), includedSamples: 4_000n };
      const losing: Tuple = { aggregateCid: cid("dissent"), includedMask: maskOf([0, 1, 2, 3]), includedSamples: 4_000n };
      await attestAll(jobs, jobId, 0n, [d!], losing);
      await attestAll(jobs, jobId, 0n, [a!, b!, c!], winning);
      await mined(jobs.write.finalize([jobId, 0n]));
      const result = await jobs.read.getRoundResult([jobId, 0n]);
      expect(result).to.deep.include({ status: RoundStatus.Succeeded, aggregateCid: winning.aggregateCid, winningTupleId: 2n });
      await expectRevert(jobs.write.claim([jobId, [0n]], { account: d!.address }), "AttestedLosingTuple", [0n, 1n, 2n]);
      await mined(jobs.write.claim([jobId, [0n]], { account: a!.address }));
      // d's share stays in the contract: paid samples never exceed the winning tuple's.
      expect((await jobs.read.getRoundResult([jobId, 0n])).claimedSamples).to.equal(1_000n);
    });

    it("fails a round without quorum and rolls its reward over into the next successful round", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc } = job;
      const [a, b, c, d] = trainers;
      await commitAndReveal(job, updatesFor(trainers, jobId, 0n));
      // Two against two: 50% of the revealed stake, below the 66.67% quorum.
      await attestAll(jobs, jobId, 0n, [a!, b!], { aggregateCid: cid("x"), includedMask: maskOf([0, 1, 2, 3]), includedSamples: 4_000n });
      await attestAll(jobs, jobId, 0n, [c!, d!], { aggregateCid: cid("y"), includedMask: maskOf([0, 1, 2, 3]), includedSamples: 4_000n });
      const failed = await mined(jobs.write.finalize([jobId, 0n]));
      const [event] = eventsOf(failed, jobs).filter((e) => e.eventName === "RoundFinalized");
      expect(event!.args).to.deep.include({
        succeeded: false,
        aggregateCid: "0x",
        includedMask: 0n,
        winningTupleId: 0n,
        reward: REWARD,
        carry: REWARD,
      });
      // The model stays the base model, and so does the seed's model input.
      expect(event!.args.nextSeed).to.equal(await expectedSeed(job, jobId, 1n, cid("base-model")));
      expect(await jobs.read.getRoundResult([jobId, 0n])).to.deep.include({ status: RoundStatus.Failed, aggregateCid: "0x" });
      expect(await jobs.read.currentModel([jobId])).to.deep.equal([cid("base-model"), false, 0n]);
      expect((await jobs.read.getJob([jobId]))[1]).to.deep.include({ carry: REWARD, unpaidPool: 3n * REWARD });
      await expectRevert(jobs.write.claim([jobId, [0n]], { account: a!.address }), "RoundFailed", [0n]);

      const round1 = await runHonestRound(jobs, jobId, trainers);
      const [succeeded] = eventsOf(round1.finalize, jobs).filter((e) => e.eventName === "RoundFinalized");
      expect(succeeded!.args).to.deep.include({ succeeded: true, reward: 2n * REWARD, carry: 0n });
      const before = await usdc.read.balanceOf([a!.address]);
      await mined(jobs.write.claim([jobId, [1n]], { account: a!.address }));
      expect((await usdc.read.balanceOf([a!.address])) - before).to.equal((2n * REWARD) / 4n);
      expect((await jobs.read.getJob([jobId]))[1]).to.deep.include({ carry: 0n, unpaidPool: REWARD });
    });

    it("fails a round nobody revealed in right after its reveal window", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId } = job;
      const w = await jobs.read.getRound([jobId]);
      await nextBlockAt(w.revealEnd - 1n);
      await expectRevert(jobs.write.finalize([jobId, 0n]), "FinalizeTooEarly", [0n, w.attestEnd]);
      await time.increaseTo(w.revealEnd);
      expect((await jobs.read.getRound([jobId])).finalizable).to.equal(true);
      const receipt = await mined(jobs.write.finalize([jobId, 0n]));
      const [event] = eventsOf(receipt, jobs).filter((e) => e.eventName === "RoundFinalized");
      expect(event!.args).to.deep.include({ succeeded: false, reward: REWARD });
      const round1 = await jobs.read.getRound([jobId]);
      expect(round1).to.deep.include({ round: 1n, phase: Phase.Commit, start: BigInt(await time.latest()), revealedCount: 0n });
    });
  });

  describe("publishResult", () => {
    it("waits for the last round and needs a successful one", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId } = job;
      await expectRevert(jobs.write.publishResult([jobId]), "JobNotEnded", [jobId, 0n, 3n]);
      expect(await jobs.read.getRoundResult([jobId, 0n])).to.deep.include({ status: RoundStatus.Pending, aggregateCid: "0x" });
      for (let r = 0n; r < 3n; r++) {
        await advanceTo((await jobs.read.getRound([jobId])).revealEnd);
        await mined(jobs.write.finalize([jobId, r])); // nobody revealed: the round fails
      }
      await expectRevert(jobs.write.publishResult([jobId]), "NoSuccessfulRound", [jobId]);
      await expectRevert(jobs.read.getJob([99n]), "JobNotFound", [99n]);
      // Every round failed: the whole pool goes back to the sponsor.
      expect((await jobs.read.getJob([jobId]))[1]).to.deep.include({ carry: 3n * REWARD, trained: false });
      await mined(jobs.write.refundRemainder([jobId]));
      expect(await job.usdc.read.balanceOf([jobs.address])).to.equal(0n);
    });
  });

  describe("claim", () => {
    it("reverts a double claim, a claim of an excluded trainer, of a non-attester and of a round not final yet", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers } = job;
      const [a, b, c, d] = trainers;
      const claim = (who: Account, rounds: bigint[]) => jobs.write.claim([jobId, rounds], { account: who.address });
      await commitAndReveal(job, updatesFor(trainers, jobId, 0n));
      // The winning tuple excludes c (its update was filtered out); d does not attest.
      const tuple: Tuple = { aggregateCid: cid("agg"), includedMask: maskOf([0, 1, 3]), includedSamples: 3_000n };
      await attestAll(jobs, jobId, 0n, [a!, b!, c!], tuple);
      await expectRevert(claim(a!, [0n]), "RoundNotFinalized", [0n, 0n]);
      await finalizeAfterWindow(job);

      await expectRevert(claim(a!, []), "NoRoundsGiven", []);
      await expectRevert(jobs.write.claim([77n, [0n]], { account: a!.address }), "JobNotFound", [77n]);
      await mined(claim(a!, [0n]));
      await expectRevert(claim(a!, [0n]), "AlreadyClaimed", [0n]);
      await expectRevert(claim(b!, [0n, 0n]), "AlreadyClaimed", [0n]);
      await expectRevert(claim(c!, [0n]), "NotIncluded", [0n, 2n]);
      await expectRevert(claim(d!, [0n]), "NotAttested", [0n]);
      await expectRevert(claim(b!, [1n]), "RoundNotFinalized", [1n, 1n]);
      expect(await jobs.read.getTrainerRound([jobId, 0n, c!.address])).to.deep.include({ attestedTupleId: 1n, included: false });
      expect(await jobs.read.getTrainerRound([jobId, 0n, a!.address])).to.deep.include({ included: true, claimed: true });
    });

    it("never pays more than the round's reward, even when a colluding quorum understates includedSamples", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers, usdc } = job;
      // Revealed samples 1,000 each (4,000 in all); the quorum attests 2,000 included samples for all four.
      await commitAndReveal(job, updatesFor(trainers, jobId, 0n));
      await attestAll(jobs, jobId, 0n, trainers, { aggregateCid: cid("agg"), includedMask: maskOf([0, 1, 2, 3]), includedSamples: 2_000n });
      await mined(jobs.write.finalize([jobId, 0n]));
      const before = await usdc.read.balanceOf([jobs.address]);
      await mined(jobs.write.claim([jobId, [0n]], { account: trainers[0]!.address }));
      await mined(jobs.write.claim([jobId, [0n]], { account: trainers[1]!.address }));
      await expectRevert(jobs.write.claim([jobId, [0n]], { account: trainers[2]!.address }), "ClaimExceedsIncludedSamples", [
        0n,
        3_000n,
        2_000n,
      ]);
      expect(before - (await usdc.read.balanceOf([jobs.address]))).to.equal(REWARD);
    });

    it("refuses re-entry while tokens move out", async () => {
      const ctx = await loadFixture(trainingFixture);
      const hostile = await hre.viem.deployContract("ReentrantPaymentToken");
      const trainers = await makeAccounts("hostile", 4, [ctx.dai], ctx.jobs.address, 10n ** 30n);
      await hostile.write.mint([ctx.sponsor.address, 3n * REWARD]);
      await mined(hostile.write.approve([ctx.jobs.address, 3n * REWARD], { account: ctx.sponsor.address }));
      const jobId = await createJob(ctx, { rewardToken: hostile as never, rewardPerRound: REWARD });
      await joinAll(ctx, jobId, trainers, STAKE);
      await runHonestRound(ctx.jobs, jobId, trainers);
      const reenter = encodeFunctionData({ abi: ctx.jobs.abi, functionName: "claim", args: [jobId, [0n]] });
      await mined(hostile.write.arm([ctx.jobs.address, reenter]));
      await mined(ctx.jobs.write.claim([jobId, [0n]], { account: trainers[0]!.address }));
      expect(await hostile.read.lastSuccess()).to.equal(false);
      expect(await hostile.read.lastReturnData()).to.equal(errorSelector("ReentrancyGuardReentrantCall()"));
      expect(await hostile.read.balanceOf([trainers[0]!.address])).to.equal(REWARD / 4n);
    });
  });

  describe("tokens of any decimals", () => {
    it("runs a job paying 18-decimal rewards for 6-decimal stakes", async () => {
      const ctx = await loadFixture(trainingFixture);
      const trainers = await makeAccounts("swapped", 4, [ctx.usdc], ctx.jobs.address, 10n ** 24n);
      const jobId = await createJob(ctx, { rewardToken: ctx.dai, stakeToken: ctx.usdc, numRounds: 1 });
      await joinAll(ctx, jobId, trainers, 500n * USDC);
      await runHonestRound(ctx.jobs, jobId, trainers, { samples: (i) => BigInt(i + 1) * 7n });
      for (const [i, trainer] of trainers.entries()) {
        await mined(ctx.jobs.write.claim([jobId, [0n]], { account: trainer.address }));
        expect(await ctx.dai.read.balanceOf([trainer.address])).to.equal((1_000n * DAI * BigInt(i + 1) * 7n) / 70n);
        await mined(ctx.jobs.write.withdraw([jobId], { account: trainer.address }));
      }
      // Rounding leaves at most one unit per claimant; here 1,000 DAI split 1:2:3:4 of 70 samples is not exact.
      const dust = await ctx.dai.read.balanceOf([ctx.jobs.address]);
      expect(dust < 4n).to.equal(true);
      expect(await ctx.usdc.read.balanceOf([ctx.jobs.address])).to.equal(0n);
    });
  });

  describe("client encodings", () => {
    it("computes commitments and tuple hashes exactly as viem does", async () => {
      const ctx = await loadFixture(trainingFixture);
      const trainer = ctx.sponsor.address;
      const salt = keccak256("0x1234");
      expect(await ctx.jobs.read.computeCommitment([cid("u"), 123n, salt, trainer])).to.equal(commitmentOf(cid("u"), 123n, salt, trainer));
      expect(await ctx.jobs.read.computeTupleHash([cid("a"), 0b1011n, 77n])).to.equal(tupleHashOf(cid("a"), 0b1011n, 77n));
      expect((await ctx.jobs.read.registry()).toLowerCase()).to.equal(ctx.registry.address.toLowerCase());
      expect(await ctx.jobs.read.MAX_TRAINERS()).to.equal(256n);
      expect(await ctx.jobs.read.SLASH_CALLER_BPS()).to.equal(SLASH_CALLER_BPS);
    });

    it("stores an aggregate CID too long to pack whole, and a short one too", async () => {
      const job = await loadFixture(fourTrainerJobFixture);
      const { jobs, jobId, trainers } = job;
      // sha2-512 digest: 01 71 13 40 <64 bytes> = 68 bytes; identity-like 20-byte digest: 01 55 12 14 <20 bytes>.
      const longCid: Hex = `0x01711340${keccak256("0x01").slice(2)}${keccak256("0x02").slice(2)}`;
      const shortCid: Hex = `0x01551214${keccak256("0x03").slice(2, 42)}`;
      for (const aggregateCid of [longCid, shortCid]) {
        const round = await commitAndReveal(job, updatesFor(trainers, jobId, (await jobs.read.getRound([jobId])).round));
        await attestAll(jobs, jobId, round, trainers, { aggregateCid, includedMask: maskOf([0, 1, 2, 3]), includedSamples: 4_000n });
        const receipt = await mined(jobs.write.finalize([jobId, round]));
        const [event] = eventsOf(receipt, jobs).filter((e) => e.eventName === "RoundFinalized");
        expect(event!.args.aggregateCid).to.equal(aggregateCid);
        expect((await jobs.read.getRoundResult([jobId, round])).aggregateCid).to.equal(aggregateCid);
        expect((await jobs.read.currentModel([jobId]))[0]).to.equal(aggregateCid);
      }
    });
  });
});
