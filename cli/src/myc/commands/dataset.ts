/**
 * `myc dataset prepare`: write a dataset directory of tensor shards that `myc publish` reads.
 * `myc dataset import`: the same shards, published as a dataset asset in one step (publishFashionMnist /
 * publishTensorDataset): the format trainers consume.
 */
import path from "node:path";
import type { Command } from "commander";
import {
  FASHION_MNIST_CLASSES,
  generateBlobsSplits,
  publishFashionMnist,
  publishTensorDataset,
  readFashionMnist,
  writeDatasetDirectory,
  type PublishReturnType,
} from "@mycelium/client";
import { dataDirOf, openLocalStorage, withStorageOptions, type StorageCommandOptions } from "../../kit/storage.ts";
import type { CliContext } from "../../kit/context.ts";
import type { Run } from "../main.ts";
import { parseChoice, parseCount } from "../../kit/parse.ts";

const SOURCES = ["fashion-mnist", "blobs"] as const;

type PrepareOptions = { from: string; shardSamples: string; idxDir?: string; samples: string; seed: string };
type ImportOptions = StorageCommandOptions & {
  shardSamples: string;
  idxDir?: string;
  samples: string;
  seed: string;
  name?: string;
  description?: string;
  license?: string;
};

export function register(program: Command, run: Run): void {
  const dataset = program.command("dataset").description("prepare datasets for publishing");
  dataset
    .command("prepare <directory>")
    .description("write a dataset as train/ and test/ folders of tensor shards plus labels.json, ready for `myc publish`")
    .requiredOption("--from <source>", `fashion-mnist (the Debian package dataset-fashion-mnist, or --idx-dir) or blobs (generated)`)
    .option("--shard-samples <n>", "samples per shard", "1500")
    .option("--idx-dir <dir>", "fashion-mnist: folder of the four IDX .gz files (default /usr/share/datasets/fashion-mnist)")
    .option("--samples <n>", "blobs: training samples (the test split gets a fifth as many)", "2000")
    .option("--seed <n>", "blobs: generator seed", "1")
    .action(
      run(async (ctx: CliContext, directory: string, options: PrepareOptions) => {
        const source = parseChoice(options.from, SOURCES, "--from");
        const samplesPerShard = Number(parseCount(options.shardSamples, "--shard-samples"));
        const target = path.resolve(directory);
        const spinner = ctx.output.spinner(`Writing ${source} shards to ${target}`);
        let counts: Record<string, number>;
        try {
          if (source === "fashion-mnist") {
            const { train, test } = await readFashionMnist(options.idxDir === undefined ? {} : { directory: options.idxDir });
            counts = await writeDatasetDirectory(target, { splits: { train, test }, samplesPerShard, labelClasses: FASHION_MNIST_CLASSES });
          } else {
            const samples = Number(parseCount(options.samples, "--samples"));
            const seed = Number(parseCount(options.seed, "--seed"));
            const splits = generateBlobsSplits({ seed, trainSamples: samples });
            counts = await writeDatasetDirectory(target, { splits, samplesPerShard });
          }
        } finally {
          spinner.stop();
        }
        ctx.output.result({ directory: target, source, shards: counts }, [
          `Wrote ${Object.entries(counts)
            .map(([split, count]) => `${count} ${split} shard${count === 1 ? "" : "s"}`)
            .join(" and ")} to ${target}.`,
          `  publish it with \`myc publish ${directory} --kind dataset --name <name>\``,
        ]);
      }),
    );

  withStorageOptions(
    dataset
      .command("import <source>")
      .description(
        "publish a dataset asset from a source in one step: fashion-mnist (the Debian package's IDX files) or blobs (generated); " +
          "train and test splits of tensor shards",
      )
      .option("--shard-samples <n>", "samples per shard", "1500")
      .option("--idx-dir <dir>", "fashion-mnist: folder of the four IDX .gz files (default /usr/share/datasets/fashion-mnist)")
      .option("--samples <n>", "blobs: training samples (the test split gets a fifth as many)", "2000")
      .option("--seed <n>", "blobs: generator seed", "1")
      .option("--name <name>", "name shown to people (default Fashion-MNIST, or Blobs)")
      .option("--description <text>", "what it is, for people")
      .option("--license <license>", 'SPDX id, "proprietary", or a license URL (default MIT for fashion-mnist, CC0-1.0 for blobs)'),
    { network: false },
  ).action(
    run(async (ctx: CliContext, sourceName: string, options: ImportOptions) => {
      const source = parseChoice(sourceName, SOURCES, "<source>");
      const samplesPerShard = Number(parseCount(options.shardSamples, "--shard-samples"));
      const client = await ctx.signer();
      const storage = await openLocalStorage(dataDirOf(ctx, options));
      const { onProgress, stop } = ctx.trackPublish("Adding shards");
      const info = { name: options.name, description: options.description, license: options.license };
      const common = { storage, samplesPerShard, datatoken: {}, signal: ctx.signal, onProgress };
      let published: PublishReturnType;
      try {
        if (source === "fashion-mnist") {
          published = await publishFashionMnist(client, { ...common, directory: options.idxDir, info: defined(info) });
        } else {
          const samples = Number(parseCount(options.samples, "--samples"));
          const seed = Number(parseCount(options.seed, "--seed"));
          const splits = generateBlobsSplits({ seed, trainSamples: samples });
          published = await publishTensorDataset(client, {
            ...common,
            splits,
            info: {
              name: info.name ?? "Blobs",
              description: info.description ?? `Generated Gaussian blobs (seed ${seed}), for tests and demos.`,
              license: info.license ?? "CC0-1.0",
            },
          });
        }
      } finally {
        stop();
        await storage.close();
      }
      const manifest = published.manifest as { splits: Record<string, unknown[]> };
      ctx.output.result(published, [
        `Published dataset asset ${published.assetId} (manifest ${published.manifestCid}): ${Object.entries(manifest.splits)
          .map(([split, shards]) => `${shards.length} ${split} shards`)
          .join(", ")}.`,
        `  datatoken  ${published.datatoken}`,
        `  transaction ${published.hash}`,
        `  content stored in ${dataDirOf(ctx, options)}: keep it online with \`myc serve\``,
      ]);
    }),
  );
}

function defined<T extends Record<string, unknown>>(value: T): { [key in keyof T]?: Exclude<T[key], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as never;
}
