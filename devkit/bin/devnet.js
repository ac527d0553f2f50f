#!/usr/bin/env node
// Launcher of `npm run devnet` (mycelium-devnet): the devkit is TypeScript run by tsx (no build step), so register
// tsx's ESM loader and run the real entry point (src/devnet/cli.ts).
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  process.stderr.write(
    `error: the devnet needs Node.js 22 or newer (this is ${process.versions.node}).\n` +
      `hint: run it as \`npm run devnet\`, which uses the project's Node 22.\n`,
  );
  process.exit(1);
}
const { register } = await import("tsx/esm/api");
register();
await import("../src/devnet/cli.ts");
