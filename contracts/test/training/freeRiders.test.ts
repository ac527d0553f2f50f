/**
 * Issue 13, replayed on chain: a trainer that does not train (it sends the global model plus one ulp, which the
 * aggregation screen passes) against a job that audits one update per round. The round's honest attesters replay the
 * drawn update off-chain (trainer/README.md, "Replay audits"); here the draw and the verdict are given, and the test
 * asserts what the contract makes of them: who is paid, who loses what, and what cheating earns over the job.
 *
 * Amounts are in the 6-decimal test USDC: 1,000 USDC per round, one audit per round, so the minimum stake is 2,000 USDC
 * (AUDIT_STAKE_MARGIN round rewards per audit).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expectRevert } from "../fixtures/errors";
import { eventsOf, mined } from "../fixtures/protocol";
import {
  AUDIT_STAKE_MARGIN,
  BURN_ADDRESS,
  Phase,
  TrainerStatus,
  attestAll,
  balanceOf,
  claimed,
  commitAll,
  createJob,
  finalizeWith,
  gotoPhase,
  honestTuple,
  jobParams,
  joinAll,
  makeAccounts,
  maskOf,
  revealAll,
  trainingFixture,
  updatesFor,
  type Account,
  type TrainingContext,
  type Tuple,
} from "../fixtures/training";

const USDC = 10n ** 6n;
const REWARD = 1_000n * USDC;
const STAKE = AUDIT_STAKE_MARGIN * REWARD;

async function freeRiderFixture() {
  const ctx = await trainingFixture();
  const [a, b, c, rider] = await makeAccounts("issue13", 4, [ctx.usdc], ctx.jobs.address, 100_000n * USDC);
  const jobId = await createJob(ctx, { numRounds: 3, rewardPerRound: REWARD, minStake: STAKE, auditsPerRound: 1 });
  await joinAll(ctx, jobId, [a!, b!, c!, rider!], STAKE);
  return { ...ctx, jobId, honest: [a!, b!, c!], rider: rider! };
}

/**
 * One round: everyone commits and reveals 1,000 samples; the honest trainers attest the aggregate their replay of the
 * drawn update gives (the rider excluded and slashed when it was drawn, included otherwise); the rider attests the
 * tuple that includes it. Finalized by an honest trainer.
 */
async function playRound(ctx: TrainingContext & { jobId: bigint; honest: Account[]; rider: Account }, round: bigint, riderDrawn: boolean) {
  const { jobs, jobId, honest, rider } = ctx;
  const everyone = [...honest, rider];
  const updates = updatesFor(everyone, jobId, round);
  await gotoPhase(jobs, jobId, Phase.Commit);
  await commitAll(jobs, jobId, round, updates);
  await gotoPhase(jobs, jobId, Phase.Reveal);
  await revealAll(jobs, jobId, round, updates);
  await gotoPhase(jobs, jobId, Phase.Attest);
  const withRider = honestTuple(jobId, round, updates, [0, 1, 2, 3]);
  const verdict: Tuple = riderDrawn
    ? { ...honestTuple(jobId, round, updates.slice(0, 3), [0, 1, 2]), aggregateCid: withRider.aggregateCid, slashMask: maskOf([3]) }
    : withRider;
  await attestAll(jobs, jobId, round, honest, verdict);
  await attestAll(jobs, jobId, round, [rider], withRider);
  return finalizeWith(jobs, jobId, round, verdict, honest[0]!);
}

describe("TrainingJobs attacks (issue 13): free riders", () => {
  it("createJob refuses a stake too small for its audit rate: faking the work must not pay in expectation", async () => {
    const ctx = await loadFixture(trainingFixture);
    const params = { ...(await jobParams(ctx, { rewardPerRound: REWARD, minStake: STAKE - 1n, auditsPerRound: 1 })) };
    await expectRevert(ctx.jobs.write.createJob([params], { account: ctx.sponsor.address }), "StakeBelowAuditBound", [
      STAKE - 1n,
      REWARD,
      1n,
    ]);
    // Two audits per round halve the stake the bound asks for.
    await expectRevert(
      ctx.jobs.write.createJob([{ ...params, minStake: REWARD - 1n, auditsPerRound: 2 }], { account: ctx.sponsor.address }),
      "StakeBelowAuditBound",
      [REWARD - 1n, REWARD, 2n],
    );
    await mined(ctx.jobs.write.createJob([{ ...params, minStake: REWARD, auditsPerRound: 2 }], { account: ctx.sponsor.address }));
  });

  it("a free rider paid in the two rounds the draw missed loses its whole stake in the one that drew it: 3 rounds net -1,500 USDC, and its stake is burned, never paid to the sponsor", async () => {
    const ctx = await loadFixture(freeRiderFixture);
    const { jobs, jobId, usdc, honest, rider, sponsor } = ctx;
    const riderStart = await balanceOf(usdc, rider);
    const sponsorStart = await balanceOf(usdc, sponsor);

    // Rounds 0 and 1: the draw picks an honest update, the rider's ulp passes the screen and is paid a quarter.
    for (const round of [0n, 1n]) {
      await playRound(ctx, round, false);
      expect(await claimed(ctx, usdc, jobId, rider, [round])).to.equal(REWARD / 4n);
    }
    // Round 2: the draw picks the rider; its replay does not match, the winning tuple names it.
    const final = await playRound(ctx, 2n, true);
    const finalized = eventsOf(final, jobs).find((event) => event.eventName === "RoundFinalized")!.args as { slashMask: bigint };
    expect(finalized.slashMask).to.equal(maskOf([3]));
    await expectRevert(jobs.write.claim([jobId, [2n]], { account: rider.address }), "AttestedLosingTuple", [2n, 2n, 1n]);
    for (const trainer of honest) expect(await claimed(ctx, usdc, jobId, trainer, [2n])).to.equal(REWARD / 3n);
    await mined(jobs.write.slash([jobId, 2n, rider.address], { account: honest[0]!.address }));

    // Whatever the rider does now, its stake is gone: it cannot withdraw it (and it earned 500 USDC before).
    expect(await jobs.read.getTrainer([jobId, rider.address])).to.deep.include({ status: TrainerStatus.Slashed, stake: 0n });
    expect((await balanceOf(usdc, rider)) - riderStart).to.equal(2n * (REWARD / 4n));
    const net = 2n * (REWARD / 4n) - STAKE;
    expect(net).to.equal(-1_500n * USDC);
    // Its forfeited stake waits for a successful round; none is left, so it is burned at the refund, not returned.
    const burnBefore = await balanceOf(usdc, BURN_ADDRESS);
    await mined(jobs.write.refundRemainder([jobId], { account: sponsor.address }));
    expect((await balanceOf(usdc, BURN_ADDRESS)) - burnBefore).to.equal(STAKE);
    // The sponsor paid the pool and got nothing back: every round succeeded and its rewards are the trainers'.
    expect(sponsorStart - (await balanceOf(usdc, sponsor))).to.equal(0n);

    // In expectation at one audit per round among four equal trainers the rider loses money every round:
    // (3/4) x 250 - (1/4) x 2,000 = -312.5 USDC, against +250 USDC for an honest trainer.
    const expectedPerRound = (3n * (REWARD / 4n) - STAKE) / 4n;
    expect(expectedPerRound).to.equal(-312_500_000n);
    // The attesters who told the truth keep their whole stakes.
    for (const trainer of honest) {
      expect(await jobs.read.getTrainer([jobId, trainer.address])).to.deep.include({ stake: STAKE, status: TrainerStatus.Active });
    }
  });
});
