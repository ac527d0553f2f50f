import type { Address } from "viem";
import { toAddress, toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { requireAccount } from "../chain/transaction.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { getJob } from "./getJob.ts";
import { getRoundResult } from "./getRoundResult.ts";
import { getTrainerRound } from "./getTrainerRound.ts";

export type GetClaimableRoundsParameters = {
  jobId: bigint | number;
  /** Default: the client's account. */
  trainer?: Address | undefined;
};

export type GetClaimableRoundsReturnType = {
  jobId: bigint;
  trainer: Address;
  /** Finalized rounds whose reward the trainer may claim now, ascending. */
  rounds: bigint[];
  /** Finalized rounds looked at. */
  checked: number;
};

export type GetClaimableRoundsErrorType = ReadActionErrorType;

/** How many rounds are read at once. */
const CONCURRENCY = 16;

/**
 * The rounds a trainer may claim: finalized, succeeded, not swept, attested by the trainer on the winning tuple,
 * including it, not claimed yet. Reads two views per finalized round (the contract keeps no per-trainer list, by design).
 */
export async function getClaimableRounds(
  client: MyceliumClient,
  parameters: GetClaimableRoundsParameters,
): Promise<GetClaimableRoundsReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const trainer =
    parameters.trainer === undefined
      ? requireAccount(client, "Finding claimable rounds").address
      : toAddress(parameters.trainer, "trainer");
  const { currentRound } = await getJob(client, { jobId });
  const rounds: bigint[] = [];
  for (let first = 0n; first < currentRound; first += BigInt(CONCURRENCY)) {
    const batch: bigint[] = [];
    for (let round = first; round < currentRound && round < first + BigInt(CONCURRENCY); round++) batch.push(round);
    const found = await Promise.all(
      batch.map(async (round) => {
        const [result, mine] = await Promise.all([
          getRoundResult(client, { jobId, round, withTuple: false }),
          getTrainerRound(client, { jobId, round, trainer }),
        ]);
        const claimable =
          result.status === "succeeded" && !result.swept && mine.included && !mine.claimed && mine.attestedTupleId === result.leaderTupleId;
        return claimable ? round : null;
      }),
    );
    for (const round of found) if (round !== null) rounds.push(round);
  }
  return { jobId, trainer, rounds, checked: Number(currentRound) };
}
