import { createTensorDataset, sampleSizeOf, type TensorDataset } from "./dataset.ts";
import { InvalidDatasetError, InvalidTensorShardError } from "./errors.ts";
import { crc32 } from "./crc32.ts";

/**
 * Format id that dataset manifests name for shards in this layout.
 *
 * Byte layout of a `mycelium/tensor-shards@1` shard. All integers are little-endian; offsets in bytes.
 *
 * | offset      | size | field                                                                 |
 * |-------------|------|-----------------------------------------------------------------------|
 * | 0           | 4    | magic, ASCII "MYTS"                                                   |
 * | 4           | 2    | version, uint16 = 1                                                   |
 * | 6           | 1    | feature dtype: 1 = uint8, 2 = float32 (IEEE 754 binary32)             |
 * | 7           | 1    | label dtype: 1 = uint8, 2 = uint16                                    |
 * | 8           | 4    | sample count n, uint32                                                |
 * | 12          | 4    | class count c, uint32, 1..65536 (at most 256 with uint8 labels)       |
 * | 16          | 1    | rank r of one sample's feature shape, 1..8                            |
 * | 17          | 7    | reserved, zero                                                        |
 * | 24          | 4r   | feature shape dimensions, uint32 each, >= 1                           |
 * | 24 + 4r     | pad  | zeros up to the header length H = 24 + 4r rounded up to a multiple of 8 |
 * | H           | F    | features, n x prod(shape) values, sample-major, row-major within a sample |
 * | H + F       | L    | labels, n values, each < c                                            |
 * | H + F + L   | pad  | zeros up to a multiple of 4                                           |
 * | end - 4     | 4    | CRC-32 (IEEE 802.3 polynomial, as zlib and PNG) of every byte before it |
 *
 * Float32 features must be finite. The header's 8-byte alignment lets readers view the features in place.
 * Encoding is canonical: the same dataset always gives the same bytes (so the same CID).
 */
export const TENSOR_SHARDS_FORMAT = "mycelium/tensor-shards@1";

/** The 4 magic bytes every shard starts with: ASCII "MYTS". */
export const TENSOR_SHARD_MAGIC = new Uint8Array([0x4d, 0x59, 0x54, 0x53]);
export const TENSOR_SHARD_VERSION = 1;

const FEATURE_DTYPES = { uint8: 1, float32: 2 } as const;
const LABEL_DTYPES = { uint8: 1, uint16: 2 } as const;
const FIXED_HEADER = 24;
const MAX_RANK = 8;

/** Encodes a dataset as one shard (see the layout above). Labels are written as uint8 when classCount <= 256. */
export function encodeTensorShard(dataset: TensorDataset): Uint8Array {
  const checked = createTensorDataset(dataset);
  const rank = checked.featureShape.length;
  const headerLength = align(FIXED_HEADER + 4 * rank, 8);
  const featureBytes = checked.features.length * (checked.featureDtype === "uint8" ? 1 : 4);
  const labelWidth = checked.classCount <= 256 ? 1 : 2;
  const labelBytes = checked.count * labelWidth;
  const bodyEnd = align(headerLength + featureBytes + labelBytes, 4);
  const bytes = new Uint8Array(bodyEnd + 4);
  const view = new DataView(bytes.buffer);

  bytes.set(TENSOR_SHARD_MAGIC, 0);
  view.setUint16(4, TENSOR_SHARD_VERSION, true);
  view.setUint8(6, FEATURE_DTYPES[checked.featureDtype]);
  view.setUint8(7, labelWidth === 1 ? LABEL_DTYPES.uint8 : LABEL_DTYPES.uint16);
  view.setUint32(8, checked.count, true);
  view.setUint32(12, checked.classCount, true);
  view.setUint8(16, rank);
  checked.featureShape.forEach((dim, i) => {
    view.setUint32(FIXED_HEADER + 4 * i, dim, true);
  });

  let offset = headerLength;
  if (checked.featureDtype === "uint8") {
    bytes.set(checked.features, offset);
  } else {
    const features = checked.features;
    for (let i = 0; i < features.length; i++) view.setFloat32(offset + 4 * i, features[i]!, true);
  }
  offset += featureBytes;
  const labels = checked.labels;
  if (labelWidth === 1) {
    for (let i = 0; i < labels.length; i++) bytes[offset + i] = labels[i]!;
  } else {
    for (let i = 0; i < labels.length; i++) view.setUint16(offset + 2 * i, labels[i]!, true);
  }
  view.setUint32(bodyEnd, crc32(bytes.subarray(0, bodyEnd)), true);
  return bytes;
}

/** Decodes and fully validates one shard; throws InvalidTensorShardError whose `defect` names the failed check. */
export function decodeTensorShard(bytes: Uint8Array): TensorDataset {
  if (bytes.length < FIXED_HEADER + 4 + 4) {
    throw new InvalidTensorShardError("truncated", `A shard has at least ${FIXED_HEADER + 8} bytes, found ${bytes.length}.`);
  }
  for (let i = 0; i < TENSOR_SHARD_MAGIC.length; i++) {
    if (bytes[i] !== TENSOR_SHARD_MAGIC[i]) {
      throw new InvalidTensorShardError("magic", `Expected the bytes 4d595453 ("MYTS"), found ${hex(bytes.subarray(0, 4))}.`);
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== TENSOR_SHARD_VERSION) {
    throw new InvalidTensorShardError("version", `This reader understands version ${TENSOR_SHARD_VERSION}, the shard says ${version}.`);
  }
  const featureCode = view.getUint8(6);
  const labelCode = view.getUint8(7);
  if (featureCode !== FEATURE_DTYPES.uint8 && featureCode !== FEATURE_DTYPES.float32) {
    throw new InvalidTensorShardError("dtype", `Feature dtype code must be 1 (uint8) or 2 (float32), found ${featureCode}.`);
  }
  if (labelCode !== LABEL_DTYPES.uint8 && labelCode !== LABEL_DTYPES.uint16) {
    throw new InvalidTensorShardError("dtype", `Label dtype code must be 1 (uint8) or 2 (uint16), found ${labelCode}.`);
  }
  const count = view.getUint32(8, true);
  const classCount = view.getUint32(12, true);
  const rank = view.getUint8(16);
  const labelWidth = labelCode === LABEL_DTYPES.uint8 ? 1 : 2;
  if (classCount < 1 || classCount > (labelWidth === 1 ? 256 : 65536)) {
    throw new InvalidTensorShardError(
      "shape",
      `Class count must be in [1, ${labelWidth === 1 ? 256 : 65536}] for these labels, found ${classCount}.`,
    );
  }
  if (rank < 1 || rank > MAX_RANK) {
    throw new InvalidTensorShardError("shape", `Feature rank must be in [1, ${MAX_RANK}], found ${rank}.`);
  }
  for (let i = 17; i < FIXED_HEADER; i++) {
    if (bytes[i] !== 0) throw new InvalidTensorShardError("reserved", `Reserved header byte ${i} must be zero, found ${bytes[i]}.`);
  }
  const headerLength = align(FIXED_HEADER + 4 * rank, 8);
  if (bytes.length < headerLength + 4) {
    throw new InvalidTensorShardError(
      "truncated",
      `The header needs ${headerLength} bytes plus the checksum, found ${bytes.length} in all.`,
    );
  }
  const featureShape: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dim = view.getUint32(FIXED_HEADER + 4 * i, true);
    if (dim < 1) throw new InvalidTensorShardError("shape", `Feature dimension ${i} must be at least 1, found 0.`);
    featureShape.push(dim);
  }
  const featureWidth = featureCode === FEATURE_DTYPES.uint8 ? 1 : 4;
  const valueCount = count * sampleSizeOf(featureShape);
  const featureBytes = valueCount * featureWidth;
  const bodyEnd = align(headerLength + featureBytes + count * labelWidth, 4);
  if (bytes.length !== bodyEnd + 4) {
    throw new InvalidTensorShardError(
      bytes.length < bodyEnd + 4 ? "truncated" : "length",
      `${count} samples of shape [${featureShape.join(", ")}] take ${bodyEnd + 4} bytes, found ${bytes.length}.`,
    );
  }
  for (let i = FIXED_HEADER + 4 * rank; i < headerLength; i++) {
    if (bytes[i] !== 0) throw new InvalidTensorShardError("padding", `Header padding byte ${i} must be zero.`);
  }
  for (let i = headerLength + featureBytes + count * labelWidth; i < bodyEnd; i++) {
    if (bytes[i] !== 0) throw new InvalidTensorShardError("padding", `Trailing padding byte ${i} must be zero.`);
  }
  const expected = view.getUint32(bodyEnd, true);
  const actual = crc32(bytes.subarray(0, bodyEnd));
  if (expected !== actual) {
    throw new InvalidTensorShardError(
      "checksum",
      `CRC-32 in the shard is ${expected.toString(16).padStart(8, "0")}, the bytes give ${actual.toString(16).padStart(8, "0")}.`,
    );
  }

  let offset = headerLength;
  let features: Uint8Array | Float32Array;
  if (featureWidth === 1) {
    features = bytes.slice(offset, offset + featureBytes);
  } else {
    const floats = new Float32Array(valueCount);
    for (let i = 0; i < valueCount; i++) {
      const value = view.getFloat32(offset + 4 * i, true);
      if (!Number.isFinite(value)) throw new InvalidTensorShardError("non-finite", `Feature value ${i} is ${value}.`);
      floats[i] = value;
    }
    features = floats;
  }
  offset += featureBytes;
  const labels = labelWidth === 1 ? bytes.slice(offset, offset + count) : new Uint16Array(count);
  if (labels instanceof Uint16Array) {
    for (let i = 0; i < count; i++) labels[i] = view.getUint16(offset + 2 * i, true);
  }
  for (let i = 0; i < count; i++) {
    if (labels[i]! >= classCount)
      throw new InvalidTensorShardError("label", `Label ${i} is ${labels[i]}, not below the class count ${classCount}.`);
  }
  try {
    return createTensorDataset({ featureShape, features, labels, classCount });
  } catch (error) {
    if (error instanceof InvalidDatasetError) throw new InvalidTensorShardError("shape", error.details ?? error.shortMessage);
    throw error;
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
