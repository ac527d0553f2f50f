/**
 * PGlite (the embedded default database) is not crash-safe: when the process is killed in the middle of a write
 * (SIGKILL, power loss), the data directory can come back with part of an unfinished transaction applied, for example
 * aggregate rows updated beyond the checkpoint Ponder resumes from, which Ponder would then apply a second time. The
 * tests reproduce this; PostgreSQL does not have the problem.
 *
 * So the indexer marks a PGlite directory as in use while a process has it open (`<directory>.owner`, holding the
 * process id, removed on every orderly exit). Finding the mark of a process that is gone means the last run did not
 * stop cleanly: the directory is moved aside to `<directory>.unclean-<time>` and the index is rebuilt from the chain.
 * Finding the mark of a live process means another indexer has the directory open, which PGlite does not support.
 */
import fs from "node:fs";
import path from "node:path";
import { IndexerConfigError } from "./settings.ts";

export type ClaimResult = { status: "fresh" | "clean" | "recovered"; movedTo?: string };

/** Claims `directory` for this process; see the module comment. Safe to call more than once in one process. */
export function claimPgliteDirectory(directory: string): ClaimResult {
  const marker = `${directory}.owner`;
  const previous = readOwner(marker);
  if (previous === process.pid) return { status: "clean" };
  let result: ClaimResult = { status: fs.existsSync(directory) ? "clean" : "fresh" };
  if (previous !== undefined) {
    if (isAlive(previous)) {
      throw new IndexerConfigError(`The PGlite directory ${directory} is in use by process ${previous}.`, {
        hint: "Stop that indexer first, or give this one its own directory with MYC_INDEXER_DIR.",
      });
    }
    if (fs.existsSync(directory)) {
      const movedTo = `${directory}.unclean-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      fs.renameSync(directory, movedTo);
      removeOlderCopies(directory, movedTo);
      console.warn(
        `The indexer's last run on ${directory} did not stop cleanly, and PGlite is not crash-safe: moved the data ` +
          `to ${movedTo} and indexing again from the start blocks. Use PostgreSQL (DATABASE_URL) to resume after crashes.`,
      );
      result = { status: "recovered", movedTo };
    }
  }
  fs.mkdirSync(path.dirname(marker), { recursive: true });
  fs.writeFileSync(marker, `${process.pid}\n`);
  process.once("exit", () => {
    if (readOwner(marker) === process.pid) fs.rmSync(marker, { force: true });
  });
  return result;
}

function readOwner(marker: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(marker, "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Keeps only the newest moved-aside copy of `directory`. */
function removeOlderCopies(directory: string, keep: string): void {
  const parent = path.dirname(directory);
  const prefix = `${path.basename(directory)}.unclean-`;
  for (const name of fs.readdirSync(parent)) {
    const candidate = path.join(parent, name);
    if (name.startsWith(prefix) && candidate !== keep) fs.rmSync(candidate, { recursive: true, force: true });
  }
}
