import * as dagJson from "@ipld/dag-json";
import { expect } from "chai";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import {
  DEFAULT_AGGREGATION_RULE,
  InvalidTrainingSpecError,
  TENSOR_SHARDS_FORMAT,
  TRAINING_SPEC_FORMAT,
  buildTrainingSpec,
  validateAggregationRule,
  validateTrainingSpec,
  type JsonValue,
  type SpecIssue,
} from "../../src/index.ts";

const topology: { [key: string]: JsonValue } = {
  class_name: "Sequential",
  config: {
    name: "sequential_1",
    layers: [
      {
        class_name: "Dense",
        config: {
          units: 128,
          activation: "relu",
          batch_input_shape: [null, 784],
          dtype: "float32",
          kernel_initializer: { class_name: "VarianceScaling", config: { scale: 1, mode: "fan_avg", distribution: "normal", seed: null } },
        },
      },
      { class_name: "Dense", config: { units: 10, activation: "softmax" } },
    ],
  },
  keras_version: "tfjs-layers 4.22.0",
  backend: "tensor_flow.js",
};

async function manifestCid(): Promise<CID> {
  return CID.create(1, dagJson.code, await sha256.digest(new TextEncoder().encode("a dataset manifest")));
}

function issuesOf(call: () => unknown): SpecIssue[] {
  try {
    call();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidTrainingSpecError);
    return [...(error as InvalidTrainingSpecError).issues];
  }
  throw new Error("expected InvalidTrainingSpecError");
}

describe("training spec", () => {
  it("is built with every default written out", async () => {
    const manifest = await manifestCid();
    const spec = buildTrainingSpec({ topology, dataset: { assetId: 7n, manifest }, validation: { shard: 0 } });
    expect(spec).to.deep.equal({
      format: TRAINING_SPEC_FORMAT,
      model: { format: "tfjs-layers", topology },
      loss: "sparseCategoricalCrossentropy",
      optimizer: { name: "adam", learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      batchSize: 32,
      local: { unit: "epochs", count: 1 },
      shardsPerTrainer: 1,
      aggregation: DEFAULT_AGGREGATION_RULE,
      dataset: { assetId: "7", manifest, format: TENSOR_SHARDS_FORMAT, trainSplit: "train" },
      validation: { split: "test", shard: 0 },
      seed: 0,
    });
    expect(
      buildTrainingSpec({ topology: JSON.stringify(topology), dataset: { assetId: "7", manifest }, validation: { shard: 0 } }),
    ).to.deep.equal(spec);
  });

  it("survives dag-json with the manifest as a link", async () => {
    const manifest = await manifestCid();
    const spec = buildTrainingSpec({
      topology,
      dataset: { assetId: "115792089237316195423570985008687907853269984665640564039457584007913129639935", manifest },
      validation: { split: "validation", shard: 3 },
      optimizer: { name: "momentum", learningRate: 0.05 },
      local: { unit: "steps", count: 200 },
      shardsPerTrainer: 10,
      aggregation: { rule: "mean", robustK: null },
      seed: 4294967295,
    });
    const bytes = dagJson.encode(spec);
    expect(new TextDecoder().decode(bytes)).to.contain(`"manifest":{"/":"${manifest.toString()}"}`);
    const decoded = validateTrainingSpec(dagJson.decode(bytes));
    expect(decoded).to.deep.equal(spec);
    expect(CID.asCID(decoded.dataset.manifest)?.equals(manifest)).to.equal(true);
    expect(decoded.aggregation).to.deep.equal({ rule: "mean", robustK: null, trimFraction: 0 });
  });

  it("lists every problem with its path, what was expected and what was found", async () => {
    const manifest = await manifestCid();
    const spec = buildTrainingSpec({ topology, dataset: { assetId: "1", manifest }, validation: { shard: 0 } });
    const broken = {
      ...spec,
      batchSize: 0,
      local: { unit: "hours", count: 1 },
      optimizer: { name: "adam", learningRate: -1, beta1: 0.9, beta2: 1, epsilon: 1e-7 },
      aggregation: { rule: "trimmed-mean", robustK: 0.5, trimFraction: 0 },
      dataset: { ...spec.dataset, manifest: manifest.toString(), assetId: 1 },
      validation: { split: "test" },
      extra: true,
    };
    expect(issuesOf(() => validateTrainingSpec(broken))).to.deep.equal([
      {
        path: "extra",
        expected:
          "no such field (known: format, model, loss, optimizer, batchSize, local, shardsPerTrainer, " +
          "aggregation, dataset, validation, seed)",
        found: "true",
      },
      { path: "optimizer.learningRate", expected: "a finite number > 0", found: "-1" },
      { path: "optimizer.beta2", expected: "a number in [0, 1)", found: "1" },
      { path: "batchSize", expected: "an integer in [1, 1048576]", found: "0" },
      { path: "local.unit", expected: '"epochs" or "steps" or "seconds"', found: '"hours"' },
      { path: "aggregation.robustK", expected: "a finite number >= 1, or null to disable the robust filter", found: "0.5" },
      { path: "aggregation.trimFraction", expected: "a number with 0 < trimFraction < 0.5 for the trimmed-mean rule", found: "0" },
      { path: "dataset.assetId", expected: "a uint256 in decimal digits, as a string", found: "1" },
      { path: "dataset.manifest", expected: "a CID object (multiformats/cid)", found: JSON.stringify(manifest.toString()) },
      { path: "validation.shard", expected: "a value", found: "nothing" },
    ]);
  });

  it("checks the topology, the mean rule's trim and the spec's shape", async () => {
    const manifest = await manifestCid();
    const spec = buildTrainingSpec({ topology, dataset: { assetId: "1", manifest }, validation: { shard: 0 } });
    expect(
      issuesOf(() => validateTrainingSpec({ ...spec, model: { format: "tfjs-layers", topology: { config: { layers: [] } } } })),
    ).to.deep.equal([
      { path: "model.topology.class_name", expected: 'a model class name such as "Sequential" or "Model"', found: "nothing" },
      { path: "model.topology.config.layers", expected: "a non-empty list of layers", found: "[]" },
    ]);
    const withNaN = { ...topology, extra: Number.NaN };
    expect(issuesOf(() => validateTrainingSpec({ ...spec, model: { format: "tfjs-layers", topology: withNaN } }))[0]).to.deep.equal({
      path: "model.topology.extra",
      expected: "a JSON value dag-json can store (no undefined, NaN or Infinity)",
      found: "NaN",
    });
    expect(issuesOf(() => validateAggregationRule({ rule: "mean", robustK: 3, trimFraction: 0.1 }))).to.deep.equal([
      { path: "aggregation.trimFraction", expected: "0 for the mean rule", found: "0.1" },
    ]);
    expect(issuesOf(() => validateTrainingSpec(null))).to.deep.equal([{ path: "(spec)", expected: "an object", found: "null" }]);
    // maxSteps caps "seconds" work only (epochs and steps fix the step count), within the count's range.
    expect(validateTrainingSpec({ ...spec, local: { unit: "seconds", count: 30, maxSteps: 500 } }).local).to.deep.equal({
      unit: "seconds",
      count: 30,
      maxSteps: 500,
    });
    expect(issuesOf(() => validateTrainingSpec({ ...spec, local: { unit: "epochs", count: 1, maxSteps: 5 } }))).to.deep.equal([
      { path: "local.maxSteps", expected: 'no maxSteps: it only caps "seconds" work', found: "5" },
    ]);
    expect(
      issuesOf(() => validateTrainingSpec({ ...spec, local: { unit: "seconds", count: 30, maxSteps: 0 } })).map((i) => i.path),
    ).to.deep.equal(["local.maxSteps"]);
    expect(
      issuesOf(() => validateTrainingSpec({ ...spec, seed: 2 ** 32, format: "mycelium/training-spec@2" })).map((issue) => issue.path),
    ).to.deep.equal(["format", "seed"]);
    expect(() => buildTrainingSpec({ topology: "{not json", dataset: { assetId: "1", manifest }, validation: { shard: 0 } })).to.throw(
      InvalidTrainingSpecError,
      /not JSON/,
    );
  });
});
