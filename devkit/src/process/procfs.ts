/**
 * Process facts read from /proc (Linux), for the checks that no process outlives the one that started it: the tests of
 * the devnet, of scripts/exitWithParent.cjs and of the indexer, and the demo's final check. Off Linux every reader
 * answers "unknown" (undefined or []).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import readline from "node:readline";
import { sleep } from "@mycelium/client/utils";

export type ProcStat = {
  pid: number;
  /** The executable's name as the kernel keeps it (at most 15 characters). */
  command: string;
  /** State letter: R running, S sleeping, D disk wait, Z zombie (ended, not yet reaped), ... */
  state: string;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid, it names one process even after the pid is reused. */
  startTime: number;
};

/** `/proc/<pid>/stat`, or undefined once the process is gone (or off Linux). */
export function procStat(pid: number): ProcStat | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ... starttime ...": comm may hold spaces and parentheses, so split after the last ")".
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  // After comm, field 3 (state) is fields[0]; field 22 (starttime) is fields[19].
  return {
    pid,
    command: stat.slice(stat.indexOf("(") + 1, close),
    state: fields[0]!,
    ppid: Number(fields[1]),
    startTime: Number(fields[19]),
  };
}

/**
 * Whether a process runs: it exists, is not a zombie or dead, and, when `startTime` (from an earlier procStat) is given,
 * is still the same process rather than a new one that got its pid.
 */
export function isRunning(pid: number, startTime?: number): boolean {
  const stat = procStat(pid);
  if (stat === undefined || stat.state === "Z" || stat.state === "X") return false;
  return startTime === undefined || stat.startTime === startTime;
}

/** Every process there is now (an empty list off Linux). */
export function allProcesses(): ProcStat[] {
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return entries.map((entry) => procStat(Number(entry))).filter((stat): stat is ProcStat => stat !== undefined);
}

/** The running processes descended from `pid` (zombies excluded), parents before their children. */
export function descendantProcesses(pid: number): ProcStat[] {
  const processes = allProcesses().filter((stat) => stat.state !== "Z" && stat.state !== "X");
  const found: ProcStat[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const stat of processes) {
      if (stat.ppid === current) {
        found.push(stat);
        queue.push(stat.pid);
      }
    }
  }
  return found;
}

export type OrphanParent = {
  /** The pid the parent printed (its child's). */
  childPid: number;
  /** The child's start time, so that a later check never mistakes a new process with the same pid for it. */
  childStartTime: number;
  /** SIGKILL the parent (no exit handler runs) and resolve once it is gone, leaving its child orphaned. */
  killParent: () => Promise<void>;
};

/**
 * For the tests that a child ends with the process that started it: runs `node <args>` as a parent that starts the
 * child and prints `<marker> <pid>`, and resolves once the child runs, with a way to kill the parent outright.
 */
export async function startOrphanParent(args: string[], marker: string): Promise<OrphanParent> {
  const parent = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const parentExited = new Promise<void>((resolve) => parent.once("exit", () => resolve()));
  const pattern = new RegExp(`^${marker} (\\d+)$`);
  const childPid = await new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: parent.stdout! }).on("line", (line) => {
      const match = pattern.exec(line);
      if (match) resolve(Number(match[1]));
    });
    parent.once("exit", (code, signal) => reject(new Error(`the parent exited before printing ${marker} (${code ?? signal})`)));
  });
  const child = procStat(childPid);
  if (child === undefined || !isRunning(childPid, child.startTime)) throw new Error(`the parent's child ${childPid} is not running`);
  return {
    childPid,
    childStartTime: child.startTime,
    killParent: async () => {
      parent.kill("SIGKILL");
      await parentExited;
    },
  };
}

/** Waits until the process is gone or `timeoutMs` has passed; whether it is gone. */
export async function waitUntilGone(pid: number, startTime: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid, startTime) && Date.now() < deadline) await sleep(100);
  return !isRunning(pid, startTime);
}
