import type { Address } from "viem";
import { trainingJobsAbi } from "../abis/index.ts";
import { toAddress, toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { readProtocol, requireAccount } from "../chain/transaction.ts";
import type { ReadActionErrorType } from "../errors/types.ts";

export type GetTrainerRoundParameters = {
  jobId: bigint | number;
  round: bigint | number;
  /** Default: the client's account. */
  trainer?: Address | undefined;
};

/** What a trainer did in one round (TrainingJobs `getTrainerRound`). */
export type GetTrainerRoundReturnType = {
  jobId: bigint;
  round: bigint;
  trainer: Address;
  /** Whether it revealed (on time or late), and whether late: a late update does not count and cannot attest. */
  revealed: boolean;
  late: boolean;
  /** Samples revealed (0 if it did not reveal). */
  samples: bigint;
  /** The quorum weight it brought (0 when late or absent). */
  weight: bigint;
  /** The tuple it attested, or null. */
  attestedTupleId: bigint | null;
  /** Whether the tuple it attested includes its own index. */
  included: boolean;
  claimed: boolean;
};

export type GetTrainerRoundErrorType = ReadActionErrorType;

/** Reads what a trainer did in a round. */
export async function getTrainerRound(client: MyceliumClient, parameters: GetTrainerRoundParameters): Promise<GetTrainerRoundReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const round = toId(parameters.round, "round");
  const trainer =
    parameters.trainer === undefined
      ? requireAccount(client, "Reading a trainer's round").address
      : toAddress(parameters.trainer, "trainer");
  const result = await readProtocol(client, {
    action: `Reading round ${round} of trainer ${trainer} in job ${jobId}`,
    address: contractAddress(client.deployment, "TrainingJobs"),
    abi: trainingJobsAbi,
    functionName: "getTrainerRound",
    args: [jobId, round, trainer],
  });
  return {
    jobId,
    round,
    trainer,
    revealed: result.revealed,
    late: result.late,
    samples: result.samples,
    weight: result.weight,
    attestedTupleId: result.attestedTupleId === 0n ? null : result.attestedTupleId,
    included: result.included,
    claimed: result.claimed,
  };
}
