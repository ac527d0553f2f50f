/**
 * Child process for the cross-process determinism test: reads aggregation inputs (JSON, see aggregationInput.ts)
 * from the file named by argv[2], aggregates them, and prints one JSON line with the sha256 of the canonical output
 * bytes, the mask, the included samples and the verdict reasons.
 */
import { readFile } from "node:fs/promises";
import { aggregateUpdates, weightsDigest } from "@mycelium/client";
import { decodeAggregationInput } from "./aggregationInput.ts";

const input = decodeAggregationInput(await readFile(process.argv[2]!, "utf8"));
const result = aggregateUpdates(input);
process.stdout.write(
  `${JSON.stringify({
    pid: process.pid,
    digest: weightsDigest(result.weights),
    includedMask: result.includedMask.toString(),
    includedSamples: result.includedSamples.toString(),
    reasons: result.verdicts.map((verdict) => `${verdict.trainerIndex}:${verdict.reason}`),
  })}\n`,
);
