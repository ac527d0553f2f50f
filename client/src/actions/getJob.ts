import type { Address } from "viem";
import type { CID } from "multiformats/cid";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import { hexToCid } from "../chain/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { jobStatusName } from "../protocol/enums.ts";
import { readProtocol } from "../chain/transaction.ts";
import type { ReadActionErrorType } from "../errors/types.ts";

export type GetJobParameters = { jobId: bigint | number };

/** A training job: its parameters and where it stands (TrainingJobs `getJob`, with CIDs decoded and enums named). */
export type Job = {
  id: bigint;
  sponsor: Address;
  status: ReturnType<typeof jobStatusName>;
  datasetId: bigint;
  baseModelId: bigint;
  baseModelCid: CID;
  specCid: CID;
  rewardToken: Address;
  rewardPool: bigint;
  rewardPerRound: bigint;
  stakeToken: Address;
  minStake: bigint;
  numRounds: number;
  /** Window lengths in seconds. */
  commitWindow: number;
  revealWindow: number;
  attestWindow: number;
  quorumBps: number;
  maxTrainers: number;
  maxSamples: number;
  /** Unix seconds round 0 starts at. */
  startTime: bigint;
  trainerCount: bigint;
  /** The round in progress (`numRounds` once ended). */
  currentRound: bigint;
  carry: bigint;
  unpaidPool: bigint;
  forfeitedStake: bigint;
  /** The round whose aggregate is the current global model, or null while the base model still is. */
  lastSuccessfulRound: bigint | null;
  /** The model asset minted by publishResult, or null before. */
  resultAssetId: bigint | null;
};

export type GetJobReturnType = Job;

/** JobNotFoundError for an unknown id. */
export type GetJobErrorType = ReadActionErrorType;

/** Reads a training job. */
export async function getJob(client: MyceliumClient, parameters: GetJobParameters): Promise<GetJobReturnType> {
  const id = toId(parameters.jobId, "jobId");
  const [params, state] = await readProtocol(client, {
    action: `Reading job ${id}`,
    address: contractAddress(client.deployment, "TrainingJobs"),
    abi: trainingJobsAbi,
    functionName: "getJob",
    args: [id],
  });
  return {
    id,
    sponsor: state.sponsor,
    status: jobStatusName(state.status),
    datasetId: params.datasetId,
    baseModelId: params.baseModelId,
    baseModelCid: hexToCid(params.baseModelCid),
    specCid: hexToCid(params.specCid),
    rewardToken: params.rewardToken,
    rewardPool: params.rewardPool,
    rewardPerRound: params.rewardPerRound,
    stakeToken: params.stakeToken,
    minStake: params.minStake,
    numRounds: params.numRounds,
    commitWindow: params.commitWindow,
    revealWindow: params.revealWindow,
    attestWindow: params.attestWindow,
    quorumBps: params.quorumBps,
    maxTrainers: params.maxTrainers,
    maxSamples: params.maxSamples,
    startTime: params.startTime,
    trainerCount: state.trainerCount,
    currentRound: state.currentRound,
    carry: state.carry,
    unpaidPool: state.unpaidPool,
    forfeitedStake: state.forfeitedStake,
    lastSuccessfulRound: state.trained ? state.lastSuccessfulRound : null,
    resultAssetId: state.resultAssetId === 0n ? null : state.resultAssetId,
  };
}
