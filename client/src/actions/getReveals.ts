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
  /**
   * Also return late reveals (made during the attest window). Default false: late updates do not count in the round
   * and are never aggregated.
   */
  includeLate?: boolean | undefined;
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
  /** The quorum weight the reveal brought (0 when late). */
  weight: bigint;
  /** Whether it was revealed late (during the attest window): it does not count in the round. */
  late: boolean;
  /** The commitment's salt: the on-time reveals' salts seed the round's audit draw (computeAuditSeed). */
  salt: Hex;
};

export type GetRevealsReturnType = Reveal[];

export type GetRevealsErrorType = ReadActionErrorType;

/**
 * Every update revealed on time in a round, in ascending trainer index: what the round's aggregate is computed from
 * (with `includeLate`, the late ones too, flagged).
 */
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
        weight: log.args.weight!,
        late: log.args.late!,
        salt: log.args.salt!,
      };
    })
    .filter((reveal) => parameters.includeLate === true || !reveal.late)
    .sort((a, b) => a.trainerIndex - b.trainerIndex);
}
