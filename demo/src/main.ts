/**
 * `npm run demo`: the whole hub on this machine in a few minutes (see demo/README.md). Prints a progress log and a
 * summary, writes demo-output/report.html (and demo.log, run.json, base-model/) whether the run succeeded or not, and
 * exits 0 only when the run was honest by every check of ./checks.ts. Ctrl-C stops everything it started (a second
 * Ctrl-C kills at once).
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { toJson } from "@mycelium/cli";
import { descendantProcesses } from "@mycelium/devkit";
import { checkRun } from "./checks.ts";
import { duration } from "./format.ts";
import { runHub, type HubParameters } from "./hub.ts";
import { consoleLog } from "./log.ts";
import { renderReport } from "./report.ts";
import { formatSummary } from "./summary.ts";

const USAGE = `Usage: npm run demo [-- options]

Runs a whole Mycelium hub on this machine: a local chain, the indexer, IPFS nodes, a dataset sold to a consumer, a
training job with four trainer processes (one adversarial), and the trained model published with its lineage.

Options:
  --rounds <n>     training rounds (default 5)
  --data <dir>     a folder with the four Fashion-MNIST .gz files (default: the Debian package's files when
                   installed, else the subset in demo/fashion-mnist)
  --out <dir>      where report.html, demo.log, run.json and base-model/ (the untrained model as a TF.js
                   directory, ready for \`myc publish --kind model\`) go (default demo-output)
  --keep           keep the working directory (chain data, index, IPFS blocks, trainer journals)
  --verbose        show the output of every process (devnet, indexer, trainers)
  --help           this text`;

/**
 * The demo's run: sized to finish in well under five minutes on two idle CPU cores. The windows are floors: the run
 * measures the machine and lengthens them when it is slower (see phases/job.ts).
 */
function demoParameters(options: { rounds: number; dataDirectory?: string | undefined }): Omit<HubParameters, "log" | "signal"> {
  return {
    data: { kind: "fashion-mnist", directory: options.dataDirectory },
    samplesPerShard: 500,
    trainers: { honest: 3, adversaries: ["scaled", "free-rider"] },
    rounds: options.rounds,
    shardsPerTrainer: 2,
    model: { hidden: [128], seed: 42 },
    training: { epochs: 1, batchSize: 32, learningRate: 0.001 },
    windows: { commit: 12, reveal: 6, attest: 8 },
    economics: { price: "2.5", rewardPerRound: "100", minStake: "10" },
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "5" },
      data: { type: "string" },
      out: { type: "string", default: "demo-output" },
      keep: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) {
    console.error(`--rounds must be a whole number from 1 to 50, not "${values.rounds}".\n\n${USAGE}`);
    return 2;
  }
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const outDir = path.resolve(cwd, values.out);
  fs.mkdirSync(outDir, { recursive: true });
  const logFile = path.join(outDir, "demo.log");
  const logStream = fs.openSync(logFile, "w");
  const log = consoleLog({ verbose: values.verbose, record: (line) => fs.writeSync(logStream, `${line}\n`) });

  const controller = new AbortController();
  let interrupted: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted !== undefined) {
      console.error(`${signal} again: killing every process now.`);
      process.exit(130); // the exit handlers SIGKILL whatever is still running
    }
    interrupted = signal;
    log.step("demo", `${signal}: stopping every process and node (press Ctrl-C again to kill them at once)`);
    controller.abort(new Error(`Interrupted by ${signal}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const parameters = demoParameters({ rounds, dataDirectory: values.data === undefined ? undefined : path.resolve(cwd, values.data) });
  log.step(
    "demo",
    `Mycelium hub demo: ${parameters.trainers.honest} honest trainers and ${parameters.trainers.adversaries.length} ` +
      `${parameters.trainers.adversaries.length === 1 ? "adversary" : "adversaries"}, ` +
      `${rounds} rounds of federated training; ` +
      `log in ${path.relative(cwd, logFile) || logFile}`,
  );
  let code: number;
  const run = await runHub({
    ...parameters,
    baseModelDir: path.join(outDir, "base-model"),
    keepWorkDir: values.keep,
    signal: controller.signal,
    log,
  });
  // The report is written whatever happened: a failed run shows how far it got, which phase failed and why.
  const checks = checkRun(run, { minAccuracyGain: 0.3, maxAccuracyDrop: 0.03 });
  const reportFile = path.join(outDir, "report.html");
  fs.writeFileSync(reportFile, renderReport(run, checks, { title: "Mycelium demo: federated training on Fashion-MNIST" }));
  fs.writeFileSync(path.join(outDir, "run.json"), `${toJson({ run, checks })}\n`);
  const summary = formatSummary(run, checks);
  console.log(summary);
  fs.writeSync(logStream, `${summary}\n`);
  console.log(`\nReport: ${reportFile}`);
  const failed = checks.filter((check) => !check.ok);
  if (interrupted !== undefined) {
    console.error(`Stopped (${interrupted}).`);
    code = 130;
  } else if (failed.length > 0) {
    console.error(
      `\nThe run was NOT honest by ${failed.length} check(s): ${failed.map((check) => check.name).join("; ")}. See ${logFile}.`,
    );
    if (run.failure) fs.writeSync(logStream, `FAILED in the ${run.failure.phase} phase: ${run.failure.message}\n`);
    code = 1;
  } else {
    code = 0;
  }
  // tsx's esbuild service (a child of this process since it started) ends with it; anything else is a leftover.
  const leftovers = descendantProcesses(process.pid).filter((child) => child.command !== "esbuild");
  if (leftovers.length > 0) {
    console.error(`Processes still running after the teardown (killed now): ${leftovers.map((p) => `${p.pid} ${p.command}`).join(", ")}`);
    for (const leftover of leftovers) process.kill(leftover.pid, "SIGKILL");
    code = code === 0 ? 1 : code;
  } else {
    log.step("demo", `every process stopped; done in ${duration(performance.now())}`);
  }
  fs.closeSync(logStream);
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
