/**
 * Test helper for the indexer's process lifetime test: starts an indexer (`startIndexer`) on the deployment file and
 * PGlite directory given as arguments, copies its log lines to the log file given third (so the test can show what
 * the indexer said after this process is gone), prints `INDEXER_PID <pid>` and waits to be killed with SIGKILL, so
 * that the test can check the indexer ends when its parent dies without any cleanup.
 */
import fs from "node:fs";
import { startIndexer } from "@mycelium/devkit";

const [deploymentFile, dataDir, logFile] = process.argv.slice(2);
if (deploymentFile === undefined || dataDir === undefined || logFile === undefined) {
  console.error("usage: orphan-parent.ts <deployment file> <PGlite directory> <log file>");
  process.exit(2);
}
startIndexer({ deploymentFile, schema: "orphan", dataDir, onLog: (line) => fs.appendFileSync(logFile, `${JSON.stringify(line)}\n`) }).then(
  (indexer) => {
    console.log(`INDEXER_PID ${indexer.pid}`);
    setInterval(() => undefined, 60_000);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
