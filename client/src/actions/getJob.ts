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
  /** The job's ERC-20, for rewards and stakes (forfeited stake becomes reward). */
  token: Address;
  rewardPool: bigint;
  rewardPerRound: bigint;
  minStake: bigint;
  numRounds: number;
  /** Window lengths in seconds, and how long after the end claims stay open and stakes locked. */
  commitWindow: number;
  revealWindow: number;
  attestWindow: number;
  claimPeriod: number;
  /** Share of the attested weight the winner needs, and of the revealed weight that must attest (basis points). */
  quorumBps: number;
  participationBps: number;
  /** Most quorum weight one trainer brings, in minimum stakes. */
  weightCap: number;
  /** Most trainers holding an index at once. */
  maxTrainers: number;
  maxSamples: number;
  /** Unix seconds round 0 starts at. */
  startTime: bigint;
  /** Updates every attester replays per round (trainer/README.md, "Replay audits"). */
  auditsPerRound: number;
  /** Trainers holding an index now. */
  trainerCount: bigint;
  /** The round in progress (`numRounds` once ended). */
  currentRound: bigint;
  /** Rolled-over and swept rewards waiting for the next successful round (refunded after the end). */
  carry: bigint;
  /** Forfeited stake waiting for the next successful round's winners (burned after the end). */
  forfeits: bigint;
  unpaidPool: bigint;
  /** Whether a trainer ever revealed on time (until then the sponsor may cancel). */
  everRevealed: boolean;
  /** When the last round was finalized, or null before the end; claims and stakes wait `claimPeriod` more. */
  endedAt: bigint | null;
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
    token: params.token,
    rewardPool: params.rewardPool,
    rewardPerRound: params.rewardPerRound,
    minStake: params.minStake,
    numRounds: params.numRounds,
    commitWindow: params.commitWindow,
    revealWindow: params.revealWindow,
    attestWindow: params.attestWindow,
    claimPeriod: params.claimPeriod,
    quorumBps: params.quorumBps,
    participationBps: params.participationBps,
    weightCap: params.weightCap,
    maxTrainers: params.maxTrainers,
    maxSamples: params.maxSamples,
    startTime: params.startTime,
    auditsPerRound: params.auditsPerRound,
    trainerCount: state.trainerCount,
    currentRound: state.currentRound,
    carry: state.carry,
    forfeits: state.forfeits,
    unpaidPool: state.unpaidPool,
    everRevealed: state.everRevealed,
    endedAt: state.endedAt === 0n ? null : state.endedAt,
    lastSuccessfulRound: state.trained ? state.lastSuccessfulRound : null,
    resultAssetId: state.resultAssetId === 0n ? null : state.resultAssetId,
  };
}
