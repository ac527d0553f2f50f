import * as tf from "@tensorflow/tfjs";
import { expect } from "chai";
import {
  AbortedError,
  IncompatibleModelError,
  InvalidTrainingSpecError,
  createTensorDataset,
  fromModelArtifacts,
  generateBlobsDataset,
  sliceDataset,
  toModelArtifacts,
  weightsDigest,
} from "@mycelium/client";
import { evaluateModel, initializeModel, selectBackend, trainLocally } from "../src/index.ts";
import { blobsConfig, blobsTopology } from "./harness/fixtures.ts";

describe("local training", () => {
  const data = generateBlobsDataset({ seed: 3, samples: 2000 });
  const train = sliceDataset(data, 0, 1500);
  const test = sliceDataset(data, 1500, 2000);

  before(async () => {
    await selectBackend({ backend: "wasm", log: () => {} });
  });

  it("improves accuracy on the generated task", async () => {
    const base = await initializeModel({ topology: blobsTopology(), seed: 11 });
    const before = await evaluateModel({ model: base, data: test });
    const progress: number[] = [];
    const result = await trainLocally({
      model: base,
      data: train,
      config: { ...blobsConfig, local: { unit: "epochs", count: 3 } },
      onProgress: (event) => progress.push(event.step),
    });
    const after = await evaluateModel({ model: { ...base, weights: result.weights }, data: test });
    expect(before.accuracy).to.be.lessThan(0.5);
    expect(after.accuracy).to.be.greaterThan(0.8);
    expect(after.loss).to.be.lessThan(before.loss);
    expect(result.samples).to.equal(1500);
    expect(result.steps).to.equal(3 * Math.ceil(1500 / 32));
    expect(result.sampleVisits).to.equal(4500);
    expect(result.accuracy).to.be.greaterThan(0.8);
    expect(progress).to.deep.equal(Array.from({ length: result.steps }, (_, i) => i + 1));
    expect(result.weightSpecs).to.deep.equal(base.weightSpecs);
    expect(result.weights.map((w) => w.length)).to.deep.equal(base.weights.map((w) => w.length));
  });

  it("is reproducible: same model, data, config and seed give the same weights; another seed does not", async () => {
    const base = await initializeModel({ topology: blobsTopology(), seed: 11 });
    const again = await initializeModel({ topology: blobsTopology(), seed: 11 });
    expect(weightsDigest(again.weights)).to.equal(weightsDigest(base.weights));
    expect(weightsDigest((await initializeModel({ topology: blobsTopology(), seed: 12 })).weights)).to.not.equal(
      weightsDigest(base.weights),
    );
    const run = (seed: number) => trainLocally({ model: base, data: sliceDataset(train, 0, 300), config: { ...blobsConfig, seed } });
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(weightsDigest(a.weights)).to.equal(weightsDigest(b.weights));
    expect(weightsDigest(a.weights)).to.not.equal(weightsDigest(c.weights));
    expect(tf.memory().numTensors).to.be.lessThan(5);
  });

  it("runs exactly the requested number of steps, continuing into new passes", async () => {
    const base = await initializeModel({ topology: blobsTopology(), seed: 11 });
    const result = await trainLocally({
      model: base,
      data: sliceDataset(train, 0, 100),
      config: { ...blobsConfig, batchSize: 32, local: { unit: "steps", count: 9 } },
    });
    expect(result.steps).to.equal(9);
    // passes of 100 samples are batches of 32, 32, 32, 4
    expect(result.sampleVisits).to.equal(32 * 3 + 4 + 32 * 3 + 4 + 32);
  });

  it("trains for the requested seconds, in as many passes as fit, and starts no step after the deadline (but always one)", async () => {
    const base = await initializeModel({ topology: blobsTopology(), seed: 11 });
    const data = sliceDataset(train, 0, 100);
    const config = { ...blobsConfig, batchSize: 32, local: { unit: "seconds" as const, count: 1 } };
    const progress: (number | null)[] = [];
    const timed = await trainLocally({ model: base, data, config, onProgress: (event) => progress.push(event.totalSteps) });
    expect(timed.durationMs).to.be.at.least(1000);
    expect(timed.steps).to.be.greaterThan(4); // more than one pass of 4 batches
    expect(timed.sampleVisits).to.be.greaterThan(100);
    expect(new Set(progress)).to.deep.equal(new Set([null]));
    const late = await trainLocally({ model: base, data, config, deadline: Date.now() - 1 });
    expect(late.steps).to.equal(1);
    expect(late.sampleVisits).to.equal(32);
    expect(late.samples).to.equal(100);
    // maxSteps ends "seconds" work early, however much time is left.
    const capped = await trainLocally({ model: base, data, config: { ...config, local: { ...config.local, count: 60, maxSteps: 3 } } });
    expect(capped.steps).to.equal(3);
    expect(capped.durationMs).to.be.below(60_000);
  });

  it("stops when aborted", async () => {
    const base = await initializeModel({ topology: blobsTopology(), seed: 11 });
    const controller = new AbortController();
    let error: unknown;
    try {
      await trainLocally({
        model: base,
        data: train,
        config: blobsConfig,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.step === 3) controller.abort();
        },
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(AbortedError);
  });

  it("refuses a config that cannot run, before any work", async () => {
    const base = await initializeModel({ topology: blobsTopology(), seed: 11 });
    let error: unknown;
    try {
      await trainLocally({ model: base, data: train, config: { ...blobsConfig, batchSize: 0, local: { unit: "epochs", count: 1.5 } } });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(InvalidTrainingSpecError);
    expect((error as InvalidTrainingSpecError).issues.map((issue) => issue.path)).to.deep.equal(["batchSize", "local.count"]);
  });

  it("refuses data that does not fit the model", async () => {
    const base = await initializeModel({ topology: blobsTopology(), seed: 11 });
    const wide = createTensorDataset({ featureShape: [17], features: new Float32Array(17 * 4), labels: new Uint8Array(4), classCount: 4 });
    const manyClasses = createTensorDataset({
      featureShape: [16],
      features: new Float32Array(16 * 4),
      labels: new Uint8Array(4),
      classCount: 9,
    });
    for (const bad of [wide, manyClasses]) {
      let error: unknown;
      try {
        await trainLocally({ model: base, data: bad, config: blobsConfig });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(IncompatibleModelError);
    }
  });
});

describe("model artifacts", () => {
  it("round-trip through TF.js ModelArtifacts and reorder weights by name", async () => {
    await selectBackend({ backend: "wasm", log: () => {} });
    const model = await initializeModel({ topology: blobsTopology(), seed: 1 });
    const artifacts = toModelArtifacts(model);
    const back = fromModelArtifacts(artifacts, model.weightSpecs);
    expect(weightsDigest(back.weights)).to.equal(weightsDigest(model.weights));
    const reversed = fromModelArtifacts(
      { ...toModelArtifacts({ ...model, weightSpecs: [...model.weightSpecs].reverse(), weights: [...model.weights].reverse() }) },
      model.weightSpecs,
    );
    expect(weightsDigest(reversed.weights)).to.equal(weightsDigest(model.weights));
  });

  it("rejects weights that do not match the expected specs", async () => {
    const model = await initializeModel({ topology: blobsTopology(), seed: 1 });
    const artifacts = toModelArtifacts(model);
    const wrongShape = model.weightSpecs.map((spec, i) => (i === 0 ? { ...spec, shape: [spec.shape[1]!, spec.shape[0]!] } : spec));
    expect(() => fromModelArtifacts(artifacts, wrongShape)).to.throw(IncompatibleModelError, /do not match/);
    expect(() => fromModelArtifacts({ ...artifacts, weightData: (artifacts.weightData as ArrayBuffer).slice(4) })).to.throw(
      IncompatibleModelError,
      /longer|shorter/,
    );
    expect(() => fromModelArtifacts({ ...artifacts, weightSpecs: [{ ...artifacts.weightSpecs![0]!, dtype: "int32" }] })).to.throw(
      IncompatibleModelError,
      /not plain float32/,
    );
  });
});
