/**
 * Adversarial trainers as TrainerHooks, for the demo, the tests and the benchmarks: each turns the honestly
 * trained update of a round into an attack, using the distortions of ./adversaries.ts. They are never options of the
 * shipped trainer or its CLI; a harness passes them to runTrainer or runTrainerCli.
 */
import { deriveSeed } from "@mycelium/client";
import type { TrainerHooks } from "@mycelium/trainer";
import { deltaRms, lazyUpdate, noiseUpdate, scaledUpdate, signFlippedUpdate, ulpUpdate } from "./adversaries.ts";

/** The adversaries a trainer process can play (MYC_TEST_ADVERSARY), and what they do. */
export const ADVERSARIES = {
  scaled: { description: "sends its update scaled 100x (a boosting attack)" },
  "sign-flip": { description: "sends its update pointing away from where training leads" },
  noise: { description: "sends random noise 100x an honest step, claiming its samples" },
  lazy: { description: "sends the model back unchanged (a free rider)" },
  "free-rider": {
    description: "does no work: sends the model with one weight moved by one ulp, claiming its samples (caught by replay audits)",
  },
} as const;

export type Adversary = keyof typeof ADVERSARIES;

/** Whether `name` names an adversary. */
export function isAdversary(name: string): name is Adversary {
  return Object.hasOwn(ADVERSARIES, name);
}

/**
 * Hooks that make a trainer send a 100x scaled, sign-flipped, random-noise (100x an honest step), unchanged or
 * one-ulp-from-unchanged update.
 */
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
          return {
            ...update,
            weights: noiseUpdate(base, {
              seed: deriveSeed(context.spec.seed, "noise", context.round, context.trainerIndex),
              scale: 100 * deltaRms(base, update.weights),
            }),
          };
        case "lazy":
          return { ...update, weights: lazyUpdate(base) };
        case "free-rider":
          return { ...update, weights: ulpUpdate(base) };
      }
    },
  };
}
