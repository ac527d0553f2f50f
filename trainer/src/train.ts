import * as tf from "@tensorflow/tfjs";
import {
  IncompatibleModelError,
  SeededRandom,
  InvalidTrainingSpecError,
  featuresAsFloat32,
  sampleSizeOf,
  throwIfAborted,
  validateLocalTraining,
  type LayersModelDefinition,
  type LocalTrainingHyperparameters,
  type OptimizerSpec,
  type TensorDataset,
  type WeightSpec,
} from "@mycelium/client";
import { createLayersModel, readLayersModel } from "./model.ts";

/** Longest stretch of training without letting the event loop run I/O and timers. */
const YIELD_EVERY_MS = 25;

/** The part of a job spec that local training uses, plus the seed of this trainer's shuffling in this round. */
export type LocalTrainingConfig = LocalTrainingHyperparameters & {
  /** uint32 seed of the batch order (derive it per round and trainer, e.g. deriveSeed(spec.seed, round, trainer)). */
  seed: number;
};

export type TrainingProgress = {
  type: "batch";
  /** Steps done so far (1-based after the first batch) and the total this run will take (null for "seconds"). */
  step: number;
  totalSteps: number | null;
  epoch: number;
  /** Loss of the batch just trained. */
  loss: number;
};

export type TrainLocallyParameters = {
  /** The global model to start from. */
  model: LayersModelDefinition;
  config: LocalTrainingConfig;
  /** This trainer's data (its assigned shards, concatenated). */
  data: TensorDataset;
  signal?: AbortSignal;
  /**
   * For `local.unit = "seconds"`: no new step starts after this time (Date.now() milliseconds), even if the seconds
   * are not used up, e.g. where the update must be stored and committed. At least one step is always taken.
   * Ignored by "epochs" and "steps", whose work is fixed.
   */
  deadline?: number;
  onProgress?: (event: TrainingProgress) => void;
};

export type LocalTrainingResult = {
  /** The trained weights, one Float32Array per spec of the input model, in the same order. */
  weights: Float32Array[];
  weightSpecs: readonly WeightSpec[];
  /** Distinct samples trained on (what a trainer reveals on-chain). */
  samples: number;
  /** Optimizer steps (batches) taken, and samples processed counting repeats. */
  steps: number;
  sampleVisits: number;
  /** Sample-weighted mean training loss and accuracy over the last pass (the last ⌈samples / batchSize⌉ steps, or all if fewer). */
  loss: number;
  accuracy: number;
  durationMs: number;
};

/**
 * Trains a copy of `model` on `data` with the spec's optimizer, fresh for this call (no optimizer state carries over
 * between rounds), and returns the new weights in the model's weight-spec order.
 *
 * Batch order is ours, not TF.js's: each pass over the data is a SeededRandom(seed) permutation (passes drawn in
 * sequence from one generator), cut into batches of `batchSize` with a smaller last batch. `local.unit = "epochs"`
 * runs that many passes; "steps" runs that many batches, continuing into new passes as needed; "seconds" keeps taking
 * batches until that much wall time has passed since the call (or `deadline`), so its step count depends on the
 * hardware. With the same model,
 * data, config and backend, the result is the same; different backends may differ in the last bits of float
 * arithmetic, which is why aggregation never runs on a backend.
 */
export async function trainLocally(params: TrainLocallyParameters): Promise<LocalTrainingResult> {
  const { config, data, signal, onProgress } = params;
  const started = performance.now();
  validateLocalTraining(config);
  throwIfAborted(signal, "Local training");
  if (data.count === 0) throw new IncompatibleModelError("No training data.", "The assigned shards hold no samples.");
  const model = await createLayersModel(params.model);
  try {
    const inputShape = checkFit(model, data);
    model.compile({ optimizer: createOptimizer(config.optimizer), loss: config.loss, metrics: ["accuracy"] });
    const features = featuresAsFloat32(data);
    const size = sampleSizeOf(data.featureShape);
    const batchesPerPass = Math.ceil(data.count / config.batchSize);
    const { unit, count } = config.local;
    const totalSteps = unit === "epochs" ? count * batchesPerPass : unit === "steps" ? count : null;
    const stopAt =
      unit === "seconds" ? Math.min(Date.now() + count * 1000, params.deadline ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    const maxSteps = config.local.maxSteps ?? Number.POSITIVE_INFINITY;
    const more = (step: number) => (totalSteps === null ? step === 0 || (Date.now() < stopAt && step < maxSteps) : step < totalSteps);
    const random = new SeededRandom(config.seed);
    // Loss, accuracy and size of the last batchesPerPass batches (the last pass), oldest first.
    const lastPass: { loss: number; accuracy: number; batch: number }[] = [];
    let step = 0;
    let sampleVisits = 0;
    let yieldedAt = performance.now();
    for (let epoch = 0; more(step); epoch++) {
      const order = random.permutation(data.count);
      for (let start = 0; start < data.count && more(step); start += config.batchSize) {
        throwIfAborted(signal, "Local training");
        const batch = Math.min(config.batchSize, data.count - start);
        const x = new Float32Array(batch * size);
        const y = new Float32Array(batch);
        for (let b = 0; b < batch; b++) {
          const sample = order[start + b]!;
          x.set(features.subarray(sample * size, (sample + 1) * size), b * size);
          y[b] = data.labels[sample]!;
        }
        const xs = tf.tensor(x, [batch, ...inputShape]);
        const ys = tf.tensor1d(y);
        let metrics: number | number[];
        try {
          metrics = await model.trainOnBatch(xs, ys);
        } finally {
          xs.dispose();
          ys.dispose();
        }
        const [loss, accuracy] = Array.isArray(metrics) ? metrics : [metrics, Number.NaN];
        step++;
        sampleVisits += batch;
        lastPass.push({ loss: loss!, accuracy: accuracy!, batch });
        if (lastPass.length > batchesPerPass) lastPass.shift();
        onProgress?.({ type: "batch", step, totalSteps, epoch, loss: loss! });
        // TF.js resolves a batch with microtasks only (wasm, cpu): without a turn of the event loop now and then, the
        // process would not answer its peers, poll the chain or fire timers until training ends.
        if (performance.now() - yieldedAt >= YIELD_EVERY_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          yieldedAt = performance.now();
        }
      }
    }
    const windowSamples = lastPass.reduce((sum, entry) => sum + entry.batch, 0);
    const windowLoss = lastPass.reduce((sum, entry) => sum + entry.loss * entry.batch, 0);
    const windowAccuracy = lastPass.reduce((sum, entry) => sum + entry.accuracy * entry.batch, 0);
    const trained = await readLayersModel(model, params.model.topology, params.model.weightSpecs);
    return {
      weights: trained.weights as Float32Array[],
      weightSpecs: trained.weightSpecs,
      samples: data.count,
      steps: step,
      sampleVisits,
      loss: windowLoss / windowSamples,
      accuracy: windowAccuracy / windowSamples,
      durationMs: performance.now() - started,
    };
  } finally {
    model.optimizer?.dispose();
    model.dispose();
  }
}

export type EvaluateModelParameters = {
  model: LayersModelDefinition;
  data: TensorDataset;
  /** Samples per forward pass (default 1024); does not change the result. */
  batchSize?: number;
  signal?: AbortSignal;
};

export type EvaluationResult = { samples: number; loss: number; accuracy: number };

/**
 * Accuracy and mean cross-entropy of `model` on `data` (a validation shard). The forward pass runs on the active
 * backend; scoring is plain TypeScript: the predicted class is the first index of the largest output, the loss is
 * -ln(max(p[label], 1e-7)) averaged in float64 (the output layer must be a softmax).
 */
export async function evaluateModel(params: EvaluateModelParameters): Promise<EvaluationResult> {
  const { data, signal } = params;
  const batchSize = params.batchSize ?? 1024;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidTrainingSpecError([{ path: "batchSize", expected: "a positive integer", found: String(batchSize) }]);
  }
  const model = await createLayersModel(params.model);
  try {
    const inputShape = checkFit(model, data);
    const features = featuresAsFloat32(data);
    const size = sampleSizeOf(data.featureShape);
    let correct = 0;
    let lossSum = 0;
    for (let start = 0; start < data.count; start += batchSize) {
      throwIfAborted(signal, "Evaluation");
      const batch = Math.min(batchSize, data.count - start);
      const output = tf.tidy(
        () => model.predict(tf.tensor(features.subarray(start * size, (start + batch) * size), [batch, ...inputShape])) as tf.Tensor,
      );
      const probabilities = (await output.data()) as Float32Array;
      output.dispose();
      const classes = probabilities.length / batch;
      for (let b = 0; b < batch; b++) {
        const row = b * classes;
        let best = 0;
        for (let c = 1; c < classes; c++) if (probabilities[row + c]! > probabilities[row + best]!) best = c;
        const label = data.labels[start + b]!;
        if (best === label) correct++;
        lossSum -= Math.log(Math.max(probabilities[row + label]!, 1e-7));
      }
    }
    return { samples: data.count, loss: lossSum / data.count, accuracy: correct / data.count };
  } finally {
    model.dispose();
  }
}

/** The TF.js optimizer a spec names, with every hyper-parameter explicit. */
export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  switch (spec.name) {
    case "sgd":
      return tf.train.sgd(spec.learningRate);
    case "momentum":
      return tf.train.momentum(spec.learningRate, spec.momentum);
    case "adam":
      return tf.train.adam(spec.learningRate, spec.beta1, spec.beta2, spec.epsilon);
  }
}

/** Checks the data fits the model (input size, class count) and returns the per-sample input shape. */
function checkFit(model: tf.LayersModel, data: TensorDataset): number[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new IncompatibleModelError(
      "The model must have one input and one output.",
      `It has ${model.inputs.length} inputs and ${model.outputs.length} outputs.`,
    );
  }
  const inputShape = model.inputs[0]!.shape.slice(1);
  if (inputShape.some((dim) => dim === null)) {
    throw new IncompatibleModelError("The model's input shape is not fixed.", `Input shape [${model.inputs[0]!.shape.join(", ")}].`);
  }
  const fixed = inputShape as number[];
  if (sampleSizeOf(fixed) !== sampleSizeOf(data.featureShape)) {
    throw new IncompatibleModelError(
      "The data does not fit the model's input.",
      `Samples have shape [${data.featureShape.join(", ")}] (${sampleSizeOf(data.featureShape)} values), ` +
        `the model takes [${fixed.join(", ")}].`,
    );
  }
  const units = model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1];
  if (typeof units !== "number" || units < data.classCount) {
    throw new IncompatibleModelError(
      "The model has fewer outputs than the data has classes.",
      `Output units ${units}, classes ${data.classCount}.`,
    );
  }
  return fixed;
}
