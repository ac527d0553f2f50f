/**
 * Preloaded (`node --require`) into the `ponder start` processes that lib/ponderProcess.ts spawns, so that no indexer
 * outlives the process that started it, even one killed outright (SIGKILL runs no exit handler there). The parent
 * holds the write end of this process's stdin pipe and never writes: when the parent goes away the pipe closes, and
 * this process sends itself SIGTERM so that Ponder shuts down as on Ctrl-C. The parent pid is watched too, for
 * platforms where the pipe outlives its writer. Plain JavaScript: it runs before any TypeScript loader.
 */
"use strict";

const parent = process.ppid;
let leaving = false;
function leave() {
  if (leaving) return;
  leaving = true;
  process.kill(process.pid, "SIGTERM");
}
process.stdin.on("end", leave);
process.stdin.on("close", leave);
process.stdin.resume();
setInterval(() => {
  if (process.ppid !== parent) leave();
}, 500).unref();
