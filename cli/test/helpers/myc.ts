/** Runs the real `myc` launcher (bin/myc.js) in child processes, as a user would. */
import { spawn } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { tempDirectory } from "@mycelium/devkit";

const BIN = path.resolve(import.meta.dirname, "..", "..", "bin", "myc.js");
/** HOME (and default working directory) of every spawned myc, so nothing lands in the real home (~/.mycelium). */
const HOME = tempDirectory("home-");

export type Result = { code: number | null; stdout: string; stderr: string };

/** Runs the real `myc` launcher in a child process with only the given environment (plus PATH and HOME). */
export function myc(
  args: string[],
  env: Record<string, string> = {},
  cwd = HOME,
  options: { interruptWhen?: Promise<unknown> } = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    // Ctrl-C once the test's condition holds (for example: the command is waiting on the network), never on a timer:
    // a loaded machine may take seconds just to start the process.
    void options.interruptWhen?.then(() => child.kill("SIGINT"));
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Asserts a failure: the exit code, one `error:` line (and at most a `hint:` line) on stderr, nothing on stdout. */
export function expectFailure(result: Result, code: number, message: RegExp): void {
  expect(result.code, result.stderr).to.equal(code);
  expect(result.stdout).to.equal("");
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines[0])
    .to.match(/^error: /)
    .and.to.match(message);
  expect(lines.length).to.be.at.most(2);
  if (lines[1] !== undefined) expect(lines[1]).to.match(/^hint: /);
}

/**
 * Starts a long-running `myc` command (such as `myc serve --json`) and resolves with its first JSON document on
 * stdout; `stop()` interrupts it (Ctrl-C) and resolves with its exit code.
 */
export async function mycDaemon<T>(
  args: string[],
  env: Record<string, string>,
): Promise<{ output: T; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: HOME,
    env: { PATH: process.env.PATH ?? "", HOME, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const output = await new Promise<T>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        // not complete yet
      }
    });
    void exited.then((code) => reject(new Error(`myc ${args[0]} exited with ${code} before printing JSON: ${stderr}`)));
  });
  return {
    output,
    stop: async () => {
      child.kill("SIGINT");
      return exited;
    },
  };
}
