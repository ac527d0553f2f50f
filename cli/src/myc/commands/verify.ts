/**
 * `myc verify round <job> <round>` and `myc verify job <job>`: anyone's check of a finalized round with the SDK's
 * verifyRound/verifyJob (the same screening and rule the trainers attest with). Prints the report (--json: the whole
 * report) and exits 0 when the chain's tuple is the one the rule gives (or there is nothing to compare yet), 55 when it
 * is not, and 56 when some update could not be fetched here and the tuples differ (nothing proven either way).
 */
import type { Command } from "commander";
import { maskIndices, verifyJob, verifyRound, type RoundVerification, type VerifyProgressEvent } from "@mycelium/client";
import type { CliContext } from "../../kit/context.ts";
import { EXIT_CODES } from "../../kit/exitCodes.ts";
import { parseDuration, parseId } from "../../kit/parse.ts";
import { startNode, withStorageOptions, type StorageCommandOptions } from "../../kit/storage.ts";
import type { Run } from "../main.ts";

type VerifyOptions = StorageCommandOptions & { fetchTimeout: string };

export function register(program: Command, run: Run): void {
  const verify = program
    .command("verify")
    .description("check finalized rounds against the protocol's rule: fetch every update, aggregate, compare with the chain");
  withStorageOptions(
    verify
      .command("round <job> <round>")
      .description("verify one round of a job: exit 0 if the chain's tuple is the rule's, 55 if not, 56 if an update could not be fetched")
      .option("--fetch-timeout <duration>", "how long one update may take to arrive", "60s"),
    { network: true },
  ).action(run(async (ctx: CliContext, job: string, round: string, options: VerifyOptions) => verifyOneRound(ctx, job, round, options)));
  withStorageOptions(
    verify
      .command("job <job>")
      .description("verify every round of a job that has started: exit codes as for `verify round`, the worst round decides")
      .option("--fetch-timeout <duration>", "how long one update may take to arrive", "60s"),
    { network: true },
  ).action(run(async (ctx: CliContext, job: string, options: VerifyOptions) => verifyWholeJob(ctx, job, options)));
}

async function verifyOneRound(ctx: CliContext, job: string, round: string, options: VerifyOptions): Promise<number> {
  const jobId = parseId(job, "job");
  const roundNumber = parseId(round, "round");
  const client = await ctx.client();
  const node = await startNode(ctx, options, { gateway: false });
  try {
    const report = await verifyRound(client, {
      storage: node,
      jobId,
      round: roundNumber,
      fetchTimeoutMs: Number(parseDuration(options.fetchTimeout, "--fetch-timeout")) * 1000,
      signal: ctx.signal,
      onProgress: progress(ctx),
    });
    ctx.output.result(report, describeRound(report));
    return exitCodeFor(report.outcome);
  } finally {
    await node.stop();
  }
}

async function verifyWholeJob(ctx: CliContext, job: string, options: VerifyOptions): Promise<number> {
  const jobId = parseId(job, "job");
  const client = await ctx.client();
  const node = await startNode(ctx, options, { gateway: false });
  try {
    const report = await verifyJob(client, {
      storage: node,
      jobId,
      fetchTimeoutMs: Number(parseDuration(options.fetchTimeout, "--fetch-timeout")) * 1000,
      signal: ctx.signal,
      onProgress: progress(ctx),
    });
    ctx.output.result(report, [
      `Job ${jobId}: ${report.outcome} (${report.rounds.length} round(s) verified)`,
      ...report.rounds.flatMap((entry) => describeRound(entry)),
    ]);
    return exitCodeFor(report.outcome);
  } finally {
    await node.stop();
  }
}

function exitCodeFor(outcome: string): number {
  if (outcome === "disagrees") return EXIT_CODES.VERIFICATION_DISAGREES;
  if (outcome === "inconclusive") return EXIT_CODES.VERIFICATION_INCONCLUSIVE;
  return EXIT_CODES.ok;
}

function progress(ctx: CliContext): (event: VerifyProgressEvent) => void {
  return (event) => {
    if (event.type === "round") ctx.output.note(`round ${event.round}: fetching ${event.reveals} revealed update(s)`);
    else if (event.type === "update" && !event.fetched)
      ctx.output.note(`round ${event.round}: the update of trainer ${event.trainerIndex} could not be fetched: ${event.detail}`);
  };
}

function describeRound(report: RoundVerification): string[] {
  const lines = [`Round ${report.round} of job ${report.jobId} (${report.status}): ${report.outcome}`];
  if (report.onChain !== null) {
    lines.push(
      `  on-chain    ${report.onChain.aggregateCid}  mask [${maskIndices(report.onChain.includedMask).join(", ")}]  ` +
        `${report.onChain.includedSamples} samples  slash [${maskIndices(report.onChain.slashMask).join(", ")}]`,
    );
  }
  lines.push(
    `  recomputed  ${report.recomputed.aggregateCid}  mask [${maskIndices(report.recomputed.includedMask).join(", ")}]  ` +
      `${report.recomputed.includedSamples} samples  slash [${maskIndices(report.recomputed.slashMask).join(", ")}]`,
  );
  for (const update of report.updates) {
    lines.push(
      `  trainer ${update.trainerIndex}  ${update.verdict.padEnd(16)} ` +
        `${update.includedOnChain ? "included on-chain" : "not included on-chain"}  ${update.detail}`,
    );
  }
  for (const audit of report.audits) {
    const late = audit.late ? " (late reveal)" : "";
    lines.push(`  audit of trainer ${audit.trainerIndex}${late}  ${audit.outcome}  ${audit.detail}`);
  }
  for (const reason of report.reasons) lines.push(`  ${reason}`);
  return lines;
}
