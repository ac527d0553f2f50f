#!/usr/bin/env node
// Launcher of the `myc` CLI: the client package is TypeScript run by tsx (no build step), so register tsx's ESM loader,
// import the real entry point (src/cli/main.ts) and exit with the code it returns.
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
const { main } = await import("../src/cli/main.ts");

// Ctrl-C aborts the running command (it exits 130 once it has stopped); a second Ctrl-C exits at once.
const controller = new AbortController();
process.on("SIGINT", () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort(new Error("interrupted (Ctrl-C)"));
});
const code = await main({ signal: controller.signal });
// Let stdout drain (it is asynchronous on pipes) before exiting, so `--json` output is never cut short.
await new Promise((resolve) => process.stdout.write("", resolve));
process.exit(code);
