/**
 * `npm run bench:gas`: measures the gas of every benchmarked operation and writes bench/results/gas.json, a flat
 * `{ "operation": gasUsed }` object. Each module under bench/gas/ measures its own operations; keys they do not
 * produce (from modules not run here) are kept, so modules can be added independently.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { measureAssetGas } from "./gas/assets";
import { measureTrainingGas } from "./gas/training";

/** bench/results/gas.json of the repository (the workspace root: the nearest package.json with workspaces). */
const RESULTS = path.join(workspaceRoot(__dirname), "bench", "results", "gas.json");

function workspaceRoot(from: string): string {
  for (let directory = from; ; directory = path.dirname(directory)) {
    const manifest = path.join(directory, "package.json");
    if (fs.existsSync(manifest) && "workspaces" in JSON.parse(fs.readFileSync(manifest, "utf8"))) return directory;
    if (path.dirname(directory) === directory) throw new Error(`No workspace root above ${from}`);
  }
}

async function main(): Promise<void> {
  const measured = { ...(await measureAssetGas(hre)), ...(await measureTrainingGas(hre)) };
  const previous: Record<string, number> = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, "utf8")) : {};
  const merged = { ...previous, ...measured };
  const sorted = Object.fromEntries(
    Object.keys(merged)
      .sort()
      .map((key) => [key, merged[key]]),
  );
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, `${JSON.stringify(sorted, null, 2)}\n`);
  for (const [operation, gasUsed] of Object.entries(measured)) console.log(`${operation.padEnd(32)} ${gasUsed}`);
  console.log(`Written to ${path.relative(process.cwd(), RESULTS)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
