/**
 * `runTrainer`: the long-running trainer of one job for one account. It joins the job (if it has not), then plays
 * every round on its own until the job ends: train, store the update, commit, reveal, fetch every revealed update,
 * aggregate, attest, finalize, claim; at the end it claims what is left and withdraws its stake. trainer/README.md
 * describes the loop, the journal and the recovery rules.
 *
 * The parts: ./session.ts (what they share, and the step pattern), ./peers.ts (membership and connections),
 * ./localWork.ts (training and speculation), ./rounds.ts (the protocol steps), ./settlement.ts (claims, withdrawal).
 */
import {
  AbortedError,
  BaseError,
  InvalidArgumentError,
  InvalidDatasetError,
  TENSOR_SHARDS_FORMAT,
  contractAddress,
  createMyceliumClient,
  createStorageNode,
  getJob,
  getJobCreationBlock,
  getRound,
  loadManifest,
  loadTrainingSpec,
  retrying,
  throwIfAborted,
  type RetryInfo,
} from "@mycelium/client";
import { selectBackend } from "../backend.ts";
import { ChainClock } from "./clock.ts";
import type { TrainerEventBody, TrainerEvent } from "./events.ts";
import { Journal } from "./journal.ts";
import { LocalWork } from "./localWork.ts";
import type { RunTrainerOptions, RunTrainerReturnType, TrainerSummary } from "./options.ts";
import { Peers } from "./peers.ts";
import { RoundPlayer } from "./rounds.ts";
import { TrainerSession } from "./session.ts";
import { Settlement } from "./settlement.ts";
import { TransactionSender } from "./transactions.ts";

export type {
  ProducedUpdate,
  RoundSummary,
  RunTrainerOptions,
  RunTrainerReturnType,
  TrainerHooks,
  TrainerStorageOptions,
  TrainerSummary,
  UpdateContext,
} from "./options.ts";

/**
 * Runs a trainer until the job ends (then claims, withdraws and stops, or keeps serving) or `signal` fires. Resolves
 * with a summary; throws only for what the trainer cannot go on from (no such job, a spec it cannot train, an account
 * that may not take part, a missed reveal), with a typed error.
 */
export async function runTrainer(options: RunTrainerOptions): Promise<RunTrainerReturnType> {
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const emit = (body: TrainerEventBody) => options.onEvent?.({ ...body, time: Date.now() } as TrainerEvent);
  let session: TrainerSession | undefined;
  let work: LocalWork | undefined;
  try {
    session = await startSession(options, stop.signal, emit);
    work = new LocalWork(session);
    const summary = await play(session, work);
    emit({ type: "stopped", reason: summary.stoppedBy });
    return summary;
  } catch (error) {
    if (stop.signal.aborted && (error instanceof AbortedError || (error as { name?: string })?.name === "AbortError")) {
      emit({ type: "stopped", reason: "aborted" });
      return (
        session?.summary("aborted") ?? {
          jobId: BigInt(options.jobId),
          trainer: options.account.address,
          trainerIndex: null,
          stoppedBy: "aborted",
          rounds: [],
          claimed: 0n,
          withdrawn: 0n,
        }
      );
    }
    emit({ type: "stopped", reason: "error", error: error instanceof BaseError ? error.shortMessage : String(error) });
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    work?.stop();
    if (session) {
      await session.journal.flush().catch(() => {});
      await session.node.stop();
    }
  }
}

/** Connects to the chain, opens the journal and the IPFS node, and dials the configured peers. */
async function startSession(
  options: RunTrainerOptions,
  signal: AbortSignal,
  emit: (body: TrainerEventBody) => void,
): Promise<TrainerSession> {
  if (typeof options.jobId !== "bigint" && !(Number.isSafeInteger(options.jobId) && options.jobId >= 1)) {
    throw new InvalidArgumentError({ parameter: "jobId", value: options.jobId, expected: "a job id (a positive integer)" });
  }
  const jobId = BigInt(options.jobId);
  const onRetry = (info: RetryInfo) =>
    emit({
      type: "retrying",
      operation: info.operation,
      attempt: info.attempt,
      delayMs: info.delayMs,
      error: info.error instanceof BaseError ? info.error.shortMessage : String(info.error),
    });
  const backend = await selectBackend({ backend: options.backend ?? "auto", log: (message) => emit({ type: "info", message }) });
  const client = await retrying(
    "Connecting to the RPC endpoint",
    () =>
      createMyceliumClient({
        rpcUrl: options.rpcUrl,
        chainId: options.chainId,
        deployment: options.deployment,
        deploymentSearch: options.deploymentSearch,
        account: options.account,
        blockTag: "pending",
        pollingInterval: Math.min(options.pollIntervalMs ?? 500, 1_000),
      }),
    { signal, deadline: Date.now() + 120_000, onRetry },
  );
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const journal = await Journal.open(options.dataDir, {
    chainId: client.chain.id,
    contract: jobs,
    jobId,
    trainer: options.account.address,
  });
  const storage = options.storage ?? {};
  const node = await createStorageNode({
    dataDir: options.dataDir,
    network: storage.network ?? "public",
    ...(storage.listen ? { listen: storage.listen } : {}),
    ...(storage.gateways ? { gateways: storage.gateways } : {}),
    ...(storage.gateway !== undefined ? { gateway: storage.gateway } : {}),
    ...(storage.blockTimeoutMs !== undefined ? { blockTimeoutMs: storage.blockTimeoutMs } : {}),
    signal,
  });
  try {
    const clock = new ChainClock(client);
    await retrying("Reading the chain's clock", () => clock.sync(), { signal, onRetry });
    const sender = new TransactionSender(client, journal, signal, onRetry);
    const session = new TrainerSession(options, signal, emit, client, node, journal, clock, sender, jobs, jobId);
    emit({
      type: "started",
      trainer: options.account.address,
      jobId,
      chainId: client.chain.id,
      backend: backend.name,
      peerId: node.peerId,
      multiaddrs: node.multiaddrs,
      gatewayUrl: node.gatewayUrl,
      dataDir: options.dataDir,
      resumed: journal.resumed,
    });
    await new Peers(session).dialConfigured(storage.peers ?? []);
    return session;
  } catch (error) {
    await node.stop();
    throw error;
  }
}

/** Reads the job, joins it, and plays every round until it ends. */
async function play(session: TrainerSession, work: LocalWork): Promise<TrainerSummary> {
  const { client, jobId } = session;
  const job = await session.retry(`Reading job ${jobId}`, () => getJob(client, { jobId }));
  if (session.journal.state.fromBlock === null) {
    const block = await session.retry("Finding the job's creation block", () => getJobCreationBlock(client, { jobId }));
    await session.journal.update((state) => void (state.fromBlock = block.toString()));
  }
  const fromBlock = BigInt(session.journal.state.fromBlock!);
  const spec = await session.retry("Fetching the job spec", () => loadTrainingSpec(session.node, job.specCid, { signal: session.signal }));
  const dataset = await session.retry("Fetching the dataset manifest", () =>
    loadManifest(session.node, spec.dataset.manifest, { kind: "dataset", signal: session.signal }),
  );
  if (dataset.format !== TENSOR_SHARDS_FORMAT) {
    throw new InvalidDatasetError({
      field: "format",
      expected: TENSOR_SHARDS_FORMAT,
      found: dataset.format,
      hint: "The job's dataset must be published as tensor shards (myc dataset import, or myc dataset prepare then myc publish).",
    });
  }
  session.configure({ job, spec, dataset, fromBlock });

  const peers = new Peers(session);
  const settlement = new Settlement(session);
  const rounds = new RoundPlayer(session, work, peers, settlement);
  if (!(await peers.ensureJoined())) return settlement.finish();
  work.prefetchValidation();
  await peers.connect();
  for (;;) {
    throwIfAborted(session.signal, "The trainer");
    const round = await session.retry("Reading the round", () => getRound(client, { jobId }));
    if (round.phase === "ended" || round.phase === "cancelled") break;
    if (round.phase === "scheduled") {
      session.emit({
        type: "info",
        message: `job ${jobId} starts at ${round.start} (chain time), in ${Math.max(0, Math.round(session.clock.until(round.start)))} s`,
      });
      await session.clock.waitUntil(round.start, session.signal);
      continue;
    }
    await rounds.play(round);
  }
  work.stop();
  return settlement.finish();
}
