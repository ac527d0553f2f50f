import type { AggregateParameters, AggregationUpdate } from "@mycelium/client";

/**
 * A JSON form of aggregation inputs so a test can hand the very same update bytes to other OS processes. Float32
 * arrays travel as base64 of their little-endian bytes, so nothing is re-parsed from decimal text.
 */
export function encodeAggregationInput(params: AggregateParameters): string {
  return JSON.stringify({
    rule: params.rule,
    base: params.base.map(toBase64),
    updates: params.updates.map((update) => {
      const common = { trainerIndex: update.trainerIndex, samples: String(update.samples) };
      if ("unavailable" in update) return { ...common, unavailable: update.unavailable };
      if ("replayMismatch" in update) return { ...common, replayMismatch: update.replayMismatch };
      return { ...common, weights: update.weights.map(toBase64) };
    }),
  });
}

export function decodeAggregationInput(text: string): AggregateParameters {
  const raw = JSON.parse(text) as {
    rule: AggregateParameters["rule"];
    base: string[];
    updates: { trainerIndex: number; samples: string; weights?: string[]; unavailable?: string; replayMismatch?: string }[];
  };
  return {
    rule: raw.rule,
    base: raw.base.map(fromBase64),
    updates: raw.updates.map((update): AggregationUpdate => {
      const common = { trainerIndex: update.trainerIndex, samples: BigInt(update.samples) };
      if (update.unavailable !== undefined) return { ...common, unavailable: update.unavailable };
      if (update.replayMismatch !== undefined) return { ...common, replayMismatch: update.replayMismatch };
      return { ...common, weights: update.weights!.map(fromBase64) };
    }),
  };
}

export function toBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (const [i, value] of values.entries()) view.setFloat32(i * 4, value, true);
  return Buffer.from(bytes).toString("base64");
}

export function fromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(bytes.length / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}
