import type { Hex } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { toId, toUint } from "../chain/args.ts";
import { cidToHex } from "../chain/cid.ts";
import type { CidLike } from "../storage/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import { InvalidArgumentError } from "../errors/chain.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { roundOrCurrent } from "./getRound.ts";

export type RevealUpdateParameters = {
  jobId: bigint | number;
  /** Default the job's current round. */
  round?: bigint | number | undefined;
  /** Exactly what was committed. */
  updateCid: CidLike;
  samples: bigint | number;
  salt: Hex;
} & TransactionOptions;

export type RevealUpdateReturnType = TransactionResult & {
  jobId: bigint;
  round: bigint;
  /** The trainer index and the weight it brings to the round's quorum (0 when late). */
  index: bigint;
  weight: bigint;
  /**
   * Whether the reveal came during the attest window: accepted with a penalty of LATE_REVEAL_BPS of the stake, it does
   * not count in the round and the trainer may not attest.
   */
  late: boolean;
};

export type RevealUpdateErrorType = WriteActionErrorType;

/**
 * Reveals a committed update: during the reveal window it counts; during the attest window it is late (a small
 * penalty instead of the full slash of never revealing). CommitmentMismatch when it differs from the commitment.
 */
export async function revealUpdate(client: MyceliumClient, parameters: RevealUpdateParameters): Promise<RevealUpdateReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const action = `Revealing an update in job ${jobId}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(parameters.salt))
    throw new InvalidArgumentError({ parameter: "salt", value: parameters.salt, expected: "the 32-byte salt of the commitment" });
  const updateCid = cidToHex(parameters.updateCid);
  const samples = toUint(parameters.samples, "samples");
  const round = await roundOrCurrent(client, jobId, parameters.round);
  const jobs = contractAddress(client.deployment, "TrainingJobs");
  const receipt = await sendContractTransaction(client, {
    action,
    address: jobs,
    abi: trainingJobsAbi,
    functionName: "reveal",
    args: [jobId, round, updateCid, samples, parameters.salt],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [revealed] = eventsOf(receipt, { abi: trainingJobsAbi, eventName: "Revealed", address: jobs, action });
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    jobId,
    round,
    index: revealed!.args.index,
    weight: revealed!.args.weight,
    late: revealed!.args.late,
  };
}
