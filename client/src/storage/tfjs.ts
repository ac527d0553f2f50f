import type * as tf from "@tensorflow/tfjs";
import type { CID } from "multiformats/cid";
import { InvalidContentError, ModelStorageError, PathNotFoundError } from "../errors/storage.ts";
import { addDirectoryEntries } from "./add.ts";
import type { AddProgressEvent } from "./add.ts";
import type { BlockProgressEvent, BlockStorage } from "./blocks.ts";
import { toCid } from "./cid.ts";
import type { CidLike } from "./cid.ts";
import { fetchBytes, resolvePath } from "./read.ts";
import type { ReadProgressEvent } from "./read.ts";

type ModelArtifacts = tf.io.ModelArtifacts;
type ModelJSON = tf.io.ModelJSON;
type WeightsManifestEntry = tf.io.WeightsManifestEntry;

/**
 * TF.js models on IPFS, in the TF.js layers format: a UnixFS directory holding `model.json` (topology, training
 * config, and a weights manifest naming `weights.bin` by relative path) and `weights.bin` (every weight's bytes,
 * little-endian, in weight-spec order). Any IPFS HTTP gateway therefore serves a loadable model:
 * `tf.loadLayersModel("https://<gateway>/ipfs/<cid>/model.json")`.
 *
 * Serialization is canonical: model.json is JSON with keys sorted by UTF-16 code units at every level and no whitespace, the file names
 * are fixed, and UnixFS uses this package's fixed settings. The same topology and weights give the same CID in any
 * process. (Auto-generated layer names such as `dense_Dense3` depend on how many layers a process created before;
 * name layers explicitly, or keep the topology of a model loaded from IPFS, to get equal CIDs across processes.)
 */
export const MODEL_JSON = "model.json";
export const MODEL_WEIGHTS = "weights.bin";

export type ModelOptions = {
  signal?: AbortSignal | undefined;
  onProgress?: ((event: AddProgressEvent | ReadProgressEvent | BlockProgressEvent) => void) | undefined;
};

/** The two files of a saved model, exactly as stored (the CID is a function of these bytes). */
export function serializeModel(artifacts: ModelArtifacts): { modelJson: Uint8Array; weights: Uint8Array } {
  if (artifacts.modelTopology === undefined || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ModelStorageError("Only TF.js layers models (JSON topology) can be saved to IPFS.", {
      hint: "Save a tf.LayersModel (tf.sequential / tf.model).",
    });
  }
  const specs = artifacts.weightSpecs ?? [];
  const weights = joinWeightData(artifacts.weightData);
  const expected = specs.reduce((sum, spec) => sum + specBytes(spec), 0);
  if (weights.byteLength !== expected) {
    throw new ModelStorageError("The model's weight data does not match its weight specs.", {
      details: `specs describe ${expected} bytes, weight data has ${weights.byteLength}`,
    });
  }
  const modelJson: ModelJSON = {
    format: artifacts.format ?? "layers-model",
    generatedBy: artifacts.generatedBy ?? "TensorFlow.js",
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [MODEL_WEIGHTS], weights: specs }],
  };
  if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature !== undefined) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer !== undefined) modelJson.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature !== undefined) modelJson.initializerSignature = artifacts.initializerSignature;
  return { modelJson: new TextEncoder().encode(canonicalJson(modelJson)), weights };
}

/** Stores model artifacts as a UnixFS directory (model.json + weights.bin) and returns the directory's CID. */
export async function storeModelArtifacts(storage: BlockStorage, artifacts: ModelArtifacts, options: ModelOptions = {}): Promise<CID> {
  return storeSerialized(storage, serializeModel(artifacts), options);
}

function storeSerialized(
  storage: BlockStorage,
  files: { modelJson: Uint8Array; weights: Uint8Array },
  options: ModelOptions,
): Promise<CID> {
  return addDirectoryEntries(
    storage,
    [
      { path: MODEL_JSON, content: files.modelJson },
      { path: MODEL_WEIGHTS, content: files.weights },
    ],
    { signal: options.signal, onProgress: options.onProgress },
  );
}

/** Loads the artifacts of a model directory: model.json parsed, and the weight files it names joined in order. */
export async function loadModelArtifacts(storage: BlockStorage, cid: CidLike, options: ModelOptions = {}): Promise<ModelArtifacts> {
  const { modelJson, weightSpecs, weightData } = await readModel(storage, toCid(cid), options);
  const artifacts: ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    weightSpecs,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
  };
  for (const key of [
    "format",
    "generatedBy",
    "convertedBy",
    "trainingConfig",
    "signature",
    "userDefinedMetadata",
    "modelInitializer",
    "initializerSignature",
  ] as const) {
    if (modelJson[key] !== undefined) (artifacts as Record<string, unknown>)[key] = modelJson[key];
  }
  return artifacts;
}

/** A tf.io.IOHandler whose `save` stores to IPFS (the CID is then in `handler.cid`) and whose `load` reads `cid`. */
export type IpfsModelHandler = tf.io.IOHandler & { readonly cid: CID | null };

/**
 * Creates an IOHandler for `model.save(handler)` and `tf.loadLayersModel(handler)`. Pass `cid` to load; after a
 * save, `handler.cid` holds the model directory's CID.
 */
export function ipfsModelHandler(storage: BlockStorage, options: ModelOptions & { cid?: CidLike } = {}): IpfsModelHandler {
  let cid: CID | null = options.cid === undefined ? null : toCid(options.cid);
  return {
    get cid() {
      return cid;
    },
    async save(artifacts: ModelArtifacts): Promise<tf.io.SaveResult> {
      const files = serializeModel(artifacts);
      cid = await storeSerialized(storage, files, options);
      const { modelJson, weights } = files;
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          modelTopologyBytes: modelJson.byteLength,
          weightSpecsBytes: new TextEncoder().encode(JSON.stringify(artifacts.weightSpecs ?? [])).byteLength,
          weightDataBytes: weights.byteLength,
        },
      };
    },
    async load(): Promise<ModelArtifacts> {
      if (!cid)
        throw new ModelStorageError("This IPFS model handler has no CID to load.", {
          hint: "Create it with ipfsModelHandler(storage, { cid }) or save a model with it first.",
        });
      return loadModelArtifacts(storage, cid, options);
    },
  };
}

/** Saves a TF.js layers model (anything with `save(handler)`) to IPFS and returns the model directory's CID. */
export async function saveModel(
  storage: BlockStorage,
  model: { save(handler: tf.io.IOHandler): Promise<tf.io.SaveResult> },
  options: ModelOptions = {},
): Promise<CID> {
  const handler = ipfsModelHandler(storage, options);
  await model.save(handler);
  return handler.cid!;
}

/**
 * Loads a TF.js layers model from IPFS. Pass your `tf` namespace (e.g. from @tensorflow/tfjs-node) to build the
 * model on its backend; by default @tensorflow/tfjs is imported.
 */
export async function loadModel(
  storage: BlockStorage,
  cid: CidLike,
  options: ModelOptions & { tf?: Pick<typeof tf, "loadLayersModel"> } = {},
): Promise<tf.LayersModel> {
  const framework = options.tf ?? (await import("@tensorflow/tfjs"));
  return framework.loadLayersModel(ipfsModelHandler(storage, { ...options, cid }));
}

/** One weight of a model, decoded. */
export type ModelWeight = {
  name: string;
  shape: number[];
  dtype: "float32" | "int32" | "bool";
  /** float32 → Float32Array, int32 → Int32Array, bool → Uint8Array (0 or 1). A copy, safe to modify. */
  values: Float32Array | Int32Array | Uint8Array;
};

/**
 * The weights of a saved model in weight-spec order (the order of weights.bin), decoded from the canonical bytes.
 * This is what deterministic aggregation works on. Quantized, string and complex weights are refused.
 */
export async function loadModelWeights(
  storage: BlockStorage,
  cid: CidLike,
  options: ModelOptions = {},
): Promise<{ modelJson: ModelJSON; weights: ModelWeight[]; bytes: Uint8Array }> {
  const { modelJson, weightSpecs, weightData } = await readModel(storage, toCid(cid), options);
  let offset = 0;
  const weights = weightSpecs.map((spec) => {
    const length = specBytes(spec);
    const slice = weightData.slice(offset, offset + length);
    offset += length;
    return { name: spec.name, shape: [...spec.shape], dtype: spec.dtype as ModelWeight["dtype"], values: typedView(spec, slice.buffer) };
  });
  return { modelJson, weights, bytes: weightData };
}

/**
 * Stores a model with the topology and weight specs of `template` (a saved model's CID) and new weight values, in
 * spec order (e.g. an aggregate of updates). Each array must have its spec's dtype and element count. Returns the new
 * model's CID, canonical like every save.
 */
export async function storeModelWithWeights(
  storage: BlockStorage,
  template: CidLike,
  values: (Float32Array | Int32Array | Uint8Array)[],
  options: ModelOptions = {},
): Promise<CID> {
  const artifacts = await loadModelArtifacts(storage, template, options);
  const specs = artifacts.weightSpecs ?? [];
  if (values.length !== specs.length) {
    throw new ModelStorageError("The weight values do not match the template's weight specs.", {
      details: `the template has ${specs.length} weights, ${values.length} arrays were given`,
    });
  }
  const parts = specs.map((spec, i) => {
    const value = values[i]!;
    const expectedType = spec.dtype === "float32" ? Float32Array : spec.dtype === "int32" ? Int32Array : Uint8Array;
    if (!(value instanceof expectedType) || value.byteLength !== specBytes(spec)) {
      throw new ModelStorageError(`Weight ${i} (${spec.name}) has the wrong type or size.`, {
        details: `expected ${expectedType.name} of ${elementCount(spec)} elements, found ${value.constructor.name} of ${value.length}`,
      });
    }
    return littleEndianBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), value.BYTES_PER_ELEMENT);
  });
  const weightData = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    weightData.set(part, offset);
    offset += part.byteLength;
  }
  return storeModelArtifacts(storage, { ...artifacts, weightData: weightData.buffer }, options);
}

async function readModel(
  storage: BlockStorage,
  cid: CID,
  options: ModelOptions,
): Promise<{ modelJson: ModelJSON; weightSpecs: WeightsManifestEntry[]; weightData: Uint8Array }> {
  let modelJson: ModelJSON;
  try {
    const bytes = await fetchBytes(storage, await resolvePath(storage, cid, MODEL_JSON, options), {
      ...options,
      maxBytes: 64 * 1024 * 1024,
    });
    modelJson = JSON.parse(new TextDecoder().decode(bytes)) as ModelJSON;
  } catch (cause) {
    // Fetch failures (not found on the network, verification, abort) keep their own type; "not a model" is wrapped.
    if (!(cause instanceof PathNotFoundError || cause instanceof InvalidContentError || cause instanceof SyntaxError)) throw cause;
    throw new ModelStorageError(`${cid.toString()} is not a TF.js model directory with a readable ${MODEL_JSON}.`, {
      hint: "Pass the CID of a directory saved with saveModel (or the `model` field of a model manifest).",
      cause,
    });
  }
  if (typeof modelJson?.modelTopology !== "object" || !Array.isArray(modelJson.weightsManifest)) {
    throw new ModelStorageError(`${cid.toString()}/${MODEL_JSON} is not a TF.js layers model.`, {
      details: "modelTopology or weightsManifest is missing",
    });
  }
  const weightSpecs: WeightsManifestEntry[] = [];
  const files: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths) {
      const relative = path.replace(/^\.\//, "");
      if (relative.includes("..") || relative.startsWith("/"))
        throw new ModelStorageError(`Weight path "${path}" leaves the model directory.`);
      files.push(await fetchBytes(storage, await resolvePath(storage, cid, relative, options), options));
    }
  }
  const weightData =
    files.length === 1
      ? files[0]!
      : joinWeightData(files.map((f) => f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength) as ArrayBuffer));
  const expected = weightSpecs.reduce((sum, spec) => sum + specBytes(spec), 0);
  if (weightData.byteLength !== expected) {
    throw new ModelStorageError(`The weight files of ${cid.toString()} do not match its weight specs.`, {
      details: `specs describe ${expected} bytes, the files hold ${weightData.byteLength}`,
    });
  }
  return { modelJson, weightSpecs, weightData };
}

function joinWeightData(data: ModelArtifacts["weightData"]): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(buffers.reduce((sum, b) => sum + b.byteLength, 0));
  let offset = 0;
  for (const buffer of buffers) {
    out.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return out;
}

function elementCount(spec: WeightsManifestEntry): number {
  return spec.shape.reduce((product, d) => product * d, 1);
}

function specBytes(spec: WeightsManifestEntry): number {
  if (spec.quantization)
    throw new ModelStorageError(`Weight ${spec.name} is quantized (${spec.quantization.dtype}).`, {
      hint: "Save the model without quantization; aggregation needs full-precision weights.",
    });
  if (spec.dtype === "float32" || spec.dtype === "int32") return elementCount(spec) * 4;
  if (spec.dtype === "bool") return elementCount(spec);
  throw new ModelStorageError(`Weight ${spec.name} has unsupported dtype ${spec.dtype}.`, {
    hint: "Only float32, int32 and bool weights are stored.",
  });
}

/** weights.bin is little-endian on every host (docs/protocol/spec.md §9.1). */
function typedView(spec: WeightsManifestEntry, buffer: ArrayBuffer): ModelWeight["values"] {
  if (spec.dtype === "bool") return new Uint8Array(buffer);
  const host = littleEndianBytes(new Uint8Array(buffer), 4).buffer as ArrayBuffer;
  return spec.dtype === "float32" ? new Float32Array(host) : new Int32Array(host);
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Typed-array bytes in little-endian order (the same bytes on a little-endian host; swapped per element on a big-endian
 * one, which turns little-endian bytes back into host order too). Bytes are moved, never reinterpreted as numbers, so
 * NaN payloads survive.
 */
function littleEndianBytes(bytes: Uint8Array, elementSize: number): Uint8Array {
  if (LITTLE_ENDIAN_HOST || elementSize === 1) return bytes;
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += elementSize)
    for (let k = 0; k < elementSize; k++) swapped[i + k] = bytes[i + elementSize - 1 - k]!;
  return swapped;
}

/**
 * The canonical JSON of model.json (docs/protocol/spec.md §9.2): no whitespace; object members sorted by their keys'
 * UTF-16 code units at every level (no exception for integer-like keys, unlike JavaScript's own object order), members
 * whose value is undefined or a function left out; strings and numbers spelled as JSON.stringify spells them (numbers as
 * `Number.prototype.toString`). A number that JSON cannot hold (NaN, ±Infinity), a bigint or a symbol throws
 * ModelStorageError instead of turning silently into null.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalValue(value, "$");
  if (text === undefined) throw new ModelStorageError("model.json has no value.", { details: `the value to serialize is ${typeof value}` });
  return text;
}

function canonicalValue(value: unknown, path: string): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value))
        throw new ModelStorageError(`model.json holds ${value} at ${path}, which JSON cannot represent.`, {
          hint: "Give the model's configuration finite numbers.",
        });
      return JSON.stringify(value);
    case "undefined":
    case "function":
      return undefined;
    case "object": {
      if (Array.isArray(value)) return `[${value.map((item, i) => canonicalValue(item, `${path}[${i}]`) ?? "null").join(",")}]`;
      const record = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const text = canonicalValue(record[key], `${path}.${key}`);
        if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${members.join(",")}}`;
    }
    default:
      throw new ModelStorageError(`model.json holds a ${typeof value} at ${path}, which JSON cannot represent.`, {
        hint: "Give the model's configuration plain JSON values.",
      });
  }
}
