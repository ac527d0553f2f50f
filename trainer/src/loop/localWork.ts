/**
 * A trainer's own work: the global models it has loaded, local training on its assigned shards (and, ahead of time,
 * training the next round from the aggregate it expects to win: speculation), storing the update, and evaluating
 * aggregates on the validation shard.
 */
import type { CID } from "multiformats/cid";
import type { Hex } from "viem";
import {
  InvalidArgumentError,
  assignShards,
  computeRoundSeed,
  deriveSeed,
  loadGlobalModel,
  retrying,
  storeUpdate,
  throwIfAborted,
  type GlobalModel,
  type ReplayAuditor,
  type Round,
  type TensorDataset,
} from "@mycelium/client";
import { createReplayAuditor } from "../audit.ts";
import { evaluateModel, trainLocally } from "../train.ts";
import type { ProducedUpdate } from "./options.ts";
import { describe, type TrainerSession } from "./session.ts";
import { ShardCache, type BlockSources } from "./shards.ts";

/** Time left before the commit window closes, when local work is in seconds, for storing the update and committing. */
const COMMIT_MARGIN_MS = 2_000;

/** An update stored in this trainer's node, ready to be committed. */
export type StoredUpdate = { cid: string; samples: number; baseModel: string };

type EarlyUpdate = { round: number; modelCid: string; seed: Hex; promise: Promise<StoredUpdate>; controller: AbortController };

export class LocalWork {
  private readonly globals = new Map<string, Promise<GlobalModel>>();
  private early: EarlyUpdate | null = null;
  private validation: Promise<TensorDataset> | undefined;
  private trainShardsCache: ShardCache | undefined;
  private replayAuditor: ReplayAuditor | undefined;

  constructor(private readonly session: TrainerSession) {}

  private get trainShards(): ShardCache {
    this.trainShardsCache ??= new ShardCache(this.session.node, this.session.dataset, this.session.spec.dataset.trainSplit);
    return this.trainShardsCache;
  }

  /**
   * The round protocol's replay audit (screenRound's `replay`) on this trainer's backend and shard cache. The
   * trainer's own update is not replayed: it knows the work it did.
   */
  get auditor(): ReplayAuditor {
    const { session } = this;
    if (!this.replayAuditor) {
      const replay = createReplayAuditor({ storage: session.node, spec: session.spec, dataset: session.dataset, shards: this.trainShards });
      this.replayAuditor = (request) =>
        request.reveal.trainerIndex === session.index
          ? Promise.resolve({ matches: true, detail: "this trainer's own update" })
          : replay(request);
    }
    return this.replayAuditor;
  }

  /** Stops any training ahead of time. */
  stop(): void {
    this.early?.controller.abort();
    this.early = null;
  }

  /** Whether an update for `round` is being trained ahead of time. */
  trainingEarly(round: number): boolean {
    return this.early?.round === round;
  }

  /** The global model `cid`, loaded once (retried until `deadline`). */
  global(cid: CID, deadline?: number): Promise<GlobalModel> {
    const { session } = this;
    const key = cid.toString();
    let entry = this.globals.get(key);
    if (entry === undefined) {
      entry = retrying(`Fetching the global model ${key}`, () => loadGlobalModel(session.node, cid, { signal: session.signal }), {
        signal: session.signal,
        deadline,
        onRetry: session.onRetry,
      });
      entry.catch(() => this.globals.delete(key));
      this.globals.set(key, entry);
    }
    return entry;
  }

  /** Remembers a model this trainer computed (its aggregate), so the next round does not fetch it. */
  remember(model: GlobalModel): void {
    this.globals.set(model.cid.toString(), Promise.resolve(model));
  }

  /** The update of `round`: the one trained early if it was trained from this model and seed, else a fresh one. */
  async updateFor(round: Round, modelCid: CID): Promise<StoredUpdate> {
    const { session } = this;
    const r = Number(round.round);
    const early = this.early;
    if (early && early.round <= r) {
      this.early = null;
      if (early.round === r && early.modelCid === modelCid.toString() && early.seed === round.seed) {
        try {
          const update = await early.promise;
          session.emit({ type: "speculation", round: r, outcome: "used", detail: "the round started from the expected model" });
          return update;
        } catch (error) {
          if (session.signal.aborted) throw error;
          session.emit({ type: "speculation", round: r, outcome: "discarded", detail: `early training failed: ${describe(error)}` });
        }
      } else {
        early.controller.abort();
        session.emit({
          type: "speculation",
          round: early.round,
          outcome: "discarded",
          detail: `the round started from ${modelCid}, not the expected ${early.modelCid}`,
        });
      }
    }
    return this.produce(r, round.seed, modelCid, {
      speculative: false,
      signal: session.signal,
      deadline: session.clock.localMs(round.commitEnd),
    });
  }

  /** Starts training `round` from the aggregate this trainer expects to win (see RunTrainerOptions.trainEarly). */
  trainEarly(round: number, expectedModel: CID): void {
    const { session } = this;
    this.early?.controller.abort();
    const seed = computeRoundSeed({
      chainId: session.client.chain.id,
      contract: session.jobs,
      jobId: session.jobId,
      round,
      modelCid: expectedModel,
    });
    const controller = new AbortController();
    const promise = this.produce(round, seed, expectedModel, {
      speculative: true,
      signal: AbortSignal.any([session.signal, controller.signal]),
    });
    promise.catch(() => {});
    this.early = { round, modelCid: expectedModel.toString(), seed, promise, controller };
    session.emit({
      type: "speculation",
      round,
      outcome: "started",
      detail: `training from ${expectedModel} before round ${round - 1} is finalized`,
    });
  }

  /** Fetches the validation shard at start, so it is local even if its publisher goes away later. */
  prefetchValidation(): void {
    this.validationData().catch((error: unknown) => {
      if (!this.session.signal.aborted)
        this.session.emit({ type: "warning", message: `the validation shard could not be fetched yet: ${describe(error)}` });
    });
  }

  /** Scores a model on the validation shard and reports it (never throws: a failure is a warning). */
  async evaluate(round: number, model: GlobalModel): Promise<void> {
    const { session } = this;
    try {
      const data = await this.validationData();
      const result = await evaluateModel({ model: model.definition, data, signal: session.signal });
      const summary = session.rounds.get(round);
      if (summary) {
        summary.accuracy = result.accuracy;
        summary.loss = result.loss;
      }
      session.emit({
        type: "evaluated",
        round,
        modelCid: model.cid.toString(),
        accuracy: result.accuracy,
        loss: result.loss,
        samples: result.samples,
      });
    } catch (error) {
      if (!session.signal.aborted) session.emit({ type: "warning", round, message: `evaluation failed: ${describe(error)}` });
    }
  }

  private async produce(
    round: number,
    seed: Hex,
    modelCid: CID,
    options: { speculative: boolean; signal: AbortSignal; deadline?: number },
  ): Promise<StoredUpdate> {
    const { session } = this;
    const { speculative, signal } = options;
    // Work in seconds stops in time to commit: before this round's commit window closes or, trained early, before the
    // earliest it can close (the round starts when its predecessor is finalized, which is still to come).
    const commitBy = options.deadline ?? Date.now() + session.job.commitWindow * 1000;
    const global = await this.global(modelCid, options.deadline);
    const shards = assignShards({
      roundSeed: seed,
      trainerIndex: session.index,
      shardCount: this.trainShards.shards.length,
      shardsPerTrainer: session.spec.shardsPerTrainer,
    });
    const loadStarted = performance.now();
    const sources: BlockSources = {};
    const data = await retrying("Fetching the assigned shards", () => this.trainShards.load(shards, { signal, sources }), {
      signal,
      deadline: options.deadline,
      onRetry: session.onRetry,
    });
    session.emit({
      type: "data-loaded",
      round,
      shards,
      samples: data.count,
      ms: Math.round(performance.now() - loadStarted),
      sources,
      speculative,
    });
    session.emit({ type: "training-started", round, samples: data.count, speculative });
    const { spec } = session;
    const trained = await trainLocally({
      model: global.definition,
      config: {
        optimizer: spec.optimizer,
        loss: spec.loss,
        batchSize: spec.batchSize,
        local: spec.local,
        seed: deriveSeed(spec.seed, round, session.index),
      },
      data,
      signal,
      deadline: commitBy - COMMIT_MARGIN_MS,
    });
    session.emit({
      type: "training-finished",
      round,
      samples: trained.samples,
      steps: trained.steps,
      sampleVisits: trained.sampleVisits,
      loss: trained.loss,
      accuracy: trained.accuracy,
      durationMs: Math.round(trained.durationMs),
      speculative,
    });
    let update: ProducedUpdate = { weights: trained.weights, samples: trained.samples };
    const hook = session.options.hooks?.transformUpdate;
    if (hook) {
      update = await hook(update, {
        jobId: session.jobId,
        round,
        trainerIndex: session.index,
        base: global.definition.weights,
        weightSpecs: global.definition.weightSpecs,
        seed,
        spec,
      });
      if (!Number.isSafeInteger(update.samples) || update.samples < 1 || update.samples > session.job.maxSamples) {
        throw new InvalidArgumentError({
          parameter: "samples of a transformed update",
          value: update.samples,
          expected: `an integer in [1, ${session.job.maxSamples}] (the job's maxSamples)`,
        });
      }
    }
    throwIfAborted(signal, "Storing the update");
    const cid = await storeUpdate(session.node, {
      global,
      weights: update.weights,
      samples: update.samples,
      job: session.identity,
      round,
      trainer: session.address,
      dataset: spec.dataset.manifest,
      // The work a replay audit re-runs; a transformed (adversarial) update still declares the honest count.
      steps: trained.steps,
      signal,
    });
    session.emit({ type: "update-stored", round, cid: cid.toString(), samples: update.samples, transformed: hook !== undefined });
    return { cid: cid.toString(), samples: update.samples, baseModel: modelCid.toString() };
  }

  private validationData(): Promise<TensorDataset> {
    const { session } = this;
    if (!this.validation) {
      this.validation = new ShardCache(session.node, session.dataset, session.spec.validation.split).load([session.spec.validation.shard], {
        signal: session.signal,
      });
      this.validation.catch(() => (this.validation = undefined));
    }
    return this.validation;
  }
}
