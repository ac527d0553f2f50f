#!/usr/bin/env node
// Launcher of the `myc` CLI: the client package is TypeScript run by tsx (no build step), so register tsx's ESM loader
// and import the real entry point.
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  process.stderr.write(
    `error: myc needs Node.js 22 or newer (this is ${process.versions.node}).\n` +
      "hint: run it through npx (`npx myc ...`), which uses the project's Node 22 from node_modules/.bin.\n",
  );
  process.exit(1);
}
const { register } = await import("tsx/esm/api");
register();
await import("../src/cli/main.ts");
