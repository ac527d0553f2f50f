/**
 * The protocol steps of one round, in order: commit (after local work), reveal, fetch every revealed update and
 * aggregate them with the round protocol (the SDK's `fetchRoundUpdate` and `computeRoundAggregate`, the same code every
 * verifier runs), attest, finalize. Each step checks the chain first, so a restarted trainer picks up where it stopped
 * (trainer/README.md, "Recovery").
 */
import type { CID } from "multiformats/cid";
import type { Hash } from "viem";
import {
  AbortedError,
  ContractRevertedError,
  TransactionRevertedError,
  attestAggregate,
  commitUpdate,
  computeRoundAggregate,
  finalizeRound,
  getCurrentModel,
  getReveals,
  getRound,
  getRoundResult,
  getTrainer,
  getTrainerRound,
  maskIndices,
  randomSalt,
  revealUpdate,
  screenRound,
  slashTrainer,
  sleep,
  type Round,
  type ScreenedRound,
} from "@mycelium/client";
import { RevealMissedError, TrainerNotActiveError } from "../errors.ts";
import type { RoundStep } from "./events.ts";
import type { LocalWork, StoredUpdate } from "./localWork.ts";
import type { Peers } from "./peers.ts";
import { describe, type TrainerSession } from "./session.ts";
import type { Settlement } from "./settlement.ts";

/** Chain time left at the end of the attest window for sending the attestation. */
const ATTEST_MARGIN_MS = 1_500;
/** Spacing of finalize attempts by trainer index, so that not every trainer sends one. */
const FINALIZE_STAGGER_MS = 400;

/** Until when an honest trainer holds back an early finalization for revealers that have not attested yet. */
function attestGraceEnd(round: Pick<Round, "revealEnd" | "attestEnd">): bigint {
  return round.revealEnd + (round.attestEnd - round.revealEnd) / 2n;
}

export class RoundPlayer {
  /** True until the first round this run plays: it reports where a restarted trainer resumes. */
  private resuming: boolean;

  constructor(
    private readonly session: TrainerSession,
    private readonly work: LocalWork,
    private readonly peers: Peers,
    private readonly settlement: Settlement,
  ) {
    this.resuming = session.journal.resumed;
  }

  /** Plays the current round from wherever it stands, through its finalization. */
  async play(round: Round): Promise<void> {
    const { session } = this;
    const { client, jobId } = session;
    const r = Number(round.round);
    const modelCid = (await session.retry("Reading the global model", () => getCurrentModel(client, { jobId }))).cid;
    if (!session.rounds.has(r)) {
      session.rounds.set(r, {
        round: r,
        committed: false,
        revealed: false,
        attested: false,
        aggregateCid: null,
        succeeded: null,
        agreed: null,
        included: null,
        accuracy: null,
        loss: null,
      });
      session.emit({
        type: "round-started",
        round: r,
        start: round.start,
        commitEnd: round.commitEnd,
        revealEnd: round.revealEnd,
        attestEnd: round.attestEnd,
        seed: round.seed,
        modelCid: modelCid.toString(),
      });
    }
    const summary = session.rounds.get(r)!;
    const [me, mine] = await Promise.all([
      session.retry("Reading this trainer", () => getTrainer(client, { jobId })),
      session.retry("Reading this trainer's round", () => getTrainerRound(client, { jobId, round: r })),
    ]);
    if (me.pendingRound !== null && me.pendingRound < round.round) {
      throw new RevealMissedError({ jobId, round: me.pendingRound, trainer: session.address });
    }
    if (me.status !== "active" && me.pendingRound === null && !mine.revealed) {
      throw new TrainerNotActiveError({ jobId, trainer: session.address, status: me.status });
    }
    let committed = me.pendingRound === round.round || mine.revealed;
    let revealed = mine.revealed;
    let attested = mine.attestedTupleId !== null;
    if (this.resuming) {
      this.resuming = false;
      const step: RoundStep = !committed ? "commit" : !revealed ? "reveal" : !attested ? "attest" : "finalize";
      const record = session.journal.round(r);
      session.emit({
        type: "resumed",
        round: r,
        step,
        detail: record.update ? `update ${record.update.cid} from the journal` : "nothing of this round in the journal",
      });
    }

    if (!committed && round.round < me.firstRound) {
      // Joined after this round began: the stake is bonded, and plays, from the next round on.
      session.emit({ type: "missed", round: r, step: "commit", reason: `this trainer's stake plays from round ${me.firstRound} on` });
    } else if (!committed) {
      if (session.clock.until(round.commitEnd) > 0) {
        committed = await this.commit(round, modelCid);
        // A commit first settles the previous reveal: if that update failed its replay audit, the transaction took the
        // stake instead of committing (the contract's settlement slash), and this trainer is out of the job.
        if (committed) {
          const after = await session.retry("Reading this trainer", () => getTrainer(client, { jobId }));
          if (after.status === "slashed") throw new TrainerNotActiveError({ jobId, trainer: session.address, status: after.status });
        }
      } else if (!this.work.trainingEarly(r))
        session.emit({ type: "missed", round: r, step: "commit", reason: "the trainer started after the commit window" });
    }
    summary.committed = committed;
    let late = mine.late;
    if (committed && !revealed) ({ revealed, late } = await this.reveal(round));
    summary.revealed = revealed;
    // A late reveal does not count in the round: there is nothing to attest.
    if (revealed && !late && !attested) attested = await this.attest(round, modelCid);
    summary.attested = attested;
    await this.finalize(round);
  }

  private async commit(round: Round, modelCid: CID): Promise<boolean> {
    const { session } = this;
    const { client, jobId } = session;
    const r = Number(round.round);
    let update = session.journal.round(r).update;
    if (update && update.baseModel !== modelCid.toString()) update = undefined;
    if (!update) {
      let produced: StoredUpdate;
      try {
        produced = await this.work.updateFor(round, modelCid);
      } catch (error) {
        if (error instanceof AbortedError || session.signal.aborted) throw error;
        session.emit({ type: "missed", round: r, step: "commit", reason: `no update: ${describe(error)}` });
        return false;
      }
      if (session.clock.until(round.commitEnd) <= 0) {
        session.emit({
          type: "missed",
          round: r,
          step: "commit",
          reason: "the update was ready after the commit window closed (make the commit window longer than local training)",
        });
        return false;
      }
      update = { ...produced, salt: randomSalt() };
      // Durable before the commitment exists: without the salt it could never be revealed.
      const stored = update;
      await session.journal.updateRound(r, (record) => void (record.update = stored));
    }
    const { cid, samples, salt } = update;
    try {
      await session.step({
        step: "commit",
        round: r,
        deadline: session.clock.localMs(round.commitEnd),
        isDone: async () => {
          const [me, mine] = await Promise.all([getTrainer(client, { jobId }), getTrainerRound(client, { jobId, round: r })]);
          return me.pendingRound === round.round || mine.revealed;
        },
        send: (tx) =>
          session.windowed(round.commitEnd, () => commitUpdate(client, { jobId, round: r, updateCid: cid, samples, salt, ...tx })),
        recordRound: (hash, record) => void (record.commitTx = hash ?? undefined),
        report: (hash) => ({ type: "committed", round: r, cid, samples, hash }),
      });
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      // The transaction may have failed because the window closed while it was on its way (a slow machine, a slow
      // node): read the chain's clock again before deciding.
      await session.clock.sync().catch(() => {});
      if (
        error instanceof ContractRevertedError ||
        error instanceof TransactionRevertedError ||
        session.clock.until(round.commitEnd) <= 0
      ) {
        session.emit({ type: "missed", round: r, step: "commit", reason: describe(error) });
        return false;
      }
      throw error;
    }
    return true;
  }

  /**
   * Reveals this round's update: in the reveal window, or, when the trainer got there too late for it (a slow machine, a
   * congested chain), during the attest window as a late reveal, which costs a small share of the stake instead of the
   * whole of it. Whether the reveal counted (`late: false`) is read back from the chain.
   */
  private async reveal(round: Round): Promise<{ revealed: boolean; late: boolean }> {
    const { session } = this;
    const { client, jobId } = session;
    const r = Number(round.round);
    const update = session.journal.round(r).update;
    const trainer = session.address;
    if (!update) {
      throw new RevealMissedError({
        jobId,
        round: round.round,
        trainer,
        details: "the chain has a commitment of this round, and the journal has no record of its update and salt",
      });
    }
    await session.clock.waitUntil(round.commitEnd, session.signal);
    const closesAt = session.clock.until(round.revealEnd) > 0 ? round.revealEnd : round.attestEnd;
    if (session.clock.until(closesAt) <= 0)
      throw new RevealMissedError({
        jobId,
        round: round.round,
        trainer,
        details: "the reveal and attest windows had closed when the trainer got to it",
      });
    try {
      await session.step({
        step: "reveal",
        round: r,
        deadline: session.clock.localMs(closesAt),
        isDone: async () => (await getTrainerRound(client, { jobId, round: r })).revealed,
        send: (tx) =>
          session.windowed(closesAt, () =>
            revealUpdate(client, { jobId, round: r, updateCid: update.cid, samples: update.samples, salt: update.salt, ...tx }),
          ),
        recordRound: (hash, record) => void (record.revealTx = hash ?? undefined),
        report: (hash, result) => ({ type: "revealed", round: r, hash, late: result?.late ?? closesAt === round.attestEnd }),
      });
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      throw new RevealMissedError({ jobId, round: round.round, trainer, details: describe(error) });
    }
    const mine = await session.retry("Reading this trainer's round", () => getTrainerRound(client, { jobId, round: r }));
    return { revealed: mine.revealed, late: mine.late };
  }

  private async attest(round: Round, modelCid: CID): Promise<boolean> {
    const { session } = this;
    const { client, jobId } = session;
    const r = Number(round.round);
    await session.clock.waitUntil(round.revealEnd, session.signal);
    const started = performance.now();
    const deadline = Math.min(
      Date.now() + (session.options.fetchTimeoutMs ?? 60_000),
      session.clock.localMs(round.attestEnd) - ATTEST_MARGIN_MS,
    );
    const global = await this.work.global(modelCid, deadline);
    const [reveals] = await Promise.all([
      session.retry("Reading the reveals", () => getReveals(client, { jobId, round: r, fromBlock: session.fromBlock, includeLate: true })),
      this.peers.connect(),
    ]);
    // Replays of the audited updates run here, in the attest window; they must leave time to aggregate and attest.
    const replayBy = AbortSignal.timeout(Math.max(0, session.clock.localMs(round.attestEnd) - ATTEST_MARGIN_MS - Date.now()));
    const replaySignal = AbortSignal.any([session.signal, replayBy]);
    let screened: ScreenedRound;
    try {
      screened = await screenRound(session.node, {
        reveals,
        global,
        job: session.identity,
        round: r,
        roundSeed: round.seed,
        auditsPerRound: session.job.auditsPerRound,
        replay: this.work.auditor,
        deadline,
        signal: replaySignal,
        onRetry: session.onRetry,
        onAudit: (event) => {
          if (event.type === "audited")
            session.emit({
              type: "audited",
              round: r,
              trainerIndex: event.trainerIndex,
              outcome: event.outcome,
              late: event.late,
              detail: event.detail,
              ms: event.ms,
            });
        },
      });
    } catch (error) {
      if (session.signal.aborted || !replayBy.aborted) throw error;
      session.emit({ type: "missed", round: r, step: "attest", reason: "the replay audits did not finish within the attest window" });
      return false;
    }
    const updates = screened.updates;
    const aggregate = await computeRoundAggregate(session.node, {
      global,
      updates,
      audited: screened.audited,
      rule: session.spec.aggregation,
      job: session.identity,
      round: r,
      baseModel: session.job.baseModelCid,
      dataset: session.spec.dataset.manifest,
      signal: session.signal,
    });
    for (const verdict of aggregate.verdicts) {
      if (verdict.reason !== "included")
        session.emit({
          type: "update-excluded",
          round: r,
          trainerIndex: verdict.trainerIndex,
          reason: verdict.reason,
          detail: verdict.detail,
        });
    }
    if (aggregate.includedMask === 0n) {
      session.emit({ type: "missed", round: r, step: "attest", reason: "no revealed update could be included" });
      return false;
    }
    const aggregateCid = aggregate.cid.toString();
    this.work.remember(aggregate.model);
    const tuple = {
      cid: aggregateCid,
      includedMask: aggregate.includedMask.toString(),
      includedSamples: aggregate.includedSamples.toString(),
      slashMask: aggregate.slashMask.toString(),
    };
    await session.journal.updateRound(r, (record) => void (record.aggregate = tuple));
    session.rounds.get(r)!.aggregateCid = aggregateCid;
    session.emit({
      type: "aggregated",
      round: r,
      aggregateCid,
      includedMask: aggregate.includedMask,
      includedSamples: aggregate.includedSamples,
      updates: reveals.filter((reveal) => !reveal.late).length,
      included: maskIndices(aggregate.includedMask).length,
      ms: Math.round(performance.now() - started),
    });
    if (session.clock.until(round.attestEnd) <= 0) {
      session.emit({ type: "missed", round: r, step: "attest", reason: "the aggregate was ready after the attest window closed" });
      return false;
    }
    try {
      await session.step({
        step: "attest",
        round: r,
        deadline: session.clock.localMs(round.attestEnd),
        isDone: async () => (await getTrainerRound(client, { jobId, round: r })).attestedTupleId !== null,
        send: (tx) =>
          session.windowed(round.attestEnd, () =>
            attestAggregate(client, {
              jobId,
              round: r,
              aggregateCid: aggregate.cid,
              includedMask: aggregate.includedMask,
              includedSamples: aggregate.includedSamples,
              slashMask: aggregate.slashMask,
              ...tx,
            }),
          ),
        recordRound: (hash, record) => void (record.attestTx = hash ?? undefined),
        report: (hash, result) => ({
          type: "attested",
          round: r,
          aggregateCid,
          hash,
          tupleId: result?.tupleId ?? null,
          leading: result ? result.leaderTupleId === result.tupleId : null,
        }),
      });
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      session.emit({ type: "missed", round: r, step: "attest", reason: describe(error) });
      return false;
    }
    if (r + 1 < session.job.numRounds && session.options.trainEarly !== false) this.work.trainEarly(r + 1, aggregate.cid);
    // In the background: the round goes on (finalize) while the forward pass runs between training batches.
    void this.work.evaluate(r, aggregate.model);
    return true;
  }

  private async finalize(round: Round): Promise<void> {
    const { session } = this;
    const { client, jobId } = session;
    const r = Number(round.round);
    await session.clock.waitUntil(round.revealEnd, session.signal);
    const poll = session.options.pollIntervalMs ?? 500;
    let waited = false;
    let finalizedBy: Hash | null = null;
    for (;;) {
      const state = await session.retry("Reading the round", () => getRound(client, { jobId }));
      if (state.round > round.round || state.phase === "ended" || state.phase === "cancelled") break;
      if (!state.finalizable) {
        await sleep(Math.max(50, Math.min(poll, session.clock.localMs(round.attestEnd) - Date.now() + 50)), session.signal);
        continue;
      }
      if (state.attestedCount < state.revealedCount && session.clock.until(attestGraceEnd(round)) > 0) {
        // The outcome is fixed, but a revealer that has not attested yet loses its reward if the round is finalized
        // now: an honest trainer that aggregates more slowly than the others would. Give it half of the attest
        // window (a silent revealer delays the round by at most that; everyone attested ends the wait at once).
        await sleep(Math.max(50, Math.min(poll, session.clock.localMs(attestGraceEnd(round)) - Date.now() + 50)), session.signal);
        continue;
      }
      if (!waited) {
        // Everyone may finalize; trainer k waits k x 400 ms first, so usually one transaction is sent, not one each.
        waited = true;
        await sleep(FINALIZE_STAGGER_MS * (session.index % 16), session.signal);
        continue;
      }
      try {
        const sent = await session.step({
          step: "finalize",
          round: r,
          isDone: async () => (await getRound(client, { jobId })).round > round.round,
          send: (tx) => finalizeRound(client, { jobId, round: r, ...tx }),
          recordRound: (hash, record) => void (record.finalizeTx = hash ?? record.finalizeTx),
        });
        if (sent.result !== null) finalizedBy = sent.result.hash;
        break;
      } catch (error) {
        // Someone else finalized between the read and the simulation (WrongRound, JobHasEnded): nothing to do.
        if (!(error instanceof ContractRevertedError)) throw error;
      }
    }
    const result = await session.retry("Reading the round's result", () => getRoundResult(client, { jobId, round: r }));
    const mine = session.journal.round(r).aggregate?.cid ?? null;
    const succeeded = result.status === "succeeded";
    const summary = session.rounds.get(r)!;
    summary.succeeded = succeeded;
    summary.agreed = succeeded && mine !== null && result.aggregateCid!.toString() === mine;
    summary.included = succeeded && maskIndices(result.includedMask).includes(session.index);
    session.emit({
      type: "finalized",
      round: r,
      succeeded,
      aggregateCid: result.aggregateCid?.toString() ?? null,
      agreed: summary.agreed,
      included: summary.included,
      byMe: finalizedBy !== null,
      hash: finalizedBy,
    });
    if (result.slashMask !== 0n) await this.slash(r, result.slashMask);
    if (session.options.claim === "every-round") await this.settlement.claim();
  }

  /**
   * Takes the stake of the trainers whose updates of round `r` failed their replay audit (the applied slash mask), so
   * that it reaches the honest now rather than at the cheater's own settlement. Anyone may; trainers space their
   * attempts by index like finalize, and a stake someone else took already is skipped.
   */
  private async slash(r: number, slashMask: bigint): Promise<void> {
    const { session } = this;
    const { client, jobId } = session;
    const named = maskIndices(slashMask).filter((index) => index !== session.index);
    if (named.length === 0) return;
    const reveals = await session.retry("Reading the reveals", () =>
      getReveals(client, { jobId, round: r, fromBlock: session.fromBlock, includeLate: true }),
    );
    await sleep(FINALIZE_STAGGER_MS * (session.index % 16), session.signal);
    for (const index of named) {
      const trainer = reveals.find((reveal) => reveal.trainerIndex === index)?.trainer;
      if (trainer === undefined) continue;
      try {
        const sent = await session.step({
          step: "slash",
          round: r,
          isDone: async () => {
            const state = await getTrainer(client, { jobId, trainer });
            return state.status === "slashed" || state.status === "none";
          },
          send: (tx) => slashTrainer(client, { jobId, round: r, trainer, ...tx }),
        });
        session.emit({
          type: "slashed",
          round: r,
          trainerIndex: index,
          trainer,
          hash: sent.result?.hash ?? null,
          byMe: sent.result !== null,
        });
      } catch (error) {
        // Settled or slashed by someone else between the check and the simulation (NothingToSlash): nothing to do.
        if (!(error instanceof ContractRevertedError)) throw error;
      }
    }
  }
}
