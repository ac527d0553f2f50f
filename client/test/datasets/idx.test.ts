import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { expect } from "chai";
import { fashionPixels as pixels, idxFile as idx, writeFashionMnistFiles } from "@mycelium/devkit";
import {
  DatasetFilesNotFoundError,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIRECTORY,
  InvalidIdxFileError,
  parseIdx,
  readFashionMnist,
} from "../../src/index.ts";

describe("IDX files", () => {
  it("parses plain and gzipped IDX", () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const file = idx([2, 3, 4], data);
    expect(parseIdx(file)).to.deep.equal({ dims: [2, 3, 4], data });
    expect(parseIdx(new Uint8Array(gzipSync(file)))).to.deep.equal({ dims: [2, 3, 4], data });
  });

  it("rejects what is not an unsigned-byte IDX file", () => {
    const file = idx([2, 2], Uint8Array.of(1, 2, 3, 4));
    const wrongType = file.slice();
    wrongType[2] = 0x0d;
    expect(() => parseIdx(wrongType)).to.throw(InvalidIdxFileError, /0x0d/);
    expect(() => parseIdx(file.subarray(0, file.length - 1))).to.throw(InvalidIdxFileError, /need 16 bytes, found 15/);
    expect(() => parseIdx(Uint8Array.of(1, 0, 8, 1))).to.throw(InvalidIdxFileError);
    expect(() => parseIdx(Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2))).to.throw(InvalidIdxFileError, /gzip/);
  });
});

describe("readFashionMnist", () => {
  it("reads the four gzipped IDX files of a directory into train and test datasets", async () => {
    const directory = await mkdtemp(join(tmpdir(), "myc-fmnist-"));
    try {
      writeFashionMnistFiles(directory, { train: [9, 0, 4], test: [1, 2] });
      const { train, test } = await readFashionMnist({ directory });
      expect(train).to.include({ count: 3, classCount: 10, featureDtype: "uint8" });
      expect(train.featureShape).to.deep.equal([28, 28]);
      expect([...train.labels]).to.deep.equal([9, 0, 4]);
      expect(train.features).to.deep.equal(pixels(3));
      expect(test.count).to.equal(2);
      await writeFile(join(directory, "t10k-labels-idx1-ubyte.gz"), gzipSync(idx([3], Uint8Array.of(1, 2, 3))));
      expect(await readFashionMnist({ directory }).catch((error: unknown) => error)).to.be.instanceOf(InvalidIdxFileError);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("says how to install the files when they are missing", async () => {
    const error = await readFashionMnist({ directory: "/nonexistent/fashion" }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(DatasetFilesNotFoundError);
    expect((error as DatasetFilesNotFoundError).missing).to.have.length(4);
    expect((error as DatasetFilesNotFoundError).hint).to.match(/apt-get install -y dataset-fashion-mnist/);
  });

  it("reads the real Debian files when installed", async function () {
    const data = await readFashionMnist().catch((error: unknown) => {
      if (error instanceof DatasetFilesNotFoundError) return null;
      throw error;
    });
    if (data === null) this.skip(); // dataset-fashion-mnist is not installed here (it is on the development machines)
    expect(FASHION_MNIST_DIRECTORY).to.equal("/usr/share/datasets/fashion-mnist");
    expect(data!.train.count).to.equal(60000);
    expect(data!.test.count).to.equal(10000);
    const counts = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
    for (const label of data!.test.labels) counts[label]!++;
    expect(counts).to.deep.equal(new Array(10).fill(1000));
  });
});
