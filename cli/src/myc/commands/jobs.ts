/**
 * Training jobs: `myc job create|status|join|leave|withdraw|finalize|slash|cancel|refund|publish` and `myc claim`.
 * Commit, reveal and attest are the trainer process's work (@mycelium/trainer), not commands.
 */
import { readFile } from "node:fs/promises";
import * as dagJson from "@ipld/dag-json";
import type { Command } from "commander";
import type { Address } from "viem";
import {
  cancelJob,
  DEFAULT_PARTICIPATION_BPS,
  DEFAULT_WEIGHT_CAP,
  evictTrainer,
  settleTrainer,
  sweepRound,
  type CidLike,
  claimRewards,
  contractAddress,
  createJob,
  DEFAULT_QUORUM_BPS,
  DEFAULT_START_DELAY_SECONDS,
  finalizeRound,
  getCurrentModel,
  getJob,
  getPhase,
  getTrainer,
  InvalidArgumentError,
  joinJob,
  leaveJob,
  type MyceliumClient,
  prepareJobSpec,
  type PrepareJobSpecParameters,
  publishResult,
  readToken,
  refundRemainder,
  slashTrainer,
  storeTrainingSpec,
  type TrainingSpec,
  type TransactionOptions,
  validateTrainingSpec,
  withdrawStake,
  formatAmount,
} from "@mycelium/client";
import type { CliContext } from "../../kit/context.ts";
import type { Run } from "../main.ts";
import { parseAddress, parseAmount, parseBps, parseChoice, parseCount, parseDuration, parseId } from "../../kit/parse.ts";
import { dataDirOf, openLocalStorage, startNode, withStorageOptions, type StorageCommandOptions } from "../../kit/storage.ts";

type CreateOptions = StorageCommandOptions & {
  dataset: string;
  baseModel: string;
  spec?: string;
  specFile?: string;
  batchSize?: string;
  optimizer?: string;
  learningRate?: string;
  epochs?: string;
  steps?: string;
  trainSeconds?: string;
  maxSteps?: string;
  shardsPerTrainer?: string;
  validationSplit?: string;
  validationShard?: string;
  seed?: string;
  rewardPerRound: string;
  rounds: string;
  minStake: string;
  maxSamples?: string;
  maxTrainers: string;
  token?: string;
  commitWindow: string;
  revealWindow: string;
  attestWindow: string;
  claimPeriod?: string;
  quorum: string;
  participation: string;
  weightCap: string;
  auditsPerRound?: string;
  startIn?: string;
};

export function register(program: Command, run: Run): void {
  const job = program.command("job").description("training jobs: create one, follow it, take part, settle it");

  withStorageOptions(
    job
      .command("create")
      .description(
        "create a training job and deposit its reward pool (you are its sponsor); builds its spec from the assets unless given one",
      )
      .requiredOption("--dataset <id>", "dataset asset to train on")
      .requiredOption("--base-model <id>", "model asset to start from (its architecture goes into the spec)")
      .option("--spec <cid>", "use this job spec (already on IPFS) instead of building one")
      .option("--spec-file <file>", "use this dag-json job spec file instead of building one (it is validated and stored)")
      .option("--batch-size <n>", "spec: batch size (default 32)")
      .option("--optimizer <name>", "spec: sgd, momentum or adam (default adam)")
      .option("--learning-rate <rate>", "spec: learning rate (default 0.001 for adam, 0.01 otherwise)")
      .option("--epochs <n>", "spec: passes over the assigned shards per round (default 1)")
      .option("--steps <n>", "spec: optimizer steps per round instead of epochs")
      .option(
        "--train-seconds <n>",
        "spec: seconds of local training per round instead of epochs (fills the commit window on any hardware)",
      )
      .option(
        "--max-steps <n>",
        "spec: with --train-seconds, the most optimizer steps a trainer takes and may declare (size it to what the attest window can replay)",
      )
      .option("--shards-per-trainer <n>", "spec: training shards assigned to each trainer per round (default 1)")
      .option("--validation-split <split>", "spec: split of the shard every trainer evaluates on (default validation, else test)")
      .option("--validation-shard <n>", "spec: index of that shard (default 0)")
      .option("--seed <n>", "spec: seed of initial weights and local shuffling (default 0)")
      .requiredOption("--reward-per-round <amount>", "reward of each round, in the job's tokens (e.g. 10)")
      .requiredOption("--rounds <n>", "number of rounds")
      .requiredOption("--min-stake <amount>", "smallest stake a trainer may join with, in the job's tokens")
      .option("--max-samples <n>", "most samples a trainer may report per round (default: derived from the spec and the dataset)")
      .option("--max-trainers <n>", "largest number of trainers (at most 256)", "16")
      .option("--token <address>", "ERC-20 of the rewards and the stakes (default: the deployment's PaymentToken)")
      .option("--commit-window <duration>", "time to train and commit, per round", "1h")
      .option("--reveal-window <duration>", "time to reveal, per round", "30m")
      .option("--attest-window <duration>", "time to attest the aggregate, per round", "30m")
      .option("--claim-period <duration>", "after the end: time to claim before stakes unlock and rewards are swept (default one round)")
      .option("--quorum <bps>", "share of the attested weight the winning aggregate needs, in basis points", String(DEFAULT_QUORUM_BPS))
      .option(
        "--participation <bps>",
        "share of the revealed weight that must attest for a round to succeed, in basis points",
        String(DEFAULT_PARTICIPATION_BPS),
      )
      .option("--weight-cap <n>", "most quorum weight one trainer brings, in minimum stakes", String(DEFAULT_WEIGHT_CAP))
      .option(
        "--audits-per-round <n>",
        "updates every attester replays per round (default the fewest that make faking work lose money: 2 x reward per round / min stake)",
      )
      .option("--start-in <duration>", `delay before round 0 (default ${DEFAULT_START_DELAY_SECONDS}s)`),
    { network: true },
  ).action(run(async (ctx: CliContext, options: CreateOptions) => create(ctx, options)));

  job
    .command("status <id>")
    .description("a job's state, its current round and phase, its model, and your standing in it")
    .action(run(async (ctx: CliContext, id: string) => status(ctx, parseId(id, "job id"))));

  job
    .command("join <id>")
    .description("join a job as a trainer (the trainer process does this for you; this is for manual setups)")
    .requiredOption("--peer-id <peerId>", "your libp2p peer id")
    .option(
      "--addr <multiaddr>",
      "an address your node listens on (repeatable)",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option("--stake <amount>", "stake in the job's tokens (default: the job's minimum)")
    .action(
      run(async (ctx: CliContext, id: string, options: { peerId: string; addr: string[]; stake?: string }) => {
        const client = await ctx.signer();
        const jobId = parseId(id, "job id");
        const token = await readToken(client, (await getJob(client, { jobId })).token);
        const stake = options.stake === undefined ? undefined : parseAmount(options.stake, token.decimals, "--stake");
        const joined = await ctx.withSpinner("Joining", (tx) =>
          joinJob(client, { jobId, stake, peerId: options.peerId, addrs: options.addr, ...tx }),
        );
        ctx.output.result(joined, [
          `Joined job ${jobId} as trainer ${joined.index} with ${formatAmount(joined.stake, token)} staked.`,
          `  transaction ${joined.hash}`,
        ]);
      }),
    );

  simple(
    job,
    run,
    "leave",
    "stop taking part; the stake stays bonded an unbond round after your last reveal",
    "Leaving",
    leaveJob,
    (r) => `Left job ${r.jobId}; the stake is withdrawable once round ${r.unlockRound} has started (or after the end and claim period).`,
  );
  simple(
    job,
    run,
    "withdraw",
    "take your stake back (after the end and claim period, or after leaving and the unbond round)",
    "Withdrawing",
    withdrawStake,
    (r) =>
      `Withdrew ${r.amount} units of stake from job ${r.jobId}` +
      `${r.penalty > 0n ? ` (your last reveal's penalty of ${r.penalty} units was taken first)` : ""}.`,
  );
  simple(job, run, "finalize", "finalize the current round (anyone, once its attest window is over)", "Finalizing", finalizeRound, (r) =>
    r.succeeded
      ? `Round ${r.round} of job ${r.jobId} succeeded: the model is now ${r.aggregateCid}.`
      : `Round ${r.round} of job ${r.jobId} failed; its reward rolls over.`,
  );
  job
    .command("sweep <id>")
    .description("move a round's unclaimed reward into the carry (anyone, after its claim deadline)")
    .requiredOption("--round <n>", "the round")
    .action(
      run(async (ctx: CliContext, id: string, options: { round: string }) => {
        const client = await ctx.signer();
        const jobId = parseId(id, "job id");
        const swept = await ctx.withSpinner("Sweeping", (tx) =>
          sweepRound(client, { jobId, round: parseId(options.round, "--round"), ...tx }),
        );
        ctx.output.result(swept, [
          `Swept ${swept.amount} unclaimed units of round ${swept.round} of job ${jobId} into the carry.`,
          `  transaction ${swept.hash}`,
        ]);
      }),
    );
  onTrainer(
    job,
    run,
    "settle",
    "take the penalty a trainer's last reveal earned (anyone, once its round is final)",
    "Settling",
    settleTrainer,
    (r) => `Settled ${r.trainer} in job ${r.jobId}: ${r.penalty > 0n ? `${r.penalty} units forfeited (${r.reason})` : "no penalty"}.`,
  );
  onTrainer(
    job,
    run,
    "evict",
    "return an idle trainer's stake and free its index (anyone, after IDLE_ROUNDS rounds without a reveal)",
    "Evicting",
    evictTrainer,
    (r) => `Evicted ${r.trainer} from job ${r.jobId}: ${r.amount} units returned to it, index ${r.index} is free.`,
  );
  simple(
    job,
    run,
    "cancel",
    "cancel a job while no trainer has revealed, and get the unassigned pool back (sponsor only)",
    "Cancelling",
    cancelJob,
    (r) => `Cancelled job ${r.jobId}; refunded ${r.refund} units.`,
  );
  simple(
    job,
    run,
    "refund",
    "after the end, send the sponsor the carry and burn the forfeits nobody won",
    "Refunding",
    refundRemainder,
    (r) => `Refunded ${r.refund} units of job ${r.jobId} to its sponsor; burned ${r.burned} units of forfeited stake.`,
  );
  simple(
    job,
    run,
    "publish",
    "after the end, mint the trained model as a model asset for the sponsor",
    "Publishing the result",
    publishResult,
    (r) =>
      `The model of job ${r.jobId} (round ${r.round}) is asset ${r.modelAssetId} (manifest ${r.modelCid}); ` +
      `create its datatoken with \`myc datatoken ${r.modelAssetId}\` to sell it.`,
  );

  job
    .command("slash <id>")
    .description("slash a trainer that committed and never revealed (anyone, after the attest window; its stake pays the honest trainers)")
    .requiredOption("--round <n>", "the round it did not reveal in")
    .requiredOption("--trainer <address>", "the trainer")
    .action(
      run(async (ctx: CliContext, id: string, options: { round: string; trainer: string }) => {
        const client = await ctx.signer();
        const slashed = await ctx.withSpinner("Slashing", (tx) =>
          slashTrainer(client, {
            jobId: parseId(id, "job id"),
            round: parseId(options.round, "--round"),
            trainer: parseAddress(options.trainer, "--trainer"),
            ...tx,
          }),
        );
        ctx.output.result(slashed, [
          `Slashed ${slashed.trainer} in job ${slashed.jobId}: ${slashed.stake} units to the next successful round's reward.`,
          `  transaction ${slashed.hash}`,
        ]);
      }),
    );

  program
    .command("claim <job>")
    .description("claim your rewards of a training job (every round you may claim, in one transaction)")
    .option("--round <n>", "only these rounds (repeatable)", (value: string, previous: string[]) => [...previous, value], [])
    .action(
      run(async (ctx: CliContext, id: string, options: { round: string[] }) => {
        const client = await ctx.signer();
        const jobId = parseId(id, "job id");
        const token = await readToken(client, (await getJob(client, { jobId })).token);
        const rounds = options.round.length === 0 ? undefined : options.round.map((round) => parseId(round, "--round"));
        const claimed = await ctx.withSpinner("Claiming", (tx) => claimRewards(client, { jobId, rounds, ...tx }));
        ctx.output.result({ ...claimed, symbol: token.symbol, decimals: token.decimals }, [
          `Claimed ${formatAmount(claimed.amount, token)} from job ${jobId} ` +
            `(round${claimed.rounds.length === 1 ? "" : "s"} ${claimed.rounds.map((r) => r.round).join(", ")}).`,
          `  transaction ${claimed.hash}`,
        ]);
      }),
    );
}

/** A job subcommand that takes only the job id and runs one write action. */
function simple<R extends { hash: string }>(
  job: Command,
  run: Run,
  name: string,
  description: string,
  label: string,
  action: (client: MyceliumClient, parameters: { jobId: bigint } & TransactionOptions) => Promise<R>,
  describe: (result: R) => string,
): void {
  job
    .command(`${name} <id>`)
    .description(description)
    .action(
      run(async (ctx: CliContext, id: string) => {
        const client = await ctx.signer();
        const result = await ctx.withSpinner(label, (tx) => action(client, { jobId: parseId(id, "job id"), ...tx }));
        ctx.output.result(result, [describe(result), `  transaction ${result.hash}`]);
      }),
    );
}

/** A job subcommand about one trainer (`--trainer`) that runs one write action. */
function onTrainer<R extends { hash: string }>(
  job: Command,
  run: Run,
  name: string,
  description: string,
  label: string,
  action: (client: MyceliumClient, parameters: { jobId: bigint; trainer: Address } & TransactionOptions) => Promise<R>,
  describe: (result: R) => string,
): void {
  job
    .command(`${name} <id>`)
    .description(description)
    .requiredOption("--trainer <address>", "the trainer")
    .action(
      run(async (ctx: CliContext, id: string, options: { trainer: string }) => {
        const client = await ctx.signer();
        const parameters = { jobId: parseId(id, "job id"), trainer: parseAddress(options.trainer, "--trainer") };
        const result = await ctx.withSpinner(label, (tx) => action(client, { ...parameters, ...tx }));
        ctx.output.result(result, [describe(result), `  transaction ${result.hash}`]);
      }),
    );
}

async function create(ctx: CliContext, options: CreateOptions): Promise<void> {
  if (options.spec !== undefined && options.specFile !== undefined) {
    throw new InvalidArgumentError({ parameter: "--spec", value: options.spec, expected: "either --spec or --spec-file, not both" });
  }
  const datasetId = parseId(options.dataset, "--dataset");
  const baseModelId = parseId(options.baseModel, "--base-model");
  const client = await ctx.signer();
  const tokenAddress: Address = options.token ? parseAddress(options.token, "--token") : contractAddress(client.deployment, "PaymentToken");
  const token = await readToken(client, tokenAddress);
  let maxSamples = options.maxSamples === undefined ? undefined : Number(parseCount(options.maxSamples, "--max-samples"));
  let specCid: CidLike;
  if (options.spec !== undefined) {
    specCid = options.spec;
  } else {
    // The spec goes into this machine's data directory; the manifests and the model it is built from come from there
    // or from peers.
    if (options.specFile !== undefined) {
      const spec = await readSpecFile(options.specFile);
      const storage = await openLocalStorage(dataDirOf(ctx, options));
      try {
        specCid = await storeTrainingSpec(storage, spec, { signal: ctx.signal });
      } finally {
        await storage.close();
      }
    } else {
      const parameters = { datasetId, baseModelId, ...specOptions(options), signal: ctx.signal };
      const node = await startNode(ctx, options, { gateway: false });
      try {
        const prepared = await ctx.withSpinner("Building the job spec from the assets", () => prepareJobSpec(client, node, parameters));
        specCid = prepared.specCid;
        maxSamples ??= prepared.maxSamples;
      } finally {
        await node.stop();
      }
    }
  }
  if (maxSamples === undefined)
    throw new InvalidArgumentError({
      parameter: "--max-samples",
      value: "(missing)",
      expected: "the most samples a trainer may report per round, with --spec or --spec-file",
    });
  const startTime =
    options.startIn === undefined ? undefined : BigInt(Math.floor(Date.now() / 1000)) + parseDuration(options.startIn, "--start-in");
  const created = await ctx.withSpinner("Creating the job", (tx) =>
    createJob(client, {
      datasetId,
      baseModelId,
      specCid,
      token: tokenAddress,
      rewardPerRound: parseAmount(options.rewardPerRound, token.decimals, "--reward-per-round"),
      numRounds: Number(parseCount(options.rounds, "--rounds")),
      minStake: parseAmount(options.minStake, token.decimals, "--min-stake"),
      maxSamples: maxSamples!,
      maxTrainers: Number(parseCount(options.maxTrainers, "--max-trainers")),
      commitWindow: Number(parseDuration(options.commitWindow, "--commit-window")),
      revealWindow: Number(parseDuration(options.revealWindow, "--reveal-window")),
      attestWindow: Number(parseDuration(options.attestWindow, "--attest-window")),
      claimPeriod: options.claimPeriod === undefined ? undefined : Number(parseDuration(options.claimPeriod, "--claim-period")),
      quorumBps: parseBps(options.quorum, "--quorum"),
      participationBps: parseBps(options.participation, "--participation"),
      weightCap: Number(parseCount(options.weightCap, "--weight-cap")),
      auditsPerRound: options.auditsPerRound === undefined ? undefined : Number(parseCount(options.auditsPerRound, "--audits-per-round")),
      startTime,
      ...tx,
    }),
  );
  ctx.output.result({ ...created, maxSamples }, [
    `Created job ${created.jobId}: ${formatAmount(created.rewardPool, token)} deposited; round 0 starts ${date(created.startTime)}.`,
    `  spec ${created.specCid}; at most ${maxSamples} samples per trainer and round`,
    `  follow it with \`myc job status ${created.jobId}\`${options.spec === undefined ? "; keep the spec online with `myc serve`" : ""}`,
    `  transaction ${created.hash}`,
  ]);
}

/** The spec's hyper-parameters from the command line (undefined ones take buildTrainingSpec's defaults). */
function specOptions(options: CreateOptions): Omit<PrepareJobSpecParameters, "datasetId" | "baseModelId" | "signal"> {
  const units = (["epochs", "steps", "trainSeconds"] as const).filter((unit) => options[unit] !== undefined);
  if (units.length > 1) {
    const flags = units.map((unit) => (unit === "trainSeconds" ? "--train-seconds" : `--${unit}`));
    throw new InvalidArgumentError({
      parameter: flags.join(" and "),
      value: units.map((unit) => options[unit]).join(", "),
      expected: "one of --epochs, --steps or --train-seconds, not several",
    });
  }
  const positive = (value: string | undefined, flag: string) => (value === undefined ? undefined : Number(parseCount(value, flag)));
  const learningRate = options.learningRate === undefined ? undefined : Number(options.learningRate);
  if (learningRate !== undefined && !(learningRate > 0 && Number.isFinite(learningRate))) {
    throw new InvalidArgumentError({
      parameter: "--learning-rate",
      value: options.learningRate,
      expected: "a positive number such as 0.001",
    });
  }
  const optimizer =
    options.optimizer === undefined ? undefined : parseChoice(options.optimizer, ["sgd", "momentum", "adam"] as const, "--optimizer");
  if (options.maxSteps !== undefined && options.trainSeconds === undefined) {
    throw new InvalidArgumentError({
      parameter: "--max-steps",
      value: options.maxSteps,
      expected: "to be given with --train-seconds (epochs and steps fix the step count already)",
    });
  }
  const local =
    options.steps !== undefined
      ? { unit: "steps" as const, count: positive(options.steps, "--steps")! }
      : options.trainSeconds !== undefined
        ? {
            unit: "seconds" as const,
            count: positive(options.trainSeconds, "--train-seconds")!,
            ...(options.maxSteps === undefined ? {} : { maxSteps: positive(options.maxSteps, "--max-steps")! }),
          }
        : options.epochs !== undefined
          ? { unit: "epochs" as const, count: positive(options.epochs, "--epochs")! }
          : undefined;
  return {
    batchSize: positive(options.batchSize, "--batch-size"),
    optimizer:
      optimizer === undefined && learningRate === undefined
        ? undefined
        : { name: optimizer ?? "adam", ...(learningRate === undefined ? {} : { learningRate }) },
    local,
    shardsPerTrainer: positive(options.shardsPerTrainer, "--shards-per-trainer"),
    seed: options.seed === undefined ? undefined : Number(parseId(options.seed, "--seed")),
    validation: {
      split: options.validationSplit,
      shard: options.validationShard === undefined ? undefined : Number(parseId(options.validationShard, "--validation-shard")),
    },
  };
}

/** Reads a dag-json spec file (the dataset manifest written as a link, {"/": "<cid>"}) and validates it. */
async function readSpecFile(file: string): Promise<TrainingSpec> {
  let value: unknown;
  try {
    value = dagJson.decode(await readFile(file));
  } catch (cause) {
    throw new InvalidArgumentError({
      parameter: "--spec-file",
      value: file,
      expected: 'a readable dag-json job spec (links written as {"/": "<cid>"})',
      cause,
    });
  }
  return validateTrainingSpec(value);
}

async function status(ctx: CliContext, jobId: bigint): Promise<void> {
  const client = await ctx.client();
  const [job, phase, model] = await Promise.all([
    getJob(client, { jobId }),
    getPhase(client, { jobId }),
    getCurrentModel(client, { jobId }),
  ]);
  const token = await readToken(client, job.token);
  const account = ctx.accountSource ? await ctx.account() : null;
  const trainer = account ? await getTrainer(client, { jobId, trainer: account.address }) : null;
  const timing =
    phase.secondsLeft !== null
      ? `closes in ${duration(phase.secondsLeft)}`
      : phase.phase === "finalize"
        ? "waiting for anyone to finalize"
        : "";
  ctx.output.result({ job, phase, model, you: trainer }, [
    `Job ${job.id} (${job.status}) by ${job.sponsor}: dataset ${job.datasetId}, base model ${job.baseModelId}, ` +
      `${job.trainerCount} trainer(s) of ${job.maxTrainers}`,
    `  round      ${
      phase.phase === "ended"
        ? `all ${job.numRounds} final`
        : `${phase.round} of ${job.numRounds}, phase ${phase.phase}` +
          `${timing ? ` (${timing})` : ""}${phase.finalizable ? ", finalizable" : ""}`
    }`,
    `  rewards    ${formatAmount(job.rewardPerRound, token)} per round (${formatAmount(job.unpaidPool, token)} not yet paid out` +
      `${job.forfeits > 0n ? `, ${formatAmount(job.forfeits, token)} forfeited stake for the next winners` : ""}); ` +
      `stake at least ${formatAmount(job.minStake, token)}, weight capped at ${job.weightCap} minimum stakes`,
    `  quorum     ${job.quorumBps / 100}% of the attested weight, with ${job.participationBps / 100}% of the revealed weight attesting`,
    `  audits     ${job.auditsPerRound} update(s) replayed per round; an update that fails its replay costs its whole stake`,
    `  model      ${model.cid} (${model.round === null ? "the base model" : `from round ${model.round}`})`,
    `  spec       ${job.specCid}`,
    ...(job.resultAssetId !== null ? [`  result     asset ${job.resultAssetId}`] : []),
    ...(trainer
      ? [
          `  you        ${
            trainer.status === "none"
              ? "not a trainer"
              : `trainer ${trainer.index}, ${trainer.status}, ${formatAmount(trainer.stake, token)} staked` +
                `${trainer.firstRound > job.currentRound ? `, plays from round ${trainer.firstRound}` : ""}` +
                `${trainer.evictable ? ", idle (evictable)" : ""}`
          }`,
        ]
      : []),
  ]);
}

function date(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

function duration(seconds: bigint): string {
  const total = Number(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s}s` : `${s}s`;
}
