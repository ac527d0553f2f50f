import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { MemoryBlockstore } from "blockstore-core";
import {
  MODEL_JSON,
  ModelStorageError,
  addBytes,
  canonicalJson,
  fetchBytes,
  ipfsModelHandler,
  listDirectory,
  loadModel,
  loadModelWeights,
  resolvePath,
  saveModel,
  storeModelWithWeights,
} from "../../src/index.ts";
import type { StorageNode } from "../../src/index.ts";
import { buildModel, tf } from "./fixtures/model.ts";
import { rejection, useNodes } from "./helpers.ts";

const run = promisify(execFile);

function predict(model: tf.LayersModel): number[] {
  return tf.tidy(() =>
    Array.from(
      (model.predict(tf.tensor3d([Array.from({ length: 16 }, (_, i) => (i % 5) / 5)].map(rows4), [1, 4, 4])) as tf.Tensor).dataSync(),
    ),
  );
}

function rows4(values: number[]): number[][] {
  return [values.slice(0, 4), values.slice(4, 8), values.slice(8, 12), values.slice(12, 16)];
}

describe("TF.js models on IPFS", () => {
  const context = useNodes("all", { pair: true });
  let a: StorageNode;
  let b: StorageNode;
  before(async () => {
    await tf.setBackend("cpu");
    ({ a, b } = context);
  });

  it("saves a model on one node and loads it on another with identical predictions", async () => {
    const model = buildModel();
    const cid = await saveModel(a, model);
    assert.deepEqual(
      (await listDirectory(a, cid)).map((e) => e.name),
      ["model.json", "weights.bin"],
    );
    const loaded = await loadModel(b, cid);
    assert.deepEqual(predict(loaded), predict(model));
    assert.equal(loaded.name, "fixture_mlp");
  });

  it("gives the same CID for the same weights, in this process and in another one", async () => {
    const first = await saveModel(a, buildModel());
    const second = await saveModel({ blockstore: new MemoryBlockstore() }, buildModel());
    assert.equal(first.toString(), second.toString());
    const script = fileURLToPath(new URL("./fixtures/save-model.ts", import.meta.url));
    const { stdout } = await run(process.execPath, ["--import", "tsx", script], { cwd: fileURLToPath(new URL("../..", import.meta.url)) });
    assert.equal(stdout.trim(), first.toString());
    const other = buildModel();
    other.setWeights(other.getWeights().map((w) => tf.add(w, 0.001)));
    assert.notEqual((await saveModel(a, other)).toString(), first.toString());
  });

  it("writes canonical model.json: sorted keys, weights.bin by relative path", async () => {
    const cid = await saveModel(a, buildModel());
    const text = new TextDecoder().decode(await fetchBytes(a, await resolvePath(a, cid, MODEL_JSON)));
    const json = JSON.parse(text) as { weightsManifest: { paths: string[]; weights: { name: string }[] }[]; format: string };
    assert.equal(text, JSON.stringify(sortKeys(json)));
    assert.deepEqual(
      json.weightsManifest.map((g) => g.paths),
      [["weights.bin"]],
    );
    assert.deepEqual(
      json.weightsManifest[0]!.weights.map((w) => w.name),
      ["hidden/kernel", "hidden/bias", "output/kernel", "output/bias"],
    );
    assert.equal(json.format, "layers-model");
  });

  it("canonical JSON sorts every key by UTF-16 code units, integer-like ones too, and refuses numbers JSON cannot hold", () => {
    const value = { b: 1, "10": [1e21, -0, 0.1, undefined], "9": { z: null, "": true }, a: "é\u0000", "-1": 2, skip: undefined };
    assert.equal(canonicalJson(value), '{"-1":2,"10":[1e+21,0,0.1,null],"9":{"":true,"z":null},"a":"é\\u0000","b":1}');
    for (const bad of [Number.POSITIVE_INFINITY, Number.NaN]) {
      assert.throws(
        () => canonicalJson({ config: { layers: [{ scale: bad }] } }),
        (error: unknown) => error instanceof ModelStorageError && error.shortMessage.includes("$.config.layers[0].scale"),
      );
    }
    assert.throws(() => canonicalJson({ big: 1n }), ModelStorageError);
  });

  it("is loadable with plain tf.loadLayersModel from the node's HTTP gateway", async () => {
    const model = buildModel();
    const cid = await saveModel(a, model);
    const fromGateway = await tf.loadLayersModel(`${a.gatewayUrl}/ipfs/${cid.toString()}/model.json`);
    assert.deepEqual(predict(fromGateway), predict(model));
    // the other node serves it too once it has fetched it
    await loadModel(b, cid);
    const fromPeer = await tf.loadLayersModel(`${b.gatewayUrl}/ipfs/${cid.toString()}/model.json`);
    assert.deepEqual(predict(fromPeer), predict(model));
  });

  it("exposes the flat weights in weight-spec order for aggregation, and stores new weights canonically", async () => {
    const model = buildModel();
    const cid = await saveModel(a, model);
    const { weights, bytes } = await loadModelWeights(b, cid);
    const expected = model.getWeights();
    assert.deepEqual(
      weights.map((w) => [w.name, w.shape, w.dtype]),
      [
        ["hidden/kernel", [16, 8], "float32"],
        ["hidden/bias", [8], "float32"],
        ["output/kernel", [8, 3], "float32"],
        ["output/bias", [3], "float32"],
      ],
    );
    weights.forEach((w, i) => {
      assert.ok(w.values instanceof Float32Array);
      assert.deepEqual(Array.from(w.values), Array.from(expected[i]!.dataSync()));
    });
    assert.equal(bytes.byteLength, (16 * 8 + 8 + 8 * 3 + 3) * 4);

    const halved = weights.map((w) => (w.values as Float32Array).map((v) => Math.fround(v / 2)));
    const stored = await storeModelWithWeights(b, cid, halved);
    model.setWeights(halved.map((values, i) => tf.tensor(values, weights[i]!.shape)));
    assert.equal(
      stored.toString(),
      (await saveModel({ blockstore: new MemoryBlockstore() }, model)).toString(),
      "the same model saved by TF.js has the same CID",
    );
    assert.deepEqual(predict(await loadModel(a, stored)), predict(model));

    const wrong = await rejection(storeModelWithWeights(b, cid, halved.slice(1)), ModelStorageError);
    assert.match(wrong.details ?? "", /4 weights, 3 arrays/);
    await rejection(storeModelWithWeights(b, cid, [new Float32Array(3), ...halved.slice(1)]), ModelStorageError);
  });

  it("refuses to load what is not a model", async () => {
    const file = await addBytes(a, new TextEncoder().encode("not a model"));
    await rejection(loadModel(b, file), ModelStorageError);
    await rejection(ipfsModelHandler(b).load!(), ModelStorageError);
  });
});

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
