/**
 * Publishing datasets held in memory (TensorDataset splits) as dataset assets in one call: the splits are cut into
 * `mycelium/tensor-shards@1` shards, added to storage, described by a dataset manifest and minted, through the same
 * path as `myc publish <dir>` (writeDatasetDirectory, then publish). This is the format trainers consume: the job
 * spec names the manifest, trainers fetch the shards assignShards gives them and decode them with decodeTensorShard.
 *
 * `publishFashionMnist` is the Fashion-MNIST importer: the IDX files of the Debian package dataset-fashion-mnist (or
 * another folder holding them) become a published dataset with its 60,000 training and 10,000 test images.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { MyceliumClient } from "../chain/client.ts";
import { requireAccount } from "../chain/transaction.ts";
import type { TensorDataset } from "../datasets/dataset.ts";
import { FASHION_MNIST_CLASSES, readFashionMnist } from "../datasets/idx.ts";
import { publish, type PublishInfo, type PublishParameters, type PublishReturnType } from "../actions/publish.ts";
import { writeDatasetDirectory } from "./dataset.ts";

export type PublishTensorDatasetParameters = Pick<
  PublishParameters,
  "storage" | "parents" | "datatoken" | "listing" | "signal" | "onProgress"
> & {
  splits: { train: TensorDataset; test: TensorDataset; validation?: TensorDataset | undefined };
  /** Samples per shard (default 1,500: about 1.2 MB of 28x28 images). */
  samplesPerShard?: number | undefined;
  /** Label names in class order (default "0", "1", ...). */
  labelClasses?: readonly string[] | undefined;
  info: PublishInfo;
};

/** Default shard size: 1,500 samples (Fashion-MNIST: 40 training shards of 1.2 MB, 7 test shards). */
export const DEFAULT_SAMPLES_PER_SHARD = 1_500;

/** Shards, stores and publishes in-memory splits as a dataset asset; returns what `publish` returns. */
export async function publishTensorDataset(client: MyceliumClient, parameters: PublishTensorDatasetParameters): Promise<PublishReturnType> {
  requireAccount(client, "Publishing a dataset");
  const directory = await mkdtemp(path.join(os.tmpdir(), "myc-dataset-"));
  try {
    await writeDatasetDirectory(directory, {
      splits: parameters.splits,
      samplesPerShard: parameters.samplesPerShard ?? DEFAULT_SAMPLES_PER_SHARD,
      labelClasses: parameters.labelClasses,
    });
    return await publish(client, {
      storage: parameters.storage,
      kind: "dataset",
      path: directory,
      info: parameters.info,
      labelClasses: parameters.labelClasses,
      parents: parameters.parents,
      datatoken: parameters.datatoken,
      listing: parameters.listing,
      signal: parameters.signal,
      onProgress: parameters.onProgress,
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

export type PublishFashionMnistParameters = Omit<PublishTensorDatasetParameters, "splits" | "labelClasses" | "info"> & {
  /** Folder of the four IDX .gz files (default FASHION_MNIST_DIRECTORY, where the Debian package puts them). */
  directory?: string | undefined;
  /** Defaults: name "Fashion-MNIST", license "MIT", creator "Zalando Research", a short description. */
  info?: Partial<PublishInfo> | undefined;
};

/** Publishes Fashion-MNIST (train and test splits, the ten class names) as a dataset asset. */
export async function publishFashionMnist(client: MyceliumClient, parameters: PublishFashionMnistParameters): Promise<PublishReturnType> {
  const { directory, info, ...rest } = parameters;
  const { train, test } = await readFashionMnist(directory === undefined ? {} : { directory });
  return publishTensorDataset(client, {
    ...rest,
    splits: { train, test },
    labelClasses: FASHION_MNIST_CLASSES,
    info: {
      name: info?.name ?? "Fashion-MNIST",
      description:
        info?.description ??
        "Zalando's article images: 60,000 training and 10,000 test grayscale images of 28x28 pixels in 10 classes, as uint8 tensor shards.",
      license: info?.license ?? "MIT",
      creator: info?.creator ?? "Zalando Research",
    },
  });
}
