/**
 * The `myc` command line. `main()` parses the arguments, runs one command and resolves with the exit code (see
 * ../kit/exitCodes.ts); bin/myc.js calls it. Everything the commands do goes through the client's actions.
 */
import { Command, CommanderError } from "commander";
import { abortable } from "@mycelium/client";
import { register as registerAccount } from "./commands/account.ts";
import { register as registerAssets } from "./commands/assets.ts";
import { register as registerConfig } from "./commands/config.ts";
import { register as registerContent } from "./commands/content.ts";
import { register as registerDataset } from "./commands/dataset.ts";
import { register as registerJobs } from "./commands/jobs.ts";
import { register as registerMarket } from "./commands/market.ts";
import { register as registerOwner } from "./commands/owner.ts";
import { register as registerPublish } from "./commands/publish.ts";
import { register as registerVerify } from "./commands/verify.ts";
import { CliContext, ENVIRONMENT, type GlobalOptions } from "../kit/context.ts";
import { EXIT_CODES } from "../kit/exitCodes.ts";
import { Output } from "../kit/output.ts";
import { assertNoSecretFlags } from "../kit/secrets.ts";
import { STORAGE_ENVIRONMENT } from "../kit/storage.ts";

/**
 * Wraps a command handler: builds its context from the global options, reports its error and records the exit code.
 * A handler that completes may return an exit code of its own (`myc verify` does, for a round that disagrees).
 * Ctrl-C ends a command with AbortedError (exit 130), except one that runs `untilInterrupted` (`myc serve`), for
 * which it is the normal way to stop.
 */
export type Run = <args extends unknown[]>(
  handler: (ctx: CliContext, ...args: args) => Promise<unknown>,
  options?: { untilInterrupted?: boolean },
) => (...args: unknown[]) => Promise<void>;

export type MainParameters = {
  /** Full argv (node, script, ...arguments). Default process.argv. */
  argv?: string[] | undefined;
  env?: Record<string, string | undefined> | undefined;
  stdout?: NodeJS.WritableStream | undefined;
  stderr?: (NodeJS.WritableStream & { isTTY?: boolean }) | undefined;
  /** Aborting it stops the running command (the CLI wires Ctrl-C to it). */
  signal?: AbortSignal | undefined;
};

export function buildProgram(parameters: MainParameters, onExit: (code: number) => void): Command {
  const env = parameters.env ?? process.env;
  const stdout = parameters.stdout ?? process.stdout;
  const stderr = parameters.stderr ?? process.stderr;
  const program = new Command("myc")
    .description("Mycelium: publish, buy and train AI datasets and models on-chain, with content on IPFS")
    .version("0.1.0")
    .option("--rpc <url>", "JSON-RPC URL (env MYC_RPC_URL; default the deployment's rpcUrl, else http://127.0.0.1:8545)")
    .option("--chain-id <id>", "chain id the RPC must serve (env MYC_CHAIN_ID)")
    .option("--deployment <file>", "deployment JSON (env MYC_DEPLOYMENT; default deployments/<chainId>.json found from here up)")
    .option("--keystore <file>", "encrypted keystore of the signing account (env MYC_KEYSTORE; or set MYC_PRIVATE_KEY)")
    .option("--json", "print results (and errors) as JSON on stdout, for scripts")
    .option("-v, --verbose", "print error details and causes")
    .exitOverride()
    .configureOutput({ writeOut: (text) => void stdout.write(text), writeErr: (text) => void stderr.write(text) })
    .addHelpText(
      "after",
      `\nEnvironment:\n${Object.entries({ ...ENVIRONMENT, ...STORAGE_ENVIRONMENT })
        .map(([name, text]) => `  ${name.padEnd(22)} ${text}`)
        .join("\n")}\n\n` +
        `Exit codes: 0 success, 2 usage, 3 invalid argument, 4 malformed CID, 6 unknown asset, 8 insufficient balance,\n` +
        `  13 wrong chain, 14 RPC unreachable, ... (the full table is in client/README.md), 130 interrupted.`,
    );

  const run: Run =
    (handler, runOptions = {}) =>
    async (...args) => {
      const command = args[args.length - 1] as Command;
      const globals = command.optsWithGlobals() as GlobalOptions;
      const output = new Output({ json: globals.json === true, verbose: globals.verbose === true, stdout, stderr });
      try {
        const ctx = new CliContext(globals, output, env, parameters.signal);
        // Actions stop at their next step when the signal fires; racing it also ends a command stuck in a slow request.
        const running = handler(ctx, ...(args.slice(0, -1) as never));
        const code = await (runOptions.untilInterrupted ? running : abortable(running, parameters.signal, `myc ${command.name()}`));
        if (typeof code === "number") onExit(code);
      } catch (error) {
        onExit(output.error(error));
      }
    };

  registerPublish(program, run);
  registerAssets(program, run);
  registerContent(program, run);
  registerDataset(program, run);
  registerMarket(program, run);
  registerOwner(program, run);
  registerJobs(program, run);
  registerVerify(program, run);
  registerAccount(program, run);
  registerConfig(program, run);
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs `myc` once and resolves with its exit code. */
export async function main(parameters: MainParameters = {}): Promise<number> {
  const argv = parameters.argv ?? process.argv;
  let exitCode: number = EXIT_CODES.ok;
  const program = buildProgram(parameters, (code) => (exitCode = code));
  try {
    assertNoSecretFlags(argv);
  } catch (error) {
    return new Output({ json: argv.includes("--json"), verbose: false, stdout: parameters.stdout, stderr: parameters.stderr }).error(error);
  }
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help"
        ? EXIT_CODES.ok
        : EXIT_CODES.usage;
    }
    throw error;
  }
  return exitCode;
}
