/**
 * Phase 5: the observer follows the job round by round. While a round runs it copies the round's revealed updates
 * and attested aggregates to its own node (the trainers are their only holders, and they leave once the job is over);
 * once the round is final it verifies it with the SDK's `verifyRound` (the same screening and rule the trainers
 * attest with) and scores the round's model on the test split.
 */
import {
  getAttestations,
  getReveals,
  getRoundResult,
  loadGlobalModel,
  loadManifest,
  loadModelArtifacts,
  maskIndices,
  pollUntil,
  verifyRound,
  type MyceliumClient,
  type RoundResult,
  type StorageNode,
} from "@mycelium/client";
import { createReplayAuditor, evaluateModel } from "@mycelium/trainer";
import { percent } from "../format.ts";
import { HubError, type HubRound, type PlayContext } from "../hub.ts";
import type { Infrastructure } from "./infrastructure.ts";
import type { TrainingJob } from "./job.ts";
import type { Crew } from "./trainers.ts";

/** How long one fetch of the observer's copy may take before it is left for the next poll. */
const MIRROR_ATTEMPT_MS = 5_000;

export async function followRounds(
  context: PlayContext,
  infrastructure: Infrastructure,
  training: TrainingJob,
  crew: Crew,
): Promise<HubRound[]> {
  const { log, signal, step, run, parameters } = context;
  const { clients, nodes, dataset, money } = infrastructure;
  const { windows } = training;
  const roundMs = (windows.commit + windows.reveal + windows.attest) * 1000;
  const timeoutMs = parameters.roundTimeoutMs ?? Math.max(600_000, 10 * roundMs);
  const nameOf = (index: number) => crew.members.find((member) => member.index === index)?.name ?? `#${index}`;
  let previous = { accuracy: training.baseScore.accuracy, loss: training.baseScore.loss };
  // The observer replays every audited update itself, as the trainers do: its verdicts are its own, not the chain's.
  const replay = createReplayAuditor({
    storage: nodes.observer,
    spec: training.spec,
    dataset: await step(
      loadManifest(nodes.observer, training.spec.dataset.manifest, { kind: "dataset", signal }),
      "Reading the dataset manifest",
    ),
  });

  for (let round = 0; round < parameters.rounds; round++) {
    const mirrored = new Set<string>();
    const result = await step(
      pollUntil(
        async (): Promise<RoundResult | undefined> => {
          const current = await getRoundResult(clients.observer, { jobId: training.jobId, round });
          if (current.status !== "pending") return current;
          crew.throwIfTrainerDied(`in round ${round}`);
          crew.throwIfIndexerDied();
          await mirrorRound(nodes.observer, clients.observer, training.jobId, round, mirrored, signal);
          return undefined;
        },
        {
          intervalMs: 250,
          timeoutMs,
          signal,
          onTimeout: () =>
            new HubError(`Round ${round} of job ${training.jobId} was not finalized within ${Math.round(timeoutMs / 1000)} s.`, {
              details: crew.lastLines(),
              hint: "The trainers' lines above say where they are; a busy machine may need longer windows (--verbose shows every line).",
            }),
        },
      ),
      `Waiting for round ${round}`,
    );
    const finalizedAt = context.elapsed();
    // Anything not copied yet (a round that ended between two polls) is fetched by verifyRound itself.
    const verification = await step(
      verifyRound(clients.observer, { storage: nodes.observer, jobId: training.jobId, round, replay, signal }),
      `Verifying round ${round}`,
    );
    let score = previous;
    if (result.status === "succeeded" && result.aggregateCid !== null) {
      const model = await step(loadGlobalModel(nodes.observer, result.aggregateCid, { signal }), `Loading the model of round ${round}`);
      score = await evaluateModel({ model: model.definition, data: dataset.test });
    }
    previous = score;
    const included =
      verification.onChain === null
        ? []
        : verification.updates.filter((update) => update.includedOnChain).map((update) => update.trainerIndex);
    const excluded = verification.updates.filter((update) => update.verdict !== "included");
    log.step(
      `round ${round}`,
      result.status === "succeeded"
        ? `model ${result.aggregateCid}: test accuracy ${percent(score.accuracy)}, loss ${score.loss.toFixed(3)}; ` +
            `included ${included.map(nameOf).join(", ")} ` +
            `(${result.includedSamples} samples)${
              excluded.length > 0
                ? `; excluded ${excluded.map((update) => `${nameOf(update.trainerIndex)} (${update.verdict})`).join(", ")}`
                : ""
            }; ` +
            `reward ${money(result.reward)}; ` +
            `replay audits ${verification.audits.map((audit) => `${nameOf(audit.trainerIndex)} ${audit.outcome}`).join(", ") || "none"}; ` +
            `${result.slashMask === 0n ? "" : `slashed ${maskIndices(result.slashMask).map(nameOf).join(", ")}; `}` +
            `verifyRound: ${verification.outcome}`
        : `failed (${result.status}): the model stays, the reward rolls over; verifyRound: ${verification.outcome}`,
    );
    if (verification.outcome !== "agrees")
      log.step(`round ${round}`, `verifyRound says ${verification.outcome}: ${verification.reasons.join("; ")}`);
    run.rounds.push({
      round,
      status: result.status,
      aggregateCid: result.aggregateCid?.toString() ?? null,
      includedMask: result.includedMask,
      included,
      includedSamples: result.includedSamples,
      reward: result.reward,
      slashed: maskIndices(result.slashMask),
      audits: verification.audits.map(({ trainerIndex, outcome, detail }) => ({ trainerIndex, outcome, detail })),
      accuracy: score.accuracy,
      loss: score.loss,
      finalizedAt,
      verification: {
        outcome: verification.outcome,
        recomputedCid: verification.recomputed.aggregateCid.toString(),
        includedMask: verification.recomputed.includedMask,
        includedSamples: verification.recomputed.includedSamples,
        updates: verification.updates,
        reasons: verification.reasons,
      },
    });
  }
  context.milestone("rounds done");
  return run.rounds;
}

/**
 * Copies a round's content into `storage` while the round is still open: every revealed update and every attested
 * aggregate, as soon as its event is on-chain. A CID in `mirrored` is not fetched again, and one that cannot be
 * fetched yet (a trainer still storing it) is tried again on the next call.
 */
async function mirrorRound(
  storage: StorageNode,
  client: MyceliumClient,
  jobId: bigint,
  round: number,
  mirrored: Set<string>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const [reveals, attestations] = await Promise.all([getReveals(client, { jobId, round }), getAttestations(client, { jobId, round })]);
  const wanted = [
    ...reveals.flatMap((reveal) => (reveal.updateCid === null ? [] : [{ cid: reveal.updateCid.toString(), kind: "update" as const }])),
    ...attestations.flatMap((attestation) =>
      attestation.aggregateCid === null ? [] : [{ cid: attestation.aggregateCid.toString(), kind: "model" as const }],
    ),
  ].filter((entry) => !mirrored.has(entry.cid));
  for (const { cid, kind } of wanted) {
    const attempt = AbortSignal.any([AbortSignal.timeout(MIRROR_ATTEMPT_MS), ...(signal ? [signal] : [])]);
    try {
      const manifest = await loadManifest(storage, cid, { kind, signal: attempt });
      await loadModelArtifacts(storage, manifest.model, { signal: attempt });
      mirrored.add(cid);
    } catch (error) {
      if (signal?.aborted) throw error;
    }
  }
}
