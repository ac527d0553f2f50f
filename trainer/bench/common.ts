/**
 * What the training benchmarks share: the local training of every trainer, a log with elapsed seconds, and
 * Fashion-MNIST or a clear exit without it.
 */
import { DatasetFilesNotFoundError, readFashionMnist } from "@mycelium/client";
import type { LocalTrainingConfig } from "../src/index.ts";

/** A logger that prefixes every line with the seconds since it was made. */
export function elapsedLog(): (message: string) => void {
  const started = performance.now();
  return (message) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}

/** Fashion-MNIST from the Debian package; exits with status 1 and what to install when it is missing. */
export async function fashionMnistOrExit(benchmark: string): Promise<Awaited<ReturnType<typeof readFashionMnist>>> {
  try {
    return await readFashionMnist();
  } catch (error) {
    if (error instanceof DatasetFilesNotFoundError) {
      console.error(`${benchmark} needs the Fashion-MNIST files.\n${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

/** Local work of every benchmark trainer: one epoch, Adam at 0.001, batch 32 (`seed` is the shuffle seed's parent). */
export const BENCH_LOCAL_TRAINING: LocalTrainingConfig = {
  optimizer: { name: "adam", learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  loss: "sparseCategoricalCrossentropy",
  batchSize: 32,
  local: { unit: "epochs", count: 1 },
  seed: 42,
};
