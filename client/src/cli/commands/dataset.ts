/** `myc dataset prepare`: write a dataset directory of tensor shards that `myc publish` reads. */
import path from "node:path";
import type { Command } from "commander";
import { FASHION_MNIST_CLASSES, readFashionMnist } from "../../datasets/idx.ts";
import { generateBlobsDataset } from "../../datasets/synthetic.ts";
import { writeDatasetDirectory } from "../../publishing/dataset.ts";
import type { CliContext } from "../context.ts";
import type { Run } from "../main.ts";
import { parseChoice, parseCount } from "../parse.ts";

const SOURCES = ["fashion-mnist", "blobs"] as const;

type PrepareOptions = { from: string; shardSamples: string; idxDir?: string; samples: string; seed: string };

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
            const splits = { train: generateBlobsDataset({ seed, samples }), test: generateBlobsDataset({ seed: seed + 1, samples: Math.max(1, Math.floor(samples / 5)) }) };
            counts = await writeDatasetDirectory(target, { splits, samplesPerShard });
          }
        } finally {
          spinner.stop();
        }
        ctx.output.result({ directory: target, source, shards: counts }, [
          `Wrote ${Object.entries(counts).map(([split, count]) => `${count} ${split} shard${count === 1 ? "" : "s"}`).join(" and ")} to ${target}.`,
          `  publish it with \`myc publish ${directory} --kind dataset --name <name>\``,
        ]);
      }),
    );
}
