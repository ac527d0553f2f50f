import type { CID } from "multiformats/cid";
import type { Hex } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId, toUint } from "../chain/args.ts";
import { toCid, type CidLike } from "../storage/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { computeCommitment, randomSalt } from "../protocol/hashes.ts";
import { requireAccount, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { roundOrCurrent } from "./getRound.ts";

export type CommitUpdateParameters = {
  jobId: bigint | number;
  /** Default the job's current round. */
  round?: bigint | number | undefined;
  /** The update's CID (already stored; revealed later). */
  updateCid: CidLike;
  samples: bigint | number;
  /** 32 secret bytes; default fresh random ones. Keep the returned salt: the reveal needs it. */
  salt?: Hex | undefined;
} & TransactionOptions;

export type CommitUpdateReturnType = TransactionResult & {
  jobId: bigint;
  round: bigint;
  commitment: Hex;
  /** Needed by revealUpdate: persist it (with the CID and samples) before the reveal window. */
  salt: Hex;
  updateCid: CID;
  samples: bigint;
};

export type CommitUpdateErrorType = WriteActionErrorType;

/**
 * Commits to an update during the commit window: sends computeCommitment's hash of the update, its samples, a secret
 * salt and the trainer, bound to this chain, contract, job and round, so nobody can copy the update before the reveal
 * and the commitment can never be replayed elsewhere.
 */
export async function commitUpdate(client: MyceliumClient, parameters: CommitUpdateParameters): Promise<CommitUpdateReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Committing an update in job ${jobId}`;
  const trainer = requireAccount(client, action).address;
  const updateCid = toCid(parameters.updateCid);
  const samples = toUint(parameters.samples, "samples");
  const salt = parameters.salt ?? randomSalt();
  const round = await roundOrCurrent(client, jobId, parameters.round);
  const contract = contractAddress(client.deployment, "TrainingJobs");
  const chainId = client.deployment.chainId;
  const commitment = computeCommitment({ chainId, contract, jobId, round, updateCid, samples, salt, trainer });
  const receipt = await sendContractTransaction(client, {
    action,
    address: contract,
    abi: trainingJobsAbi,
    functionName: "commit",
    args: [jobId, round, commitment],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, jobId, round, commitment, salt, updateCid, samples };
}
