import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { workspaceRoot } from "@mycelium/devkit";
import { renderAbis } from "../scripts/generate-abis.ts";

const ABI_DIR = path.resolve(import.meta.dirname, "..", "src", "abis");

describe("generated ABIs", () => {
  before(function () {
    this.timeout(300_000);
    // Compile from the current sources (a no-op when the cache is fresh), so a changed contract shows up here.
    execFileSync("npm", ["run", "compile", "-w", "@mycelium/contracts", "--", "--quiet"], { cwd: workspaceRoot(), stdio: "inherit" });
  });

  it("match the compiled contracts (run `npm run generate:abis -w @mycelium/client` when this fails)", () => {
    const expected = renderAbis();
    const actual = Object.fromEntries(fs.readdirSync(ABI_DIR).map((name) => [name, fs.readFileSync(path.join(ABI_DIR, name), "utf8")]));
    expect(Object.keys(actual).sort()).to.deep.equal(Object.keys(expected).sort());
    for (const [name, contents] of Object.entries(expected)) expect(actual[name], `src/abis/${name} is stale`).to.equal(contents);
  });
});
