/**
 * Gas of the TrainingJobs calls with 4, 16 and 64 trainers in a job, measured on Hardhat's in-process network with the
 * protocol deployed by the Ignition modules (6-decimal rewards, 18-decimal stakes). As in bench/gas/assets.ts, figures
 * are steady state: the accounts already hold the tokens involved (a returning user), unless the key says otherwise.
 * Keys are `op@trainers`:
 *
 * - `join`: the most expensive join of the job (the trainers join before round 0).
 * - `commit`, `reveal`, `attest`: the most expensive call of its kind over ten measured rounds (rounds 1-10; round 0
 *   warms up). Every trainer commits, reveals and attests the same tuple: the most expensive attestation is the first
 *   one of the round, which creates the tuple's tally. `attestQuorum` is the one that reaches the quorum (it also
 *   records the winner), `attestOther` the most expensive of the others.
 * - `finalize`: the most expensive finalization of a successful round.
 * - `claim`: one round; `claim10`: ten rounds in one call; `claimFirst`: one round by a trainer that holds no reward
 *   token yet (the token transfer creates its balance).
 * - `slash`: slashing a trainer that committed and did not reveal.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { TransactionReceipt } from "viem";
import { eventsOf, mined } from "../../test/fixtures/protocol";
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

async function measureJob(ctx: TrainingContext, trainers: number): Promise<Record<string, number>> {
  const { jobs, usdc, dai } = ctx;
  // Every trainer but the last holds reward tokens already; the last one is the first-time claimant.
  const accounts = [
    ...(await makeAccounts(`bench:${trainers}`, trainers - 1, [usdc, dai], jobs.address, 10n ** 24n)),
    ...(await makeAccounts(`bench-new:${trainers}`, 1, [dai], jobs.address, 10n ** 24n)),
  ];
  const [slasher] = await makeAccounts(`bench-slasher:${trainers}`, 1, [dai], jobs.address, 10n ** 24n);
  // Round 0 warms up, rounds 1-10 are measured, round 11 is the slash round.
  const jobId = await createJob(ctx, { numRounds: MEASURED_ROUNDS + 2, maxTrainers: trainers, rewardToken: usdc, stakeToken: dai });
  const joins = await joinAll(ctx, jobId, accounts, 1_000n * 10n ** 18n);

  await runHonestRound(jobs, jobId, accounts);
  const commits: number[] = [];
  const reveals: number[] = [];
  const attests: number[] = [];
  const quorumAttests: number[] = [];
  const otherAttests: number[] = [];
  const finalizes: number[] = [];
  for (let r = 0; r < MEASURED_ROUNDS; r++) {
    const round = await runHonestRound(jobs, jobId, accounts);
    commits.push(...round.commits.map(gas));
    reveals.push(...round.reveals.map(gas));
    attests.push(...round.attests.map(gas));
    for (const [i, receipt] of round.attests.entries()) {
      const [attested] = eventsOf(receipt, jobs).filter((e) => e.eventName === "Attested");
      if (attested!.args.quorumReached) quorumAttests.push(gas(receipt));
      else if (i > 0) otherAttests.push(gas(receipt));
    }
    finalizes.push(gas(round.finalize));
  }

  // Slash: the second trainer commits in round 11 and does not reveal.
  const slashRound = (await jobs.read.getRound([jobId])).round;
  await gotoPhase(jobs, jobId, Phase.Commit);
  await commitAll(jobs, jobId, slashRound, updatesFor(accounts.slice(1, 2), jobId, slashRound));
  await advanceTo((await jobs.read.getRound([jobId])).revealEnd);
  const slash = await mined(jobs.write.slash([jobId, slashRound, accounts[1]!.address], { account: slasher!.address }));

  const claim = await mined(jobs.write.claim([jobId, [1n]], { account: accounts[0]!.address }));
  const rounds10 = Array.from({ length: MEASURED_ROUNDS }, (_, i) => BigInt(i + 1));
  const claim10 = await mined(jobs.write.claim([jobId, rounds10], { account: accounts[2]!.address }));
  const claimFirst = await mined(jobs.write.claim([jobId, [1n]], { account: accounts[trainers - 1]!.address }));

  const key = (op: string) => `${op}@${trainers}`;
  return {
    [key("join")]: max(joins.map(gas)),
    [key("commit")]: max(commits),
    [key("reveal")]: max(reveals),
    [key("attest")]: max(attests),
    [key("attestQuorum")]: max(quorumAttests),
    [key("attestOther")]: max(otherAttests),
    [key("finalize")]: max(finalizes),
    [key("claim")]: gas(claim),
    [key("claim10")]: gas(claim10),
    [key("claimFirst")]: gas(claimFirst),
    [key("slash")]: gas(slash),
  };
}

/** Measures every TrainingJobs operation for 4, 16 and 64 trainers: a flat `{ "finalize@64": gas, ... }` object. */
export async function measureTrainingGas(_hre: HardhatRuntimeEnvironment): Promise<Record<string, number>> {
  const ctx = await trainingFixture();
  // Warm-up: the contract already holds both tokens (a job was created and joined before), as on a live deployment.
  const warmUpJob = await createJob(ctx, { rewardToken: ctx.usdc, stakeToken: ctx.dai });
  await joinAll(ctx, warmUpJob, await makeAccounts("bench-warm-up", 1, [ctx.dai], ctx.jobs.address, 10n ** 24n), 10n ** 20n);
  const results: Record<string, number> = {};
  for (const trainers of TRAINER_COUNTS) Object.assign(results, await measureJob(ctx, trainers));
  return results;
}
