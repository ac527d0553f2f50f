import type { Parameters } from "fast-check";

/**
 * fast-check parameters for a property run, with its seed printed before it starts, so that any failure can be
 * replayed exactly: MYC_PROPERTY_SEED=<seed> reruns the same cases, MYC_PROPERTY_RUNS=<n> changes how many are tried.
 * (The contract tests, which run in Hardhat's CommonJS, have the same helper in contracts/test/fixtures/property.ts.)
 */
export function propertyRun(name: string, defaults: { numRuns: number }): Parameters<unknown> {
  const seed = process.env.MYC_PROPERTY_SEED ? Number(process.env.MYC_PROPERTY_SEED) : Math.floor(Math.random() * 2 ** 31);
  const numRuns = process.env.MYC_PROPERTY_RUNS ? Number(process.env.MYC_PROPERTY_RUNS) : defaults.numRuns;
  console.log(`      fast-check "${name}": seed ${seed}, ${numRuns} runs (replay with MYC_PROPERTY_SEED=${seed})`);
  return { seed, numRuns };
}
