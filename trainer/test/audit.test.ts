import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "chai";
import { sliceDataset, type TensorDataset } from "@mycelium/client";
import { deltaRms, noiseUpdate } from "@mycelium/devkit";
import { REPLAY_TOLERANCE, auditByReplay, compareWithReplay, declaredSteps, selectBackend, trainLocally } from "../src/index.ts";
import { toBase64 } from "./harness/aggregationInput.ts";
import { auditFixture, type AuditFixture } from "./harness/fixtures.ts";

/** The declared work of the audited updates: 60 optimizer steps (about 2.5 passes over a trainer's 400 samples). */
const STEPS = 60;
const quiet = { log: () => {} };

/** Moves one weight by one unit in the last place. */
function plusOneUlp(weights: readonly Float32Array[]): Float32Array[] {
  const copy = weights.map((tensor) => Float32Array.from(tensor));
  const bits = new Uint32Array(copy[0]!.buffer);
  bits[0] = bits[0]! + 1;
  return copy;
}

describe("replay audits", function () {
  this.timeout(300_000);
  let fixture: AuditFixture;
  let honest: Float32Array[];

  before(async () => {
    await selectBackend({ backend: "wasm", ...quiet });
    fixture = await auditFixture();
    honest = (await trainLocally({ model: fixture.base, data: fixture.dataOf(0), config: fixture.configOf(0, STEPS) })).weights;
  });
  after(async () => {
    await selectBackend({ backend: "wasm", ...quiet });
  });

  const audit = (claimed: readonly Float32Array[], declaredSteps = STEPS) =>
    auditByReplay({ model: fixture.base, data: fixture.dataOf(0), config: fixture.configOf(0, STEPS), declaredSteps, claimed });

  it("an honest update matches its replay on the same backend bit for bit", async () => {
    await selectBackend({ backend: "wasm", ...quiet });
    const result = await audit(honest);
    expect(result).to.include({ matches: true, relativeDistance: 0, steps: STEPS, backend: "wasm" });
  });

  it("an honest update trained on wasm passes a replay on the cpu backend, far inside the tolerance", async () => {
    await selectBackend({ backend: "cpu", ...quiet });
    const result = await audit(honest);
    console.log(`      wasm update replayed on cpu: ${result.relativeDistance.toExponential(2)} of the update's size`);
    expect(result.backend).to.equal("cpu");
    expect(result.matches, result.detail).to.equal(true);
    expect(result.relativeDistance).to.be.below(REPLAY_TOLERANCE / 100);
  });

  it("work that was not done fails the replay: the base plus one ulp or noise, another trainer's update, part of the data, one step short, another shuffle", async () => {
    await selectBackend({ backend: "wasm", ...quiet });
    const base = fixture.base.weights;
    const step = deltaRms(base, honest);
    const train = async (data: TensorDataset, config = fixture.configOf(0, STEPS)) =>
      (await trainLocally({ model: fixture.base, data, config })).weights;
    const strategies: Record<string, Float32Array[]> = {
      "base + 1 ulp in one weight": plusOneUlp(base),
      "base + noise at 0.1 of an honest step": noiseUpdate(base, { seed: 1, scale: 0.1 * step }),
      "base + noise at 1.0 of an honest step": noiseUpdate(base, { seed: 2, scale: step }),
      "another trainer's honest update": await train(fixture.dataOf(1), fixture.configOf(1, STEPS)),
      "25% of the assigned samples": await train(sliceDataset(fixture.dataOf(0), 0, 100)),
      "one step short": await train(fixture.dataOf(0), fixture.configOf(0, STEPS - 1)),
      "another shuffle seed": await train(fixture.dataOf(0), { ...fixture.configOf(0, STEPS), seed: 7 }),
    };
    const distances: string[] = [];
    for (const [name, claimed] of Object.entries(strategies)) {
      const result = await audit(claimed);
      distances.push(`${name} ${result.relativeDistance.toExponential(2)}`);
      expect(result.matches, `${name}: ${result.detail}`).to.equal(false);
      expect(result.relativeDistance, name).to.be.above(REPLAY_TOLERANCE * 10);
    }
    console.log(`      distances to the replay: ${distances.join("; ")}`);
  });

  it("a declared step count that is not a positive integer fails without training, and so do weights of another shape", async () => {
    for (const steps of [0, -1, 1.5, Number.NaN]) {
      const result = await audit(honest, steps);
      expect(result, String(steps)).to.include({ matches: false, steps: 0, relativeDistance: Number.POSITIVE_INFINITY });
    }
    const truncated = honest.map((tensor, t) => (t === 0 ? tensor.subarray(1) : tensor));
    const comparison = compareWithReplay({ base: fixture.base.weights, claimed: truncated, replayed: honest });
    expect(comparison).to.include({ matches: false, relativeDistance: Number.POSITIVE_INFINITY });
  });

  it("declared steps: fixed by the spec for epochs and steps, the manifest's for seconds; a contradicting or missing count is refused", () => {
    const epochs = { local: { unit: "epochs", count: 2 }, batchSize: 32 } as const;
    expect(declaredSteps({ spec: epochs, assignedSamples: 100, manifestSteps: undefined })).to.deep.equal({ steps: 8 });
    expect(declaredSteps({ spec: epochs, assignedSamples: 100, manifestSteps: 8 })).to.deep.equal({ steps: 8 });
    expect(declaredSteps({ spec: epochs, assignedSamples: 100, manifestSteps: 7 })).to.deep.equal({
      invalid: "declares 7 steps where the spec fixes 8",
    });
    const steps = { local: { unit: "steps", count: 50 }, batchSize: 32 } as const;
    expect(declaredSteps({ spec: steps, assignedSamples: 100, manifestSteps: undefined })).to.deep.equal({ steps: 50 });
    const seconds = { local: { unit: "seconds", count: 30 }, batchSize: 32 } as const;
    expect(declaredSteps({ spec: seconds, assignedSamples: 100, manifestSteps: 1234 })).to.deep.equal({ steps: 1234 });
    expect(declaredSteps({ spec: seconds, assignedSamples: 100, manifestSteps: undefined })).to.have.property("invalid");
    // A declared count above the spec's cap is refused without a replay: no attester has to run it.
    const capped = { local: { unit: "seconds", count: 30, maxSteps: 1000 }, batchSize: 32 } as const;
    expect(declaredSteps({ spec: capped, assignedSamples: 100, manifestSteps: 1000 })).to.deep.equal({ steps: 1000 });
    expect(declaredSteps({ spec: capped, assignedSamples: 100, manifestSteps: 10 ** 9 })).to.deep.equal({
      invalid: "declares 1000000000 steps, above the spec's maxSteps 1000",
    });
  });

  it("trainer processes on cpu, on wasm and on wasm without SIMD reach the same verdicts on an honest and a partial-work update", async () => {
    await selectBackend({ backend: "wasm", ...quiet });
    const partial = (
      await trainLocally({ model: fixture.base, data: sliceDataset(fixture.dataOf(2), 0, 200), config: fixture.configOf(2, STEPS) })
    ).weights;
    const input = {
      base: { topology: fixture.base.topology, weightSpecs: fixture.base.weightSpecs, weights: fixture.base.weights.map(toBase64) },
      claims: [
        { trainerIndex: 0, declaredSteps: STEPS, claimed: honest.map(toBase64) },
        { trainerIndex: 2, declaredSteps: STEPS, claimed: partial.map(toBase64) },
      ],
    };
    const directory = await mkdtemp(join(tmpdir(), "myc-replay-"));
    try {
      const path = join(directory, "input.json");
      await writeFile(path, JSON.stringify(input));
      const script = fileURLToPath(new URL("./harness/replayInProcess.ts", import.meta.url));
      const run = (backend: string) =>
        promisify(execFile)(process.execPath, ["--import", "tsx", script, backend, path], { encoding: "utf8" }).then(
          (output) =>
            JSON.parse(output.stdout) as { pid: number; verdicts: { matches: boolean; relativeDistance: number; backend: string }[] },
        );
      const cpu = await run("cpu");
      const wasm = await run("wasm");
      const noSimd = await run("wasm-nosimd");
      expect(new Set([cpu.pid, wasm.pid, noSimd.pid]).size).to.equal(3);
      expect(cpu.verdicts.map((v) => v.backend)).to.deep.equal(["cpu", "cpu"]);
      expect(wasm.verdicts.map((v) => v.backend)).to.deep.equal(["wasm", "wasm"]);
      expect(noSimd.verdicts.map((v) => v.backend)).to.deep.equal(["wasm without SIMD (false)", "wasm without SIMD (false)"]);
      for (const verdicts of [cpu.verdicts, wasm.verdicts, noSimd.verdicts])
        expect(verdicts.map((v) => v.matches)).to.deep.equal([true, false]);
      // The wasm process replays the wasm-trained honest update exactly.
      expect(wasm.verdicts[0]!.relativeDistance).to.equal(0);
      console.log(
        `      honest update's distance to its replay: cpu ${cpu.verdicts[0]!.relativeDistance.toExponential(2)}, ` +
          `wasm without SIMD ${noSimd.verdicts[0]!.relativeDistance.toExponential(2)}; partial work: ` +
          [cpu, wasm, noSimd].map((run) => run.verdicts[1]!.relativeDistance.toExponential(2)).join(", "),
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
