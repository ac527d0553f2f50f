import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { EXIT_CODES } from "../src/kit/exitCodes.ts";
import { FASHION_MNIST_CLASSES } from "@mycelium/client";
import { expectFailure, myc, mycDaemon } from "./helpers/myc.ts";
import {
  devnetPrivateKey,
  makeDatasetDirectory,
  makeModelDirectory,
  tempDirectory,
  useTestNetwork,
  writeFashionMnistFiles,
} from "@mycelium/devkit";

type Published = { assetId: string; manifestCid: string; kind: string; listing: { price: string } | null };

describe("myc publish, serve and get (real processes, a devnet and Helia nodes on loopback)", function () {
  this.timeout(180_000);
  const chain = useTestNetwork();
  let env: Record<string, string>;
  let publisherEnv: Record<string, string>;
  let work: string;

  before(() => {
    work = tempDirectory("myc-content-");
    env = { MYC_DEPLOYMENT: chain.get().deploymentFile, MYC_NETWORK: "loopback" };
    publisherEnv = { ...env, MYC_PRIVATE_KEY: devnetPrivateKey(1), MYC_DATA_DIR: path.join(work, "publisher") };
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("publishes a dataset and a model from disk, serves them, and another machine fetches them by CID", async () => {
    const datasetDir = await makeDatasetDirectory();
    const dataset = await myc(
      [
        "publish",
        datasetDir,
        "--kind",
        "dataset",
        "--name",
        "Blobs",
        "--license",
        "CC0-1.0",
        "--labels",
        "a,b,c,d",
        "--price",
        "1.5",
        "--json",
      ],
      publisherEnv,
    );
    expect(dataset.code, dataset.stderr).to.equal(0);
    const publishedDataset = JSON.parse(dataset.stdout) as Published & {
      manifest: { splits: { train: { cid: string }[] }; schema: { labelClasses: string[] } };
    };
    expect(publishedDataset).to.deep.include({
      kind: "dataset",
      listing: { paymentToken: chain.get().devnet.deployment.contracts.PaymentToken!.address, price: "1500000" },
    });
    expect(publishedDataset.manifest.schema.labelClasses).to.deep.equal(["a", "b", "c", "d"]);

    const model = await myc(
      [
        "publish",
        await makeModelDirectory(),
        "--kind",
        "model",
        "--name",
        "Classifier",
        "--metric",
        "accuracy=0.875",
        "--parent",
        publishedDataset.assetId,
        "--json",
      ],
      publisherEnv,
    );
    expect(model.code, model.stderr).to.equal(0);
    const publishedModel = JSON.parse(model.stdout) as Published & { manifest: { model: string; lineage: { datasets: string[] } } };
    expect(publishedModel.manifest.lineage.datasets).to.deep.equal([publishedDataset.manifestCid]);

    const server = await mycDaemon<{ multiaddrs: string[]; peerId: string }>(["serve", "--json"], publisherEnv);
    try {
      const consumer = { ...env, MYC_DATA_DIR: path.join(work, "consumer"), MYC_PEERS: server.output.multiaddrs[0]! };
      const shardCid = publishedDataset.manifest.splits.train[0]!.cid;
      const shard = await myc(["get", shardCid, "-o", path.join(work, "shard.myts"), "--json"], consumer);
      expect(shard.code, shard.stderr).to.equal(0);
      expect(JSON.parse(shard.stdout)).to.include({ cid: shardCid, type: "file" });
      expect(fs.readFileSync(path.join(work, "shard.myts")).equals(fs.readFileSync(path.join(datasetDir, "train", "0000.myts")))).to.equal(
        true,
      );

      const modelDir = path.join(work, "model");
      const fetched = await myc(["get", publishedModel.manifest.model, "-o", modelDir], consumer);
      expect(fetched.code, fetched.stderr).to.equal(0);
      expect(fs.readdirSync(modelDir).sort()).to.deep.equal(["model.json", "weights.bin"]);

      const manifestFile = path.join(work, "dataset-manifest.json");
      const manifest = await myc(["get", publishedDataset.manifestCid, "-o", manifestFile], consumer);
      expect(manifest.code, manifest.stderr).to.equal(0);
      expect(JSON.parse(fs.readFileSync(manifestFile, "utf8"))).to.include({ manifest: "mycelium/dataset@1", name: "Blobs" });

      const downloaded = await myc(["download", publishedDataset.assetId, "-o", path.join(work, "download"), "--json"], consumer);
      expect(downloaded.code, downloaded.stderr).to.equal(0);
      expect(JSON.parse(downloaded.stdout)).to.include({ kind: "dataset", manifestCid: publishedDataset.manifestCid });
      for (const shardFile of ["train/0000.myts", "train/0001.myts", "train/0002.myts", "test/0000.myts"]) {
        expect(
          fs.readFileSync(path.join(work, "download", shardFile)).equals(fs.readFileSync(path.join(datasetDir, shardFile))),
          shardFile,
        ).to.equal(true);
      }
      expect(JSON.parse(fs.readFileSync(path.join(work, "download", "labels.json"), "utf8"))).to.deep.equal(["a", "b", "c", "d"]);

      // The fetched manifest is published again as is (same CID): the content is the publisher's, already on IPFS.
      const again = await myc(["publish", "--manifest-file", manifestFile, "--json"], {
        ...consumer,
        MYC_PRIVATE_KEY: devnetPrivateKey(2),
      });
      expect(again.code, again.stderr).to.equal(0);
      expect(JSON.parse(again.stdout)).to.include({ kind: "dataset", manifestCid: publishedDataset.manifestCid });
    } finally {
      expect(await server.stop()).to.equal(0);
    }
  });

  it("myc dataset import publishes Fashion-MNIST from its IDX files as train and test splits of tensor shards", async () => {
    const idxDir = tempDirectory("myc-fmnist-");
    writeFashionMnistFiles(idxDir, { train: [9, 0, 4, 1, 2], test: [3, 5] });
    const imported = await myc(["dataset", "import", "fashion-mnist", "--idx-dir", idxDir, "--shard-samples", "2", "--json"], publisherEnv);
    expect(imported.code, imported.stderr).to.equal(0);
    const published = JSON.parse(imported.stdout) as Published & {
      datatoken: string | null;
      manifest: {
        name: string;
        format: string;
        schema: { featureShape: number[]; dtype: string; labelClasses: string[] };
        splits: Record<string, { samples: number }[]>;
      };
    };
    expect(published.kind).to.equal("dataset");
    expect(published.datatoken).to.match(/^0x/);
    expect(published.manifest).to.deep.include({ name: "Fashion-MNIST", format: "mycelium/tensor-shards@1" });
    expect(published.manifest.schema).to.deep.equal({ featureShape: [28, 28], dtype: "uint8", labelClasses: [...FASHION_MNIST_CLASSES] });
    expect(
      Object.fromEntries(Object.entries(published.manifest.splits).map(([split, shards]) => [split, shards.map((shard) => shard.samples)])),
    ).to.deep.equal({ train: [2, 2, 1], test: [2] });
    expectFailure(await myc(["dataset", "import", "mnist"], publisherEnv), EXIT_CODES.INVALID_ARGUMENT, /Invalid <source>/);
  });

  it("bad input: a manifest missing fields (5), a malformed CID (4), a directory that is not a dataset (3)", async () => {
    const file = path.join(work, "incomplete.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        manifest: "mycelium/dataset@1",
        name: "Incomplete",
        description: "",
        creator: "me",
        format: "mycelium/tensor-shards@1",
        splits: { train: [], test: [] },
      }),
    );
    expectFailure(
      await myc(["publish", "--manifest-file", file], publisherEnv),
      EXIT_CODES.MANIFEST_VALIDATION,
      new RegExp(
        [
          "^error: Invalid dataset manifest .*incomplete\\.json: 4 problems\\. ",
          "license: expected .*schema: expected an object, found nothing; splits\\.train: expected",
        ].join(""),
      ),
    );
    expectFailure(await myc(["get", "bafy-not-a-cid"], env), EXIT_CODES.INVALID_CID, /"bafy-not-a-cid" is not a valid CID/);
    expectFailure(
      await myc(["publish", work, "--kind", "dataset", "--name", "Nothing"], publisherEnv),
      EXIT_CODES.INVALID_ARGUMENT,
      /Invalid dataset directory/,
    );
  });
});
