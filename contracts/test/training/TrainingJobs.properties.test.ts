/**
 * Property tests: random schedules of joins, commits, reveals, attestations, finalizations, claims, slashes, leaves,
 * withdrawals and refunds across many rounds, run against the real contract and checked against a small model of the
 * protocol. Every action must succeed exactly when the model says it is allowed (and otherwise revert with one of the
 * contract's custom errors, never a panic), and after every action:
 *
 * - the contract's token balances equal the stakes held plus the unpaid pool plus the unclaimed rewards (plus the
 *   forfeited stake held for the sponsor), computed from the model;
 * - what has been paid for a round never exceeds its reward;
 * - a slashed trainer's stake is gone: it is never withdrawable and withdrawing reverts.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Hex } from "viem";
import { decodeRevert } from "../fixtures/errors";
import { propertyRun } from "../fixtures/property";
import { cid, eventsOf, mined } from "../fixtures/protocol";
import {
  SLASH_CALLER_BPS,
  TrainerStatus,
  commitmentOf,
  createJob,
  makeAccounts,
  maskOf,
  multiaddrOf,
  peerIdOf,
  saltOf,
  trainingFixture,
  type Token,
} from "../fixtures/training";

const TRAINERS = 6;
// Long windows: a run never sends enough transactions (one second each) to cross a boundary by accident.
const WINDOW = 10_000;
const BPS = 10_000n;

async function propertyFixture() {
  const ctx = await trainingFixture();
  const trainers = await makeAccounts("prop-trainer", TRAINERS, [ctx.usdc, ctx.dai], ctx.jobs.address, 10n ** 30n);
  return { ...ctx, trainers };
}

type Phase = "commit" | "reveal" | "attest" | "finalize";
type Action =
  | { kind: "join"; trainer: number; stakeUnits: number }
  | { kind: "act"; trainer: number; tuple: number; badReveal: boolean }
  | { kind: "goto"; phase: Phase }
  | { kind: "wait" }
  | { kind: "finalize" }
  | { kind: "claim"; trainer: number; rounds: number[] }
  | { kind: "slash"; trainer: number }
  | { kind: "leave"; trainer: number }
  | { kind: "withdraw"; trainer: number }
  | { kind: "refund" }
  | { kind: "cancel" };

const trainerArb = fc.integer({ min: 0, max: TRAINERS - 1 });
/** True with probability p%; shrinks towards false (less activity), so counterexamples stay small. */
const percent = (p: number) => fc.integer({ min: 0, max: 99 }).map((n) => n >= 100 - p);

/** Actions that may come at any moment, allowed or not. */
const extraArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("claim" as const),
      trainer: trainerArb,
      rounds: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("slash" as const), trainer: trainerArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("leave" as const), trainer: trainerArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), trainer: trainerArb }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("join" as const), trainer: trainerArb, stakeUnits: fc.integer({ min: 1, max: 5 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("act" as const),
      trainer: trainerArb,
      tuple: fc.integer({ min: 0, max: 5 }),
      badReveal: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "finalize" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "refund" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "wait" as const }) },
);

/** What one trainer does in a round. */
const trainerPlanArb = fc.record({
  join: percent(30),
  stakeUnits: fc.integer({ min: 1, max: 5 }),
  commit: percent(85),
  reveal: percent(90),
  badReveal: percent(5),
  attest: percent(90),
  tuple: fc.integer({ min: 0, max: 5 }),
});

const roundPlanArb = fc.record({
  trainers: fc.array(trainerPlanArb, { minLength: TRAINERS, maxLength: TRAINERS }),
  order: fc.shuffledSubarray([...Array(TRAINERS).keys()], { minLength: TRAINERS, maxLength: TRAINERS }),
  finalizeEarly: fc.boolean(),
  cancel: percent(5),
  extras: fc.array(fc.record({ phase: fc.integer({ min: 0, max: 4 }), action: extraArb }), { maxLength: 4 }),
});

/** A schedule: per round, each trainer's plan with extras spliced in at random phases; then a random tail. */
const singleClaimArb: fc.Arbitrary<Action> = fc.record({
  kind: fc.constant("claim" as const),
  trainer: trainerArb,
  rounds: fc.integer({ min: 0, max: 4 }).map((r) => [r]),
});

const scheduleArb = fc
  .tuple(
    fc.array(roundPlanArb, { minLength: 5, maxLength: 5 }),
    fc.array(fc.oneof({ weight: 3, arbitrary: singleClaimArb }, { weight: 2, arbitrary: extraArb }), { minLength: 5, maxLength: 30 }),
  )
  .map(([rounds, tail]) => {
    const actions: Action[] = [];
    for (const [r, plan] of rounds.entries()) {
      const at = (phase: number) => plan.extras.filter((extra) => extra.phase === phase).map((extra) => extra.action);
      const each = (step: (i: number, p: (typeof plan.trainers)[number]) => Action | undefined) =>
        plan.order.map((i) => step(i, plan.trainers[i]!)).filter((action): action is Action => action !== undefined);
      actions.push(...each((i, p) => (p.join || r === 0 ? { kind: "join", trainer: i, stakeUnits: p.stakeUnits } : undefined)));
      if (r === 0 && plan.cancel) actions.push({ kind: "cancel" });
      actions.push(...at(0), { kind: "goto", phase: "commit" });
      actions.push(...each((i, p) => (p.commit ? { kind: "act", trainer: i, tuple: 0, badReveal: false } : undefined)), ...at(1));
      actions.push({ kind: "goto", phase: "reveal" });
      actions.push(...each((i, p) => (p.reveal ? { kind: "act", trainer: i, tuple: 0, badReveal: p.badReveal } : undefined)), ...at(2));
      actions.push({ kind: "goto", phase: "attest" });
      actions.push(...each((i, p) => (p.attest ? { kind: "act", trainer: i, tuple: p.tuple, badReveal: false } : undefined)), ...at(3));
      if (!plan.finalizeEarly) actions.push({ kind: "goto", phase: "finalize" });
      actions.push({ kind: "finalize" }, ...at(4));
    }
    return [...actions, ...tail];
  });

const configArb = fc.record({
  sameToken: fc.boolean(),
  numRounds: fc.integer({ min: 2, max: 5 }),
  quorumBps: fc.constantFrom(5_001, 6_667, 10_000),
  rewardUnits: fc.integer({ min: 1, max: 1_000 }),
  maxTrainers: fc.integer({ min: 3, max: TRAINERS }),
});

// ---------------------------------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------------------------------

type ModelTrainer = {
  index: number;
  stake: bigint;
  status: number;
  pendingRound: number | undefined;
  commit: { cid: Hex; samples: bigint; salt: Hex } | undefined;
  leftAt: bigint;
};
type ModelRecord = { samples: bigint; stake: bigint; index: number; tupleId: number; included: boolean; claimed: boolean };
type ModelTuple = { cid: Hex; mask: bigint; samples: bigint };
type ModelRound = {
  records: Map<number, ModelRecord>;
  revealedStake: bigint;
  tallies: Map<string, { id: number; stake: bigint }>;
  tupleCount: number;
  winner: { id: number; tuple: ModelTuple } | undefined;
  // Set at finalization.
  succeeded?: boolean;
  reward?: bigint;
  claimedSamples: bigint;
  paid: bigint;
};

class Model {
  trainers = new Map<number, ModelTrainer>();
  rounds: ModelRound[] = [];
  currentRound = 0;
  roundStart: bigint;
  carry = 0n;
  forfeited = 0n;
  cancelled = false;
  trainerCount = 0;

  constructor(
    readonly numRounds: number,
    readonly rewardPerRound: bigint,
    readonly quorumBps: bigint,
    readonly maxTrainers: number,
    readonly sameToken: boolean,
    startTime: bigint,
  ) {
    this.roundStart = startTime;
    this.rounds.push(Model.freshRound());
  }

  static freshRound(): ModelRound {
    return { records: new Map(), revealedStake: 0n, tallies: new Map(), tupleCount: 0, winner: undefined, claimedSamples: 0n, paid: 0n };
  }

  get ended() {
    return this.currentRound >= this.numRounds;
  }
  get over() {
    return this.cancelled || this.ended;
  }
  get round() {
    return this.rounds[this.currentRound]!;
  }
  commitEnd() {
    return this.roundStart + BigInt(WINDOW);
  }
  revealEnd() {
    return this.roundStart + 2n * BigInt(WINDOW);
  }
  attestEnd() {
    return this.roundStart + 3n * BigInt(WINDOW);
  }
  /** Phase at time `t`: "pending" | "commit" | "reveal" | "attest" | "finalize". */
  phase(t: bigint) {
    if (t < this.roundStart) return "pending";
    if (t < this.commitEnd()) return "commit";
    if (t < this.revealEnd()) return "reveal";
    if (t < this.attestEnd()) return "attest";
    return "finalize";
  }
  stakesHeld() {
    let sum = 0n;
    for (const t of this.trainers.values()) if (t.status === TrainerStatus.Active || t.status === TrainerStatus.Left) sum += t.stake;
    return sum;
  }
  unpaidPool() {
    if (this.cancelled) return 0n;
    return this.rewardPerRound * BigInt(this.numRounds - Math.min(this.currentRound, this.numRounds)) + this.carry;
  }
  unclaimedRewards() {
    let sum = 0n;
    for (const round of this.rounds) if (round.succeeded) sum += round.reward! - round.paid;
    return sum;
  }
  /** The honest tuple (all revealers), a dissenting one, and one understating the included samples. */
  tuple(choice: number): ModelTuple {
    const records = [...this.round.records.values()];
    const mask = maskOf(records.map((r) => r.index));
    const samples = records.reduce((sum, r) => sum + r.samples, 0n);
    const count = BigInt(records.length);
    const r = this.currentRound;
    if (choice <= 2) return { cid: cid(`honest:${r}`), mask, samples };
    if (choice <= 4) return { cid: cid(`dissent:${r}`), mask, samples };
    const understated = samples / 2n > count ? samples / 2n : count;
    return { cid: cid(`honest:${r}`), mask, samples: understated };
  }
}

const key = (tuple: ModelTuple) => `${tuple.cid}:${tuple.mask}:${tuple.samples}`;

// ---------------------------------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------------------------------

describe("TrainingJobs properties", function () {
  this.timeout(600_000);

  it("keeps tokens conserved, round payouts within rewards and slashed stakes locked over random schedules", async () => {
    // What the schedules exercised, over all runs: checked at the end so that the property cannot pass vacuously.
    const seen = { succeeded: 0, failed: 0, paidClaims: 0, revertedClaims: 0, slashes: 0, withdrawals: 0, refunds: 0, endedJobs: 0 };
    await fc.assert(
      fc.asyncProperty(configArb, scheduleArb, async (config, actions) => {
        const ctx = await loadFixture(propertyFixture);
        const { jobs, trainers, outsider, sponsor } = ctx;
        const rewardToken: Token = config.sameToken ? ctx.dai : ctx.usdc;
        const stakeToken: Token = ctx.dai;
        const unit = 10n ** BigInt(await rewardToken.read.decimals());
        const rewardPerRound = BigInt(config.rewardUnits) * unit + 7n; // an odd amount, so shares round down
        const minStake = 100n * 10n ** 18n;
        const jobId = await createJob(ctx, {
          rewardToken,
          stakeToken,
          rewardPerRound,
          minStake,
          numRounds: config.numRounds,
          commitWindow: WINDOW,
          revealWindow: WINDOW,
          attestWindow: WINDOW,
          quorumBps: config.quorumBps,
          maxTrainers: config.maxTrainers,
          startsIn: 100,
        });
        const [params] = await jobs.read.getJob([jobId]);
        const model = new Model(
          config.numRounds,
          rewardPerRound,
          BigInt(config.quorumBps),
          config.maxTrainers,
          config.sameToken,
          params.startTime,
        );
        const slashed = new Set<number>();

        let now = 0n;
        /**
         * Runs `action` at exactly `now`, expecting success when `allowed` and a revert with a custom error otherwise
         * (Hardhat mines reverted transactions too, so either way the clock moves to `now`).
         */
        async function attempt(allowed: boolean, action: () => Promise<Hex>, label: string) {
          await time.setNextBlockTimestamp(now);
          if (allowed) return mined(action());
          let failure: unknown;
          try {
            await action();
          } catch (error) {
            failure = error;
          }
          if (failure === undefined) expect.fail(`${label}: the model expected a revert, the call succeeded`);
          const decoded = await decodeRevert(failure);
          expect(decoded.errorName, `${label} reverted with a panic`).to.not.equal("Panic");
          return undefined;
        }

        async function checkInvariants(label: string) {
          const rewardBalance = await rewardToken.read.balanceOf([jobs.address]);
          const stakeBalance = await stakeToken.read.balanceOf([jobs.address]);
          const rewardSide = model.unpaidPool() + model.unclaimedRewards();
          const stakeSide = model.stakesHeld() + model.forfeited;
          if (config.sameToken) {
            expect(rewardBalance, `${label}: balance = stakes + unpaid pool + unclaimed rewards`).to.equal(rewardSide + stakeSide);
          } else {
            expect(rewardBalance, `${label}: reward balance = unpaid pool + unclaimed rewards`).to.equal(rewardSide);
            expect(stakeBalance, `${label}: stake balance = stakes + forfeited`).to.equal(stakeSide);
          }
          for (const [r, round] of model.rounds.entries()) {
            expect(round.paid <= (round.reward ?? 0n), `${label}: paid for round ${r} exceeds its reward`).to.equal(true);
          }
          const [, state] = await jobs.read.getJob([jobId]);
          expect(state.carry, `${label}: carry`).to.equal(model.carry);
          expect(state.unpaidPool, `${label}: unpaid pool`).to.equal(model.unpaidPool());
          expect(state.currentRound, `${label}: round`).to.equal(BigInt(model.currentRound));
        }

        for (const [step, action] of actions.entries()) {
          const label = `step ${step} ${JSON.stringify(action)}`;
          now = BigInt(await time.latest()) + 1n; // the time the next transaction runs at
          const phase = model.over ? "over" : model.phase(now);
          const trainerAccount = "trainer" in action ? trainers[action.trainer]! : undefined;
          const t = "trainer" in action ? model.trainers.get(action.trainer) : undefined;

          switch (action.kind) {
            case "join": {
              const stake = minStake * BigInt(action.stakeUnits);
              const allowed = !model.over && t === undefined && model.trainerCount < model.maxTrainers;
              const receipt = await attempt(
                allowed,
                () =>
                  jobs.write.join([jobId, stake, peerIdOf(trainerAccount!), [multiaddrOf(action.trainer)]], {
                    account: trainerAccount!.address,
                  }),
                label,
              );
              if (receipt) {
                model.trainers.set(action.trainer, {
                  index: model.trainerCount++,
                  stake,
                  status: TrainerStatus.Active,
                  pendingRound: undefined,
                  commit: undefined,
                  leftAt: 0n,
                });
              }
              break;
            }
            case "act": {
              // The natural step of the phase: commit, reveal or attest.
              if (phase === "commit") {
                const allowed = t !== undefined && t.status === TrainerStatus.Active && t.pendingRound === undefined;
                const update = {
                  cid: cid(`update:${model.currentRound}:${action.trainer}`),
                  samples: BigInt(1 + ((action.trainer * 37 + model.currentRound * 11) % 50)) * 100n,
                  salt: saltOf(`${model.currentRound}:${action.trainer}`),
                };
                const commitment = commitmentOf(update.cid, update.samples, update.salt, trainerAccount!.address);
                const receipt = await attempt(
                  allowed,
                  () => jobs.write.commit([jobId, BigInt(model.currentRound), commitment], { account: trainerAccount!.address }),
                  label,
                );
                if (receipt) {
                  t!.pendingRound = model.currentRound;
                  t!.commit = update;
                }
              } else if (phase === "reveal") {
                const committed = t !== undefined && t.pendingRound === model.currentRound;
                const allowed = committed && !action.badReveal;
                const update = t?.commit ?? { cid: cid("none"), samples: 1n, salt: saltOf("none") };
                const salt = action.badReveal ? saltOf("wrong") : update.salt;
                const receipt = await attempt(
                  allowed,
                  () =>
                    jobs.write.reveal([jobId, BigInt(model.currentRound), update.cid, update.samples, salt], {
                      account: trainerAccount!.address,
                    }),
                  label,
                );
                if (receipt) {
                  t!.pendingRound = undefined;
                  model.round.records.set(action.trainer, {
                    samples: update.samples,
                    stake: t!.stake,
                    index: t!.index,
                    tupleId: 0,
                    included: false,
                    claimed: false,
                  });
                  model.round.revealedStake += t!.stake;
                }
              } else if (phase === "attest") {
                const record = model.round.records.get(action.trainer);
                const allowed = record !== undefined && record.tupleId === 0;
                const tuple = record ? model.tuple(action.tuple) : { cid: cid("x"), mask: 1n, samples: 1n };
                const receipt = await attempt(
                  allowed,
                  () =>
                    jobs.write.attest([jobId, BigInt(model.currentRound), tuple.cid, tuple.mask, tuple.samples], {
                      account: trainerAccount!.address,
                    }),
                  label,
                );
                if (receipt) {
                  const round = model.round;
                  let tally = round.tallies.get(key(tuple));
                  if (!tally) {
                    tally = { id: ++round.tupleCount, stake: 0n };
                    round.tallies.set(key(tuple), tally);
                  }
                  tally.stake += record!.stake;
                  record!.tupleId = tally.id;
                  record!.included = ((tuple.mask >> BigInt(record!.index)) & 1n) === 1n;
                  const reached = !round.winner && tally.stake * BPS >= round.revealedStake * model.quorumBps;
                  if (reached) round.winner = { id: tally.id, tuple };
                  const [event] = eventsOf(receipt, jobs).filter((e) => e.eventName === "Attested");
                  expect([event!.args.tupleId, event!.args.tupleStake, event!.args.quorumReached], label).to.deep.equal([
                    BigInt(tally.id),
                    tally.stake,
                    reached,
                  ]);
                }
              } else {
                // Outside the round phases every round call reverts.
                await attempt(
                  false,
                  () => jobs.write.commit([jobId, BigInt(model.currentRound), saltOf("x")], { account: trainerAccount!.address }),
                  label,
                );
              }
              break;
            }
            case "goto": {
              // Into the given phase of the current round, unless the clock is already there or past it.
              if (model.over) break;
              const opensAt = {
                commit: model.roundStart,
                reveal: model.commitEnd(),
                attest: model.revealEnd(),
                finalize: model.attestEnd(),
              }[action.phase];
              if (now < opensAt) await time.increaseTo(opensAt + 10n);
              break;
            }
            case "wait": {
              await time.increaseTo(now + 3n * BigInt(WINDOW)); // lets cooldowns pass
              break;
            }
            case "finalize": {
              const round = model.round;
              const allAttested = [...round.records.values()].every((r) => r.tupleId !== 0);
              const allowed = !model.over && (now >= model.attestEnd() || (now >= model.revealEnd() && allAttested));
              const receipt = await attempt(
                allowed,
                () => jobs.write.finalize([jobId, BigInt(model.currentRound)], { account: outsider.address }),
                label,
              );
              if (receipt) {
                const reward = model.rewardPerRound + model.carry;
                round.succeeded = round.winner !== undefined;
                if (round.succeeded) {
                  round.reward = reward;
                  model.carry = 0n;
                  seen.succeeded++;
                } else {
                  model.carry = reward;
                  seen.failed++;
                }
                const [event] = eventsOf(receipt, jobs).filter((e) => e.eventName === "RoundFinalized");
                expect(event!.args.succeeded, label).to.equal(round.succeeded);
                expect(event!.args.reward, label).to.equal(reward);
                if (round.winner) expect(event!.args.aggregateCid, label).to.equal(round.winner.tuple.cid);
                model.currentRound += 1;
                model.roundStart = now;
                model.rounds.push(Model.freshRound());
              }
              break;
            }
            case "claim": {
              const rounds = action.rounds.filter((r) => r < model.numRounds);
              if (rounds.length === 0) break;
              // Replay the contract's checks on a copy: the whole call reverts if one round fails.
              let allowed = true;
              const claimed = new Set<number>();
              const pay: { round: number; amount: bigint; samples: bigint }[] = [];
              const addedSamples = new Map<number, bigint>();
              for (const r of rounds) {
                const round = model.rounds[r];
                const record = round?.records.get(action.trainer);
                const ok =
                  r < model.currentRound &&
                  round!.succeeded === true &&
                  record !== undefined &&
                  record.tupleId === round!.winner!.id &&
                  record.included &&
                  !record.claimed &&
                  !claimed.has(r) &&
                  round!.claimedSamples + (addedSamples.get(r) ?? 0n) + record.samples <= round!.winner!.tuple.samples;
                if (!ok) {
                  allowed = false;
                  break;
                }
                claimed.add(r);
                addedSamples.set(r, (addedSamples.get(r) ?? 0n) + record!.samples);
                pay.push({ round: r, amount: (round!.reward! * record!.samples) / round!.winner!.tuple.samples, samples: record!.samples });
              }
              const before = await rewardToken.read.balanceOf([trainerAccount!.address]);
              const receipt = await attempt(
                allowed,
                () => jobs.write.claim([jobId, rounds.map(BigInt)], { account: trainerAccount!.address }),
                label,
              );
              if (receipt) {
                let total = 0n;
                for (const p of pay) {
                  const round = model.rounds[p.round]!;
                  round.records.get(action.trainer)!.claimed = true;
                  round.claimedSamples += p.samples;
                  round.paid += p.amount;
                  total += p.amount;
                }
                expect((await rewardToken.read.balanceOf([trainerAccount!.address])) - before, label).to.equal(total);
                seen.paidClaims++;
              } else {
                seen.revertedClaims++;
              }
              break;
            }
            case "slash": {
              const pendingRound = t?.pendingRound;
              const round = pendingRound ?? model.currentRound;
              const allowed = pendingRound !== undefined && (pendingRound < model.currentRound || now >= model.revealEnd());
              const receipt = await attempt(
                allowed,
                () => jobs.write.slash([jobId, BigInt(round), trainerAccount!.address], { account: outsider.address }),
                label,
              );
              if (receipt) {
                const callerShare = (t!.stake * SLASH_CALLER_BPS) / BPS;
                if (model.sameToken) model.carry += t!.stake - callerShare;
                else model.forfeited += t!.stake - callerShare;
                t!.stake = 0n;
                t!.status = TrainerStatus.Slashed;
                t!.pendingRound = undefined;
                slashed.add(action.trainer);
                seen.slashes++;
              }
              break;
            }
            case "leave": {
              const allowed = !model.over && t !== undefined && t.status === TrainerStatus.Active;
              const receipt = await attempt(allowed, () => jobs.write.leave([jobId], { account: trainerAccount!.address }), label);
              if (receipt) {
                t!.status = TrainerStatus.Left;
                t!.leftAt = now;
              }
              break;
            }
            case "withdraw": {
              const held = t !== undefined && (t.status === TrainerStatus.Active || t.status === TrainerStatus.Left);
              const free = model.over || (t?.status === TrainerStatus.Left && now >= t.leftAt + 3n * BigInt(WINDOW));
              const allowed = held && t!.pendingRound === undefined && free;
              if (slashed.has(action.trainer)) expect(allowed, `${label}: the model lets a slashed trainer withdraw`).to.equal(false);
              const receipt = await attempt(allowed, () => jobs.write.withdraw([jobId], { account: trainerAccount!.address }), label);
              if (receipt) {
                t!.stake = 0n;
                t!.status = TrainerStatus.Withdrawn;
                seen.withdrawals++;
              }
              break;
            }
            case "refund": {
              const allowed = model.over && (model.carry > 0n || model.forfeited > 0n);
              const receipt = await attempt(allowed, () => jobs.write.refundRemainder([jobId], { account: outsider.address }), label);
              if (receipt) {
                model.carry = 0n;
                model.forfeited = 0n;
                seen.refunds++;
              }
              break;
            }
            case "cancel": {
              const allowed = !model.cancelled && model.currentRound === 0 && now < model.roundStart;
              const receipt = await attempt(allowed, () => jobs.write.cancelJob([jobId], { account: sponsor.address }), label);
              if (receipt) model.cancelled = true;
              break;
            }
          }
          await checkInvariants(label);
          // A slashed stake can never be withdrawn, whatever happens later.
          for (const i of slashed) {
            const state = await jobs.read.getTrainer([jobId, trainers[i]!.address]);
            expect(state.canWithdraw, `${label}: slashed trainer ${i} withdrawable`).to.equal(false);
            expect(state.stake, `${label}: slashed trainer ${i} stake`).to.equal(0n);
          }
        }
        if (model.ended) seen.endedJobs++;
      }),
      { ...propertyRun("TrainingJobs schedules", { numRuns: 40 }), verbose: 1 },
    );
    console.log(`      schedules exercised: ${JSON.stringify(seen)}`);
    for (const [what, count] of Object.entries(seen)) expect(count, `no run exercised ${what}`).to.be.greaterThan(0);
  });
});
