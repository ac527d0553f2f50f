import assert from "node:assert/strict";
import * as dagJson from "@ipld/dag-json";
import { MemoryBlockstore } from "blockstore-core";
import { CID } from "multiformats/cid";
import {
  InvalidCidError,
  InvalidContentError,
  ManifestValidationError,
  TFJS_VERSION,
  addBytes,
  buildDatasetManifest,
  buildModelManifest,
  buildUpdateManifest,
  encodeManifest,
  loadManifest,
  storeManifest,
  validateDatasetManifest,
  validateManifest,
  validateUpdateManifest,
} from "../../src/index.ts";
import type { DatasetManifestInput, StorageNode } from "../../src/index.ts";
import { pseudoRandomBytes, rejection, useNodes } from "./helpers.ts";

const SHARD = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
const MODEL_DIR = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const TRAINER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function datasetInput(): DatasetManifestInput {
  return {
    name: "Fashion-MNIST",
    description: "Zalando's article images",
    license: "MIT",
    creator: "Zalando Research",
    format: "mycelium/tensor-shards@1",
    schema: { featureShape: [28, 28], dtype: "uint8", labelClasses: ["T-shirt/top", "Trouser", "Pullover"] },
    splits: {
      train: [
        { cid: SHARD, samples: 1000, bytes: 785_000 },
        { cid: SHARD, samples: 500, bytes: 392_500 },
      ],
      test: [{ cid: SHARD, samples: 100, bytes: 78_500 }],
    },
  };
}

function issuesOf(error: ManifestValidationError): string[] {
  return error.issues.map((i) => `${i.path}: expected ${i.expected}, found ${i.found}`);
}

describe("manifests", () => {
  describe("dataset", () => {
    it("builds a valid manifest with links as CIDs and encodes it canonically", async () => {
      const manifest = buildDatasetManifest(datasetInput());
      assert.equal(manifest.manifest, "mycelium/dataset@1");
      assert.ok(manifest.splits.train[0]!.cid instanceof CID);
      assert.equal("validation" in manifest.splits, false);
      const { cid, bytes } = await encodeManifest(manifest);
      assert.equal(cid.code, dagJson.code);
      assert.equal(cid.version, 1);
      const text = new TextDecoder().decode(bytes);
      assert.ok(text.startsWith('{"creator":"Zalando Research","description":'), "keys are sorted");
      assert.ok(text.includes(`{"bytes":785000,"cid":{"/":"${SHARD}"},"samples":1000}`), text);
      // the same content built in another key order gives the same bytes and CID
      const input = datasetInput();
      const reordered = buildDatasetManifest({
        splits: input.splits,
        schema: input.schema,
        format: input.format,
        creator: input.creator,
        license: input.license,
        description: input.description,
        name: input.name,
      });
      assert.equal((await encodeManifest(reordered)).cid.toString(), cid.toString());
    });

    it("lists every problem with the field, what was expected and what was found", () => {
      const bad = {
        ...buildDatasetManifest(datasetInput()),
        name: "",
        format: "tensor shards",
        schema: { featureShape: [28, 0], dtype: "float64", labelClasses: ["a", "a"] },
        splits: { train: [{ cid: SHARD, samples: -1, bytes: 10 }], test: [], extra: [] },
        color: "blue",
      };
      const error = (() => {
        try {
          validateDatasetManifest(bad);
        } catch (e) {
          return e as ManifestValidationError;
        }
        assert.fail("validation passed");
      })();
      assert.ok(error instanceof ManifestValidationError);
      assert.equal(error.kind, "dataset");
      assert.deepEqual(issuesOf(error), [
        'color: expected no such field (allowed: manifest, name, description, license, creator, format, schema, splits), found "blue"',
        'name: expected a string of 1 to 200 characters, found ""',
        'format: expected a format id like mycelium/tensor-shards@1, found "tensor shards"',
        "schema.featureShape[1]: expected a positive integer, found number 0",
        'schema.dtype: expected one of "float32", "float16", "int32", "int16", "int8", "uint8", "uint16", "bool", found "float64"',
        'schema.labelClasses[1]: expected a label not listed before, found "a"',
        "splits.extra: expected no such field (allowed: train, test, validation), found an array of 0 items",
        'splits.train[0].cid: expected a CID link, found "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"',
        "splits.train[0].samples: expected a positive integer, found number -1",
        "splits.test: expected an array of at least 1 item, found an array of 0 items",
      ]);
      assert.match(error.message, /Invalid dataset manifest: 10 problems\./);
    });

    it("reports missing fields and rejects non-objects", () => {
      const { license: _license, ...withoutLicense } = buildDatasetManifest(datasetInput());
      const error = rejectionSync(() => validateDatasetManifest(withoutLicense));
      assert.deepEqual(issuesOf(error), ["license: expected a string of 1 to 200 characters, found nothing"]);
      assert.deepEqual(issuesOf(rejectionSync(() => validateDatasetManifest([]))), [": expected an object, found an array of 0 items"]);
    });

    it("accepts an optional validation split and refuses bad CID strings in the builder", () => {
      const input = datasetInput();
      const manifest = buildDatasetManifest({
        ...input,
        splits: { ...input.splits, validation: [{ cid: SHARD, samples: 1, bytes: 785 }] },
      });
      assert.equal(manifest.splits.validation!.length, 1);
      assert.throws(
        () => buildDatasetManifest({ ...input, splits: { ...input.splits, test: [{ cid: "not-a-cid", samples: 1, bytes: 1 }] } }),
        InvalidCidError,
      );
    });
  });

  describe("model and update", () => {
    const modelInput = {
      name: "fashion-mlp",
      license: "Apache-2.0",
      creator: "mycelium",
      model: MODEL_DIR,
      inputs: [{ name: "pixels", shape: [null, 28, 28], dtype: "float32" as const }],
      outputs: [{ name: "classes", shape: [null, 10], dtype: "float32" as const }],
      metrics: { accuracy: 0.875, loss: 0.31 },
    };

    it("builds a model manifest with the TF.js framework version and null lineage fields", async () => {
      const manifest = buildModelManifest({ ...modelInput, lineage: { datasets: [SHARD] } });
      assert.deepEqual(manifest.framework, { name: "@tensorflow/tfjs", version: TFJS_VERSION });
      assert.equal(manifest.format, "tfjs-layers-model");
      assert.deepEqual(
        { ...manifest.lineage, datasets: manifest.lineage.datasets.map(String) },
        { datasets: [SHARD], baseModel: null, job: null, round: null },
      );
      const tf = await import("@tensorflow/tfjs");
      assert.equal(TFJS_VERSION, tf.version.tfjs, "the default framework version is the installed TF.js");
    });

    it("rejects non-finite metrics, half-filled lineage and unknown dtypes", () => {
      const manifest = buildModelManifest(modelInput);
      const bad = {
        ...manifest,
        metrics: { accuracy: Number.NaN },
        lineage: { ...manifest.lineage, round: 2 },
        outputs: [{ name: "y", shape: [null, 0], dtype: "string" }],
      };
      assert.deepEqual(issuesOf(rejectionSync(() => validateManifest(bad))), [
        "outputs[0].shape[1]: expected a positive integer, found number 0",
        'outputs[0].dtype: expected one of "float32", "float16", "int32", "int16", "int8", "uint8", "uint16", "bool", found "string"',
        "metrics.accuracy: expected a finite number, found number NaN",
        "lineage.round: expected null when lineage.job is null, found number 2",
      ]);
    });

    it("builds an update manifest whose lineage repeats its job, round and base model, with a checksummed trainer", () => {
      const update = buildUpdateManifest({
        ...modelInput,
        job: { chainId: 31337, contract: CONTRACT.toLowerCase(), id: 7n },
        round: 3,
        trainer: TRAINER.toLowerCase(),
        samples: 1200,
        baseModel: MODEL_DIR,
        datasets: [SHARD],
      });
      assert.equal(update.manifest, "mycelium/update@1");
      assert.equal(update.trainer, TRAINER);
      assert.deepEqual(update.job, { chainId: 31337, contract: CONTRACT, id: "7" });
      assert.deepEqual(update.lineage.job, update.job);
      assert.equal(update.lineage.round, 3);
      assert.ok(update.lineage.baseModel!.equals(update.baseModel));

      const inconsistent = {
        ...update,
        lineage: { ...update.lineage, round: 2 },
        trainer: TRAINER.toLowerCase(),
        samples: 0,
        job: { ...update.job, id: "007" },
      };
      assert.deepEqual(issuesOf(rejectionSync(() => validateUpdateManifest(inconsistent))), [
        'job.id: expected a decimal string of an unsigned 256-bit integer, without leading zeros, found "007"',
        `trainer: expected the checksummed address ${TRAINER}, found "${TRAINER.toLowerCase()}"`,
        "samples: expected a positive integer, found number 0",
        "lineage.round: expected the update's round 3, found number 2",
      ]);

      // The declared work a replay audit re-runs: optional, a positive integer when present.
      const declared = buildUpdateManifest({
        ...modelInput,
        job: { chainId: 31337, contract: CONTRACT, id: 7n },
        round: 3,
        trainer: TRAINER,
        samples: 1200,
        baseModel: MODEL_DIR,
        steps: 38,
      });
      assert.equal(declared.steps, 38);
      assert.equal("steps" in update, false);
      assert.deepEqual(issuesOf(rejectionSync(() => validateUpdateManifest({ ...declared, steps: 0 }))), [
        "steps: expected a positive integer, found number 0",
      ]);
    });

    it("refuses a manifest of unknown kind", () => {
      assert.deepEqual(issuesOf(rejectionSync(() => validateManifest({ manifest: "mycelium/dataset@2" }))), [
        'manifest: expected one of "mycelium/dataset@1", "mycelium/model@1", "mycelium/update@1", found "mycelium/dataset@2"',
      ]);
    });
  });

  describe("store and load", () => {
    const context = useNodes("all", { pair: true });
    let a: StorageNode;
    let b: StorageNode;
    before(() => ({ a, b } = context));

    it("stores a manifest on one node and loads it, validated and typed, on the other", async () => {
      const shard = await addBytes(a, pseudoRandomBytes(785, 1));
      const manifest = buildDatasetManifest({
        ...datasetInput(),
        splits: { train: [{ cid: shard, samples: 1, bytes: 785 }], test: [{ cid: shard, samples: 1, bytes: 785 }] },
      });
      const cid = await storeManifest(a, manifest);
      const loaded = await loadManifest(b, cid, { kind: "dataset" });
      assert.equal(loaded.name, "Fashion-MNIST");
      assert.ok(loaded.splits.train[0]!.cid.equals(shard));
      assert.deepEqual(await loadManifest(b, cid), loaded);
    });

    it("refuses to load a manifest of another kind, a non-manifest record, or a file CID", async () => {
      const blockstore = new MemoryBlockstore();
      const cid = await storeManifest({ blockstore }, buildDatasetManifest(datasetInput()));
      const wrongKind = await rejection(loadManifest({ blockstore }, cid, { kind: "model" }), ManifestValidationError);
      assert.deepEqual(issuesOf(wrongKind), ['manifest: expected "mycelium/model@1", found "mycelium/dataset@1"']);
      assert.equal(wrongKind.message.includes(cid.toString()), true);

      const { cid: other } = await encodeRecord(blockstore, { hello: "world" });
      await rejection(loadManifest({ blockstore }, other), ManifestValidationError);
      await rejection(loadManifest({ blockstore }, SHARD), InvalidContentError);
      await rejection(storeManifest({ blockstore }, { ...buildDatasetManifest(datasetInput()), name: "" }), ManifestValidationError);
    });
  });
});

function rejectionSync(run: () => unknown): ManifestValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ManifestValidationError) return error;
    throw error;
  }
  assert.fail("expected ManifestValidationError");
}

async function encodeRecord(blockstore: MemoryBlockstore, value: unknown): Promise<{ cid: CID }> {
  const bytes = dagJson.encode(value);
  const { sha256 } = await import("multiformats/hashes/sha2");
  const cid = CID.createV1(dagJson.code, await sha256.digest(bytes));
  await blockstore.put(cid, bytes);
  return { cid };
}
