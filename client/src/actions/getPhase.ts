import { getBlock } from "viem/actions";
import type { MyceliumClient } from "../chain/client.ts";
import type { phaseName } from "../protocol/enums.ts";
import { toMyceliumError } from "../errors/normalize.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { getRound } from "./getRound.ts";

export type GetPhaseParameters = { jobId: bigint | number };

export type GetPhaseReturnType = {
  jobId: bigint;
  round: bigint;
  phase: ReturnType<typeof phaseName>;
  /** When the phase opened and closes (unix seconds, chain time); null where it has no bound. */
  opensAt: bigint | null;
  closesAt: bigint | null;
  /** The chain's time (latest block), against which the phase was read. */
  now: bigint;
  /** Seconds left in the phase by the chain's clock, or null when it has no end. */
  secondsLeft: bigint | null;
  finalizable: boolean;
};

export type GetPhaseErrorType = ReadActionErrorType;

/**
 * Where a job's current round stands by the chain's clock: the phase (scheduled, commit, reveal, attest, finalize,
 * ended, cancelled), its window and the time left. The finalize phase has no end: it lasts until someone finalizes.
 */
export async function getPhase(client: MyceliumClient, parameters: GetPhaseParameters): Promise<GetPhaseReturnType> {
  const [round, block] = await Promise.all([
    getRound(client, parameters),
    getBlock(client, { blockTag: "latest" }).catch((error: unknown) => {
      throw toMyceliumError(error, { action: "Reading the chain's time" });
    }),
  ]);
  const windows: Record<string, [bigint | null, bigint | null]> = {
    scheduled: [null, round.start],
    commit: [round.start, round.commitEnd],
    reveal: [round.commitEnd, round.revealEnd],
    attest: [round.revealEnd, round.attestEnd],
    // The finalize phase starts when the attest window ends and lasts until someone finalizes. (A round where everyone
    // who revealed has attested is finalizable during its attest phase already: see `finalizable`.)
    finalize: [round.attestEnd, null],
  };
  const [opensAt, closesAt] = windows[round.phase] ?? [null, null];
  return {
    jobId: round.jobId,
    round: round.round,
    phase: round.phase,
    opensAt,
    closesAt,
    now: block.timestamp,
    secondsLeft: closesAt === null ? null : closesAt > block.timestamp ? closesAt - block.timestamp : 0n,
    finalizable: round.finalizable,
  };
}
