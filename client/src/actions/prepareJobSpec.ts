/**
 * Builds a job's spec from its assets: the dataset's manifest (read through the registry) and the base model's
 * architecture (its model.json, fetched from IPFS), with the hyper-parameters given, stored on IPFS. Also derives
 * the job's `maxSamples`: what one trainer's shard assignment holds at most (shardsPerTrainer times the largest
 * training shard).
 */
import type { CID } from "multiformats/cid";
import { getAsset } from "./getAsset.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { InvalidArgumentError } from "../errors/chain.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { TENSOR_SHARDS_FORMAT } from "../datasets/tensorShards.ts";
import { loadManifest } from "../manifests/codec.ts";
import type { BlockStorage } from "../storage/blocks.ts";
import { loadModelArtifacts } from "../storage/tfjs.ts";
import { buildTrainingSpec, type BuildTrainingSpecParameters, type JsonValue, type TrainingSpec } from "../protocol/spec.ts";
import { storeTrainingSpec } from "../protocol/specStore.ts";

export type PrepareJobSpecParameters = Pick<
  BuildTrainingSpecParameters,
  "optimizer" | "batchSize" | "local" | "shardsPerTrainer" | "aggregation" | "seed"
> & {
  datasetId: bigint | number;
  baseModelId: bigint | number;
  /** The shard every trainer evaluates on; default shard 0 of the "validation" split, else of "test". */
  validation?: { split?: string | undefined; shard?: number | undefined } | undefined;
  signal?: AbortSignal | undefined;
};

export type PrepareJobSpecReturnType = {
  spec: TrainingSpec;
  specCid: CID;
  datasetManifestCid: CID;
  baseModelCid: CID;
  /** shardsPerTrainer times the largest training shard's samples: the job's `maxSamples`. */
  maxSamples: number;
};

export type PrepareJobSpecErrorType = ReadActionErrorType | InvalidArgumentError;

export async function prepareJobSpec(
  client: MyceliumClient,
  storage: BlockStorage,
  parameters: PrepareJobSpecParameters,
): Promise<PrepareJobSpecReturnType> {
  const { signal } = parameters;
  const datasetId = toId(parameters.datasetId, "datasetId");
  const [dataset, baseModel] = await Promise.all([
    getAsset(client, { assetId: datasetId }),
    getAsset(client, { assetId: parameters.baseModelId }),
  ]);
  for (const [asset, kind] of [
    [dataset, "dataset"],
    [baseModel, "model"],
  ] as const) {
    if (asset.kind !== kind)
      throw new InvalidArgumentError({
        parameter: `${kind} asset`,
        value: String(asset.id),
        expected: `an asset of kind ${kind} (asset ${asset.id} is a ${asset.kind})`,
      });
  }
  const options = signal ? { signal } : {};
  const [datasetManifest, modelManifest] = await Promise.all([
    loadManifest(storage, dataset.manifestCid, { kind: "dataset", ...options }),
    loadManifest(storage, baseModel.manifestCid, { kind: "model", ...options }),
  ]);
  if (datasetManifest.format !== TENSOR_SHARDS_FORMAT) {
    throw new InvalidArgumentError({
      parameter: "dataset format",
      value: datasetManifest.format,
      expected: `a ${TENSOR_SHARDS_FORMAT} dataset (what trainers read)`,
    });
  }
  const split = parameters.validation?.split ?? (datasetManifest.splits.validation ? "validation" : "test");
  const shard = parameters.validation?.shard ?? 0;
  const splitShards = (datasetManifest.splits as Record<string, unknown[] | undefined>)[split];
  if (!splitShards || shard >= splitShards.length) {
    throw new InvalidArgumentError({
      parameter: "validation shard",
      value: `${split}[${shard}]`,
      expected: `a shard of the dataset (splits: ${Object.entries(datasetManifest.splits)
        .map(([name, list]) => `${name} has ${list.length}`)
        .join(", ")})`,
    });
  }
  const artifacts = await loadModelArtifacts(storage, modelManifest.model, options);
  const spec = buildTrainingSpec({
    topology: artifacts.modelTopology as { [key: string]: JsonValue },
    dataset: { assetId: datasetId, manifest: dataset.manifestCid },
    validation: { split, shard },
    optimizer: parameters.optimizer,
    batchSize: parameters.batchSize,
    local: parameters.local,
    shardsPerTrainer: parameters.shardsPerTrainer,
    aggregation: parameters.aggregation,
    seed: parameters.seed,
  });
  const specCid = await storeTrainingSpec(storage, spec, options);
  const largestShard = Math.max(...datasetManifest.splits.train.map((shard) => shard.samples));
  return {
    spec,
    specCid,
    datasetManifestCid: dataset.manifestCid,
    baseModelCid: baseModel.manifestCid,
    maxSamples: spec.shardsPerTrainer * largestShard,
  };
}
