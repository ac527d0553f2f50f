/**
 * Child process for the cross-process replay test: selects the backend named by argv[2] ("wasm-nosimd": the wasm
 * backend's build without SIMD, as on a CPU or runtime that lacks it), reads the audit input (JSON:
 * the base model with base64 weights, then claims of { trainerIndex, declaredSteps, claimed }) from the file named by
 * argv[3], replays each claim and prints one JSON line with the verdicts.
 */
import { readFile } from "node:fs/promises";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { LayersModelDefinition } from "@mycelium/client";
import { auditByReplay, parseBackendName, selectBackend } from "../../src/index.ts";
import { fromBase64 } from "./aggregationInput.ts";
import { auditFixture } from "./fixtures.ts";

type Input = {
  base: { topology: LayersModelDefinition["topology"]; weightSpecs: LayersModelDefinition["weightSpecs"]; weights: string[] };
  claims: { trainerIndex: number; declaredSteps: number; claimed: string[] }[];
};

const noSimd = process.argv[2] === "wasm-nosimd";
// The wasm backend reads this flag when it initialises, and then loads its build without SIMD.
if (noSimd) tf.env().set("WASM_HAS_SIMD_SUPPORT", false);
await selectBackend({ backend: noSimd ? "wasm" : parseBackendName(process.argv[2]!), log: () => {} });
const input = JSON.parse(await readFile(process.argv[3]!, "utf8")) as Input;
const fixture = await auditFixture({ ...input.base, weights: input.base.weights.map(fromBase64) });
const verdicts = [];
for (const claim of input.claims) {
  const result = await auditByReplay({
    model: fixture.base,
    data: fixture.dataOf(claim.trainerIndex),
    config: fixture.configOf(claim.trainerIndex, claim.declaredSteps),
    declaredSteps: claim.declaredSteps,
    claimed: claim.claimed.map(fromBase64),
  });
  verdicts.push({
    matches: result.matches,
    relativeDistance: result.relativeDistance,
    backend: noSimd ? `${result.backend} without SIMD (${String(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"))})` : result.backend,
  });
}
process.stdout.write(`${JSON.stringify({ pid: process.pid, verdicts })}\n`);
