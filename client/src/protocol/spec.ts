import { CID } from "multiformats/cid";
import { BaseError } from "../errors/base.ts";
import { TENSOR_SHARDS_FORMAT } from "../datasets/tensorShards.ts";

/** Format id stored in every training spec. */
export const TRAINING_SPEC_FORMAT = "mycelium/training-spec@1";

/** A JSON value that dag-json can store as is (no undefined, no NaN or Infinity, no functions). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Optimizer of local training. Every hyper-parameter is explicit, so no library default can change a job. */
export type OptimizerSpec =
  | { name: "sgd"; learningRate: number }
  | { name: "momentum"; learningRate: number; momentum: number }
  | { name: "adam"; learningRate: number; beta1: number; beta2: number; epsilon: number };

/**
 * How updates become the next global model (the rule is specified exactly in trainer/README.md).
 * - `robustK`: exclude an update whose distance to the coordinate-wise median exceeds robustK times the median of
 *   those distances; `null` disables the filter (plain federated averaging, not robust: for baselines only).
 * - `rule`: "trimmed-mean" drops ⌊trimFraction·n⌋ values at each end of every coordinate before the sample-weighted
 *   mean (0 < trimFraction < 0.5); "mean" is the sample-weighted mean (trimFraction must be 0).
 */
export type AggregationRule = {
  rule: "trimmed-mean" | "mean";
  robustK: number | null;
  trimFraction: number;
};

/**
 * Local work per round: whole passes over the assigned shards ("epochs"), a fixed number of optimizer steps (batches,
 * "steps"), or passes for `count` seconds of wall time ("seconds": at least one step, and never past the point where
 * the trainer must stop to store and commit its update in time). "seconds" fills a round's commit window whatever
 * each trainer's hardware; faster trainers take more steps, and the reward still follows the samples revealed.
 * `maxSteps` (only with "seconds") caps the steps a trainer takes and may declare: every attester replays a drawn
 * update's declared steps within the attest window, so without a cap a trainer could declare more steps than any replay
 * can finish, stall every attester and escape its audit. A sponsor of a "seconds" job should set it to what the attest
 * window can replay.
 */
export type LocalWork = { unit: "epochs" | "steps" | "seconds"; count: number; maxSteps?: number };

/**
 * The job spec: dag-json content whose CID the TrainingJobs contract stores. Everything a trainer needs to train
 * and aggregate identically to every other trainer. Keys are fixed; unknown keys are rejected.
 */
export type TrainingSpec = {
  format: typeof TRAINING_SPEC_FORMAT;
  /** The architecture in the TF.js layers format (`modelTopology` of model.json); weights come from the job's model. */
  model: { format: "tfjs-layers"; topology: { [key: string]: JsonValue } };
  /** Labels are class indices. */
  loss: "sparseCategoricalCrossentropy";
  optimizer: OptimizerSpec;
  batchSize: number;
  local: LocalWork;
  /** Training shards per trainer per round (see assignShards in the client). */
  shardsPerTrainer: number;
  aggregation: AggregationRule;
  /** The dataset asset (decimal uint256 token id in the AssetRegistry) and the manifest version trained on. */
  dataset: { assetId: string; manifest: CID; format: typeof TENSOR_SHARDS_FORMAT; trainSplit: string };
  /** The shard every trainer evaluates on: index `shard` in split `split` of the dataset manifest. */
  validation: { split: string; shard: number };
  /** uint32 seed of everything random in the job that the chain does not fix (initial weights, local shuffling). */
  seed: number;
};

/** One problem found in a spec: where, what was expected, what was there. */
export type SpecIssue = { path: string; expected: string; found: string };

/** Thrown by validateTrainingSpec and buildTrainingSpec; `issues` lists every problem, not just the first. */
export class InvalidTrainingSpecError extends BaseError {
  override name = "InvalidTrainingSpecError";
  static override readonly code: string = "INVALID_TRAINING_SPEC";
  readonly issues: readonly SpecIssue[];
  constructor(issues: readonly SpecIssue[]) {
    super(`Invalid training spec: ${issues.length} problem${issues.length === 1 ? "" : "s"}.`, {
      details: issues.map((issue) => `${issue.path}: expected ${issue.expected}, found ${issue.found}`).join("; "),
      hint: "Build specs with buildTrainingSpec, which fills in every default, and fix the fields listed.",
    });
    this.issues = issues;
  }
}

export type BuildTrainingSpecParameters = {
  /** The TF.js layers topology: `model.toJSON(null, false)`, or the JSON string `model.toJSON()` returns. */
  topology: { [key: string]: JsonValue } | string;
  dataset: { assetId: bigint | string; manifest: CID; trainSplit?: string };
  validation: { split?: string; shard: number };
  /** Defaults: adam, learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7 (TF.js's own defaults). */
  optimizer?: {
    name: "sgd" | "momentum" | "adam";
    learningRate?: number;
    momentum?: number;
    beta1?: number;
    beta2?: number;
    epsilon?: number;
  };
  /** Default 32. */
  batchSize?: number;
  /** Default one epoch. */
  local?: LocalWork;
  /** Default 1. */
  shardsPerTrainer?: number;
  /** Defaults: trimmed-mean, robustK 2 (and trimFraction 0.2 for trimmed-mean, 0 for mean). */
  aggregation?: Partial<AggregationRule>;
  /** Default 0. */
  seed?: number;
};

/**
 * Default aggregation: robust filter at 2 median distances, then a 20% trimmed mean. On Fashion-MNIST with IID shards,
 * honest updates sit within 1.15 median distances of the median (bench/results/training.json), so 2 leaves a margin
 * while catching a lazy trainer that adds a little noise to the base model (about 2.3 median distances).
 */
export const DEFAULT_AGGREGATION_RULE: AggregationRule = { rule: "trimmed-mean", robustK: 2, trimFraction: 0.2 };

/** Fills in defaults, then validates; throws InvalidTrainingSpecError listing every problem. */
export function buildTrainingSpec(params: BuildTrainingSpecParameters): TrainingSpec {
  let topology: unknown = params.topology;
  if (typeof topology === "string") {
    try {
      topology = JSON.parse(topology);
    } catch {
      throw new InvalidTrainingSpecError([
        { path: "model.topology", expected: "TF.js layers topology JSON", found: "a string that is not JSON" },
      ]);
    }
  }
  const optimizerName = params.optimizer?.name ?? "adam";
  const learningRate = params.optimizer?.learningRate ?? (optimizerName === "adam" ? 0.001 : 0.01);
  let optimizer: OptimizerSpec;
  if (optimizerName === "sgd") optimizer = { name: "sgd", learningRate };
  else if (optimizerName === "momentum") optimizer = { name: "momentum", learningRate, momentum: params.optimizer?.momentum ?? 0.9 };
  else {
    optimizer = {
      name: "adam",
      learningRate,
      beta1: params.optimizer?.beta1 ?? 0.9,
      beta2: params.optimizer?.beta2 ?? 0.999,
      epsilon: params.optimizer?.epsilon ?? 1e-7,
    };
  }
  const rule = params.aggregation?.rule ?? DEFAULT_AGGREGATION_RULE.rule;
  const spec = {
    format: TRAINING_SPEC_FORMAT,
    model: { format: "tfjs-layers", topology },
    loss: "sparseCategoricalCrossentropy",
    optimizer,
    batchSize: params.batchSize ?? 32,
    local: params.local ?? { unit: "epochs", count: 1 },
    shardsPerTrainer: params.shardsPerTrainer ?? 1,
    aggregation: {
      rule,
      robustK: params.aggregation?.robustK === undefined ? DEFAULT_AGGREGATION_RULE.robustK : params.aggregation.robustK,
      trimFraction: params.aggregation?.trimFraction ?? (rule === "mean" ? 0 : DEFAULT_AGGREGATION_RULE.trimFraction),
    },
    dataset: {
      assetId: typeof params.dataset.assetId === "bigint" ? params.dataset.assetId.toString() : params.dataset.assetId,
      manifest: params.dataset.manifest,
      format: TENSOR_SHARDS_FORMAT,
      trainSplit: params.dataset.trainSplit ?? "train",
    },
    validation: { split: params.validation.split ?? "test", shard: params.validation.shard },
    seed: params.seed ?? 0,
  };
  return validateTrainingSpec(spec);
}

/**
 * Checks that `value` (typically decoded from dag-json) is a complete, well-formed TrainingSpec and returns it typed.
 * Throws InvalidTrainingSpecError with one issue per bad field (path, expected, found).
 */
export function validateTrainingSpec(value: unknown): TrainingSpec {
  const issues: SpecIssue[] = [];
  const spec = record(value, "", issues, [
    "format",
    "model",
    "loss",
    "optimizer",
    "batchSize",
    "local",
    "shardsPerTrainer",
    "aggregation",
    "dataset",
    "validation",
    "seed",
  ]);
  if (spec === null) throw new InvalidTrainingSpecError(issues);

  literal(spec.format, "format", [TRAINING_SPEC_FORMAT], issues);
  const model = record(spec.model, "model", issues, ["format", "topology"]);
  if (model !== null) {
    literal(model.format, "model.format", ["tfjs-layers"], issues);
    checkTopology(model.topology, "model.topology", issues);
  }
  collectLocalTrainingIssues(spec, issues);
  integer(spec.shardsPerTrainer, "shardsPerTrainer", 1, 0xffffffff, issues);
  collectAggregationRuleIssues(spec.aggregation, "aggregation", issues);
  const dataset = record(spec.dataset, "dataset", issues, ["assetId", "manifest", "format", "trainSplit"]);
  if (dataset !== null) {
    if (typeof dataset.assetId !== "string" || !/^(0|[1-9][0-9]{0,77})$/.test(dataset.assetId) || BigInt(dataset.assetId) >= 2n ** 256n) {
      issues.push({ path: "dataset.assetId", expected: "a uint256 in decimal digits, as a string", found: describe(dataset.assetId) });
    }
    if (CID.asCID(dataset.manifest) === null) {
      issues.push({ path: "dataset.manifest", expected: "a CID object (multiformats/cid)", found: describe(dataset.manifest) });
    }
    literal(dataset.format, "dataset.format", [TENSOR_SHARDS_FORMAT], issues);
    name(dataset.trainSplit, "dataset.trainSplit", issues);
  }
  const validation = record(spec.validation, "validation", issues, ["split", "shard"]);
  if (validation !== null) {
    name(validation.split, "validation.split", issues);
    integer(validation.shard, "validation.shard", 0, 0xffffffff, issues);
  }
  integer(spec.seed, "seed", 0, 0xffffffff, issues);

  if (issues.length > 0) throw new InvalidTrainingSpecError(issues);
  return value as TrainingSpec;
}

/** The hyper-parameters of local training, as the trainer takes them (a spec satisfies this type). */
export type LocalTrainingHyperparameters = Pick<TrainingSpec, "optimizer" | "loss" | "batchSize" | "local">;

/** Validates the local-training part of a spec on its own (trainLocally checks its config with this). */
export function validateLocalTraining(value: LocalTrainingHyperparameters): LocalTrainingHyperparameters {
  const issues: SpecIssue[] = [];
  if (value === null || typeof value !== "object") issues.push({ path: "(config)", expected: "an object", found: describe(value) });
  else collectLocalTrainingIssues(value as unknown as Record<string, unknown>, issues);
  if (issues.length > 0) throw new InvalidTrainingSpecError(issues);
  return value;
}

function collectLocalTrainingIssues(spec: Record<string, unknown>, issues: SpecIssue[]): void {
  literal(spec.loss, "loss", ["sparseCategoricalCrossentropy"], issues);
  checkOptimizer(spec.optimizer, issues);
  integer(spec.batchSize, "batchSize", 1, 1 << 20, issues);
  const local = record(spec.local, "local", issues, ["unit", "count"], ["maxSteps"]);
  if (local !== null) {
    literal(local.unit, "local.unit", ["epochs", "steps", "seconds"], issues);
    integer(local.count, "local.count", 1, 1 << 30, issues);
    if (local.maxSteps !== undefined) {
      if (local.unit !== "seconds")
        issues.push({ path: "local.maxSteps", expected: 'no maxSteps: it only caps "seconds" work', found: describe(local.maxSteps) });
      else integer(local.maxSteps, "local.maxSteps", 1, 1 << 30, issues);
    }
  }
}

/** Validates an aggregation rule on its own (the aggregator checks its input with this). */
export function validateAggregationRule(value: unknown): AggregationRule {
  const issues: SpecIssue[] = [];
  collectAggregationRuleIssues(value, "aggregation", issues);
  if (issues.length > 0) throw new InvalidTrainingSpecError(issues);
  return value as AggregationRule;
}

function collectAggregationRuleIssues(value: unknown, path: string, issues: SpecIssue[]): void {
  const rule = record(value, path, issues, ["rule", "robustK", "trimFraction"]);
  if (rule === null) return;
  literal(rule.rule, `${path}.rule`, ["trimmed-mean", "mean"], issues);
  if (rule.robustK !== null && !(typeof rule.robustK === "number" && Number.isFinite(rule.robustK) && rule.robustK >= 1)) {
    issues.push({
      path: `${path}.robustK`,
      expected: "a finite number >= 1, or null to disable the robust filter",
      found: describe(rule.robustK),
    });
  }
  if (rule.rule === "mean" && rule.trimFraction !== 0) {
    issues.push({ path: `${path}.trimFraction`, expected: "0 for the mean rule", found: describe(rule.trimFraction) });
  }
  if (rule.rule === "trimmed-mean" && !(typeof rule.trimFraction === "number" && rule.trimFraction > 0 && rule.trimFraction < 0.5)) {
    issues.push({
      path: `${path}.trimFraction`,
      expected: "a number with 0 < trimFraction < 0.5 for the trimmed-mean rule",
      found: describe(rule.trimFraction),
    });
  }
}

function checkOptimizer(value: unknown, issues: SpecIssue[]): void {
  const name = (value as { name?: unknown } | null)?.name;
  const keys =
    name === "sgd"
      ? ["name", "learningRate"]
      : name === "momentum"
        ? ["name", "learningRate", "momentum"]
        : ["name", "learningRate", "beta1", "beta2", "epsilon"];
  const optimizer = record(value, "optimizer", issues, keys);
  if (optimizer === null) return;
  literal(optimizer.name, "optimizer.name", ["sgd", "momentum", "adam"], issues);
  positive(optimizer.learningRate, "optimizer.learningRate", issues);
  if (name === "momentum") unitInterval(optimizer.momentum, "optimizer.momentum", issues);
  if (name === "adam") {
    unitInterval(optimizer.beta1, "optimizer.beta1", issues);
    unitInterval(optimizer.beta2, "optimizer.beta2", issues);
    positive(optimizer.epsilon, "optimizer.epsilon", issues);
  }
}

function checkTopology(value: unknown, path: string, issues: SpecIssue[]): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    issues.push({ path, expected: "a TF.js layers topology object", found: describe(value) });
    return;
  }
  const topology = value as Record<string, unknown>;
  if (typeof topology.class_name !== "string") {
    issues.push({
      path: `${path}.class_name`,
      expected: 'a model class name such as "Sequential" or "Model"',
      found: describe(topology.class_name),
    });
  }
  const config = topology.config as Record<string, unknown> | undefined;
  if (config === null || typeof config !== "object" || !Array.isArray(config.layers) || config.layers.length === 0) {
    issues.push({ path: `${path}.config.layers`, expected: "a non-empty list of layers", found: describe(config?.layers) });
  }
  const bad = firstNonJson(value, path);
  if (bad !== null)
    issues.push({ path: bad.path, expected: "a JSON value dag-json can store (no undefined, NaN or Infinity)", found: bad.found });
}

function firstNonJson(value: unknown, path: string): { path: string; found: string } | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : { path, found: String(value) };
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const bad = firstNonJson(item, `${path}[${i}]`);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const bad = firstNonJson(item, `${path}.${key}`);
      if (bad !== null) return bad;
    }
    return null;
  }
  return { path, found: describe(value) };
}

function record(
  value: unknown,
  path: string,
  issues: SpecIssue[],
  keys: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> | null {
  if (value === null || typeof value !== "object" || Array.isArray(value) || CID.asCID(value) !== null) {
    issues.push({ path: path || "(spec)", expected: "an object", found: describe(value) });
    return null;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!keys.includes(key) && !optional.includes(key))
      issues.push({
        path: join(path, key),
        expected: `no such field (known: ${[...keys, ...optional].join(", ")})`,
        found: describe(object[key]),
      });
  }
  for (const key of keys) {
    if (!(key in object) || object[key] === undefined) issues.push({ path: join(path, key), expected: "a value", found: "nothing" });
  }
  return object;
}

function literal(value: unknown, path: string, allowed: readonly string[], issues: SpecIssue[]): void {
  if (value === undefined) return;
  if (typeof value !== "string" || !allowed.includes(value)) {
    issues.push({ path, expected: allowed.map((item) => JSON.stringify(item)).join(" or "), found: describe(value) });
  }
}

function integer(value: unknown, path: string, min: number, max: number, issues: SpecIssue[]): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    issues.push({ path, expected: `an integer in [${min}, ${max}]`, found: describe(value) });
  }
}

function positive(value: unknown, path: string, issues: SpecIssue[]): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    issues.push({ path, expected: "a finite number > 0", found: describe(value) });
}

function unitInterval(value: unknown, path: string, issues: SpecIssue[]): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !(value >= 0 && value < 1))
    issues.push({ path, expected: "a number in [0, 1)", found: describe(value) });
}

function name(value: unknown, path: string, issues: SpecIssue[]): void {
  if (value === undefined) return;
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
    issues.push({ path, expected: "a split name (1-64 letters, digits, _ or -)", found: describe(value) });
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "bigint") return `${value}n (a bigint)`;
  const cid = CID.asCID(value);
  if (cid !== null) return `CID ${cid.toString()}`;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
