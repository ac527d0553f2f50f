/**
 * What every part of a running trainer shares: the options, the stop signal and the event sink, the chain client, the
 * IPFS node, the journal, the chain clock and the transaction sender; the job once it is read; the round summaries of
 * the run. It also owns the two patterns every protocol step follows: `retry` (transient RPC and IPFS faults) and
 * `step` (check the chain, send at most once, record the hash in the journal, report).
 */
import type { Address, Hash } from "viem";
import {
  BaseError,
  ContractRevertedError,
  retrying,
  sleep,
  type DatasetManifest,
  type Job,
  type JobIdentity,
  type MyceliumWalletClient,
  type RetryInfo,
  type StorageNode,
  type TrainingSpec,
  type TransactionResult,
} from "@mycelium/client";
import type { ChainClock } from "./clock.ts";
import type { TrainerEventBody } from "./events.ts";
import type { Journal, JournalRound, JournalState } from "./journal.ts";
import type { RoundSummary, RunTrainerOptions, TrainerSummary } from "./options.ts";
import type { SendOnceParameters, TransactionSender } from "./transactions.ts";

/** What the chain and IPFS say about the job, read once at start. */
export type JobSetup = { job: Job; spec: TrainingSpec; dataset: DatasetManifest; fromBlock: bigint };

export class TrainerSession {
  /** This trainer's index in the job (-1 until it is known). */
  index = -1;
  readonly rounds = new Map<number, RoundSummary>();
  claimed = 0n;
  withdrawn = 0n;
  private setup: JobSetup | undefined;

  constructor(
    readonly options: RunTrainerOptions,
    readonly signal: AbortSignal,
    readonly emit: (body: TrainerEventBody) => void,
    readonly client: MyceliumWalletClient,
    readonly node: StorageNode,
    readonly journal: Journal,
    readonly clock: ChainClock,
    readonly sender: TransactionSender,
    readonly jobs: Address,
    readonly jobId: bigint,
  ) {}

  get address(): Address {
    return this.client.account.address;
  }

  /** The job as content names it (update and aggregate manifests). */
  get identity(): JobIdentity {
    return { chainId: this.client.chain.id, contract: this.jobs, id: this.jobId };
  }

  get job(): Job {
    return this.ready().job;
  }

  get spec(): TrainingSpec {
    return this.ready().spec;
  }

  get dataset(): DatasetManifest {
    return this.ready().dataset;
  }

  /** Block of the job's creation, where event scans start. */
  get fromBlock(): bigint {
    return this.ready().fromBlock;
  }

  configure(setup: JobSetup): void {
    this.setup = setup;
  }

  summary(stoppedBy: TrainerSummary["stoppedBy"]): TrainerSummary {
    return {
      jobId: this.jobId,
      trainer: this.address,
      trainerIndex: this.index >= 0 ? this.index : null,
      stoppedBy,
      rounds: [...this.rounds.values()].sort((a, b) => a.round - b.round),
      claimed: this.claimed,
      withdrawn: this.withdrawn,
    };
  }

  readonly onRetry = (info: RetryInfo): void =>
    this.emit({ type: "retrying", operation: info.operation, attempt: info.attempt, delayMs: info.delayMs, error: describe(info.error) });

  /** Runs a read until it succeeds, retrying transient faults until the trainer is stopped. */
  retry<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return retrying(operation, fn, { signal: this.signal, onRetry: this.onRetry });
  }

  /**
   * One protocol step: checks the chain (`isDone`), sends the transaction at most once (TransactionSender), records its
   * hash in the journal (`recordRound`, `recordState`), and reports it (`report`). Returns the hash
   * (null when the chain showed the step done without a recorded transaction) and the result when this call sent it.
   * Errors are the sender's: a contract revert or a deadline passed; the caller decides what they mean.
   */
  async step<T extends TransactionResult>(
    parameters: SendOnceParameters<T> & {
      /** Records the hash in this round's journal record (round steps). */
      recordRound?: ((hash: Hash | null, round: JournalRound) => void) | undefined;
      /** Records the hash in the journal's job-wide state (join, peer info, claims, withdrawal). */
      recordState?: ((hash: Hash | null, state: JournalState) => void) | undefined;
      report?: ((hash: Hash | null, result: T | null) => TrainerEventBody | null) | undefined;
    },
  ): Promise<{ hash: Hash | null; result: T | null }> {
    const sent = await this.sender.sendOnce(parameters);
    const hash = sent.status === "sent" ? sent.result.hash : sent.hash;
    const result = sent.status === "sent" ? sent.result : null;
    const { recordRound, recordState } = parameters;
    if (recordRound !== undefined && parameters.round !== null)
      await this.journal.updateRound(parameters.round, (round) => recordRound(hash, round));
    if (recordState !== undefined) await this.journal.update((state) => recordState(hash, state));
    const event = parameters.report?.(hash, result);
    if (event) this.emit(event);
    return { hash, result };
  }

  /**
   * Runs a step bound to a window that closes at `closesAt`. The chain's clock may lag this machine's estimate by a
   * fraction of a second, so a revert saying the window is not open yet, while it has not closed either, is retried
   * shortly (the simulation reverts; nothing was sent).
   */
  async windowed<T>(closesAt: bigint, send: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await send();
      } catch (error) {
        const early = error instanceof ContractRevertedError && error.errorName === "OutsideWindow" && this.clock.until(closesAt) > 0.2;
        if (!early) throw error;
        await sleep(250, this.signal);
        await this.clock.sync().catch(() => {});
      }
    }
  }

  private ready(): JobSetup {
    if (this.setup === undefined) throw new Error("The trainer read its job before starting (a bug).");
    return this.setup;
  }
}

/** An error in one line, for events. */
export function describe(error: unknown): string {
  if (error instanceof BaseError) return error.details ? `${error.shortMessage} (${error.details.split("\n")[0]})` : error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}
