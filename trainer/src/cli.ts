/**
 * `mycelium-trainer`: runs `runTrainer` for one job from the command line (bin/mycelium-trainer.js). It reads the
 * same environment variables as `myc` (RPC, chain id, deployment, MYC_PRIVATE_KEY or an encrypted keystore: the key
 * is never a flag), prints every step as a line (or a JSON line with --json) and stops cleanly on SIGINT/SIGTERM.
 */
import os from "node:os";
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { getJob, readToken, type StorageNetwork } from "@mycelium/client";
import {
  CliContext,
  ENVIRONMENT,
  EXIT_CODES,
  Output,
  STORAGE_ENVIRONMENT,
  assertNoSecretFlags,
  parseAmount,
  parseChoice,
  parseCount,
  parseDuration,
  parseId,
  toJson,
  type GlobalOptions,
} from "@mycelium/cli";
import { BACKEND_NAMES, parseBackendName } from "./backend.ts";
import { formatEvent, type TrainerEvent } from "./loop/events.ts";
import { runTrainer, type TrainerHooks } from "./loop/runTrainer.ts";

/** Environment variables of the trainer besides `myc`'s. */
export const TRAINER_ENVIRONMENT = {
  MYC_TRAINER_DATA_DIR: "the trainer's data directory: its IPFS node and its journal (default ~/.mycelium/trainer)",
} as const;

export type RunTrainerCliParameters = {
  /** Full argv (node, script, ...arguments). Default process.argv. */
  argv?: string[] | undefined;
  env?: Record<string, string | undefined> | undefined;
  stdout?: NodeJS.WritableStream | undefined;
  stderr?: (NodeJS.WritableStream & { isTTY?: boolean }) | undefined;
  /** Stops the trainer cleanly (the launcher wires SIGINT and SIGTERM to it). */
  signal?: AbortSignal | undefined;
  /**
   * For test and benchmark harnesses that run the real command line with an adversarial update (see TrainerHooks).
   * Not reachable from the command line.
   */
  hooks?: TrainerHooks | undefined;
};

type TrainerCliOptions = GlobalOptions & {
  job: string;
  dataDir?: string;
  backend: string;
  network?: string;
  listen: string[];
  peer: string[];
  gateway: string[];
  gatewayPort?: string;
  announceGateway?: string;
  stake?: string;
  claim: string;
  keepServing?: boolean;
  trainEarly: boolean;
  fetchTimeout: string;
};

const repeatable = (value: string, previous: string[]) => [...previous, value];

/** Runs the trainer command line once and resolves with its exit code (0 after a clean stop or the job's end). */
export async function runTrainerCli(parameters: RunTrainerCliParameters = {}): Promise<number> {
  const argv = parameters.argv ?? process.argv;
  const env = parameters.env ?? process.env;
  const stdout = parameters.stdout ?? process.stdout;
  const stderr = parameters.stderr ?? process.stderr;
  const program = new Command("mycelium-trainer")
    .description(
      "Train in a Mycelium job: join it, then play every round (train, commit, reveal, aggregate, attest, finalize, claim) until it ends",
    )
    .requiredOption("--job <id>", "the training job")
    .option("--rpc <url>", "JSON-RPC URL (env MYC_RPC_URL; default the deployment's rpcUrl, else http://127.0.0.1:8545)")
    .option("--chain-id <id>", "chain id the RPC must serve (env MYC_CHAIN_ID)")
    .option("--deployment <file>", "deployment JSON (env MYC_DEPLOYMENT; default deployments/<chainId>.json found from here up)")
    .option("--keystore <file>", "encrypted keystore of the trainer's account (env MYC_KEYSTORE; or set MYC_PRIVATE_KEY)")
    .option("--data-dir <dir>", "IPFS node and journal; keep it across restarts (env MYC_TRAINER_DATA_DIR; default ~/.mycelium/trainer)")
    .addOption(new Option("--backend <name>", "compute backend for local training").choices(["auto", ...BACKEND_NAMES]).default("auto"))
    .option("--network <network>", "IPFS network: public (default) or loopback, this machine only (env MYC_NETWORK)")
    .option("--listen <multiaddr>", "libp2p listen address (repeatable; default any free port)", repeatable, [])
    .option("--peer <multiaddr>", "a peer to dial at start, e.g. the node serving the dataset (repeatable; env MYC_PEERS)", repeatable, [])
    .option("--gateway <url>", "a trustless gateway to fetch blocks from, verified (repeatable; env MYC_GATEWAYS)", repeatable, [])
    .option("--gateway-port <port>", "port of this node's HTTP gateway (default any free port)")
    .option("--announce-gateway <url>", "URL other machines reach this node's gateway at (registered on-chain with the peer info)")
    .option("--stake <amount>", "stake when joining, in the job's tokens such as 25.5 (default the job's minimum)")
    .addOption(
      new Option("--claim <when>", "claim rewards after every round or once at the end").choices(["end", "every-round"]).default("end"),
    )
    .option("--keep-serving", "after the job, keep the IPFS node up (serving updates and shards) until stopped")
    .option("--no-train-early", "do not train the next round from the expected aggregate before the current round is finalized")
    .option("--fetch-timeout <duration>", "most time to fetch the revealed updates of a round (never past the attest window)", "60s")
    .option("--json", "print every step as a JSON line on stdout")
    .option("-v, --verbose", "print error details and causes")
    .exitOverride()
    .configureOutput({ writeOut: (text) => void stdout.write(text), writeErr: (text) => void stderr.write(text) })
    .addHelpText(
      "after",
      `\nEnvironment:\n${Object.entries({ ...ENVIRONMENT, ...STORAGE_ENVIRONMENT, ...TRAINER_ENVIRONMENT })
        .filter(([name]) => name !== "MYC_INDEXER_URL" && name !== "MYC_DATA_DIR")
        .map(([name, text]) => `  ${name.padEnd(22)} ${text}`)
        .join("\n")}\n\n` +
        "Stops cleanly on Ctrl-C or SIGTERM (exit 0); restarted with the same --data-dir, it resumes the round it was in.\n" +
        "Exit codes as myc's (client/README.md), plus 36-41 for the trainer's errors (trainer/README.md).",
    );

  try {
    assertNoSecretFlags(argv);
  } catch (error) {
    return new Output({ json: argv.includes("--json"), verbose: false, stdout, stderr }).error(error);
  }
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help"
        ? EXIT_CODES.ok
        : EXIT_CODES.usage;
    }
    throw error;
  }
  const options = program.opts<TrainerCliOptions>();
  const output = new Output({ json: options.json === true, verbose: options.verbose === true, stdout, stderr });

  const print = (event: TrainerEvent) => {
    if (output.json) stdout.write(`${toJson(event, 0)}\n`);
    else stdout.write(`${new Date(event.time).toISOString().slice(11, 19)} ${formatEvent(event)}\n`);
  };
  try {
    const ctx = new CliContext(options, output, env, parameters.signal);
    const jobId = parseId(options.job, "--job");
    const network = parseChoice(
      options.network ?? (env.MYC_NETWORK || "public"),
      ["public", "loopback"] as const,
      "--network",
    ) as StorageNetwork;
    const list = (flag: string[], variable: string | undefined) => [
      ...flag,
      ...(variable
        ? variable
            .split(",")
            .map((item) => item.trim())
            .filter(Boolean)
        : []),
    ];
    const fetchTimeoutMs = Number(parseDuration(options.fetchTimeout, "--fetch-timeout")) * 1000;
    const gatewayPort = options.gatewayPort === undefined ? undefined : Number(parseCount(options.gatewayPort, "--gateway-port"));
    const account = await ctx.account();
    let stake: bigint | undefined;
    if (options.stake !== undefined) {
      const reader = await ctx.client();
      const job = await getJob(reader, { jobId });
      stake = parseAmount(options.stake, (await readToken(reader, job.token)).decimals, "--stake");
    }
    const summary = await runTrainer({
      jobId,
      account,
      rpcUrl: ctx.rpcUrl,
      chainId: ctx.chainId,
      deployment: ctx.deployment,
      deploymentSearch: { env },
      dataDir: path.resolve(options.dataDir ?? (env.MYC_TRAINER_DATA_DIR || path.join(os.homedir(), ".mycelium", "trainer"))),
      backend: parseBackendName(options.backend),
      storage: {
        network,
        listen: options.listen.length > 0 ? options.listen : undefined,
        peers: list(options.peer, env.MYC_PEERS),
        gateways: list(options.gateway, env.MYC_GATEWAYS),
        gateway:
          gatewayPort === undefined && options.announceGateway === undefined
            ? undefined
            : {
                ...(gatewayPort === undefined ? {} : { port: gatewayPort }),
                ...(options.announceGateway ? { announce: options.announceGateway } : {}),
              },
      },
      stake,
      claim: options.claim === "every-round" ? "every-round" : "end",
      keepServing: options.keepServing === true,
      trainEarly: options.trainEarly,
      fetchTimeoutMs,
      signal: parameters.signal,
      onEvent: print,
      hooks: parameters.hooks,
    });
    if (output.json) stdout.write(`${toJson({ type: "summary", ...summary, time: Date.now() }, 0)}\n`);
    else
      stdout.write(
        `summary: ${summary.rounds.filter((round) => round.included).length} of ${summary.rounds.length} rounds included; ` +
          `claimed ${summary.claimed}, withdrew ${summary.withdrawn} (smallest token units)\n`,
      );
    return EXIT_CODES.ok;
  } catch (error) {
    return output.error(error);
  }
}
