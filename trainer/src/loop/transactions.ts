/**
 * Sending the trainer's transactions exactly once, across RPC outages and restarts.
 *
 * Each step (join, commit, reveal, attest, finalize, claim, withdraw) has a check on the chain's state that says
 * whether it is already done (committed in this round, revealed, ...). Before sending, the step is recorded in the
 * journal with the account nonce the transaction will take, and its hash as soon as the node returns one. When sending
 * fails for a transient reason (the endpoint went away), or the process restarts with a step recorded, nothing is
 * sent again until it is clear that the first transaction did not land:
 * 1. the state check says done: nothing to send;
 * 2. a hash is recorded: wait for its receipt (the outage may have hidden it), then check the state again;
 * 3. no hash, but the account's pending nonce moved past the recorded one: the node has a transaction with that
 *    nonce (it was sent just before the outage): wait until it is mined, then check the state again;
 * 4. otherwise it never reached the chain: send it (simulated first, so a step no longer possible fails with the
 *    contract's typed error instead of costing gas).
 */
import type { Account, Hash } from "viem";
import { getTransactionCount, getTransactionReceipt } from "viem/actions";
import {
  AbortedError,
  isTransient,
  retrying,
  rpc,
  sleep,
  throwIfAborted,
  type MyceliumWalletClient,
  type RetryInfo,
  type TransactionOptions,
  type TransactionResult,
} from "@mycelium/client";
import type { Journal } from "./journal.ts";

export type Step = "join" | "peer-info" | "commit" | "reveal" | "attest" | "finalize" | "slash" | "claim" | "withdraw";

export type SendOnceParameters<T extends TransactionResult> = {
  step: Step;
  round: number | null;
  /** Whether the chain shows the step done. */
  isDone: () => Promise<boolean>;
  send: (options: TransactionOptions) => Promise<T>;
  /** Unix ms after which the step is pointless: retries stop and the last error is thrown. */
  deadline?: number | undefined;
};

export type SendOnceResult<T> = { status: "sent"; result: T } | { status: "already-done"; hash: Hash | null };

export class TransactionSender {
  /** One transaction at a time: the nonce bookkeeping assumes it (commit and finalize never race). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: MyceliumWalletClient,
    private readonly journal: Journal,
    private readonly signal: AbortSignal,
    private readonly onRetry: (info: RetryInfo) => void,
  ) {}

  private get account(): Account {
    return this.client.account;
  }

  sendOnce<T extends TransactionResult>(parameters: SendOnceParameters<T>): Promise<SendOnceResult<T>> {
    const run = this.queue.then(() => this.run(parameters));
    this.queue = run.catch(() => {});
    return run;
  }

  private async run<T extends TransactionResult>(parameters: SendOnceParameters<T>): Promise<SendOnceResult<T>> {
    const { step, round, deadline } = parameters;
    const retry = { signal: this.signal, deadline, onRetry: this.onRetry };
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(this.signal, `The ${step} step`);
      const recorded = this.recordedFor(step, round);
      if (await retrying(`Checking the ${step} step`, parameters.isDone, retry)) {
        if (recorded) await this.journal.update((state) => void (state.pending = null));
        return { status: "already-done", hash: recorded?.hash ?? null };
      }
      if (recorded) {
        const landed = await retrying(`Checking the earlier ${step} transaction`, () => this.settle(recorded.nonce, recorded.hash), retry);
        if (landed && (await retrying(`Checking the ${step} step`, parameters.isDone, retry))) {
          await this.journal.update((state) => void (state.pending = null));
          return { status: "already-done", hash: recorded.hash };
        }
      }
      const nonce = await retrying(`Reading the account's nonce`, () => this.nonce("pending"), retry);
      await this.journal.update((state) => void (state.pending = { step, round, nonce, hash: null }));
      try {
        const result = await parameters.send({
          signal: this.signal,
          onProgress: (event) => {
            if (event.type === "transaction-sent") {
              void this.journal.update((state) => {
                if (state.pending?.nonce === nonce) state.pending.hash = event.hash;
              });
            }
          },
        });
        await this.journal.update((state) => void (state.pending = null));
        return { status: "sent", result };
      } catch (error) {
        if (error instanceof AbortedError || !isTransient(error)) {
          // A revert is final for this attempt; the step's caller decides. The record stays only if a hash was
          // seen (the transaction may still be mined), so a later attempt checks it first.
          if (!(error instanceof AbortedError) && this.journal.state.pending?.hash === null)
            await this.journal.update((state) => void (state.pending = null));
          throw error;
        }
        if (deadline !== undefined && Date.now() >= deadline) throw error;
        const delayMs = Math.min(5_000, 500 * 2 ** (attempt - 1));
        this.onRetry({ operation: `Sending the ${step} transaction`, attempt, delayMs, error });
        await sleep(delayMs, this.signal);
      }
    }
  }

  private nonce(blockTag: "latest" | "pending"): Promise<number> {
    return rpc("Reading the account's nonce", () => getTransactionCount(this.client, { address: this.account.address, blockTag }));
  }

  private recordedFor(step: Step, round: number | null): { nonce: number; hash: Hash | null } | null {
    const pending = this.journal.state.pending;
    return pending !== null && pending.step === step && pending.round === round ? pending : null;
  }

  /**
   * Whether a transaction recorded with `nonce` (and maybe `hash`) reached the chain: true once it is mined, false
   * when the node never got it. Waits while it is known to the node but not mined yet.
   */
  private async settle(nonce: number, hash: Hash | null): Promise<boolean> {
    for (;;) {
      throwIfAborted(this.signal, "Waiting for an earlier transaction");
      if (hash !== null) {
        const receipt = await rpc("Reading a transaction receipt", () =>
          getTransactionReceipt(this.client, { hash }).catch((error: unknown) => {
            if ((error as { name?: string })?.name === "TransactionReceiptNotFoundError") return null;
            throw error;
          }),
        );
        if (receipt) return true;
      }
      const [mined, known] = await Promise.all([this.nonce("latest"), this.nonce("pending")]);
      if (mined > nonce) return true;
      if (known <= nonce) return false;
      await sleep(1_000, this.signal);
    }
  }
}
