import type { CID } from "multiformats/cid";
import { getContractEvents } from "viem/actions";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import { hexToCid } from "../chain/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { roundStatusName } from "../protocol/enums.ts";
import { readProtocol } from "../chain/transaction.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { rpc } from "../utils/retry.ts";
import { getJobCreationBlock } from "./getJobCreationBlock.ts";

export type GetRoundResultParameters = {
  jobId: bigint | number;
  round: bigint | number;
  /** Where the scan for the round's `RoundFinalized` event starts: the job's creation block, found when omitted. */
  fromBlock?: bigint | undefined;
  /**
   * Read the winning aggregate CID and mask from the `RoundFinalized` event (one log scan). Default true; without it
   * `aggregateCid` is null and `includedMask` 0.
   */
  withTuple?: boolean | undefined;
};

/**
 * The outcome of a round: TrainingJobs `getRoundResult` (what is stored: status, reward, claims) merged with the
 * round's `RoundFinalized` event (what is not: the winning aggregate CID and inclusion mask).
 */
export type RoundResult = {
  jobId: bigint;
  round: bigint;
  status: ReturnType<typeof roundStatusName>;
  /** The winning aggregate (the global model after this round), or null unless the round succeeded. */
  aggregateCid: CID | null;
  /** The winning inclusion mask and samples (0 unless the round succeeded). */
  includedMask: bigint;
  includedSamples: bigint;
  /** The round's leading tuple (the winner when it succeeded), or null when nobody attested. */
  leaderTupleId: bigint | null;
  /** What the winners share (0 unless the round succeeded), and what has been paid out of it so far. */
  reward: bigint;
  paid: bigint;
  /** Whether the unpaid rest was swept into the carry (claims are over). */
  swept: boolean;
  /** Whether it was finalized before its attest window ended (silent revealers then lose no stake). */
  finalizedEarly: boolean;
  /** Whether the leading tuple held more than half of the attested weight (other tuples' attesters are penalized). */
  leaderMajority: boolean;
  /** The trainer indices the winning tuple slashed (their update failed its replay audit); 0 unless it succeeded. */
  slashMask: bigint;
};

export type GetRoundResultReturnType = RoundResult;

export type GetRoundResultErrorType = ReadActionErrorType;

/** Reads the outcome of a round ("pending" until it is finalized). */
export async function getRoundResult(client: MyceliumClient, parameters: GetRoundResultParameters): Promise<GetRoundResultReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const round = toId(parameters.round, "round");
  const address = contractAddress(client.deployment, "TrainingJobs");
  const result = await readProtocol(client, {
    action: `Reading round ${round} of job ${jobId}`,
    address,
    abi: trainingJobsAbi,
    functionName: "getRoundResult",
    args: [jobId, round],
  });
  const status = roundStatusName(result.status);
  let aggregateCid: CID | null = null;
  let includedMask = 0n;
  if (status === "succeeded" && parameters.withTuple !== false) {
    const fromBlock = parameters.fromBlock ?? (await getJobCreationBlock(client, { jobId }));
    const [finalized] = await rpc(`Reading the finalization of round ${round} of job ${jobId}`, () =>
      getContractEvents(client, {
        address,
        abi: trainingJobsAbi,
        eventName: "RoundFinalized",
        args: { jobId, round },
        fromBlock,
        toBlock: "latest",
      }),
    );
    if (finalized) {
      aggregateCid = hexToCid(finalized.args.aggregateCid!);
      includedMask = finalized.args.includedMask!;
    }
  }
  return {
    jobId,
    round,
    status,
    aggregateCid,
    includedMask,
    includedSamples: result.includedSamples,
    leaderTupleId: result.leaderTupleId === 0n ? null : result.leaderTupleId,
    reward: result.reward,
    paid: result.paid,
    swept: result.swept,
    finalizedEarly: result.finalizedEarly,
    leaderMajority: result.leaderMajority,
    slashMask: result.slashMask,
  };
}
