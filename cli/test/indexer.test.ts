import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import type { Account } from "viem";
import { createIndexerClient, type MyceliumClient, publish, publishAsset, waitForIndexed } from "@mycelium/client";
import { openLocalStorage } from "../src/kit/storage.ts";
import { myc } from "./helpers/myc.ts";
import {
  devnetAccount,
  makeDatasetDirectory,
  startIndexer,
  tempDirectory,
  uniqueCid,
  useTestNetwork,
  type IndexerProcess,
} from "@mycelium/devkit";

type Listed = {
  source: string;
  next: string | null;
  assets: { id: string; kind: string; owner: string; listing: { price: string } | null }[];
};

describe("myc assets through a real indexer (Ponder) against a devnet", function () {
  this.timeout(240_000);
  const chain = useTestNetwork();
  let indexer: IndexerProcess;
  let env: Record<string, string>;
  let work: string;
  const ids: bigint[] = [];

  before(async function () {
    this.timeout(240_000);
    work = tempDirectory("myc-indexer-cli-");
    const deploymentFile = chain.get().deploymentFile;
    indexer = await startIndexer({
      deploymentFile,
      schema: "myc_cli",
      dataDir: path.join(work, "ponder"),
      env: { MYC_POLLING_INTERVAL_MS: "100" },
    });
    env = { MYC_DEPLOYMENT: deploymentFile, MYC_DATA_DIR: path.join(work, "data"), MYC_NETWORK: "loopback" };

    const publisher: MyceliumClient<Account> = await chain.get().client(devnetAccount(1));
    const storage = await openLocalStorage(env.MYC_DATA_DIR!);
    try {
      const named = await publish(publisher, {
        storage,
        kind: "dataset",
        path: await makeDatasetDirectory(),
        info: { name: "Fashion things", license: "MIT" },
        listing: { price: 3_000_000n },
      });
      ids.push(named.assetId);
    } finally {
      await storage.close();
    }
    for (const kind of ["model", "dataset"] as const)
      ids.push((await publishAsset(publisher, { kind, manifestCid: await uniqueCid(kind) })).assetId);
    const last = await publishAsset(await chain.get().client(devnetAccount(2)), { kind: "model", manifestCid: await uniqueCid("other") });
    ids.push(last.assetId);
    await waitForIndexed(createIndexerClient({ url: indexer.url }), { hash: last.hash, timeoutMs: 60_000 });
  });
  after(async () => {
    await indexer?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("lists from the indexer, newest first, with live prices and filters", async () => {
    const all = await myc(["assets", "--indexer", indexer.url, "--json"], env);
    expect(all.code, all.stderr).to.equal(0);
    const listed = JSON.parse(all.stdout) as Listed;
    expect(listed.source).to.equal("indexer");
    expect(listed.assets.map((asset) => asset.id)).to.deep.equal([...ids].reverse().map(String));
    expect(listed.assets.at(-1)!.listing!.price).to.equal("3000000");
    expect(listed.assets[0]!.owner).to.equal(devnetAccount(2).address);

    const models = JSON.parse(
      (await myc(["assets", "--kind", "model", "--owner", devnetAccount(1).address, "--json"], { ...env, MYC_INDEXER_URL: indexer.url }))
        .stdout,
    ) as Listed;
    expect(models.assets.map((asset) => asset.id)).to.deep.equal([String(ids[1])]);

    const page = JSON.parse((await myc(["assets", "--indexer", indexer.url, "--limit", "2", "--json"], env)).stdout) as Listed;
    expect(page.assets).to.have.length(2);
    const rest = JSON.parse((await myc(["assets", "--indexer", indexer.url, "--after", page.next!, "--json"], env)).stdout) as Listed;
    expect(rest.assets.map((asset) => asset.id)).to.deep.equal([String(ids[1]), String(ids[0])]);
  });

  it("searches by manifest name, through the indexer and on the chain alike", async () => {
    const viaIndexer = JSON.parse(
      (await myc(["assets", "--indexer", indexer.url, "--kind", "dataset", "--name", "fashion", "--json"], env)).stdout,
    ) as Listed;
    expect(viaIndexer.assets.map((asset) => asset.id)).to.deep.equal([String(ids[0])]);
    const viaChain = await myc(["assets", "--name", "FASHION", "--kind", "dataset", "--json"], env);
    expect(viaChain.code, viaChain.stderr).to.equal(0);
    expect((JSON.parse(viaChain.stdout) as Listed).assets.map((asset) => asset.id)).to.deep.equal([String(ids[0])]);
  });

  it("myc asset shows the manifest's name and license when it is on this machine", async () => {
    const shown = await myc(["asset", String(ids[0])], env);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.contain(`Asset ${ids[0]} (dataset, active): Fashion things`).and.to.contain("license    MIT");
    const elsewhere = await myc(["asset", String(ids[0])], { ...env, MYC_DATA_DIR: path.join(work, "empty") });
    expect(elsewhere.stdout).to.contain("(not on this machine: --fetch to read it)");
  });
});
