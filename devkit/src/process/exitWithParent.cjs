/**
 * Preloaded (`node --require <this file>`) into the long-lived child processes that the devnet (scripts/devnet) and the
 * indexer's process runner (indexer/lib/ponderProcess.ts) start, so that none outlives the process that started it,
 * even one killed outright (SIGKILL runs no exit handler there).
 *
 * Two signs that the parent is gone: this process's stdin (a pipe the parent holds and never writes to) reaches its
 * end, or the parent pid changes (the process was re-parented). Either one sends this process SIGTERM, so that it shuts
 * down as on Ctrl-C, and SIGKILL GRACE_MS later if it is still there. The parent pid is polled and the SIGKILL is timed
 * on a worker thread, so both happen even when the main thread's event loop is stuck (a synchronous write to a pipe, a
 * long WebAssembly call). Writes to stdout or stderr that fail with EPIPE once the parent is gone are dropped instead
 * of surfacing as uncaught exceptions in the middle of the shutdown.
 *
 * Plain CommonJS: it runs before any TypeScript loader.
 */
"use strict";

const { Worker, isMainThread } = require("node:worker_threads");

/** How long a graceful shutdown may take before SIGKILL. Ponder's own limit is 5 s. */
const GRACE_MS = 10_000;
/** How often the parent pid is compared. */
const POLL_MS = 250;

const WATCHDOG = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { parent, graceMs, pollMs } = workerData;
let leaving = false;
const poll = setInterval(() => {
  if (process.ppid !== parent) leave();
}, pollMs);
parentPort.on("message", leave);
function leave() {
  if (leaving) return;
  leaving = true;
  clearInterval(poll);
  try {
    process.kill(process.pid, "SIGTERM");
  } finally {
    setTimeout(() => process.kill(process.pid, "SIGKILL"), graceMs);
  }
}
`;

// Workers load --require preloads too: only the main thread starts a watchdog.
if (isMainThread) {
  const watchdog = new Worker(WATCHDOG, {
    eval: true,
    execArgv: [],
    workerData: { parent: process.ppid, graceMs: GRACE_MS, pollMs: POLL_MS },
  });
  // The watchdog never keeps the process alive; it ends with it.
  watchdog.unref();
  const parentGone = () => watchdog.postMessage("parent gone");
  process.stdin.on("end", parentGone);
  process.stdin.on("close", parentGone);
  process.stdin.on("error", parentGone);
  process.stdin.resume();
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
}
