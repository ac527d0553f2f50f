/**
 * `runTrainer`: the long-running trainer of one job for one account. It joins the job (if it has not), then plays
 * every round on its own until the job ends: train, store the update, commit, reveal, fetch every revealed update,
 * aggregate, attest, finalize, claim; at the end it claims what is left and withdraws its stake. trainer/README.md
 * describes the loop, the journal and the recovery rules.
 */
import type { Account, Address, Hash, Hex } from "viem";
import type { CID } from "multiformats/cid";
import {
  AbortedError,
  BaseError,
  ContractRevertedError,
  InvalidArgumentError,
  TENSOR_SHARDS_FORMAT,
  InvalidDatasetError,
  assignShards,
  attestAggregate,
  claimRewards,
  commitUpdate,
  computeRoundSeed,
  contractAddress,
  createMyceliumClient,
  createStorageNode,
  deriveSeed,
  finalizeRound,
  getClaimableRounds,
  getCurrentModel,
  getJob,
  getRound,
  getRoundResult,
  getTrainer,
  getTrainerRound,
  joinJob,
  loadManifest,
  loadTrainingSpec,
  maskIndices,
  randomSalt,
  revealUpdate,
  throwIfAborted,
  updatePeerInfo,
  withdrawStake,
  type CreateMyceliumClientParameters,
  type DatasetManifest,
  type Deployment,
  type Job,
  type MyceliumWalletClient,
  type Round,
  type StorageNetwork,
  type StorageNode,
  type TensorDataset,
  type TrainingSpec,
} from "@mycelium/client";
import { aggregateUpdates, type AggregationUpdate } from "../aggregate.ts";
import { selectBackend, type BackendName } from "../backend.ts";
import { RevealMissedError, TrainerNotActiveError } from "../errors.ts";
import type { WeightSpec } from "../model.ts";
import { evaluateModel, trainLocally } from "../train.ts";
import { ChainClock } from "./clock.ts";
import { ShardCache, loadGlobalModel, loadUpdateWeights, storeAggregate, storeUpdate, type BlockSources, type GlobalModel } from "./content.ts";
import type { RoundStep, TrainerEvent, TrainerEventBody } from "./events.ts";
import { Journal } from "./journal.ts";
import { findJobCreationBlock, readPeerInfo, readReveals, type Reveal } from "./logs.ts";
import { retrying, sleep, type RetryInfo } from "./retry.ts";
import { TransactionSender } from "./transactions.ts";

/** A trainer's update of a round: weights in the global model's weight order, and the samples it claims. */
export type ProducedUpdate = { weights: Float32Array[]; samples: number };

/** What a hook learns about the update it may transform. */
export type UpdateContext = {
  jobId: bigint;
  round: number;
  trainerIndex: number;
  /** The round's global model weights (the base the update started from) and their specs. */
  base: readonly Float32Array[];
  weightSpecs: readonly WeightSpec[];
  /** The round seed the shard assignment came from. */
  seed: Hex;
  spec: TrainingSpec;
};

/**
 * Extension points for test and benchmark harnesses. The shipped trainer and its CLI never set them: an honest
 * trainer has no option to misbehave. Adversarial trainers (scaled, noise, sign-flip, lazy) are built with them in
 * trainer/test/harness/.
 */
export type TrainerHooks = {
  /**
   * Called with every locally trained update before it is stored and committed; what it returns is published instead
   * (weights in the same order and shapes, and the samples claimed, an integer in [1, the job's maxSamples]).
   */
  transformUpdate?: ((update: ProducedUpdate, context: UpdateContext) => ProducedUpdate | Promise<ProducedUpdate>) | undefined;
};

/** The trainer's IPFS node. Its blocks and peer key live in the data directory. */
export type TrainerStorageOptions = {
  /** "public" (default, as `myc`) or "loopback" (this machine only: tests, demos). */
  network?: StorageNetwork | undefined;
  /** libp2p listen addresses (default: any free port; on loopback 127.0.0.1). */
  listen?: string[] | undefined;
  /** Multiaddrs to dial at start, e.g. the node serving the dataset. Failures are logged, not fatal. */
  peers?: string[] | undefined;
  /** Trustless gateway URLs to fetch blocks from (every block is verified). */
  gateways?: string[] | undefined;
  /** The node's own HTTP gateway (default on 127.0.0.1, any port); `announce` is the URL others reach it at. */
  gateway?: false | { host?: string; port?: number; announce?: string } | undefined;
  /** How long one block may take to arrive before a fetch fails (default 30 s). */
  blockTimeoutMs?: number | undefined;
};

export type RunTrainerOptions = {
  jobId: bigint | number;
  /** Signs the trainer's transactions (e.g. privateKeyToAccount(process.env.MYC_PRIVATE_KEY)). */
  account: Account;
  /** JSON-RPC URL, expected chain id and deployment, as for createMyceliumClient (same defaults). */
  rpcUrl?: string | undefined;
  chainId?: number | undefined;
  deployment?: Deployment | string | undefined;
  deploymentSearch?: CreateMyceliumClientParameters["deploymentSearch"];
  /** Holds the IPFS node (blocks/, datastore/) and the journal (journal/). Keep it across restarts. */
  dataDir: string;
  /** Compute backend for local training (default "auto": the best installed). */
  backend?: BackendName | "auto" | undefined;
  storage?: TrainerStorageOptions | undefined;
  /** Stake when joining, in the stake token's smallest unit (default the job's minimum). */
  stake?: bigint | undefined;
  /** Claim rewards after every round, or once at the end (default, fewer transactions). */
  claim?: "end" | "every-round" | undefined;
  /** After the job: keep the IPFS node up, serving what it holds, until stopped (default false: stop). */
  keepServing?: boolean | undefined;
  /**
   * Start training round r+1 as soon as this trainer has computed round r's aggregate, from that aggregate and the
   * seed it implies, instead of waiting for the finalization (default true). The result is used only when the chain
   * finalizes that very model and seed; otherwise it is discarded and the round is trained afresh.
   */
  trainEarly?: boolean | undefined;
  /** How long fetching the revealed updates may take, at most (default 60 s; never past the attest window). */
  fetchTimeoutMs?: number | undefined;
  /** How often the round's state is polled while waiting for others (default 500 ms). */
  pollIntervalMs?: number | undefined;
  /** Stops the trainer cleanly: the current step ends, the journal is flushed, the node stops. */
  signal?: AbortSignal | undefined;
  /** Every step, as it happens (the CLI prints them). */
  onEvent?: ((event: TrainerEvent) => void) | undefined;
  hooks?: TrainerHooks | undefined;
};

export type RoundSummary = {
  round: number;
  committed: boolean;
  revealed: boolean;
  attested: boolean;
  /** The aggregate this trainer computed, if it did. */
  aggregateCid: string | null;
  succeeded: boolean | null;
  /** Whether the finalized aggregate is the one this trainer computed. */
  agreed: boolean | null;
  included: boolean | null;
  /** Validation accuracy and loss of this trainer's aggregate. */
  accuracy: number | null;
  loss: number | null;
};

export type TrainerSummary = {
  jobId: bigint;
  trainer: Address;
  trainerIndex: number | null;
  stoppedBy: "job-ended" | "aborted";
  rounds: RoundSummary[];
  /** Rewards claimed and stake withdrawn by this run, in the tokens' smallest units. */
  claimed: bigint;
  withdrawn: bigint;
};

export type RunTrainerReturnType = TrainerSummary;

/** Chain time left at the end of the attest window for sending the attestation. */
const ATTEST_MARGIN_MS = 1_500;
/** Spacing of finalize attempts by trainer index, so that not every trainer sends one. */
const FINALIZE_STAGGER_MS = 400;
const DIAL_TIMEOUT_MS = 5_000;

/**
 * Runs a trainer until the job ends (then claims, withdraws and stops, or keeps serving) or `signal` fires. Resolves
 * with a summary; throws only for what the trainer cannot go on from (no such job, a spec it cannot train, an account
 * that may not take part, a missed reveal), with a typed error.
 */
export async function runTrainer(options: RunTrainerOptions): Promise<RunTrainerReturnType> {
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const emit = (body: TrainerEventBody) => options.onEvent?.({ ...body, time: Date.now() } as TrainerEvent);
  let trainer: Trainer | undefined;
  try {
    trainer = await Trainer.start(options, stop.signal, emit);
    const summary = await trainer.run();
    emit({ type: "stopped", reason: summary.stoppedBy });
    return summary;
  } catch (error) {
    if (stop.signal.aborted && (error instanceof AbortedError || (error as { name?: string })?.name === "AbortError")) {
      emit({ type: "stopped", reason: "aborted" });
      return trainer?.summary("aborted") ?? { jobId: BigInt(options.jobId), trainer: options.account.address, trainerIndex: null, stoppedBy: "aborted", rounds: [], claimed: 0n, withdrawn: 0n };
    }
    emit({ type: "stopped", reason: "error", error: error instanceof BaseError ? error.shortMessage : String(error) });
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await trainer?.close();
  }
}

type EarlyUpdate = { round: number; modelCid: string; seed: Hex; promise: Promise<StoredUpdate>; controller: AbortController };
type StoredUpdate = { cid: string; samples: number; baseModel: string };

class Trainer {
  private index = -1;
  private job!: Job;
  private spec!: TrainingSpec;
  private dataset!: DatasetManifest;
  private trainShards!: ShardCache;
  private validation: Promise<TensorDataset> | undefined;
  private fromBlock = 0n;
  private readonly globals = new Map<string, Promise<GlobalModel>>();
  private early: EarlyUpdate | null = null;
  private readonly rounds = new Map<number, RoundSummary>();
  private readonly unreachable = new Map<string, string>();
  private claimed = 0n;
  private withdrawn = 0n;
  private resuming: boolean;

  private constructor(
    private readonly options: RunTrainerOptions,
    private readonly signal: AbortSignal,
    private readonly emit: (body: TrainerEventBody) => void,
    private readonly client: MyceliumWalletClient,
    private readonly node: StorageNode,
    private readonly journal: Journal,
    private readonly clock: ChainClock,
    private readonly sender: TransactionSender,
    private readonly jobs: Address,
    private readonly jobId: bigint,
  ) {
    this.resuming = journal.resumed;
  }

  static async start(options: RunTrainerOptions, signal: AbortSignal, emit: (body: TrainerEventBody) => void): Promise<Trainer> {
    if (typeof options.jobId !== "bigint" && !(Number.isSafeInteger(options.jobId) && options.jobId >= 1)) {
      throw new InvalidArgumentError({ parameter: "jobId", value: options.jobId, expected: "a job id (a positive integer)" });
    }
    const jobId = BigInt(options.jobId);
    const onRetry = (info: RetryInfo) =>
      emit({ type: "retrying", operation: info.operation, attempt: info.attempt, delayMs: info.delayMs, error: info.error instanceof BaseError ? info.error.shortMessage : String(info.error) });
    const backend = await selectBackend({ backend: options.backend ?? "auto", log: (message) => emit({ type: "info", message }) });
    const client = await retrying(
      "Connecting to the RPC endpoint",
      () =>
        createMyceliumClient({
          rpcUrl: options.rpcUrl,
          chainId: options.chainId,
          deployment: options.deployment,
          deploymentSearch: options.deploymentSearch,
          account: options.account,
          blockTag: "pending",
          pollingInterval: Math.min(options.pollIntervalMs ?? 500, 1_000),
        }),
      { signal, deadline: Date.now() + 120_000, onRetry },
    );
    const jobs = contractAddress(client.deployment, "TrainingJobs");
    const journal = await Journal.open(options.dataDir, { chainId: client.chain.id, contract: jobs, jobId, trainer: options.account.address });
    const storage = options.storage ?? {};
    const node = await createStorageNode({
      dataDir: options.dataDir,
      network: storage.network ?? "public",
      ...(storage.listen ? { listen: storage.listen } : {}),
      ...(storage.gateways ? { gateways: storage.gateways } : {}),
      ...(storage.gateway !== undefined ? { gateway: storage.gateway } : {}),
      ...(storage.blockTimeoutMs !== undefined ? { blockTimeoutMs: storage.blockTimeoutMs } : {}),
      signal,
    });
    try {
      const clock = new ChainClock(client);
      await retrying("Reading the chain's clock", () => clock.sync(), { signal, onRetry });
      const sender = new TransactionSender(client, journal, signal, onRetry);
      const trainer = new Trainer(options, signal, emit, client, node, journal, clock, sender, jobs, jobId);
      emit({
        type: "started",
        trainer: options.account.address,
        jobId,
        chainId: client.chain.id,
        backend: backend.name,
        peerId: node.peerId,
        multiaddrs: node.multiaddrs,
        gatewayUrl: node.gatewayUrl,
        dataDir: options.dataDir,
        resumed: journal.resumed,
      });
      await trainer.dialConfiguredPeers(storage.peers ?? []);
      return trainer;
    } catch (error) {
      await node.stop();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.early?.controller.abort();
    await this.journal.flush().catch(() => {});
    await this.node.stop();
  }

  summary(stoppedBy: TrainerSummary["stoppedBy"]): TrainerSummary {
    return {
      jobId: this.jobId,
      trainer: this.client.account.address,
      trainerIndex: this.index >= 0 ? this.index : null,
      stoppedBy,
      rounds: [...this.rounds.values()].sort((a, b) => a.round - b.round),
      claimed: this.claimed,
      withdrawn: this.withdrawn,
    };
  }

  async run(): Promise<TrainerSummary> {
    this.job = await this.retry(`Reading job ${this.jobId}`, () => getJob(this.client, { jobId: this.jobId }));
    if (this.journal.state.fromBlock === null) {
      const startBlock = BigInt(this.client.deployment.contracts.TrainingJobs?.startBlock ?? 0);
      const block = await this.retry("Finding the job's creation block", () => findJobCreationBlock(this.client, this.jobs, this.jobId, startBlock));
      await this.journal.update((state) => void (state.fromBlock = block.toString()));
    }
    this.fromBlock = BigInt(this.journal.state.fromBlock!);
    this.spec = await this.retry("Fetching the job spec", () => loadTrainingSpec(this.node, this.job.specCid, { signal: this.signal }));
    this.dataset = await this.retry("Fetching the dataset manifest", () => loadManifest(this.node, this.spec.dataset.manifest, { kind: "dataset", signal: this.signal }));
    if (this.dataset.format !== TENSOR_SHARDS_FORMAT) {
      throw new InvalidDatasetError({ field: "format", expected: TENSOR_SHARDS_FORMAT, found: this.dataset.format, hint: "The job's dataset must be published as tensor shards (myc dataset import, or myc dataset prepare then myc publish)." });
    }
    this.trainShards = new ShardCache(this.node, this.dataset, this.spec.dataset.trainSplit);

    if (!(await this.ensureJoined())) return this.finish();
    this.validationData().catch((error: unknown) => {
      if (!this.signal.aborted) this.emit({ type: "warning", message: `the validation shard could not be fetched yet: ${describe(error)}` });
    });
    await this.connectPeers();
    for (;;) {
      throwIfAborted(this.signal, "The trainer");
      const round = await this.retry("Reading the round", () => getRound(this.client, { jobId: this.jobId }));
      if (round.phase === "ended" || round.phase === "cancelled") break;
      if (round.phase === "scheduled") {
        this.emit({ type: "info", message: `job ${this.jobId} starts at ${round.start} (chain time), in ${Math.max(0, Math.round(this.clock.until(round.start)))} s` });
        await this.clock.waitUntil(round.start, this.signal);
        continue;
      }
      await this.playRound(round);
    }
    return this.finish();
  }

  // ------------------------------------------------------------------------------------------------------------------
  // Membership
  // ------------------------------------------------------------------------------------------------------------------

  /** Joins when needed (with this node's peer info) and keeps the on-chain peer info current. False: nothing to do. */
  private async ensureJoined(): Promise<boolean> {
    const me = this.client.account.address;
    let trainer = await this.retry("Reading this trainer", () => getTrainer(this.client, { jobId: this.jobId }));
    const over = this.job.status === "ended" || this.job.status === "cancelled";
    if (trainer.status === "none") {
      if (over) {
        this.emit({ type: "info", message: `job ${this.jobId} is ${this.job.status}; nothing to join` });
        return false;
      }
      const addrs = this.peerAddrs();
      const joined = await this.sender.sendOnce({
        step: "join",
        round: null,
        isDone: async () => (await getTrainer(this.client, { jobId: this.jobId })).status !== "none",
        send: (tx) => joinJob(this.client, { jobId: this.jobId, stake: this.options.stake, peerId: this.node.peerId, addrs, ...tx }),
      });
      trainer = await this.retry("Reading this trainer", () => getTrainer(this.client, { jobId: this.jobId }));
      const hash = joined.status === "sent" ? joined.result.hash : joined.hash;
      await this.journal.update((state) => {
        state.index = Number(trainer.index);
        state.joinTx = hash;
        if (joined.status === "sent") state.peerInfo = { peerId: this.node.peerId, addrs };
      });
      this.index = Number(trainer.index);
      this.emit({ type: "joined", index: this.index, stake: trainer.stake, hash, alreadyJoined: joined.status !== "sent" });
    } else {
      this.index = Number(trainer.index);
      this.emit({ type: "joined", index: this.index, stake: trainer.stake, hash: this.journal.state.joinTx, alreadyJoined: true });
      if (trainer.status !== "active") {
        if (over) return true;
        throw new TrainerNotActiveError({ jobId: this.jobId, trainer: me, status: trainer.status });
      }
    }
    if (!over) await this.ensurePeerInfo();
    return true;
  }

  /** The addresses registered on-chain: the libp2p ones, then the gateway's. */
  private peerAddrs(): string[] {
    return [...this.node.multiaddrs, ...(this.node.gatewayAddress ? [this.node.gatewayAddress] : [])];
  }

  /** After a restart the node listens elsewhere: publish the new addresses so peers can fetch this trainer's update. */
  private async ensurePeerInfo(): Promise<void> {
    const desired = { peerId: this.node.peerId, addrs: this.peerAddrs() };
    const same = (record: { peerId: string; addrs: string[] } | undefined) =>
      record !== undefined && record.peerId === desired.peerId && [...record.addrs].sort().join(" ") === [...desired.addrs].sort().join(" ");
    const registered = async () => (await readPeerInfo(this.client, this.jobs, this.jobId, this.fromBlock)).get(this.client.account.address);
    if (same(await this.retry("Reading this trainer's peer info", registered))) return;
    const sent = await this.sender.sendOnce({
      step: "peer-info",
      round: null,
      isDone: async () => same(await registered()),
      send: (tx) => updatePeerInfo(this.client, { jobId: this.jobId, peerId: desired.peerId, addrs: desired.addrs, ...tx }),
    });
    await this.journal.update((state) => void (state.peerInfo = desired));
    this.emit({ type: "peer-info-updated", hash: sent.status === "sent" ? sent.result.hash : sent.hash, addrs: desired.addrs });
  }

  private async dialConfiguredPeers(peers: readonly string[]): Promise<void> {
    await Promise.all(
      peers.map(async (address) => {
        try {
          await this.node.dial(address, { signal: AbortSignal.any([this.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) });
        } catch (error) {
          if (this.signal.aborted) throw error;
          this.emit({ type: "warning", message: `could not connect to peer ${address}: ${describe(error)}` });
        }
      }),
    );
  }

  /** Connects to every other trainer of the job not connected yet, from the peer info on-chain. */
  private async connectPeers(): Promise<void> {
    const peers = await this.retry("Reading the trainers' peer info", () => readPeerInfo(this.client, this.jobs, this.jobId, this.fromBlock));
    const connected = new Set(this.node.connectedPeers());
    const me = this.client.account.address.toLowerCase();
    await Promise.all(
      [...peers.values()]
        .filter((peer) => peer.trainer.toLowerCase() !== me && peer.peerId !== this.node.peerId && !connected.has(peer.peerId))
        .map(async (peer) => {
          const candidates = peer.addrs.filter((addr) => !/\/(http|https|tls)(\/|$)/.test(addr)).map((addr) => (addr.includes("/p2p/") ? addr : `${addr}/p2p/${peer.peerId}`));
          let failure = candidates.length === 0 ? "it registered no libp2p address" : "";
          for (const address of candidates) {
            try {
              await this.node.dial(address, { signal: AbortSignal.any([this.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) });
              this.unreachable.delete(peer.peerId);
              return;
            } catch (error) {
              if (this.signal.aborted) throw error;
              failure = describe(error);
            }
          }
          const key = `${peer.addrs.join(" ")}`;
          if (this.unreachable.get(peer.peerId) !== key) {
            this.unreachable.set(peer.peerId, key);
            this.emit({ type: "peer-unreachable", trainerIndex: peer.trainerIndex, peerId: peer.peerId, error: failure });
          }
        }),
    );
  }

  // ------------------------------------------------------------------------------------------------------------------
  // Rounds
  // ------------------------------------------------------------------------------------------------------------------

  private async playRound(round: Round): Promise<void> {
    const r = Number(round.round);
    const modelCid = (await this.retry("Reading the global model", () => getCurrentModel(this.client, { jobId: this.jobId }))).cid;
    if (!this.rounds.has(r)) {
      this.rounds.set(r, { round: r, committed: false, revealed: false, attested: false, aggregateCid: null, succeeded: null, agreed: null, included: null, accuracy: null, loss: null });
      this.emit({ type: "round-started", round: r, start: round.start, commitEnd: round.commitEnd, revealEnd: round.revealEnd, attestEnd: round.attestEnd, seed: round.seed, modelCid: modelCid.toString() });
    }
    const summary = this.rounds.get(r)!;
    const [me, mine] = await Promise.all([
      this.retry("Reading this trainer", () => getTrainer(this.client, { jobId: this.jobId })),
      this.retry("Reading this trainer's round", () => getTrainerRound(this.client, { jobId: this.jobId, round: r })),
    ]);
    if (me.pendingRound !== null && me.pendingRound < round.round) {
      throw new RevealMissedError({ jobId: this.jobId, round: me.pendingRound, trainer: this.client.account.address });
    }
    if (me.status !== "active" && me.pendingRound === null && !mine.revealed) {
      throw new TrainerNotActiveError({ jobId: this.jobId, trainer: this.client.account.address, status: me.status });
    }
    let committed = me.pendingRound === round.round || mine.revealed;
    let revealed = mine.revealed;
    let attested = mine.attestedTupleId !== null;
    if (this.resuming) {
      this.resuming = false;
      const step: RoundStep = !committed ? "commit" : !revealed ? "reveal" : !attested ? "attest" : "finalize";
      const record = this.journal.round(r);
      this.emit({ type: "resumed", round: r, step, detail: record.update ? `update ${record.update.cid} from the journal` : "nothing of this round in the journal" });
    }

    if (!committed) {
      if (this.clock.until(round.commitEnd) > 0) committed = await this.commitStep(round, modelCid);
      else if (!this.early || this.early.round !== r) this.emit({ type: "missed", round: r, step: "commit", reason: "the trainer started after the commit window" });
    }
    summary.committed = committed;
    if (committed && !revealed) revealed = await this.revealStep(round);
    summary.revealed = revealed;
    if (revealed && !attested) attested = await this.attestStep(round, modelCid);
    summary.attested = attested;
    await this.finalizeStep(round);
  }

  private async commitStep(round: Round, modelCid: CID): Promise<boolean> {
    const r = Number(round.round);
    let update = this.journal.round(r).update;
    if (update && update.baseModel !== modelCid.toString()) update = undefined;
    if (!update) {
      let produced: StoredUpdate;
      try {
        produced = await this.updateFor(round, modelCid);
      } catch (error) {
        if (error instanceof AbortedError || this.signal.aborted) throw error;
        this.emit({ type: "missed", round: r, step: "commit", reason: `no update: ${describe(error)}` });
        return false;
      }
      if (this.clock.until(round.commitEnd) <= 0) {
        this.emit({ type: "missed", round: r, step: "commit", reason: "the update was ready after the commit window closed (make the commit window longer than local training)" });
        return false;
      }
      update = { ...produced, salt: randomSalt() };
      // Durable before the commitment exists: without the salt it could never be revealed.
      await this.journal.updateRound(r, (record) => void (record.update = update));
    }
    const { cid, samples, salt } = update;
    let sent;
    try {
      sent = await this.sender.sendOnce({
        step: "commit",
        round: r,
        deadline: this.clock.localMs(round.commitEnd),
        isDone: async () => {
          const [me, mine] = await Promise.all([getTrainer(this.client, { jobId: this.jobId }), getTrainerRound(this.client, { jobId: this.jobId, round: r })]);
          return me.pendingRound === round.round || mine.revealed;
        },
        send: (tx) => this.windowed(round.commitEnd, () => commitUpdate(this.client, { jobId: this.jobId, round: r, updateCid: cid, samples, salt, ...tx })),
      });
    } catch (error) {
      if (error instanceof ContractRevertedError || this.clock.until(round.commitEnd) <= 0) {
        this.emit({ type: "missed", round: r, step: "commit", reason: describe(error) });
        return false;
      }
      throw error;
    }
    const hash = sent.status === "sent" ? sent.result.hash : sent.hash;
    await this.journal.updateRound(r, (record) => void (record.commitTx = hash ?? undefined));
    this.emit({ type: "committed", round: r, cid, samples, hash });
    return true;
  }

  private async revealStep(round: Round): Promise<boolean> {
    const r = Number(round.round);
    const update = this.journal.round(r).update;
    const trainer = this.client.account.address;
    if (!update) throw new RevealMissedError({ jobId: this.jobId, round: round.round, trainer, details: "the chain has a commitment of this round, and the journal has no record of its update and salt" });
    await this.clock.waitUntil(round.commitEnd, this.signal);
    if (this.clock.until(round.revealEnd) <= 0) throw new RevealMissedError({ jobId: this.jobId, round: round.round, trainer, details: "the reveal window had closed when the trainer got to it" });
    let sent;
    try {
      sent = await this.sender.sendOnce({
        step: "reveal",
        round: r,
        deadline: this.clock.localMs(round.revealEnd),
        isDone: async () => (await getTrainerRound(this.client, { jobId: this.jobId, round: r })).revealed,
        send: (tx) => this.windowed(round.revealEnd, () => revealUpdate(this.client, { jobId: this.jobId, round: r, updateCid: update.cid, samples: update.samples, salt: update.salt, ...tx })),
      });
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      throw new RevealMissedError({ jobId: this.jobId, round: round.round, trainer, details: describe(error) });
    }
    const hash = sent.status === "sent" ? sent.result.hash : sent.hash;
    await this.journal.updateRound(r, (record) => void (record.revealTx = hash ?? undefined));
    this.emit({ type: "revealed", round: r, hash });
    return true;
  }

  private async attestStep(round: Round, modelCid: CID): Promise<boolean> {
    const r = Number(round.round);
    await this.clock.waitUntil(round.revealEnd, this.signal);
    const started = performance.now();
    const deadline = Math.min(Date.now() + (this.options.fetchTimeoutMs ?? 60_000), this.clock.localMs(round.attestEnd) - ATTEST_MARGIN_MS);
    const global = await this.global(modelCid, deadline);
    const [reveals] = await Promise.all([this.retry("Reading the reveals", () => readReveals(this.client, this.jobs, this.jobId, r, this.fromBlock)), this.connectPeers()]);
    const updates = await Promise.all(reveals.map((reveal) => this.fetchUpdate(reveal, global, r, deadline)));
    const result = aggregateUpdates({ base: global.definition.weights, updates, rule: this.spec.aggregation });
    for (const verdict of result.verdicts) {
      if (!verdict.included) this.emit({ type: "update-excluded", round: r, trainerIndex: verdict.trainerIndex, reason: verdict.reason as Exclude<typeof verdict.reason, "included">, detail: verdict.detail });
    }
    if (result.includedMask === 0n) {
      this.emit({ type: "missed", round: r, step: "attest", reason: "no revealed update could be included" });
      return false;
    }
    const job = { chainId: this.client.chain.id, contract: this.jobs, id: this.jobId };
    const stored = await storeAggregate(this.node, { global, weights: result.weights, job, round: r, baseModel: this.job.baseModelCid, dataset: this.spec.dataset.manifest, signal: this.signal });
    const aggregateCid = stored.cid.toString();
    this.globals.set(aggregateCid, Promise.resolve(stored.model));
    const tuple = { cid: aggregateCid, includedMask: result.includedMask.toString(), includedSamples: result.includedSamples.toString() };
    await this.journal.updateRound(r, (record) => void (record.aggregate = tuple));
    this.rounds.get(r)!.aggregateCid = aggregateCid;
    this.emit({
      type: "aggregated",
      round: r,
      aggregateCid,
      includedMask: result.includedMask,
      includedSamples: result.includedSamples,
      updates: updates.length,
      included: maskIndices(result.includedMask).length,
      ms: Math.round(performance.now() - started),
    });
    if (this.clock.until(round.attestEnd) <= 0) {
      this.emit({ type: "missed", round: r, step: "attest", reason: "the aggregate was ready after the attest window closed" });
      return false;
    }
    let sent;
    try {
      sent = await this.sender.sendOnce({
        step: "attest",
        round: r,
        deadline: this.clock.localMs(round.attestEnd),
        isDone: async () => (await getTrainerRound(this.client, { jobId: this.jobId, round: r })).attestedTupleId !== null,
        send: (tx) =>
          this.windowed(round.attestEnd, () =>
            attestAggregate(this.client, { jobId: this.jobId, round: r, aggregateCid: stored.cid, includedMask: result.includedMask, includedSamples: result.includedSamples, ...tx }),
          ),
      });
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      this.emit({ type: "missed", round: r, step: "attest", reason: describe(error) });
      return false;
    }
    const hash = sent.status === "sent" ? sent.result.hash : sent.hash;
    await this.journal.updateRound(r, (record) => void (record.attestTx = hash ?? undefined));
    this.emit({
      type: "attested",
      round: r,
      aggregateCid,
      hash,
      tupleId: sent.status === "sent" ? sent.result.tupleId : null,
      quorumReached: sent.status === "sent" ? sent.result.quorumReached : null,
    });
    if (r + 1 < this.job.numRounds && this.options.trainEarly !== false) this.trainEarly(r + 1, stored.cid);
    // In the background: the round goes on (finalize) while the forward pass runs between training batches.
    void this.evaluate(r, stored.model);
    return true;
  }

  private async finalizeStep(round: Round): Promise<void> {
    const r = Number(round.round);
    await this.clock.waitUntil(round.revealEnd, this.signal);
    const poll = this.options.pollIntervalMs ?? 500;
    let waited = false;
    let finalizedBy: Hash | null = null;
    for (;;) {
      const state = await this.retry("Reading the round", () => getRound(this.client, { jobId: this.jobId }));
      if (state.round > round.round || state.phase === "ended" || state.phase === "cancelled") break;
      if (!state.finalizable) {
        await sleep(Math.max(50, Math.min(poll, this.clock.localMs(round.attestEnd) - Date.now() + 50)), this.signal);
        continue;
      }
      if (!waited) {
        // Everyone may finalize; trainer k waits k x 400 ms first, so usually one transaction is sent, not one each.
        waited = true;
        await sleep(FINALIZE_STAGGER_MS * (this.index % 16), this.signal);
        continue;
      }
      try {
        const sent = await this.sender.sendOnce({
          step: "finalize",
          round: r,
          isDone: async () => (await getRound(this.client, { jobId: this.jobId })).round > round.round,
          send: (tx) => finalizeRound(this.client, { jobId: this.jobId, round: r, ...tx }),
        });
        if (sent.status === "sent") finalizedBy = sent.result.hash;
        break;
      } catch (error) {
        // Someone else finalized between the read and the simulation (WrongRound, JobHasEnded): nothing to do.
        if (!(error instanceof ContractRevertedError)) throw error;
      }
    }
    if (finalizedBy) await this.journal.updateRound(r, (record) => void (record.finalizeTx = finalizedBy ?? undefined));
    const result = await this.retry("Reading the round's result", () => getRoundResult(this.client, { jobId: this.jobId, round: r }));
    const mine = this.journal.round(r).aggregate?.cid ?? null;
    const succeeded = result.status === "succeeded";
    const summary = this.rounds.get(r)!;
    summary.succeeded = succeeded;
    summary.agreed = succeeded && mine !== null && result.aggregateCid!.toString() === mine;
    summary.included = succeeded && maskIndices(result.includedMask).includes(this.index);
    this.emit({
      type: "finalized",
      round: r,
      succeeded,
      aggregateCid: result.aggregateCid?.toString() ?? null,
      agreed: summary.agreed,
      included: summary.included,
      byMe: finalizedBy !== null,
      hash: finalizedBy,
    });
    if (this.options.claim === "every-round") await this.claim();
  }

  // ------------------------------------------------------------------------------------------------------------------
  // Local work
  // ------------------------------------------------------------------------------------------------------------------

  /** The update of `round`: the one trained early if it was trained from this model and seed, else a fresh one. */
  private async updateFor(round: Round, modelCid: CID): Promise<StoredUpdate> {
    const r = Number(round.round);
    const early = this.early;
    if (early && early.round <= r) {
      this.early = null;
      if (early.round === r && early.modelCid === modelCid.toString() && early.seed === round.seed) {
        try {
          const update = await early.promise;
          this.emit({ type: "speculation", round: r, outcome: "used", detail: "the round started from the expected model" });
          return update;
        } catch (error) {
          if (this.signal.aborted) throw error;
          this.emit({ type: "speculation", round: r, outcome: "discarded", detail: `early training failed: ${describe(error)}` });
        }
      } else {
        early.controller.abort();
        this.emit({ type: "speculation", round: early.round, outcome: "discarded", detail: `the round started from ${modelCid}, not the expected ${early.modelCid}` });
      }
    }
    return this.produceUpdate(r, round.seed, modelCid, { speculative: false, signal: this.signal, deadline: this.clock.localMs(round.commitEnd) });
  }

  /** Starts training `round` from the aggregate this trainer expects to win (see RunTrainerOptions.trainEarly). */
  private trainEarly(round: number, expectedModel: CID): void {
    this.early?.controller.abort();
    const seed = computeRoundSeed({ chainId: this.client.chain.id, contract: this.jobs, jobId: this.jobId, round, modelCid: expectedModel });
    const controller = new AbortController();
    const promise = this.produceUpdate(round, seed, expectedModel, { speculative: true, signal: AbortSignal.any([this.signal, controller.signal]) });
    promise.catch(() => {});
    this.early = { round, modelCid: expectedModel.toString(), seed, promise, controller };
    this.emit({ type: "speculation", round, outcome: "started", detail: `training from ${expectedModel} before round ${round - 1} is finalized` });
  }

  private async produceUpdate(round: number, seed: Hex, modelCid: CID, options: { speculative: boolean; signal: AbortSignal; deadline?: number }): Promise<StoredUpdate> {
    const { speculative, signal } = options;
    const global = await this.global(modelCid, options.deadline);
    const shards = assignShards({ roundSeed: seed, trainerIndex: this.index, shardCount: this.trainShards.shards.length, shardsPerTrainer: this.spec.shardsPerTrainer });
    const loadStarted = performance.now();
    const sources: BlockSources = {};
    const data = await retrying("Fetching the assigned shards", () => this.trainShards.load(shards, { signal, sources }), { signal, deadline: options.deadline, onRetry: this.onRetry });
    this.emit({ type: "data-loaded", round, shards, samples: data.count, ms: Math.round(performance.now() - loadStarted), sources, speculative });
    this.emit({ type: "training-started", round, samples: data.count, speculative });
    const trained = await trainLocally({
      model: global.definition,
      config: { optimizer: this.spec.optimizer, loss: this.spec.loss, batchSize: this.spec.batchSize, local: this.spec.local, seed: deriveSeed(this.spec.seed, round, this.index) },
      data,
      signal,
    });
    this.emit({ type: "training-finished", round, samples: trained.samples, steps: trained.steps, loss: trained.loss, accuracy: trained.accuracy, durationMs: Math.round(trained.durationMs), speculative });
    let update: ProducedUpdate = { weights: trained.weights, samples: trained.samples };
    const hook = this.options.hooks?.transformUpdate;
    if (hook) {
      update = await hook(update, { jobId: this.jobId, round, trainerIndex: this.index, base: global.definition.weights, weightSpecs: global.definition.weightSpecs, seed, spec: this.spec });
      if (!Number.isSafeInteger(update.samples) || update.samples < 1 || update.samples > this.job.maxSamples) {
        throw new InvalidArgumentError({ parameter: "samples of a transformed update", value: update.samples, expected: `an integer in [1, ${this.job.maxSamples}] (the job's maxSamples)` });
      }
    }
    throwIfAborted(signal, "Storing the update");
    const cid = await storeUpdate(this.node, {
      global,
      weights: update.weights,
      samples: update.samples,
      job: { chainId: this.client.chain.id, contract: this.jobs, id: this.jobId },
      round,
      trainer: this.client.account.address,
      dataset: this.spec.dataset.manifest,
      signal,
    });
    this.emit({ type: "update-stored", round, cid: cid.toString(), samples: update.samples, transformed: hook !== undefined });
    return { cid: cid.toString(), samples: update.samples, baseModel: modelCid.toString() };
  }

  /** One revealed update, as aggregation takes it: weights, or `unavailable` with the reason (never a throw). */
  private async fetchUpdate(reveal: Reveal, global: GlobalModel, round: number, deadline: number): Promise<AggregationUpdate> {
    const base = { trainerIndex: reveal.trainerIndex, samples: reveal.samples };
    if (reveal.updateCid === null) return { ...base, unavailable: `the revealed CID ${reveal.rawCid} is not a CID` };
    const timeoutMs = Math.max(0, deadline - Date.now());
    try {
      const weights = await retrying(
        `Fetching the update of trainer ${reveal.trainerIndex}`,
        () =>
          loadUpdateWeights(this.node, {
            cid: reveal.updateCid!,
            global,
            expected: { job: { chainId: this.client.chain.id, contract: this.jobs, id: this.jobId }, round, trainer: reveal.trainer, samples: reveal.samples },
            signal: AbortSignal.any([this.signal, AbortSignal.timeout(timeoutMs)]),
          }),
        { signal: this.signal, deadline, onRetry: this.onRetry },
      );
      return { ...base, weights };
    } catch (error) {
      if (this.signal.aborted) throw error;
      const reason = Date.now() >= deadline ? `not fetched within ${Math.round(timeoutMs / 1000)} s (${describe(error)})` : describe(error);
      return { ...base, unavailable: reason };
    }
  }

  /** The validation shard, fetched once (at start, so it is local even if its publisher goes away later). */
  private validationData(): Promise<TensorDataset> {
    if (!this.validation) {
      this.validation = new ShardCache(this.node, this.dataset, this.spec.validation.split).load([this.spec.validation.shard], { signal: this.signal });
      this.validation.catch(() => (this.validation = undefined));
    }
    return this.validation;
  }

  private async evaluate(round: number, model: GlobalModel): Promise<void> {
    try {
      const data = await this.validationData();
      const result = await evaluateModel({ model: model.definition, data, signal: this.signal });
      const summary = this.rounds.get(round);
      if (summary) {
        summary.accuracy = result.accuracy;
        summary.loss = result.loss;
      }
      this.emit({ type: "evaluated", round, modelCid: model.cid.toString(), accuracy: result.accuracy, loss: result.loss, samples: result.samples });
    } catch (error) {
      if (!this.signal.aborted) this.emit({ type: "warning", round, message: `evaluation failed: ${describe(error)}` });
    }
  }

  private global(cid: CID, deadline?: number): Promise<GlobalModel> {
    const key = cid.toString();
    let entry = this.globals.get(key);
    if (!entry) {
      entry = retrying(`Fetching the global model ${key}`, () => loadGlobalModel(this.node, cid, { signal: this.signal }), { signal: this.signal, deadline, onRetry: this.onRetry });
      entry.catch(() => this.globals.delete(key));
      this.globals.set(key, entry);
    }
    return entry;
  }

  // ------------------------------------------------------------------------------------------------------------------
  // End of the job
  // ------------------------------------------------------------------------------------------------------------------

  private async finish(): Promise<TrainerSummary> {
    this.early?.controller.abort();
    if (this.index >= 0) {
      this.emit({ type: "job-ended", rounds: this.job.numRounds });
      await this.claim();
      const trainer = await this.retry("Reading this trainer", () => getTrainer(this.client, { jobId: this.jobId }));
      if (trainer.canWithdraw) {
        const sent = await this.sender.sendOnce({
          step: "withdraw",
          round: null,
          isDone: async () => (await getTrainer(this.client, { jobId: this.jobId })).status === "withdrawn",
          send: (tx) => withdrawStake(this.client, { jobId: this.jobId, ...tx }),
        });
        const amount = sent.status === "sent" ? sent.result.amount : 0n;
        this.withdrawn += amount;
        const hash = sent.status === "sent" ? sent.result.hash : sent.hash;
        await this.journal.update((state) => void (state.withdrawTx = hash));
        this.emit({ type: "withdrawn", amount, hash });
      }
    }
    if (this.options.keepServing) {
      this.emit({ type: "serving", peerId: this.node.peerId, multiaddrs: this.node.multiaddrs });
      await new Promise<void>((resolve) => {
        if (this.signal.aborted) resolve();
        else this.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      return this.summary("job-ended");
    }
    return this.summary("job-ended");
  }

  private async claim(): Promise<void> {
    const claimable = await this.retry("Finding claimable rounds", () => getClaimableRounds(this.client, { jobId: this.jobId }));
    if (claimable.rounds.length === 0) return;
    const sent = await this.sender.sendOnce({
      step: "claim",
      round: null,
      isDone: async () => {
        const left = await getClaimableRounds(this.client, { jobId: this.jobId });
        return !claimable.rounds.some((round) => left.rounds.includes(round));
      },
      send: (tx) => claimRewards(this.client, { jobId: this.jobId, rounds: claimable.rounds, ...tx }),
    });
    if (sent.status !== "sent") return;
    this.claimed += sent.result.amount;
    await this.journal.update((state) => void state.claimTxs.push(sent.result.hash));
    this.emit({ type: "claimed", rounds: sent.result.rounds.map((round) => round.round), amount: sent.result.amount, hash: sent.result.hash });
  }

  // ------------------------------------------------------------------------------------------------------------------

  /**
   * Runs a step bound to a window that closes at `closesAt`. The chain's clock may lag this machine's estimate by a
   * fraction of a second, so a revert saying the window is not open yet, while it has not closed either, is retried
   * shortly (the simulation reverts; nothing was sent).
   */
  private async windowed<T>(closesAt: bigint, send: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await send();
      } catch (error) {
        const early = error instanceof ContractRevertedError && error.errorName === "OutsideWindow" && this.clock.until(closesAt) > 0.2;
        if (!early) throw error;
        await sleep(250, this.signal);
        await this.clock.sync().catch(() => {});
      }
    }
  }

  private readonly onRetry = (info: RetryInfo) =>
    this.emit({ type: "retrying", operation: info.operation, attempt: info.attempt, delayMs: info.delayMs, error: describe(info.error) });

  private retry<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return retrying(operation, fn, { signal: this.signal, onRetry: this.onRetry });
  }
}

function describe(error: unknown): string {
  if (error instanceof BaseError) return error.details ? `${error.shortMessage} (${error.details.split("\n")[0]})` : error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}
