#!/usr/bin/env node
// Launcher of `npm run demo` (mycelium-demo): the demo is TypeScript run by tsx (no build step), so register tsx's ESM
// loader and run the real entry point (src/main.ts), which exits with the run's code.
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  process.stderr.write(
    `error: the demo needs Node.js 22 or newer (this is ${process.versions.node}).\n` +
      `hint: run it as \`npm run demo\`, which uses the project's Node 22.\n`,
  );
  process.exit(1);
}
const { register } = await import("tsx/esm/api");
register();
await import("../src/main.ts");
