#!/usr/bin/env node
// Launcher of the `myc` CLI: the CLI is TypeScript run by tsx (no build step), so register tsx's ESM loader, then run
// the program (src/myc/main.ts) through the kit's launcher: Ctrl-C aborts the running command (it exits 130 once it
// has stopped); a second Ctrl-C exits at once.
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
const { launch } = await import("../src/kit/launcher.ts");
const { main } = await import("../src/myc/main.ts");
await launch(main);
