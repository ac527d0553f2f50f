/**
 * Round windows for tests that no machine speed can break: the job gets long windows (minutes), and the conductor
 * moves the devnet's clock to the end of a window as soon as every trainer the test expects has done that window's
 * step (committed, revealed), read from the chain. A round then takes as long as the trainers need, on an idle machine
 * or a loaded one, and a window is missed only when a test makes a trainer miss it on purpose (it expects fewer
 * trainers, or a trainer is held back), never by accident.
 *
 * The attest window needs no help: a round is finalizable as soon as everyone who revealed has attested. When the
 * trainers stop making progress for `stallMs` (a trainer that crashed for good), the conductor ends the current window
 * anyway and says so, so a test fails on its assertions rather than hanging.
 */
import { getJob, getRound, sleep, trainingJobsAbi, type MyceliumClient } from "@mycelium/client";
import { getContractEvents } from "viem/actions";
import type { ChainTime } from "../network/testNetwork.ts";

export type ConductRoundsParameters = {
  client: MyceliumClient;
  time: ChainTime;
  jobId: bigint;
  /** Start round 0 once this many trainers have joined (default: wait for the job's own start time). */
  startWhenJoined?: number | undefined;
  /** How many commits each round waits for before the commit window is ended (a number, or per round). */
  committers: number | ((round: number) => number);
  /** End the current window when nothing has changed for this long (default 120 s): only a stuck run hits it. */
  stallMs?: number | undefined;
  /** What the conductor does, for logs and assertions. */
  onStep?: ((step: ConductorStep) => void) | undefined;
};

export type ConductorStep = {
  round: number;
  action: "started" | "ended-commit" | "ended-reveal" | "ended-attest" | "stalled";
  at: bigint;
  detail: string;
};

export type Conductor = {
  /** Everything the conductor did, in order. */
  readonly steps: ConductorStep[];
  /** Stops conducting (the job may go on at its own pace). */
  stop: () => Promise<void>;
};

export function conductRounds(parameters: ConductRoundsParameters): Conductor {
  const { client, time, jobId } = parameters;
  const stallMs = parameters.stallMs ?? 120_000;
  const steps: ConductorStep[] = [];
  const controller = new AbortController();
  const record = (step: ConductorStep) => {
    steps.push(step);
    parameters.onStep?.(step);
  };
  const expected = (round: number) => (typeof parameters.committers === "number" ? parameters.committers : parameters.committers(round));
  const jobs = client.deployment.contracts.TrainingJobs!.address;

  const loop = (async () => {
    let lastState = "";
    let lastChange = Date.now();
    while (!controller.signal.aborted) {
      const round = await getRound(client, { jobId });
      if (round.phase === "ended" || round.phase === "cancelled") return;
      const r = Number(round.round);
      const commits =
        round.phase === "commit"
          ? (
              await getContractEvents(client, {
                address: jobs,
                abi: trainingJobsAbi,
                eventName: "Committed",
                args: { jobId, round: round.round },
                fromBlock: 0n,
              })
            ).length
          : 0;
      const state = `${r}:${round.phase}:${commits}:${round.revealedCount}:${round.attestedCount}`;
      if (state !== lastState) {
        lastState = state;
        lastChange = Date.now();
      }
      const stalled = Date.now() - lastChange > stallMs;
      if (round.phase === "scheduled") {
        const joined = parameters.startWhenJoined !== undefined ? (await getJob(client, { jobId })).trainerCount : -1n;
        if (parameters.startWhenJoined !== undefined && joined >= BigInt(parameters.startWhenJoined)) {
          record({ round: r, action: "started", at: await time.advanceTo(round.start), detail: `${joined} trainers joined` });
        }
      } else if (round.phase === "commit" && (commits >= expected(r) || stalled)) {
        const at = await time.advanceTo(round.commitEnd);
        record({ round: r, action: stalled ? "stalled" : "ended-commit", at, detail: `${commits} of ${expected(r)} committed` });
      } else if (
        round.phase === "reveal" &&
        (round.revealedCount >= BigInt(await committedCount(client, jobs, jobId, round.round)) || stalled)
      ) {
        const at = await time.advanceTo(round.revealEnd);
        record({ round: r, action: stalled ? "stalled" : "ended-reveal", at, detail: `${round.revealedCount} revealed` });
      } else if (round.phase === "attest" && stalled) {
        const at = await time.advanceTo(round.attestEnd);
        record({ round: r, action: "stalled", at, detail: `${round.attestedCount} of ${round.revealedCount} attested` });
      }
      if (stalled) lastChange = Date.now();
      await sleep(200).catch(() => undefined);
    }
  })();
  loop.catch(() => undefined);
  return {
    steps,
    stop: async () => {
      controller.abort();
      await loop.catch(() => undefined);
    },
  };
}

async function committedCount(client: MyceliumClient, jobs: `0x${string}`, jobId: bigint, round: bigint): Promise<number> {
  return (
    await getContractEvents(client, { address: jobs, abi: trainingJobsAbi, eventName: "Committed", args: { jobId, round }, fromBlock: 0n })
  ).length;
}
