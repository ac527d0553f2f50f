/**
 * Benchmark results: every `npm run bench:*` writes one JSON file under bench/results/ of the repository, whichever
 * package its script lives in, so results are committed side by side and compared in review.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** The repository root: the nearest directory above `from` whose package.json declares workspaces. */
export function workspaceRoot(from: string = process.cwd()): string {
  for (let directory = path.resolve(from); ; directory = path.dirname(directory)) {
    const manifest = path.join(directory, "package.json");
    if (fs.existsSync(manifest) && "workspaces" in (JSON.parse(fs.readFileSync(manifest, "utf8")) as object)) return directory;
    if (path.dirname(directory) === directory)
      throw new Error(`No npm workspace root above ${from}: run benchmarks inside the repository.`);
  }
}

/** The path of bench/results/<name>.json (created folder included). */
export function benchResultsFile(name: string, from?: string): string {
  const file = path.join(workspaceRoot(from ?? import.meta.dirname), "bench", "results", `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

/** Writes a benchmark's result as pretty JSON to bench/results/<name>.json and returns the path. */
export function writeBenchResult(name: string, result: unknown): string {
  const file = benchResultsFile(name);
  fs.writeFileSync(
    file,
    `${JSON.stringify(result, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2)}\n`,
  );
  return file;
}

/** The machine a benchmark ran on, for its results file. */
export function benchMachine(): { node: string; platform: string; arch: string; cpus: number; cpuModel: string } {
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
  };
}
