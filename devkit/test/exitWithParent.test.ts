/**
 * scripts/exitWithParent.cjs, the preload that ends the devnet server and the indexer when the process that started
 * them is gone. The devnet's and the indexer's own tests kill a real parent and watch the real server end gracefully;
 * this test covers the fallback: a child whose main thread is stuck can run no signal handler and never sees its stdin
 * close, and only the preload's watchdog thread, which notices the new parent pid and sends SIGKILL after the grace
 * period, ends it.
 */
import path from "node:path";
import { expect } from "chai";
import { isRunning, startOrphanParent, waitUntilGone } from "../src/index.ts";
import { sleep } from "@mycelium/client/utils";

const PRELOAD = path.resolve(import.meta.dirname, "..", "src", "process", "exitWithParent.cjs");

/** The child: traps SIGTERM (so only SIGKILL can end it), says it is ready, then blocks its main thread for a minute. */
const STUCK_CHILD = `
process.on("SIGTERM", () => console.log("SIGTERM handled"));
console.log("READY");
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
`;

/** The parent: starts the child with the preload and a stdin pipe it never writes to, prints the child's pid, waits. */
const PARENT = `
const { spawn } = require("node:child_process");
const child = spawn(process.execPath, ["--require", ${JSON.stringify(PRELOAD)}, "-e", ${JSON.stringify(
  STUCK_CHILD,
)}], { stdio: ["pipe", "pipe", "inherit"] });
child.stdout.once("data", () => console.log("CHILD_PID " + child.pid));
setInterval(() => undefined, 60_000);
`;

describe("exitWithParent.cjs", function () {
  this.timeout(60_000);

  it("kills a child whose main thread is stuck once its parent is killed outright", async () => {
    const orphan = await startOrphanParent(["-e", PARENT], "CHILD_PID");
    await orphan.killParent();
    // Still there a moment later: the SIGTERM did not end it (its handler cannot run while the main thread is stuck).
    await sleep(2_000);
    expect(isRunning(orphan.childPid, orphan.childStartTime), "the stuck child survives SIGTERM").to.equal(true);
    // Gone once the grace period (10 s) has passed.
    const gone = await waitUntilGone(orphan.childPid, orphan.childStartTime, 30_000);
    if (!gone) process.kill(orphan.childPid, "SIGKILL");
    expect(gone, "the stuck child outlived its parent").to.equal(true);
  });
});
