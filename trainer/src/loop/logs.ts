/**
 * What TrainingJobs keeps only in events, read back from the chain's logs: the revealed update CIDs of a round
 * (`Revealed`) and every trainer's peer info (`TrainerJoined`, then `PeerInfoUpdated`). Scans start at the block that
 * created the job.
 */
import type { CID } from "multiformats/cid";
import type { Address } from "viem";
import { getContractEvents } from "viem/actions";
import { decodeMultiaddrs, decodePeerId, hexToCid, trainingJobsAbi, type MyceliumClient } from "@mycelium/client";
import { rpc } from "./retry.ts";

/** One revealed update of a round. */
export type Reveal = { trainer: Address; trainerIndex: number; updateCid: CID | null; rawCid: `0x${string}`; samples: bigint; stake: bigint };

/** A trainer's latest peer info. */
export type PeerRecord = { trainer: Address; trainerIndex: number; peerId: string; addrs: string[]; blockNumber: bigint; logIndex: number };

/** The block in which job `jobId` was created (where its events begin). */
export async function findJobCreationBlock(client: MyceliumClient, jobs: Address, jobId: bigint, startBlock: bigint): Promise<bigint> {
  const logs = await rpc(`Finding the creation of job ${jobId}`, () =>
    getContractEvents(client, { address: jobs, abi: trainingJobsAbi, eventName: "JobCreated", args: { jobId }, fromBlock: startBlock, toBlock: "latest" }),
  );
  return logs[0]?.blockNumber ?? startBlock;
}

/** Every update revealed in `round`, in ascending trainer index. A CID that does not parse is kept with `updateCid: null`. */
export async function readReveals(client: MyceliumClient, jobs: Address, jobId: bigint, round: number, fromBlock: bigint): Promise<Reveal[]> {
  const logs = await rpc(`Reading the reveals of round ${round}`, () =>
    getContractEvents(client, { address: jobs, abi: trainingJobsAbi, eventName: "Revealed", args: { jobId, round: BigInt(round) }, fromBlock, toBlock: "latest" }),
  );
  return logs
    .map((log) => {
      let updateCid: CID | null;
      try {
        updateCid = hexToCid(log.args.updateCid!);
      } catch {
        updateCid = null;
      }
      return {
        trainer: log.args.trainer!,
        trainerIndex: Number(log.args.index!),
        updateCid,
        rawCid: log.args.updateCid!,
        samples: log.args.samples!,
        stake: log.args.stake!,
      };
    })
    .sort((a, b) => a.trainerIndex - b.trainerIndex);
}

/** The latest peer info of every trainer of the job, by address. */
export async function readPeerInfo(client: MyceliumClient, jobs: Address, jobId: bigint, fromBlock: bigint): Promise<Map<Address, PeerRecord>> {
  const [joined, updated] = await Promise.all([
    rpc("Reading the trainers' peer info", () =>
      getContractEvents(client, { address: jobs, abi: trainingJobsAbi, eventName: "TrainerJoined", args: { jobId }, fromBlock, toBlock: "latest" }),
    ),
    rpc("Reading the trainers' peer info", () =>
      getContractEvents(client, { address: jobs, abi: trainingJobsAbi, eventName: "PeerInfoUpdated", args: { jobId }, fromBlock, toBlock: "latest" }),
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
    if (!known || known.blockNumber < record.blockNumber || (known.blockNumber === record.blockNumber && known.logIndex < record.logIndex)) {
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
