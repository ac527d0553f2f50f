/**
 * The content of a round on IPFS, as every trainer and verifier reads and writes it:
 * - the global model: a model manifest (`mycelium/model@1`, the job's base model or an earlier round's aggregate)
 *   whose `model` is a TF.js layers directory;
 * - updates: an update manifest (`mycelium/update@1`) over a model directory with the global model's topology;
 * - aggregates: a model manifest over a model directory with the global model's topology.
 *
 * Canonical storage: an update or aggregate directory is the global model's directory with only weights.bin replaced
 * (storeModelWithWeights), and the aggregate's manifest holds only values every trainer reads identically from the
 * chain and the global model (no metrics, no dates, no trainer-specific field). Equal weights therefore give an equal
 * aggregate CID in every process, which is what the attestation quorum counts.
 */
import type { CID } from "multiformats/cid";
import type { Address } from "viem";
import type { Reveal } from "../actions/getReveals.ts";
import { BaseError } from "../errors/base.ts";
import { UpdateMismatchError } from "../errors/protocol.ts";
import { loadManifest, storeManifest } from "../manifests/codec.ts";
import { buildModelManifest, buildUpdateManifest, type JobRefInput, type ModelManifest } from "../manifests/model.ts";
import type { BlockStorage } from "../storage/blocks.ts";
import { loadModelArtifacts, storeModelWithWeights } from "../storage/tfjs.ts";
import { retrying, type RetryInfo } from "../utils/retry.ts";
import { aggregateUpdates, type AggregationResult, type AggregationRule, type AggregationUpdate } from "./aggregate.ts";
import { fromModelArtifacts, type LayersModelDefinition } from "./weights.ts";

/** The model a round starts from. */
export type GlobalModel = {
  /** Its manifest's CID: what `currentModel` returns and what the round's seed hashes. */
  cid: CID;
  manifest: ModelManifest;
  /** The TF.js layers directory (`manifest.model`): the template every update and aggregate of the round reuses. */
  modelDir: CID;
  /** Topology, weight specs and weights in the directory's order: the order aggregation works in. */
  definition: LayersModelDefinition;
};

type Signal = { signal?: AbortSignal | undefined };

/** Loads a global model (manifest, then its layers directory), every block verified. */
export async function loadGlobalModel(storage: BlockStorage, cid: CID, options: Signal = {}): Promise<GlobalModel> {
  const signal = options.signal ? { signal: options.signal } : {};
  const manifest = await loadManifest(storage, cid, { kind: "model", ...signal });
  const artifacts = await loadModelArtifacts(storage, manifest.model, signal);
  return { cid, manifest, modelDir: manifest.model, definition: fromModelArtifacts(artifacts) };
}

/** Stores weights with the global model's topology and returns the new layers directory's CID. */
function storeWeights(storage: BlockStorage, global: GlobalModel, weights: readonly Float32Array[], options: Signal): Promise<CID> {
  return storeModelWithWeights(storage, global.modelDir, [...weights], options.signal ? { signal: options.signal } : {});
}

export type StoreUpdateParameters = {
  global: GlobalModel;
  weights: readonly Float32Array[];
  samples: number;
  job: JobRefInput;
  round: number;
  trainer: Address;
  /** The dataset manifest trained on. */
  dataset: CID;
  /** Optimizer steps taken, declared in the manifest for replay audits (required for `local: seconds` work). */
  steps?: number;
} & Signal;

/** Stores a trainer's update (layers directory + update manifest); returns the manifest's CID, the one committed. */
export async function storeUpdate(storage: BlockStorage, parameters: StoreUpdateParameters): Promise<CID> {
  const { global, job, round, trainer, samples } = parameters;
  const model = await storeWeights(storage, global, parameters.weights, parameters);
  const manifest = buildUpdateManifest({
    name: `Update of ${trainer} for job ${job.id}, round ${round}`,
    license: global.manifest.license,
    creator: trainer,
    model,
    inputs: global.manifest.inputs,
    outputs: global.manifest.outputs,
    job,
    round,
    trainer,
    samples,
    baseModel: global.cid,
    datasets: [parameters.dataset],
    ...(parameters.steps === undefined ? {} : { steps: parameters.steps }),
  });
  return storeManifest(storage, manifest, parameters.signal ? { signal: parameters.signal } : {});
}

/** A job as content names it: its chain, its TrainingJobs contract and its id. */
export type JobIdentity = { chainId: number; contract: Address; id: bigint };

export type LoadUpdateParameters = {
  cid: CID;
  global: GlobalModel;
  /** What the chain says about the update: its manifest must agree. */
  expected: { job: JobIdentity; round: number; trainer: Address; samples: bigint };
} & Signal;

/**
 * Fetches a revealed update and returns its weights in the global model's weight order. Throws UpdateMismatchError
 * when the manifest is for another job, round, trainer, sample count or base model, and the client's or the
 * trainer's typed errors when the content cannot be fetched or is not a compatible model.
 */
export async function loadUpdateWeights(storage: BlockStorage, parameters: LoadUpdateParameters): Promise<Float32Array[]> {
  const { cid, global, expected } = parameters;
  const signal = parameters.signal ? { signal: parameters.signal } : {};
  const manifest = await loadManifest(storage, cid, { kind: "update", ...signal });
  const mismatches: string[] = [];
  if (
    manifest.job.chainId !== expected.job.chainId ||
    manifest.job.contract.toLowerCase() !== expected.job.contract.toLowerCase() ||
    manifest.job.id !== expected.job.id.toString()
  ) {
    mismatches.push(`it is for job ${manifest.job.id} of ${manifest.job.contract} on chain ${manifest.job.chainId}`);
  }
  if (manifest.round !== expected.round) mismatches.push(`it is for round ${manifest.round}, not ${expected.round}`);
  if (manifest.trainer.toLowerCase() !== expected.trainer.toLowerCase())
    mismatches.push(`it names trainer ${manifest.trainer}, not ${expected.trainer}`);
  if (BigInt(manifest.samples) !== expected.samples)
    mismatches.push(`it claims ${manifest.samples} samples, the reveal ${expected.samples}`);
  if (!manifest.baseModel.equals(global.cid)) mismatches.push(`it starts from ${manifest.baseModel}, not the round's model ${global.cid}`);
  if (mismatches.length > 0) throw new UpdateMismatchError(cid.toString(), mismatches);
  const artifacts = await loadModelArtifacts(storage, manifest.model, signal);
  return fromModelArtifacts(artifacts, global.definition.weightSpecs).weights as Float32Array[];
}

export type StoreAggregateParameters = {
  global: GlobalModel;
  weights: readonly Float32Array[];
  job: JobIdentity;
  round: number;
  /** The job's base model manifest (lineage). */
  baseModel: CID;
  dataset: CID;
} & Signal;

/**
 * Stores a round's aggregate as a model (layers directory + model manifest) and returns the manifest's CID: the
 * aggregateCid attested. Every field is a function of the inputs every trainer shares (see the module comment).
 */
export async function storeAggregate(
  storage: BlockStorage,
  parameters: StoreAggregateParameters,
): Promise<{ cid: CID; model: GlobalModel }> {
  const { global, job, round } = parameters;
  const modelDir = await storeWeights(storage, global, parameters.weights, parameters);
  const manifest = buildModelManifest({
    name: `Mycelium job ${job.id}, round ${round}`,
    description:
      `Aggregate of the updates of round ${round} of training job ${job.id} ` + `(TrainingJobs ${job.contract} on chain ${job.chainId}).`,
    license: global.manifest.license,
    creator: `TrainingJobs ${job.contract} on chain ${job.chainId}`,
    model: modelDir,
    inputs: global.manifest.inputs,
    outputs: global.manifest.outputs,
    lineage: {
      datasets: [parameters.dataset],
      baseModel: parameters.baseModel,
      job: { chainId: job.chainId, contract: job.contract, id: job.id },
      round,
    },
  });
  const cid = await storeManifest(storage, manifest, parameters.signal ? { signal: parameters.signal } : {});
  return { cid, model: { cid, manifest, modelDir, definition: { ...global.definition, weights: parameters.weights } } };
}

export type FetchRoundUpdateParameters = {
  reveal: Reveal;
  global: GlobalModel;
  job: JobIdentity;
  round: number;
  /** Stops the fetch (a trainer's shutdown): then this throws AbortedError. */
  signal?: AbortSignal | undefined;
  /**
   * Unix time in ms by which the update must have arrived: transient failures (no peer had a block yet) are retried
   * until then, and a fetch still running then is given up. Default: one attempt of at most 60 s.
   */
  deadline?: number | undefined;
  onRetry?: ((info: RetryInfo) => void) | undefined;
};

/**
 * One revealed update as aggregation takes it: its weights, or `unavailable` with the reason. This is the screening
 * every trainer and verifier applies before the rule: a revealed value that is not a CID, content that cannot be
 * fetched by the deadline, a manifest that does not match the reveal (UpdateMismatchError: another job, round, trainer,
 * sample count or base model), or weights that are not the global model's float32 tensors make the update
 * unavailable. Availability is what the fetching party observed: another party may have fetched what this one could
 * not (a verifier reports such a round as inconclusive, not wrong). Never throws but AbortedError.
 */
export async function fetchRoundUpdate(storage: BlockStorage, parameters: FetchRoundUpdateParameters): Promise<AggregationUpdate> {
  const { reveal, global, job, round, signal } = parameters;
  const base = { trainerIndex: reveal.trainerIndex, samples: reveal.samples };
  if (reveal.updateCid === null) return { ...base, unavailable: `the revealed value ${reveal.rawCid} is not a CID` };
  const cid = reveal.updateCid;
  const deadline = parameters.deadline ?? Date.now() + DEFAULT_FETCH_MS;
  const timeoutMs = Math.max(0, deadline - Date.now());
  try {
    const weights = await retrying(
      `Fetching the update of trainer ${reveal.trainerIndex}`,
      () =>
        loadUpdateWeights(storage, {
          cid,
          global,
          expected: { job, round, trainer: reveal.trainer, samples: reveal.samples },
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
        }),
      { signal, deadline, onRetry: parameters.onRetry },
    );
    return { ...base, weights };
  } catch (error) {
    if (signal?.aborted) throw error;
    const reason = describe(error);
    return { ...base, unavailable: Date.now() >= deadline ? `not fetched within ${Math.round(timeoutMs / 1000)} s (${reason})` : reason };
  }
}

export type ComputeRoundAggregateParameters = {
  global: GlobalModel;
  /** Every revealed update of the round, screened by fetchRoundUpdate (and audited by screenRound). */
  updates: readonly AggregationUpdate[];
  /** The trainer indices audited this round (screenRound's `audited`): a drawn update that is unavailable fails its audit. */
  audited?: readonly number[] | undefined;
  rule: AggregationRule;
  job: JobIdentity;
  round: number;
  /** The job's base model manifest and the dataset manifest (the spec's), named by the aggregate's lineage. */
  baseModel: CID;
  dataset: CID;
} & Signal;

export type RoundAggregate = AggregationResult & {
  /** The aggregate's model manifest CID: the `aggregateCid` of the round's tuple. */
  cid: CID;
  /** The aggregate as the next round's global model. */
  model: GlobalModel;
};

/**
 * Applies the round's rule to the screened updates and stores the result canonically: the tuple
 * `(cid, includedMask, includedSamples, slashMask)` every honest party attests or verifies. The stored blocks stay in `storage`.
 */
export async function computeRoundAggregate(storage: BlockStorage, parameters: ComputeRoundAggregateParameters): Promise<RoundAggregate> {
  const result = aggregateUpdates({
    base: parameters.global.definition.weights,
    updates: parameters.updates,
    rule: parameters.rule,
    ...(parameters.audited ? { audited: parameters.audited } : {}),
  });
  const stored = await storeAggregate(storage, {
    global: parameters.global,
    weights: result.weights,
    job: parameters.job,
    round: parameters.round,
    baseModel: parameters.baseModel,
    dataset: parameters.dataset,
    signal: parameters.signal,
  });
  return { ...result, cid: stored.cid, model: stored.model };
}

/** How long fetchRoundUpdate waits for an update when the caller names no deadline. */
const DEFAULT_FETCH_MS = 60_000;

function describe(error: unknown): string {
  if (error instanceof BaseError) return error.details ? `${error.shortMessage} (${error.details.split("\n")[0]})` : error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}
