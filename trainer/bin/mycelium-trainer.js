#!/usr/bin/env node
// Launcher of the `mycelium-trainer` CLI: the trainer package is TypeScript run by tsx (no build step), so register
// tsx's ESM loader, import the real entry point (src/cli.ts) and exit with the code it returns.
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
const { runTrainerCli } = await import("../src/cli.ts");

// SIGINT (Ctrl-C) and SIGTERM stop the trainer cleanly: the current step ends, the journal is on disk, the IPFS node
// stops, and it exits 0. A second signal exits at once (the journal still lets a restart resume).
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(signal === "SIGINT" ? 130 : 143);
    controller.abort(new Error(`stopped by ${signal}`));
  });
}
const code = await runTrainerCli({ signal: controller.signal });
await new Promise((resolve) => process.stdout.write("", resolve));
process.exit(code);
