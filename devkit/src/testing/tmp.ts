/** Temporary directories for tests, all under one folder per test process that is removed when the process exits. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = fs.mkdtempSync(path.join(os.tmpdir(), `myc-test-${process.pid}-`));
process.once("exit", () => fs.rmSync(root, { recursive: true, force: true }));

/** A new empty directory, removed with the others when the test process exits. */
export function tempDirectory(prefix = "dir-"): string {
  return fs.mkdtempSync(path.join(root, prefix));
}
