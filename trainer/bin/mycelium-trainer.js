#!/usr/bin/env node
// Launcher of the `mycelium-trainer` CLI: the trainer is TypeScript run by tsx (no build step), so register tsx's ESM
// loader, then run the command line (src/cli.ts) through the CLI kit's launcher. SIGINT (Ctrl-C) and SIGTERM stop the
// trainer cleanly: the current step ends, the journal is on disk, the IPFS node stops, and it exits 0. A second
// signal exits at once (the journal still lets a restart resume).
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  process.stderr.write(
    `error: mycelium-trainer needs Node.js 22 or newer (this is ${process.versions.node}).\n` +
      "hint: run it through npm (`npm run trainer -- --job <id>`) or npx, which use the project's Node 22 from node_modules/.bin.\n",
  );
  process.exit(1);
}
const { register } = await import("tsx/esm/api");
register();
const { launch } = await import("@mycelium/cli");
const { runTrainerCli } = await import("../src/cli.ts");
await launch(runTrainerCli, { signals: ["SIGINT", "SIGTERM"] });
