/**
 * One whole Mycelium hub on this machine, played from start to end: the orchestration behind `npm run demo` and the
 * end-to-end test (demo/test), parameterized by the size of the run. It is played as typed phases, each in its own
 * file under ./phases/, each handing what it made to the next:
 *
 * 1. infrastructure: a local chain (the devkit's devnet: Hardhat's JSON-RPC server, the protocol deployed with
 *    Ignition), the dataset read, the indexer (`ponder start` on PGlite) starting, Helia storage nodes on loopback for
 *    the publisher, the consumer, the sponsor and an observer.
 * 2. market: the publisher publishes the dataset (tensor shards, a manifest, the asset NFT with a datatoken and a
 *    listing, one transaction); the consumer buys access (one permit signature, one transaction) and downloads it.
 * 3. job: the sponsor publishes the base model, builds the spec, measures this machine (one local training, one
 *    transaction) to size the round windows, and creates the job with its reward pool.
 * 4. trainers: trainer processes (the shipped trainer, and adversaries built from its hooks) start, fetch the job and
 *    join; once every trainer has joined and the indexer serves, the job starts (the devnet's clock is moved to the
 *    job's start time), so a slow start-up never eats into round 0.
 * 5. rounds: the observer copies each round's updates and aggregates while it runs, then verifies the finalized
 *    round with the SDK's `verifyRound` (the trainers' own screening and rule) and scores its model.
 * 6. settlement: the trainers claim and exit; the result is published as a model asset; rewards are read from the
 *    chain, the token transfers and the indexer; the indexer is asked about the job over GraphQL.
 *
 * `runHub` never throws for a failed run: it returns the record as far as the run got, with the phase that failed and
 * why, so the report is always written. Every process and node is released at the end, on failure and on abort
 * (Ctrl-C) too (the devkit's Teardown).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  abortable,
  BaseError,
  type IndexerClient,
  type MyceliumClient,
  type TokenDescription,
  type TrainingSpec,
  type VerificationOutcome,
  type UpdateCheck,
} from "@mycelium/client";
import { Teardown, type Adversary, type Devnet } from "@mycelium/devkit";
import type { Address, Hash } from "viem";
import type { DatasetSource } from "./data.ts";
import type { HubLog } from "./log.ts";
import { startInfrastructure } from "./phases/infrastructure.ts";
import { createTrainingJob } from "./phases/job.ts";
import { sellDataset } from "./phases/market.ts";
import { followRounds } from "./phases/rounds.ts";
import { settle } from "./phases/settlement.ts";
import { startTrainers } from "./phases/trainers.ts";

export type HubParameters = {
  data: DatasetSource;
  /** Samples per dataset shard (a trainer fetches whole shards). */
  samplesPerShard: number;
  /** Honest trainers (the shipped trainer) and adversaries (built from its hooks), in that order of joining. */
  trainers: { honest: number; adversaries: readonly Adversary[] };
  rounds: number;
  /** Training shards assigned to each trainer per round. */
  shardsPerTrainer: number;
  model: { hidden: readonly number[]; seed: number };
  training: { epochs: number; batchSize: number; learningRate: number };
  /**
   * The shortest round windows in seconds: commit (training included), reveal, attest. The windows used are at least
   * these, and longer when this machine is slower (the job phase measures one local training and one transaction).
   */
  windows: { commit: number; reveal: number; attest: number };
  /** Amounts in whole payment tokens (the devnet's 6-decimal mUSD): dataset price, reward per round, minimum stake. */
  economics: { price: string; rewardPerRound: string; minStake: string };
  /** Compute backend of the trainers and the observer (default wasm: deterministic across processes, fast on CPU). */
  backend?: string | undefined;
  /**
   * Where to write the base model as a TF.js layers model directory (model.json, weights.bin), the form `myc publish
   * --kind model` reads; default inside the working directory.
   */
  baseModelDir?: string | undefined;
  /** Where the run keeps its chain data, index and IPFS blocks; default a new temporary directory, removed at the end. */
  workDir?: string | undefined;
  keepWorkDir?: boolean | undefined;
  /**
   * Longest a round may take before the run fails (default: ten times the round's planned length, at least 10
   * minutes). It only bounds a stuck run; rounds end on the chain's events, however long they take.
   */
  roundTimeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  log: HubLog;
  /** Runs after everything is settled and before the teardown, with everything still running (tests check here). */
  inspect?: ((context: HubContext) => Promise<void>) | undefined;
};

/** Everything still running when `inspect` is called. */
export type HubContext = {
  devnet: Devnet;
  indexer: IndexerClient;
  /** Read-only chain client. */
  client: MyceliumClient;
  /** Multiaddrs of the publisher's, sponsor's and observer's nodes (the observer has every round's models). */
  peers: string[];
  workDir: string;
  run: HubRun;
};

export type TrainerRole = "honest" | Adversary;

export type HubTrainer = { name: string; role: TrainerRole; address: Address; index: number };

export type HubRound = {
  round: number;
  status: string;
  /** The round's model (its manifest CID), null when the round failed. */
  aggregateCid: string | null;
  includedMask: bigint;
  /** Trainer indices included in the aggregate. */
  included: number[];
  includedSamples: bigint;
  reward: bigint;
  /** Trainer indices whose updates failed their replay audit (the applied slash mask): their stake is taken. */
  slashed: number[];
  /** The observer's own replays of the round's audited updates. */
  audits: { trainerIndex: number; outcome: string; detail: string }[];
  /** The global model after the round, scored on the test split. */
  accuracy: number;
  loss: number;
  /** Seconds from the start of the run to the round's finalization. */
  finalizedAt: number;
  /** The observer's `verifyRound` of the round. */
  verification: {
    outcome: VerificationOutcome;
    recomputedCid: string;
    includedMask: bigint;
    includedSamples: bigint;
    updates: UpdateCheck[];
    reasons: string[];
  };
};

export type HubReward = {
  name: string;
  role: TrainerRole;
  address: Address;
  /** What the chain's round results entitle it to: reward * samples / includedSamples over its included rounds. */
  expected: bigint;
  /** Sum of its RewardClaimed events. */
  claimed: bigint;
  /** Reward tokens the job contract transferred to it in its claim transactions. */
  received: bigint;
  /** The indexer's count (trainer.rewardClaimed of this job). */
  indexed: bigint;
  /** The indexer's training earnings of the account in the reward token (all jobs). */
  indexedEarnings: bigint;
};

/** The phases, in order; a failed run names the one that failed. */
export const HUB_PHASES = ["infrastructure", "market", "job", "trainers", "rounds", "settlement"] as const;
export type HubPhase = (typeof HUB_PHASES)[number];

export type HubRun = {
  durationMs: number;
  /** Seconds from the start of the run to each milestone. */
  milestones: Record<string, number>;
  /** How each phase went; "not-reached" after a failure. */
  phases: { name: HubPhase; status: "done" | "failed" | "not-reached"; seconds: number }[];
  /** Why the run stopped before its end, or null when it got there. */
  failure: { phase: HubPhase; message: string } | null;
  chain?: { rpcUrl: string; chainId: number; contracts: Record<string, Address> };
  indexerUrl?: string;
  token?: TokenDescription;
  dataset?: {
    assetId: bigint;
    manifestCid: string;
    datatoken: Address;
    price: bigint;
    name: string;
    origin: string;
    license: string;
    trainSamples: number;
    testSamples: number;
    shards: Record<string, number>;
  };
  purchase?: {
    consumer: Address;
    total: bigint;
    validUntil: bigint;
    hash: Hash;
    signedPermit: boolean;
    downloadedFiles: number;
    downloadedBytes: number;
  };
  baseModel?: { assetId: bigint; manifestCid: string; parameters: number; accuracy: number; loss: number };
  job?: {
    id: bigint;
    specCid: string;
    rewardPool: bigint;
    rewardPerRound: bigint;
    minStake: bigint;
    numRounds: number;
    windows: HubParameters["windows"];
    /** What the windows were sized from: one local training and one transaction on this machine, under its load. */
    measured: { trainSeconds: number; transactionSeconds: number; cores: number };
    maxSamples: number;
    quorumBps: number;
    aggregation: TrainingSpec["aggregation"];
  };
  trainers: HubTrainer[];
  rounds: HubRound[];
  rewards: HubReward[];
  result?: {
    assetId: bigint;
    manifestCid: string;
    parents: bigint[];
    lineage: { datasets: string[]; baseModel: string | null; job: string | null };
  };
  /**
   * The job closed out after its claim period: what nobody claimed was swept (rounding dust, shares of excluded
   * trainers), the carry refunded to the sponsor and the forfeits burned; `leftInContract` is the job token the
   * TrainingJobs contract still holds after that and every withdrawal (0: nothing stuck).
   */
  closeOut?: { swept: bigint; refunded: bigint; burned: bigint; leftInContract: bigint };
  graphql?: { query: string; variables: Record<string, unknown>; answer: unknown };
};

/** The run stopped: a process failed, a deadline passed, or a step failed. */
export class HubError extends BaseError {
  override name = "HubError";
  static override readonly code: string = "HUB";
}

/** What every phase works with. */
export type PlayContext = {
  parameters: HubParameters;
  log: HubLog;
  signal: AbortSignal | undefined;
  teardown: Teardown;
  workDir: string;
  /** The run's record, filled in as the phases go. */
  run: HubRun;
  /** Seconds since the run started, to a tenth. */
  elapsed: () => number;
  milestone: (name: string) => void;
  /** Races a step against the abort signal. */
  step: <T>(promise: Promise<T>, what: string) => Promise<T>;
};

/** Plays a whole hub run (see the file comment) and returns its record. Releases everything it started. */
export async function runHub(parameters: HubParameters): Promise<HubRun> {
  const teardown = new Teardown();
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) / 100) / 10;
  const run: HubRun = { durationMs: 0, milestones: {}, phases: [], failure: null, trainers: [], rounds: [], rewards: [] };
  const workDir = parameters.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "mycelium-hub-"));
  fs.mkdirSync(workDir, { recursive: true });
  if (!parameters.keepWorkDir) teardown.add("the working directory", () => fs.rmSync(workDir, { recursive: true, force: true }));
  const context: PlayContext = {
    parameters,
    log: parameters.log,
    signal: parameters.signal,
    teardown,
    workDir,
    run,
    elapsed,
    milestone: (name) => void (run.milestones[name] = elapsed()),
    step: (promise, what) => abortable(promise, parameters.signal, what),
  };
  parameters.log.step("hub", `working directory ${workDir}`);

  let current: HubPhase = "infrastructure";
  const phase = async <T>(name: HubPhase, play: () => Promise<T>): Promise<T> => {
    current = name;
    const phaseStarted = elapsed();
    const result = await play();
    run.phases.push({ name, status: "done", seconds: Math.round((elapsed() - phaseStarted) * 10) / 10 });
    return result;
  };
  try {
    const infrastructure = await phase("infrastructure", () => startInfrastructure(context));
    const market = await phase("market", () => sellDataset(context, infrastructure));
    const job = await phase("job", () => createTrainingJob(context, infrastructure, market));
    const crew = await phase("trainers", () => startTrainers(context, infrastructure, job));
    await phase("rounds", () => followRounds(context, infrastructure, job, crew));
    await phase("settlement", () => settle(context, infrastructure, market, job, crew));
  } catch (error) {
    const message = error instanceof BaseError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    run.failure = { phase: current, message };
    run.phases.push({ name: current, status: "failed", seconds: 0 });
    for (const name of HUB_PHASES.slice(HUB_PHASES.indexOf(current) + 1)) run.phases.push({ name, status: "not-reached", seconds: 0 });
    parameters.log.step("hub", `the ${current} phase failed: ${error instanceof BaseError ? error.shortMessage : String(error)}`);
  }
  parameters.log.step("hub", "stopping every process and node");
  const leftovers = await teardown.close({ onStep: (label) => parameters.log.output("hub", `stopping ${label}`) });
  if (leftovers.length > 0 && run.failure === null)
    run.failure = { phase: "settlement", message: `The run finished but not everything stopped:\n${leftovers.join("\n")}` };
  run.durationMs = Math.round(performance.now() - started);
  return run;
}
