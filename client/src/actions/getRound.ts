import type { Hex } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { phaseName } from "../protocol/enums.ts";
import { readProtocol } from "../chain/transaction.ts";
import type { ReadActionErrorType } from "../errors/types.ts";

export type GetRoundParameters = { jobId: bigint | number };

/** The current round of a job (TrainingJobs `getRound`): phase, window bounds (unix seconds), seed and tallies. */
export type Round = {
  jobId: bigint;
  /** Number of the current round (`numRounds` once the job ended). */
  round: bigint;
  phase: ReturnType<typeof phaseName>;
  start: bigint;
  /** Ends (exclusive) of the commit, reveal and attest windows. */
  commitEnd: bigint;
  revealEnd: bigint;
  attestEnd: bigint;
  /** Seed of the round: shard assignment derives from it and the trainer index. */
  seed: Hex;
  /** Trainers who committed, revealed on time, revealed late, and attested. */
  committedCount: bigint;
  revealedCount: bigint;
  lateRevealCount: bigint;
  attestedCount: bigint;
  /** Quorum weights (units of 2^-16 minimum stakes): revealed on time, attested, and behind the leading tuple. */
  revealedWeight: bigint;
  attestedWeight: bigint;
  leaderWeight: bigint;
  /** The leading tuple (the most attested weight; the first to reach it on ties), or null before any attestation. */
  leaderTupleId: bigint | null;
  /** Distinct tuples attested. */
  tupleCount: bigint;
  /** Whether `finalize` would succeed now. */
  finalizable: boolean;
};

export type GetRoundReturnType = Round;

export type GetRoundErrorType = ReadActionErrorType;

/** Reads the current round of a job. */
export async function getRound(client: MyceliumClient, parameters: GetRoundParameters): Promise<GetRoundReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const round = await readProtocol(client, {
    action: `Reading the round of job ${jobId}`,
    address: contractAddress(client.deployment, "TrainingJobs"),
    abi: trainingJobsAbi,
    functionName: "getRound",
    args: [jobId],
  });
  return {
    jobId,
    round: round.round,
    phase: phaseName(round.phase),
    start: round.start,
    commitEnd: round.commitEnd,
    revealEnd: round.revealEnd,
    attestEnd: round.attestEnd,
    seed: round.seed,
    committedCount: round.committedCount,
    revealedCount: round.revealedCount,
    lateRevealCount: round.lateRevealCount,
    attestedCount: round.attestedCount,
    revealedWeight: round.revealedWeight,
    attestedWeight: round.attestedWeight,
    leaderWeight: round.leaderWeight,
    leaderTupleId: round.leaderTupleId === 0n ? null : round.leaderTupleId,
    tupleCount: round.tupleCount,
    finalizable: round.finalizable,
  };
}

/** `round` when given, else the job's current round (for actions whose round defaults to "now"). */
export async function roundOrCurrent(client: MyceliumClient, jobId: bigint, round: bigint | number | undefined): Promise<bigint> {
  return round === undefined ? (await getRound(client, { jobId })).round : toId(round, "round");
}
