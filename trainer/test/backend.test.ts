import * as tf from "@tensorflow/tfjs";
import { expect } from "chai";
import { BackendUnavailableError, UnknownBackendError, parseBackendName, probeBackends, selectBackend } from "../src/index.ts";

describe("selectBackend", () => {
  after(async () => {
    await selectBackend({ backend: "wasm", log: () => {} });
  });

  it("takes the best backend installed and logs why", async () => {
    const probes = await probeBackends();
    const native = probes.filter((probe) => probe.name === "node-gpu" || probe.name === "node");
    // These machines cannot install the native packages (they download libtensorflow); where they can, the first
    // one that loads must win instead.
    const lines: string[] = [];
    const selected = await selectBackend({ log: (line) => lines.push(line) });
    const expected = probes.find((probe) => probe.available)!.name;
    expect(selected.name).to.equal(expected);
    expect(lines).to.have.length(1);
    if (native.every((probe) => !probe.available)) {
      expect(selected.name).to.equal("wasm");
      expect(selected.tfBackend).to.equal("wasm");
      expect(tf.getBackend()).to.equal("wasm");
      expect(selected.probes.map((probe) => `${probe.name}:${probe.available}`)).to.deep.equal([
        "node-gpu:false",
        "node:false",
        "wasm:true",
      ]);
      expect(selected.probes[0]!.reason).to.equal("@tensorflow/tfjs-node-gpu is not installed");
      expect(lines[0]).to.equal(
        '[trainer] compute backend: wasm (best available; TF.js backend "wasm"; ' +
          "skipped node-gpu (@tensorflow/tfjs-node-gpu is not installed), node (@tensorflow/tfjs-node is not installed))",
      );
    }
  });

  it("honours an explicit backend", async () => {
    const lines: string[] = [];
    const selected = await selectBackend({ backend: "cpu", log: (line) => lines.push(line) });
    expect(selected).to.include({ name: "cpu", tfBackend: "cpu", packageName: null });
    expect(tf.getBackend()).to.equal("cpu");
    expect(lines[0]).to.match(/^\[trainer\] compute backend: cpu \(requested with --backend/);
    const wasm = await selectBackend({ backend: "wasm", log: () => {} });
    expect(wasm.name).to.equal("wasm");
    expect(tf.getBackend()).to.equal("wasm");
  });

  it("rejects a name that is not a backend with a typed error", async () => {
    expect(() => parseBackendName("tensorflow")).to.throw(UnknownBackendError, 'Unknown compute backend "tensorflow"');
    let error: unknown;
    try {
      await selectBackend({ backend: "gpu" as never, log: () => {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(UnknownBackendError);
    expect((error as UnknownBackendError).details).to.equal("Known backends, best first: node-gpu, node, wasm, cpu.");
  });

  it("fails with BackendUnavailableError when the requested backend is not installed", async function () {
    const node = (await probeBackends()).find((probe) => probe.name === "node")!;
    if (node.available) this.skip();
    const active = tf.getBackend();
    let error: unknown;
    try {
      await selectBackend({ backend: "node", log: () => {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).backend).to.equal("node");
    expect((error as BackendUnavailableError).hint).to.match(/Install @tensorflow\/tfjs-node@4\.22\.0/);
    expect(tf.getBackend()).to.equal(active);
  });

  it("maps CLI values to backend names", () => {
    expect(["auto", "node-gpu", "node", "wasm", "cpu"].map(parseBackendName)).to.deep.equal(["auto", "node-gpu", "node", "wasm", "cpu"]);
  });
});
