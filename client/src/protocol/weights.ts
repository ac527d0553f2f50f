/**
 * Models as weights: the TF.js layers topology, the weight specs in their canonical order, and one Float32Array per
 * spec. What local training consumes and produces, what aggregation averages, and what an update or aggregate stores;
 * toModelArtifacts/fromModelArtifacts convert to and from TF.js's own ModelArtifacts. The byte form of a set of weights
 * (canonicalWeightBytes) is little-endian float32 on every host, so an aggregate's CID never depends on the machine.
 */
import type * as tf from "@tensorflow/tfjs";
import { sha256, type Hex } from "viem";
import { IncompatibleModelError } from "../errors/protocol.ts";
import { TFJS_VERSION } from "../manifests/model.ts";
import type { JsonValue } from "./spec.ts";

/** One weight tensor as TF.js names it in model.json (`weightsManifest[].weights[]`), float32 only. */
export type WeightSpec = { name: string; shape: number[]; dtype: "float32" };

/**
 * A model as the trainer handles it: the TF.js layers topology, the weight specs in their canonical order, and one
 * Float32Array per spec in that same order. This is what local training consumes and produces and what aggregation
 * averages; toModelArtifacts/fromModelArtifacts convert to and from TF.js's own ModelArtifacts (for IOHandlers).
 */
export type LayersModelDefinition = {
  topology: { [key: string]: JsonValue };
  weightSpecs: readonly WeightSpec[];
  weights: readonly Float32Array[];
};

/**
 * The weights as TF.js's `weightData`: every tensor in spec order, little-endian float32, concatenated. This is the
 * canonical byte form of a set of weights: the aggregate's bytes (and so its CID) are these bytes.
 */
export function canonicalWeightBytes(weights: readonly Float32Array[]): Uint8Array {
  let length = 0;
  for (const tensor of weights) length += tensor.length;
  const bytes = new Uint8Array(length * 4);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const tensor of weights) {
    for (let i = 0; i < tensor.length; i++, offset += 4) view.setFloat32(offset, tensor[i]!, true);
  }
  return bytes;
}

/** sha256 of canonicalWeightBytes: equal digests mean byte-identical weights. */
export function weightsDigest(weights: readonly Float32Array[]): Hex {
  return sha256(canonicalWeightBytes(weights));
}

/** TF.js ModelArtifacts (what an IOHandler saves and loads) for a model definition. */
export function toModelArtifacts(model: LayersModelDefinition): tf.io.ModelArtifacts {
  const bytes = canonicalWeightBytes(model.weights);
  return {
    modelTopology: model.topology as unknown as tf.io.ModelArtifacts["modelTopology"],
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${TFJS_VERSION}`,
    convertedBy: null,
    weightSpecs: model.weightSpecs.map((spec) => ({ name: spec.name, shape: [...spec.shape], dtype: spec.dtype })),
    weightData: bytes.buffer as ArrayBuffer,
  };
}

/**
 * Reads a model definition from TF.js ModelArtifacts. When `order` is given (the base model's specs), the weights are
 * returned in that order and must match it name for name and shape for shape. Throws IncompatibleModelError for
 * missing parts, non-float32 or quantized weights, a weight buffer of the wrong size, or specs that do not match.
 */
export function fromModelArtifacts(artifacts: tf.io.ModelArtifacts, order?: readonly WeightSpec[]): LayersModelDefinition {
  const topology = artifacts.modelTopology;
  if (topology === undefined || topology === null || topology instanceof ArrayBuffer) {
    throw new IncompatibleModelError(
      "The model has no layers topology.",
      "ModelArtifacts.modelTopology must be a TF.js layers topology object.",
    );
  }
  const specs = artifacts.weightSpecs;
  if (specs === undefined || artifacts.weightData === undefined) {
    throw new IncompatibleModelError("The model has no weights.", "ModelArtifacts needs weightSpecs and weightData.");
  }
  const data = joinBuffers(artifacts.weightData);
  const byName = new Map<string, Float32Array>();
  const parsedSpecs: WeightSpec[] = [];
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== "float32" || spec.quantization !== undefined) {
      throw new IncompatibleModelError(
        `Weight "${spec.name}" is not plain float32.`,
        `dtype ${spec.dtype}${spec.quantization ? ", quantized" : ""}; the trainer averages float32 weights only.`,
      );
    }
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + size * 4 > data.byteLength) {
      throw new IncompatibleModelError(
        "The weight data is shorter than the weight specs say.",
        `Weight "${spec.name}" needs bytes ${offset}..${offset + size * 4}, the data has ${data.byteLength}.`,
      );
    }
    const values = new Float32Array(size);
    const view = new DataView(data.buffer, data.byteOffset + offset, size * 4);
    for (let i = 0; i < size; i++) values[i] = view.getFloat32(i * 4, true);
    if (byName.has(spec.name)) throw new IncompatibleModelError("Duplicate weight name.", `"${spec.name}" appears twice in weightSpecs.`);
    byName.set(spec.name, values);
    parsedSpecs.push({ name: spec.name, shape: [...spec.shape], dtype: "float32" });
    offset += size * 4;
  }
  if (offset !== data.byteLength) {
    throw new IncompatibleModelError(
      "The weight data is longer than the weight specs say.",
      `Specs cover ${offset} bytes, the data has ${data.byteLength}.`,
    );
  }
  const topologyObject = topology as unknown as { [key: string]: JsonValue };
  if (order === undefined)
    return { topology: topologyObject, weightSpecs: parsedSpecs, weights: parsedSpecs.map((spec) => byName.get(spec.name)!) };
  if (order.length !== parsedSpecs.length) {
    throw new IncompatibleModelError(
      "The model's weights do not match the expected specs.",
      `Expected ${order.length} weight tensors, found ${parsedSpecs.length}.`,
    );
  }
  const weights = order.map((spec) => {
    const values = byName.get(spec.name);
    const found = parsedSpecs.find((candidate) => candidate.name === spec.name);
    if (values === undefined || found === undefined || !sameShape(found.shape, spec.shape)) {
      throw new IncompatibleModelError(
        "The model's weights do not match the expected specs.",
        `Expected "${spec.name}" with shape [${spec.shape.join(", ")}], ` +
          `found ${found ? `shape [${found.shape.join(", ")}]` : "no such weight"}.`,
      );
    }
    return values;
  });
  return { topology: topologyObject, weightSpecs: order.map((spec) => ({ ...spec, shape: [...spec.shape] })), weights };
}

function joinBuffers(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const total = data.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const buffer of data) {
    out.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}
