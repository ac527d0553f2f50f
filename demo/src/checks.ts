/**
 * What makes a hub run honest, checked on its record: the run reached its end; every round succeeded and the SDK's
 * `verifyRound` agrees with its finalized tuple; adversaries were excluded from every aggregate and honest trainers
 * included; the model got better; every trainer received exactly what the round results entitle it to, and the
 * indexer says the same; the trained model is an asset whose lineage names the dataset and the base model.
 * `npm run demo` fails when one does not hold; the end-to-end test asserts them too. A run that stopped early is
 * checked as far as it got: what it did not reach is a failed check that names the phase that failed.
 */
import { percent, sum } from "./format.ts";
import type { HubRun } from "./hub.ts";

export type Check = { name: string; ok: boolean; detail: string };

export type CheckExpectations = {
  /** The final model's test accuracy must beat the base model's by at least this much (0.2 = 20 points). */
  minAccuracyGain: number;
  /** No round may lose more test accuracy than this against the round before. */
  maxAccuracyDrop: number;
};

export function checkRun(run: HubRun, expectations: CheckExpectations): Check[] {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const { rounds, trainers, rewards } = run;
  const notReached = run.failure === null ? "not reached" : `not reached: the run stopped in its ${run.failure.phase} phase`;
  check(
    "the run reached its end",
    run.failure === null,
    run.failure === null
      ? `every phase done: ${run.phases.map((phase) => `${phase.name} ${phase.seconds} s`).join(", ")}`
      : `the ${run.failure.phase} phase failed: ${run.failure.message.split("\n")[0]}`,
  );
  const { job, baseModel, dataset, result, graphql } = run;
  if (job === undefined || baseModel === undefined || dataset === undefined) {
    check("the rounds of the job", false, notReached);
    return checks;
  }

  const failed = rounds.filter((round) => round.status !== "succeeded");
  check(
    "every round succeeded",
    failed.length === 0 && rounds.length === job.numRounds,
    failed.length === 0
      ? `${rounds.length} of ${job.numRounds} rounds`
      : `failed: ${failed.map((round) => `${round.round} (${round.status})`).join(", ")}`,
  );

  const disputed = rounds.filter((round) => round.verification.outcome !== "agrees");
  check(
    "verifyRound agrees with every round's finalized tuple",
    disputed.length === 0 && rounds.length > 0,
    disputed.length === 0
      ? `recomputed from ${rounds.reduce((sum, round) => sum + round.verification.updates.length, 0)} revealed updates: ` +
          "same aggregate CID, mask, samples and slash mask in every round"
      : disputed
          .map((round) => `round ${round.round}: ${round.verification.outcome} (${round.verification.reasons.join("; ")})`)
          .join("; "),
  );

  const adversaries = trainers.filter((trainer) => trainer.role !== "honest");
  const honest = trainers.filter((trainer) => trainer.role === "honest");
  const adversaryIncluded = rounds.filter((round) => adversaries.some((trainer) => round.included.includes(trainer.index)));
  if (adversaries.length > 0) {
    check(
      "adversaries excluded from every aggregate",
      adversaryIncluded.length === 0,
      adversaryIncluded.length === 0
        ? `${adversaries.map((trainer) => trainer.name).join(", ")} excluded in all ${rounds.length} rounds (${reasonsOf(
            run,
            adversaries.map((trainer) => trainer.index),
          )})`
        : `included in round(s) ${adversaryIncluded.map((round) => round.round).join(", ")}`,
    );
  }
  const slashedHonest = rounds.filter((round) => honest.some((trainer) => round.slashed.includes(trainer.index)));
  // Every adversary here sends weights its declared work does not produce: once audited, it must be slashed.
  const expectedSlashed = adversaries.filter(
    (trainer) =>
      rounds.some((round) => round.audits.some((audit) => audit.trainerIndex === trainer.index)) &&
      !rounds.some((round) => round.slashed.includes(trainer.index)),
  );
  check(
    "replay audits slash the cheaters, never an honest trainer",
    slashedHonest.length === 0 && expectedSlashed.length === 0,
    slashedHonest.length > 0
      ? `an honest trainer slashed in round(s) ${slashedHonest.map((round) => round.round).join(", ")}`
      : expectedSlashed.length > 0
        ? `audited and never slashed: ${expectedSlashed.map((trainer) => trainer.name).join(", ")}`
        : `slashed: ${
            rounds
              .flatMap((round) =>
                round.slashed.map((index) => `${trainers.find((t) => t.index === index)?.name ?? `#${index}`} (round ${round.round})`),
              )
              .join(", ") || "nobody"
          }; ${rounds.reduce((sum, round) => sum + round.audits.length, 0)} replays by the observer`,
  );
  const honestLeftOut = rounds.filter(
    (round) => round.status === "succeeded" && honest.some((trainer) => !round.included.includes(trainer.index)),
  );
  check(
    "honest trainers included in every aggregate",
    honestLeftOut.length === 0,
    honestLeftOut.length === 0
      ? `${honest.map((trainer) => trainer.name).join(", ")} in every round`
      : `left out in round(s) ${honestLeftOut.map((round) => round.round).join(", ")}`,
  );

  const accuracies = [baseModel.accuracy, ...rounds.map((round) => round.accuracy)];
  const gain = accuracies.at(-1)! - accuracies[0]!;
  const worstDrop = Math.max(0, ...accuracies.slice(1).map((accuracy, i) => accuracies[i]! - accuracy));
  check(
    "test accuracy rises over the rounds",
    gain >= expectations.minAccuracyGain && worstDrop <= expectations.maxAccuracyDrop,
    `${accuracies.map(percent).join(" -> ")} (gain ${percent(gain)}, at least ${percent(expectations.minAccuracyGain)}; ` +
      `largest drop ${percent(worstDrop)}, at most ${percent(expectations.maxAccuracyDrop)})`,
  );

  if (result === undefined || graphql === undefined) {
    check("rewards, the indexer and the trained model", false, notReached);
    return checks;
  }
  const wrongPay = rewards.filter(
    (reward) => !(reward.claimed === reward.expected && reward.received === reward.expected && reward.indexed === reward.expected),
  );
  check(
    "each trainer received exactly its share, and the indexer agrees",
    wrongPay.length === 0,
    wrongPay.length === 0
      ? `claimed = tokens received = indexer's count = share owed, for ${rewards.length} trainers`
      : wrongPay
          .map(
            (reward) =>
              `${reward.name}: owed ${reward.expected}, claimed ${reward.claimed}, received ${reward.received}, indexer ${reward.indexed}`,
          )
          .join("; "),
  );
  const unpaid = rewards.filter((reward) => reward.role === "honest" && reward.received === 0n);
  const paidAdversaries = rewards.filter((reward) => reward.role !== "honest" && reward.received !== 0n);
  check(
    "honest trainers paid, adversaries not",
    unpaid.length === 0 && paidAdversaries.length === 0,
    unpaid.length + paidAdversaries.length === 0
      ? `${rewards.filter((reward) => reward.received > 0n).length} trainers paid ` +
          `${sum(rewards.map((reward) => reward.received))} units in total`
      : `unpaid: ${unpaid.map((reward) => reward.name).join(", ") || "none"}; ` +
          `paid adversaries: ${paidAdversaries.map((reward) => reward.name).join(", ") || "none"}`,
  );

  const indexed = (graphql.answer as { job?: IndexedJob | null }).job;
  const indexerIssues: string[] = [];
  if (!indexed) {
    indexerIssues.push("the indexer does not know the job");
  } else {
    if (indexed.status !== "ended") indexerIssues.push(`status ${indexed.status}`);
    if (indexed.roundsSucceeded !== rounds.filter((round) => round.status === "succeeded").length)
      indexerIssues.push(`roundsSucceeded ${indexed.roundsSucceeded}`);
    if (BigInt(indexed.rewardClaimed) !== sum(rewards.map((reward) => reward.claimed)))
      indexerIssues.push(`rewardClaimed ${indexed.rewardClaimed}`);
    for (const round of rounds) {
      const row = indexed.rounds.items.find((item) => item.round === round.round);
      if (!row) indexerIssues.push(`round ${round.round} missing`);
      else if (
        row.aggregateCid !== round.aggregateCid ||
        BigInt(row.includedMask ?? -1) !== round.includedMask ||
        BigInt(row.reward ?? -1) !== round.reward
      )
        indexerIssues.push(`round ${round.round} differs`);
    }
    for (const reward of rewards) {
      const row = indexed.trainers.items.find((item) => item.account.toLowerCase() === reward.address.toLowerCase());
      if (!row || BigInt(row.rewardClaimed) !== reward.claimed) indexerIssues.push(`${reward.name}'s rewardClaimed ${row?.rewardClaimed}`);
    }
    if (indexed.resultAsset?.manifestCid !== result.manifestCid) indexerIssues.push(`result asset ${indexed.resultAsset?.manifestCid}`);
  }
  check(
    "the indexer's job matches the chain",
    indexerIssues.length === 0,
    indexerIssues.length === 0 ? "status, rounds (model, mask, reward), claims per trainer and the result asset" : indexerIssues.join("; "),
  );

  const closeOut = run.closeOut;
  check(
    "nothing is stuck: after the claim period, sweeps and the refund, the contract holds none of the job's token",
    closeOut !== undefined && closeOut.leftInContract === 0n,
    closeOut === undefined
      ? notReached
      : `swept ${closeOut.swept} units nobody claimed, refunded ${closeOut.refunded}, burned ${closeOut.burned}; ` +
          `${closeOut.leftInContract} left in the contract`,
  );

  const lastModel = [...rounds].reverse().find((round) => round.status === "succeeded")?.aggregateCid;
  const parents = result.parents.map(String).sort();
  const lineageOk =
    result.manifestCid === lastModel &&
    parents.join() === [String(dataset.assetId), String(baseModel.assetId)].sort().join() &&
    result.lineage.datasets.join() === dataset.manifestCid &&
    result.lineage.baseModel === baseModel.manifestCid;
  check(
    "the trained model is an asset with lineage to the dataset and the base model",
    lineageOk,
    `asset ${result.assetId}, manifest ${result.manifestCid}, parents ${parents.join(", ")}, ` +
      `lineage datasets ${result.lineage.datasets.join(", ")}, base model ${result.lineage.baseModel}`,
  );
  return checks;
}

/** Why the given trainer indices were excluded, over all rounds: "outlier x5". */
function reasonsOf(run: HubRun, indices: readonly number[]): string {
  const counts = new Map<string, number>();
  for (const round of run.rounds) {
    for (const update of round.verification.updates) {
      if (indices.includes(update.trainerIndex) && update.verdict !== "included")
        counts.set(update.verdict, (counts.get(update.verdict) ?? 0) + 1);
    }
  }
  return [...counts].map(([reason, count]) => `${reason} x${count}`).join(", ") || "never revealed";
}

type IndexedJob = {
  status: string;
  roundsSucceeded: number;
  rewardClaimed: string;
  resultAsset: { manifestCid: string } | null;
  rounds: { items: { round: number; aggregateCid: string | null; includedMask: string | null; reward: string | null }[] };
  trainers: { items: { account: string; rewardClaimed: string }[] };
};
