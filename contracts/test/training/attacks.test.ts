/**
 * Issue 12, replayed: every attack the outside review reproduced on TrainingJobs v1 (and the Marketplace findings it
 * listed with them), played by the attacker against the v2 contracts. Each test asserts that the attack no longer pays
 * (token balances, trainer and round statuses, the published model), not only that some call reverts.
 *
 * Amounts are in the 6-decimal test USDC; stakes and rewards share it. Unless a test says otherwise a job pays 1,000
 * USDC per round, its minimum stake is 100 USDC, its quorum 66.67% of the attested weight, its participation floor 50% of
 * the revealed weight and its weight cap 10 minimum stakes (fixtures/training.ts).
 */
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { getAddress, maxUint256, zeroAddress, type Address } from "viem";
import { expectRevert } from "../fixtures/errors";
import { AssetKind, AssetState, MIN_WINDOW, NO_PERMIT, ONE, cid, eventsOf, mined } from "../fixtures/protocol";
import {
  BURN_ADDRESS,
  CLAIM_PERIOD,
  IDLE_BPS,
  IDLE_ROUNDS,
  LATE_REVEAL_BPS,
  LOSING_BPS,
  NO_TUPLE,
  PenaltyReason,
  Phase,
  RoundStatus,
  SILENT_BPS,
  TrainerStatus,
  attestAll,
  balanceOf,
  claimed,
  commitAll,
  commitAndReveal,
  commitmentOf,
  createJob,
  eventOf,
  finalizeWith,
  gotoPhase,
  honestTuple,
  jobParams,
  jobStateOf,
  joinAll,
  makeAccounts,
  maskOf,
  multiaddrOf,
  peerIdOf,
  penaltyOf,
  revealAll,
  runHonestRound,
  saltOf,
  shareOf,
  trainingFixture,
  updatesFor,
  weightOf,
  withdrawn,
  type Account,
  type JobOptions,
  type TrainingContext,
  type TrainingJobs,
  type Tuple,
  type Update,
} from "../fixtures/training";

const USDC = 10n ** 6n;
/** What every test account starts with. */
const FUNDS = 100_000n * USDC;
const MIN_STAKE = 100n * USDC;
const HONEST_STAKE = 1_000n * USDC;
const REWARD = 1_000n * USDC;
const MAX_WINDOW = 30 * 24 * 3_600;

// ---------------------------------------------------------------------------------------------------------------------
// Fixtures and helpers
// ---------------------------------------------------------------------------------------------------------------------

async function attackFixture() {
  const ctx = await trainingFixture();
  const honest = await makeAccounts("issue12-honest", 4, [ctx.usdc], ctx.jobs.address, FUNDS);
  const [attacker, crashed, dissenter, late] = await makeAccounts("issue12-other", 4, [ctx.usdc], ctx.jobs.address, FUNDS);
  return { ...ctx, honest, attacker: attacker!, crashed: crashed!, dissenter: dissenter!, late: late! };
}

type AttackContext = Awaited<ReturnType<typeof attackFixture>>;

/** Joins one account with `stake` and returns its index and the round it plays from. */
async function join(ctx: TrainingContext, jobId: bigint, account: Account, stake: bigint) {
  const receipt = await mined(ctx.jobs.write.join([jobId, stake, peerIdOf(account), [multiaddrOf(4100)]], { account: account.address }));
  const { args } = eventOf(receipt, ctx.jobs, "TrainerJoined");
  return { index: Number(args.index), firstRound: args.firstRound, weight: args.weight };
}

/** What each claim of a round pays: `reward * samples / includedSamples`, rounded down, whatever the order of claims. */
function sharesOf(reward: bigint, includedSamples: bigint, samples: readonly bigint[]): bigint[] {
  return samples.map((s) => shareOf(reward, includedSamples, s));
}

/** Moves past the claim period that follows the job's end. */
async function afterClaimPeriod(jobs: TrainingJobs, jobId: bigint) {
  const { endedAt } = await jobStateOf(jobs, jobId);
  expect(endedAt > 0n, "the job has ended").to.equal(true);
  const [params] = await jobs.read.getJob([jobId]);
  await time.increaseTo(Number(endedAt) + params.claimPeriod);
}

/** A round in which nobody reveals: it fails at the end of its attest window and its reward rolls into the carry. */
async function idleRound(jobs: TrainingJobs, jobId: bigint, finalizer: Account) {
  const round = await jobs.read.getRound([jobId]);
  await gotoPhase(jobs, jobId, Phase.Finalize);
  await finalizeWith(jobs, jobId, round.round, NO_TUPLE, finalizer);
  expect((await jobs.read.getRoundResult([jobId, round.round])).status).to.equal(RoundStatus.Failed);
}

/** Publishes the job's result and returns the registry's AssetPublished arguments. */
async function publish(ctx: TrainingContext, jobId: bigint, caller: Account) {
  const receipt = await mined(ctx.jobs.write.publishResult([jobId], { account: caller.address }));
  return eventOf(receipt, ctx.registry, "AssetPublished").args;
}

/** One update with explicit samples, for trainers whose updates a test chooses. */
function updateOf(account: Account, label: string, samples: bigint): Update {
  return { account, cid: cid(`update:${label}`), samples, salt: saltOf(label) };
}

// ---------------------------------------------------------------------------------------------------------------------
// The scenarios
// ---------------------------------------------------------------------------------------------------------------------

describe("TrainingJobs attacks (issue 12)", function () {
  this.timeout(300_000);

  describe("1. Flash-stake takeover", () => {
    /** Four honest trainers with 1,000 each; round 0 honest, round 1 failed (the carry is 1,000 USDC). */
    async function takeoverSetup(ctx: AttackContext, numRounds: number, joinAttackerInRound1: boolean) {
      const { jobs, honest } = ctx;
      const jobId = await createJob(ctx, { numRounds });
      await joinAll(ctx, jobId, honest, HONEST_STAKE);
      await runHonestRound(jobs, jobId, honest);
      const joined = joinAttackerInRound1 ? await join(ctx, jobId, ctx.attacker, 9_000n * USDC) : undefined;
      return { jobId, joined };
    }

    it(
      "joining in the last round's commit window is refused (TooLateToJoin: stake joining mid-round plays " +
        "from the next round, and there is none), so the honest quorum takes the round and the carry (2,000 " +
        "USDC) and its aggregate is published",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, usdc, honest, attacker, sponsor } = ctx;
        const { jobId } = await takeoverSetup(ctx, 3, false);
        await idleRound(jobs, jobId, honest[0]!);
        expect((await jobStateOf(jobs, jobId)).carry).to.equal(REWARD);

        // Round 2 is open for commits: the attacker brings 9,000 USDC.
        expect((await jobs.read.getRound([jobId])).phase).to.equal(Phase.Commit);
        await expectRevert(
          jobs.write.join([jobId, 9_000n * USDC, peerIdOf(attacker), []], { account: attacker.address }),
          "TooLateToJoin",
          [jobId, 3n, 3n],
        );
        expect((await jobs.read.getTrainer([jobId, attacker.address])).status).to.equal(TrainerStatus.None);

        const last = await runHonestRound(jobs, jobId, honest);
        expect(eventOf(last.finalize, jobs, "RoundFinalized").args).to.include({ succeeded: true, reward: 2n * REWARD });
        for (const trainer of honest) expect(await claimed(ctx, usdc, jobId, trainer, [0n, 2n])).to.equal(250n * USDC + 500n * USDC);

        const published = await publish(ctx, jobId, attacker);
        expect(published.manifestCid).to.equal(last.tuple.aggregateCid);
        expect(published.owner).to.equal(getAddress(sponsor.address));
        expect((await jobs.read.currentModel([jobId]))[0]).to.equal(last.tuple.aggregateCid);
        expect(await balanceOf(usdc, attacker)).to.equal(FUNDS);
      },
    );

    it(
      "a 9,000 stake bonded before the last round weighs no more than one honest 1,000 stake (weightCap): " +
        "its self-only tuple loses 10 to 40, it is paid nothing, the honest aggregate is published, and " +
        "attesting the losing tuple costs it LOSING_BPS (900 USDC, burned after the end)",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, usdc, honest, attacker, sponsor } = ctx;
        const { jobId, joined } = await takeoverSetup(ctx, 3, true);
        // Joined during round 1: bonded from round 2 on, with the weight of 10 minimum stakes, not 90.
        expect(joined).to.deep.equal({ index: 4, firstRound: 2n, weight: weightOf(9_000n * USDC, MIN_STAKE) });
        expect(joined!.weight).to.equal(weightOf(HONEST_STAKE, MIN_STAKE));
        await gotoPhase(jobs, jobId, Phase.Commit);
        await expectRevert(jobs.write.commit([jobId, 1n, saltOf("early")], { account: attacker.address }), "NotBondedYet", [1n, 2n]);
        await idleRound(jobs, jobId, honest[0]!);

        // Round 2: junk with one sample, revealed on time, and a tuple that includes only the attacker.
        const updates = [...updatesFor(honest, jobId, 2n), updateOf(attacker, "junk", 1n)];
        await commitAndReveal(jobs, jobId, updates);
        const selfOnly: Tuple = { aggregateCid: cid("attacker-model"), includedMask: maskOf([4]), includedSamples: 1n };
        await attestAll(jobs, jobId, 2n, [attacker], selfOnly);
        // The honest aggregate is deterministic over every on-time reveal, the junk included.
        const honestAggregate = honestTuple(jobId, 2n, updates, [0, 1, 2, 3, 4]);
        await attestAll(jobs, jobId, 2n, honest, honestAggregate);
        const round = await jobs.read.getRound([jobId]);
        expect([round.leaderTupleId, round.leaderWeight, round.attestedWeight]).to.deep.equal([
          2n,
          4n * weightOf(HONEST_STAKE, MIN_STAKE),
          5n * weightOf(HONEST_STAKE, MIN_STAKE),
        ]);
        await expectRevert(finalizeWith(jobs, jobId, 2n, selfOnly, attacker), "NotLeadingTuple", [2n, 1n, 2n]);
        const finalized = await finalizeWith(jobs, jobId, 2n, honestAggregate, attacker);
        expect(eventOf(finalized, jobs, "RoundFinalized").args).to.include({
          succeeded: true,
          reward: 2n * REWARD,
          aggregateCid: honestAggregate.aggregateCid,
        });

        // The attacker is paid nothing; the honest trainers are paid their exact shares of 2,000 USDC over 4,001 samples.
        await expectRevert(jobs.write.claim([jobId, [2n]], { account: attacker.address }), "AttestedLosingTuple", [2n, 1n, 2n]);
        const shares = sharesOf(2n * REWARD, 4_001n, [1_000n, 1_000n, 1_000n, 1_000n]);
        for (const [i, trainer] of honest.entries()) {
          expect(await claimed(ctx, usdc, jobId, trainer, [0n, 2n]), `trainer ${i}`).to.equal(250n * USDC + shares[i]!);
        }
        const published = await publish(ctx, jobId, honest[0]!);
        expect(published.manifestCid).to.equal(honestAggregate.aggregateCid);

        // Its stake stays bonded through the claim period, then leaves less the losing-tuple penalty.
        const { endedAt } = await jobStateOf(jobs, jobId);
        await expectRevert(jobs.write.withdraw([jobId], { account: attacker.address }), "ClaimPeriodNotOver", [
          jobId,
          endedAt + BigInt(CLAIM_PERIOD),
        ]);
        await afterClaimPeriod(jobs, jobId);
        const penalty = penaltyOf(9_000n * USDC, LOSING_BPS);
        expect(penalty).to.equal(900n * USDC);
        expect(await withdrawn(ctx, usdc, jobId, attacker)).to.equal(9_000n * USDC - penalty);
        for (const trainer of honest) expect(await withdrawn(ctx, usdc, jobId, trainer)).to.equal(HONEST_STAKE);
        const unpaid = 2n * REWARD - shares.reduce((a, b) => a + b, 0n);
        await mined(jobs.write.sweep([jobId, 2n], { account: attacker.address }));
        const sponsorBefore = await balanceOf(usdc, sponsor);
        await mined(jobs.write.refundRemainder([jobId], { account: attacker.address }));
        expect((await balanceOf(usdc, sponsor)) - sponsorBefore, "the junk's unclaimed share goes back to the sponsor").to.equal(unpaid);
        expect(await balanceOf(usdc, BURN_ADDRESS), "the penalty is burned, not paid to the sponsor").to.equal(penalty);
        expect(await balanceOf(usdc, attacker)).to.equal(FUNDS - penalty);
        expect(await balanceOf(usdc, jobs.address)).to.equal(0n);
      },
    );

    it(
      "the mid-job variant (join, commit, leave at once, take the round) fails: a trainer that joined " +
        "mid-round cannot commit until its next round (NotBondedYet), leaving never shortens the bond " +
        "(StakeBonded until round lastReveal + 2), and its LOSING_BPS forfeit pays the honest winners of the " +
        "next round",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, usdc, honest, attacker } = ctx;
        const jobId = await createJob(ctx, { numRounds: 5 });
        await joinAll(ctx, jobId, honest, HONEST_STAKE);
        await runHonestRound(jobs, jobId, honest);

        // Round 1's commit window: join and commit at once.
        const joined = await join(ctx, jobId, attacker, 9_000n * USDC);
        expect(joined.firstRound).to.equal(2n);
        await expectRevert(jobs.write.commit([jobId, 1n, saltOf("now")], { account: attacker.address }), "NotBondedYet", [1n, 2n]);
        await runHonestRound(jobs, jobId, honest);

        // Round 2: commit, leave at once, reveal (a commitment must still be revealed), attest its own tuple.
        const updates = [...updatesFor(honest, jobId, 2n), updateOf(attacker, "mid-job-junk", 1n)];
        await gotoPhase(jobs, jobId, Phase.Commit);
        await commitAll(jobs, jobId, 2n, updates);
        await mined(jobs.write.leave([jobId], { account: attacker.address }));
        await gotoPhase(jobs, jobId, Phase.Reveal);
        await revealAll(jobs, jobId, 2n, updates);
        await gotoPhase(jobs, jobId, Phase.Attest);
        const selfOnly: Tuple = { aggregateCid: cid("attacker-model"), includedMask: maskOf([4]), includedSamples: 1n };
        await attestAll(jobs, jobId, 2n, [attacker], selfOnly);
        const honestAggregate = honestTuple(jobId, 2n, updates.slice(0, 4), [0, 1, 2, 3]);
        await attestAll(jobs, jobId, 2n, honest, honestAggregate);
        await finalizeWith(jobs, jobId, 2n, honestAggregate, honest[0]!);
        expect((await jobs.read.getRoundResult([jobId, 2n])).status).to.equal(RoundStatus.Succeeded);
        expect((await jobs.read.currentModel([jobId]))[0]).to.equal(honestAggregate.aggregateCid);

        // One round length later the stake is still bonded; it has left, so it may not commit either.
        await expectRevert(jobs.write.withdraw([jobId], { account: attacker.address }), "StakeBonded", [jobId, attacker.address, 4n]);
        await gotoPhase(jobs, jobId, Phase.Commit);
        await expectRevert(jobs.write.commit([jobId, 3n, saltOf("again")], { account: attacker.address }), "TrainerNotActive", [
          jobId,
          attacker.address,
          TrainerStatus.Left,
        ]);
        await runHonestRound(jobs, jobId, honest);

        // Round 4: the stake unlocks, less LOSING_BPS, which the honest winners of round 4 share.
        const penalty = penaltyOf(9_000n * USDC, LOSING_BPS);
        expect(await withdrawn(ctx, usdc, jobId, attacker)).to.equal(9_000n * USDC - penalty);
        const last = await runHonestRound(jobs, jobId, honest);
        expect(eventOf(last.finalize, jobs, "RoundFinalized").args.reward).to.equal(REWARD + penalty);
        for (const trainer of honest) {
          expect(await claimed(ctx, usdc, jobId, trainer, [0n, 1n, 2n, 3n, 4n])).to.equal(4n * 250n * USDC + (REWARD + penalty) / 4n);
        }
        await expectRevert(jobs.write.claim([jobId, [2n]], { account: attacker.address }), "AttestedLosingTuple", [2n, 1n, 2n]);
        expect(await balanceOf(usdc, attacker)).to.equal(FUNDS - penalty);
      },
    );
  });

  describe("2. Blocking minority", () => {
    type BlockerOptions = {
      quorumBps: number;
      weightCap: number;
      blockerStake: bigint;
      /** Whether the blocker attests a junk tuple (its own update alone) rather than staying silent. */
      attestsJunk: boolean;
      /** Whether each of the three rounds succeeds. */
      succeeds: readonly [boolean, boolean, boolean];
    };

    /**
     * Four honest trainers (1,000 USDC each) and a blocker that reveals junk every round, then stays silent or attests a
     * junk tuple. Checks each round's outcome and payouts, the blocker's penalty per round (SILENT_BPS, or LOSING_BPS: the
     * honest tuple always holds more than half of the attested weight) and that no honest trainer is ever penalized.
     * Returns what each honest trainer was paid, what the blocker lost and what the sponsor got back.
     */
    async function blockerRounds(ctx: AttackContext, options: BlockerOptions) {
      const { jobs, usdc, honest, attacker: blocker, sponsor } = ctx;
      const jobId = await createJob(ctx, { numRounds: 3, quorumBps: options.quorumBps, weightCap: options.weightCap });
      await joinAll(ctx, jobId, honest, HONEST_STAKE);
      expect((await join(ctx, jobId, blocker, options.blockerStake)).index).to.equal(4);
      const sponsorBefore = await balanceOf(usdc, sponsor);
      const bps = options.attestsJunk ? LOSING_BPS : SILENT_BPS;
      const reason = options.attestsJunk ? PenaltyReason.LosingTuple : PenaltyReason.Silent;
      const honestWeight = 4n * weightOf(HONEST_STAKE, MIN_STAKE, options.weightCap);

      let blockerStake = options.blockerStake;
      let carry = 0n;
      let forfeits = 0n;
      const honestPaid: bigint[] = [0n, 0n, 0n, 0n];
      for (let r = 0n; r < 3n; r++) {
        const updates = [...updatesFor(honest, jobId, r), updateOf(blocker, `blocker:${r}`, 1n)];
        const { commits } = await commitAndReveal(jobs, jobId, updates);
        // Committing settles the previous round: the blocker forfeits its penalty, the honest trainers nothing.
        for (const receipt of commits.slice(0, 4)) {
          expect(eventsOf(receipt, jobs).map((event) => event.eventName)).to.not.include("TrainerPenalized");
        }
        if (r > 0n) {
          const forfeit = penaltyOf(blockerStake, bps);
          expect(eventOf(commits[4]!, jobs, "TrainerPenalized").args).to.include({ round: r - 1n, amount: forfeit, reason });
          blockerStake -= forfeit;
          forfeits += forfeit;
        }
        const tuple = honestTuple(jobId, r, updates.slice(0, 4), [0, 1, 2, 3]);
        await attestAll(jobs, jobId, r, honest, tuple);
        const blockerWeight = weightOf(blockerStake, MIN_STAKE, options.weightCap);
        if (options.attestsJunk) {
          const junk: Tuple = { aggregateCid: cid(`junk:${r}`), includedMask: maskOf([4]), includedSamples: 1n };
          await attestAll(jobs, jobId, r, [blocker], junk);
        }
        const live = await jobs.read.getRound([jobId]);
        expect([live.revealedWeight, live.attestedWeight, live.leaderWeight, live.leaderTupleId]).to.deep.equal([
          honestWeight + blockerWeight,
          honestWeight + (options.attestsJunk ? blockerWeight : 0n),
          honestWeight,
          1n,
        ]);
        if (options.attestsJunk) {
          // Everyone revealed and attested: the outcome can no longer change and the round ends at once.
          expect(live.finalizable).to.equal(true);
        } else {
          // The honest trainers hold all the attested weight but not the quorum of the revealed weight (v1's rule).
          expect(live.leaderWeight * 10_000n < BigInt(options.quorumBps) * live.revealedWeight).to.equal(true);
          // The silent weight still keeps the round open until the end of its attest window.
          expect(live.finalizable).to.equal(false);
          await expectRevert(finalizeWith(jobs, jobId, r, tuple, honest[0]!), "FinalizeTooEarly", [r, live.attestEnd]);
          await gotoPhase(jobs, jobId, Phase.Finalize);
        }
        const succeeded = options.succeeds[Number(r)]!;
        const reward = succeeded ? REWARD + carry + forfeits : 0n;
        const finalized = eventOf(await finalizeWith(jobs, jobId, r, tuple, blocker), jobs, "RoundFinalized").args;
        expect(finalized).to.include({ succeeded, reward, early: options.attestsJunk });
        // The honest tuple held more than half of the attested weight: attesting anything else costs stake.
        expect((await jobs.read.getRoundResult([jobId, r])).leaderMajority).to.equal(true);
        if (succeeded) {
          expect(finalized.aggregateCid).to.equal(tuple.aggregateCid);
          for (const [i, trainer] of honest.entries()) {
            const paid = await claimed(ctx, usdc, jobId, trainer, [r]);
            expect(paid).to.equal(reward / 4n);
            honestPaid[i] = honestPaid[i]! + paid;
          }
          [carry, forfeits] = [0n, 0n];
          if (options.attestsJunk) {
            await expectRevert(jobs.write.claim([jobId, [r]], { account: blocker.address }), "AttestedLosingTuple", [r, 2n, 1n]);
          } else {
            await expectRevert(jobs.write.claim([jobId, [r]], { account: blocker.address }), "NotAttested", [r]);
          }
        } else {
          carry += REWARD;
          await expectRevert(jobs.write.claim([jobId, [r]], { account: honest[0]!.address }), "RoundFailed", [r]);
        }
        expect(await jobStateOf(jobs, jobId)).to.deep.include({ carry, forfeits });
        expect((await jobs.read.getTrainer([jobId, blocker.address])).stake).to.equal(blockerStake);
      }
      // After the end and its claim period the last round's penalty is settled too; no round is left, so it is burned.
      await afterClaimPeriod(jobs, jobId);
      const lastForfeit = penaltyOf(blockerStake, bps);
      expect(await withdrawn(ctx, usdc, jobId, blocker)).to.equal(blockerStake - lastForfeit);
      const refunded = await mined(jobs.write.refundRemainder([jobId], { account: blocker.address }));
      expect(eventOf(refunded, jobs, "RemainderRefunded").args).to.include({ refund: carry, burned: forfeits + lastForfeit });
      expect(await balanceOf(usdc, BURN_ADDRESS)).to.equal(forfeits + lastForfeit);
      for (const trainer of honest) expect(await withdrawn(ctx, usdc, jobId, trainer)).to.equal(HONEST_STAKE);
      expect(await balanceOf(usdc, jobs.address)).to.equal(0n);
      return {
        honestPaid,
        blockerLoss: FUNDS - (await balanceOf(usdc, blocker)),
        sponsorRefund: (await balanceOf(usdc, sponsor)) - sponsorBefore,
      };
    }

    /**
     * Runs `blockerRounds` and checks the blocker's three penalties (compounded: each on what the previous ones left),
     * what it lost in all, what each honest trainer was paid and what the sponsor got back.
     */
    async function expectBlocker(options: BlockerOptions, expected: { penalties: bigint[]; honestPaid: bigint; sponsorRefund: bigint }) {
      const bps = options.attestsJunk ? LOSING_BPS : SILENT_BPS;
      let stake = options.blockerStake;
      for (const penalty of expected.penalties) {
        expect(penaltyOf(stake, bps)).to.equal(penalty);
        stake -= penalty;
      }
      const result = await blockerRounds(await loadFixture(attackFixture), options);
      expect(result.blockerLoss).to.equal(options.blockerStake - stake);
      expect(result.honestPaid).to.deep.equal([1, 2, 3, 4].map(() => expected.honestPaid));
      expect(result.sponsorRefund).to.equal(expected.sponsorRefund);
    }

    it(
      "a silent revealer with 34% of the revealed weight no longer blocks: the winner needs the quorum of " +
        "the attested weight (40 of 40) and 66% participation, all three rounds succeed, the honest trainers " +
        "are paid 3,000 USDC plus the blocker's forfeits, and the blocker loses SILENT_BPS of its stake per " +
        "round and earns nothing",
      async () => {
        // A weight cap of 100 minimum stakes, so that one account holds 21 of the 61 revealed minimum stakes (34%).
        const penalties = [21n * USDC, 20_790_000n, 20_582_100n];
        await expectBlocker(
          { quorumBps: 6_667, weightCap: 100, blockerStake: 2_100n * USDC, attestsJunk: false, succeeds: [true, true, true] },
          { penalties, honestPaid: (3n * REWARD + penalties[0]! + penalties[1]!) / 4n, sponsorRefund: 0n },
        );
      },
    );

    it(
      "with a quorum of 100% one silent minimum-stake revealer no longer blocks either: the quorum counts " +
        "attested weight only, every round succeeds and the silent trainer pays 1% of its stake per round",
      async () => {
        const penalties = [1n * USDC, 990_000n, 980_100n];
        await expectBlocker(
          { quorumBps: 10_000, weightCap: 10, blockerStake: MIN_STAKE, attestsJunk: false, succeeds: [true, true, true] },
          { penalties, honestPaid: (3n * REWARD + penalties[0]! + penalties[1]!) / 4n, sponsorRefund: 0n },
        );
      },
    );

    it(
      "a 34% blocker that attests a junk tuple instead of staying silent fails the first round (the honest " +
        "tuple holds 65.6% of the attested weight, below the 66.67% quorum) but pays LOSING_BPS for it (210 " +
        "USDC), since the honest tuple held a majority; with its weight cut the next two rounds succeed and pay " +
        "the honest trainers the carry and its forfeits, it pays LOSING_BPS again each round, and no honest " +
        "attester is ever penalized",
      async () => {
        // Round 1 pays 1,000 + round 0's carry (1,000) + 210 USDC, round 2 1,000 + 189 USDC: 849.75 USDC per honest trainer.
        await expectBlocker(
          { quorumBps: 6_667, weightCap: 100, blockerStake: 2_100n * USDC, attestsJunk: true, succeeds: [false, true, true] },
          { penalties: [210n * USDC, 189n * USDC, 170_100_000n], honestPaid: 849_750_000n, sponsorRefund: 0n },
        );
      },
    );

    it(
      "a larger junk-attesting blocker (38% of the revealed weight) can still fail all three rounds, but no " +
        "longer for free: it pays LOSING_BPS each round (677.5 USDC, 27% of its stake, burned), the sponsor gets " +
        "the whole pool back and the honest trainers keep their whole stakes",
      async () => {
        await expectBlocker(
          { quorumBps: 6_667, weightCap: 100, blockerStake: 2_500n * USDC, attestsJunk: true, succeeds: [false, false, false] },
          { penalties: [250n * USDC, 225n * USDC, 202_500_000n], honestPaid: 0n, sponsorRefund: 3n * REWARD },
        );
      },
    );
  });

  describe("3. Locked rewards", () => {
    it(
      "the 650-of-3,000 USDC scenario locks nothing: the shares of a crashed included trainer, of an " +
        "included trainer that attested another tuple, of a never-revealed mask bit and of an overstated " +
        "includedSamples, dust included, are swept and refunded to the sponsor, penalties are burned, and the " +
        "job's balance ends at exactly zero",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, usdc, honest, crashed, dissenter, sponsor, outsider } = ctx;
        const [a, b, c] = honest as [Account, Account, Account];
        const jobId = await createJob(ctx, { numRounds: 3 });
        await joinAll(ctx, jobId, [a, b, c, crashed, dissenter], HONEST_STAKE); // indices 0-4; index 7 is never held
        const sponsorStart = await balanceOf(usdc, sponsor);

        // Round 0: the crashed trainer revealed and is included, but never attests.
        let updates = updatesFor([a, b, c, crashed], jobId, 0n);
        await commitAndReveal(jobs, jobId, updates);
        const t0 = honestTuple(jobId, 0n, updates, [0, 1, 2, 3]);
        await attestAll(jobs, jobId, 0n, [a, b, c], t0);
        // 30 of the 40 revealed minimum stakes hold the quorum and the floor of all of it: the round ends early.
        await finalizeWith(jobs, jobId, 0n, t0, a);
        expect((await jobs.read.getRoundResult([jobId, 0n])).finalizedEarly).to.equal(true);

        // Round 1: the dissenter is included but attests another tuple; the mask also names index 7, never revealed.
        updates = updatesFor([a, b, c, dissenter], jobId, 1n);
        await commitAndReveal(jobs, jobId, updates);
        const t1: Tuple = { aggregateCid: cid("aggregate:1"), includedMask: maskOf([0, 1, 2, 4, 7]), includedSamples: 5_000n };
        await attestAll(jobs, jobId, 1n, [a, b, c], t1);
        await attestAll(jobs, jobId, 1n, [dissenter], { ...t1, aggregateCid: cid("dissent:1") });
        await finalizeWith(jobs, jobId, 1n, t1, a);

        // Round 2: the quorum overstates includedSamples by one (3,000 for 2,999), which also leaves rounding dust.
        updates = [updateOf(a, "r2:a", 1_000n), updateOf(b, "r2:b", 1_000n), updateOf(c, "r2:c", 999n)];
        await commitAndReveal(jobs, jobId, updates);
        const t2: Tuple = { aggregateCid: cid("aggregate:2"), includedMask: maskOf([0, 1, 2]), includedSamples: 3_000n };
        await attestAll(jobs, jobId, 2n, [a, b, c], t2);
        await finalizeWith(jobs, jobId, 2n, t2, a);

        // Everyone who can claim does.
        const shares2 = sharesOf(REWARD, 3_000n, [1_000n, 1_000n, 999n]);
        for (const [i, trainer] of [a, b, c].entries()) {
          expect(await claimed(ctx, usdc, jobId, trainer, [0n, 1n, 2n])).to.equal(250n * USDC + 200n * USDC + shares2[i]!);
        }
        await expectRevert(jobs.write.claim([jobId, [0n]], { account: crashed.address }), "NotAttested", [0n]);
        await expectRevert(jobs.write.claim([jobId, [1n]], { account: dissenter.address }), "AttestedLosingTuple", [1n, 2n, 1n]);
        const unpaid = [250n * USDC, 400n * USDC, REWARD - shares2.reduce((x, y) => x + y, 0n)];
        for (const [r, amount] of unpaid.entries()) {
          const result = await jobs.read.getRoundResult([jobId, BigInt(r)]);
          expect(result.reward - result.paid, `round ${r} unpaid`).to.equal(amount);
        }
        const locked = unpaid.reduce((x, y) => x + y, 0n);
        expect(locked, "v1 locked 650 of the 3,000 USDC pool").to.equal(650n * USDC + 333_334n);

        // At the end, round 0 can be swept at once (two more rounds were finalized); rounds 1 and 2 after the claim period.
        const { endedAt } = await jobStateOf(jobs, jobId);
        const openUntil = endedAt + BigInt(CLAIM_PERIOD);
        await expectRevert(jobs.write.sweep([jobId, 1n], { account: outsider.address }), "ClaimsStillOpen", [1n, 4n, openUntil]);
        await expectRevert(jobs.write.sweep([jobId, 2n], { account: outsider.address }), "ClaimsStillOpen", [2n, 5n, openUntil]);
        await mined(jobs.write.sweep([jobId, 0n], { account: outsider.address }));
        // The crashed trainer and the dissenter withdraw. The crash cost no stake (round 0 ended early, before the
        // attest window ran out); attesting the losing tuple costs LOSING_BPS, which waits to be burned.
        const losing = penaltyOf(HONEST_STAKE, LOSING_BPS);
        expect(await withdrawn(ctx, usdc, jobId, crashed)).to.equal(HONEST_STAKE);
        expect(await withdrawn(ctx, usdc, jobId, dissenter)).to.equal(HONEST_STAKE - losing);
        await mined(jobs.write.refundRemainder([jobId], { account: outsider.address }));
        expect((await balanceOf(usdc, sponsor)) - sponsorStart).to.equal(unpaid[0]!);
        expect(await balanceOf(usdc, BURN_ADDRESS)).to.equal(losing);

        await afterClaimPeriod(jobs, jobId);
        for (const r of [1n, 2n]) await mined(jobs.write.sweep([jobId, r], { account: outsider.address }));
        await expectRevert(jobs.write.claim([jobId, [2n]], { account: c.address }), "ClaimsClosed", [2n]);
        // Something remains, so refundRemainder pays it (v1 reverted NothingToRefund with 650 USDC inside).
        await mined(jobs.write.refundRemainder([jobId], { account: outsider.address }));
        expect((await balanceOf(usdc, sponsor)) - sponsorStart, "every unpaid unit went back to the sponsor").to.equal(locked);
        for (const trainer of [a, b, c]) expect(await withdrawn(ctx, usdc, jobId, trainer)).to.equal(HONEST_STAKE);
        expect(await balanceOf(usdc, jobs.address), "nothing stays in the contract").to.equal(0n);
        await expectRevert(jobs.write.refundRemainder([jobId], { account: outsider.address }), "NothingToRefund", [jobId]);
      },
    );

    it(
      "while the job runs, a crashed trainer's unclaimed share is swept CLAIM_ROUNDS rounds later into the " +
        "next successful round's reward, where the honest trainers claim it",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, usdc, honest, crashed, outsider } = ctx;
        const [a, b, c] = honest as [Account, Account, Account];
        const jobId = await createJob(ctx, { numRounds: 4 });
        await joinAll(ctx, jobId, [a, b, c, crashed], HONEST_STAKE);
        const updates = updatesFor([a, b, c, crashed], jobId, 0n);
        await commitAndReveal(jobs, jobId, updates);
        const t0 = honestTuple(jobId, 0n, updates, [0, 1, 2, 3]);
        await attestAll(jobs, jobId, 0n, [a, b, c], t0);
        await finalizeWith(jobs, jobId, 0n, t0, a);
        for (const trainer of [a, b, c]) expect(await claimed(ctx, usdc, jobId, trainer, [0n])).to.equal(250n * USDC);

        await runHonestRound(jobs, jobId, [a, b, c]);
        await expectRevert(jobs.write.sweep([jobId, 0n], { account: outsider.address }), "ClaimsStillOpen", [0n, 3n, 0n]);
        await runHonestRound(jobs, jobId, [a, b, c]);
        // Round 3 has started: anyone may sweep round 0, and claims on it are over.
        const swept = await mined(jobs.write.sweep([jobId, 0n], { account: outsider.address }));
        expect(eventOf(swept, jobs, "RewardSwept").args.amount).to.equal(250n * USDC);
        expect((await jobStateOf(jobs, jobId)).carry).to.equal(250n * USDC);
        await expectRevert(jobs.write.claim([jobId, [0n]], { account: crashed.address }), "ClaimsClosed", [0n]);
        const last = await runHonestRound(jobs, jobId, [a, b, c]);
        expect(eventOf(last.finalize, jobs, "RoundFinalized").args.reward).to.equal(REWARD + 250n * USDC);
        const thirds = sharesOf(REWARD, 3_000n, [1_000n, 1_000n, 1_000n]);
        const shares = sharesOf(REWARD + 250n * USDC, 3_000n, [1_000n, 1_000n, 1_000n]);
        for (const [i, trainer] of [a, b, c].entries()) {
          expect(await claimed(ctx, usdc, jobId, trainer, [1n, 2n, 3n]), `trainer ${i}`).to.equal(2n * thirds[i]! + shares[i]!);
        }
      },
    );
  });

  describe("4. Slot exhaustion", () => {
    const SQUATTERS = 255;

    /** A six-round job of 256 slots: one real trainer joined before the start, 255 squatters right after it. */
    async function squattedFixture() {
      const ctx = await attackFixture();
      const squatters = await makeAccounts("issue12-squatter", SQUATTERS, [ctx.usdc], ctx.jobs.address, MIN_STAKE);
      const [newcomer] = await makeAccounts("issue12-newcomer", 1, [ctx.usdc], ctx.jobs.address, FUNDS);
      const jobId = await createJob(ctx, { numRounds: 6, maxTrainers: 256 });
      await joinAll(ctx, jobId, [ctx.honest[0]!], HONEST_STAKE);
      await gotoPhase(ctx.jobs, jobId, Phase.Commit);
      for (const squatter of squatters) {
        await mined(ctx.jobs.write.join([jobId, MIN_STAKE, peerIdOf(squatter), []], { account: squatter.address }));
      }
      return { ...ctx, squatters, newcomer: newcomer!, jobId };
    }

    it(
      "255 minimum-stake squatters that join right after the start fill the job (JobFull), but since nobody " +
        "revealed the sponsor can still cancel it and get the whole pool back, and the squatters only recover " +
        "their own stakes",
      async () => {
        const ctx = await loadFixture(squattedFixture);
        const { jobs, usdc, sponsor, squatters, newcomer, jobId } = ctx;
        expect((await jobStateOf(jobs, jobId)).trainerCount).to.equal(256n);
        await expectRevert(jobs.write.join([jobId, HONEST_STAKE, peerIdOf(newcomer), []], { account: newcomer.address }), "JobFull", [
          jobId,
          256n,
        ]);
        const sponsorBefore = await balanceOf(usdc, sponsor);
        const receipt = await mined(jobs.write.cancelJob([jobId], { account: sponsor.address }));
        expect(eventOf(receipt, jobs, "JobCancelled").args).to.include({ refund: 6n * REWARD, burned: 0n });
        expect((await balanceOf(usdc, sponsor)) - sponsorBefore).to.equal(6n * REWARD);
        for (const squatter of squatters) await mined(jobs.write.withdraw([jobId], { account: squatter.address }));
        await mined(jobs.write.withdraw([jobId], { account: ctx.honest[0]!.address }));
        expect(await balanceOf(usdc, squatters[0]!)).to.equal(MIN_STAKE);
        expect(await balanceOf(usdc, jobs.address)).to.equal(0n);
      },
    );

    it(
      "once a real trainer revealed, squatters that leave and withdraw free their indices at once and the " +
        "next real trainer gets the lowest free one, plays from the next round and is paid",
      async () => {
        const ctx = await loadFixture(squattedFixture);
        const { jobs, usdc, sponsor, honest, squatters, newcomer, jobId } = ctx;
        const real = honest[0]!;
        // Round 0: the real trainer trains alone, so the sponsor can no longer cancel.
        await runHonestRound(jobs, jobId, [real]);
        await expectRevert(jobs.write.cancelJob([jobId], { account: sponsor.address }), "UpdatesRevealed", [jobId]);
        await expectRevert(jobs.write.join([jobId, HONEST_STAKE, peerIdOf(newcomer), []], { account: newcomer.address }), "JobFull", [
          jobId,
          256n,
        ]);
        for (const squatter of squatters) {
          await mined(jobs.write.leave([jobId], { account: squatter.address }));
          await mined(jobs.write.withdraw([jobId], { account: squatter.address }));
        }
        expect((await jobStateOf(jobs, jobId)).trainerCount).to.equal(1n);
        const joined = await join(ctx, jobId, newcomer, HONEST_STAKE);
        expect(joined).to.include({ index: 1, firstRound: 2n });
        await runHonestRound(jobs, jobId, [real]);
        const round2 = await runHonestRound(jobs, jobId, [real, newcomer]);
        expect(round2.tuple.includedMask).to.equal(maskOf([0, 1]));
        expect(await claimed(ctx, usdc, jobId, newcomer, [2n])).to.equal(REWARD / 2n);
      },
    );

    it(
      "squatters that stay idle are evicted by anyone after IDLE_ROUNDS rounds without a reveal (NotIdle " +
        "before) and each eviction costs the squatter IDLE_BPS of its stake (1 USDC of 100), which pays the " +
        "next successful round's winner; a real trainer takes the freed index and plays",
      async () => {
        const ctx = await loadFixture(squattedFixture);
        const { jobs, usdc, honest, squatters, newcomer, outsider, jobId } = ctx;
        const real = honest[0]!;
        const squatter = squatters[6]!; // index 7
        expect((await jobs.read.getTrainer([jobId, squatter.address])).index).to.equal(7n);
        // The squatters play from round 1 on, so they are idle from round 1 + IDLE_ROUNDS.
        const evictableFrom = 1n + IDLE_ROUNDS;
        for (let r = 0n; r < evictableFrom; r++) {
          if (r > 0n) {
            await expectRevert(jobs.write.evict([jobId, squatter.address], { account: outsider.address }), "NotIdle", [
              jobId,
              squatter.address,
              evictableFrom,
            ]);
          }
          await runHonestRound(jobs, jobId, [real]);
        }
        expect((await jobs.read.getTrainer([jobId, squatter.address])).evictable).to.equal(true);
        const idle = penaltyOf(MIN_STAKE, IDLE_BPS);
        expect(idle).to.equal(1n * USDC);
        const outsiderBefore = await balanceOf(usdc, outsider);
        const receipt = await mined(jobs.write.evict([jobId, squatter.address], { account: outsider.address }));
        expect(eventOf(receipt, jobs, "TrainerPenalized").args).to.deep.equal({
          jobId,
          round: evictableFrom,
          trainer: squatter.address,
          reason: PenaltyReason.Idle,
          amount: idle,
        });
        expect(eventOf(receipt, jobs, "TrainerEvicted").args).to.include({ index: 7n, amount: MIN_STAKE - idle });
        expect(await balanceOf(usdc, squatter)).to.equal(MIN_STAKE - idle);
        expect(await balanceOf(usdc, outsider), "the evictor earns nothing").to.equal(outsiderBefore);
        expect((await jobs.read.getTrainer([jobId, squatter.address])).status).to.equal(TrainerStatus.Withdrawn);
        const joined = await join(ctx, jobId, newcomer, HONEST_STAKE);
        expect(joined).to.include({ index: 7, firstRound: 5n });
        // Round 4 pays its reward and the squatter's forfeit to the real trainer; round 5 is shared with the newcomer.
        const round4 = await runHonestRound(jobs, jobId, [real]);
        expect(eventOf(round4.finalize, jobs, "RoundFinalized").args.reward).to.equal(REWARD + idle);
        expect(await claimed(ctx, usdc, jobId, real, [4n])).to.equal(REWARD + idle);
        await runHonestRound(jobs, jobId, [real, newcomer], { indices: [0, 7] });
        expect(await claimed(ctx, usdc, jobId, newcomer, [5n])).to.equal(REWARD / 2n);
      },
    );

    it(
      "a squatter that rejoins after each eviction to hold its slot loses IDLE_BPS of its stake per eviction " +
        "cycle (1% every IDLE_ROUNDS + 1 rounds), paid to the real trainer's next successful round; a real " +
        "trainer gets the slot as soon as the squatter stops paying",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, usdc, honest, attacker: squatter, late: newcomer, outsider } = ctx;
        const real = honest[0]!;
        // Two slots: the real trainer's and the one the squatter holds.
        const jobId = await createJob(ctx, { numRounds: 10, maxTrainers: 2 });
        await joinAll(ctx, jobId, [real], HONEST_STAKE);
        await gotoPhase(jobs, jobId, Phase.Commit);
        let lost = 0n;
        let forfeit = 0n;
        for (const evictAt of [4n, 8n]) {
          // It rejoins at once: joining once round r has begun plays from r + 1, so it is evictable from r + 1 + IDLE_ROUNDS.
          const { round } = await jobs.read.getRound([jobId]);
          expect(await join(ctx, jobId, squatter, MIN_STAKE)).to.include({ index: 1, firstRound: round + 1n });
          expect(round + 1n + IDLE_ROUNDS).to.equal(evictAt);
          await expectRevert(jobs.write.join([jobId, HONEST_STAKE, peerIdOf(newcomer), []], { account: newcomer.address }), "JobFull", [
            jobId,
            2n,
          ]);
          while ((await jobs.read.getRound([jobId])).round < evictAt) {
            // The first round the real trainer wins after an eviction pays it the squatter's forfeit.
            const { finalize } = await runHonestRound(jobs, jobId, [real]);
            expect(eventOf(finalize, jobs, "RoundFinalized").args.reward).to.equal(REWARD + forfeit);
            forfeit = 0n;
          }
          forfeit = penaltyOf(MIN_STAKE, IDLE_BPS);
          const before = await balanceOf(usdc, squatter);
          const receipt = await mined(jobs.write.evict([jobId, squatter.address], { account: outsider.address }));
          expect(eventOf(receipt, jobs, "TrainerPenalized").args).to.include({
            round: evictAt,
            reason: PenaltyReason.Idle,
            amount: forfeit,
          });
          expect((await balanceOf(usdc, squatter)) - before).to.equal(MIN_STAKE - forfeit);
          lost += forfeit;
        }
        expect(lost).to.equal(2n * USDC);
        expect(await balanceOf(usdc, squatter)).to.equal(FUNDS - lost);
        // It stops: the newcomer takes the slot at once and plays from the next round.
        expect(await join(ctx, jobId, newcomer, HONEST_STAKE)).to.include({ index: 1, firstRound: 9n });
        const round8 = await runHonestRound(jobs, jobId, [real]);
        expect(eventOf(round8.finalize, jobs, "RoundFinalized").args.reward).to.equal(REWARD + forfeit);
        await runHonestRound(jobs, jobId, [real, newcomer]);
        expect(await claimed(ctx, usdc, jobId, real, [4n, 8n])).to.equal(2n * REWARD + lost);
        expect(await claimed(ctx, usdc, jobId, newcomer, [9n])).to.equal(REWARD / 2n);
      },
    );
  });

  describe("5. Unrevealable windows", () => {
    it(
      "createJob with a 1 s reveal window (or any window or claim period under the deployment's 60 s " +
        "minimum) reverts WindowOutOfRange; 60 s is accepted",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, sponsor } = ctx;
        expect(await jobs.read.minWindow()).to.equal(BigInt(MIN_WINDOW));
        for (const field of ["commitWindow", "revealWindow", "attestWindow", "claimPeriod"] as const) {
          for (const window of [1, MIN_WINDOW - 1]) {
            const params = { ...(await jobParams(ctx)), [field]: window };
            await expectRevert(jobs.write.createJob([params], { account: sponsor.address }), "WindowOutOfRange", [
              BigInt(window),
              BigInt(MIN_WINDOW),
              BigInt(MAX_WINDOW),
            ]);
          }
        }
        const shortest = await jobParams(ctx, { commitWindow: 60, revealWindow: 60, attestWindow: 60, claimPeriod: 60 });
        await mined(jobs.write.createJob([shortest], { account: sponsor.address }));
        expect(await jobs.read.jobCount()).to.equal(1n);
      },
    );

    it(
      "an honest committer that misses the reveal window reveals late in the attest window and loses only " +
        "LATE_REVEAL_BPS (5%): nobody can slash it, it keeps its index and its weight in later rounds, and " +
        "its forfeit pays the honest winners of the round",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, usdc, honest, late, sponsor } = ctx;
        const [a, b, c] = honest as [Account, Account, Account];
        const jobId = await createJob(ctx, { numRounds: 2 });
        await joinAll(ctx, jobId, [a, b, c, late], HONEST_STAKE);
        const updates = updatesFor([a, b, c, late], jobId, 0n);
        await commitAndReveal(jobs, jobId, updates, updates.slice(0, 3));
        // The reveal window is over: the sponsor tries to slash the honest committer.
        const { attestEnd } = await jobs.read.getRound([jobId]);
        await expectRevert(jobs.write.slash([jobId, 0n, late.address], { account: sponsor.address }), "SlashTooEarly", [0n, attestEnd]);
        const receipt = (await revealAll(jobs, jobId, 0n, updates.slice(3)))[0]!;
        const penalty = penaltyOf(HONEST_STAKE, LATE_REVEAL_BPS);
        expect(eventOf(receipt, jobs, "Revealed").args).to.include({ late: true, weight: 0n });
        expect(eventOf(receipt, jobs, "TrainerPenalized").args).to.include({ reason: PenaltyReason.LateReveal, amount: penalty });
        const tuple = honestTuple(jobId, 0n, updates.slice(0, 3), [0, 1, 2]);
        await expectRevert(attestAll(jobs, jobId, 0n, [late], tuple), "RevealedLate", [0n]);
        await attestAll(jobs, jobId, 0n, [a, b, c], tuple);
        await gotoPhase(jobs, jobId, Phase.Finalize);
        await expectRevert(jobs.write.slash([jobId, 0n, late.address], { account: sponsor.address }), "NothingToSlash", [
          jobId,
          0n,
          late.address,
        ]);
        const finalized = await finalizeWith(jobs, jobId, 0n, tuple, a);
        expect(eventOf(finalized, jobs, "RoundFinalized").args.reward).to.equal(REWARD + penalty);
        const state = await jobs.read.getTrainer([jobId, late.address]);
        expect([state.status, state.index, state.stake]).to.deep.equal([TrainerStatus.Active, 3n, HONEST_STAKE - penalty]);
        expect(state.weight).to.equal(weightOf(HONEST_STAKE - penalty, MIN_STAKE));

        // Round 1: it trains again and is paid like the others.
        await runHonestRound(jobs, jobId, [a, b, c, late]);
        expect(await claimed(ctx, usdc, jobId, late, [1n])).to.equal(REWARD / 4n);
        expect(await claimed(ctx, usdc, jobId, a, [0n, 1n])).to.equal((REWARD + penalty) / 3n + REWARD / 4n);
        await expectRevert(jobs.write.claim([jobId, [0n]], { account: late.address }), "NotAttested", [0n]);
      },
    );

    it(
      "the sponsor-grief sequence no longer works: everyone commits and nobody reveals on time, but at the end " +
        "of the reveal window finalize reverts FinalizeTooEarly (and slash SlashTooEarly) while a commitment is " +
        "unrevealed, so every committer still reveals late until attestEnd for LATE_REVEAL_BPS (5%), nobody is " +
        "slashed, the round then ends at once, and the forfeits pay the next round's honest winners, not the sponsor",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, usdc, honest, sponsor } = ctx;
        const jobId = await createJob(ctx, { numRounds: 2 });
        await joinAll(ctx, jobId, honest, HONEST_STAKE);
        const sponsorStart = await balanceOf(usdc, sponsor);
        const updates = updatesFor(honest, jobId, 0n);
        await commitAndReveal(jobs, jobId, updates, []);
        // v1: nobody revealed on time, so the outcome "could not change": the sponsor finalized at once, then slashed all.
        const w = await jobs.read.getRound([jobId]);
        expect(w).to.deep.include({ phase: Phase.Attest, committedCount: 4n, revealedCount: 0n, lateRevealCount: 0n, finalizable: false });
        await expectRevert(finalizeWith(jobs, jobId, 0n, NO_TUPLE, sponsor), "FinalizeTooEarly", [0n, w.attestEnd]);
        for (const trainer of honest) {
          await expectRevert(jobs.write.slash([jobId, 0n, trainer.address], { account: sponsor.address }), "SlashTooEarly", [
            0n,
            w.attestEnd,
          ]);
        }
        // Each committer reveals late: 5% of its stake and no weight; the round is finalizable once the last one has.
        const late = penaltyOf(HONEST_STAKE, LATE_REVEAL_BPS);
        for (const [i, update] of updates.entries()) {
          const receipt = (await revealAll(jobs, jobId, 0n, [update]))[0]!;
          expect(eventOf(receipt, jobs, "Revealed").args).to.include({ late: true, weight: 0n });
          expect(eventOf(receipt, jobs, "TrainerPenalized").args).to.include({ reason: PenaltyReason.LateReveal, amount: late });
          const live = await jobs.read.getRound([jobId]);
          expect([live.lateRevealCount, live.finalizable], `after late reveal ${i}`).to.deep.equal([BigInt(i + 1), i === 3]);
        }
        const finalized = await finalizeWith(jobs, jobId, 0n, NO_TUPLE, sponsor);
        expect(eventOf(finalized, jobs, "RoundFinalized").args).to.include({
          succeeded: false,
          early: true,
          carry: REWARD,
          forfeits: 4n * late,
        });
        for (const trainer of honest) {
          await expectRevert(jobs.write.slash([jobId, 0n, trainer.address], { account: sponsor.address }), "NothingToSlash", [
            jobId,
            0n,
            trainer.address,
          ]);
          expect(await jobs.read.getTrainer([jobId, trainer.address])).to.deep.include({
            status: TrainerStatus.Active,
            stake: HONEST_STAKE - late,
          });
        }

        // Round 1: the same trainers train on time and share its reward, round 0's carry and their own forfeits.
        const last = await runHonestRound(jobs, jobId, honest);
        const reward = 2n * REWARD + 4n * late;
        expect(eventOf(last.finalize, jobs, "RoundFinalized").args).to.include({ succeeded: true, reward });
        for (const trainer of honest) expect(await claimed(ctx, usdc, jobId, trainer, [1n])).to.equal(reward / 4n);
        await afterClaimPeriod(jobs, jobId);
        for (const trainer of honest) expect(await withdrawn(ctx, usdc, jobId, trainer)).to.equal(HONEST_STAKE - late);
        expect(await balanceOf(usdc, honest[0]!)).to.equal(FUNDS + reward / 4n - late);
        expect((await balanceOf(usdc, sponsor)) - sponsorStart, "the sponsor gains nothing").to.equal(0n);
        expect(await balanceOf(usdc, jobs.address)).to.equal(0n);
      },
    );

    it(
      "the sponsor's refundRemainder never receives forfeited stake: a never-revealed commitment slashed " +
        "mid-job waits through a failed round for the next successful one, one slashed after the end is " +
        "burned to 0x…dEaD, the forfeited part of an unclaimed share is swept back to the forfeits and " +
        "burned, and the sponsor gets back only the carry (a failed round's reward, rounding dust and the " +
        "rest of the unclaimed share)",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, usdc, honest, sponsor } = ctx;
        const [a, b, c, d] = honest as [Account, Account, Account, Account];
        const jobId = await createJob(ctx, { numRounds: 4 });
        await joinAll(ctx, jobId, [a, b, c, d], HONEST_STAKE);
        const sponsorStart = await balanceOf(usdc, sponsor);

        // Round 0: d commits and never reveals; the others win; then the sponsor slashes d.
        let updates = updatesFor([a, b, c, d], jobId, 0n);
        await commitAndReveal(jobs, jobId, updates, updates.slice(0, 3));
        const tuple = honestTuple(jobId, 0n, updates.slice(0, 3), [0, 1, 2]);
        await attestAll(jobs, jobId, 0n, [a, b, c], tuple);
        await gotoPhase(jobs, jobId, Phase.Finalize);
        await finalizeWith(jobs, jobId, 0n, tuple, a);
        await mined(jobs.write.slash([jobId, 0n, d.address], { account: sponsor.address }));
        expect((await balanceOf(usdc, sponsor)) - sponsorStart, "the slasher earns nothing").to.equal(0n);
        expect((await jobStateOf(jobs, jobId)).forfeits).to.equal(HONEST_STAKE);

        // Round 1 fails (nobody trains): its reward goes to the carry, the forfeits wait.
        await idleRound(jobs, jobId, a);
        expect(await jobStateOf(jobs, jobId)).to.include({ carry: REWARD, forfeits: HONEST_STAKE });
        // Round 2: the honest winners share the round's reward, the carry and d's stake.
        const round2 = await runHonestRound(jobs, jobId, [a, b, c]);
        expect(eventOf(round2.finalize, jobs, "RoundFinalized").args.reward).to.equal(2n * REWARD + HONEST_STAKE);

        // Round 3: c commits and never reveals; a and b reveal and stay silent, so the round fails.
        updates = updatesFor([a, b, c], jobId, 3n);
        await gotoPhase(jobs, jobId, Phase.Commit);
        await commitAll(jobs, jobId, 3n, updates);
        await gotoPhase(jobs, jobId, Phase.Reveal);
        await revealAll(jobs, jobId, 3n, updates.slice(0, 2));
        await gotoPhase(jobs, jobId, Phase.Finalize);
        await finalizeWith(jobs, jobId, 3n, NO_TUPLE, a);
        await mined(jobs.write.slash([jobId, 3n, c.address], { account: sponsor.address }));
        // c never claims round 2: a third of its unpaid share came from d's stake.
        const reward2 = 2n * REWARD + HONEST_STAKE;
        for (const trainer of [a, b]) expect(await claimed(ctx, usdc, jobId, trainer, [0n, 2n])).to.equal(REWARD / 3n + reward2 / 3n);
        expect(await claimed(ctx, usdc, jobId, c, [0n])).to.equal(REWARD / 3n);
        const dust = REWARD - 3n * (REWARD / 3n);
        expect(dust).to.equal(1n);
        await afterClaimPeriod(jobs, jobId);
        await mined(jobs.write.sweep([jobId, 0n], { account: sponsor.address }));
        const unclaimed = reward2 - 2n * (reward2 / 3n);
        const backToForfeits = (unclaimed * HONEST_STAKE + reward2 - 1n) / reward2; // rounded up
        const swept = await mined(jobs.write.sweep([jobId, 2n], { account: sponsor.address }));
        expect(eventOf(swept, jobs, "RewardSwept").args).to.include({ amount: unclaimed, toForfeits: backToForfeits });
        const silent = penaltyOf(HONEST_STAKE, SILENT_BPS);
        for (const trainer of [a, b]) expect(await withdrawn(ctx, usdc, jobId, trainer)).to.equal(HONEST_STAKE - silent);
        const receipt = await mined(jobs.write.refundRemainder([jobId], { account: sponsor.address }));
        const burned = HONEST_STAKE + 2n * silent + backToForfeits;
        const refund = REWARD + dust + unclaimed - backToForfeits;
        expect(eventOf(receipt, jobs, "RemainderRefunded").args).to.include({ refund, burned });
        expect((await balanceOf(usdc, sponsor)) - sponsorStart).to.equal(refund);
        expect(await balanceOf(usdc, BURN_ADDRESS)).to.equal(burned);
        expect(await balanceOf(usdc, jobs.address)).to.equal(0n);
      },
    );
  });

  describe("6. Low: packed start time, listings after a transfer, lineage", () => {
    it(
      "a start time at 2^40 reverts StartTimeTooLate instead of wrapping into the past; at 2^40 - 1 " +
        "getJob().startTime equals getRound().start and the job stays Scheduled, so the sponsor can cancel it",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, usdc, sponsor } = ctx;
        const maxStart = 2n ** 40n - 1n;
        await expectRevert(
          jobs.write.createJob([{ ...(await jobParams(ctx)), startTime: maxStart + 1n }], { account: sponsor.address }),
          "StartTimeTooLate",
          [maxStart + 1n, maxStart],
        );
        await expectRevert(
          jobs.write.createJob([{ ...(await jobParams(ctx)), startTime: 2n ** 64n - 1n }], { account: sponsor.address }),
          "StartTimeTooLate",
          [2n ** 64n - 1n, maxStart],
        );
        const before = await balanceOf(usdc, sponsor);
        await mined(jobs.write.createJob([{ ...(await jobParams(ctx)), startTime: maxStart }], { account: sponsor.address }));
        const jobId = await jobs.read.jobCount();
        const [params, state] = await jobs.read.getJob([jobId]);
        const round = await jobs.read.getRound([jobId]);
        expect([params.startTime, round.start, round.phase, state.status]).to.deep.equal([maxStart, maxStart, Phase.Scheduled, 1]);
        await mined(jobs.write.cancelJob([jobId], { account: sponsor.address }));
        expect(await balanceOf(usdc, sponsor)).to.equal(before);
      },
    );

    it(
      "a listing and a dispenser opened by the previous NFT owner lapse with the transfer: once the new " +
        "owner mints and approves the Marketplace, buy reverts NotListed and dispense NoDispenser, its " +
        "inventory stays whole and the old owner is paid nothing",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { registry, marketplace, usdc, publisher, newOwner, buyer, consumer } = ctx;
        await mined(
          registry.write.publishWithDatatokenAndListing(
            [
              AssetKind.Dataset,
              cid("old-owner-listing"),
              [],
              { accessPeriod: 0n, initialSupply: 10n * ONE },
              { marketplace: marketplace.address, paymentToken: usdc.address, price: 5n * USDC },
            ],
            { account: publisher.account },
          ),
        );
        const assetId = await registry.read.assetCount();
        const datatoken = await hre.viem.getContractAt("Datatoken", await registry.read.datatokenOf([assetId]));
        await mined(marketplace.write.setDispenser([assetId, 5n], { account: publisher.account }));
        const epoch = await registry.read.ownerEpochOf([assetId]);

        await mined(
          registry.write.transferFrom([publisher.account.address, newOwner.account.address, assetId], { account: publisher.account }),
        );
        expect(await registry.read.ownerEpochOf([assetId])).to.equal(epoch + 1n);
        // The approve-then-configure order selling requires: the new owner stocks and approves its inventory first.
        await mined(datatoken.write.mint([newOwner.account.address, 5n * ONE], { account: newOwner.account }));
        await mined(datatoken.write.approve([marketplace.address, maxUint256], { account: newOwner.account }));

        await mined(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
        const publisherUsdc = await balanceOf(usdc, publisher.account.address);
        await expectRevert(
          marketplace.write.buy([assetId, 5n, usdc.address, maxUint256, zeroAddress, 0], { account: buyer.account }),
          "NotListed",
          [assetId],
        );
        await expectRevert(marketplace.write.dispense([assetId, 5n], { account: consumer.account }), "NoDispenser", [assetId]);
        expect((await marketplace.read.listingOf([assetId])).price).to.equal(0n);
        expect(await marketplace.read.dispenserOf([assetId])).to.equal(0n);
        expect(await datatoken.read.balanceOf([newOwner.account.address])).to.equal(5n * ONE);
        expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(0n);
        expect(await datatoken.read.balanceOf([consumer.account.address])).to.equal(0n);
        expect(await balanceOf(usdc, publisher.account.address)).to.equal(publisherUsdc);

        // The new owner's own terms sell its inventory, for itself.
        await mined(marketplace.write.setListing([assetId, usdc.address, 7n * USDC], { account: newOwner.account }));
        const ownerUsdc = await balanceOf(usdc, newOwner.account.address);
        await mined(marketplace.write.buy([assetId, 1n, usdc.address, maxUint256, zeroAddress, 0], { account: buyer.account }));
        expect((await balanceOf(usdc, newOwner.account.address)) - ownerUsdc).to.equal(7n * USDC);
        expect(await balanceOf(usdc, publisher.account.address)).to.equal(publisherUsdc);
      },
    );

    it(
      "createJob ties the lineage to the registry: a baseModelCid other than the base model's current " +
        "manifest reverts BaseModelCidMismatch, a deprecated or revoked dataset or base model reverts " +
        "AssetNotActive, and the published result names the dataset and the base model as parents",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, registry, publisher, sponsor, honest } = ctx;
        const create = async (overrides: Record<string, unknown>, options: JobOptions = {}) =>
          jobs.write.createJob([{ ...(await jobParams(ctx, options)), ...overrides }], { account: sponsor.address });
        await expectRevert(create({ baseModelCid: cid("another-model") }), "BaseModelCidMismatch", [
          2n,
          cid("base-model"),
          cid("another-model"),
        ]);
        await mined(registry.write.updateManifest([2n, cid("base-model-v2")], { account: publisher.account }));
        await expectRevert(create({}), "BaseModelCidMismatch", [2n, cid("base-model-v2"), cid("base-model")]);
        await expectRevert(create({ baseModelCid: cid("base-model-v2"), datasetId: 2n }), "WrongAssetKind", [2n, 0, 1]);

        await mined(registry.write.setState([1n, AssetState.Deprecated], { account: publisher.account }));
        await expectRevert(create({ baseModelCid: cid("base-model-v2") }), "AssetNotActive", [1n, AssetState.Deprecated]);
        await mined(registry.write.setState([1n, AssetState.Active], { account: publisher.account }));
        await mined(registry.write.setState([2n, AssetState.Deprecated], { account: publisher.account }));
        await expectRevert(create({ baseModelCid: cid("base-model-v2") }), "AssetNotActive", [2n, AssetState.Deprecated]);
        await mined(registry.write.setState([2n, AssetState.Active], { account: publisher.account }));

        await mined(await create({ baseModelCid: cid("base-model-v2") }, { numRounds: 1 }));
        const jobId = await jobs.read.jobCount();
        await joinAll(ctx, jobId, honest, HONEST_STAKE);
        const { tuple } = await runHonestRound(jobs, jobId, honest);
        const published = await publish(ctx, jobId, honest[0]!);
        expect(published).to.deep.include({ kind: AssetKind.Model, manifestCid: tuple.aggregateCid, parents: [1n, 2n] });
        expect(published.owner).to.equal(getAddress(sponsor.address));

        await mined(registry.write.setState([1n, AssetState.Revoked], { account: publisher.account }));
        await expectRevert(create({ baseModelCid: cid("base-model-v2") }), "AssetNotActive", [1n, AssetState.Revoked]);
      },
    );
  });

  describe("7. Minor", () => {
    it(
      "a commitment replayed from an earlier round or from another job no longer matches " +
        "(CommitmentMismatch: commitments bind chain id, contract, job and round): the replayed update never " +
        "counts and the replayer is slashed",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, usdc, domain, honest, attacker, outsider } = ctx;
        const jobId = await createJob(ctx, { numRounds: 2 });
        await joinAll(ctx, jobId, [...honest, attacker], HONEST_STAKE);
        // Round 0: the attacker trains honestly with a large shard.
        const round0 = await runHonestRound(jobs, jobId, [...honest, attacker], { samples: (i) => (i === 4 ? 60_000n : 1_000n) });
        const update = round0.updates[4]!;
        const old = commitmentOf(domain, jobId, 0n, update.cid, update.samples, update.salt, attacker.address);
        expect(await jobs.read.computeCommitment([jobId, 0n, update.cid, update.samples, update.salt, attacker.address])).to.equal(old);

        // Round 1: the same commitment, revealed with the same update and salt.
        await gotoPhase(jobs, jobId, Phase.Commit);
        await mined(jobs.write.commit([jobId, 1n, old], { account: attacker.address }));
        const updates = updatesFor(honest, jobId, 1n);
        await commitAll(jobs, jobId, 1n, updates);
        await gotoPhase(jobs, jobId, Phase.Reveal);
        const bound = commitmentOf(domain, jobId, 1n, update.cid, update.samples, update.salt, attacker.address);
        await expectRevert(
          jobs.write.reveal([jobId, 1n, update.cid, update.samples, update.salt], { account: attacker.address }),
          "CommitmentMismatch",
          [old, bound],
        );
        await revealAll(jobs, jobId, 1n, updates);
        expect((await jobs.read.getRound([jobId])).revealedCount).to.equal(4n);
        await gotoPhase(jobs, jobId, Phase.Attest);
        const tuple = honestTuple(jobId, 1n, updates, [0, 1, 2, 3]);
        await attestAll(jobs, jobId, 1n, honest, tuple);
        await gotoPhase(jobs, jobId, Phase.Finalize);
        await mined(jobs.write.slash([jobId, 1n, attacker.address], { account: outsider.address }));
        expect((await jobs.read.getTrainer([jobId, attacker.address])).status).to.equal(TrainerStatus.Slashed);
        expect((await jobs.read.getTrainerRound([jobId, 1n, attacker.address])).revealed).to.equal(false);

        // Another job: the first job's commitment does not open there either.
        const otherJob = await createJob(ctx, { numRounds: 1 });
        await join(ctx, otherJob, attacker, HONEST_STAKE);
        await gotoPhase(jobs, otherJob, Phase.Commit);
        await mined(jobs.write.commit([otherJob, 0n, old], { account: attacker.address }));
        await gotoPhase(jobs, otherJob, Phase.Reveal);
        await expectRevert(
          jobs.write.reveal([otherJob, 0n, update.cid, update.samples, update.salt], { account: attacker.address }),
          "CommitmentMismatch",
          [old, commitmentOf(domain, otherJob, 0n, update.cid, update.samples, update.salt, attacker.address)],
        );
        // Nor would it on another chain or another deployment.
        const elsewhere = commitmentOf(
          { ...domain, chainId: domain.chainId + 1n },
          jobId,
          0n,
          update.cid,
          update.samples,
          update.salt,
          attacker.address,
        );
        expect(elsewhere).to.not.equal(old);
        // Round 0 paid the attacker for its honest round; the replay cost it its whole stake.
        const paid = (60_000n * REWARD) / 64_000n;
        expect(await claimed(ctx, usdc, jobId, attacker, [0n])).to.equal(paid);
        expect(await balanceOf(usdc, attacker)).to.equal(FUNDS - 2n * HONEST_STAKE + paid);
      },
    );

    /** Publishes a dataset with a datatoken (100 tokens to the publisher) listed at `price` units of `paymentToken`. */
    async function listAsset(ctx: AttackContext, price: bigint, paymentToken: Address) {
      const { registry, marketplace, publisher } = ctx;
      await mined(
        registry.write.publishWithDatatokenAndListing(
          [
            AssetKind.Dataset,
            cid(`listed:${price}:${paymentToken}`),
            [],
            { accessPeriod: 3_600n, initialSupply: 100n * ONE },
            { marketplace: marketplace.address, paymentToken, price },
          ],
          { account: publisher.account },
        ),
      );
      const assetId = await registry.read.assetCount();
      const datatoken = await hre.viem.getContractAt("Datatoken", await registry.read.datatokenOf([assetId]));
      return { assetId, datatoken };
    }

    it(
      "protocol fees round up: 100 single purchases at 99 units pay 100 units of fee (1 each), as much as " +
        "one purchase of 100 tokens would",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { marketplace, usdc, buyer, treasury, publisher } = ctx;
        const { assetId } = await listAsset(ctx, 99n, usdc.address);
        expect(await marketplace.read.quote([assetId, 1n, 0])).to.deep.equal([99n, 1n, 0n, 100n]);
        await mined(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
        const treasuryBefore = await balanceOf(usdc, treasury.account.address);
        const sellerBefore = await balanceOf(usdc, publisher.account.address);
        const buyerBefore = await balanceOf(usdc, buyer.account.address);
        for (let i = 0; i < 100; i++) {
          await mined(marketplace.write.buy([assetId, 1n, usdc.address, 100n, zeroAddress, 0], { account: buyer.account }));
        }
        expect((await balanceOf(usdc, treasury.account.address)) - treasuryBefore).to.equal(100n);
        expect((await balanceOf(usdc, publisher.account.address)) - sellerBefore).to.equal(9_900n);
        expect(buyerBefore - (await balanceOf(usdc, buyer.account.address))).to.equal(10_000n);
        expect((await marketplace.read.quote([assetId, 100n, 0]))[1]).to.equal(99n);
      },
    );

    it(
      "dispense after maxPerWallet is lowered below a wallet's count reverts DispenserLimitExceeded(asset, " +
        "wallet, 1, remaining 0) instead of panicking",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { marketplace, usdc, publisher, consumer } = ctx;
        const { assetId, datatoken } = await listAsset(ctx, 5n * USDC, usdc.address);
        await mined(marketplace.write.setDispenser([assetId, 5n], { account: publisher.account }));
        await mined(marketplace.write.dispense([assetId, 3n], { account: consumer.account }));
        await mined(marketplace.write.setDispenser([assetId, 2n], { account: publisher.account }));
        await expectRevert(marketplace.write.dispense([assetId, 1n], { account: consumer.account }), "DispenserLimitExceeded", [
          assetId,
          consumer.account.address,
          1n,
          0n,
        ]);
        expect(await datatoken.read.balanceOf([consumer.account.address])).to.equal(3n * ONE);
        expect(await marketplace.read.dispensedTo([assetId, consumer.account.address])).to.equal(3n);
      },
    );

    it(
      "orderFrom takes no payer argument: OrderStarted records its caller as payer (the spender for a " +
        "direct orderFrom, the Marketplace for buyAndOrder, whose Purchased names the buyer)",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { marketplace, usdc, publisher, stranger, consumer, buyer } = ctx;
        const { assetId, datatoken } = await listAsset(ctx, 5n * USDC, usdc.address);
        const orderFrom = datatoken.abi.find((item) => item.type === "function" && item.name === "orderFrom");
        expect(orderFrom?.type === "function" ? orderFrom.inputs.map((input) => input.name) : []).to.deep.equal(["from", "consumer"]);

        await mined(datatoken.write.approve([stranger.account.address, ONE], { account: publisher.account }));
        const direct = await mined(
          datatoken.write.orderFrom([publisher.account.address, consumer.account.address], { account: stranger.account }),
        );
        expect(eventOf(direct, datatoken, "OrderStarted").args).to.include({
          payer: getAddress(stranger.account.address),
          from: getAddress(publisher.account.address),
          consumer: getAddress(consumer.account.address),
        });

        await mined(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
        const bought = await mined(
          marketplace.write.buyAndOrder([assetId, consumer.account.address, usdc.address, maxUint256, zeroAddress, 0, NO_PERMIT], {
            account: buyer.account,
          }),
        );
        expect(eventOf(bought, datatoken, "OrderStarted").args.payer).to.equal(getAddress(marketplace.address));
        expect(eventOf(bought, marketplace, "Purchased").args.buyer).to.equal(getAddress(buyer.account.address));
      },
    );

    it(
      "a fee-on-transfer token is refused with TransferAmountMismatch, by the Marketplace as payment and by " +
        "TrainingJobs as a job's token",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, marketplace, buyer, sponsor, publisher } = ctx;
        const feeToken = await hre.viem.deployContract("FeeOnTransferToken");
        const { assetId, datatoken } = await listAsset(ctx, 1_000n * ONE, feeToken.address);
        await mined(feeToken.write.mint([buyer.account.address, 10_000n * ONE]));
        await mined(feeToken.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
        await expectRevert(
          marketplace.write.buy([assetId, 1n, feeToken.address, maxUint256, zeroAddress, 0], { account: buyer.account }),
          "TransferAmountMismatch",
          [feeToken.address, 1_000n * ONE, 990n * ONE],
        );
        expect(await feeToken.read.balanceOf([buyer.account.address])).to.equal(10_000n * ONE);
        expect(await feeToken.read.balanceOf([publisher.account.address])).to.equal(0n);
        expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(0n);

        await mined(feeToken.write.mint([sponsor.address, 10_000n * ONE]));
        await mined(feeToken.write.approve([jobs.address, maxUint256], { account: sponsor.address }));
        const params = {
          ...(await jobParams(ctx)),
          token: getAddress(feeToken.address),
          rewardPerRound: 1_000n * ONE,
          rewardPool: 3_000n * ONE,
          minStake: 2_000n * ONE,
          auditsPerRound: 1,
        };
        await expectRevert(jobs.write.createJob([params], { account: sponsor.address }), "TransferAmountMismatch", [
          feeToken.address,
          3_000n * ONE,
          2_970n * ONE,
        ]);
        expect(await jobs.read.jobCount()).to.equal(0n);
        expect(await feeToken.read.balanceOf([sponsor.address])).to.equal(10_000n * ONE);
      },
    );

    it(
      "windows and claim periods above MAX_WINDOW (30 days) revert WindowOutOfRange, so stakes cannot be " +
        "locked for centuries; 30 days is accepted",
      async () => {
        const ctx = await loadFixture(attackFixture);
        const { jobs, sponsor } = ctx;
        expect(await jobs.read.MAX_WINDOW()).to.equal(BigInt(MAX_WINDOW));
        for (const field of ["commitWindow", "revealWindow", "attestWindow", "claimPeriod"] as const) {
          for (const window of [MAX_WINDOW + 1, 2 ** 32 - 1]) {
            const params = { ...(await jobParams(ctx)), [field]: window };
            await expectRevert(jobs.write.createJob([params], { account: sponsor.address }), "WindowOutOfRange", [
              BigInt(window),
              BigInt(MIN_WINDOW),
              BigInt(MAX_WINDOW),
            ]);
          }
        }
        const longest = await jobParams(ctx, {
          commitWindow: MAX_WINDOW,
          revealWindow: MAX_WINDOW,
          attestWindow: MAX_WINDOW,
          claimPeriod: MAX_WINDOW,
        });
        await mined(jobs.write.createJob([longest], { account: sponsor.address }));
        const round = await jobs.read.getRound([1n]);
        expect(round.attestEnd - round.start).to.equal(BigInt(3 * MAX_WINDOW));
      },
    );
  });
});
