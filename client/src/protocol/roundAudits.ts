/**
 * A round's updates as every attester and verifier screens them before the aggregation rule: fetched (each block
 * verified), the audit draw computed from the on-time reveals' salts (computeAuditSeed, selectAudits), and every
 * audited update replayed by the caller's `replay` (TF.js lives in the trainer: `createReplayAuditor`). What comes out
 * is the input of `computeRoundAggregate`: the on-time updates, each audited one that failed its replay as
 * `{ replayMismatch }`, late reveals only when they failed theirs (a late update is never aggregated), and the audited
 * indices, so that a drawn update that could not be fetched fails its audit too.
 */
import type { Hex } from "viem";
import type { Reveal } from "../actions/getReveals.ts";
import { throwIfAborted } from "../errors/base.ts";
import type { BlockStorage } from "../storage/blocks.ts";
import type { RetryInfo } from "../utils/retry.ts";
import type { AggregationUpdate } from "./aggregate.ts";
import { computeAuditSeed, selectAudits } from "./audits.ts";
import { fetchRoundUpdate, type GlobalModel, type JobIdentity } from "./content.ts";

/** What a replay of one audited update concluded. */
export type ReplayVerdict = {
  /** The declared work reproduces the published weights (within the replay tolerance). */
  matches: boolean;
  /** A sentence for logs and reports. */
  detail: string;
};

/** One audited update to replay: the reveal, its published weights and the round it belongs to. */
export type ReplayRequest = {
  reveal: Reveal;
  /** The published weights, in the global model's weight order. */
  weights: readonly Float32Array[];
  global: GlobalModel;
  round: number;
  /** The round's seed: it fixes the audited trainer's shards (assignShards). */
  roundSeed: Hex;
  signal?: AbortSignal | undefined;
};

/** Replays one audited update (the trainer's `createReplayAuditor`, or a verifier's own). */
export type ReplayAuditor = (request: ReplayRequest) => Promise<ReplayVerdict>;

/** The audit of one update, as this party saw it. */
export type AuditRecord = {
  trainerIndex: number;
  late: boolean;
  /** `unavailable`: the update could not be fetched or parsed here, which fails its audit. */
  outcome: "matches" | "mismatch" | "unavailable";
  detail: string;
  /** Wall time of the replay here (loading the audited trainer's data included); 0 when nothing was replayed. */
  ms: number;
};

export type ScreenRoundParameters = {
  /** Every reveal of the round, late ones included (getReveals with `includeLate: true`). */
  reveals: readonly Reveal[];
  global: GlobalModel;
  job: JobIdentity;
  round: number;
  /** The round's seed (`getRound(...).seed`, or computeRoundSeed from the global model). */
  roundSeed: Hex;
  /** The job's `auditsPerRound`. */
  auditsPerRound: number;
  replay: ReplayAuditor;
  /** Unix ms by which every update must have arrived (fetchRoundUpdate's deadline). */
  deadline?: number | undefined;
  signal?: AbortSignal | undefined;
  onRetry?: ((info: RetryInfo) => void) | undefined;
  /** Called before each replay and with each audit's result. */
  onAudit?: ((event: { type: "replaying"; trainerIndex: number } | ({ type: "audited" } & AuditRecord)) => void) | undefined;
};

export type ScreenedRound = {
  /** The input of the aggregation rule (computeRoundAggregate's `updates`). */
  updates: AggregationUpdate[];
  /** Trainer indices drawn from the on-time reveals, in draw order. */
  drawn: number[];
  /** Every audited trainer index, ascending (computeRoundAggregate's `audited`). */
  audited: number[];
  /** One record per audited update, ascending by trainer index. */
  audits: AuditRecord[];
  /** The seed of the draw. */
  auditSeed: Hex;
};

/**
 * Fetches a round's revealed updates, draws its audits and replays them (see the module comment). Replays run one at a
 * time, in ascending trainer index (each is a whole local training). Throws only what `replay` throws, and AbortedError.
 */
export async function screenRound(storage: BlockStorage, parameters: ScreenRoundParameters): Promise<ScreenedRound> {
  const { reveals, global, job, round, signal } = parameters;
  const onTime = reveals.filter((reveal) => !reveal.late);
  const auditSeed = computeAuditSeed({
    chainId: job.chainId,
    contract: job.contract,
    jobId: job.id,
    round,
    roundSeed: parameters.roundSeed,
    reveals: onTime.map((reveal) => ({ trainerIndex: reveal.trainerIndex, salt: reveal.salt })),
  });
  const selection = selectAudits({
    auditSeed,
    reveals: reveals.map((reveal) => ({ trainerIndex: reveal.trainerIndex, samples: reveal.samples, late: reveal.late })),
    count: parameters.auditsPerRound,
  });
  const audited = new Set(selection.audited);
  // Late reveals are fetched only to be replayed: they are all audited.
  const fetched = await Promise.all(
    reveals.map((reveal) =>
      fetchRoundUpdate(storage, {
        reveal,
        global,
        job,
        round,
        signal,
        deadline: parameters.deadline,
        onRetry: parameters.onRetry,
      }),
    ),
  );
  const updates: AggregationUpdate[] = [];
  const audits: AuditRecord[] = [];
  const order = reveals.map((reveal, i) => ({ reveal, update: fetched[i]! })).sort((a, b) => a.reveal.trainerIndex - b.reveal.trainerIndex);
  for (const { reveal, update } of order) {
    const { trainerIndex, late } = reveal;
    if (!audited.has(trainerIndex)) {
      updates.push(update);
      continue;
    }
    throwIfAborted(signal, "Replaying the round's audited updates");
    let record: AuditRecord;
    if (!("weights" in update)) {
      record = {
        trainerIndex,
        late,
        outcome: "unavailable",
        detail: "unavailable" in update ? update.unavailable : update.replayMismatch,
        ms: 0,
      };
      updates.push(update);
    } else {
      parameters.onAudit?.({ type: "replaying", trainerIndex });
      const started = performance.now();
      const verdict = await parameters.replay({
        reveal,
        weights: update.weights,
        global,
        round,
        roundSeed: parameters.roundSeed,
        signal,
      });
      record = {
        trainerIndex,
        late,
        outcome: verdict.matches ? "matches" : "mismatch",
        detail: verdict.detail,
        ms: Math.round(performance.now() - started),
      };
      if (!verdict.matches) updates.push({ trainerIndex, samples: reveal.samples, replayMismatch: verdict.detail });
      else if (!late) updates.push(update);
    }
    audits.push(record);
    parameters.onAudit?.({ type: "audited", ...record });
  }
  return { updates, drawn: selection.drawn, audited: selection.audited, audits, auditSeed };
}
