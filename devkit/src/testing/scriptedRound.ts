/**
 * Rounds played by a script instead of trainer processes, for tests of whoever checks a round (verifyRound, `myc
 * verify`): real assets, a real spec and real updates on IPFS, real commits and reveals on the devnet, and then an
 * attested tuple chosen by the test: the honest one, or a lie (another CID, a wrong mask). Every update is the base
 * model shifted by a different small amount, so the rule includes all of them.
 *
 * Time comes from the chain: each window is passed by moving the devnet's clock (`time.advanceTo`), never by waiting.
 */
import { MemoryBlockstore } from "blockstore-core";
import type { AbortOptions } from "abort-error";
import type { CID } from "multiformats/cid";
import {
  attestAggregate,
  commitUpdate,
  computeAuditSeed,
  computeRoundAggregate,
  createJob,
  faucet,
  finalizeRound,
  getChainTime,
  getJob,
  getRound,
  inclusionMask,
  joinJob,
  loadGlobalModel,
  prepareJobSpec,
  publish,
  revealUpdate,
  selectAudits,
  storeUpdate,
  type AggregationUpdate,
  type BlockStorage,
  type StorageNode,
} from "@mycelium/client";
import type { TestNetwork } from "../network/testNetwork.ts";
import { makeDatasetDirectory, makeModelDirectory } from "./content.ts";

/** What the attesters attest (all of them, so it reaches the quorum). */
export type ScriptedTuple =
  /** The aggregate of every update they hold, computed honestly. */
  | { kind: "honest" }
  /** The honest mask and samples with another CID. */
  | { kind: "tampered-cid"; aggregateCid: CID }
  /** The honest CID with trainer `drop` left out of the mask (and its samples out of the count). */
  | { kind: "wrong-mask"; drop: number };

export type ScriptedRoundParameters = {
  tuple: ScriptedTuple;
  /**
   * Trainer indices whose updates are stored only where no one can fetch them (a trainer that went offline). The
   * attesters still use them when `attestersHad` is true (they fetched them in time), else they treat them as
   * unavailable, like a verifier would.
   */
  hidden?: readonly number[] | undefined;
  attestersHad?: boolean | undefined;
};

export type ScriptedRound = {
  jobId: bigint;
  round: number;
  /** The tuple an honest party holding every update would attest. */
  honest: { aggregateCid: CID; includedMask: bigint; includedSamples: bigint; slashMask: bigint };
  /** What was attested and finalized. */
  attested: { aggregateCid: CID; includedMask: bigint; includedSamples: bigint; slashMask: bigint };
  /** The trainer indices the round's audit draw picked. */
  audited: number[];
};

export type ScriptedJobs = {
  /** Plays round 0 of a new job as described and finalizes it. */
  playRound: (parameters: ScriptedRoundParameters) => Promise<ScriptedRound>;
};

const SAMPLES = [10n, 20n, 30n] as const;

/**
 * Publishes a dataset and a base model from `node` (which then serves them, the updates and the aggregates), prepares
 * a spec, and funds a sponsor (account 1) and three trainers (accounts 2-4).
 */
export async function scriptedJobs(network: TestNetwork, node: StorageNode): Promise<ScriptedJobs> {
  const sponsor = await network.client(1);
  const trainers = await Promise.all([2, 3, 4].map((index) => network.client(index)));
  for (const client of [sponsor, ...trainers]) await faucet(client, { amount: 1_000_000_000n });
  const dataset = await publish(sponsor, {
    storage: node,
    kind: "dataset",
    path: await makeDatasetDirectory(),
    info: { name: "Blobs", license: "MIT" },
  });
  const model = await publish(sponsor, {
    storage: node,
    kind: "model",
    path: await makeModelDirectory(),
    info: { name: "Base", license: "MIT" },
    parents: [dataset.assetId],
  });
  const prepared = await prepareJobSpec(sponsor, node, {
    datasetId: dataset.assetId,
    baseModelId: model.assetId,
    shardsPerTrainer: 1,
    local: { unit: "epochs", count: 1 },
    batchSize: 16,
    optimizer: { name: "sgd", learningRate: 0.1 },
    seed: 1,
  });

  const playRound = async (parameters: ScriptedRoundParameters): Promise<ScriptedRound> => {
    const window = 600;
    const now = await getChainTime(sponsor);
    const { jobId } = await createJob(sponsor, {
      datasetId: dataset.assetId,
      baseModelId: model.assetId,
      specCid: prepared.specCid,
      rewardPerRound: 1_000_000n,
      numRounds: 1,
      // Two round rewards: one audit per round is enough to make faking the work lose money.
      minStake: 2_000_000n,
      maxSamples: prepared.maxSamples,
      maxTrainers: trainers.length,
      commitWindow: window,
      revealWindow: window,
      attestWindow: window,
      startTime: now + 60n,
    });
    for (const [index, trainer] of trainers.entries()) {
      await joinJob(trainer, { jobId, peerId: node.peerId, addrs: [`/ip4/127.0.0.1/tcp/${4001 + index}`] });
    }
    const job = await getJob(sponsor, { jobId });
    await network.time.advanceTo(job.startTime);
    const global = await loadGlobalModel(node, job.baseModelCid);
    const identity = { chainId: network.chainId, contract: network.deployment.contracts.TrainingJobs!.address, id: jobId };
    const hiddenStore: BlockStorage = { blockstore: new OverlayBlockstore(node) };

    const updates: AggregationUpdate[] = [];
    const revealed: { cid: CID; salt: `0x${string}` }[] = [];
    for (const [index, trainer] of trainers.entries()) {
      const shift = 0.01 * (index + 1);
      const weights = global.definition.weights.map((tensor) => tensor.map((value) => value + shift));
      const hidden = parameters.hidden?.includes(index) === true;
      const cid = await storeUpdate(hidden ? hiddenStore : node, {
        global,
        weights,
        samples: Number(SAMPLES[index]),
        job: identity,
        round: 0,
        trainer: trainer.account.address,
        dataset: prepared.datasetManifestCid,
      });
      const committed = await commitUpdate(trainer, { jobId, round: 0, updateCid: cid, samples: SAMPLES[index]! });
      revealed.push({ cid, salt: committed.salt });
      updates.push(
        hidden && parameters.attestersHad !== true
          ? { trainerIndex: index, samples: SAMPLES[index]!, unavailable: "held by a trainer that went offline" }
          : { trainerIndex: index, samples: SAMPLES[index]!, weights },
      );
    }
    let round = await getRound(sponsor, { jobId });
    await network.time.advanceTo(round.commitEnd);
    for (const [index, trainer] of trainers.entries()) {
      await revealUpdate(trainer, {
        jobId,
        round: 0,
        updateCid: revealed[index]!.cid,
        samples: SAMPLES[index]!,
        salt: revealed[index]!.salt,
      });
    }
    await network.time.advanceTo(round.revealEnd);

    // The round's audit draw, as every attester computes it. The scripted attesters take every audited update they
    // hold as matching its replay (the updates are shifted copies, not trainings: a real replay would fail them all);
    // a drawn update they could not fetch fails its audit, as the rule says.
    const { audited } = selectAudits({
      auditSeed: computeAuditSeed({
        chainId: identity.chainId,
        contract: identity.contract,
        jobId,
        round: 0,
        roundSeed: round.seed,
        reveals: revealed.map((reveal, index) => ({ trainerIndex: index, salt: reveal.salt })),
      }),
      reveals: SAMPLES.map((samples, index) => ({ trainerIndex: index, samples, late: false })),
      count: job.auditsPerRound,
    });
    const aggregate = await computeRoundAggregate(node, {
      global,
      updates,
      audited,
      rule: prepared.spec.aggregation,
      job: identity,
      round: 0,
      baseModel: job.baseModelCid,
      dataset: prepared.datasetManifestCid,
    });
    const honest = {
      aggregateCid: aggregate.cid,
      includedMask: aggregate.includedMask,
      includedSamples: aggregate.includedSamples,
      slashMask: aggregate.slashMask,
    };
    const { tuple } = parameters;
    const attested =
      tuple.kind === "honest"
        ? honest
        : tuple.kind === "tampered-cid"
          ? { ...honest, aggregateCid: tuple.aggregateCid }
          : {
              aggregateCid: honest.aggregateCid,
              includedMask: inclusionMask([0, 1, 2].filter((index) => index !== tuple.drop)),
              includedSamples: honest.includedSamples - SAMPLES[tuple.drop]!,
              slashMask: honest.slashMask,
            };
    for (const trainer of trainers) await attestAggregate(trainer, { jobId, round: 0, ...attested });
    round = await getRound(sponsor, { jobId });
    await network.time.advanceTo(round.attestEnd);
    if ((await getRound(sponsor, { jobId })).round === 0n) await finalizeRound(sponsor, { jobId, round: 0 });
    return { jobId, round: 0, honest, attested, audited };
  };
  return { playRound };
}

/**
 * Blocks written here stay here (no peer can fetch them); reads fall back to `below` (an update reuses the base
 * model's model.json, which only the node has).
 */
class OverlayBlockstore extends MemoryBlockstore {
  constructor(private readonly below: BlockStorage) {
    super();
  }

  override get(key: CID, options?: AbortOptions): Generator<Uint8Array> | AsyncGenerator<Uint8Array> {
    const own = super.has(key, options);
    const below = this.below.blockstore;
    const overlay = this;
    return (async function* () {
      if (await own) yield* MemoryBlockstore.prototype.get.call(overlay, key, options);
      else yield* below.get(key, options);
    })();
  }

  override has(key: CID, options?: AbortOptions): Promise<boolean> {
    return Promise.resolve(super.has(key, options)).then(async (own) => own || (await this.below.blockstore.has(key, options)));
  }
}
