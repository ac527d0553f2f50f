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

export type GetAttestationsParameters = {
  jobId: bigint | number;
  round: bigint | number;
  /** Where the scan starts: the job's creation block (getJobCreationBlock), found when omitted. */
  fromBlock?: bigint | undefined;
};

/** One attestation of a round (an `Attested` event): the tuple a trainer vouched for, and the tally after it. */
export type Attestation = {
  trainer: Address;
  trainerIndex: number;
  /** The attested aggregate, or null when the bytes are not a CID. */
  aggregateCid: CID | null;
  rawCid: Hex;
  includedMask: bigint;
  includedSamples: bigint;
  /** The trainers the tuple slashes (their update failed its replay audit). */
  slashMask: bigint;
  tupleId: bigint;
  /** The weight behind the tuple after this attestation. */
  tupleWeight: bigint;
  /** The round's leading tuple after this attestation (the most weight; the first to reach it on ties). */
  leaderTupleId: bigint;
  blockNumber: bigint;
};

export type GetAttestationsReturnType = Attestation[];

export type GetAttestationsErrorType = ReadActionErrorType;

/** Every attestation of a round, in the order the chain recorded them. */
export async function getAttestations(client: MyceliumClient, parameters: GetAttestationsParameters): Promise<GetAttestationsReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const round = toId(parameters.round, "round");
  const fromBlock = parameters.fromBlock ?? (await getJobCreationBlock(client, { jobId }));
  const logs = await rpc(`Reading the attestations of round ${round} of job ${jobId}`, () =>
    getContractEvents(client, {
      address: contractAddress(client.deployment, "TrainingJobs"),
      abi: trainingJobsAbi,
      eventName: "Attested",
      args: { jobId, round },
      fromBlock,
      toBlock: "latest",
    }),
  );
  return logs.map((log) => {
    let aggregateCid: CID | null;
    try {
      aggregateCid = hexToCid(log.args.aggregateCid!);
    } catch {
      aggregateCid = null;
    }
    return {
      trainer: log.args.trainer!,
      trainerIndex: Number(log.args.index!),
      aggregateCid,
      rawCid: log.args.aggregateCid!,
      includedMask: log.args.includedMask!,
      includedSamples: log.args.includedSamples!,
      slashMask: log.args.slashMask!,
      tupleId: log.args.tupleId!,
      tupleWeight: log.args.tupleWeight!,
      leaderTupleId: log.args.leaderTupleId!,
      blockNumber: log.blockNumber,
    };
  });
}
