/**
 * Phase 6: the trainers claim their rewards and exit on their own; the sponsor publishes the result as a model asset;
 * the rewards are read three ways (RewardClaimed events, the reward token's transfers in the claim transactions, the
 * indexer) and compared with what the round results owe; the indexer is asked about the job over GraphQL.
 */
import {
  abortable,
  ContractRevertedError,
  getAssetParents,
  getRewardClaims,
  getTrainerEarnings,
  loadManifest,
  publishResult,
  queryIndexer,
  refundRemainder,
  rewardShare,
  sleep,
  sweepRound,
  waitForIndexed,
  type MyceliumClient,
} from "@mycelium/client";
import { describeExit } from "@mycelium/devkit";
import { erc20Abi, parseEventLogs, type Address, type Hash } from "viem";
import { getTransactionReceipt, readContract } from "viem/actions";
import { HubError, type HubReward, type HubRound, type PlayContext } from "../hub.ts";
import type { Infrastructure } from "./infrastructure.ts";
import type { TrainingJob } from "./job.ts";
import type { Market } from "./market.ts";
import { leftSlashed, type Crew } from "./trainers.ts";

/** How long the trainers may take to claim and exit after the last round at most: it only bounds a stuck exit. */
const EXIT_TIMEOUT_MS = 300_000;

/** The GraphQL query the run asks the indexer about the job (printed in the summary and the report). */
export const JOB_QUERY = `query Job($id: BigInt!) {
  job(id: $id) {
    status numRounds roundsSucceeded roundsFailed rewardPool rewardClaimed currentModelCid
    resultAsset { id kind owner manifestCid parentIds }
    rounds(orderBy: "round") { items { round status includedMask includedSamples reward claimedAmount aggregateCid } }
    trainers(orderBy: "index") { items { index account status samplesRevealed claimCount rewardClaimed } }
  }
}`;

export async function settle(
  context: PlayContext,
  infrastructure: Infrastructure,
  market: Market,
  training: TrainingJob,
  crew: Crew,
): Promise<void> {
  const { log, signal, step, run, parameters } = context;
  const { clients, nodes, devnet, money, token } = infrastructure;

  const exits = await abortable(
    Promise.race([Promise.all(crew.members.map((member) => member.process.exited)), sleep(EXIT_TIMEOUT_MS).then(() => null)]),
    signal,
    "Waiting for the trainers to finish",
  );
  if (exits === null)
    throw new HubError(`Not every trainer exited within ${EXIT_TIMEOUT_MS / 1000} s of the job's end.`, { details: crew.lastLines() });
  for (const [i, member] of crew.members.entries()) {
    const status = exits[i]!;
    if (status.code !== 0 && !leftSlashed(member))
      throw new HubError(`${member.name} ended with ${describeExit(status)}.`, { details: member.lines.slice(-30).join("\n") });
    log.output(member.name, `exited (${describeExit(status)})`);
  }
  context.milestone("trainers done");

  const result = await step(publishResult(clients.sponsor, { jobId: training.jobId, signal }), "Publishing the trained model");
  const parents = await step(getAssetParents(clients.observer, { assetId: result.modelAssetId }), "Reading the model's lineage");
  const manifest = await step(loadManifest(nodes.observer, result.modelCid, { kind: "model", signal }), "Reading the model manifest");
  run.result = {
    assetId: result.modelAssetId,
    manifestCid: result.modelCid.toString(),
    parents,
    lineage: {
      datasets: manifest.lineage.datasets.map((cid) => cid.toString()),
      baseModel: manifest.lineage.baseModel?.toString() ?? null,
      job: manifest.lineage.job === null ? null : manifest.lineage.job.id.toString(),
    },
  };
  log.step(
    "sponsor",
    `published the trained model as asset ${result.modelAssetId} (manifest ${result.modelCid}), ` +
      `lineage: dataset asset ${market.dataset.assetId} and base model asset ${training.baseModel.assetId}`,
  );

  // The trainers withdrew after the claim period, so every round's claims are closed: nothing may stay in the contract.
  let swept = 0n;
  for (const round of run.rounds) {
    if (round.status !== "succeeded") continue;
    swept += (
      await step(sweepRound(clients.sponsor, { jobId: training.jobId, round: round.round, signal }), `Sweeping round ${round.round}`)
    ).amount;
  }
  const refund = await step(
    refundRemainder(clients.sponsor, { jobId: training.jobId, signal }).catch((error: unknown) => {
      if (error instanceof ContractRevertedError && error.errorName === "NothingToRefund") return { refund: 0n, burned: 0n };
      throw error;
    }),
    "Refunding the remainder",
  );
  const leftInContract = await readContract(clients.observer, {
    address: token.address!,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [devnet.deployment.contracts.TrainingJobs!.address],
  });
  run.closeOut = { swept, refunded: refund.refund, burned: refund.burned, leftInContract };
  log.step(
    "sponsor",
    `closed the job out: swept ${money(swept)} nobody claimed, refunded ${money(refund.refund)}, burned ${money(refund.burned)} ` +
      `of forfeited stake; the contract holds ${money(leftInContract)} of it now`,
  );

  crew.throwIfIndexerDied();
  await step(waitForIndexed(crew.indexerClient, { hash: result.hash, timeoutMs: 300_000, signal }), "Waiting for the indexer");
  context.milestone("indexed");
  const owed = owedRewards(run.rounds);
  const jobs = devnet.deployment.contracts.TrainingJobs!.address;
  for (const member of crew.members) {
    const claims = await getRewardClaims(clients.observer, { jobId: training.jobId, trainer: member.address });
    const received = await rewardsReceived(clients.observer, {
      token: token.address!,
      from: jobs,
      to: member.address,
      claimHashes: claims.map((claim) => claim.transactionHash),
    });
    const earnings = await getTrainerEarnings(crew.indexerClient, { account: member.address, signal });
    const reward: HubReward = {
      name: member.name,
      role: member.role,
      address: member.address,
      expected: owed.get(member.index) ?? 0n,
      claimed: claims.reduce((sum, claim) => sum + claim.amount, 0n),
      received,
      indexed: earnings.jobs.find((entry) => entry.jobId === training.jobId)?.rewardClaimed ?? 0n,
      indexedEarnings: earnings.earnings.find((entry) => entry.token.toLowerCase() === token.address!.toLowerCase())?.trainingRewards ?? 0n,
    };
    run.rewards.push(reward);
    log.step(reward.name, `claimed ${money(reward.claimed)} (received ${money(reward.received)}; indexer says ${money(reward.indexed)})`);
  }

  const graphql = { query: JOB_QUERY, variables: { id: training.jobId.toString() } };
  run.graphql = {
    ...graphql,
    answer: await step(queryIndexer(crew.indexerClient, graphql.query, graphql.variables, { signal }), "Querying the indexer"),
  };

  if (parameters.inspect) {
    await parameters.inspect({
      devnet,
      indexer: crew.indexerClient,
      client: clients.observer,
      peers: [...nodes.publisher.multiaddrs, ...nodes.sponsor.multiaddrs, ...nodes.observer.multiaddrs],
      workDir: context.workDir,
      run,
    });
  }
}

/**
 * What each trainer index may claim over the job's succeeded rounds, from the rounds as verified: the protocol's
 * reward share of every round whose finalized tuple includes it, with the samples it revealed.
 */
export function owedRewards(rounds: readonly HubRound[]): Map<number, bigint> {
  const owed = new Map<number, bigint>();
  for (const round of rounds) {
    if (round.status !== "succeeded") continue;
    for (const update of round.verification.updates) {
      if (!update.includedOnChain) continue;
      const share = rewardShare({ reward: round.reward, samples: update.samples, includedSamples: round.includedSamples });
      owed.set(update.trainerIndex, (owed.get(update.trainerIndex) ?? 0n) + share);
    }
  }
  return owed;
}

/** Tokens of `token` sent from `from` to `to` in the given transactions, read from their receipts' Transfer logs. */
async function rewardsReceived(
  client: MyceliumClient,
  parameters: { token: Address; from: Address; to: Address; claimHashes: readonly Hash[] },
): Promise<bigint> {
  let total = 0n;
  for (const hash of new Set(parameters.claimHashes)) {
    const receipt = await getTransactionReceipt(client, { hash });
    for (const transfer of parseEventLogs({ abi: erc20Abi, eventName: "Transfer", logs: receipt.logs })) {
      if (
        transfer.address.toLowerCase() === parameters.token.toLowerCase() &&
        transfer.args.from.toLowerCase() === parameters.from.toLowerCase() &&
        transfer.args.to.toLowerCase() === parameters.to.toLowerCase()
      ) {
        total += transfer.args.value;
      }
    }
  }
  return total;
}
