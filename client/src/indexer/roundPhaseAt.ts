import type { IndexedRound } from "./types.ts";

/** Where a round stands by the clock (TrainingJobs' `Phase`), for a round row from the indexer. */
export type RoundClockPhase = "scheduled" | "commit" | "reveal" | "attest" | "finalize" | "finalized" | "cancelled";

/**
 * The phase of `round` at unix time `timestamp` (seconds): commits in [start, commitEnd), reveals in
 * [commitEnd, revealEnd), attestations (and late reveals) in [revealEnd, attestEnd), then `finalize` may be called (from
 * revealEnd on once the outcome can no longer change, which the contract checks). The indexer's `phase` column instead records the
 * furthest phase its events showed.
 */
export function roundPhaseAt(
  round: Pick<IndexedRound, "status" | "start" | "commitEnd" | "revealEnd" | "attestEnd">,
  timestamp: bigint,
): RoundClockPhase {
  if (round.status === "cancelled") return "cancelled";
  if (round.status !== "pending") return "finalized";
  if (timestamp < round.start) return "scheduled";
  if (timestamp < round.commitEnd) return "commit";
  if (timestamp < round.revealEnd) return "reveal";
  if (timestamp < round.attestEnd) return "attest";
  return "finalize";
}
