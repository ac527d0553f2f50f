/**
 * The observer's own view of a hub run, computed without the trainers' code paths: each round's aggregate recomputed
 * from the revealed updates (fetched from IPFS, aggregated with the job's rule by `aggregateUpdates`), the rewards the
 * round results entitle each trainer to, and the tokens that actually moved. ./checks.ts compares them with what the
 * chain and the indexer say.
 */
import {
  getRoundResult,
  hexToCid,
  loadManifest,
  loadModelArtifacts,
  trainingJobsAbi,
  type AggregationRule,
  type BlockStorage,
  type MyceliumClient,
} from "@mycelium/client";
import {
  aggregateUpdates,
  fromModelArtifacts,
  weightsDigest,
  type AggregationUpdate,
  type LayersModelDefinition,
  type UpdateVerdict,
} from "@mycelium/trainer";
import { erc20Abi, parseEventLogs, type Address, type Hash, type Hex } from "viem";
import { getContractEvents, getTransactionReceipt } from "viem/actions";

export type RoundRecomputation = {
  /** The round's global model as stored on IPFS under the winning CID (the base model's when the round failed). */
  model: LayersModelDefinition;
  /** The aggregation of the revealed updates, redone here. */
  includedMask: bigint;
  includedSamples: bigint;
  verdicts: UpdateVerdict[];
  /** sha256 of the canonical bytes: of the weights recomputed here, and of those stored under the winning CID. */
  recomputedDigest: Hex;
  storedDigest: Hex;
  /** Update CIDs revealed in the round, by trainer index. */
  reveals: { trainerIndex: number; updateCid: string; samples: bigint }[];
};

export type RecomputeRoundParameters = {
  storage: BlockStorage;
  client: MyceliumClient;
  jobId: bigint;
  round: number;
  /** The global model at the start of the round (its manifest CID): its weights are read from IPFS, like the updates. */
  baseCid: string;
  rule: AggregationRule;
  signal?: AbortSignal | undefined;
};

/**
 * Recomputes a finalized round: reads its Revealed events, fetches every update (an unreachable or malformed one
 * counts as unavailable, as for any trainer), aggregates them with the job's rule and loads the winning model.
 */
export async function recomputeRound(parameters: RecomputeRoundParameters): Promise<RoundRecomputation> {
  const { storage, client, jobId, round, baseCid, rule, signal } = parameters;
  const jobs = client.deployment.contracts.TrainingJobs!.address as Address;
  const options = signal ? { signal } : {};
  const baseArtifacts = await loadModelArtifacts(storage, (await loadManifest(storage, baseCid, { kind: "model", ...options })).model, options);
  const baseModel = fromModelArtifacts(baseArtifacts);

  const revealed = await getContractEvents(client, { address: jobs, abi: trainingJobsAbi, eventName: "Revealed", args: { jobId, round: BigInt(round) }, fromBlock: 0n });
  const reveals = revealed
    .map((event) => ({ trainerIndex: Number(event.args.index), updateCid: hexCid(event.args.updateCid!), samples: event.args.samples! }))
    .sort((a, b) => a.trainerIndex - b.trainerIndex);
  const updates: AggregationUpdate[] = [];
  for (const reveal of reveals) {
    try {
      const manifest = await loadManifest(storage, reveal.updateCid, { kind: "update", ...options });
      const artifacts = await loadModelArtifacts(storage, manifest.model, options);
      updates.push({ trainerIndex: reveal.trainerIndex, samples: Number(reveal.samples), weights: fromModelArtifacts(artifacts, baseModel.weightSpecs).weights });
    } catch (error) {
      if (signal?.aborted) throw error;
      updates.push({ trainerIndex: reveal.trainerIndex, samples: Number(reveal.samples), unavailable: error instanceof Error ? error.message : String(error) });
    }
  }
  const aggregate = aggregateUpdates({ base: baseModel.weights, updates, rule });

  const result = await getRoundResult(client, { jobId, round: BigInt(round) });
  let model: LayersModelDefinition = baseModel;
  if (result.aggregateCid !== null) {
    const manifest = await loadManifest(storage, result.aggregateCid, { kind: "model", ...options });
    model = fromModelArtifacts(await loadModelArtifacts(storage, manifest.model, options), baseModel.weightSpecs);
  }
  return {
    model,
    includedMask: aggregate.includedMask,
    includedSamples: aggregate.includedSamples,
    verdicts: aggregate.verdicts,
    recomputedDigest: weightsDigest(aggregate.weights),
    storedDigest: weightsDigest(model.weights),
    reveals: reveals.map((reveal) => ({ ...reveal })),
  };
}

/**
 * Copies a round's content into `storage` while the round is still open: every revealed update and every attested
 * aggregate, as soon as its event is on-chain. The trainers are the only holders of that content, and they leave as
 * soon as the job has ended and they have claimed, which can be before an observer that waits for the finalization
 * gets to fetch the last round. Call it on every poll: a CID in `mirrored` is not fetched again, and one that cannot
 * be fetched yet (a trainer still storing it) is tried again on the next call.
 */
export async function mirrorRound(parameters: {
  storage: BlockStorage;
  client: MyceliumClient;
  jobId: bigint;
  round: number;
  mirrored: Set<string>;
  signal?: AbortSignal | undefined;
}): Promise<void> {
  const { storage, client, jobId, round, mirrored, signal } = parameters;
  const address = client.deployment.contracts.TrainingJobs!.address as Address;
  const args = { jobId, round: BigInt(round) };
  const [revealed, attested] = await Promise.all([
    getContractEvents(client, { address, abi: trainingJobsAbi, eventName: "Revealed", args, fromBlock: 0n }),
    getContractEvents(client, { address, abi: trainingJobsAbi, eventName: "Attested", args, fromBlock: 0n }),
  ]);
  const wanted = [
    ...revealed.map((event) => ({ cid: hexCid(event.args.updateCid!), kind: "update" as const })),
    ...attested.map((event) => ({ cid: hexCid(event.args.aggregateCid!), kind: "model" as const })),
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

/** How long one fetch of `mirrorRound` may take before it is left for the next call. */
const MIRROR_ATTEMPT_MS = 5_000;

/**
 * What each trainer index may claim over a job's successful rounds: reward * samples / includedSamples (rounded
 * down) for every round whose aggregate includes it.
 */
export function expectedRewards(
  rounds: readonly { round: number; status: string; includedMask: bigint; includedSamples: bigint; reward: bigint }[],
  samplesByRound: ReadonlyMap<number, ReadonlyMap<number, bigint>>,
): Map<number, bigint> {
  const owed = new Map<number, bigint>();
  for (const round of rounds) {
    if (round.status !== "succeeded" || round.includedSamples === 0n) continue;
    for (const [index, samples] of samplesByRound.get(round.round) ?? []) {
      if (((round.includedMask >> BigInt(index)) & 1n) === 0n) continue;
      owed.set(index, (owed.get(index) ?? 0n) + (round.reward * samples) / round.includedSamples);
    }
  }
  return owed;
}

/** Tokens of `token` sent from `from` to `to` in the given transactions, read from their receipts' Transfer logs. */
export async function rewardsReceived(
  client: MyceliumClient,
  parameters: { token: Address; from: Address; to: Address; claimHashes: readonly Hash[] },
): Promise<bigint> {
  let total = 0n;
  for (const hash of new Set(parameters.claimHashes)) {
    const receipt = await getTransactionReceipt(client, { hash });
    const transfers = parseEventLogs({ abi: erc20Abi, eventName: "Transfer", logs: receipt.logs });
    for (const transfer of transfers) {
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

/** A CID from the bytes the contracts store (0x-hex of the binary CID), as a string. */
function hexCid(hex: Hex): string {
  return hexToCid(hex).toString();
}
