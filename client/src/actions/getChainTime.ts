import { getBlock } from "viem/actions";
import type { MyceliumClient } from "../chain/client.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { rpc } from "../utils/retry.ts";

export type GetChainTimeParameters = {
  /** "latest" (default): the newest block's timestamp; "pending": the one a transaction sent now would see. */
  blockTag?: "latest" | "pending" | undefined;
};

/** Unix seconds on the chain's clock: what the contracts' time windows are measured in. */
export type GetChainTimeReturnType = bigint;

export type GetChainTimeErrorType = ReadActionErrorType;

/** The chain's time: a block's timestamp. Time windows (a job's start, round windows) are in this time, not the local clock's. */
export async function getChainTime(client: MyceliumClient, parameters: GetChainTimeParameters = {}): Promise<GetChainTimeReturnType> {
  const blockTag = parameters.blockTag ?? "latest";
  return (await rpc("Reading the chain's clock", () => getBlock(client, { blockTag }))).timestamp;
}
