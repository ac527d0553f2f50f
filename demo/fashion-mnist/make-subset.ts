/**
 * Writes the compact Fashion-MNIST subset committed beside this file: the first TRAIN images (and labels) of the
 * training set and the first TEST of the test set, as gzipped IDX files with the original names, so that
 * `readFashionMnist({ directory })` reads them like the full files. The source is the Debian package
 * dataset-fashion-mnist (`apt-get install -y dataset-fashion-mnist`), itself the release of
 * https://github.com/zalandoresearch/fashion-mnist. Run from the repository root:
 *
 *   npx tsx demo/fashion-mnist/make-subset.ts [source directory]
 *
 * The output is byte-for-byte reproducible (gzip level 9, no timestamp).
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { FASHION_MNIST_DIRECTORY } from "@mycelium/client";

const TRAIN = 6_000;
const TEST = 1_000;

const source = process.argv[2] ?? FASHION_MNIST_DIRECTORY;
const target = import.meta.dirname;
const files: [name: string, count: number][] = [
  ["train-images-idx3-ubyte.gz", TRAIN],
  ["train-labels-idx1-ubyte.gz", TRAIN],
  ["t10k-images-idx3-ubyte.gz", TEST],
  ["t10k-labels-idx1-ubyte.gz", TEST],
];

for (const [name, count] of files) {
  const idx = gunzipSync(await readFile(path.join(source, name)));
  const rank = idx[3]!;
  const header = Buffer.from(idx.subarray(0, 4 + 4 * rank));
  let itemBytes = 1;
  for (let d = 1; d < rank; d++) itemBytes *= header.readUInt32BE(4 + 4 * d);
  header.writeUInt32BE(count, 4);
  const body = idx.subarray(header.length, header.length + count * itemBytes);
  // gzip without a name or time in its header (Node writes neither), so the bytes depend only on the content.
  await writeFile(path.join(target, name), gzipSync(Buffer.concat([header, body]), { level: 9 }));
  console.log(`${name}: ${count} items`);
}
