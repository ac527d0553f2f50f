import type { Address } from "viem";
import type { IndexerClient, IndexerRequestOptions } from "./client.ts";
import { queryIndexer } from "./client.ts";
import { addressParameter, type IndexedTrainerStatus } from "./types.ts";

export type GetTrainerEarningsParameters = IndexerRequestOptions & { account: string };

export type TrainerEarnings = {
  account: Address;
  /** Per token: training rewards claimed, and everything the account earned in it (sales and fees too). */
  earnings: { token: Address; decimals: number | null; trainingRewards: bigint; total: bigint }[];
  /**
   * Per job token: stake locked now, deposited, returned (withdrawn, or given back at an eviction), slashed, and cut by
   * penalties.
   */
  stakes: {
    token: Address;
    decimals: number | null;
    staked: bigint;
    deposited: bigint;
    withdrawn: bigint;
    slashed: bigint;
    penalized: bigint;
  }[];
  /**
   * The jobs the account trains in (at most 1,000, newest first): its current membership (index, stake, quorum weight,
   * first bonded round, standing) and its totals in the job.
   */
  jobs: {
    jobId: bigint;
    index: number;
    status: IndexedTrainerStatus;
    stake: bigint;
    weight: bigint;
    firstRound: number;
    rewardClaimed: bigint;
    claimCount: number;
    samplesRevealed: bigint;
    penalized: bigint;
    penaltyCount: number;
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
        items { tokenAddress trainingRewards total token { decimals } } }
      accountStakes(where: { account: $account }, orderBy: "tokenAddress", limit: 100) {
        items { tokenAddress staked deposited withdrawn slashed penalized token { decimals } } }
      trainers(where: { account: $account }, orderBy: "jobId", orderDirection: "desc", limit: 1000) {
        items { jobId index status stake weight firstRound rewardClaimed claimCount samplesRevealed penalized penaltyCount } } }`,
    { account },
    parameters,
  );
  return {
    account,
    earnings: data.accountEarnings.items.map((row) => ({
      token: row.tokenAddress,
      decimals: row.token?.decimals ?? null,
      trainingRewards: BigInt(row.trainingRewards),
      total: BigInt(row.total),
    })),
    stakes: data.accountStakes.items.map((row) => ({
      token: row.tokenAddress,
      decimals: row.token?.decimals ?? null,
      staked: BigInt(row.staked),
      deposited: BigInt(row.deposited),
      withdrawn: BigInt(row.withdrawn),
      slashed: BigInt(row.slashed),
      penalized: BigInt(row.penalized),
    })),
    jobs: data.trainers.items.map((row) => ({
      jobId: BigInt(row.jobId),
      index: row.index,
      status: row.status,
      stake: BigInt(row.stake),
      weight: BigInt(row.weight),
      firstRound: row.firstRound,
      rewardClaimed: BigInt(row.rewardClaimed),
      claimCount: row.claimCount,
      samplesRevealed: BigInt(row.samplesRevealed),
      penalized: BigInt(row.penalized),
      penaltyCount: row.penaltyCount,
    })),
  };
}

/** Rows as the indexer's GraphQL returns them: big numbers as decimal strings. */
type EarningsRow = {
  tokenAddress: `0x${string}`;
  trainingRewards: string;
  total: string;
  token: { decimals: number } | null;
};
type StakesRow = {
  tokenAddress: `0x${string}`;
  staked: string;
  deposited: string;
  withdrawn: string;
  slashed: string;
  penalized: string;
  token: { decimals: number } | null;
};
type TrainerRow = {
  jobId: string;
  index: number;
  status: IndexedTrainerStatus;
  stake: string;
  weight: string;
  firstRound: number;
  rewardClaimed: string;
  claimCount: number;
  samplesRevealed: string;
  penalized: string;
  penaltyCount: number;
};
