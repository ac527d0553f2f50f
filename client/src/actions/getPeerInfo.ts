import type { Address } from "viem";
import { getContractEvents } from "viem/actions";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { decodeMultiaddrs, decodePeerId } from "../protocol/peers.ts";
import { rpc } from "../utils/retry.ts";
import { getJobCreationBlock } from "./getJobCreationBlock.ts";

export type GetPeerInfoParameters = {
  jobId: bigint | number;
  /** Where the scan starts: the job's creation block (getJobCreationBlock), found when omitted. */
  fromBlock?: bigint | undefined;
};

/** A trainer's latest peer info: `TrainerJoined`, then any later `PeerInfoUpdated`. */
export type PeerRecord = {
  trainer: Address;
  trainerIndex: number;
  /** The libp2p peer id in its usual string form (12D3KooW…). */
  peerId: string;
  /** Its multiaddrs as strings; malformed ones (registered by anyone) are left out. */
  addrs: string[];
  blockNumber: bigint;
  logIndex: number;
};

export type GetPeerInfoReturnType = Map<Address, PeerRecord>;

export type GetPeerInfoErrorType = ReadActionErrorType;

/** The latest peer info of every trainer of a job, by address (as checksummed in the events). */
export async function getPeerInfo(client: MyceliumClient, parameters: GetPeerInfoParameters): Promise<GetPeerInfoReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const fromBlock = parameters.fromBlock ?? (await getJobCreationBlock(client, { jobId }));
  const address = contractAddress(client.deployment, "TrainingJobs");
  const action = `Reading the peer info of job ${jobId}'s trainers`;
  const [joined, updated] = await Promise.all([
    rpc(action, () =>
      getContractEvents(client, {
        address,
        abi: trainingJobsAbi,
        eventName: "TrainerJoined",
        args: { jobId },
        fromBlock,
        toBlock: "latest",
      }),
    ),
    rpc(action, () =>
      getContractEvents(client, {
        address,
        abi: trainingJobsAbi,
        eventName: "PeerInfoUpdated",
        args: { jobId },
        fromBlock,
        toBlock: "latest",
      }),
    ),
  ]);
  const peers = new Map<Address, PeerRecord>();
  for (const log of [...joined, ...updated]) {
    const record: PeerRecord = {
      trainer: log.args.trainer!,
      trainerIndex: Number(log.args.index!),
      peerId: decodePeerId(log.args.peerId!),
      addrs: safeMultiaddrs(log.args.addrs ?? []),
      blockNumber: log.blockNumber,
      logIndex: log.logIndex,
    };
    const known = peers.get(record.trainer);
    if (
      !known ||
      known.blockNumber < record.blockNumber ||
      (known.blockNumber === record.blockNumber && known.logIndex < record.logIndex)
    ) {
      peers.set(record.trainer, record);
    }
  }
  return peers;
}

function safeMultiaddrs(addrs: readonly `0x${string}`[]): string[] {
  const out: string[] = [];
  for (const addr of addrs) {
    try {
      out.push(...decodeMultiaddrs([addr]).map(String));
    } catch {
      // A malformed address registered by someone else is ignored; the others may still work.
    }
  }
  return out;
}
