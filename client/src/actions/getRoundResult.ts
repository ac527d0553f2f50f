import type { CID } from "multiformats/cid";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import { hexToCid } from "../chain/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { roundStatusName } from "../protocol/enums.ts";
import { readProtocol } from "../chain/transaction.ts";
import type { ReadActionErrorType } from "../errors/types.ts";

export type GetRoundResultParameters = { jobId: bigint | number; round: bigint | number };

/** The outcome of a round (TrainingJobs `getRoundResult`). */
export type RoundResult = {
  jobId: bigint;
  round: bigint;
  status: ReturnType<typeof roundStatusName>;
  /** The winning aggregate (the global model after this round), or null unless the round succeeded. */
  aggregateCid: CID | null;
  includedMask: bigint;
  includedSamples: bigint;
  winningTupleId: bigint | null;
  /** The round's reward (0 unless it succeeded) and the samples already paid out of it. */
  reward: bigint;
  claimedSamples: bigint;
};

export type GetRoundResultReturnType = RoundResult;

export type GetRoundResultErrorType = ReadActionErrorType;

/** Reads the outcome of a round ("pending" until it is finalized). */
export async function getRoundResult(client: MyceliumClient, parameters: GetRoundResultParameters): Promise<GetRoundResultReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const round = toId(parameters.round, "round");
  const result = await readProtocol(client, {
    action: `Reading round ${round} of job ${jobId}`,
    address: contractAddress(client.deployment, "TrainingJobs"),
    abi: trainingJobsAbi,
    functionName: "getRoundResult",
    args: [jobId, round],
  });
  return {
    jobId,
    round,
    status: roundStatusName(result.status),
    aggregateCid: result.aggregateCid === "0x" ? null : hexToCid(result.aggregateCid),
    includedMask: result.includedMask,
    includedSamples: result.includedSamples,
    winningTupleId: result.winningTupleId === 0n ? null : result.winningTupleId,
    reward: result.reward,
    claimedSamples: result.claimedSamples,
  };
}
