import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import type { Account } from "viem";
import { getTransactionCount } from "viem/actions";
import { getAsset } from "../../src/actions/getAsset.ts";
import { publish, type PublishProgressEvent } from "../../src/actions/publish.ts";
import type { MyceliumClient } from "../../src/chain/client.ts";
import { InvalidTensorShardError } from "../../src/datasets/errors.ts";
import { InvalidArgumentError } from "../../src/errors/chain.ts";
import { ManifestValidationError } from "../../src/errors/manifest.ts";
import { loadManifest } from "../../src/manifests/codec.ts";
import type { DatasetManifest } from "../../src/manifests/dataset.ts";
import { createStorageNode, type StorageNode } from "../../src/storage/node.ts";
import { saveManifestContent } from "../../src/publishing/download.ts";
import { fetchBytes } from "../../src/storage/read.ts";
import { rejection } from "../helpers/rejection.ts";
import { devnetAccount, makeDatasetDirectory, makeModelDirectory, tempDirectory, useTestNetwork } from "@mycelium/devkit";

describe("publish (content, manifest and mint) against a devnet and a Helia node", function () {
  this.timeout(120_000);
  const chain = useTestNetwork();
  let client: MyceliumClient<Account>;
  let node: StorageNode;
  let dataDir: string;

  before(async () => {
    client = await chain.get().client(devnetAccount(1));
    dataDir = tempDirectory("myc-publish-node-");
    node = await createStorageNode({ dataDir, network: "loopback", gateway: false });
  });
  after(async () => {
    await node?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  let datasetId: bigint;
  let datasetManifest: DatasetManifest;

  it("publishes a dataset directory: shards added, manifest stored, asset minted with its listing", async () => {
    const directory = await makeDatasetDirectory();
    fs.writeFileSync(path.join(directory, "labels.json"), JSON.stringify(["north", "east", "south", "west"]));
    const events: PublishProgressEvent[] = [];
    const published = await publish(client, {
      storage: node,
      kind: "dataset",
      path: directory,
      info: { name: "Blobs", description: "Four Gaussian blobs", license: "CC0-1.0" },
      listing: { price: 1_000_000n },
      onProgress: (event) => events.push(event),
    });
    datasetId = published.assetId;
    expect(published.kind).to.equal("dataset");
    expect(published.datatoken).to.match(/^0x/);
    const types = events.map((event) => event.type);
    expect(types).to.include("add");
    expect(types.slice(-3)).to.deep.equal(["manifest-stored", "transaction-sent", "transaction-confirmed"]);
    const lastAdd = events.filter((event) => event.type === "add").at(-1) as { bytes: number; totalBytes: number };
    expect(lastAdd.bytes).to.equal(lastAdd.totalBytes);

    const asset = await getAsset(client, { assetId: datasetId });
    datasetManifest = await loadManifest(node, asset.manifestCid, { kind: "dataset" });
    expect(datasetManifest).to.deep.include({
      name: "Blobs",
      license: "CC0-1.0",
      creator: devnetAccount(1).address,
      format: "mycelium/tensor-shards@1",
    });
    expect(datasetManifest.schema).to.deep.equal({
      featureShape: [16],
      dtype: "float32",
      labelClasses: ["north", "east", "south", "west"],
    });
    expect(datasetManifest.splits.train.map((shard) => shard.samples)).to.deep.equal([100, 100, 100]);
    expect(datasetManifest.splits.test).to.have.length(1);
    const firstShard = await fetchBytes(node, datasetManifest.splits.train[0]!.cid);
    expect(Buffer.from(firstShard).equals(fs.readFileSync(path.join(directory, "train", "0000.myts")))).to.equal(true);
  });

  it("publishes a model directory with its tensor specs and its lineage from the asset parents", async () => {
    const published = await publish(client, {
      storage: node,
      kind: "model",
      path: await makeModelDirectory(),
      info: { name: "Blob classifier", license: "MIT", creator: "Mycelium tests" },
      metrics: { accuracy: 0.9 },
      parents: [datasetId],
    });
    expect(published.kind).to.equal("model");
    const manifest = await loadManifest(node, published.manifestCid, { kind: "model" });
    expect(manifest.inputs).to.deep.equal([{ name: "hidden_input", shape: [null, 16], dtype: "float32" }]);
    expect(manifest.outputs).to.deep.equal([{ name: "probabilities", shape: [null, 4], dtype: "float32" }]);
    expect(manifest.metrics).to.deep.equal({ accuracy: 0.9 });
    const datasetCid = (await getAsset(client, { assetId: datasetId })).manifestCid;
    expect(manifest.lineage.datasets.map(String)).to.deep.equal([datasetCid.toString()]);
    expect(manifest.lineage.baseModel).to.equal(null);
    // The same model directory gives the same model CID (canonical serialization).
    const again = await publish(client, {
      storage: node,
      kind: "model",
      path: await makeModelDirectory(),
      info: { name: "Copy", license: "MIT" },
    });
    const copy = await loadManifest(node, again.manifestCid, { kind: "model" });
    expect(copy.model.equals(manifest.model)).to.equal(true);
  });

  it("saveManifestContent writes back the published dataset and model", async () => {
    const datasetDirectory = await makeDatasetDirectory();
    const dataset = await publish(client, {
      storage: node,
      kind: "dataset",
      path: datasetDirectory,
      info: { name: "Round trip", license: "MIT" },
    });
    const savedDataset = tempDirectory("myc-saved-");
    const result = await saveManifestContent(node, dataset.manifestCid, savedDataset);
    expect(result.files.sort()).to.deep.equal([
      "labels.json",
      "manifest.json",
      "test/0000.myts",
      "train/0000.myts",
      "train/0001.myts",
      "train/0002.myts",
    ]);
    for (const file of ["train/0000.myts", "train/0002.myts", "test/0000.myts"]) {
      expect(fs.readFileSync(path.join(savedDataset, file)).equals(fs.readFileSync(path.join(datasetDirectory, file))), file).to.equal(
        true,
      );
    }
    const modelDirectory = await makeModelDirectory();
    const model = await publish(client, {
      storage: node,
      kind: "model",
      path: modelDirectory,
      info: { name: "Round trip model", license: "MIT" },
    });
    const savedModel = tempDirectory("myc-saved-");
    expect((await saveManifestContent(node, model.manifestCid, savedModel)).files).to.deep.equal([
      "model.json",
      "weights.bin",
      "manifest.json",
    ]);
    for (const file of ["model.json", "weights.bin"])
      expect(fs.readFileSync(path.join(savedModel, file)).equals(fs.readFileSync(path.join(modelDirectory, file))), file).to.equal(true);
  });

  it("publishes a complete manifest as given", async () => {
    const published = await publish(client, { storage: node, manifest: { ...datasetManifest, name: "Blobs, again" } });
    expect(published.kind).to.equal("dataset");
    expect((await loadManifest(node, published.manifestCid, { kind: "dataset" })).name).to.equal("Blobs, again");
  });

  it("sends nothing for a manifest missing fields, a corrupt shard, or a directory that is not a dataset", async () => {
    const before = await getTransactionCount(client, { address: devnetAccount(1).address });
    const { license: _license, schema: _schema, ...incomplete } = datasetManifest;
    const invalid = await rejection(publish(client, { storage: node, manifest: incomplete as never }));
    expect(invalid).to.be.instanceOf(ManifestValidationError);
    expect((invalid as ManifestValidationError).issues.map((issue) => issue.path)).to.include.members(["license", "schema"]);

    const corrupt = await makeDatasetDirectory(2);
    const shard = path.join(corrupt, "train", "0001.myts");
    const bytes = fs.readFileSync(shard);
    bytes[bytes.length - 1]! ^= 0xff;
    fs.writeFileSync(shard, bytes);
    const bad = await rejection(publish(client, { storage: node, kind: "dataset", path: corrupt, info: { name: "Bad", license: "MIT" } }));
    expect(bad).to.be.instanceOf(InvalidTensorShardError);
    expect((bad as InvalidTensorShardError).defect).to.equal("checksum");
    expect(bad.message).to.contain("0001.myts");

    const empty = tempDirectory("myc-empty-");
    expect(
      await rejection(publish(client, { storage: node, kind: "dataset", path: empty, info: { name: "Empty", license: "MIT" } })),
    ).to.be.instanceOf(InvalidArgumentError);
    expect(await getTransactionCount(client, { address: devnetAccount(1).address })).to.equal(before);
  });
});
