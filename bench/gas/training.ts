/**
 * Gas of the TrainingJobs calls with 4, 16 and 64 trainers in a job, measured on Hardhat's in-process network with the
 * protocol deployed by the Ignition modules. Keys are `op@trainers`:
 *
 * - `join`: the most expensive join of the job.
 * - `commit`, `reveal`, `attest`: the most expensive call of that kind over the measured rounds (rounds 1-10; round 0
 *   warms up). Every trainer commits, reveals and attests the same tuple, so `attest` is the attestation that reaches
 *   the quorum (it also records the winner); `attestMedian` is a typical one.
 * - `finalize`: the most expensive finalization of a successful round.
 * - `claim`: one round claimed by a trainer that holds no reward token yet; `claim10`: ten rounds in one call, same.
 * - `slash`: slashing a trainer that committed and did not reveal (caller's share sent to a fresh account).
 */
import hre from "hardhat";
import type { TransactionReceipt } from "viem";
import { mined } from "../../test/fixtures/protocol";
import {
  Phase,
  advanceTo,
  commitAll,
  createJob,
  gotoPhase,
  joinAll,
  makeAccounts,
  runHonestRound,
  trainingFixture,
  updatesFor,
  type TrainingContext,
} from "../../test/fixtures/training";

export const TRAINER_COUNTS = [4, 16, 64] as const;
const MEASURED_ROUNDS = 10;

const gas = (receipt: TransactionReceipt) => Number(receipt.gasUsed);
const max = (values: number[]) => Math.max(...values);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measureJob(ctx: TrainingContext, trainers: number): Promise<Record<string, number>> {
  const { jobs, usdc, dai } = ctx;
  const accounts = await makeAccounts(`bench:${trainers}`, trainers, [dai], jobs.address, 10n ** 24n);
  const [slasher] = await makeAccounts(`bench-slasher:${trainers}`, 1, [], jobs.address, 0n);
  // Round 0 warms up, rounds 1-10 are measured, round 11 is the slash round.
  const jobId = await createJob(ctx, { numRounds: MEASURED_ROUNDS + 2, maxTrainers: trainers, rewardToken: usdc, stakeToken: dai });
  const joins = await joinAll(ctx, jobId, accounts, 1_000n * 10n ** 18n);

  await runHonestRound(jobs, jobId, accounts);
  const commits: number[] = [];
  const reveals: number[] = [];
  const attests: number[] = [];
  const finalizes: number[] = [];
  for (let r = 0; r < MEASURED_ROUNDS; r++) {
    const round = await runHonestRound(jobs, jobId, accounts);
    commits.push(...round.commits.map(gas));
    reveals.push(...round.reveals.map(gas));
    attests.push(...round.attests.map(gas));
    finalizes.push(gas(round.finalize));
  }

  // Slash: the last trainer commits in round 11 and does not reveal.
  const slashRound = (await jobs.read.getRound([jobId])).round;
  await gotoPhase(jobs, jobId, Phase.Commit);
  await commitAll(jobs, jobId, slashRound, updatesFor(accounts.slice(-1), jobId, slashRound));
  await advanceTo((await jobs.read.getRound([jobId])).revealEnd);
  const victim = accounts[accounts.length - 1]!.address;
  const slash = await mined(jobs.write.slash([jobId, slashRound, victim], { account: slasher!.address }));

  // Claims by trainers that hold no reward token yet (the token transfer creates their balance).
  const claim = await mined(jobs.write.claim([jobId, [1n]], { account: accounts[0]!.address }));
  const rounds10 = Array.from({ length: MEASURED_ROUNDS }, (_, i) => BigInt(i + 1));
  const claim10 = await mined(jobs.write.claim([jobId, rounds10], { account: accounts[1]!.address }));

  const key = (op: string) => `${op}@${trainers}`;
  return {
    [key("join")]: max(joins.map(gas)),
    [key("commit")]: max(commits),
    [key("reveal")]: max(reveals),
    [key("attest")]: max(attests),
    [key("attestMedian")]: median(attests),
    [key("finalize")]: max(finalizes),
    [key("claim")]: gas(claim),
    [key("claim10")]: gas(claim10),
    [key("slash")]: gas(slash),
  };
}

/** Measures every operation for 4, 16 and 64 trainers; returns a flat `{ "finalize@64": gas, ... }` object. */
export async function measureTrainingGas(): Promise<Record<string, number>> {
  const ctx = await trainingFixture();
  const results: Record<string, number> = {};
  for (const trainers of TRAINER_COUNTS) Object.assign(results, await measureJob(ctx, trainers));
  return results;
}
