/**
 * What the round loop reads from and writes to IPFS, through the client's storage functions:
 * - the global model: a model manifest (`mycelium/model@1`, the job's base model or an earlier round's aggregate)
 *   whose `model` is a TF.js layers directory;
 * - the dataset's tensor shards (`mycelium/tensor-shards@1`), each verified against its CID and decoded;
 * - updates: an update manifest (`mycelium/update@1`) over a model directory with the global model's topology;
 * - aggregates: a model manifest over a model directory with the global model's topology.
 *
 * Canonical storage: an update or aggregate directory is the global model's directory with only weights.bin replaced
 * (storeModelWithWeights), and the aggregate's manifest holds only values every trainer reads identically from the
 * chain and the global model (no metrics, no dates, no trainer-specific field). Equal weights therefore give an equal
 * aggregate CID in every process, which is what the attestation quorum counts.
 */
import type { Address } from "viem";
import type { CID } from "multiformats/cid";
import {
  buildModelManifest,
  buildUpdateManifest,
  InvalidDatasetError,
  concatDatasets,
  decodeTensorShard,
  fetchBytes,
  loadManifest,
  loadModelArtifacts,
  storeManifest,
  storeModelWithWeights,
  type BlockProgressEvent,
  type BlockStorage,
  type DatasetManifest,
  type JobRefInput,
  type ModelManifest,
  type TensorDataset,
} from "@mycelium/client";
import { UpdateMismatchError } from "../errors.ts";
import { fromModelArtifacts, type LayersModelDefinition } from "../model.ts";

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
  });
  return storeManifest(storage, manifest, parameters.signal ? { signal: parameters.signal } : {});
}

export type LoadUpdateParameters = {
  cid: CID;
  global: GlobalModel;
  /** What the chain says about the update: its manifest must agree. */
  expected: { job: { chainId: number; contract: Address; id: bigint }; round: number; trainer: Address; samples: bigint };
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
  if (manifest.job.chainId !== expected.job.chainId || manifest.job.contract.toLowerCase() !== expected.job.contract.toLowerCase() || manifest.job.id !== expected.job.id.toString()) {
    mismatches.push(`it is for job ${manifest.job.id} of ${manifest.job.contract} on chain ${manifest.job.chainId}`);
  }
  if (manifest.round !== expected.round) mismatches.push(`it is for round ${manifest.round}, not ${expected.round}`);
  if (manifest.trainer.toLowerCase() !== expected.trainer.toLowerCase()) mismatches.push(`it names trainer ${manifest.trainer}, not ${expected.trainer}`);
  if (BigInt(manifest.samples) !== expected.samples) mismatches.push(`it claims ${manifest.samples} samples, the reveal ${expected.samples}`);
  if (!manifest.baseModel.equals(global.cid)) mismatches.push(`it starts from ${manifest.baseModel}, not the round's model ${global.cid}`);
  if (mismatches.length > 0) throw new UpdateMismatchError(cid.toString(), mismatches);
  const artifacts = await loadModelArtifacts(storage, manifest.model, signal);
  return fromModelArtifacts(artifacts, global.definition.weightSpecs).weights as Float32Array[];
}

export type StoreAggregateParameters = {
  global: GlobalModel;
  weights: readonly Float32Array[];
  job: { chainId: number; contract: Address; id: bigint };
  round: number;
  /** The job's base model manifest (lineage). */
  baseModel: CID;
  dataset: CID;
} & Signal;

/**
 * Stores a round's aggregate as a model (layers directory + model manifest) and returns the manifest's CID: the
 * aggregateCid attested. Every field is a function of the inputs every trainer shares (see the module comment).
 */
export async function storeAggregate(storage: BlockStorage, parameters: StoreAggregateParameters): Promise<{ cid: CID; model: GlobalModel }> {
  const { global, job, round } = parameters;
  const modelDir = await storeWeights(storage, global, parameters.weights, parameters);
  const manifest = buildModelManifest({
    name: `Mycelium job ${job.id}, round ${round}`,
    description: `Aggregate of the updates of round ${round} of training job ${job.id} (TrainingJobs ${job.contract} on chain ${job.chainId}).`,
    license: global.manifest.license,
    creator: `TrainingJobs ${job.contract} on chain ${job.chainId}`,
    model: modelDir,
    inputs: global.manifest.inputs,
    outputs: global.manifest.outputs,
    lineage: { datasets: [parameters.dataset], baseModel: parameters.baseModel, job: { chainId: job.chainId, contract: job.contract, id: job.id }, round },
  });
  const cid = await storeManifest(storage, manifest, parameters.signal ? { signal: parameters.signal } : {});
  return { cid, model: { cid, manifest, modelDir, definition: { ...global.definition, weights: parameters.weights } } };
}

/** Where the blocks of a read came from: counts per source ("local", "gateway http://…", "bitswap"). */
export type BlockSources = Record<string, number>;

/**
 * The shards of one split of a dataset, fetched (every block verified) and decoded on first use, then kept in memory.
 * Their blocks stay in the node's blockstore, so other trainers can fetch them from this one.
 */
export class ShardCache {
  private readonly decoded = new Map<number, Promise<TensorDataset>>();

  constructor(
    private readonly storage: BlockStorage,
    readonly manifest: DatasetManifest,
    readonly split: string,
  ) {
    if (this.shards.length === 0) throw new InvalidDatasetError({ field: `splits.${split}`, expected: "a split with shards (named by the job spec)", found: "no such split" });
  }

  get shards(): readonly { cid: CID; samples: number; bytes: number }[] {
    return (this.manifest.splits as Record<string, { cid: CID; samples: number; bytes: number }[] | undefined>)[this.split] ?? [];
  }

  /** The shards at `indices`, concatenated in the order given. */
  async load(indices: readonly number[], options: Signal & { sources?: BlockSources } = {}): Promise<TensorDataset> {
    const parts = await Promise.all(indices.map((index) => this.shard(index, options)));
    return parts.length === 1 ? parts[0]! : concatDatasets(parts);
  }

  private shard(index: number, options: Signal & { sources?: BlockSources }): Promise<TensorDataset> {
    let entry = this.decoded.get(index);
    if (!entry) {
      const ref = this.shards[index];
      if (!ref) throw new InvalidDatasetError({ field: `splits.${this.split}[${index}]`, expected: `a shard index below ${this.shards.length}`, found: String(index) });
      const sources = options.sources;
      entry = fetchBytes(this.storage, ref.cid, {
        signal: options.signal,
        onProgress: sources && ((event) => event.type === "block" && countSource(sources, event)),
      }).then((bytes) => {
        const shard = decodeTensorShard(bytes);
        if (shard.count !== ref.samples) {
          throw new InvalidDatasetError({ field: `shard ${ref.cid}`, expected: `${ref.samples} samples, as the dataset manifest says`, found: `${shard.count} samples` });
        }
        return shard;
      });
      // A failed fetch is not cached: the next round tries again (maybe from another peer).
      entry.catch(() => this.decoded.delete(index));
      this.decoded.set(index, entry);
    }
    return entry;
  }
}

function countSource(sources: BlockSources, event: BlockProgressEvent): void {
  const key = event.source === "gateway" && event.from ? `gateway ${event.from}` : event.source;
  sources[key] = (sources[key] ?? 0) + 1;
}
