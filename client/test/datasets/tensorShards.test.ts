import { expect } from "chai";
import {
  InvalidTensorShardError,
  TENSOR_SHARDS_FORMAT,
  createTensorDataset,
  decodeTensorShard,
  encodeTensorShard,
  generateBlobsDataset,
  type TensorDataset,
  type TensorShardDefect,
} from "../../src/index.ts";
import { crc32 } from "../../src/datasets/crc32.ts";

function images(count: number): TensorDataset {
  const features = new Uint8Array(count * 28 * 28);
  for (let i = 0; i < features.length; i++) features[i] = (i * 7) % 256;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % 10;
  return createTensorDataset({ featureShape: [28, 28], features, labels, classCount: 10 });
}

/** Rewrites the trailing CRC so a test can reach the checks that come after it. */
function reseal(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

function defectOf(bytes: Uint8Array): TensorShardDefect | "none" {
  try {
    decodeTensorShard(bytes);
    return "none";
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidTensorShardError);
    return (error as InvalidTensorShardError).defect;
  }
}

describe("mycelium/tensor-shards@1", () => {
  it("names its format", () => {
    expect(TENSOR_SHARDS_FORMAT).to.equal("mycelium/tensor-shards@1");
  });

  it("round-trips uint8 images with uint8 labels, in the documented layout", () => {
    const dataset = images(3);
    const bytes = encodeTensorShard(dataset);
    // header 24 + 2 dims x 4 = 32 (already a multiple of 8), 3 x 784 feature bytes, 3 label bytes, pad to 4, CRC
    expect(bytes.length).to.equal(Math.ceil((32 + 3 * 784 + 3) / 4) * 4 + 4);
    expect(Buffer.from(bytes.subarray(0, 32)).toString("hex")).to.equal(
      "4d595453" + "0100" + "01" + "01" + "03000000" + "0a000000" + "02" + "00000000000000" + "1c000000" + "1c000000",
    );
    expect(bytes.subarray(32, 32 + 784)).to.deep.equal(dataset.features.subarray(0, 784));
    const decoded = decodeTensorShard(bytes);
    expect(decoded).to.deep.equal(dataset);
    expect(decodeTensorShard(bytes.slice())).to.deep.equal(decoded);
  });

  it("round-trips float32 features and uint16 labels, and is canonical", () => {
    const blobs = generateBlobsDataset({ seed: 1, samples: 50 });
    const decoded = decodeTensorShard(encodeTensorShard(blobs));
    expect(decoded.featureDtype).to.equal("float32");
    expect(decoded.features).to.deep.equal(blobs.features);
    expect(decoded.labels).to.deep.equal(blobs.labels);
    const wide = createTensorDataset({
      featureShape: [2, 1, 3],
      features: Float32Array.from({ length: 12 }, (_, i) => i / 3 - 1),
      labels: Uint16Array.of(0, 999),
      classCount: 1000,
    });
    const bytes = encodeTensorShard(wide);
    expect(bytes[7]).to.equal(2);
    expect(decodeTensorShard(bytes)).to.deep.equal(wide);
    expect(encodeTensorShard(decodeTensorShard(bytes))).to.deep.equal(bytes);
    // a shard at an odd offset inside a larger buffer (as a stream chunk might be) decodes too
    const framed = new Uint8Array(bytes.length + 3);
    framed.set(bytes, 1);
    expect(decodeTensorShard(framed.subarray(1, 1 + bytes.length))).to.deep.equal(wide);
  });

  it("rejects corrupt or foreign bytes, naming the failed check", () => {
    const good = encodeTensorShard(images(2));
    const edit = (change: (bytes: Uint8Array, view: DataView) => void, seal = true): Uint8Array => {
      const bytes = good.slice();
      change(bytes, new DataView(bytes.buffer));
      return seal ? reseal(bytes) : bytes;
    };
    expect(defectOf(good.subarray(0, 20))).to.equal("truncated");
    expect(defectOf(good.subarray(0, good.length - 8))).to.equal("truncated");
    expect(defectOf(edit((b) => (b[0] = 0x4e)))).to.equal("magic");
    expect(defectOf(edit((_, v) => v.setUint16(4, 2, true)))).to.equal("version");
    expect(defectOf(edit((b) => (b[6] = 3)))).to.equal("dtype");
    expect(defectOf(edit((b) => (b[7] = 0)))).to.equal("dtype");
    expect(defectOf(edit((b) => (b[16] = 0)))).to.equal("shape");
    expect(defectOf(edit((_, v) => v.setUint32(12, 300, true)))).to.equal("shape");
    expect(defectOf(edit((_, v) => v.setUint32(24, 0, true)))).to.equal("shape");
    expect(defectOf(edit((b) => (b[20] = 1)))).to.equal("reserved");
    expect(defectOf(edit((_, v) => v.setUint32(8, 3, true)))).to.equal("truncated");
    expect(defectOf(edit((_, v) => v.setUint32(8, 1, true)))).to.equal("length");
    expect(defectOf(edit((b) => (b[b.length - 5] = 1)))).to.equal("padding");
    expect(defectOf(edit((b) => (b[100] = b[100]! ^ 1), false))).to.equal("checksum");
    expect(defectOf(edit((b) => (b[32 + 2 * 784] = 10)))).to.equal("label");
    const floats = encodeTensorShard(generateBlobsDataset({ seed: 2, samples: 4 }));
    const nan = floats.slice();
    new DataView(nan.buffer).setFloat32(32 + 4 * 4, Number.NaN, true); // header 24 + 4, padded to 32
    expect(defectOf(reseal(nan))).to.equal("non-finite");
  });

  it("refuses to encode an inconsistent dataset", () => {
    const dataset = images(2);
    expect(() => encodeTensorShard({ ...dataset, labels: Uint8Array.of(1) })).to.throw(/features/);
  });
});
