/**
 * Adversarial trainers as TrainerHooks, for the test and benchmark harness (and the demo): each turns the honestly
 * trained update of a round into an attack, using the distortions of ./adversaries.ts. They are never options of the
 * shipped trainer or its CLI; a harness passes them to runTrainer or runTrainerCli.
 */
import { deriveSeed } from "@mycelium/client";
import type { TrainerHooks } from "../../src/index.ts";
import { deltaRms, lazyUpdate, noiseUpdate, scaledUpdate, signFlippedUpdate } from "./adversaries.ts";

export const ADVERSARIES = ["scaled", "sign-flip", "noise", "lazy"] as const;
export type Adversary = (typeof ADVERSARIES)[number];

/** Hooks that make a trainer send a 100x scaled, sign-flipped, random-noise (100x an honest step) or unchanged update. */
export function adversarialHooks(adversary: Adversary): TrainerHooks {
  return {
    transformUpdate: (update, context) => {
      const { base } = context;
      switch (adversary) {
        case "scaled":
          return { ...update, weights: scaledUpdate(base, update.weights, 100) };
        case "sign-flip":
          return { ...update, weights: signFlippedUpdate(base, update.weights) };
        case "noise":
          return { ...update, weights: noiseUpdate(base, { seed: deriveSeed(context.spec.seed, "noise", context.round, context.trainerIndex), scale: 100 * deltaRms(base, update.weights) }) };
        case "lazy":
          return { ...update, weights: lazyUpdate(base) };
      }
    },
  };
}
