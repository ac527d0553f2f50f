/**
 * Publishing a model from disk: a TF.js layers model directory as `model.save("file://dir")` writes it (model.json
 * plus the weight files its weights manifest names). It is re-stored canonically (storeModelArtifacts: model.json
 * with sorted keys, one weights.bin), so the same model always gets the same CID, and its input and output tensor
 * specs are read from the model itself for the manifest.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import type { CID } from "multiformats/cid";
import { throwIfAborted } from "../errors/base.ts";
import { InvalidArgumentError } from "../errors/chain.ts";
import { ModelStorageError } from "../errors/storage.ts";
import type { Dtype } from "../manifests/common.ts";
import type { TensorSpec } from "../manifests/model.ts";
import type { AddProgressEvent } from "../storage/add.ts";
import type { BlockStorage } from "../storage/blocks.ts";
import { MODEL_JSON, storeModelArtifacts } from "../storage/tfjs.ts";

type LayersTopology = {
  class_name?: string;
  config?: { layers?: { class_name?: string; config?: { name?: string } }[]; input_layers?: unknown[]; output_layers?: unknown[] };
};

/** Reads a TF.js layers model directory into model artifacts (weights joined in weights-manifest order). */
export async function readModelDirectory(directory: string): Promise<tf.io.ModelArtifacts> {
  const file = path.join(directory, MODEL_JSON);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(await readFile(file, "utf8")) as tf.io.ModelJSON;
  } catch (cause) {
    throw new InvalidArgumentError({
      parameter: "model directory",
      value: directory,
      expected: `a TF.js layers model directory with a readable ${MODEL_JSON} (as model.save("file://dir") writes it)`,
      cause,
    });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ModelStorageError(`${file} is not a TF.js layers model.json.`, {
      hint: "It needs modelTopology and weightsManifest (a tf.LayersModel saved with model.save).",
    });
  }
  const parts: Uint8Array[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest) {
    for (const weightPath of group.paths) parts.push(new Uint8Array(await readFile(path.join(directory, weightPath))));
    weightSpecs.push(...group.weights);
  }
  const weightData = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    weightData.set(part, offset);
    offset += part.byteLength;
  }
  const artifacts: tf.io.ModelArtifacts = { modelTopology: json.modelTopology, weightSpecs, weightData: weightData.buffer };
  for (const key of ["format", "generatedBy", "convertedBy", "trainingConfig", "userDefinedMetadata"] as const) {
    if (json[key] !== undefined) (artifacts as Record<string, unknown>)[key] = json[key];
  }
  return artifacts;
}

/**
 * The input and output tensor specs of a layers model: names from the topology (stable, unlike the suffixed names a
 * loaded model gets), shapes and dtypes from the model built by TF.js (`null` for free dimensions such as the batch).
 */
export async function tensorSpecsOf(artifacts: tf.io.ModelArtifacts): Promise<{ inputs: TensorSpec[]; outputs: TensorSpec[] }> {
  const framework = await import("@tensorflow/tfjs");
  framework.enableProdMode();
  let model: tf.LayersModel;
  try {
    model = await framework.loadLayersModel(framework.io.fromMemory(artifacts));
  } catch (cause) {
    throw new ModelStorageError("TF.js cannot build this model.", {
      details: (cause as Error).message,
      hint: "Check that model.json and its weight files belong together.",
      cause,
    });
  }
  try {
    const names = topologyNames(artifacts.modelTopology as LayersTopology);
    const spec = (tensors: tf.SymbolicTensor[], given: string[]) =>
      tensors.map((tensor, index) => ({ name: given[index] ?? tensor.name, shape: [...tensor.shape], dtype: tensor.dtype as Dtype }));
    return { inputs: spec(model.inputs, names.inputs), outputs: spec(model.outputs, names.outputs) };
  } finally {
    model.dispose();
  }
}

export type AddModelDirectoryParameters = {
  directory: string;
  signal?: AbortSignal | undefined;
  onProgress?: ((event: AddProgressEvent) => void) | undefined;
};

/** Stores a model directory canonically and returns its CID with the tensor specs a model manifest needs. */
export async function addModelDirectory(
  storage: BlockStorage,
  parameters: AddModelDirectoryParameters,
): Promise<{ model: CID; inputs: TensorSpec[]; outputs: TensorSpec[] }> {
  const artifacts = await readModelDirectory(parameters.directory);
  const specs = await tensorSpecsOf(artifacts);
  throwIfAborted(parameters.signal, "Adding the model");
  const model = await storeModelArtifacts(storage, artifacts, {
    signal: parameters.signal,
    onProgress: parameters.onProgress && ((event) => event.type === "add" && parameters.onProgress!(event)),
  });
  return { model, ...specs };
}

function topologyNames(topology: LayersTopology): { inputs: string[]; outputs: string[] } {
  const config = topology.config ?? {};
  const layers = config.layers ?? [];
  if (Array.isArray(config.input_layers) && Array.isArray(config.output_layers)) {
    const first = (list: unknown[]) => list.map((entry) => (Array.isArray(entry) ? String(entry[0]) : String(entry)));
    return { inputs: first(config.input_layers), outputs: first(config.output_layers) };
  }
  const firstLayer = layers[0];
  const inputName =
    firstLayer?.class_name === "InputLayer" ? firstLayer.config?.name : firstLayer?.config?.name && `${firstLayer.config.name}_input`;
  const lastName = layers[layers.length - 1]?.config?.name;
  return { inputs: inputName ? [inputName] : [], outputs: lastName ? [lastName] : [] };
}
