/**
 * The end of a trainer's part: claiming rewards (after every round or once at the end), withdrawing the stake when the
 * job allows it, and, when asked, serving what the node holds until stopped.
 */
import { claimRewards, getClaimableRounds, getJob, getTrainer, withdrawStake } from "@mycelium/client";
import type { TrainerSummary } from "./options.ts";
import type { TrainerSession } from "./session.ts";

export class Settlement {
  constructor(private readonly session: TrainerSession) {}

  /** Claims every round the chain says this trainer may claim (nothing when there is none). */
  async claim(): Promise<void> {
    const { session } = this;
    const { client, jobId } = session;
    const claimable = await session.retry("Finding claimable rounds", () => getClaimableRounds(client, { jobId }));
    if (claimable.rounds.length === 0) return;
    const sent = await session.step({
      step: "claim",
      round: null,
      isDone: async () => {
        const left = await getClaimableRounds(client, { jobId });
        return !claimable.rounds.some((round) => left.rounds.includes(round));
      },
      send: (tx) => claimRewards(client, { jobId, rounds: claimable.rounds, ...tx }),
    });
    if (sent.result === null) return;
    const { result } = sent;
    session.claimed += result.amount;
    await session.journal.update((state) => void state.claimTxs.push(result.hash));
    session.emit({ type: "claimed", rounds: result.rounds.map((round) => round.round), amount: result.amount, hash: result.hash });
  }

  /** After the last round: claims what is left, withdraws the stake, and serves until stopped when asked to. */
  async finish(): Promise<TrainerSummary> {
    const { session } = this;
    const { client, jobId } = session;
    if (session.index >= 0) {
      session.emit({ type: "job-ended", rounds: session.job.numRounds });
      await this.claim();
      let trainer = await session.retry("Reading this trainer", () => getTrainer(client, { jobId }));
      if (trainer.status === "slashed")
        session.emit({
          type: "warning",
          message:
            'this trainer is "slashed" in the job: its whole stake went to the forfeits (an update failed its replay audit, ' +
            "or a commitment was not revealed); there is no stake to withdraw",
        });
      const holds = trainer.status === "active" || trainer.status === "left";
      if (holds && !trainer.canWithdraw && trainer.pendingRound === null) {
        // Bonded to a reveal of the last rounds: the stake unlocks when the claim period after the end is over.
        const job = await session.retry("Reading the job", () => getJob(client, { jobId }));
        if (job.endedAt !== null) {
          const until = job.endedAt + BigInt(job.claimPeriod);
          session.emit({ type: "stake-locked", until });
          await session.clock.waitUntil(until, session.signal);
          trainer = await session.retry("Reading this trainer", () => getTrainer(client, { jobId }));
        }
      }
      if (trainer.canWithdraw) {
        await session.step({
          step: "withdraw",
          round: null,
          isDone: async () => (await getTrainer(client, { jobId })).status === "withdrawn",
          send: (tx) => withdrawStake(client, { jobId, ...tx }),
          recordState: (hash, state) => void (state.withdrawTx = hash),
          report: (hash, result) => {
            session.withdrawn += result?.amount ?? 0n;
            return { type: "withdrawn", amount: result?.amount ?? 0n, penalty: result?.penalty ?? 0n, hash };
          },
        });
      }
    }
    if (session.options.keepServing) {
      session.emit({ type: "serving", peerId: session.node.peerId, multiaddrs: session.node.multiaddrs });
      await new Promise<void>((resolve) => {
        if (session.signal.aborted) resolve();
        else session.signal.addEventListener("abort", () => resolve(), { once: true });
      });
    }
    return session.summary("job-ended");
  }
}
