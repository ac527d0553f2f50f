import type { Multiaddr } from "@multiformats/multiaddr";
import type { Hash } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId, toUint } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { ensureAllowance, requireBalance } from "../chain/tokens.ts";
import { encodeMultiaddr, encodePeerId } from "../protocol/peers.ts";
import {
  eventsOf,
  requireAccount,
  sendContractTransaction,
  type TransactionOptions,
  type TransactionResult,
} from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { getJob } from "./getJob.ts";

export type JoinJobParameters = {
  jobId: bigint | number;
  /** Stake in the job's token (smallest unit); default the job's minimum stake. */
  stake?: bigint | undefined;
  /** The trainer node's libp2p peer id (string or bytes), so the other trainers can find it. */
  peerId: Uint8Array | string;
  /** Addresses the node listens on (multiaddrs), for direct dialing. */
  addrs?: readonly (Multiaddr | Uint8Array | string)[] | undefined;
  /** Approve the TrainingJobs contract for exactly the stake when the allowance is short. Default true. */
  approve?: boolean | undefined;
} & TransactionOptions;

export type JoinJobReturnType = TransactionResult & {
  jobId: bigint;
  /** The trainer index: its bit in inclusion masks and its rank in aggregation. */
  index: bigint;
  stake: bigint;
  approvalHash: Hash | null;
};

export type JoinJobErrorType = WriteActionErrorType;

/** Joins a scheduled or running job with a stake and the node's peer info. */
export async function joinJob(client: MyceliumClient, parameters: JoinJobParameters): Promise<JoinJobReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Joining job ${jobId}`;
  const trainer = requireAccount(client, action).address;
  const peerId = encodePeerId(parameters.peerId);
  const addrs = (parameters.addrs ?? []).map(encodeMultiaddr);
  const job = await getJob(client, { jobId });
  const stake = parameters.stake === undefined ? job.minStake : toUint(parameters.stake, "stake");
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const options = { signal: parameters.signal, onProgress: parameters.onProgress };
  await requireBalance(client, { token: job.token, account: trainer, needed: stake, purpose: `staking in job ${jobId}` });
  const approvalHash = await ensureAllowance(client, {
    token: job.token,
    spender: jobs,
    amount: stake,
    approve: parameters.approve ?? true,
    action,
    ...options,
  });
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "join",
    args: [jobId, stake, peerId, addrs],
    ...options,
  });
  const [joined] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "TrainerJoined", address: jobs, action });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, jobId, index: joined!.args.index, stake, approvalHash };
}
