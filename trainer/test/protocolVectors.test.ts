/**
 * The replay-audit vectors of the protocol specification (docs/protocol/vectors/replay.json) that the trainer
 * implements: the steps an update declares and the tolerance comparison. The rest of the vectors is checked by the
 * client (client/test/protocol/vectors.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { REPLAY_TOLERANCE, compareWithReplay, declaredSteps } from "../src/index.ts";

type Json = {
  protocol: string;
  tolerance: number;
  declaredSteps: {
    input: { spec: Parameters<typeof declaredSteps>[0]["spec"]; assignedSamples: number; manifestSteps: number | null };
    steps: number | null;
  }[];
  comparisons: {
    name: string;
    input: { base: string[]; claimed: string[]; replayed: string[] };
    relativeDistance: { bits: string; value: string };
    matches: boolean;
  }[];
};

const vectors = JSON.parse(readFileSync(new URL("../../docs/protocol/vectors/replay.json", import.meta.url), "utf8")) as Json;

/** Float32 values from the base64 of their little-endian bytes (docs/protocol/README.md, "Vectors"). */
function f32(text: string): Float32Array {
  const bytes = new Uint8Array(Buffer.from(text, "base64"));
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function f64Bits(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value, false);
  return `0x${Buffer.from(view.buffer).toString("hex")}`;
}

describe("protocol test vectors: replay audits (docs/protocol/vectors/replay.json)", () => {
  it("is this protocol version, with the implementation's tolerance", () => {
    assert.equal(vectors.protocol, "Mycelium round protocol 1.0.0-draft");
    assert.equal(vectors.tolerance, REPLAY_TOLERANCE);
  });

  it("declared steps", () => {
    for (const { input, steps } of vectors.declaredSteps) {
      const result = declaredSteps({
        spec: input.spec,
        assignedSamples: input.assignedSamples,
        manifestSteps: input.manifestSteps ?? undefined,
      });
      assert.equal("steps" in result ? result.steps : null, steps, JSON.stringify(input));
    }
  });

  it("the tolerance comparison, bit for bit", () => {
    for (const { name, input, relativeDistance, matches } of vectors.comparisons) {
      const result = compareWithReplay({ base: input.base.map(f32), claimed: input.claimed.map(f32), replayed: input.replayed.map(f32) });
      assert.equal(f64Bits(result.relativeDistance), relativeDistance.bits, name);
      assert.equal(String(result.relativeDistance), relativeDistance.value, name);
      assert.equal(result.matches, matches, name);
    }
  });
});
