/**
 * What the trainer reports while it runs: one typed event per step, delivered to `onEvent` (the CLI prints them as
 * lines for people, or as JSON lines with --json). Every event carries `time` (unix ms) so a harness can measure a
 * round from the events alone (the benchmark does).
 */
import type { Address, Hash, Hex } from "viem";
import type { BackendName } from "../backend.ts";
import type { ExclusionReason } from "@mycelium/client";

/** A step of a round, for `missed` and `resumed` events. */
export type RoundStep = "commit" | "reveal" | "attest" | "finalize";

export type TrainerEventBody =
  | {
      type: "started";
      trainer: Address;
      jobId: bigint;
      chainId: number;
      backend: BackendName;
      peerId: string;
      multiaddrs: string[];
      gatewayUrl: string | null;
      dataDir: string;
      /** Whether a journal from an earlier run was found (the trainer resumes where it stopped). */
      resumed: boolean;
    }
  | { type: "info"; message: string }
  | { type: "warning"; message: string; round?: number | undefined }
  | { type: "retrying"; operation: string; attempt: number; delayMs: number; error: string }
  | { type: "joined"; index: number; stake: bigint; hash: Hash | null; alreadyJoined: boolean }
  | { type: "peer-info-updated"; hash: Hash | null; addrs: string[] }
  | { type: "peer-unreachable"; trainerIndex: number; peerId: string; error: string }
  | {
      type: "round-started";
      round: number;
      start: bigint;
      commitEnd: bigint;
      revealEnd: bigint;
      attestEnd: bigint;
      seed: Hex;
      modelCid: string;
    }
  | { type: "resumed"; round: number; step: RoundStep; detail: string }
  | {
      type: "data-loaded";
      round: number;
      shards: number[];
      samples: number;
      ms: number;
      sources: Record<string, number>;
      speculative: boolean;
    }
  | { type: "training-started"; round: number; samples: number; speculative: boolean }
  | {
      type: "training-finished";
      round: number;
      samples: number;
      steps: number;
      sampleVisits: number;
      loss: number;
      accuracy: number;
      durationMs: number;
      speculative: boolean;
    }
  | { type: "update-stored"; round: number; cid: string; samples: number; transformed: boolean }
  | { type: "speculation"; round: number; outcome: "started" | "used" | "discarded"; detail: string }
  | { type: "committed"; round: number; cid: string; samples: number; hash: Hash | null }
  /** `late`: revealed during the attest window (a small penalty; the update does not count and the trainer cannot attest). */
  | { type: "revealed"; round: number; hash: Hash | null; late: boolean }
  | { type: "update-excluded"; round: number; trainerIndex: number; reason: ExclusionReason; detail: string }
  | {
      type: "audited";
      round: number;
      trainerIndex: number;
      outcome: "matches" | "mismatch" | "unavailable";
      late: boolean;
      detail: string;
      /** Wall time of the replay (0 for the trainer's own update and for an unavailable one). */
      ms: number;
    }
  | { type: "slashed"; round: number; trainerIndex: number; trainer: Address; hash: Hash | null; byMe: boolean }
  | {
      type: "aggregated";
      round: number;
      aggregateCid: string;
      includedMask: bigint;
      includedSamples: bigint;
      updates: number;
      included: number;
      ms: number;
    }
  /** `leading`: whether the attested tuple led the round right after this attestation (null when unknown). */
  | { type: "attested"; round: number; aggregateCid: string; hash: Hash | null; tupleId: bigint | null; leading: boolean | null }
  | { type: "evaluated"; round: number; modelCid: string; accuracy: number; loss: number; samples: number }
  | {
      type: "finalized";
      round: number;
      succeeded: boolean;
      aggregateCid: string | null;
      /** Whether the winning aggregate is the one this trainer computed. */
      agreed: boolean;
      included: boolean;
      byMe: boolean;
      hash: Hash | null;
    }
  | { type: "missed"; round: number; step: RoundStep; reason: string }
  | { type: "claimed"; rounds: bigint[]; amount: bigint; hash: Hash }
  /** The stake is bonded to the last reveal until `until` (chain time): the job's end plus its claim period. */
  | { type: "stake-locked"; until: bigint }
  /** `penalty`: what the last reveal's settlement took on the way (0 for an honest trainer). */
  | { type: "withdrawn"; amount: bigint; penalty: bigint; hash: Hash | null }
  | { type: "job-ended"; rounds: number }
  | { type: "serving"; peerId: string; multiaddrs: string[] }
  | { type: "stopped"; reason: "job-ended" | "aborted" | "error"; error?: string | undefined };

export type TrainerEvent = TrainerEventBody & { time: number };

export type TrainerEventType = TrainerEvent["type"];

/** One line for people (the CLI without --json). */
export function formatEvent(event: TrainerEvent): string {
  const r = "round" in event ? `round ${event.round}: ` : "";
  switch (event.type) {
    case "started":
      return (
        `trainer ${event.trainer} for job ${event.jobId} on chain ${event.chainId}: backend ${event.backend}, peer ${event.peerId}` +
        `${event.gatewayUrl ? `, gateway ${event.gatewayUrl}` : ""}${event.resumed ? " (resuming from its journal)" : ""}`
      );
    case "info":
      return event.message;
    case "warning":
      return `warning: ${r}${event.message}`;
    case "retrying":
      return `${event.operation} failed (${event.error}); retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)} s`;
    case "joined":
      return event.alreadyJoined
        ? `already in the job as trainer ${event.index}`
        : `joined as trainer ${event.index} with stake ${event.stake} (${event.hash})`;
    case "peer-info-updated":
      return `peer info updated on-chain: ${event.addrs.join(" ")}`;
    case "peer-unreachable":
      return `peer of trainer ${event.trainerIndex} (${event.peerId}) unreachable: ${event.error}`;
    case "round-started":
      return (
        `${r}started (commit until ${event.commitEnd}, reveal until ${event.revealEnd}, ` +
        `attest until ${event.attestEnd}); model ${event.modelCid}`
      );
    case "resumed":
      return `${r}resuming at ${event.step}: ${event.detail}`;
    case "data-loaded":
      return (
        `${r}${event.samples} samples from shards [${event.shards.join(", ")}] in ${event.ms} ms` +
        `${event.speculative ? " (ahead of the round)" : ""}`
      );
    case "training-started":
      return `${r}training on ${event.samples} samples${event.speculative ? " (ahead of the round, from the expected model)" : ""}`;
    case "training-finished":
      return (
        `${r}trained ${event.steps} steps in ${(event.durationMs / 1000).toFixed(1)} s, ` +
        `loss ${event.loss.toFixed(4)}, accuracy ${(event.accuracy * 100).toFixed(1)}%`
      );
    case "update-stored":
      return `${r}update ${event.cid} (${event.samples} samples)${event.transformed ? " transformed by a hook" : ""}`;
    case "speculation":
      return `${r}early training ${event.outcome}: ${event.detail}`;
    case "committed":
      return `${r}committed (${event.hash ?? "sent before a restart"})`;
    case "revealed":
      return `${r}revealed${event.late ? " late (penalized; it does not count this round)" : ""} (${event.hash ?? "sent before a restart"})`;
    case "update-excluded":
      return `${r}update of trainer ${event.trainerIndex} excluded: ${event.reason}: ${event.detail}`;
    case "audited":
      return `${r}replay audit of trainer ${event.trainerIndex}${event.late ? " (late reveal)" : ""}: ${event.outcome}: ${event.detail}`;
    case "slashed":
      return `${r}trainer ${event.trainerIndex} (${event.trainer}) slashed for failing its replay audit${
        event.byMe ? ` (${event.hash})` : " (by another party)"
      }`;
    case "aggregated":
      return (
        `${r}aggregate ${event.aggregateCid} of ${event.included}/${event.updates} updates, ` +
        `${event.includedSamples} samples (${event.ms} ms)`
      );
    case "attested":
      return `${r}attested ${event.aggregateCid}${event.leading ? " (leading)" : ""}`;
    case "evaluated":
      return `${r}validation accuracy ${(event.accuracy * 100).toFixed(2)}%, loss ${event.loss.toFixed(4)} on ${event.samples} samples`;
    case "finalized":
      return `${r}${
        event.succeeded
          ? `succeeded with ${event.aggregateCid}${event.agreed ? "" : " (not the aggregate this trainer computed)"}` +
            `${event.included ? "" : "; this trainer is not included"}`
          : "failed (no aggregate won)"
      }${event.byMe ? " (finalized by this trainer)" : ""}`;
    case "missed":
      return `${r}missed the ${event.step} step: ${event.reason}`;
    case "claimed":
      return `claimed ${event.amount} for rounds [${event.rounds.join(", ")}] (${event.hash})`;
    case "stake-locked":
      return `the stake stays bonded through the claim period, until ${new Date(Number(event.until) * 1000).toISOString()}`;
    case "withdrawn":
      return `withdrew the stake: ${event.amount}${event.penalty > 0n ? ` (a penalty of ${event.penalty} was taken)` : ""}`;
    case "job-ended":
      return `the job ended after ${event.rounds} rounds`;
    case "serving":
      return `serving content as ${event.peerId} until stopped`;
    case "stopped":
      return `stopped (${event.reason}${event.error ? `: ${event.error}` : ""})`;
  }
}
