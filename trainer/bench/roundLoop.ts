/**
 * The round loop under measurement, for `npm run bench:training`: a real job on a devnet (Hardhat JSON-RPC server in a
 * child process), the dataset and base model published from a Helia node on loopback, and N trainers as separate OS
 * processes (the shipped CLI, through the devkit's trainer entry) playing every round: fetch, train, store, commit,
 * reveal, fetch the others' updates, aggregate, attest, finalize, claim.
 *
 * roundOverheadFraction: for every trainer and round, the share of the round's wall time (from the finalization of the
 * previous round, or the start of round 0, to this round's finalization, as the trainer saw them) in which the trainer
 * was not running local training (its training-started .. training-finished intervals, any round's, clipped to the
 * round). Local work is in seconds, so training fills the commit window on any hardware; the rest of a round is the
 * reveal window, fetching and aggregating the updates, attesting and finalizing, and the margin kept for committing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TensorDataset } from "@mycelium/client";
import { denseClassifierTopology } from "../src/index.ts";
import { devnetPrivateKey, TrainerProcess, type JsonEvent } from "@mycelium/devkit";
import { createJobFixture, fundTrainers, startJobNetwork } from "../test/harness/job.ts";

export type RoundLoopParameters = {
  train: TensorDataset;
  test: TensorDataset;
  samplesPerShard: number;
  trainers: number;
  shardsPerTrainer: number;
  rounds: number;
  windows: { commit: number; reveal: number; attest: number };
  seed: number;
  log: (message: string) => void;
  /** Receives every line the trainer processes print (BENCH_TRACE=1 in bench:training). */
  trace?: ((line: string) => void) | undefined;
};

export type RoundLoopResult = {
  roundOverheadFraction: number;
  overheadByRound: number[];
  /** Mean per trainer and round, in seconds. */
  meanRoundSeconds: number;
  meanTrainingSecondsPerRound: number;
  meanDataLoadMs: number;
  meanAggregationMs: number;
  /** Replays per trainer and round (others' updates), and the mean wall time of one. */
  replaysPerTrainerRound: number;
  meanReplayMs: number;
  /** Validation accuracy of each round's aggregate (every trainer computed the same). */
  accuracyByRound: number[];
  samplesPerSecPerTrainer: number;
  wallSeconds: number;
};

/** 30 test USDC (6 decimals). */
const REWARD_PER_ROUND = 30_000_000n;

export async function measureRoundLoop(params: RoundLoopParameters): Promise<RoundLoopResult> {
  const { log } = params;
  const started = performance.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "myc-bench-loop-"));
  const network = await startJobNetwork(work);
  const processes: TrainerProcess[] = [];
  try {
    const accounts = Array.from({ length: params.trainers }, (_, i) => 2 + i);
    await fundTrainers(network, accounts);
    const fixture = await createJobFixture(network, {
      dataset: { train: params.train, test: params.test, samplesPerShard: params.samplesPerShard, name: "Fashion-MNIST (bench)" },
      topology: denseClassifierTopology({ inputs: 784, hidden: [128], classes: 10 }),
      modelSeed: params.seed,
      spec: {
        optimizer: { name: "adam", learningRate: 0.001 },
        batchSize: 32,
        local: { unit: "seconds", count: params.windows.commit },
        shardsPerTrainer: params.shardsPerTrainer,
        seed: params.seed,
      },
      job: {
        rounds: params.rounds,
        commitWindow: params.windows.commit,
        revealWindow: params.windows.reveal,
        attestWindow: params.windows.attest,
        maxTrainers: params.trainers,
        // One replay audit per round (the least the stake bound allows at a stake of two round rewards).
        rewardPerRound: REWARD_PER_ROUND,
        minStake: 2n * REWARD_PER_ROUND,
        startIn: 20,
      },
    });
    log(
      `round loop: job ${fixture.jobId}, ${params.trainers} trainer processes, ${params.rounds} rounds, ` +
        `windows ${params.windows.commit}/${params.windows.reveal}/${params.windows.attest} s`,
    );
    for (const account of accounts) {
      processes.push(
        new TrainerProcess({
          name: `trainer ${account}`,
          args: [
            "--job",
            fixture.jobId.toString(),
            "--data-dir",
            path.join(work, `trainer${account}`),
            "--network",
            "loopback",
            "--peer",
            network.publisher.multiaddrs[0]!,
            "--backend",
            "wasm",
          ],
          env: { MYC_PRIVATE_KEY: devnetPrivateKey(account), MYC_DEPLOYMENT: network.deploymentFile },
          log: params.trace,
        }),
      );
    }
    const timeoutMs = (20 + params.rounds * (params.windows.commit + params.windows.reveal + params.windows.attest) + 120) * 1000;
    for (let round = 0; round < params.rounds; round++) {
      await Promise.all(
        processes.map((trainer) =>
          trainer.waitFor((event) => event.type === "finalized" && event.round === round, timeoutMs, `round ${round}'s finalization`),
        ),
      );
      const accuracy = processes[0]!.events.find((event) => event.type === "evaluated" && event.round === round)?.accuracy;
      log(
        `round loop: round ${round + 1}/${params.rounds} finalized` +
          `${typeof accuracy === "number" ? `, validation accuracy ${(accuracy * 100).toFixed(2)}%` : ""}`,
      );
    }
    await Promise.all(processes.map((trainer) => trainer.waitFor((event) => event.type === "summary", 120_000, "the end of the job")));
    const codes = await Promise.all(processes.map((trainer) => trainer.exited));
    if (codes.some((code) => code !== 0)) throw new Error(`trainer processes exited with ${codes.join(", ")}`);

    const overheads: number[][] = Array.from({ length: params.rounds }, () => []);
    const roundSeconds: number[] = [];
    const trainingSeconds: number[] = [];
    let visits = 0;
    let visitMs = 0;
    for (const trainer of processes) {
      const intervals = trainingIntervals(trainer.events);
      for (const interval of intervals) {
        visits += interval.visits;
        visitMs += interval.to - interval.from;
      }
      for (let round = 0; round < params.rounds; round++) {
        const from = round === 0 ? only(trainer.events, "round-started", 0).time : only(trainer.events, "finalized", round - 1).time;
        const to = only(trainer.events, "finalized", round).time;
        const training = intervals.reduce(
          (sum, interval) => sum + Math.max(0, Math.min(to, interval.to) - Math.max(from, interval.from)),
          0,
        );
        overheads[round]!.push(1 - training / (to - from));
        roundSeconds.push((to - from) / 1000);
        trainingSeconds.push(training / 1000);
      }
    }
    const events = processes.flatMap((trainer) => trainer.events);
    const replays = events.filter((event) => event.type === "audited" && (event.ms as number) > 0);
    return {
      roundOverheadFraction: mean(overheads.flat()),
      overheadByRound: overheads.map(mean),
      meanRoundSeconds: mean(roundSeconds),
      meanTrainingSecondsPerRound: mean(trainingSeconds),
      meanDataLoadMs: mean(events.filter((event) => event.type === "data-loaded").map((event) => event.ms as number)),
      meanAggregationMs: mean(events.filter((event) => event.type === "aggregated").map((event) => event.ms as number)),
      replaysPerTrainerRound: replays.length / (params.trainers * params.rounds),
      meanReplayMs: replays.length === 0 ? 0 : mean(replays.map((event) => event.ms as number)),
      accuracyByRound: Array.from(
        { length: params.rounds },
        (_, round) => only(processes[0]!.events, "evaluated", round).accuracy as number,
      ),
      samplesPerSecPerTrainer: Math.round(visits / (visitMs / 1000)),
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    for (const trainer of processes) trainer.kill("SIGKILL");
    await Promise.all(processes.map((trainer) => trainer.exited));
    await network.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Finished local trainings of a trainer (aborted early ones count as not training), with their sample visits. */
function trainingIntervals(events: readonly JsonEvent[]): { from: number; to: number; visits: number }[] {
  const intervals: { from: number; to: number; visits: number }[] = [];
  const open = new Map<string, number>();
  for (const event of events) {
    const key = `${String(event.round)}/${String(event.speculative)}`;
    if (event.type === "training-started") open.set(key, event.time);
    if (event.type === "training-finished" && open.has(key)) {
      intervals.push({ from: open.get(key)!, to: event.time, visits: event.sampleVisits as number });
      open.delete(key);
    }
  }
  return intervals;
}

function only(events: readonly JsonEvent[], type: JsonEvent["type"], round: number): JsonEvent {
  const found = events.find((event) => event.type === type && event.round === round);
  if (!found) throw new Error(`no ${type} event of round ${round} in a trainer's log`);
  return found;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
