import type { Address, Hash, Hex } from "viem";
import { getBlock } from "viem/actions";
import type { CID } from "multiformats/cid";
import { trainingJobsAbi } from "../abis/index.ts";
import { toAddress, toId, toUint } from "../chain/args.ts";
import { cidToHex } from "../chain/cid.ts";
import { toCid, type CidLike } from "../storage/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { ensureAllowance, requireBalance } from "../chain/tokens.ts";
import {
  eventsOf,
  requireAccount,
  sendContractTransaction,
  type TransactionOptions,
  type TransactionResult,
} from "../chain/transaction.ts";
import { toMyceliumError } from "../errors/normalize.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { minimumAuditsPerRound } from "../protocol/audits.ts";
import { getAsset } from "./getAsset.ts";

/** Default quorum: two thirds of the attested weight. */
export const DEFAULT_QUORUM_BPS = 6_667;

/** Default participation floor: half of the revealed weight must attest for a round to succeed. */
export const DEFAULT_PARTICIPATION_BPS = 5_000;

/** Default weight cap: one trainer's quorum weight counts up to ten minimum stakes. */
export const DEFAULT_WEIGHT_CAP = 10;

/**
 * Default delay of round 0: 30 seconds after the later of the chain's latest block and the local clock, so the
 * creation (and its approval) are mined before the start time, which may not be in the past.
 */
export const DEFAULT_START_DELAY_SECONDS = 30n;

export type CreateJobParameters = {
  /** The dataset asset trained on. */
  datasetId: bigint | number;
  /** The model asset training starts from. */
  baseModelId: bigint | number;
  /** The base model's manifest; default the base model asset's current manifest. */
  baseModelCid?: CidLike | undefined;
  /** The job spec (architecture, hyper-parameters, shard assignment), stored on IPFS (see buildTrainingSpec). */
  specCid: CidLike;
  /** The job's token, for rewards and stakes; default the deployment's PaymentToken. */
  token?: Address | undefined;
  /** Reward of each round, in the token's smallest unit; the pool is `rewardPerRound * numRounds`. */
  rewardPerRound: bigint;
  numRounds: number;
  minStake: bigint;
  /** Window lengths in seconds (each at least the deployment's minimum window, see TrainingJobs.minWindow). */
  commitWindow: number;
  revealWindow: number;
  attestWindow: number;
  /** Seconds after the end during which claims stay open and stakes locked; default one round length. */
  claimPeriod?: number | undefined;
  /** Default DEFAULT_QUORUM_BPS (two thirds of the attested weight). */
  quorumBps?: number | undefined;
  /** Default DEFAULT_PARTICIPATION_BPS (half of the revealed weight). */
  participationBps?: number | undefined;
  /** Most quorum weight one trainer brings, in minimum stakes; default DEFAULT_WEIGHT_CAP. */
  weightCap?: number | undefined;
  /** Most trainers holding an index at once (at most 256). */
  maxTrainers: number;
  /** Most samples a trainer may report per round (its assigned shards' samples). */
  maxSamples: number;
  /**
   * Updates every attester replays per round (1 to 255); default the fewest that keep faking the work unprofitable at
   * this stake (minimumAuditsPerRound: 2 x rewardPerRound / minStake, rounded up). Each costs every attester one local
   * training per round: a higher minStake needs fewer.
   */
  auditsPerRound?: number | undefined;
  /** When round 0 starts (unix seconds, chain time); default DEFAULT_START_DELAY_SECONDS from now. */
  startTime?: bigint | undefined;
  /** Approve the TrainingJobs contract for exactly the pool when the allowance is short. Default true. */
  approve?: boolean | undefined;
} & TransactionOptions;

export type CreateJobReturnType = TransactionResult & {
  jobId: bigint;
  rewardPool: bigint;
  /** Seed of round 0. */
  seed: Hex;
  specCid: CID;
  startTime: bigint;
  approvalHash: Hash | null;
};

export type CreateJobErrorType = WriteActionErrorType;

/**
 * Creates a training job, the caller being its sponsor: approves the reward pool (`rewardPerRound * numRounds`) when
 * needed and deposits it in the same transaction as the creation. InsufficientBalanceError before anything is sent
 * when the sponsor cannot fund the pool.
 */
export async function createJob(client: MyceliumClient, parameters: CreateJobParameters): Promise<CreateJobReturnType> {
  const action = "Creating the training job";
  const sponsor = requireAccount(client, action).address;
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const datasetId = toId(parameters.datasetId, "datasetId");
  const baseModelId = toId(parameters.baseModelId, "baseModelId");
  const specCid = toCid(parameters.specCid);
  const baseModelCid =
    parameters.baseModelCid === undefined ? (await getAsset(client, { assetId: baseModelId })).manifestCid : toCid(parameters.baseModelCid);
  const token = parameters.token ? toAddress(parameters.token, "token") : contractAddress(client.deployment, "PaymentToken");
  const commitWindow = Number(toUint(parameters.commitWindow, "commitWindow", 32));
  const revealWindow = Number(toUint(parameters.revealWindow, "revealWindow", 32));
  const attestWindow = Number(toUint(parameters.attestWindow, "attestWindow", 32));
  const claimPeriod =
    parameters.claimPeriod === undefined
      ? commitWindow + revealWindow + attestWindow
      : Number(toUint(parameters.claimPeriod, "claimPeriod", 32));
  const rewardPerRound = toUint(parameters.rewardPerRound, "rewardPerRound");
  const numRounds = Number(toUint(parameters.numRounds, "numRounds", 32));
  const rewardPool = rewardPerRound * BigInt(numRounds);
  const minStake = toUint(parameters.minStake, "minStake");
  const auditsPerRound =
    parameters.auditsPerRound === undefined
      ? minimumAuditsPerRound({ rewardPerRound, minStake })
      : Number(toUint(parameters.auditsPerRound, "auditsPerRound", 8));
  const startTime =
    parameters.startTime === undefined
      ? await getBlock(client, { blockTag: "latest" }).then(
          (block) => {
            const localNow = BigInt(Math.floor(Date.now() / 1000));
            return (block.timestamp > localNow ? block.timestamp : localNow) + DEFAULT_START_DELAY_SECONDS;
          },
          (error: unknown) => {
            throw toMyceliumError(error, { action });
          },
        )
      : toUint(parameters.startTime, "startTime", 64);
  const options = { signal: parameters.signal, onProgress: parameters.onProgress };

  await requireBalance(client, { token, account: sponsor, needed: rewardPool, purpose: "funding the job's reward pool" });
  const approvalHash = await ensureAllowance(client, {
    token,
    spender: jobs,
    amount: rewardPool,
    approve: parameters.approve ?? true,
    action,
    ...options,
  });
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "createJob",
    args: [
      {
        datasetId,
        baseModelId,
        baseModelCid: cidToHex(baseModelCid),
        specCid: cidToHex(specCid),
        token,
        rewardPool,
        rewardPerRound,
        minStake,
        numRounds,
        commitWindow,
        revealWindow,
        attestWindow,
        claimPeriod,
        quorumBps: Number(toUint(parameters.quorumBps ?? DEFAULT_QUORUM_BPS, "quorumBps", 16)),
        participationBps: Number(toUint(parameters.participationBps ?? DEFAULT_PARTICIPATION_BPS, "participationBps", 16)),
        weightCap: Number(toUint(parameters.weightCap ?? DEFAULT_WEIGHT_CAP, "weightCap", 16)),
        maxTrainers: Number(toUint(parameters.maxTrainers, "maxTrainers", 16)),
        maxSamples: Number(toUint(parameters.maxSamples, "maxSamples", 32)),
        startTime,
        auditsPerRound,
      },
    ],
    ...options,
  });
  const [created] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "JobCreated", address: jobs, action });
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    jobId: created!.args.jobId,
    rewardPool,
    seed: created!.args.seed,
    specCid,
    startTime,
    approvalHash,
  };
}
