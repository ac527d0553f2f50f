import type { CID } from "multiformats/cid";
import { getAddress } from "viem";
import { ManifestValidationError } from "../errors/manifest.ts";
import { toCid } from "../storage/cid.ts";
import type { CidLike } from "../storage/cid.ts";
import { Checker, join } from "./check.ts";
import { ASSET_INFO_FIELDS, DTYPES, MANIFEST_IDS, assetInfo, checkAssetInfo } from "./common.ts";
import type { AssetInfo, Dtype } from "./common.ts";

/** The TF.js layers format: a UnixFS directory with model.json (topology + weights manifest) and its weight files. */
export const MODEL_FORMAT = "tfjs-layers-model" as const;

/** One model input or output. `null` dimensions are free (the batch dimension, usually the first). */
export type TensorSpec = { name: string; shape: (number | null)[]; dtype: Dtype };

/** A training job on chain: which chain, which TrainingJobs contract, which job id (decimal uint256). */
export type JobRef = { chainId: number; contract: `0x${string}`; id: string };

/** Where a model comes from. Fields that do not apply are null (never omitted, so the shape is fixed). */
export type ModelLineage = {
  /** Dataset manifests the model was trained on. */
  datasets: CID[];
  /** Model manifest it was trained from, or null for a model trained from scratch. */
  baseModel: CID | null;
  /** Training job that produced it, or null. */
  job: JobRef | null;
  /** Training round of that job (0-based), or null. */
  round: number | null;
};

/**
 * A model manifest (dag-json, `manifest: "mycelium/model@1"`). The model itself is `model`, a UnixFS directory in
 * the TF.js layers format (model.json + weights.bin), loadable with `tf.loadLayersModel` from any IPFS gateway at
 * `/ipfs/<model>/model.json`.
 */
export type ModelManifest = AssetInfo & {
  manifest: typeof MANIFEST_IDS.model;
  format: typeof MODEL_FORMAT;
  framework: { name: "@tensorflow/tfjs"; version: string };
  model: CID;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Evaluation results, e.g. { "accuracy": 0.91, "loss": 0.27 }. */
  metrics: Record<string, number>;
  lineage: ModelLineage;
};

/**
 * A weight update of one trainer for one round (dag-json, `manifest: "mycelium/update@1"`): a model manifest (its
 * `model` holds the trainer's weights) plus which job and round it answers, who trained it, on how many samples,
 * and the global model it started from. `lineage.job`, `lineage.round` and `lineage.baseModel` repeat those.
 */
export type UpdateManifest = Omit<ModelManifest, "manifest"> & {
  manifest: typeof MANIFEST_IDS.update;
  job: JobRef;
  round: number;
  /** The trainer's address, EIP-55 checksummed. */
  trainer: `0x${string}`;
  /** Samples trained on this round (the weight of this update in the aggregate). */
  samples: number;
  /** Model manifest of the global model this round started from. */
  baseModel: CID;
  /**
   * Optimizer steps the trainer took: the work a replay audit re-runs (trainer/README.md, "Replay audits"). Required
   * for a replay of `local: seconds` work, whose step count depends on the hardware; `epochs` and `steps` fix it.
   */
  steps?: number;
};

export type JobRefInput = { chainId: number; contract: string; id: bigint | number | string };

export type ModelManifestInput = Omit<AssetInfo, "description"> & {
  description?: string;
  /** Defaults to the TF.js version bundled with this client. */
  frameworkVersion?: string;
  model: CidLike;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  metrics?: Record<string, number>;
  lineage?: { datasets?: CidLike[]; baseModel?: CidLike | null; job?: JobRefInput | null; round?: number | null };
};

export type UpdateManifestInput = Omit<ModelManifestInput, "lineage"> & {
  job: JobRefInput;
  round: number;
  trainer: string;
  samples: number;
  baseModel: CidLike;
  /** Datasets trained on (usually the job's dataset). */
  datasets?: CidLike[];
  /** Optimizer steps taken (see UpdateManifest.steps). */
  steps?: number;
};

/** The @tensorflow/tfjs version this client is built against (the default `framework.version`). */
export const TFJS_VERSION = "4.22.0";

/** Builds a model manifest from plain input (CID strings, bigint job ids accepted) and validates it. */
export function buildModelManifest(input: ModelManifestInput): ModelManifest {
  const manifest: ModelManifest = {
    manifest: MANIFEST_IDS.model,
    ...modelBody(input),
    lineage: {
      datasets: (input.lineage?.datasets ?? []).map((c) => toCid(c)),
      baseModel: input.lineage?.baseModel == null ? null : toCid(input.lineage.baseModel),
      job: input.lineage?.job == null ? null : jobRef(input.lineage.job),
      round: input.lineage?.round ?? null,
    },
  };
  return validateModelManifest(manifest);
}

/** Builds an update manifest; its lineage is filled from `job`, `round`, `baseModel` and `datasets`. */
export function buildUpdateManifest(input: UpdateManifestInput): UpdateManifest {
  const job = jobRef(input.job);
  const baseModel = toCid(input.baseModel);
  const manifest: UpdateManifest = {
    manifest: MANIFEST_IDS.update,
    ...modelBody(input),
    lineage: { datasets: (input.datasets ?? []).map((c) => toCid(c)), baseModel, job, round: input.round },
    job,
    round: input.round,
    trainer: normalizeAddress(input.trainer),
    samples: input.samples,
    baseModel,
    ...(input.steps === undefined ? {} : { steps: input.steps }),
  };
  return validateUpdateManifest(manifest);
}

export function validateModelManifest(value: unknown, context: { cid?: string } = {}): ModelManifest {
  const check = new Checker();
  if (check.object(value, "", ["manifest", ...MODEL_FIELDS])) {
    check.literal(value.manifest, "manifest", MANIFEST_IDS.model);
    checkModelBody(check, value);
  }
  if (check.issues.length > 0) throw new ManifestValidationError({ kind: "model", issues: check.issues, cid: context.cid });
  return value as ModelManifest;
}

export function validateUpdateManifest(value: unknown, context: { cid?: string } = {}): UpdateManifest {
  const check = new Checker();
  if (check.object(value, "", ["manifest", ...MODEL_FIELDS, "job", "round", "trainer", "samples", "baseModel"], ["steps"])) {
    check.literal(value.manifest, "manifest", MANIFEST_IDS.update);
    checkModelBody(check, value);
    const jobOk = checkJobRef(check, value.job, "job");
    const roundOk = check.integer(value.round, "round", 0);
    check.address(value.trainer, "trainer");
    check.integer(value.samples, "samples", 1);
    if (value.steps !== undefined) check.integer(value.steps, "steps", 1);
    const baseOk = check.cid(value.baseModel, "baseModel");
    const lineage = value.lineage as Partial<ModelLineage> | undefined;
    if (lineage && typeof lineage === "object") {
      if (jobOk && lineage.job !== undefined && !sameJob(lineage.job, value.job as JobRef))
        check.fail("lineage.job", `the update's job ${JSON.stringify(value.job)}`, lineage.job);
      if (roundOk && lineage.round !== undefined && lineage.round !== value.round)
        check.fail("lineage.round", `the update's round ${String(value.round)}`, lineage.round);
      if (baseOk && lineage.baseModel !== undefined && !(value.baseModel as CID).equals(lineage.baseModel))
        check.fail("lineage.baseModel", `the update's baseModel ${String(value.baseModel)}`, lineage.baseModel);
    }
  }
  if (check.issues.length > 0) throw new ManifestValidationError({ kind: "update", issues: check.issues, cid: context.cid });
  return value as UpdateManifest;
}

const MODEL_FIELDS = [...ASSET_INFO_FIELDS, "format", "framework", "model", "inputs", "outputs", "metrics", "lineage"] as const;

function modelBody(input: ModelManifestInput) {
  const spec = (t: TensorSpec): TensorSpec => ({ name: t.name, shape: [...t.shape], dtype: t.dtype });
  return {
    ...assetInfo(input),
    format: MODEL_FORMAT,
    framework: { name: "@tensorflow/tfjs" as const, version: input.frameworkVersion ?? TFJS_VERSION },
    model: toCid(input.model),
    inputs: input.inputs.map(spec),
    outputs: input.outputs.map(spec),
    metrics: { ...(input.metrics ?? {}) },
  };
}

function checkModelBody(check: Checker, value: Record<string, unknown>): void {
  checkAssetInfo(check, value, "");
  check.literal(value.format, "format", MODEL_FORMAT);
  if (check.object(value.framework, "framework", ["name", "version"])) {
    check.literal(value.framework.name, "framework.name", "@tensorflow/tfjs");
    if (check.string(value.framework.version, "framework.version", { max: 64 }) && !/^\d+\.\d+\.\d+/.test(value.framework.version)) {
      check.fail("framework.version", "a semantic version such as 4.22.0", value.framework.version);
    }
  }
  check.cid(value.model, "model");
  for (const side of ["inputs", "outputs"] as const) {
    const list = value[side];
    if (!check.array(list, side, 1, 64)) continue;
    list.forEach((tensor, i) => {
      const at = join(side, i);
      if (!check.object(tensor, at, ["name", "shape", "dtype"])) return;
      check.string(tensor.name, join(at, "name"));
      if (check.array(tensor.shape, join(at, "shape"), 0, 8)) {
        tensor.shape.forEach((d, k) => {
          if (d !== null) check.integer(d, join(join(at, "shape"), k), 1);
        });
      }
      check.oneOf(tensor.dtype, join(at, "dtype"), DTYPES);
    });
  }
  if (check.record(value.metrics, "metrics")) {
    for (const [name, metric] of Object.entries(value.metrics)) {
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(name)) check.fail(join("metrics", name), "a metric name of letters, digits, _ . : -", name);
      check.finite(metric, join("metrics", name));
    }
  }
  if (check.object(value.lineage, "lineage", ["datasets", "baseModel", "job", "round"])) {
    const lineage = value.lineage;
    if (check.array(lineage.datasets, "lineage.datasets", 0, 1_000))
      lineage.datasets.forEach((d, i) => {
        check.cid(d, join("lineage.datasets", i));
      });
    if (lineage.baseModel !== null) check.cid(lineage.baseModel, "lineage.baseModel");
    if (lineage.job !== null) checkJobRef(check, lineage.job, "lineage.job");
    if (lineage.round !== null) check.integer(lineage.round, "lineage.round", 0);
    if ((lineage.job === null) !== (lineage.round === null))
      check.fail(
        "lineage.round",
        lineage.job === null ? "null when lineage.job is null" : "a round number when lineage.job is set",
        lineage.round,
      );
  }
}

function checkJobRef(check: Checker, value: unknown, path: string): boolean {
  if (!check.object(value, path, ["chainId", "contract", "id"])) return false;
  const before = check.issues.length;
  check.integer(value.chainId, join(path, "chainId"), 1);
  check.address(value.contract, join(path, "contract"));
  check.uint256(value.id, join(path, "id"));
  return check.issues.length === before;
}

function jobRef(input: JobRefInput): JobRef {
  const id = typeof input.id === "string" && /^\d+$/.test(input.id) ? BigInt(input.id).toString() : String(input.id);
  return { chainId: input.chainId, contract: normalizeAddress(input.contract), id };
}

function normalizeAddress(value: string): `0x${string}` {
  // Leaves malformed input as is, for the validator to report precisely.
  try {
    return getAddress(value);
  } catch {
    return value as `0x${string}`;
  }
}

function sameJob(a: unknown, b: JobRef): boolean {
  const job = a as JobRef | null;
  return job !== null && typeof job === "object" && job.chainId === b.chainId && job.contract === b.contract && job.id === b.id;
}
