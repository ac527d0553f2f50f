import type { IndexerClient, IndexerRequestOptions } from "./client.ts";
import { queryPage } from "./client.ts";
import { parseRound, ROUND_FIELDS, type IndexedRound, type IndexerPage, type PageParameters } from "./types.ts";

export type GetRoundsParameters = IndexerRequestOptions & PageParameters & { jobId: bigint };

export type GetRoundsReturnType = IndexerPage<IndexedRound>;

/**
 * The rounds of a job that have started, with seeds, windows, weight tallies, leading tuple, outcomes and their reveals
 * (late ones flagged). Pages of 20 by default, at most 30 (each round brings up to 256 reveals), by round number.
 */
export async function getRounds(client: IndexerClient, parameters: GetRoundsParameters): Promise<GetRoundsReturnType> {
  return queryPage(
    client,
    {
      list: "rounds",
      filterType: "roundFilter",
      where: { jobId: parameters.jobId.toString() },
      fields: ROUND_FIELDS,
      orderBy: "round",
      defaultDirection: "asc",
      defaultLimit: 20,
      maxLimit: 30,
    },
    parameters,
    parseRound,
  );
}
