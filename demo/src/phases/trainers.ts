/**
 * Phase 4: the trainers, as separate processes with their own key, IPFS node and journal, each funded with twice the
 * minimum stake. They fetch the job and join on their own. The job starts from readiness, not after a fixed delay:
 * once every trainer has joined and the indexer serves, the devnet's clock is moved to the job's start time, so a
 * slow start-up (a busy machine, a cold compile) never eats into round 0.
 *
 * What a trainer reports that a person should see (a missed step, a warning, a failure) is logged as a step of the
 * run, not only in its own output, so a trainer never drops out silently.
 */
import path from "node:path";
import { createIndexerClient, dialableAddresses, faucet, getPeerInfo, pollUntil, type IndexerClient } from "@mycelium/client";
import {
  ADVERSARIES,
  describeExit,
  devnetAccount,
  devnetPrivateKey,
  launchTrainer,
  type IndexerProcess,
  type ManagedProcess,
} from "@mycelium/devkit";
import type { Address } from "viem";
import { HubError, type HubTrainer, type PlayContext, type TrainerRole } from "../hub.ts";
import { ACCOUNTS, type Infrastructure } from "./infrastructure.ts";
import type { TrainingJob } from "./job.ts";

const HONEST_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
const ADVERSARY_NAMES = ["mallory", "trudy", "oscar"];

/** How long the trainers may take to start and join at most: it only bounds a stuck start. */
const JOIN_TIMEOUT_MS = 600_000;

export type TrainerMember = HubTrainer & { process: ManagedProcess; lines: string[] };

export type Crew = {
  members: TrainerMember[];
  indexer: IndexerProcess;
  indexerClient: IndexerClient;
  /** Throws when the indexer has exited (it is only asked at the end: a crash must stop the run when it happens). */
  throwIfIndexerDied: () => void;
  /** Throws when a trainer process has exited, with its last lines. */
  throwIfTrainerDied: (when: string) => void;
  lastLines: () => string;
};

/**
 * Whether a trainer process ended because the chain slashed it (an adversary caught by a replay audit stops at its
 * next round with TrainerNotActiveError): the outcome the demo shows, not a failure of the run.
 */
export function leftSlashed(member: { role: TrainerRole; lines: readonly string[] }): boolean {
  return member.role !== "honest" && member.lines.some((line) => line.includes('is "slashed" in job'));
}

export async function startTrainers(context: PlayContext, infrastructure: Infrastructure, training: TrainingJob): Promise<Crew> {
  const { log, signal, step, run, parameters, teardown, workDir } = context;
  const roster = [
    ...Array.from({ length: parameters.trainers.honest }, (_, i) => ({
      name: HONEST_NAMES[i] ?? `trainer-${i + 1}`,
      role: "honest" as TrainerRole,
    })),
    ...parameters.trainers.adversaries.map((kind, i) => ({ name: ADVERSARY_NAMES[i] ?? `adversary-${i + 1}`, role: kind as TrainerRole })),
  ];
  const launched: { name: string; role: TrainerRole; address: Address; process: ManagedProcess; lines: string[] }[] = [];
  for (const [i, member] of roster.entries()) {
    const accountIndex = ACCOUNTS.firstTrainer + i;
    const address = devnetAccount(accountIndex).address;
    await step(faucet(infrastructure.clients.sponsor, { amount: training.minStake * 2n, to: address, signal }), `Funding ${member.name}`);
    const lines: string[] = [];
    const process = launchTrainer({
      name: member.name,
      role: member.role,
      privateKey: devnetPrivateKey(accountIndex),
      jobId: training.jobId,
      rpcUrl: infrastructure.devnet.rpcUrl,
      deploymentFile: infrastructure.deploymentFile,
      dataDir: path.join(workDir, "trainers", member.name),
      peers: [...infrastructure.nodes.publisher.multiaddrs, ...infrastructure.nodes.sponsor.multiaddrs],
      backend: parameters.backend ?? "wasm",
      onLine: (line) => {
        lines.push(line);
        if (lines.length > 200) lines.shift();
        log.output(member.name, line);
        const notable = notableEvent(line);
        if (notable !== null) log.step(member.name, notable);
      },
    });
    teardown.add(`trainer ${member.name}`, () => process.stop());
    launched.push({ ...member, address, process, lines });
  }
  log.step(
    "trainers",
    `started ${roster
      .map((member) => (member.role === "honest" ? member.name : `${member.name} (adversary: ${ADVERSARIES[member.role].description})`))
      .join(", ")}`,
  );
  const lastLines = () =>
    launched
      .map(
        (member) =>
          `${member.name}:\n${member.lines
            .slice(-8)
            .map((line) => `  ${line}`)
            .join("\n")}`,
      )
      .join("\n");
  const throwIfTrainerDied = (when: string) => {
    for (const member of launched) {
      if (member.process.status !== null && !leftSlashed(member)) {
        throw new HubError(`Trainer ${member.name} exited ${when} (${describeExit(member.process.status)}).`, {
          details: `Its last lines:\n${member.lines.slice(-30).join("\n")}`,
        });
      }
    }
  };

  // Readiness: every trainer joined (the chain says so) ...
  const peers = await step(
    pollUntil(
      async () => {
        throwIfTrainerDied("before joining");
        const joined = await getPeerInfo(infrastructure.clients.observer, { jobId: training.jobId });
        return joined.size >= launched.length ? joined : undefined;
      },
      {
        intervalMs: 250,
        timeoutMs: JOIN_TIMEOUT_MS,
        signal,
        onTimeout: () =>
          new HubError(`Not every trainer joined job ${training.jobId} within ${JOIN_TIMEOUT_MS / 1000} s.`, { details: lastLines() }),
      },
    ),
    "Waiting for the trainers to join",
  );
  const members: TrainerMember[] = launched.map((member) => {
    const record = peers.get(member.address);
    if (record === undefined) throw new HubError(`${member.name} (${member.address}) did not join job ${training.jobId}.`);
    return { ...member, index: record.trainerIndex };
  });
  run.trainers = members.map(({ name, role, address, index }) => ({ name, role, address, index }));
  for (const member of members)
    log.step(member.name, `joined job ${training.jobId} as trainer ${member.index}${member.role === "honest" ? "" : " (adversary)"}`);
  // The observer copies every round's updates from the trainers while the round runs: it connects to them now.
  for (const record of peers.values()) {
    for (const address of dialableAddresses(record.peerId, record.addrs)) {
      const dialed = await infrastructure.nodes.observer.dial(address, signal ? { signal } : {}).then(
        () => true,
        (error: unknown) => {
          log.step("observer", `could not dial ${address}: ${error instanceof Error ? error.message : String(error)}`);
          return false;
        },
      );
      if (dialed) break;
    }
  }
  context.milestone("trainers joined");

  // ... and the indexer serves.
  const indexer = await step(infrastructure.indexer, "Starting the indexer");
  let indexerExit: number | string | null | undefined;
  void indexer.exited.then((code) => (indexerExit = code));
  const throwIfIndexerDied = () => {
    if (indexerExit !== undefined) {
      throw new HubError(
        `The indexer exited during the run (${typeof indexerExit === "string" ? `killed by ${indexerExit}` : `exit code ${indexerExit}`}).`,
        {
          details: indexer.logs
            .slice(-20)
            .map((line) => JSON.stringify(line))
            .join("\n"),
        },
      );
    }
  };
  run.indexerUrl = indexer.url;
  context.milestone("indexer");
  log.step("indexer", `Ponder on PGlite serving GraphQL at ${indexer.url}/graphql`);

  const started = await step(infrastructure.time.advanceTo(training.job.startTime), "Starting the job");
  context.milestone("job started");
  log.step(
    "sponsor",
    `every trainer has joined and the indexer serves: job ${training.jobId} starts now ` +
      `(the devnet's clock moved to its start time, ${started})`,
  );
  return { members, indexer, indexerClient: createIndexerClient({ url: indexer.url }), throwIfIndexerDied, throwIfTrainerDied, lastLines };
}

/** A line for the run's log when a trainer's JSON event is one a person should see; null otherwise. */
function notableEvent(line: string): string | null {
  let event: { type?: unknown; round?: unknown; step?: unknown; reason?: unknown; message?: unknown; error?: unknown };
  try {
    event = JSON.parse(line) as typeof event;
  } catch {
    return null;
  }
  const round = typeof event.round === "number" ? `round ${event.round}: ` : "";
  switch (event.type) {
    case "missed":
      return `${round}missed the ${String(event.step)} step: ${String(event.reason)}`;
    case "warning":
      return `${round}warning: ${String(event.message)}`;
    case "stopped":
      return event.reason === "error" ? `stopped with an error: ${String(event.error)}` : null;
    default:
      return null;
  }
}
