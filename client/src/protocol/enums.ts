/**
 * The TrainingJobs contract's enums in client form (contracts/src/types/Training.sol; ordinals are the contract's and
 * only grow), with total name functions: an ordinal a newer contract adds reads as `unknown(n)`, never as a crash.
 */
export const JOB_STATUSES = ["none", "scheduled", "running", "ended", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Where a job's current round stands by the clock (see the contract's `Phase`). */
export const PHASES = ["scheduled", "commit", "reveal", "attest", "finalize", "ended", "cancelled"] as const;
export type Phase = (typeof PHASES)[number];

export const TRAINER_STATUSES = ["none", "active", "left", "slashed", "withdrawn"] as const;
export type TrainerStatus = (typeof TRAINER_STATUSES)[number];

export const ROUND_STATUSES = ["pending", "succeeded", "failed"] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];

/** Why a trainer's stake was cut (`TrainerPenalized`): silent revealer, attester of a losing tuple, late reveal, eviction. */
export const PENALTY_REASONS = ["silent", "losing-tuple", "late-reveal", "idle"] as const;
export type PenaltyReason = (typeof PENALTY_REASONS)[number];

type Named<T extends string> = T | `unknown(${number})`;

function named<const T extends readonly string[]>(names: T) {
  return (ordinal: number | bigint): Named<T[number]> => names[Number(ordinal)] ?? (`unknown(${Number(ordinal)})` as const);
}

export const jobStatusName = named(JOB_STATUSES);
export const phaseName = named(PHASES);
export const trainerStatusName = named(TRAINER_STATUSES);
export const roundStatusName = named(ROUND_STATUSES);
export const penaltyReasonName = named(PENALTY_REASONS);
