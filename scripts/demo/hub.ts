/**
 * One whole Mycelium hub on this machine, played from start to end: the orchestration behind `npm run demo` and the
 * end-to-end test (test/e2e), parameterized by the size of the run.
 *
 * 1. A local chain (startDevnet: Hardhat's JSON-RPC server on 127.0.0.1, a free port, the protocol deployed with
 *    Ignition), the indexer (`ponder start` on PGlite in the run's temporary directory), and Helia storage nodes on
 *    loopback for the publisher, the consumer, the sponsor and an observer.
 * 2. The publisher publishes the dataset (tensor shards on IPFS, a manifest, the asset NFT with a datatoken and a
 *    fixed-price listing, one transaction). The consumer buys access with one permit signature and one transaction,
 *    then downloads the dataset, every block verified.
 * 3. The sponsor publishes the base model (seeded initial weights of a dense classifier) with the dataset as its
 *    parent, builds the job spec from the two assets and creates the training job with its reward pool.
 * 4. Trainer processes (the shipped trainer, and adversaries built from its hooks in ./adversary.ts) join with a
 *    stake and play every round on their own: train, commit, reveal, aggregate, attest, finalize, claim.
 * 5. Meanwhile the observer follows the chain: it copies each round's updates and attested aggregates from the
 *    trainers' nodes while the round runs (the trainers leave once the job is over), then scores each finalized
 *    round's model on the test split and recomputes it independently from the revealed updates (./verify.ts).
 * 6. The final model is published as a model asset (publishResult), the rewards are read from the chain, the token
 *    transfers and the indexer, and the indexer is asked about the job over GraphQL.
 *
 * Every process and node is released at the end, on failure and on abort (Ctrl-C) too (./processes.ts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  abortable,
  assetRegistryAbi,
  buyAccess,
  createIndexerClient,
  createJob,
  createMyceliumClient,
  createStorageNode,
  decodeMultiaddrs,
  decodePeerId,
  faucet,
  formatAmount,
  getJob,
  getRoundResult,
  getTrainerEarnings,
  loadManifest,
  loadTrainingSpec,
  MODEL_JSON,
  MODEL_WEIGHTS,
  prepareJobSpec,
  publish,
  publishResult,
  publishTensorDataset,
  queryIndexer,
  readToken,
  saveManifestContent,
  serializeModel,
  trainingJobsAbi,
  waitForIndexed,
  BaseError,
  type DatasetManifest,
  type IndexerClient,
  type MyceliumClient,
  type StorageNode,
  type TokenDescription,
  type TrainingSpec,
} from "@mycelium/client";
import { denseClassifierTopology, evaluateModel, initializeModel, selectBackend, toModelArtifacts } from "@mycelium/trainer";
import { parseUnits, type Account, type Address, type Hash } from "viem";
import { getBlock, getContractEvents } from "viem/actions";
import { startIndexer, tail } from "../../indexer/lib/ponderProcess.ts";
import { devnetAccount, devnetPrivateKey } from "../devnet/accounts.ts";
import { startDevnet, type Devnet } from "../devnet/startDevnet.ts";
import { loadDataset, type DatasetSource } from "./data.ts";
import { percent } from "./format.ts";
import type { HubLog } from "./log.ts";
import { describeExit, Teardown, type ManagedProcess } from "./processes.ts";
import { ADVERSARIES, launchTrainer, type AdversaryKind } from "./trainers.ts";
import { expectedRewards, mirrorRound, recomputeRound, rewardsReceived, type RoundRecomputation } from "./verify.ts";

export type HubParameters = {
  data: DatasetSource;
  /** Samples per dataset shard (a trainer fetches whole shards). */
  samplesPerShard: number;
  /** Honest trainers (the shipped trainer) and adversaries (built from its hooks), in that order of joining. */
  trainers: { honest: number; adversaries: readonly AdversaryKind[] };
  rounds: number;
  /** Training shards assigned to each trainer per round. */
  shardsPerTrainer: number;
  model: { hidden: readonly number[]; seed: number };
  training: { epochs: number; batchSize: number; learningRate: number };
  /** Round windows in seconds: commit (training included), reveal, attest. */
  windows: { commit: number; reveal: number; attest: number };
  /** Seconds from the job's creation to round 0: the trainers start, fetch their data and join meanwhile. */
  startDelay: number;
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
  /** Fails the run when the job has not ended this long after round 0 started (default: twice the planned time). */
  jobTimeoutMs?: number | undefined;
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

export type TrainerRole = "honest" | AdversaryKind;

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
  /** The global model after the round, scored on the test split. */
  accuracy: number;
  loss: number;
  /** Seconds from the start of the run to the round's finalization. */
  finalizedAt: number;
  /** The observer's own aggregation of the revealed updates (without the model's weights, which stay on IPFS). */
  recomputed: Omit<RoundRecomputation, "model">;
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

export type HubRun = {
  durationMs: number;
  /** Seconds from the start of the run to each milestone. */
  milestones: Record<string, number>;
  chain: { rpcUrl: string; chainId: number; contracts: Record<string, Address> };
  indexerUrl: string;
  token: TokenDescription;
  dataset: {
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
  purchase: { consumer: Address; total: bigint; validUntil: bigint; hash: Hash; signedPermit: boolean; downloadedFiles: number; downloadedBytes: number };
  baseModel: { assetId: bigint; manifestCid: string; parameters: number; accuracy: number; loss: number };
  job: {
    id: bigint;
    specCid: string;
    rewardPool: bigint;
    rewardPerRound: bigint;
    minStake: bigint;
    numRounds: number;
    windows: HubParameters["windows"];
    maxSamples: number;
    quorumBps: number;
    aggregation: TrainingSpec["aggregation"];
  };
  trainers: HubTrainer[];
  rounds: HubRound[];
  rewards: HubReward[];
  result: { assetId: bigint; manifestCid: string; parents: bigint[]; lineage: { datasets: string[]; baseModel: string | null; job: string | null } };
  graphql: { query: string; variables: Record<string, unknown>; answer: unknown };
};

/** The run stopped: a process failed, the job stalled, or a step failed. */
export class HubError extends BaseError {
  override name = "HubError";
}

/** Hardhat accounts of the parties (0 deployed the protocol). */
const ACCOUNTS = { publisher: 1, consumer: 2, sponsor: 3, firstTrainer: 4 } as const;
const HONEST_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
const ADVERSARY_NAMES = ["mallory", "trudy", "oscar"];

/** Plays a whole hub run (see the file comment) and returns what happened. Releases everything it started. */
export async function runHub(parameters: HubParameters): Promise<HubRun> {
  const teardown = new Teardown();
  let outcome: { ok: true; run: HubRun } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, run: await play(parameters, teardown) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  parameters.log.step("hub", "stopping every process and node");
  const leftovers = await teardown.close({ onStep: (label) => parameters.log.output("hub", `stopping ${label}`) });
  if (!outcome.ok) throw outcome.error;
  if (leftovers.length > 0) throw new HubError("The run finished but not everything stopped.", { details: leftovers.join("\n") });
  return outcome.run;
}

async function play(parameters: HubParameters, teardown: Teardown): Promise<HubRun> {
  const { log, signal } = parameters;
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) / 100) / 10;
  const milestones: Record<string, number> = {};
  const milestone = (name: string) => (milestones[name] = elapsed());
  const step = <T>(promise: Promise<T>, what: string) => abortable(promise, signal, what);

  const workDir = parameters.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "mycelium-hub-"));
  fs.mkdirSync(workDir, { recursive: true });
  if (!parameters.keepWorkDir) teardown.add("the working directory", () => fs.rmSync(workDir, { recursive: true, force: true }));
  log.step("hub", `working directory ${workDir}`);

  // 1. Chain, dataset files and indexer. The devnet compiles the contracts on a fresh clone (about 30 s), so the
  // dataset is read and sharded meanwhile.
  const deploymentFile = path.join(workDir, "deployment.json");
  const devnetStarting = startDevnet({ port: 0, deploymentFile, allowBlocksWithSameTimestamp: true, signal, onLog: (line) => log.output("chain", line) }).then((devnet) => {
    teardown.add("the chain", () => devnet.stop());
    return devnet;
  });
  const preparing = loadDataset(parameters.data);
  const [devnetOutcome, datasetOutcome] = await Promise.allSettled([devnetStarting, preparing]);
  if (devnetOutcome.status === "rejected") throw devnetOutcome.reason;
  if (datasetOutcome.status === "rejected") throw datasetOutcome.reason;
  const devnet = devnetOutcome.value;
  const dataset = datasetOutcome.value;
  milestone("chain");
  log.step("chain", `devnet at ${devnet.rpcUrl} (chain ${devnet.chainId}), protocol deployed with Ignition: ${Object.keys(devnet.deployment.contracts).join(", ")}`);
  log.step("data", `${dataset.name} from ${dataset.origin}: ${dataset.train.count.toLocaleString("en")} training and ${dataset.test.count.toLocaleString("en")} test samples`);

  const indexerStarting = startIndexer({
    deploymentFile,
    schema: "mycelium_demo",
    dataDir: path.join(workDir, "indexer"),
    signal,
    onLog: (line) => log.output("indexer", line.msg),
  });
  // Registered now, so a run that fails or is interrupted while Ponder starts still stops it. A failure to start
  // shows where the indexer is awaited; until then it must not count as unhandled.
  indexerStarting.catch(() => undefined);
  teardown.add("the indexer", async () => (await indexerStarting.catch(() => null))?.stop());

  // 2. Storage nodes, one per party, on loopback.
  const node = async (name: string, peers: readonly StorageNode[]) => {
    const created = await createStorageNode({ dataDir: path.join(workDir, "ipfs", name), network: "loopback", peers: peers.flatMap((peer) => peer.multiaddrs), signal });
    teardown.add(`the ${name}'s IPFS node`, () => created.stop());
    return created;
  };
  const publisherNode = await step(node("publisher", []), "Starting the publisher's IPFS node");
  const sponsorNode = await step(node("sponsor", [publisherNode]), "Starting the sponsor's IPFS node");
  const consumerNode = await step(node("consumer", [publisherNode]), "Starting the consumer's IPFS node");
  const observerNode = await step(node("observer", [publisherNode, sponsorNode]), "Starting the observer's IPFS node");
  log.step("ipfs", `Helia nodes on loopback: publisher, consumer, sponsor, observer (publisher at ${publisherNode.multiaddrs[0]})`);

  const clientFor = (account: Account) => createMyceliumClient({ rpcUrl: devnet.rpcUrl, deployment: devnet.deployment, account, pollingInterval: 100 });
  const [publisher, consumer, sponsor, observer] = await step(
    Promise.all([
      clientFor(devnetAccount(ACCOUNTS.publisher)),
      clientFor(devnetAccount(ACCOUNTS.consumer)),
      clientFor(devnetAccount(ACCOUNTS.sponsor)),
      createMyceliumClient({ rpcUrl: devnet.rpcUrl, deployment: devnet.deployment, pollingInterval: 100 }),
    ]),
    "Connecting to the chain",
  );
  const token = await step(readToken(observer, devnet.deployment.contracts.PaymentToken!.address), "Reading the payment token");
  const units = (amount: string) => parseUnits(amount, token.decimals);
  const money = (amount: bigint) => formatAmount(amount, token);

  // 3. The publisher publishes the dataset with a datatoken and a price; the consumer buys access and downloads it.
  const price = units(parameters.economics.price);
  const datasetAsset = await step(
    publishTensorDataset(publisher, {
      storage: publisherNode,
      splits: { train: dataset.train, test: dataset.test },
      samplesPerShard: parameters.samplesPerShard,
      labelClasses: dataset.labelClasses,
      info: { name: dataset.name, description: dataset.description, license: dataset.license },
      listing: { price },
      signal,
    }),
    "Publishing the dataset",
  );
  const splits = (datasetAsset.manifest as DatasetManifest).splits;
  const shards = { train: splits.train.length, test: splits.test.length };
  milestone("dataset published");
  log.step(
    "publisher",
    `published dataset asset ${datasetAsset.assetId} "${dataset.name}" (${dataset.license}): ${shards.train} training and ${shards.test} test shards of up to ` +
      `${parameters.samplesPerShard} samples, manifest ${datasetAsset.manifestCid}; datatoken ${datasetAsset.datatoken}, listed at ${money(price)} per access`,
  );

  await step(faucet(consumer, { amount: units("100"), signal }), "Funding the consumer");
  const purchase = await step(buyAccess(consumer, { assetId: datasetAsset.assetId, signal }), "Buying access to the dataset");
  const downloadDir = path.join(workDir, "consumer-download");
  const download = await step(saveManifestContent(consumerNode, datasetAsset.manifestCid, downloadDir, { signal }), "Downloading the dataset");
  log.step(
    "consumer",
    `bought access to asset ${datasetAsset.assetId} for ${money(purchase.total)} (price + protocol fee) with ${purchase.signedPermit ? "one permit signature and " : ""}one transaction; ` +
      `downloaded ${download.files.length} files (${(download.bytes / 1e6).toFixed(1)} MB) from the publisher, every block verified`,
  );

  // 4. The sponsor publishes the base model (parent: the dataset), builds the spec and creates the job.
  await step(selectBackend({ backend: (parameters.backend ?? "wasm") as never, log: (line) => log.output("observer", line) }), "Starting TF.js");
  const topology = denseClassifierTopology({ inputs: dataset.features, hidden: parameters.model.hidden, classes: dataset.classes });
  const initial = await initializeModel({ topology, seed: parameters.model.seed });
  const modelDir = parameters.baseModelDir ?? path.join(workDir, "base-model");
  writeModelDirectory(modelDir, toModelArtifacts(initial));
  const baseScore = await evaluateModel({ model: initial, data: dataset.test });
  const baseModel = await step(
    publish(sponsor, {
      storage: sponsorNode,
      kind: "model",
      path: modelDir,
      info: {
        name: `${dataset.name} classifier (untrained)`,
        description: `Dense ${[dataset.features, ...parameters.model.hidden, dataset.classes].join("-")} network with seeded initial weights (seed ${parameters.model.seed}).`,
        license: "MIT",
      },
      metrics: { accuracy: baseScore.accuracy, loss: baseScore.loss },
      parents: [datasetAsset.assetId],
      signal,
    }),
    "Publishing the base model",
  );
  const parameterCount = initial.weights.reduce((sum, tensor) => sum + tensor.length, 0);
  log.step(
    "sponsor",
    `published base model asset ${baseModel.assetId} (${parameterCount.toLocaleString("en")} weights, test accuracy ${percent(baseScore.accuracy)}), manifest ${baseModel.manifestCid}`,
  );

  const prepared = await step(
    prepareJobSpec(sponsor, sponsorNode, {
      datasetId: datasetAsset.assetId,
      baseModelId: baseModel.assetId,
      shardsPerTrainer: parameters.shardsPerTrainer,
      local: { unit: "epochs", count: parameters.training.epochs },
      batchSize: parameters.training.batchSize,
      optimizer: { name: "adam", learningRate: parameters.training.learningRate },
      seed: parameters.model.seed,
      signal,
    }),
    "Building the job spec",
  );
  const trainerCount = parameters.trainers.honest + parameters.trainers.adversaries.length;
  const rewardPerRound = units(parameters.economics.rewardPerRound);
  const minStake = units(parameters.economics.minStake);
  await step(faucet(sponsor, { amount: rewardPerRound * BigInt(parameters.rounds), signal }), "Funding the sponsor");
  const chainNow = (await getBlock(observer, { blockTag: "latest" })).timestamp;
  const wallNow = BigInt(Math.floor(Date.now() / 1000));
  const job = await step(
    createJob(sponsor, {
      datasetId: datasetAsset.assetId,
      baseModelId: baseModel.assetId,
      specCid: prepared.specCid,
      rewardPerRound,
      numRounds: parameters.rounds,
      minStake,
      maxSamples: prepared.maxSamples,
      maxTrainers: trainerCount,
      commitWindow: parameters.windows.commit,
      revealWindow: parameters.windows.reveal,
      attestWindow: parameters.windows.attest,
      startTime: (chainNow > wallNow ? chainNow : wallNow) + BigInt(parameters.startDelay),
      signal,
    }),
    "Creating the training job",
  );
  const jobInfo = await step(getJob(observer, { jobId: job.jobId }), "Reading the job");
  milestone("job created");
  log.step(
    "sponsor",
    `created job ${job.jobId}: ${parameters.rounds} rounds x ${money(rewardPerRound)} (pool ${money(job.rewardPool)} deposited), stake >= ${money(minStake)}, ` +
      `windows ${parameters.windows.commit}/${parameters.windows.reveal}/${parameters.windows.attest} s, quorum ${jobInfo.quorumBps / 100}% of the revealed stake, ` +
      `${parameters.shardsPerTrainer} shard(s) per trainer and round; spec ${prepared.specCid}`,
  );

  // 5. The trainers: separate processes, each with its own key, IPFS node and journal.
  const roster = [
    ...Array.from({ length: parameters.trainers.honest }, (_, i) => ({ name: HONEST_NAMES[i] ?? `trainer-${i + 1}`, role: "honest" as TrainerRole })),
    ...parameters.trainers.adversaries.map((kind, i) => ({ name: ADVERSARY_NAMES[i] ?? `adversary-${i + 1}`, role: kind as TrainerRole })),
  ];
  const processes: { name: string; role: TrainerRole; address: Address; process: ManagedProcess; lines: string[] }[] = [];
  for (const [i, member] of roster.entries()) {
    const accountIndex = ACCOUNTS.firstTrainer + i;
    const address = devnetAccount(accountIndex).address;
    await step(faucet(sponsor, { amount: minStake * 2n, to: address, signal }), `Funding ${member.name}`);
    const lines: string[] = [];
    const launched = launchTrainer({
      name: member.name,
      role: member.role,
      privateKey: devnetPrivateKey(accountIndex),
      jobId: job.jobId,
      rpcUrl: devnet.rpcUrl,
      deploymentFile,
      dataDir: path.join(workDir, "trainers", member.name),
      peers: [...publisherNode.multiaddrs, ...sponsorNode.multiaddrs],
      backend: parameters.backend ?? "wasm",
      onLine: (line) => {
        lines.push(line);
        if (lines.length > 200) lines.shift();
        log.output(member.name, line);
      },
    });
    teardown.add(`trainer ${member.name}`, () => launched.stop());
    processes.push({ ...member, address, process: launched, lines });
  }
  log.step(
    "trainers",
    `started ${roster.map((member) => (member.role === "honest" ? member.name : `${member.name} (adversary: ${ADVERSARIES[member.role].description})`)).join(", ")}`,
  );

  const indexerProcess = await step(indexerStarting, "Starting the indexer");
  const indexer = createIndexerClient({ url: indexerProcess.url });
  // The indexer is only asked at the end: a crash must stop the run when it happens, not a minute later.
  let indexerExit: number | string | null | undefined;
  void indexerProcess.exited.then((code) => (indexerExit = code));
  const throwIfIndexerDied = () => {
    if (indexerExit !== undefined) {
      throw new HubError(`The indexer exited during the run (${typeof indexerExit === "string" ? `killed by ${indexerExit}` : `exit code ${indexerExit}`}).`, {
        details: tail(indexerProcess.logs, 20),
      });
    }
  };
  milestone("indexer");
  log.step("indexer", `Ponder on PGlite serving GraphQL at ${indexerProcess.url}/graphql`);

  // 6. Follow the job until its last round is final.
  const spec = await step(loadTrainingSpec(sponsorNode, prepared.specCid, { signal }), "Reading the job spec");
  const trainers = await step(waitForTrainers(observer, job.jobId, processes, trainerCount, parameters, signal), "Waiting for the trainers to join");
  for (const trainer of trainers) {
    const joined = trainers.find((t) => t.address === trainer.address)!;
    log.step(trainer.name, `joined job ${job.jobId} as trainer ${joined.index}${trainer.role === "honest" ? "" : " (adversary)"}`);
  }
  for (const address of await trainerPeers(observer, job.jobId)) {
    await observerNode.dial(address, signal ? { signal } : {}).catch((error: unknown) => log.step("observer", `could not dial ${address}: ${error instanceof BaseError ? error.shortMessage : String(error)}`));
  }
  milestone("trainers joined");

  const plannedMs = (parameters.startDelay + parameters.rounds * (parameters.windows.commit + parameters.windows.reveal + parameters.windows.attest)) * 1000;
  const deadline = Date.now() + (parameters.jobTimeoutMs ?? 2 * plannedMs + 60_000);
  const rounds: HubRound[] = [];
  let previousModel = baseModel.manifestCid.toString();
  for (let round = 0; round < parameters.rounds; round++) {
    const mirrored = new Set<string>();
    const whilePending = () => {
      throwIfIndexerDied();
      return mirrorRound({ storage: observerNode, client: observer, jobId: job.jobId, round, mirrored, signal });
    };
    const result = await step(waitForRoundResult(observer, job.jobId, round, processes, deadline, whilePending, signal), `Waiting for round ${round}`);
    const finalizedAt = elapsed();
    const { model: roundModel, ...recomputed } = await step(
      recomputeRound({ storage: observerNode, client: observer, jobId: job.jobId, round, baseCid: previousModel, rule: spec.aggregation, signal }),
      `Recomputing round ${round}`,
    );
    const included = indicesOf(result.includedMask);
    let score = { accuracy: rounds.at(-1)?.accuracy ?? baseScore.accuracy, loss: rounds.at(-1)?.loss ?? baseScore.loss };
    if (result.status === "succeeded" && result.aggregateCid !== null) {
      score = await evaluateModel({ model: roundModel, data: dataset.test });
      previousModel = result.aggregateCid.toString();
    }
    const excluded = recomputed.verdicts.filter((verdict) => !verdict.included);
    const nameOf = (index: number) => trainers.find((trainer) => trainer.index === index)?.name ?? `#${index}`;
    log.step(
      `round ${round}`,
      result.status === "succeeded"
        ? `model ${result.aggregateCid}: test accuracy ${percent(score.accuracy)}, loss ${score.loss.toFixed(3)}; included ${included.map(nameOf).join(", ")} ` +
            `(${result.includedSamples} samples)${excluded.length > 0 ? `; excluded ${excluded.map((v) => `${nameOf(v.trainerIndex)} (${v.reason})`).join(", ")}` : ""}; ` +
            `reward ${money(result.reward)}`
        : `failed (${result.status}): the model stays, the reward rolls over`,
    );
    rounds.push({
      round,
      status: result.status,
      aggregateCid: result.aggregateCid?.toString() ?? null,
      includedMask: result.includedMask,
      included,
      includedSamples: result.includedSamples,
      reward: result.reward,
      accuracy: score.accuracy,
      loss: score.loss,
      finalizedAt,
      recomputed,
    });
  }
  milestone("rounds done");

  // 7. Trainers claim their rewards and exit; then the result is published and everything is read back.
  await step(waitForTrainersToExit(processes, log, signal), "Waiting for the trainers to finish");
  milestone("trainers done");
  const result = await step(publishResult(sponsor, { jobId: job.jobId, signal }), "Publishing the trained model");
  const [published] = await getContractEvents(observer, {
    address: devnet.deployment.contracts.AssetRegistry!.address,
    abi: assetRegistryAbi,
    eventName: "AssetPublished",
    args: { assetId: result.modelAssetId },
    fromBlock: 0n,
  });
  if (published === undefined) throw new HubError(`No AssetPublished event for the model asset ${result.modelAssetId}.`);
  const resultManifest = await step(loadManifest(observerNode, result.modelCid, { kind: "model", signal }), "Reading the model manifest");
  log.step(
    "sponsor",
    `published the trained model as asset ${result.modelAssetId} (manifest ${result.modelCid}), lineage: dataset asset ${datasetAsset.assetId} and base model asset ${baseModel.assetId}`,
  );

  throwIfIndexerDied();
  await step(waitForIndexed(indexer, { hash: result.hash, timeoutMs: 60_000, signal }), "Waiting for the indexer");
  milestone("indexed");
  const expected = expectedRewards(rounds, await revealedSamples(observer, job.jobId));
  const rewards: HubReward[] = [];
  for (const trainer of trainers) {
    const claims = await getContractEvents(observer, {
      address: devnet.deployment.contracts.TrainingJobs!.address,
      abi: trainingJobsAbi,
      eventName: "RewardClaimed",
      args: { jobId: job.jobId, trainer: trainer.address },
      fromBlock: 0n,
    });
    const received = await rewardsReceived(observer, { token: token.address!, from: devnet.deployment.contracts.TrainingJobs!.address, to: trainer.address, claimHashes: claims.map((claim) => claim.transactionHash) });
    const earnings = await getTrainerEarnings(indexer, { account: trainer.address, signal });
    rewards.push({
      name: trainer.name,
      role: trainer.role,
      address: trainer.address,
      expected: expected.get(trainer.index) ?? 0n,
      claimed: claims.reduce((sum, claim) => sum + claim.args.amount!, 0n),
      received,
      indexed: earnings.jobs.find((entry) => entry.jobId === job.jobId)?.rewardClaimed ?? 0n,
      indexedEarnings: earnings.earnings.find((entry) => entry.token.toLowerCase() === token.address!.toLowerCase())?.trainingRewards ?? 0n,
    });
  }
  for (const reward of rewards) {
    log.step(reward.name, `claimed ${money(reward.claimed)} (received ${money(reward.received)}; indexer says ${money(reward.indexed)})`);
  }

  const graphql = { query: JOB_QUERY, variables: { id: job.jobId.toString() } };
  const answer = await step(queryIndexer(indexer, graphql.query, graphql.variables, { signal }), "Querying the indexer");

  const run: HubRun = {
    durationMs: Math.round(performance.now() - started),
    milestones,
    chain: {
      rpcUrl: devnet.rpcUrl,
      chainId: devnet.chainId,
      contracts: Object.fromEntries(Object.entries(devnet.deployment.contracts).map(([name, contract]) => [name, contract.address as Address])),
    },
    indexerUrl: indexerProcess.url,
    token,
    dataset: {
      assetId: datasetAsset.assetId,
      manifestCid: datasetAsset.manifestCid.toString(),
      datatoken: datasetAsset.datatoken!,
      price,
      name: dataset.name,
      origin: dataset.origin,
      license: dataset.license,
      trainSamples: dataset.train.count,
      testSamples: dataset.test.count,
      shards,
    },
    purchase: {
      consumer: purchase.consumer,
      total: purchase.total,
      validUntil: purchase.validUntil,
      hash: purchase.hash,
      signedPermit: purchase.signedPermit,
      downloadedFiles: download.files.length,
      downloadedBytes: download.bytes,
    },
    baseModel: { assetId: baseModel.assetId, manifestCid: baseModel.manifestCid.toString(), parameters: parameterCount, accuracy: baseScore.accuracy, loss: baseScore.loss },
    job: {
      id: job.jobId,
      specCid: prepared.specCid.toString(),
      rewardPool: job.rewardPool,
      rewardPerRound,
      minStake,
      numRounds: parameters.rounds,
      windows: parameters.windows,
      maxSamples: prepared.maxSamples,
      quorumBps: jobInfo.quorumBps,
      aggregation: spec.aggregation,
    },
    trainers,
    rounds,
    rewards,
    result: {
      assetId: result.modelAssetId,
      manifestCid: result.modelCid.toString(),
      parents: [...published.args.parents!],
      lineage: {
        datasets: resultManifest.lineage.datasets.map((cid) => cid.toString()),
        baseModel: resultManifest.lineage.baseModel?.toString() ?? null,
        job: resultManifest.lineage.job === null ? null : resultManifest.lineage.job.id.toString(),
      },
    },
    graphql: { ...graphql, answer },
  };
  if (parameters.inspect) {
    await parameters.inspect({
      devnet,
      indexer,
      client: observer,
      peers: [...publisherNode.multiaddrs, ...sponsorNode.multiaddrs, ...observerNode.multiaddrs],
      workDir,
      run,
    });
  }
  return run;
}

/** The GraphQL query the run asks the indexer about the job (printed in the summary and the report). */
export const JOB_QUERY = `query Job($id: BigInt!) {
  job(id: $id) {
    status numRounds roundsSucceeded roundsFailed rewardPool rewardClaimed currentModelCid
    resultAsset { id kind owner manifestCid parentIds }
    rounds(orderBy: "round") { items { round status includedMask includedSamples reward claimedAmount aggregateCid } }
    trainers(orderBy: "index") { items { index account status samplesRevealed claimCount rewardClaimed } }
  }
}`;

/** Waits until every trainer process has joined the job; fails when one exits first. */
async function waitForTrainers(
  client: MyceliumClient,
  jobId: bigint,
  processes: readonly { name: string; role: TrainerRole; address: Address; process: ManagedProcess; lines: string[] }[],
  count: number,
  parameters: HubParameters,
  signal: AbortSignal | undefined,
): Promise<HubTrainer[]> {
  const deadline = Date.now() + (parameters.startDelay + parameters.windows.commit) * 1000 + 60_000;
  for (;;) {
    throwIfTrainerDied(processes, "before joining");
    const joined = await getContractEvents(client, { address: client.deployment.contracts.TrainingJobs!.address, abi: trainingJobsAbi, eventName: "TrainerJoined", args: { jobId }, fromBlock: 0n });
    if (joined.length >= count) {
      return processes.map((member) => {
        const event = joined.find((entry) => entry.args.trainer!.toLowerCase() === member.address.toLowerCase());
        if (event === undefined) throw new HubError(`${member.name} (${member.address}) did not join job ${jobId}.`);
        return { name: member.name, role: member.role, address: member.address, index: Number(event.args.index) };
      });
    }
    if (Date.now() > deadline) throw new HubError(`Only ${joined.length} of ${count} trainers joined job ${jobId} in time.`, { details: lastLines(processes) });
    await sleep(250, signal);
  }
}

/** The peer info each trainer of the job announced last (TrainerJoined, then PeerInfoUpdated), by lower-case address. */
export async function announcedPeers(client: MyceliumClient, jobId: bigint): Promise<Map<string, { peerId: string; addrs: string[] }>> {
  const address = client.deployment.contracts.TrainingJobs!.address;
  const [joined, updated] = await Promise.all([
    getContractEvents(client, { address, abi: trainingJobsAbi, eventName: "TrainerJoined", args: { jobId }, fromBlock: 0n }),
    getContractEvents(client, { address, abi: trainingJobsAbi, eventName: "PeerInfoUpdated", args: { jobId }, fromBlock: 0n }),
  ]);
  const latest = new Map<string, { peerId: string; addrs: string[] }>();
  for (const event of [...joined, ...updated].sort((a, b) => Number(a.blockNumber - b.blockNumber) || a.logIndex - b.logIndex)) {
    latest.set(event.args.trainer!.toLowerCase(), { peerId: decodePeerId(event.args.peerId!), addrs: decodeMultiaddrs(event.args.addrs!).map(String) });
  }
  return latest;
}

/** Where to dial the trainers' IPFS nodes: the addresses each announced last. */
async function trainerPeers(client: MyceliumClient, jobId: bigint): Promise<string[]> {
  return [...(await announcedPeers(client, jobId)).values()].flatMap((info) => dialableAddresses(info.peerId, info.addrs));
}

/**
 * The libp2p addresses among a peer's announced multiaddrs, each ending in /p2p/<peer id> as a dial needs (an /http
 * one is its gateway, which the node learns once connected).
 */
export function dialableAddresses(peerId: string, addrs: readonly string[]): string[] {
  return addrs.filter((addr) => !addr.includes("/http")).map((addr) => (addr.includes("/p2p/") ? addr : `${addr}/p2p/${peerId}`));
}

/**
 * Waits until `round` is final and returns its result, calling `whilePending` on every poll until then; fails when a
 * trainer exits or the deadline passes.
 */
async function waitForRoundResult(
  client: MyceliumClient,
  jobId: bigint,
  round: number,
  processes: readonly { name: string; process: ManagedProcess; lines: string[] }[],
  deadline: number,
  whilePending: () => Promise<void>,
  signal: AbortSignal | undefined,
) {
  for (;;) {
    const result = await getRoundResult(client, { jobId, round: BigInt(round) });
    if (result.status !== "pending") return result;
    throwIfTrainerDied(processes, `in round ${round}`);
    if (Date.now() > deadline) {
      throw new HubError(`Round ${round} of job ${jobId} was not finalized in time.`, { details: lastLines(processes), hint: "Longer windows may help on a busy machine." });
    }
    await whilePending();
    await sleep(250, signal);
  }
}

/** After the last round: every trainer claims what it earned and exits on its own. */
async function waitForTrainersToExit(
  processes: readonly { name: string; role: TrainerRole; process: ManagedProcess; lines: string[] }[],
  log: HubLog,
  signal: AbortSignal | undefined,
): Promise<void> {
  const timeoutMs = 60_000;
  const exits = await abortable(
    Promise.race([
      Promise.all(processes.map((member) => member.process.exited)),
      sleep(timeoutMs).then(() => null),
    ]),
    signal,
    "Waiting for the trainers to finish",
  );
  if (exits === null) throw new HubError(`Not every trainer exited within ${timeoutMs / 1000} s of the job's end.`, { details: lastLines(processes) });
  for (const [i, member] of processes.entries()) {
    const status = exits[i]!;
    if (status.code !== 0) throw new HubError(`${member.name} ended with ${describeExit(status)}.`, { details: member.lines.slice(-30).join("\n") });
    log.output(member.name, `exited (${describeExit(status)})`);
  }
}

function throwIfTrainerDied(processes: readonly { name: string; process: ManagedProcess; lines: string[] }[], when: string): void {
  for (const member of processes) {
    if (member.process.status !== null) {
      throw new HubError(`Trainer ${member.name} exited ${when} (${describeExit(member.process.status)}).`, { details: `Its last lines:\n${member.lines.slice(-30).join("\n")}` });
    }
  }
}

function lastLines(processes: readonly { name: string; lines: string[] }[]): string {
  return processes.map((member) => `${member.name}:\n${member.lines.slice(-8).map((line) => `  ${line}`).join("\n")}`).join("\n");
}

/** Samples each trainer index revealed, per round (Revealed events). */
async function revealedSamples(client: MyceliumClient, jobId: bigint): Promise<Map<number, Map<number, bigint>>> {
  const reveals = await getContractEvents(client, { address: client.deployment.contracts.TrainingJobs!.address, abi: trainingJobsAbi, eventName: "Revealed", args: { jobId }, fromBlock: 0n });
  const byRound = new Map<number, Map<number, bigint>>();
  for (const reveal of reveals) {
    const round = Number(reveal.args.round);
    if (!byRound.has(round)) byRound.set(round, new Map());
    byRound.get(round)!.set(Number(reveal.args.index), reveal.args.samples!);
  }
  return byRound;
}

function indicesOf(mask: bigint): number[] {
  const indices: number[] = [];
  for (let i = 0; mask >> BigInt(i) > 0n; i++) if ((mask >> BigInt(i)) & 1n) indices.push(i);
  return indices;
}

/** Writes model artifacts as a TF.js layers model directory (model.json and weights.bin), as `myc publish` reads it. */
function writeModelDirectory(directory: string, artifacts: Parameters<typeof serializeModel>[0]): void {
  const { modelJson, weights } = serializeModel(artifacts);
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, MODEL_JSON), modelJson);
  fs.writeFileSync(path.join(directory, MODEL_WEIGHTS), weights);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
