/**
 * Generates the test vectors of the Mycelium round protocol (docs/protocol/spec.md) with the reference implementation.
 *
 *   npx tsx docs/protocol/vectors/generate.ts          (from the repository root)
 *
 * Deterministic: every input is written out here or drawn from SeededRandom with a fixed seed, no clock or randomness
 * enters an output, and the files are rewritten byte for byte identical. Everything that computes an expected output
 * comes from `@mycelium/client` (and `@mycelium/trainer` for the replay comparison only); viem, multiformats,
 * @ipld/dag-json and blockstore-core are used to build inputs that the SDK refuses to build (invalid manifests) and to
 * write preimages that the spec describes.
 *
 * Encodings in the files (docs/protocol/README.md, "Vectors"): float32 arrays as base64 of their little-endian bytes
 * (exact for -0, subnormals and NaN payloads), binary64 scalars as the hex of their IEEE 754 bits, bigints and
 * samples as decimal strings, masks as 0x-prefixed hex, bytes as 0x-prefixed hex, UTF-8 text as JSON strings.
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as dagJson from "@ipld/dag-json";
import {
  type AggregationRule,
  type AggregationUpdate,
  type GlobalModel,
  type JobIdentity,
  type Reveal,
  SeededRandom,
  addDirectoryEntries,
  aggregateUpdates,
  assignShards,
  buildDatasetManifest,
  buildModelManifest,
  buildUpdateManifest,
  computeAuditSeed,
  computeCommitment,
  computeRoundAggregate,
  computeRoundSeed,
  computeTupleHash,
  deriveSeed,
  encodeManifest,
  fetchRoundUpdate,
  listDirectory,
  loadGlobalModel,
  minimumAuditStake,
  minimumAuditsPerRound,
  resolvePath,
  rewardShare,
  selectAudits,
  shardPermutation,
  storeManifest,
  storeTrainingSpec,
  storeUpdate,
  toCid,
  validateAggregationRule,
  validateTrainingSpec,
  weightsDigest,
} from "@mycelium/client";
import { compareWithReplay, declaredSteps, REPLAY_TOLERANCE } from "@mycelium/trainer";
import { MemoryBlockstore } from "blockstore-core";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { type Address, type Hex, encodeAbiParameters, keccak256, parseAbiParameters, sha256 as sha256Hex } from "viem";

const OUT = fileURLToPath(new URL(".", import.meta.url));
const VERSION = "1.0.0-draft";

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1)
  throw new Error("The generator writes float32 bytes from memory: run it on a little-endian host.");

// ---------------------------------------------------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------------------------------------------------

const utf8 = new TextEncoder();
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
const hex = (bytes: Uint8Array): Hex => `0x${Buffer.from(bytes).toString("hex")}`;
/** The float32 values' own bytes (little-endian on this host), so NaN payloads and -0 survive exactly. */
const f32 = (values: Float32Array): string => b64(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
/** The IEEE 754 binary64 bits of a number, big-endian hex. */
function f64(value: number | null): { bits: Hex; value: string } | null {
  if (value === null) return null;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value, false);
  return { bits: hex(new Uint8Array(view.buffer)), value: Object.is(value, -0) ? "-0" : String(value) };
}
const mask = (value: bigint): Hex => `0x${value.toString(16)}`;
/** A float32 with the given bit pattern. */
function bits(pattern: number): number {
  return new Float32Array(new Uint32Array([pattern]).buffer)[0]!;
}
/** Float32 arrays from numbers or from exact bit patterns ({ bits }), keeping NaN payloads. */
function tensor(values: readonly (number | { bits: number })[]): Float32Array {
  const out = new Float32Array(values.length);
  const words = new Uint32Array(out.buffer);
  values.forEach((value, i) => {
    if (typeof value === "number") out[i] = value;
    else words[i] = value.bits >>> 0;
  });
  return out;
}

async function write(name: string, value: unknown): Promise<void> {
  await writeFile(`${OUT}${name}`, `${JSON.stringify(value, null, 2)}\n`);
  console.log(`wrote docs/protocol/vectors/${name}`);
}

function header(title: string, spec: string): Record<string, string> {
  return { protocol: `Mycelium round protocol ${VERSION}`, vectors: title, spec: `docs/protocol/spec.md, ${spec}` };
}

// ---------------------------------------------------------------------------------------------------------------------
// Fixed identities
// ---------------------------------------------------------------------------------------------------------------------

const CONTRACT: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const TRAINERS: Address[] = [
  "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
];
const JOB: JobIdentity = { chainId: 31337, contract: CONTRACT, id: 7n };
const salt = (n: number): Hex => keccak256(utf8.encode(`mycelium/vectors/salt/${n}`));

async function rawCid(bytes: Uint8Array): Promise<CID> {
  return CID.createV1(0x55, await sha256.digest(bytes));
}

// ---------------------------------------------------------------------------------------------------------------------
// Models used by several files
// ---------------------------------------------------------------------------------------------------------------------

function denseTopology(name: string, inputs: number, units: number, activation: string) {
  return {
    class_name: "Sequential",
    config: {
      name,
      layers: [
        {
          class_name: "Dense",
          config: {
            units,
            activation,
            use_bias: true,
            kernel_initializer: { class_name: "GlorotUniform", config: { seed: 1 } },
            bias_initializer: { class_name: "Zeros", config: {} },
            kernel_regularizer: null,
            bias_regularizer: null,
            activity_regularizer: null,
            kernel_constraint: null,
            bias_constraint: null,
            name: `${name}_dense`,
            trainable: true,
            batch_input_shape: [null, inputs],
            dtype: "float32",
          },
        },
      ],
    },
    keras_version: "tfjs-layers 4.22.0",
    backend: "tensor_flow.js",
  };
}

/** model.json text as a TF.js `model.save` would write it (not canonical: the protocol canonicalizes it). */
function modelJsonText(topology: unknown, specs: { name: string; shape: number[] }[], paths = ["weights.bin"]): string {
  return JSON.stringify({
    modelTopology: topology,
    format: "layers-model",
    generatedBy: "TensorFlow.js tfjs-layers v4.22.0",
    convertedBy: null,
    weightsManifest: [{ paths, weights: specs.map((spec) => ({ name: spec.name, shape: spec.shape, dtype: "float32" })) }],
  });
}

type ModelInput = {
  /** The files of the global model's directory, as stored (model.json text and weight files). */
  files: { path: string; text?: string; f32?: Float32Array[] }[];
  manifest: {
    name: string;
    license: string;
    creator: string;
    inputs: { name: string; shape: (number | null)[]; dtype: "float32" }[];
    outputs: { name: string; shape: (number | null)[]; dtype: "float32" }[];
  };
};

function fileBytes(file: ModelInput["files"][number]): Uint8Array {
  if (file.text !== undefined) return utf8.encode(file.text);
  const parts = file.f32!;
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), offset);
    offset += part.byteLength;
  }
  return out;
}

async function storeGlobal(storage: { blockstore: MemoryBlockstore }, input: ModelInput): Promise<GlobalModel> {
  const dir = await addDirectoryEntries(
    storage,
    input.files.map((file) => ({ path: file.path, content: fileBytes(file) })),
  );
  const manifest = buildModelManifest({ ...input.manifest, model: dir });
  return loadGlobalModel(storage, await storeManifest(storage, manifest));
}

async function blockBytes(storage: { blockstore: MemoryBlockstore }, cid: CID): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of storage.blockstore.get(cid)) parts.push(part);
  return Buffer.concat(parts);
}

const SMALL_SPECS = [
  { name: "vectors_dense/kernel", shape: [4, 3] },
  { name: "vectors_dense/bias", shape: [3] },
];
const SMALL_TOPOLOGY = denseTopology("vectors", 4, 3, "softmax");
const SMALL_MANIFEST = {
  name: "Vectors base model",
  license: "MIT",
  creator: "Mycelium test vectors",
  inputs: [{ name: "vectors_dense_input", shape: [null, 4], dtype: "float32" as const }],
  outputs: [{ name: "vectors_dense", shape: [null, 3], dtype: "float32" as const }],
};

/** Small weights drawn from SeededRandom: values near `center` on a 2^-12 grid. */
function drawTensors(random: SeededRandom, shapes: number[][], scale = 2 ** -6): Float32Array[] {
  return shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = Math.round(random.nextNormal() * scale * 4096) / 4096;
    return out;
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// hashes.json: round seed, commitment, tuple hash
// ---------------------------------------------------------------------------------------------------------------------

async function hashes() {
  const modelCids = [
    (await encodeManifest(buildModelManifest({ ...SMALL_MANIFEST, model: await rawCid(utf8.encode("a model")) }))).cid,
    await rawCid(utf8.encode("another model")),
  ];
  const v0 = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";
  const roundSeeds = [
    { chainId: "31337", contract: CONTRACT, jobId: "1", round: "0", modelCid: modelCids[0]!.toString() },
    { chainId: "31337", contract: CONTRACT, jobId: "7", round: "3", modelCid: modelCids[1]!.toString() },
    { chainId: "8453", contract: TRAINERS[4]!, jobId: (2n ** 256n - 1n).toString(), round: "16777214", modelCid: v0 },
  ].map((input) => {
    const seed = computeRoundSeed({ ...input, jobId: BigInt(input.jobId), round: BigInt(input.round), chainId: BigInt(input.chainId) });
    const preimage = encodeAbiParameters(parseAbiParameters("uint256, address, uint256, uint256, bytes"), [
      BigInt(input.chainId),
      input.contract,
      BigInt(input.jobId),
      BigInt(input.round),
      hex(toCid(input.modelCid).toV1().bytes),
    ]);
    return { input, modelCidBytes: hex(toCid(input.modelCid).toV1().bytes), preimage, seed };
  });
  const updateCid = (await rawCid(utf8.encode("an update"))).toString();
  const commitments = [
    { chainId: "31337", contract: CONTRACT, jobId: "7", round: "3", updateCid, samples: "3000", salt: salt(1), trainer: TRAINERS[1]! },
    {
      chainId: "1",
      contract: CONTRACT,
      jobId: "1",
      round: "0",
      updateCid: modelCids[0]!.toString(),
      samples: "4294967295",
      salt: `0x${"00".repeat(32)}` as Hex,
      trainer: TRAINERS[2]!,
    },
  ].map((input) => {
    const commitment = computeCommitment({
      ...input,
      chainId: BigInt(input.chainId),
      jobId: BigInt(input.jobId),
      round: BigInt(input.round),
      samples: BigInt(input.samples),
    });
    const preimage = encodeAbiParameters(parseAbiParameters("uint256, address, uint256, uint256, bytes, uint256, bytes32, address"), [
      BigInt(input.chainId),
      input.contract,
      BigInt(input.jobId),
      BigInt(input.round),
      hex(toCid(input.updateCid).toV1().bytes),
      BigInt(input.samples),
      input.salt,
      input.trainer,
    ]);
    return { input, updateCidBytes: hex(toCid(input.updateCid).toV1().bytes), preimage, commitment };
  });
  const tuples = [
    { aggregateCid: modelCids[0]!.toString(), includedMask: "0x1f", includedSamples: "15000", slashMask: "0x0" },
    { aggregateCid: modelCids[0]!.toString(), includedMask: "0x1d", includedSamples: "12000", slashMask: "0x2" },
    { aggregateCid: modelCids[1]!.toString(), includedMask: `0x${"f".repeat(64)}`, includedSamples: "1099511627520", slashMask: "0x0" },
  ].map((input) => {
    const tupleHash = computeTupleHash({
      aggregateCid: input.aggregateCid,
      includedMask: BigInt(input.includedMask),
      includedSamples: BigInt(input.includedSamples),
      slashMask: BigInt(input.slashMask),
    });
    const preimage = encodeAbiParameters(parseAbiParameters("bytes, uint256, uint256, uint256"), [
      hex(toCid(input.aggregateCid).toV1().bytes),
      BigInt(input.includedMask),
      BigInt(input.includedSamples),
      BigInt(input.slashMask),
    ]);
    return { input, aggregateCidBytes: hex(toCid(input.aggregateCid).toV1().bytes), preimage, tupleHash };
  });
  await write("hashes.json", { ...header("round seed, commitment and tuple hash", "§4"), roundSeeds, commitments, tuples });
}

// ---------------------------------------------------------------------------------------------------------------------
// random.json: deriveSeed and SeededRandom
// ---------------------------------------------------------------------------------------------------------------------

async function random() {
  const derive = (
    [
      { parent: 0, labels: [] },
      { parent: 0, labels: [0, 0] },
      { parent: 7, labels: [3, 1] },
      { parent: 4294967295, labels: ["initializer", 0] },
      { parent: 42, labels: ["initializer", 12] },
      { parent: `0x${"ab".repeat(32)}`, labels: ["é", 65536] },
      { parent: "0x00", labels: [""] },
    ] as { parent: number | Hex; labels: (string | number)[] }[]
  ).map((input) => ({ input, seed: deriveSeed(input.parent, ...input.labels) }));
  const sequences = ([0, 1, 42, 4294967295, `0x${"00".repeat(32)}`, `0x${"5a".repeat(32)}`] as (number | Hex)[]).map((seed) => {
    const uint32 = new SeededRandom(seed);
    const ints = new SeededRandom(seed);
    const floats = new SeededRandom(seed);
    const normals = new SeededRandom(seed);
    const permutation = new SeededRandom(seed);
    return {
      seed,
      nextUint32: Array.from({ length: 8 }, () => uint32.nextUint32()),
      nextInt: [1, 2, 3, 10, 1000, 2 ** 31 + 1, 2 ** 32].map((n) => ({ n, value: ints.nextInt(n) })),
      nextFloat: Array.from({ length: 4 }, () => f64(floats.nextFloat())),
      nextNormal: Array.from({ length: 3 }, () => f64(normals.nextNormal())),
      permutation: { n: 12, value: Array.from(permutation.permutation(12)) },
    };
  });
  await write("random.json", {
    ...header("deriveSeed and SeededRandom (mycelium/random@1)", "§5"),
    note: "Each field of a sequence starts from a fresh generator seeded with `seed`; nextInt draws its cases in order from one generator.",
    deriveSeed: derive,
    sequences,
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// assignment.json: shard permutation and assignment
// ---------------------------------------------------------------------------------------------------------------------

async function assignment() {
  const seedA = keccak256(utf8.encode("mycelium/vectors/round-seed/a"));
  const seedB = `0x${"00".repeat(32)}` as Hex;
  const permutations = [
    { roundSeed: seedA, shardCount: 1 },
    { roundSeed: seedA, shardCount: 2 },
    { roundSeed: seedA, shardCount: 10 },
    { roundSeed: seedB, shardCount: 40 },
  ].map((input) => ({ input, permutation: Array.from(shardPermutation(input.roundSeed, input.shardCount)) }));
  const assignments = [
    ...[0, 1, 2, 3, 4].map((trainerIndex) => ({ roundSeed: seedA, trainerIndex, shardCount: 10, shardsPerTrainer: 2 })),
    ...[0, 3, 4, 7, 255].map((trainerIndex) => ({ roundSeed: seedB, trainerIndex, shardCount: 40, shardsPerTrainer: 5 })),
    { roundSeed: seedA, trainerIndex: 6, shardCount: 10, shardsPerTrainer: 3 },
    { roundSeed: seedA, trainerIndex: 0, shardCount: 10, shardsPerTrainer: 10 },
    { roundSeed: seedB, trainerIndex: 9, shardCount: 1, shardsPerTrainer: 1 },
  ].map((input) => ({ input, shards: assignShards(input) }));
  await write("assignment.json", { ...header("shard assignment (mycelium/shard-assignment@1)", "§6"), permutations, assignments });
}

// ---------------------------------------------------------------------------------------------------------------------
// audits.json: audit seed, draw, stake bound
// ---------------------------------------------------------------------------------------------------------------------

async function audits() {
  const roundSeed = keccak256(utf8.encode("mycelium/vectors/round-seed/audits"));
  const seedCases = [
    { name: "five on-time reveals, given out of order", reveals: [3, 0, 4, 1, 2].map((i) => ({ trainerIndex: i, salt: salt(i) })) },
    { name: "no on-time reveal", reveals: [] },
    { name: "sparse indices", reveals: [255, 17, 0].map((i) => ({ trainerIndex: i, salt: salt(100 + i) })) },
  ].map(({ name, reveals }) => {
    const input = { chainId: "31337", contract: CONTRACT, jobId: "7", round: "3", roundSeed, reveals };
    const auditSeed = computeAuditSeed({ ...input, chainId: 31337, jobId: 7n, round: 3n });
    const sorted = [...reveals].sort((a, b) => a.trainerIndex - b.trainerIndex);
    const preimage = encodeAbiParameters(parseAbiParameters("uint256, address, uint256, uint256, bytes32, uint256[], bytes32[]"), [
      31337n,
      CONTRACT,
      7n,
      3n,
      roundSeed,
      sorted.map((reveal) => BigInt(reveal.trainerIndex)),
      sorted.map((reveal) => reveal.salt),
    ]);
    return { name, input, preimage, auditSeed };
  });
  const auditSeed = seedCases[0]!.auditSeed;
  const reveal = (trainerIndex: number, samples: string, late = false) => ({ trainerIndex, samples, late });
  const selections = [
    {
      name: "one draw among five",
      count: 1,
      reveals: [reveal(0, "3000"), reveal(1, "3000"), reveal(2, "1500"), reveal(3, "3000"), reveal(4, "6000")],
    },
    {
      name: "two draws, a late reveal",
      count: 2,
      reveals: [reveal(4, "6000"), reveal(0, "3000"), reveal(2, "1500", true), reveal(1, "3000")],
    },
    { name: "more draws than on-time reveals", count: 5, reveals: [reveal(0, "1"), reveal(1, "2"), reveal(2, "3", true)] },
    { name: "only late reveals", count: 1, reveals: [reveal(5, "100", true), reveal(2, "100", true)] },
    { name: "no reveal", count: 3, reveals: [] },
    {
      name: "uint256 samples",
      count: 2,
      reveals: [reveal(9, (2n ** 255n).toString()), reveal(3, "1"), reveal(200, (2n ** 200n + 12345n).toString())],
    },
    {
      name: "one heavy trainer among many",
      count: 3,
      reveals: Array.from({ length: 20 }, (_, i) => reveal(i, i === 13 ? "1000000" : "10", i === 19)),
    },
    ...[0, 1, 2, 3, 4, 5].map((n) => ({
      name: `seed variant ${n}`,
      count: 2,
      seed: keccak256(utf8.encode(`mycelium/vectors/audit-seed/${n}`)),
      reveals: [reveal(0, "3000"), reveal(1, "3000"), reveal(2, "1500"), reveal(3, "3000"), reveal(4, "6000")],
    })),
  ].map((entry) => {
    const input = { auditSeed: (entry as { seed?: Hex }).seed ?? auditSeed, count: entry.count, reveals: entry.reveals };
    const result = selectAudits({ ...input, reveals: input.reveals.map((r) => ({ ...r, samples: BigInt(r.samples) })) });
    return { name: entry.name, input, drawn: result.drawn, audited: result.audited };
  });
  const stake = [
    { roundReward: "1000000", auditsPerRound: 1 },
    { roundReward: "1000000", auditsPerRound: 3 },
    { roundReward: "7", auditsPerRound: 2 },
    { roundReward: "0", auditsPerRound: 1 },
    { roundReward: "79228162514264337593543950335", auditsPerRound: 255 },
  ].map((input) => ({
    input,
    minimumAuditStake: minimumAuditStake({ roundReward: BigInt(input.roundReward), auditsPerRound: input.auditsPerRound }).toString(),
  }));
  const audits = [
    { rewardPerRound: "1000000", minStake: "2000000" },
    { rewardPerRound: "1000000", minStake: "1999999" },
    { rewardPerRound: "1000000", minStake: "300000" },
    { rewardPerRound: "0", minStake: "1" },
    { rewardPerRound: "1000000", minStake: "7843" },
    { rewardPerRound: "1000000", minStake: "7842" },
  ].map((input) => {
    let result: number | null;
    try {
      result = minimumAuditsPerRound({ rewardPerRound: BigInt(input.rewardPerRound), minStake: BigInt(input.minStake) });
    } catch {
      result = null;
    }
    return { input, minimumAuditsPerRound: result };
  });
  await write("audits.json", {
    ...header("audit seed, audit draw and the stake bound", "§12"),
    seeds: seedCases,
    selections,
    minimumAuditStake: stake,
    minimumAuditsPerRound: audits,
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// rewards.json
// ---------------------------------------------------------------------------------------------------------------------

async function rewards() {
  const shares = [
    { reward: "1000000", samples: "3000", includedSamples: "9000" },
    { reward: "1000000", samples: "1", includedSamples: "3" },
    { reward: "10", samples: "3", includedSamples: "7" },
    { reward: "1267650600228229401496703205375", samples: "4294967295", includedSamples: "1099511627520" },
    { reward: "5", samples: "1", includedSamples: "0" },
  ].map((input) => ({
    input,
    share: rewardShare({
      reward: BigInt(input.reward),
      samples: BigInt(input.samples),
      includedSamples: BigInt(input.includedSamples),
    }).toString(),
  }));
  await write("rewards.json", { ...header("reward shares", "§13"), shares });
}

// ---------------------------------------------------------------------------------------------------------------------
// Topologies with integer-like and non-ASCII keys
// ---------------------------------------------------------------------------------------------------------------------

/** Keys and values that canonical JSON and dag-json order and spell differently from a naive implementation. */
const ODD_OBJECT_TEXT =
  '{"b":1,"a":2,"10":3,"9":4,"01":5,"-1":6,"1.5":7,"4294967294":8,"4294967295":9,"Z":10,"é":11,"ü":12,' +
  '"\\uff21":13,"\\ud83d\\ude00":14,"A\\u0000":15,"":16,' +
  '"numbers":[0,-0,1.0,1e21,1E-7,0.1,9007199254740992,9007199254740993,5e-324,1.7976931348623157e308,123456789012345678901,2.5e-8],' +
  '"strings":["tab\\there","quote\\"backslash\\\\slash\\/","\\u0001\\u001f\\u007f","\\u2028\\u2029","\\ud800 lone","\\udc00","é😀","\\u00e9"]}';

/** The text of a topology whose one layer carries ODD_OBJECT_TEXT (and `extra`, more members of that object). */
function oddTopologyText(name: string, extra: string): string {
  return (
    `{"class_name":"Sequential","keras_version":"tfjs-layers 4.22.0","backend":"tensor_flow.js","config":{"name":"${name}",` +
    `"layers":[{"class_name":"Dense","config":{"units":2,"activation":"linear","use_bias":true,"name":"${name}_dense",` +
    `"trainable":true,"batch_input_shape":[null,3],"dtype":"float32","userMetadata":${ODD_OBJECT_TEXT.slice(0, -1)}${extra}}}}]}}`
  );
}

function oddTopology(name: string): Record<string, unknown> {
  return JSON.parse(oddTopologyText(name, "")) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------------------
// spec.json: training specs (dag-json) and aggregation rule validation
// ---------------------------------------------------------------------------------------------------------------------

async function datasetCid(): Promise<CID> {
  const shard = await rawCid(utf8.encode("shard"));
  const manifest = buildDatasetManifest({
    name: "Vectors dataset",
    license: "CC0-1.0",
    creator: "Mycelium test vectors",
    format: "mycelium/tensor-shards@1",
    schema: { featureShape: [4], dtype: "float32", labelClasses: ["a", "b", "c"] },
    splits: { train: [{ cid: shard, samples: 1500, bytes: 30040 }], test: [{ cid: shard, samples: 1500, bytes: 30040 }] },
  });
  return (await encodeManifest(manifest)).cid;
}

async function spec() {
  const dataset = (await datasetCid()).toString();
  const storage = { blockstore: new MemoryBlockstore() };
  const specs: unknown[] = [];
  const plain = {
    format: "mycelium/training-spec@1",
    model: { format: "tfjs-layers", topology: SMALL_TOPOLOGY },
    loss: "sparseCategoricalCrossentropy",
    optimizer: { name: "adam", learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    batchSize: 32,
    local: { unit: "epochs", count: 1 },
    shardsPerTrainer: 1,
    aggregation: { rule: "trimmed-mean", robustK: 2, trimFraction: 0.2 },
    dataset: { assetId: "12", manifest: dataset, format: "mycelium/tensor-shards@1", trainSplit: "train" },
    validation: { split: "test", shard: 0 },
    seed: 0,
  };
  const variants = [
    { name: "defaults of buildTrainingSpec", spec: plain },
    {
      name: "sgd, seconds, mean rule without filter, large ids",
      spec: {
        ...plain,
        optimizer: { name: "sgd", learningRate: 0.05 },
        local: { unit: "seconds", count: 40 },
        aggregation: { rule: "mean", robustK: null, trimFraction: 0 },
        dataset: { ...plain.dataset, assetId: (2n ** 256n - 1n).toString(), trainSplit: "train-2_b" },
        seed: 4294967295,
        shardsPerTrainer: 5,
      },
    },
    {
      name: "momentum, steps, topology with integer-like and non-ASCII keys",
      spec: {
        ...plain,
        model: { format: "tfjs-layers", topology: oddTopology("odd") },
        optimizer: { name: "momentum", learningRate: 0.01, momentum: 0.9 },
        local: { unit: "steps", count: 60 },
        aggregation: { rule: "trimmed-mean", robustK: 1, trimFraction: 0.49 },
      },
    },
  ];
  for (const variant of variants) {
    const value = { ...variant.spec, dataset: { ...variant.spec.dataset, manifest: toCid(variant.spec.dataset.manifest) } };
    const cid = await storeTrainingSpec(storage, validateTrainingSpec(value));
    const bytes = await blockBytes(storage, cid);
    specs.push({ name: variant.name, spec: variant.spec, cid: cid.toString(), dagJson: new TextDecoder().decode(bytes) });
  }
  const invalidSpecs = [
    { name: "unknown field", patch: { extra: 1 } },
    { name: "seed above uint32", patch: { seed: 4294967296 } },
    { name: "batch size 0 and a local unit that does not exist", patch: { batchSize: 0, local: { unit: "minutes", count: 1 } } },
    { name: "adam without epsilon", patch: { optimizer: { name: "adam", learningRate: 0.001, beta1: 0.9, beta2: 0.999 } } },
    { name: "asset id with a leading zero", patch: { dataset: { ...plain.dataset, assetId: "012" } } },
    { name: "robustK below 1", patch: { aggregation: { rule: "trimmed-mean", robustK: 0.5, trimFraction: 0.2 } } },
    { name: "mean rule with trimming", patch: { aggregation: { rule: "mean", robustK: 2, trimFraction: 0.2 } } },
    { name: "split name with a dot", patch: { validation: { split: "test.1", shard: 0 } } },
    { name: "beta1 of 1", patch: { optimizer: { name: "adam", learningRate: 0.001, beta1: 1, beta2: 0.999, epsilon: 1e-7 } } },
    {
      name: "topology without layers",
      patch: { model: { format: "tfjs-layers", topology: { class_name: "Sequential", config: { layers: [] } } } },
    },
  ].map(({ name, patch }) => {
    const value = { ...plain, ...patch } as Record<string, unknown>;
    const withCid = { ...value, dataset: { ...(value.dataset as object), manifest: toCid(dataset) } };
    let paths: string[] = [];
    try {
      validateTrainingSpec(withCid);
      throw new Error(`spec vector "${name}" is valid`);
    } catch (error) {
      paths = ((error as { issues?: { path: string }[] }).issues ?? []).map((issue) => issue.path).sort();
      if (paths.length === 0) throw error;
    }
    return { name, spec: value, issuePaths: paths };
  });
  const rules = [
    { rule: { rule: "trimmed-mean", robustK: 2, trimFraction: 0.2 } },
    { rule: { rule: "trimmed-mean", robustK: 1, trimFraction: 0.2 } },
    { rule: { rule: "trimmed-mean", robustK: 0.9999999999999999, trimFraction: 0.2 } },
    { rule: { rule: "trimmed-mean", robustK: 0, trimFraction: 0.2 } },
    { rule: { rule: "trimmed-mean", robustK: -3, trimFraction: 0.2 } },
    { rule: { rule: "trimmed-mean", robustK: 1e308, trimFraction: 0.2 } },
    { rule: { rule: "trimmed-mean", robustK: null, trimFraction: 0.2 } },
    { rule: { rule: "trimmed-mean", robustK: 2, trimFraction: 0.5 } },
    { rule: { rule: "trimmed-mean", robustK: 2, trimFraction: 0.49999999999999994 } },
    { rule: { rule: "trimmed-mean", robustK: 2, trimFraction: 0 } },
    { rule: { rule: "trimmed-mean", robustK: 2, trimFraction: 5e-324 } },
    { rule: { rule: "mean", robustK: 2, trimFraction: 0 } },
    { rule: { rule: "mean", robustK: null, trimFraction: 0 } },
    { rule: { rule: "mean", robustK: 2, trimFraction: 0.1 } },
    { rule: { rule: "median", robustK: 2, trimFraction: 0.2 } },
    { rule: { rule: "trimmed-mean", robustK: "2", trimFraction: 0.2 } },
    { rule: { rule: "trimmed-mean", robustK: 2 } },
    { rule: { rule: "trimmed-mean", robustK: 2, trimFraction: 0.2, extra: true } },
  ].map(({ rule }) => {
    let valid = true;
    try {
      validateAggregationRule(rule);
    } catch {
      valid = false;
    }
    return { rule, valid };
  });
  await write("spec.json", {
    ...header("training specs (dag-json) and their validation", "§7"),
    specs,
    invalidSpecs,
    aggregationRules: rules,
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// aggregation.json: screening and the rule
// ---------------------------------------------------------------------------------------------------------------------

type CaseUpdate =
  | { trainerIndex: number; samples: string; weights: Float32Array[] }
  | { trainerIndex: number; samples: string; unavailable: string }
  | { trainerIndex: number; samples: string; replayMismatch: string };

type Case = {
  name: string;
  description: string;
  base: Float32Array[];
  updates: CaseUpdate[];
  rule: AggregationRule;
  audited?: number[];
};

function samplesValue(samples: string): number | bigint {
  return /^[0-9]+$/.test(samples) ? BigInt(samples) : Number(samples);
}

function toAggregationUpdate(update: CaseUpdate): AggregationUpdate {
  const samples = samplesValue(update.samples);
  if ("weights" in update) return { trainerIndex: update.trainerIndex, samples, weights: update.weights };
  if ("unavailable" in update) return { trainerIndex: update.trainerIndex, samples, unavailable: update.unavailable };
  return { trainerIndex: update.trainerIndex, samples, replayMismatch: update.replayMismatch };
}

function encodeUpdate(update: CaseUpdate) {
  if ("weights" in update) return { trainerIndex: update.trainerIndex, samples: update.samples, weights: update.weights.map(f32) };
  return update;
}

function runCase(entry: Case) {
  const result = aggregateUpdates({
    base: entry.base,
    updates: entry.updates.map(toAggregationUpdate),
    rule: entry.rule,
    ...(entry.audited ? { audited: entry.audited } : {}),
  });
  return {
    name: entry.name,
    description: entry.description,
    input: {
      base: entry.base.map(f32),
      rule: entry.rule,
      audited: entry.audited ?? [],
      updates: entry.updates.map(encodeUpdate),
    },
    expected: {
      weights: result.weights.map(f32),
      weightsSha256: weightsDigest(result.weights),
      includedMask: mask(result.includedMask),
      includedSamples: result.includedSamples.toString(),
      slashMask: mask(result.slashMask),
      medianDistance: f64(result.medianDistance),
      threshold: f64(result.threshold),
      verdicts: result.verdicts.map((verdict) => ({
        trainerIndex: verdict.trainerIndex,
        included: verdict.included,
        reason: verdict.reason,
        distance: f64(verdict.distance),
      })),
    },
  };
}

const DEFAULT_RULE: AggregationRule = { rule: "trimmed-mean", robustK: 2, trimFraction: 0.2 };
const NO_FILTER: AggregationRule = { rule: "trimmed-mean", robustK: null, trimFraction: 0.2 };
const MIN_SUBNORMAL = 1.401298464324817e-45;

function aggregationCases(): Case[] {
  const cases: Case[] = [];
  const shapes = [[4, 3], [3]];
  {
    const random = new SeededRandom(1001);
    const base = drawTensors(random, shapes, 2 ** -3);
    const step = () => drawTensors(random, shapes, 2 ** -8).map((delta, t) => delta.map((d, j) => base[t]![j]! + d));
    const updates = [3, 0, 4, 1, 2].map((trainerIndex) => ({
      trainerIndex,
      samples: String([1500, 3000, 1500, 3000, 1499][trainerIndex]),
      weights: step(),
    }));
    cases.push({
      name: "normal-round",
      description: "Five honest updates in shuffled input order, the default rule (robustK 2, trimmed mean 0.2): t = 1.",
      base,
      updates,
      rule: DEFAULT_RULE,
    });
  }
  {
    const random = new SeededRandom(1002);
    const base = drawTensors(random, shapes, 2 ** -3);
    base[1]![0] = 0;
    const near = () => drawTensors(random, shapes, 2 ** -9).map((delta, t) => delta.map((d, j) => base[t]![j]! + d));
    const honest = [near(), near(), near(), near(), near()];
    honest[0]![1]![0] = -0;
    const copy = honest[0]!.map((t) => Float32Array.from(t));
    copy[1]![0] = 0; // -0 in the original: numerically equal, so still a duplicate
    const baseCopy = base.map((t) => Float32Array.from(t));
    baseCopy[1]![0] = -0; // +0 in the base: still base-equal
    const nan = near();
    new Uint32Array(nan[1]!.buffer, nan[1]!.byteOffset, 3)[2] = 0x7fa00001; // a signalling NaN with a payload, set bit for bit
    const inf = near();
    inf[0]![5] = Number.POSITIVE_INFINITY;
    const negInf = near();
    negInf[0]![0] = Number.NEGATIVE_INFINITY;
    const far = near().map((t, ti) => t.map((v, j) => v + (ti === 0 && j === 0 ? 4 : 0)));
    const updates: CaseUpdate[] = [
      { trainerIndex: 12, samples: "3000", weights: honest[3]! },
      { trainerIndex: 0, samples: "3000", unavailable: "not fetched within 60 s" },
      { trainerIndex: 1, samples: "3000", replayMismatch: "differs from its replay by 1.00 of the update's size" },
      { trainerIndex: 2, samples: "0", weights: near() },
      { trainerIndex: 3, samples: "9007199254740992", weights: near() },
      { trainerIndex: 4, samples: "1.5", weights: near() },
      { trainerIndex: 5, samples: "3000", weights: [near()[0]!] },
      { trainerIndex: 6, samples: "3000", weights: [near()[0]!, new Float32Array(4)] },
      { trainerIndex: 7, samples: "3000", weights: nan },
      { trainerIndex: 8, samples: "3000", weights: inf },
      { trainerIndex: 9, samples: "3000", weights: baseCopy },
      { trainerIndex: 10, samples: "3000", weights: honest[0]! },
      { trainerIndex: 11, samples: "3000", weights: honest[1]! },
      { trainerIndex: 13, samples: "3000", weights: honest[2]! },
      { trainerIndex: 14, samples: "3000", weights: copy },
      { trainerIndex: 15, samples: "3000", weights: far },
      { trainerIndex: 16, samples: "3000", unavailable: "the manifest is for round 2" },
      { trainerIndex: 17, samples: "0", replayMismatch: "declares 0 steps" },
      { trainerIndex: 18, samples: "0", weights: [near()[0]!] },
      { trainerIndex: 19, samples: "3000", weights: negInf },
      { trainerIndex: 20, samples: "4500", weights: honest[4]! },
      { trainerIndex: 21, samples: "3000", weights: [near()[0]!, near()[1]!, new Float32Array(0)] },
    ];
    cases.push({
      name: "every-screening-verdict",
      description:
        "One update per exclusion reason, and the order of checks: unavailable (0), replay-mismatch (1, 17 whose samples are also invalid), " +
        "invalid-samples (2: 0, 3: 2^53, 4: 1.5, 18 whose shape is also wrong), shape-mismatch (5: one tensor fewer, 6: a tensor " +
        "of another length, 21: one tensor more), non-finite (7: NaN payload, 8: +Infinity, 19: -Infinity), base-equal (9: -0 where the " +
        "base has +0), duplicate (14: equal to 10 but +0 where 10 has -0), outlier (15), and an unavailable update drawn for an " +
        "audit (16: replay-mismatch, in the slash mask). Indices 10 to 13 and 20 are included.",
      base,
      updates,
      rule: DEFAULT_RULE,
      audited: [16, 1, 10],
    });
  }
  {
    const random = new SeededRandom(1003);
    const base = drawTensors(random, [[6]], 2 ** -3);
    const near = () => drawTensors(random, [[6]], 2 ** -9).map((delta, t) => delta.map((d, j) => base[t]![j]! + d));
    const far = near().map((t) => t.map((v) => v + 1));
    cases.push({
      name: "duplicate-of-an-outlier",
      description:
        "The duplicate check runs before the filter: 4 repeats 2, which the filter then excludes as an outlier; 4 stays a duplicate.",
      base,
      updates: [
        { trainerIndex: 0, samples: "100", weights: near() },
        { trainerIndex: 1, samples: "100", weights: near() },
        { trainerIndex: 2, samples: "100", weights: far },
        { trainerIndex: 3, samples: "100", weights: near() },
        { trainerIndex: 4, samples: "100", weights: far.map((t) => Float32Array.from(t)) },
      ],
      rule: DEFAULT_RULE,
    });
  }
  {
    const a = tensor([2.4805581588793757e-8, -1.4055322408676147, 6610.86474609375]);
    const b = tensor([11625671, -0.0069047617726027966, 0.00008562891162000597]);
    for (const robustK of [1, 2]) {
      cases.push({
        name: `two-updates-robustK-${robustK}`,
        description:
          robustK === 1
            ? "n = 2 and robustK = 1: the two distances differ in their last bit (rounding of the midpoint), so the farther update is an outlier. " +
              "The filter CAN exclude with n <= 2 when robustK < 2."
            : "The same two updates with robustK = 2: d_max <= d_1 + d_2 = 2M, nothing is excluded.",
        base: [new Float32Array(3)],
        updates: [
          { trainerIndex: 0, samples: "1", weights: [a] },
          { trainerIndex: 1, samples: "1", weights: [b] },
        ],
        rule: { rule: "mean", robustK, trimFraction: 0 },
      });
    }
  }
  cases.push({
    name: "single-update",
    description: "n = 1 with the filter on: distance 0, median distance 0, threshold 0; 0 > 0 is false, so it is included.",
    base: [tensor([1, 2, 3])],
    updates: [{ trainerIndex: 4, samples: "10", weights: [tensor([1.5, 2, -0])] }],
    rule: DEFAULT_RULE,
  });
  cases.push({
    name: "nothing-included",
    description:
      "Every update is excluded: the output is the base unchanged, bit for bit (its -0 stays -0), masks 0, " +
      "and medianDistance/threshold null because no update reached the filter.",
    base: [tensor([-0, 1, MIN_SUBNORMAL])],
    updates: [
      { trainerIndex: 0, samples: "5", unavailable: "timeout" },
      { trainerIndex: 1, samples: "5", weights: [tensor([0, 1, MIN_SUBNORMAL])] },
    ],
    rule: DEFAULT_RULE,
  });
  {
    const random = new SeededRandom(1004);
    const base = drawTensors(random, [[5]], 2 ** -3);
    const updates = [0, 1, 2, 3].map((trainerIndex) => ({
      trainerIndex,
      samples: String(1000 * (trainerIndex + 1)),
      weights: drawTensors(random, [[5]], 2 ** -2),
    }));
    cases.push({
      name: "mean-without-filter",
      description: "robustK null and the mean rule: plain sample-weighted federated averaging; no distances.",
      base,
      updates,
      rule: { rule: "mean", robustK: null, trimFraction: 0 },
    });
  }
  {
    // Coordinates chosen so that which tied value is dropped changes the output (samples differ).
    const columns = [
      [1, 1, 3, 3, 2],
      [7, 7, 7, 7, 7],
      [0, -0, 5, 6, 7],
      [-0, 0, -1, -1, 0],
      [2, -0, 0, -0, 1],
      [-MIN_SUBNORMAL, MIN_SUBNORMAL, -0, 0, MIN_SUBNORMAL],
    ];
    const samples = ["1", "100", "3", "1000", "7"];
    const updates = samples.map((s, i) => ({ trainerIndex: i, samples: s, weights: [tensor(columns.map((column) => column[i]!))] }));
    cases.push({
      name: "trim-ties-and-signed-zeros",
      description:
        "No filter, trimmed mean 0.2 over n' = 5 (t = 1). Values tie; the order is (value, trainer index) with -0 == +0, so " +
        "column 2 drops trainer 0 (+0) and keeps trainer 1 (-0, samples 100); an IEEE totalOrder sort (-0 < +0) would drop " +
        "trainer 1 instead and give another value. Column 1 (all equal) drops trainers 0 and 4.",
      base: [new Float32Array(6)],
      updates,
      rule: NO_FILTER,
    });
    cases.push({
      name: "trim-ties-and-signed-zeros-filtered",
      description: "The same updates with the default filter on (robustK 2).",
      base: [new Float32Array(6)],
      updates,
      rule: DEFAULT_RULE,
    });
  }
  cases.push({
    name: "signed-zero-and-subnormal-results",
    description:
      "Outputs that round to -0 become +0; subnormal results are kept: column 0 averages -min_subnormal and -0 (-> +0), column 1 " +
      "two subnormals, column 2 a value whose binary64 mean is below half the smallest subnormal.",
    base: [tensor([1, 1, 1])],
    updates: [
      { trainerIndex: 0, samples: "1", weights: [tensor([-MIN_SUBNORMAL, MIN_SUBNORMAL, -MIN_SUBNORMAL])] },
      { trainerIndex: 1, samples: "1", weights: [tensor([-0, 3 * MIN_SUBNORMAL, 0])] },
      { trainerIndex: 2, samples: "2", weights: [tensor([-0, 2 * MIN_SUBNORMAL, 0])] },
    ],
    rule: { rule: "mean", robustK: null, trimFraction: 0 },
  });
  {
    const random = new SeededRandom(1005);
    const updates = Array.from({ length: 100 }, (_, i) => ({
      trainerIndex: (i * 37) % 100,
      samples: String(1 + random.nextInt(50)),
      weights: [tensor([random.nextInt(9) - 4, (random.nextInt(2001) - 1000) / 64])],
    }));
    cases.push({
      name: "trim-count-in-binary64",
      description: "trimFraction 0.29 with n' = 100: the binary64 product 0.29 x 100 is 28.999999999999996, so t = 28, not 29. No filter.",
      base: [new Float32Array(2)],
      updates,
      rule: { rule: "trimmed-mean", robustK: null, trimFraction: 0.29 },
    });
  }
  {
    const random = new SeededRandom(1006);
    const palette = [-2, -1, -0, 0, 1, 2, MIN_SUBNORMAL, -MIN_SUBNORMAL, 0.5, -0.5];
    const updates = Array.from({ length: 33 }, (_, i) => ({
      trainerIndex: [...Array(33).keys()].map((k) => (k * 5) % 33)[i]!,
      samples: String(1 + random.nextInt(7)),
      weights: [tensor(Array.from({ length: 24 }, () => palette[random.nextInt(palette.length)]!))],
    }));
    for (const [suffix, rule] of [
      ["filtered", { rule: "trimmed-mean", robustK: 3, trimFraction: 0.3 }],
      ["unfiltered", { rule: "trimmed-mean", robustK: null, trimFraction: 0.3 }],
    ] as const) {
      cases.push({
        name: `random-ties-33-${suffix}`,
        description:
          "33 updates whose values come from a palette of ten (signed zeros, subnormals): many ties at every coordinate, " +
          "trimmed mean 0.3, and an even or odd count after the filter.",
        base: [new Float32Array(24)],
        updates,
        rule,
      });
    }
  }
  {
    const random = new SeededRandom(1007);
    const base = drawTensors(random, [[8]], 1);
    const updates = [0, 1, 2, 3].map((trainerIndex) => ({
      trainerIndex,
      samples: "10",
      weights: [tensor(Array.from({ length: 8 }, (_, j) => (j % 2 === 0 ? 2 ** 30 : 2 ** -30) * (trainerIndex + 1) + base[0]![j]!))],
    }));
    cases.push({
      name: "even-median",
      description: "Four updates: every coordinate's median is the binary64 mean of the two middle values, and so is M.",
      base,
      updates,
      rule: { rule: "trimmed-mean", robustK: 1.5, trimFraction: 0.25 },
    });
  }
  cases.push({
    name: "large-samples",
    description:
      "Samples near 2^52: includedSamples is the exact integer sum (2^53 + 5), while the rule's denominator is the binary64 " +
      "sum (2^53 + 4, rounded).",
    base: [tensor([0, 0])],
    updates: [
      { trainerIndex: 0, samples: String(2 ** 52 + 1), weights: [tensor([1, 0.1])] },
      { trainerIndex: 1, samples: String(2 ** 52 + 1), weights: [tensor([1, 0.3])] },
      { trainerIndex: 2, samples: "3", weights: [tensor([4, 0.2])] },
    ],
    rule: { rule: "mean", robustK: null, trimFraction: 0 },
  });
  {
    const random = new SeededRandom(1008);
    const base = drawTensors(random, [[3]], 2 ** -3);
    cases.push({
      name: "high-trainer-indices",
      description: "Indices up to 255 (the contract's 256 trainers): masks are 256-bit.",
      base,
      updates: [255, 128, 0, 64].map((trainerIndex) => ({
        trainerIndex,
        samples: "4294967295",
        weights: drawTensors(random, [[3]], 2 ** -3).map((d) => d.map((v, j) => v / 64 + base[0]![j]!)),
      })),
      rule: DEFAULT_RULE,
    });
  }
  return cases;
}

async function aggregation() {
  await write("aggregation.json", {
    ...header("screening and aggregation (the rule of mycelium/training-spec@1)", "§10"),
    cases: aggregationCases().map(runCase),
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// storage.json: rounds stored canonically (CIDs of weights.bin, model.json, the directory and the manifest), updates
// ---------------------------------------------------------------------------------------------------------------------

/** The large model's weights (spec §9 vectors): exact float32 values from integers. */
function largeBase(length: number): Float32Array {
  const out = new Float32Array(length);
  for (let j = 0; j < length; j++) out[j] = (((j * 40503) % 65536) - 32768) * 2 ** -20;
  return out;
}

function largeUpdate(base: Float32Array, trainerIndex: number, scale: number): Float32Array {
  const out = new Float32Array(base.length);
  for (let j = 0; j < base.length; j++) out[j] = base[j]! + scale * (((j * (2 * trainerIndex + 3)) % 17) - 8) * 2 ** -14;
  return out;
}

/** Cuts a concatenated array into tensors of the lengths of `like`. */
function split(values: Float32Array, like: readonly Float32Array[]): Float32Array[] {
  let offset = 0;
  return like.map((tensor) => values.slice(offset, (offset += tensor.length)));
}

async function describeStored(storage: { blockstore: MemoryBlockstore }, modelDir: CID) {
  const entries = await listDirectory(storage, modelDir);
  const weightsCid = await resolvePath(storage, modelDir, "weights.bin");
  const modelJsonCid = await resolvePath(storage, modelDir, "model.json");
  const weightsBlock = await blockBytes(storage, weightsCid);
  return {
    entries: entries.map((entry) => entry.name),
    weightsFile: {
      cid: weightsCid.toString(),
      // The root block when weights.bin spans several chunks (dag-pb); a single-chunk file is its raw bytes.
      rootBlock: weightsCid.code === 0x70 ? hex(weightsBlock) : null,
      sha256: weightsCid.code === 0x70 ? null : sha256Hex(weightsBlock),
    },
    modelJson: { cid: modelJsonCid.toString(), text: new TextDecoder().decode(await blockBytes(storage, modelJsonCid)) },
    modelDir: { cid: modelDir.toString(), block: hex(await blockBytes(storage, modelDir)) },
  };
}

type RoundVector = {
  name: string;
  description: string;
  global: ModelInput;
  globalFormula?: string;
  updates: CaseUpdate[];
  updateFormula?: { formula: string; updates: { trainerIndex: number; samples: string; scale: number }[] };
  rule: AggregationRule;
  audited?: number[];
  round: number;
  baseModel?: "global" | string;
};

async function storedRound(vector: RoundVector, dataset: CID) {
  const storage = { blockstore: new MemoryBlockstore() };
  const global = await storeGlobal(storage, vector.global);
  let updates: AggregationUpdate[] = vector.updates.map(toAggregationUpdate);
  if (vector.updateFormula) {
    const base = fileBytes({ path: "", f32: [...global.definition.weights] });
    const concatenated = new Float32Array(base.buffer, base.byteOffset, base.byteLength / 4);
    updates = vector.updateFormula.updates.map((u) => ({
      trainerIndex: u.trainerIndex,
      samples: BigInt(u.samples),
      weights: split(largeUpdate(concatenated, u.trainerIndex, u.scale), global.definition.weights),
    }));
  }
  const baseModel = vector.baseModel === undefined || vector.baseModel === "global" ? global.cid : toCid(vector.baseModel);
  const aggregate = await computeRoundAggregate(storage, {
    global,
    updates,
    audited: vector.audited,
    rule: vector.rule,
    job: JOB,
    round: vector.round,
    baseModel,
    dataset,
  });
  const large = vector.updateFormula !== undefined;
  return {
    name: vector.name,
    description: vector.description,
    input: {
      job: { chainId: JOB.chainId, contract: JOB.contract, id: JOB.id.toString() },
      round: vector.round,
      dataset: dataset.toString(),
      baseModel: vector.baseModel ?? "global",
      rule: vector.rule,
      audited: vector.audited ?? [],
      global: {
        files: vector.global.files.map((file) =>
          file.text !== undefined
            ? { path: file.path, text: file.text }
            : large
              ? { path: file.path, formula: vector.globalFormula, length: fileBytes(file).byteLength / 4 }
              : { path: file.path, f32: file.f32!.map(f32) },
        ),
        manifest: vector.global.manifest,
      },
      updates: large ? [] : vector.updates.map(encodeUpdate),
      ...(vector.updateFormula ? { updateFormula: vector.updateFormula } : {}),
    },
    expected: {
      global: {
        modelDir: global.modelDir.toString(),
        manifest: global.cid.toString(),
        weightSpecs: global.definition.weightSpecs,
      },
      weights: large ? null : aggregate.weights.map(f32),
      weightsSha256: weightsDigest(aggregate.weights),
      includedMask: mask(aggregate.includedMask),
      includedSamples: aggregate.includedSamples.toString(),
      slashMask: mask(aggregate.slashMask),
      verdicts: aggregate.verdicts.map((verdict) => ({ trainerIndex: verdict.trainerIndex, reason: verdict.reason })),
      ...(await describeStored(storage, aggregate.model.modelDir)),
      manifest: { cid: aggregate.cid.toString(), dagJson: new TextDecoder().decode(await blockBytes(storage, aggregate.cid)) },
    },
  };
}

async function storage() {
  const dataset = await datasetCid();
  const random = new SeededRandom(2001);
  const smallBase = drawTensors(random, [[12], [3]], 2 ** -3);
  const smallGlobal: ModelInput = {
    files: [
      { path: "model.json", text: modelJsonText(SMALL_TOPOLOGY, SMALL_SPECS) },
      { path: "weights.bin", f32: smallBase },
    ],
    manifest: SMALL_MANIFEST,
  };
  const smallUpdates = [2, 0, 3, 1].map((trainerIndex) => ({
    trainerIndex,
    samples: ["1500", "1500", "750", "1500"][trainerIndex]!,
    weights: drawTensors(random, [[12], [3]], 2 ** -9).map((d, t) => d.map((v, j) => v + smallBase[t]![j]!)),
  }));
  const otherBase = (await rawCid(utf8.encode("the job's base model"))).toString();
  const rounds: RoundVector[] = [
    {
      name: "normal-round",
      description:
        "Round 0 of job 7: four updates, the default rule; the global model is the job's base model (lineage.baseModel = the global).",
      global: smallGlobal,
      updates: smallUpdates,
      rule: DEFAULT_RULE,
      round: 0,
    },
    {
      name: "later-round-with-audit",
      description:
        "Round 3: the global model is an earlier aggregate, so lineage.baseModel names the job's base model (another CID); " +
        "trainer 1 failed its replay audit (slash mask 0x2) and trainer 4 was drawn but unavailable (slash mask bit 4).",
      global: smallGlobal,
      updates: [
        ...smallUpdates.filter((u) => u.trainerIndex !== 1),
        { trainerIndex: 1, samples: "1500", replayMismatch: "differs from its replay" },
        { trainerIndex: 4, samples: "1500", unavailable: "not fetched" },
      ],
      audited: [1, 4],
      rule: DEFAULT_RULE,
      round: 3,
      baseModel: otherBase,
    },
  ];
  // A model over 1 MiB of weights: weights.bin spans two 1 MiB chunks.
  {
    const inputs = 1310;
    const units = 200;
    const length = inputs * units + units;
    const base = largeBase(length);
    rounds.push({
      name: "large-model",
      description:
        "262,200 weights (1,048,800 bytes > 1 MiB): weights.bin is a dag-pb file over two raw leaves (1,048,576 + 224 bytes). " +
        "Trainer 3 (scale 64) is an outlier; 0, 1, 2 are averaged (t = floor(0.2 x 3) = 0).",
      global: {
        files: [
          {
            path: "model.json",
            text: modelJsonText(denseTopology("large", inputs, units, "relu"), [
              { name: "large_dense/kernel", shape: [inputs, units] },
              { name: "large_dense/bias", shape: [units] },
            ]),
          },
          { path: "weights.bin", f32: [base] },
        ],
        manifest: { ...SMALL_MANIFEST, name: "Vectors large model" },
      },
      globalFormula: "B[j] = ((j * 40503) mod 65536 - 32768) * 2^-20 for j = 0 .. length-1 (every value exact in float32)",
      updates: [],
      updateFormula: {
        formula:
          "U_i[j] = fround(B[j] + scale_i * (((j * (2 * i + 3)) mod 17) - 8) * 2^-14), i the trainer index, j over the concatenated tensors",
        updates: [
          { trainerIndex: 0, samples: "1000", scale: 1 },
          { trainerIndex: 1, samples: "2000", scale: 2 },
          { trainerIndex: 2, samples: "1000", scale: 3 },
          { trainerIndex: 3, samples: "1000", scale: 64 },
        ],
      },
      rule: DEFAULT_RULE,
      round: 1,
    });
  }
  // A template model.json that is not canonical: whitespace, key order, two weight groups in three files, an unknown
  // top-level key (dropped), trainingConfig (kept), a topology with integer-like, non-ASCII and escaped keys.
  {
    const text =
      "{\n" +
      '  "weightsManifest": [\n' +
      '    { "weights": [ { "shape": [3, 2], "name": "odd_dense/kernel", "dtype": "float32" } ], "paths": ["group1-shard1of1.bin"] },\n' +
      '    { "paths": ["./group2-shard1of1.bin"], "weights": [ { "dtype": "float32", "name": "odd_dense/bias", "shape": [2], "group": "b" } ] }\n' +
      "  ],\n" +
      '  "extraField": "dropped",\n' +
      '  "trainingConfig": { "loss": "meanSquaredError", "optimizer_config": { "class_name": "SGD", "config": { "learning_rate": 0.01 } } },\n' +
      '  "format": "layers-model",\n' +
      `  "modelTopology": ${oddTopologyText("odd", ',"large":1E300')}\n` +
      "}\n";
    const oddRandom = new SeededRandom(2002);
    const kernel = drawTensors(oddRandom, [[6]], 1)[0]!;
    const bias = tensor([-0, 1]);
    rounds.push({
      name: "odd-topology",
      description:
        "The global model's model.json is not canonical (whitespace, key order, weights in two groups and three files, an unknown " +
        "top-level key, integer-like and non-ASCII keys, escapes, 1E300): the aggregate's model.json is its canonical form (keys " +
        "in UTF-16 code-unit order, integer-like ones included; 1E300 spelled 1e+300), with " +
        "one weights group naming weights.bin.",
      global: {
        files: [
          { path: "model.json", text },
          { path: "group1-shard1of1.bin", f32: [kernel] },
          { path: "group2-shard1of1.bin", f32: [bias] },
        ],
        manifest: {
          ...SMALL_MANIFEST,
          name: "Vectors odd topology",
          inputs: [{ name: "odd_dense_input", shape: [null, 3], dtype: "float32" }],
          outputs: [{ name: "odd_dense", shape: [null, 2], dtype: "float32" }],
        },
      },
      updates: [0, 1, 2].map((trainerIndex) => ({
        trainerIndex,
        samples: "10",
        weights: [drawTensors(oddRandom, [[6]], 2 ** -6)[0]!.map((v, j) => v + kernel[j]!), tensor([-0, 1 + trainerIndex / 8])],
      })),
      rule: DEFAULT_RULE,
      round: 0,
    });
  }
  const storedRounds = [];
  for (const vector of rounds) storedRounds.push(await storedRound(vector, dataset));

  // Update manifests as storeUpdate writes them.
  const updateStorage = { blockstore: new MemoryBlockstore() };
  const global = await storeGlobal(updateStorage, smallGlobal);
  const updates = [];
  for (const [i, input] of [
    { trainer: TRAINERS[1]!, samples: 1500, round: 0, steps: 47 },
    { trainer: TRAINERS[3]!, samples: 750, round: 5 },
    { trainer: TRAINERS[2]!.toLowerCase() as Address, samples: 3000, round: 2, steps: 1 },
  ].entries()) {
    const weights = drawTensors(random, [[12], [3]], 2 ** -9).map((d, t) => d.map((v, j) => v + smallBase[t]![j]!));
    const cid = await storeUpdate(updateStorage, {
      global,
      weights,
      samples: input.samples,
      job: { chainId: JOB.chainId, contract: JOB.contract, id: JOB.id },
      round: input.round,
      trainer: input.trainer,
      dataset,
      ...(input.steps === undefined ? {} : { steps: input.steps }),
    });
    const manifestText = new TextDecoder().decode(await blockBytes(updateStorage, cid));
    const model = toCid((JSON.parse(manifestText) as { model: { "/": string } }).model["/"]);
    updates.push({
      name: `update-${i}`,
      input: {
        job: { chainId: JOB.chainId, contract: JOB.contract, id: JOB.id.toString() },
        round: input.round,
        trainer: input.trainer,
        samples: input.samples,
        steps: input.steps ?? null,
        dataset: dataset.toString(),
        weights: weights.map(f32),
      },
      expected: { ...(await describeStored(updateStorage, model)), manifest: { cid: cid.toString(), dagJson: manifestText } },
    });
  }
  await write("storage.json", {
    ...header("canonical storage of aggregates and updates", "§8, §9"),
    global: { note: "The global model of `updates` is the global model of the round `normal-round`." },
    rounds: storedRounds,
    updates,
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// availability.json: which fetched updates are `unavailable`
// ---------------------------------------------------------------------------------------------------------------------

async function availability() {
  const storage = { blockstore: new MemoryBlockstore() };
  const dataset = await datasetCid();
  const random = new SeededRandom(3001);
  const baseWeights = drawTensors(random, [[12], [3]], 2 ** -3);
  const global = await storeGlobal(storage, {
    files: [
      { path: "model.json", text: modelJsonText(SMALL_TOPOLOGY, SMALL_SPECS) },
      { path: "weights.bin", f32: baseWeights },
    ],
    manifest: SMALL_MANIFEST,
  });
  const round = 3;
  const trainer = TRAINERS[1]!;
  const jobRef = { chainId: JOB.chainId, contract: JOB.contract, id: JOB.id };
  const weights = () => drawTensors(random, [[12], [3]], 2 ** -9).map((d, t) => d.map((v, j) => v + baseWeights[t]![j]!));
  const update = (over: Partial<Parameters<typeof storeUpdate>[1]> = {}) =>
    storeUpdate(storage, { global, weights: weights(), samples: 1500, job: jobRef, round, trainer, dataset, steps: 47, ...over });
  /** A model directory from explicit files (model.json text and weight bytes). */
  const modelDir = (json: unknown, weightBytes: Uint8Array) =>
    addDirectoryEntries(storage, [
      { path: "model.json", content: utf8.encode(JSON.stringify(json)) },
      { path: "weights.bin", content: weightBytes },
    ]);
  const concat = (parts: Float32Array[]) => fileBytes({ path: "", f32: parts });
  const manifestFor = (model: CID) =>
    buildUpdateManifest({
      name: "Update",
      license: "MIT",
      creator: trainer,
      model,
      inputs: SMALL_MANIFEST.inputs,
      outputs: SMALL_MANIFEST.outputs,
      job: jobRef,
      round,
      trainer,
      samples: 1500,
      baseModel: global.cid,
      datasets: [dataset],
    });
  /** Stores a dag-json block as is (bypassing validation). */
  const rawManifest = async (value: unknown) => {
    const bytes = dagJson.encode(value);
    const cid = CID.createV1(dagJson.code, await sha256.digest(bytes));
    await storage.blockstore.put(cid, bytes);
    return cid;
  };
  const specs = (order: { name: string; shape: number[] }[]) => ({
    format: "layers-model",
    modelTopology: SMALL_TOPOLOGY,
    weightsManifest: [{ paths: ["weights.bin"], weights: order.map((s) => ({ ...s, dtype: "float32" })) }],
  });
  const w = weights();
  const valid = manifestFor(await modelDir(specs(SMALL_SPECS), concat(w)));
  const cases: { name: string; cid?: CID; rawCid?: Hex; reveal?: Partial<{ trainer: Address; samples: bigint; trainerIndex: number }> }[] =
    [
      { name: "valid update", cid: await update() },
      { name: "valid update without steps", cid: await update({ steps: undefined }) },
      { name: "revealed bytes are not a CID", rawCid: "0x0155" },
      { name: "manifest for another round", cid: await update({ round: 2 }) },
      { name: "manifest for another job id", cid: await update({ job: { ...jobRef, id: 8n } }) },
      { name: "manifest for another chain", cid: await update({ job: { ...jobRef, chainId: 1 } }) },
      { name: "manifest for another contract", cid: await update({ job: { ...jobRef, contract: TRAINERS[4]! } }) },
      { name: "manifest names another trainer", cid: await update({ trainer: TRAINERS[2]! }) },
      { name: "manifest claims other samples", cid: await update({ samples: 1499 }) },
      { name: "manifest starts from another model", cid: await update({ global: { ...global, cid: await rawCid(utf8.encode("x")) } }) },
      {
        name: "reveal names the trainer in lowercase (addresses compare case-insensitively)",
        cid: await update(),
        reveal: { trainer: trainer.toLowerCase() as Address },
      },
      { name: "a model manifest, not an update", cid: global.cid },
      { name: "a raw block, not a dag-json manifest", cid: await rawCid(utf8.encode("x")) },
      { name: "manifest block missing", cid: CID.createV1(dagJson.code, await sha256.digest(utf8.encode("never stored"))) },
      { name: "update manifest with an unknown field", cid: await rawManifest({ ...valid, note: "hi" }) },
      { name: "update manifest with a lowercase trainer address", cid: await rawManifest({ ...valid, trainer: trainer.toLowerCase() }) },
      {
        name: "update manifest whose lineage names another round",
        cid: await rawManifest({ ...valid, lineage: { ...valid.lineage, round: 2 } }),
      },
      {
        name: "weights listed in another order in model.json (matched by name: available)",
        cid: await storeManifest(storage, manifestFor(await modelDir(specs([...SMALL_SPECS].reverse()), concat([w[1]!, w[0]!])))),
      },
      {
        name: "another topology, same weight names and shapes (topology is not compared: available)",
        cid: await storeManifest(
          storage,
          manifestFor(await modelDir({ ...specs(SMALL_SPECS), modelTopology: denseTopology("other", 4, 3, "relu") }, concat(w))),
        ),
      },
      {
        name: "NaN in the weights (available: the rule excludes it as non-finite)",
        cid: await storeManifest(
          storage,
          manifestFor(await modelDir(specs(SMALL_SPECS), concat([tensor([Number.NaN, ...w[0]!.slice(1)]), w[1]!]))),
        ),
      },
      {
        name: "a weight renamed",
        cid: await storeManifest(
          storage,
          manifestFor(await modelDir(specs([SMALL_SPECS[0]!, { name: "vectors_dense/b", shape: [3] }]), concat(w))),
        ),
      },
      {
        name: "a kernel of the transposed shape (same length)",
        cid: await storeManifest(
          storage,
          manifestFor(await modelDir(specs([{ name: SMALL_SPECS[0]!.name, shape: [3, 4] }, SMALL_SPECS[1]!]), concat(w))),
        ),
      },
      {
        name: "weights.bin 4 bytes short",
        cid: await storeManifest(storage, manifestFor(await modelDir(specs(SMALL_SPECS), concat(w).slice(0, 56)))),
      },
      {
        name: "weights.bin 4 bytes long",
        cid: await storeManifest(storage, manifestFor(await modelDir(specs(SMALL_SPECS), Buffer.concat([concat(w), new Uint8Array(4)])))),
      },
      {
        name: "an int32 weight",
        cid: await storeManifest(
          storage,
          manifestFor(
            await modelDir(
              {
                ...specs(SMALL_SPECS),
                weightsManifest: [
                  {
                    paths: ["weights.bin"],
                    weights: [
                      { ...SMALL_SPECS[0]!, dtype: "float32" },
                      { ...SMALL_SPECS[1]!, dtype: "int32" },
                    ],
                  },
                ],
              },
              concat(w),
            ),
          ),
        ),
      },
      {
        name: "an extra weight",
        cid: await storeManifest(
          storage,
          manifestFor(await modelDir(specs([...SMALL_SPECS, { name: "extra", shape: [1] }]), concat([...w, new Float32Array(1)]))),
        ),
      },
      {
        name: "model.json is not JSON",
        cid: await storeManifest(
          storage,
          manifestFor(
            await addDirectoryEntries(storage, [
              { path: "model.json", content: utf8.encode("{not json") },
              { path: "weights.bin", content: concat(w) },
            ]),
          ),
        ),
      },
    ];
  const blocks = new Map<string, string>();
  for await (const { cid, bytes } of storage.blockstore.getAll()) {
    const parts: Uint8Array[] = [];
    for await (const part of bytes) parts.push(part);
    blocks.set(cid.toString(), b64(Buffer.concat(parts)));
  }
  const out = [];
  for (const entry of cases) {
    const rawCidHex = entry.rawCid ?? hex(entry.cid!.bytes);
    const reveal: Reveal = {
      trainer: entry.reveal?.trainer ?? trainer,
      trainerIndex: 1,
      updateCid: entry.rawCid ? null : entry.cid!,
      rawCid: rawCidHex,
      samples: 1500n,
      weight: 65536n,
      late: false,
      salt: salt(1),
    };
    const result = await fetchRoundUpdate(storage, { reveal, global, job: JOB, round });
    out.push({
      name: entry.name,
      reveal: { trainer: reveal.trainer, trainerIndex: 1, updateCid: rawCidHex, samples: "1500" },
      available: "weights" in result,
      weights: "weights" in result ? result.weights.map(f32) : null,
    });
  }
  await write("availability.json", {
    ...header("which revealed updates are unavailable", "§11"),
    job: { chainId: JOB.chainId, contract: JOB.contract, id: JOB.id.toString() },
    round,
    global: { manifest: global.cid.toString(), modelDir: global.modelDir.toString() },
    blocks: Object.fromEntries([...blocks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    cases: out,
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// replay.json: the replay's inputs (shuffle), declared steps and the tolerance
// ---------------------------------------------------------------------------------------------------------------------

async function replay() {
  const shuffles = [
    { specSeed: 0, round: 0, trainerIndex: 0, samples: 10, passes: 2 },
    { specSeed: 0, round: 3, trainerIndex: 1, samples: 7, passes: 3 },
    { specSeed: 4294967295, round: 16777214, trainerIndex: 255, samples: 33, passes: 1 },
  ].map((input) => {
    const seed = deriveSeed(input.specSeed, input.round, input.trainerIndex);
    const generator = new SeededRandom(seed);
    return {
      input,
      shuffleSeed: seed,
      passes: Array.from({ length: input.passes }, () => Array.from(generator.permutation(input.samples))),
    };
  });
  const steps = [
    { spec: { local: { unit: "epochs", count: 1 }, batchSize: 32 }, assignedSamples: 1500, manifestSteps: null },
    { spec: { local: { unit: "epochs", count: 3 }, batchSize: 32 }, assignedSamples: 1500, manifestSteps: 141 },
    { spec: { local: { unit: "epochs", count: 1 }, batchSize: 32 }, assignedSamples: 1500, manifestSteps: 46 },
    { spec: { local: { unit: "epochs", count: 2 }, batchSize: 1500 }, assignedSamples: 1500, manifestSteps: null },
    { spec: { local: { unit: "steps", count: 60 }, batchSize: 32 }, assignedSamples: 1500, manifestSteps: null },
    { spec: { local: { unit: "steps", count: 60 }, batchSize: 32 }, assignedSamples: 1500, manifestSteps: 61 },
    { spec: { local: { unit: "seconds", count: 40 }, batchSize: 32 }, assignedSamples: 1500, manifestSteps: 1234 },
    { spec: { local: { unit: "seconds", count: 40 }, batchSize: 32 }, assignedSamples: 1500, manifestSteps: null },
  ].map((input) => {
    const result = declaredSteps({
      spec: input.spec as Parameters<typeof declaredSteps>[0]["spec"],
      assignedSamples: input.assignedSamples,
      manifestSteps: input.manifestSteps ?? undefined,
    });
    return { input, steps: "steps" in result ? result.steps : null };
  });
  const r = new SeededRandom(4001);
  const base = [tensor(Array.from({ length: 6 }, () => r.nextNormal() / 8)), tensor([0.5, -0.25])];
  const replayed = base.map((t) => t.map((v) => v + r.nextNormal() / 64));
  const shifted = (scale: number) => replayed.map((t, ti) => t.map((v, j) => v + (ti + j) * scale));
  const tolerance = [
    { name: "identical", claimed: replayed },
    {
      name: "one ulp of noise",
      claimed: replayed.map((t) => t.map((v, j) => (j === 0 ? bits(new Uint32Array(new Float32Array([v]).buffer)[0]! + 1) : v))),
    },
    { name: "well inside the tolerance", claimed: shifted(2 ** -24) },
    { name: "just inside the tolerance", claimed: shifted(70 * 2 ** -24) },
    { name: "just outside the tolerance", claimed: shifted(73 * 2 ** -24) },
    { name: "far outside the tolerance", claimed: shifted(2 ** -14) },
    { name: "the base itself", claimed: base },
    { name: "shapes differ", claimed: [replayed[0]!] },
    { name: "a replay that did not move, claim identical", claimed: base, replayed: base },
    { name: "a replay that did not move, claim differs", claimed: replayed, replayed: base },
  ].map((entry) => {
    const result = compareWithReplay({ base, claimed: entry.claimed, replayed: entry.replayed ?? replayed });
    return {
      name: entry.name,
      input: { base: base.map(f32), claimed: entry.claimed.map(f32), replayed: (entry.replayed ?? replayed).map(f32) },
      relativeDistance: f64(result.relativeDistance),
      matches: result.matches,
    };
  });
  await write("replay.json", {
    ...header("replay audits: shuffle order, declared steps, tolerance", "§12.4"),
    tolerance: REPLAY_TOLERANCE,
    shuffles,
    declaredSteps: steps,
    comparisons: tolerance,
  });
}

await hashes();
await random();
await assignment();
await audits();
await rewards();
await spec();
await aggregation();
await storage();
await availability();
await replay();
