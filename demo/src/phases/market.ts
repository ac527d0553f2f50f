/** Phase 2: the publisher sells the dataset; the consumer buys access and downloads it, every block verified. */
import path from "node:path";
import { buyAccess, faucet, publishTensorDataset, saveManifestContent, type DatasetManifest } from "@mycelium/client";
import type { Address } from "viem";
import type { PlayContext } from "../hub.ts";
import type { Infrastructure } from "./infrastructure.ts";

export type Market = { dataset: { assetId: bigint; manifestCid: string; datatoken: Address } };

export async function sellDataset(context: PlayContext, infrastructure: Infrastructure): Promise<Market> {
  const { log, signal, step, run, parameters } = context;
  const { dataset, nodes, clients, units, money } = infrastructure;
  const price = units(parameters.economics.price);
  const published = await step(
    publishTensorDataset(clients.publisher, {
      storage: nodes.publisher,
      splits: { train: dataset.train, test: dataset.test },
      samplesPerShard: parameters.samplesPerShard,
      labelClasses: dataset.labelClasses,
      info: { name: dataset.name, description: dataset.description, license: dataset.license },
      listing: { price },
      signal,
    }),
    "Publishing the dataset",
  );
  const splits = (published.manifest as DatasetManifest).splits;
  const shards = { train: splits.train.length, test: splits.test.length };
  context.milestone("dataset published");
  run.dataset = {
    assetId: published.assetId,
    manifestCid: published.manifestCid.toString(),
    datatoken: published.datatoken!,
    price,
    name: dataset.name,
    origin: dataset.origin,
    license: dataset.license,
    trainSamples: dataset.train.count,
    testSamples: dataset.test.count,
    shards,
  };
  log.step(
    "publisher",
    `published dataset asset ${published.assetId} "${dataset.name}" (${dataset.license}): ` +
      `${shards.train} training and ${shards.test} test shards of up to ` +
      `${parameters.samplesPerShard} samples, manifest ${published.manifestCid}; ` +
      `datatoken ${published.datatoken}, listed at ${money(price)} per access`,
  );

  await step(faucet(clients.consumer, { amount: units("100"), signal }), "Funding the consumer");
  const purchase = await step(buyAccess(clients.consumer, { assetId: published.assetId, signal }), "Buying access to the dataset");
  const download = await step(
    saveManifestContent(nodes.consumer, published.manifestCid, path.join(context.workDir, "consumer-download"), { signal }),
    "Downloading the dataset",
  );
  run.purchase = {
    consumer: purchase.consumer,
    total: purchase.total,
    validUntil: purchase.validUntil,
    hash: purchase.hash,
    signedPermit: purchase.signedPermit,
    downloadedFiles: download.files.length,
    downloadedBytes: download.bytes,
  };
  log.step(
    "consumer",
    `bought access to asset ${published.assetId} for ${money(purchase.total)} (price + protocol fee) ` +
      `with ${purchase.signedPermit ? "one permit signature and " : ""}one transaction; ` +
      `downloaded ${download.files.length} files (${(download.bytes / 1e6).toFixed(1)} MB) from the publisher, every block verified`,
  );
  return { dataset: { assetId: published.assetId, manifestCid: published.manifestCid.toString(), datatoken: published.datatoken! } };
}
