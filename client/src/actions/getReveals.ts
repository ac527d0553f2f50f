import type { CID } from "multiformats/cid";
import type { Address, Hex } from "viem";
import { getContractEvents } from "viem/actions";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import { hexToCid } from "../chain/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { rpc } from "../utils/retry.ts";
import { getJobCreationBlock } from "./getJobCreationBlock.ts";

export type GetRevealsParameters = {
  jobId: bigint | number;
  round: bigint | number;
  /** Where the scan starts: the job's creation block (getJobCreationBlock), found when omitted. */
  fromBlock?: bigint | undefined;
};

/** One update revealed in a round (a `Revealed` event). */
export type Reveal = {
  trainer: Address;
  trainerIndex: number;
  /** The revealed CID, or null when the bytes are not a CID (the update is then unavailable to everyone). */
  updateCid: CID | null;
  /** The bytes as revealed. */
  rawCid: Hex;
  samples: bigint;
  /** The trainer's stake when it revealed. */
  stake: bigint;
};

export type GetRevealsReturnType = Reveal[];

export type GetRevealsErrorType = ReadActionErrorType;

/** Every update revealed in a round, in ascending trainer index: what the round's aggregate is computed from. */
export async function getReveals(client: MyceliumClient, parameters: GetRevealsParameters): Promise<GetRevealsReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const round = toId(parameters.round, "round");
  const fromBlock = parameters.fromBlock ?? (await getJobCreationBlock(client, { jobId }));
  const logs = await rpc(`Reading the reveals of round ${round} of job ${jobId}`, () =>
    getContractEvents(client, {
      address: contractAddress(client.deployment, "TrainingJobs"),
      abi: trainingJobsAbi,
      eventName: "Revealed",
      args: { jobId, round },
      fromBlock,
      toBlock: "latest",
    }),
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
