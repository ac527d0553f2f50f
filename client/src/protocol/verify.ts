/**
 * `verifyRound`: anyone's check of a round, with the same code the trainers attest with. It reads the round's reveals
 * and its finalized tuple from the chain, fetches every revealed update (each block verified against its CID), screens
 * and aggregates them by the job's rule, stores the aggregate canonically and compares the tuple it gets with the one
 * the chain finalized.
 *
 * Outcomes:
 * - `agrees`: the recomputed `(aggregateCid, includedMask, includedSamples, slashMask)` is the finalized one, bit for bit.
 *
 * Audited updates are replayed with the caller's `replay` (the trainer package's `createReplayAuditor`); a verifier
 * without TF.js passes none and takes the finalized slash mask's verdict for them, which the report says
 * (`audits[].replayed: false`): everything else is still recomputed.
 * - `disagrees`: every update was fetched and the recomputed tuple differs: the attested quorum was wrong (or lied).
 * - `inconclusive`: the tuples differ and some update could not be fetched here. Availability is what each party
 *   observes: the attesters may have had an update this verifier could not get (its holders went offline), so the
 *   difference proves nothing. Fetch it from another peer and verify again.
 * - `failed-round`: no tuple reached the quorum; the model stayed as it was and the reward rolled over. Nothing to
 *   compare (the recomputed tuple is still reported: what an honest trainer would have attested).
 * - `pending`: the round is not finalized yet; the recomputed tuple is what an honest trainer attests now.
 */
import type { CID } from "multiformats/cid";
import type { Address } from "viem";
import { getJob, type Job } from "../actions/getJob.ts";
import { getJobCreationBlock } from "../actions/getJobCreationBlock.ts";
import { getReveals } from "../actions/getReveals.ts";
import { getRoundResult, type RoundResult } from "../actions/getRoundResult.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { throwIfAborted } from "../errors/base.ts";
import type { BlockStorage } from "../storage/blocks.ts";
import type { StorageNode } from "../storage/node.ts";
import { getPeerInfo } from "../actions/getPeerInfo.ts";
import { dialableAddresses } from "./peers.ts";
import type { ExclusionReason } from "./aggregate.ts";
import { computeRoundAggregate, loadGlobalModel, type GlobalModel, type JobIdentity } from "./content.ts";
import type { RoundStatus } from "./enums.ts";
import { computeRoundSeed, maskIndices } from "./hashes.ts";
import { screenRound, type AuditRecord, type ReplayAuditor } from "./roundAudits.ts";
import type { TrainingSpec } from "./spec.ts";
import { loadTrainingSpec } from "./specStore.ts";

export type VerificationOutcome = "agrees" | "disagrees" | "inconclusive" | "failed-round" | "pending";

/** What the verifier found about one revealed update. */
export type UpdateCheck = {
  trainerIndex: number;
  trainer: Address;
  /** The revealed CID, or the raw revealed bytes when they are not a CID. */
  updateCid: string;
  samples: bigint;
  /** Whether this verifier could fetch and parse it (an unavailable update is excluded from its recomputation). */
  fetched: boolean;
  /** The rule's verdict in the recomputation. */
  verdict: "included" | ExclusionReason;
  detail: string;
  /** Distance to the coordinate-wise median, for updates the robust filter looked at. */
  distance: number | null;
  /** Whether the finalized tuple includes it (false when the round has no finalized tuple). */
  includedOnChain: boolean;
};

export type RoundTuple = { aggregateCid: CID; includedMask: bigint; includedSamples: bigint; slashMask: bigint };

export type RoundVerification = {
  jobId: bigint;
  round: number;
  status: RoundStatus | `unknown(${number})`;
  /** The global model the round started from (its manifest CID). */
  baseModel: CID;
  /** The finalized tuple, or null when the round failed or is pending. */
  onChain: RoundTuple | null;
  /** The tuple recomputed here. */
  recomputed: RoundTuple & { medianDistance: number | null; threshold: number | null };
  updates: UpdateCheck[];
  /** The round's replay audits: the drawn updates and every late reveal, with this verifier's (or the chain's) verdict. */
  audits: (AuditRecord & { replayed: boolean })[];
  /** Trainer indices whose updates this verifier could not fetch or parse. */
  unavailable: number[];
  outcome: VerificationOutcome;
  /** True for `agrees`, false for `disagrees`, null otherwise. */
  agrees: boolean | null;
  /** Sentences explaining the outcome. */
  reasons: string[];
};

export type VerifyProgressEvent =
  | { type: "round"; round: number; reveals: number }
  | { type: "update"; round: number; trainerIndex: number; fetched: boolean; detail: string }
  | { type: "verified"; round: number; outcome: VerificationOutcome };

export type VerifyRoundParameters = {
  /**
   * Where updates are fetched from and the recomputed aggregate is stored: a storage node (which first dials the
   * trainers at the addresses they registered on-chain, so it can fetch from them), or any block storage.
   */
  storage: BlockStorage | StorageNode;
  jobId: bigint | number;
  round: bigint | number;
  /** How long one update may take to arrive (default 60 s). */
  fetchTimeoutMs?: number | undefined;
  /**
   * Replays an audited update (the trainer package's `createReplayAuditor`). Without it the finalized slash mask's
   * verdict is taken for audited updates (reported as not replayed).
   */
  replay?: ReplayAuditor | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((event: VerifyProgressEvent) => void) | undefined;
};

export type VerifyRoundReturnType = RoundVerification;

/** Verifies one round of a job (see the module comment for the outcomes). */
export async function verifyRound(client: MyceliumClient, parameters: VerifyRoundParameters): Promise<VerifyRoundReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const round = Number(toId(parameters.round, "round"));
  const context = await jobContext(client, parameters.storage, jobId, parameters.signal);
  const baseModel = await modelAtStartOf(client, context.job, round);
  const global = await loadGlobalModel(parameters.storage, baseModel, { signal: parameters.signal });
  return verifyFrom(client, context, global, round, parameters);
}

export type JobVerification = {
  jobId: bigint;
  /** One report per round that has started, in order. */
  rounds: RoundVerification[];
  /** The worst round outcome: disagrees > inconclusive > agrees (failed and pending rounds do not count). */
  outcome: "agrees" | "disagrees" | "inconclusive" | "nothing-to-verify";
  agrees: boolean | null;
};

export type VerifyJobParameters = Omit<VerifyRoundParameters, "round">;

export type VerifyJobReturnType = JobVerification;

/**
 * Verifies every round of a job that has started, in order. Each round is checked against the model the chain says it
 * started from (the previous finalized aggregate), so one wrong round does not make every later one look wrong.
 */
export async function verifyJob(client: MyceliumClient, parameters: VerifyJobParameters): Promise<VerifyJobReturnType> {
  const jobId = toId(parameters.jobId, "jobId");
  const context = await jobContext(client, parameters.storage, jobId, parameters.signal);
  const last = Math.min(Number(context.job.currentRound), context.job.numRounds - 1);
  const rounds: RoundVerification[] = [];
  let modelCid = context.job.baseModelCid;
  for (let round = 0; round <= last; round++) {
    throwIfAborted(parameters.signal, "Verifying the job");
    const global = await loadGlobalModel(parameters.storage, modelCid, { signal: parameters.signal });
    const report = await verifyFrom(client, context, global, round, parameters);
    rounds.push(report);
    if (report.onChain !== null) modelCid = report.onChain.aggregateCid;
  }
  const outcomes = new Set(rounds.map((report) => report.outcome));
  const outcome = outcomes.has("disagrees")
    ? "disagrees"
    : outcomes.has("inconclusive")
      ? "inconclusive"
      : outcomes.has("agrees")
        ? "agrees"
        : "nothing-to-verify";
  return { jobId, rounds, outcome, agrees: outcome === "agrees" ? true : outcome === "disagrees" ? false : null };
}

type JobContext = { job: Job; spec: TrainingSpec; identity: JobIdentity; fromBlock: bigint };

async function jobContext(
  client: MyceliumClient,
  storage: BlockStorage | StorageNode,
  jobId: bigint,
  signal: AbortSignal | undefined,
): Promise<JobContext> {
  const [job, fromBlock] = await Promise.all([getJob(client, { jobId }), getJobCreationBlock(client, { jobId })]);
  if ("dial" in storage) await connectToTrainers(client, storage, jobId, fromBlock, signal);
  const spec = await loadTrainingSpec(storage, job.specCid, { signal });
  const identity = { chainId: client.chain.id, contract: contractAddress(client.deployment, "TrainingJobs"), id: jobId };
  return { job, spec, identity, fromBlock };
}

/** Dials every trainer of the job at the libp2p addresses it registered (failures are fine: others may serve it). */
async function connectToTrainers(
  client: MyceliumClient,
  node: StorageNode,
  jobId: bigint,
  fromBlock: bigint,
  signal: AbortSignal | undefined,
): Promise<void> {
  const peers = await getPeerInfo(client, { jobId, fromBlock });
  const connected = new Set(node.connectedPeers());
  await Promise.all(
    [...peers.values()]
      .filter((peer) => peer.peerId !== node.peerId && !connected.has(peer.peerId))
      .map(async (peer) => {
        for (const address of dialableAddresses(peer.peerId, peer.addrs)) {
          const attempt = AbortSignal.any([AbortSignal.timeout(DIAL_TIMEOUT_MS), ...(signal ? [signal] : [])]);
          if (
            await node.dial(address, { signal: attempt }).then(
              () => true,
              () => false,
            )
          )
            return;
        }
      }),
  );
}

/** How long one dial of a trainer may take. */
const DIAL_TIMEOUT_MS = 5_000;

/** The global model round `round` started from: the aggregate of the last successful round before it, or the base model. */
async function modelAtStartOf(client: MyceliumClient, job: Job, round: number): Promise<CID> {
  for (let earlier = round - 1; earlier >= 0; earlier--) {
    const result = await getRoundResult(client, { jobId: job.id, round: earlier });
    if (result.status === "succeeded" && result.aggregateCid !== null) return result.aggregateCid;
  }
  return job.baseModelCid;
}

async function verifyFrom(
  client: MyceliumClient,
  context: JobContext,
  global: GlobalModel,
  round: number,
  parameters: Omit<VerifyRoundParameters, "jobId" | "round">,
): Promise<RoundVerification> {
  const { storage, signal, onProgress } = parameters;
  const jobId = context.job.id;
  const [allReveals, result] = await Promise.all([
    getReveals(client, { jobId, round, fromBlock: context.fromBlock, includeLate: true }),
    getRoundResult(client, { jobId, round }),
  ]);
  const reveals = allReveals.filter((reveal) => !reveal.late);
  onProgress?.({ type: "round", round, reveals: reveals.length });
  const chainVerdict: ReplayAuditor = async ({ reveal }) =>
    (result.slashMask >> BigInt(reveal.trainerIndex)) & 1n
      ? { matches: false, detail: "not replayed here: the finalized slash mask names it" }
      : { matches: true, detail: "not replayed here: the finalized slash mask does not name it" };
  const screened = await screenRound(storage, {
    reveals: allReveals,
    global,
    job: context.identity,
    round,
    roundSeed: computeRoundSeed({
      chainId: context.identity.chainId,
      contract: context.identity.contract,
      jobId,
      round,
      modelCid: global.cid,
    }),
    auditsPerRound: context.job.auditsPerRound,
    replay: parameters.replay ?? chainVerdict,
    deadline: Date.now() + (parameters.fetchTimeoutMs ?? 60_000),
    signal,
  });
  // Every on-time reveal has one entry in the screened updates; those this verifier could not fetch say why.
  const missing = new Map<number, string>();
  for (const update of screened.updates) if ("unavailable" in update) missing.set(update.trainerIndex, update.unavailable);
  for (const { trainerIndex } of reveals) {
    const detail = missing.get(trainerIndex);
    onProgress?.({ type: "update", round, trainerIndex, fetched: detail === undefined, detail: detail ?? "fetched" });
  }
  const aggregate = await computeRoundAggregate(storage, {
    global,
    updates: screened.updates,
    audited: screened.audited,
    rule: context.spec.aggregation,
    job: context.identity,
    round,
    baseModel: context.job.baseModelCid,
    dataset: context.spec.dataset.manifest,
    signal,
  });
  const onChain = tupleOf(result);
  const onChainIndices = new Set(onChain === null ? [] : maskIndices(onChain.includedMask));
  const checks: UpdateCheck[] = reveals.map((reveal) => {
    const verdict = aggregate.verdicts.find((entry) => entry.trainerIndex === reveal.trainerIndex)!;
    return {
      trainerIndex: reveal.trainerIndex,
      trainer: reveal.trainer,
      updateCid: reveal.updateCid?.toString() ?? reveal.rawCid,
      samples: reveal.samples,
      fetched: !missing.has(reveal.trainerIndex),
      verdict: verdict.reason,
      detail: verdict.detail,
      distance: verdict.distance,
      includedOnChain: onChainIndices.has(reveal.trainerIndex),
    };
  });
  const unavailable = checks.filter((check) => !check.fetched).map((check) => check.trainerIndex);
  const recomputed = {
    aggregateCid: aggregate.cid,
    includedMask: aggregate.includedMask,
    includedSamples: aggregate.includedSamples,
    slashMask: aggregate.slashMask,
    medianDistance: aggregate.medianDistance,
    threshold: aggregate.threshold,
  };
  const { outcome, reasons } = judge(result, onChain, recomputed, checks, unavailable);
  onProgress?.({ type: "verified", round, outcome });
  return {
    jobId,
    round,
    status: result.status,
    baseModel: global.cid,
    onChain,
    recomputed,
    updates: checks,
    audits: screened.audits.map((audit) => ({ ...audit, replayed: parameters.replay !== undefined && audit.outcome !== "unavailable" })),
    unavailable,
    outcome,
    agrees: outcome === "agrees" ? true : outcome === "disagrees" ? false : null,
    reasons,
  };
}

function tupleOf(result: RoundResult): RoundTuple | null {
  if (result.status !== "succeeded" || result.aggregateCid === null) return null;
  return {
    aggregateCid: result.aggregateCid,
    includedMask: result.includedMask,
    includedSamples: result.includedSamples,
    slashMask: result.slashMask,
  };
}

function judge(
  result: RoundResult,
  onChain: RoundTuple | null,
  recomputed: RoundTuple,
  checks: readonly UpdateCheck[],
  unavailable: readonly number[],
): { outcome: VerificationOutcome; reasons: string[] } {
  if (result.status === "pending")
    return { outcome: "pending", reasons: ["the round is not finalized yet; the recomputed tuple is what an honest trainer attests"] };
  if (onChain === null) {
    return { outcome: "failed-round", reasons: ["no attested tuple reached the quorum: the model stayed and the reward rolled over"] };
  }
  const reasons: string[] = [];
  if (!onChain.aggregateCid.equals(recomputed.aggregateCid)) {
    reasons.push(`the finalized aggregate is ${onChain.aggregateCid}, the rule gives ${recomputed.aggregateCid}`);
  }
  if (onChain.includedMask !== recomputed.includedMask) {
    const differing = checks.filter((check) => check.includedOnChain !== (check.verdict === "included"));
    reasons.push(
      `the finalized mask includes [${maskIndices(onChain.includedMask).join(", ")}], ` +
        `the rule includes [${maskIndices(recomputed.includedMask).join(", ")}]` +
        (differing.length > 0
          ? ` (${differing.map((check) => `trainer ${check.trainerIndex}: ${check.verdict}, ${check.detail}`).join("; ")})`
          : ""),
    );
  }
  if (onChain.includedSamples !== recomputed.includedSamples) {
    reasons.push(
      `the finalized tuple counts ${onChain.includedSamples} samples, the included updates revealed ${recomputed.includedSamples}`,
    );
  }
  if (onChain.slashMask !== recomputed.slashMask) {
    reasons.push(
      `the finalized slash mask names [${maskIndices(onChain.slashMask).join(", ")}], ` +
        `the replay audits here fail [${maskIndices(recomputed.slashMask).join(", ")}]`,
    );
  }
  if (reasons.length === 0) return { outcome: "agrees", reasons: ["the finalized tuple is the one the rule gives, bit for bit"] };
  if (unavailable.length > 0) {
    reasons.push(
      `the update${unavailable.length === 1 ? "" : "s"} ` +
        `of trainer${unavailable.length === 1 ? "" : "s"} ${unavailable.join(", ")} could not be fetched here; ` +
        "the attesters may have had them, so the difference proves nothing: fetch them from another peer and verify again",
    );
    return { outcome: "inconclusive", reasons };
  }
  return { outcome: "disagrees", reasons };
}
