/**
 * Gas of the TrainingJobs calls with 4, 16 and 64 trainers in a job, measured on Hardhat's in-process network with the
 * protocol deployed by the Ignition modules (the job's token is the 6-decimal test token, for rewards and stakes). As
 * in bench/gas/assets.ts, figures are steady state: the accounts already hold the token, unless the key says
 * otherwise. Keys are `op@trainers`:
 *
 * - `join`: the most expensive join of the job (the trainers join before round 0).
 * - `commit`, `reveal`, `attest`: the most expensive call of its kind over ten measured rounds (rounds 1-10; round 0
 *   warms up). Every commit settles the trainer's reveal of the round before (the lazy penalty check: two cold reads).
 *   Every trainer commits, reveals and attests the same tuple: the most expensive attestation is the first one of the
 *   round, which creates the tuple's tally; `attestOther` is the most expensive of the others.
 * - `finalize`: the most expensive finalization of a successful round (the leading tuple checked from calldata).
 * - `claim`: one round; `claim10`: ten rounds in one call; `claimFirst`: one round by a trainer that staked its whole
 *   balance (the transfer creates its balance again).
 * - `slash`: slashing a trainer that committed and never revealed; `settle`: taking a silent revealer's penalty;
 *   `sweep`: moving a round's unclaimed reward into the carry.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { TransactionReceipt } from "viem";
import { mined } from "../../test/fixtures/protocol";
import {
  NO_TUPLE,
  Phase,
  advanceTo,
  commitAll,
  createJob,
  finalizeWith,
  gotoPhase,
  joinAll,
  makeAccounts,
  revealAll,
  runHonestRound,
  trainingFixture,
  updatesFor,
  type TrainingContext,
} from "../../test/fixtures/training";

export const TRAINER_COUNTS = [4, 16, 64] as const;
const MEASURED_ROUNDS = 10;
const STAKE = 1_000n * 10n ** 6n;

const gas = (receipt: TransactionReceipt) => Number(receipt.gasUsed);
const max = (values: number[]) => Math.max(...values);

async function measureJob(ctx: TrainingContext, trainers: number): Promise<Record<string, number>> {
  const { jobs, usdc } = ctx;
  // Every trainer but the last holds tokens besides its stake; the last one stakes everything it has.
  const accounts = [
    ...(await makeAccounts(`bench:${trainers}`, trainers - 1, [usdc], jobs.address, 10n ** 15n)),
    ...(await makeAccounts(`bench-all-in:${trainers}`, 1, [usdc], jobs.address, STAKE)),
  ];
  const [outsider] = await makeAccounts(`bench-outsider:${trainers}`, 1, [usdc], jobs.address, 10n ** 15n);
  // Round 0 warms up, rounds 1-10 are measured, round 11 is the slash and silence round, round 12 lets round 11 end.
  const jobId = await createJob(ctx, { numRounds: MEASURED_ROUNDS + 4, maxTrainers: trainers, token: usdc });
  const joins = await joinAll(ctx, jobId, accounts, STAKE);

  await runHonestRound(jobs, jobId, accounts);
  const commits: number[] = [];
  const reveals: number[] = [];
  const attests: number[] = [];
  const otherAttests: number[] = [];
  const finalizes: number[] = [];
  for (let r = 0; r < MEASURED_ROUNDS; r++) {
    const round = await runHonestRound(jobs, jobId, accounts);
    commits.push(...round.commits.map(gas));
    reveals.push(...round.reveals.map(gas));
    attests.push(...round.attests.map(gas));
    otherAttests.push(...round.attests.slice(1).map(gas));
    finalizes.push(gas(round.finalize));
  }

  // Round 11: the second trainer commits and never reveals (slashed), the third reveals and stays silent (settled).
  const round11 = (await jobs.read.getRound([jobId])).round;
  await gotoPhase(jobs, jobId, Phase.Commit);
  const updates = updatesFor(accounts.slice(1, 3), jobId, round11);
  await commitAll(jobs, jobId, round11, updates);
  await gotoPhase(jobs, jobId, Phase.Reveal);
  await revealAll(jobs, jobId, round11, updates.slice(1));
  await advanceTo((await jobs.read.getRound([jobId])).attestEnd);
  const slash = await mined(jobs.write.slash([jobId, round11, accounts[1]!.address], { account: outsider!.address }));
  await finalizeWith(jobs, jobId, round11, NO_TUPLE, outsider!);
  const settle = await mined(jobs.write.settle([jobId, accounts[2]!.address], { account: outsider!.address }));

  const claim = await mined(jobs.write.claim([jobId, [1n]], { account: accounts[0]!.address }));
  const rounds10 = Array.from({ length: MEASURED_ROUNDS }, (_, i) => BigInt(i + 1));
  const claim10 = await mined(jobs.write.claim([jobId, rounds10], { account: accounts[2]!.address }));
  const claimFirst = await mined(jobs.write.claim([jobId, [1n]], { account: accounts[trainers - 1]!.address }));
  const sweep = await mined(jobs.write.sweep([jobId, 2n], { account: outsider!.address }));

  const key = (op: string) => `${op}@${trainers}`;
  return {
    [key("join")]: max(joins.map(gas)),
    [key("commit")]: max(commits),
    [key("reveal")]: max(reveals),
    [key("attest")]: max(attests),
    [key("attestOther")]: max(otherAttests),
    [key("finalize")]: max(finalizes),
    [key("claim")]: gas(claim),
    [key("claim10")]: gas(claim10),
    [key("claimFirst")]: gas(claimFirst),
    [key("slash")]: gas(slash),
    [key("settle")]: gas(settle),
    [key("sweep")]: gas(sweep),
  };
}

/** Measures every TrainingJobs operation for 4, 16 and 64 trainers: a flat `{ "finalize@64": gas, ... }` object. */
export async function measureTrainingGas(_hre: HardhatRuntimeEnvironment): Promise<Record<string, number>> {
  const ctx = await trainingFixture();
  // Warm-up: the contract already holds the token (a job was created and joined before), as on a live deployment.
  const warmUpJob = await createJob(ctx, { token: ctx.usdc });
  await joinAll(ctx, warmUpJob, await makeAccounts("bench-warm-up", 1, [ctx.usdc], ctx.jobs.address, 10n ** 15n), STAKE);
  const results: Record<string, number> = {};
  for (const trainers of TRAINER_COUNTS) Object.assign(results, await measureJob(ctx, trainers));
  return results;
}
