import * as tf from "@tensorflow/tfjs";
import {
  deriveSeed,
  fromModelArtifacts,
  IncompatibleModelError,
  toModelArtifacts,
  type JsonValue,
  type LayersModelDefinition,
  type WeightSpec,
} from "@mycelium/client";

/** Builds a TF.js LayersModel from a definition (on the active backend). The caller disposes it. */
export async function createLayersModel(model: LayersModelDefinition): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(toModelArtifacts(model)));
  } catch (cause) {
    throw new IncompatibleModelError("TF.js could not build the model.", (cause as Error).message ?? String(cause), cause);
  }
}

/** The weights of a live TF.js model, in the order of `order` (by name), or in TF.js's own order when omitted. */
export async function readLayersModel(
  model: tf.LayersModel,
  topology: LayersModelDefinition["topology"],
  order?: readonly WeightSpec[],
): Promise<LayersModelDefinition> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  const definition = fromModelArtifacts(saved!, order);
  return { ...definition, topology };
}

/**
 * A fresh model for `topology` with reproducible initial weights: every initializer (and dropout) in the topology
 * that takes a seed gets deriveSeed(seed, "initializer", k) for its k-th occurrence in document order, so the same
 * topology and seed give the same weights on the same TF.js version. Used to create a job's base model.
 */
export async function initializeModel(params: {
  topology: LayersModelDefinition["topology"];
  seed: number;
}): Promise<LayersModelDefinition> {
  const seeded = structuredClone(params.topology);
  let occurrence = 0;
  const visit = (value: JsonValue): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === "object") {
      const config = value.config;
      if (
        typeof value.class_name === "string" &&
        config !== null &&
        typeof config === "object" &&
        !Array.isArray(config) &&
        "seed" in config
      ) {
        config.seed = deriveSeed(params.seed, "initializer", occurrence++);
      }
      Object.values(value).forEach(visit);
    }
  };
  visit(seeded);
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: seeded as unknown as tf.io.ModelArtifacts["modelTopology"] } as tf.io.ModelJSON);
  } catch (cause) {
    throw new IncompatibleModelError("TF.js could not build the model.", (cause as Error).message ?? String(cause), cause);
  }
  try {
    return await readLayersModel(model, params.topology);
  } finally {
    model.dispose();
  }
}

/**
 * The topology of a dense classifier: `hidden` relu layers, then a softmax over `classes`, on inputs of `inputs`
 * values (784 for 28x28 images). `denseClassifierTopology({ inputs: 784, hidden: [128], classes: 10 })` is the
 * benchmark's Fashion-MNIST model.
 */
export function denseClassifierTopology(params: {
  inputs: number;
  hidden: readonly number[];
  classes: number;
}): LayersModelDefinition["topology"] {
  const layers: tf.layers.Layer[] = params.hidden.map((units, i) =>
    tf.layers.dense({ units, activation: "relu", ...(i === 0 ? { inputShape: [params.inputs] } : {}) }),
  );
  layers.push(
    tf.layers.dense({ units: params.classes, activation: "softmax", ...(layers.length === 0 ? { inputShape: [params.inputs] } : {}) }),
  );
  const model = tf.sequential({ layers });
  try {
    return topologyOf(model);
  } finally {
    model.dispose();
  }
}

/** The topology of a TF.js model in the form job specs store (`model.toJSON(null, false)`). */
export function topologyOf(model: tf.LayersModel): LayersModelDefinition["topology"] {
  return model.toJSON(null, false) as unknown as LayersModelDefinition["topology"];
}
