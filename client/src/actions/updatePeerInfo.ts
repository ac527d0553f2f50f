import type { Multiaddr } from "@multiformats/multiaddr";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { encodeMultiaddr, encodePeerId } from "../protocol/peers.ts";
import { sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type UpdatePeerInfoParameters = {
  jobId: bigint | number;
  peerId: Uint8Array | string;
  addrs?: readonly (Multiaddr | Uint8Array | string)[] | undefined;
} & TransactionOptions;

export type UpdatePeerInfoReturnType = TransactionResult & { jobId: bigint };

export type UpdatePeerInfoErrorType = WriteActionErrorType;

/** Announces new peer info for the caller's trainer node (after a restart on other addresses). Emitted only. */
export async function updatePeerInfo(client: MyceliumClient, parameters: UpdatePeerInfoParameters): Promise<UpdatePeerInfoReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const receipt = await sendContractTransaction(client, {
    action: `Updating peer info in job ${jobId}`,
    address: contractAddress(client.deployment, "TrainingJobs"),
    abi: trainingJobsAbi,
    functionName: "updatePeerInfo",
    args: [jobId, encodePeerId(parameters.peerId), (parameters.addrs ?? []).map(encodeMultiaddr)],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, jobId };
}
