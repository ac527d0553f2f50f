import type { Address } from "viem";
import type { IndexerClient, IndexerRequestOptions } from "./client.ts";
import { queryIndexer } from "./client.ts";
import { addressParameter, type IndexedTrainerStatus } from "./types.ts";

export type GetTrainerEarningsParameters = IndexerRequestOptions & { account: string };

export type TrainerEarnings = {
  account: Address;
  /** Per token: training rewards claimed, shares of slashed stakes, and everything the account earned in it. */
  earnings: { token: Address; decimals: number | null; trainingRewards: bigint; slashRewards: bigint; total: bigint }[];
  /** Per stake token: stake locked now, deposited, withdrawn and slashed. */
  stakes: { token: Address; decimals: number | null; staked: bigint; deposited: bigint; withdrawn: bigint; slashed: bigint }[];
  /** The jobs the account trains in (at most 1,000, newest first). */
  jobs: {
    jobId: bigint;
    index: number;
    status: IndexedTrainerStatus;
    stake: bigint;
    rewardClaimed: bigint;
    claimCount: number;
    samplesRevealed: bigint;
  }[];
};

export type GetTrainerEarningsReturnType = TrainerEarnings;

/** What an account earned and staked as a trainer, per token and per job. */
export async function getTrainerEarnings(
  client: IndexerClient,
  parameters: GetTrainerEarningsParameters,
): Promise<GetTrainerEarningsReturnType> {
  const account = addressParameter("account", parameters.account);
  const data = await queryIndexer<{
    accountEarnings: { items: EarningsRow[] };
    accountStakes: { items: StakesRow[] };
    trainers: { items: TrainerRow[] };
  }>(
    client,
    `query ($account: String) {
      accountEarnings(where: { account: $account }, orderBy: "tokenAddress", limit: 100) {
        items { tokenAddress trainingRewards slashRewards total token { decimals } } }
      accountStakes(where: { account: $account }, orderBy: "tokenAddress", limit: 100) {
        items { tokenAddress staked deposited withdrawn slashed token { decimals } } }
      trainers(where: { account: $account }, orderBy: "jobId", orderDirection: "desc", limit: 1000) {
        items { jobId index status stake rewardClaimed claimCount samplesRevealed } } }`,
    { account },
    parameters,
  );
  return {
    account,
    earnings: data.accountEarnings.items.map((row) => ({
      token: row.tokenAddress,
      decimals: row.token?.decimals ?? null,
      trainingRewards: BigInt(row.trainingRewards),
      slashRewards: BigInt(row.slashRewards),
      total: BigInt(row.total),
    })),
    stakes: data.accountStakes.items.map((row) => ({
      token: row.tokenAddress,
      decimals: row.token?.decimals ?? null,
      staked: BigInt(row.staked),
      deposited: BigInt(row.deposited),
      withdrawn: BigInt(row.withdrawn),
      slashed: BigInt(row.slashed),
    })),
    jobs: data.trainers.items.map((row) => ({
      jobId: BigInt(row.jobId),
      index: row.index,
      status: row.status,
      stake: BigInt(row.stake),
      rewardClaimed: BigInt(row.rewardClaimed),
      claimCount: row.claimCount,
      samplesRevealed: BigInt(row.samplesRevealed),
    })),
  };
}

/** Rows as the indexer's GraphQL returns them: big numbers as decimal strings. */
type EarningsRow = {
  tokenAddress: `0x${string}`;
  trainingRewards: string;
  slashRewards: string;
  total: string;
  token: { decimals: number } | null;
};
type StakesRow = {
  tokenAddress: `0x${string}`;
  staked: string;
  deposited: string;
  withdrawn: string;
  slashed: string;
  token: { decimals: number } | null;
};
type TrainerRow = {
  jobId: string;
  index: number;
  status: IndexedTrainerStatus;
  stake: string;
  rewardClaimed: string;
  claimCount: number;
  samplesRevealed: string;
};
