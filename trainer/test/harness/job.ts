/**
 * A real training job for tests and benchmarks: the devkit's test network (a devnet in its own process, blocks sharing
 * timestamps as on a real chain), a sponsor with a real Helia storage node on loopback that publishes the dataset and
 * the base model as assets, a job spec from those assets (prepareJobSpec) and the job itself (createJob). Trainers then
 * run as separate OS processes (the devkit's TrainerProcess) against it.
 */
import path from "node:path";
import { parseUnits } from "viem";
import { readContract } from "viem/actions";
import {
  contractAddress,
  trainingJobsAbi,
  buildModelManifest,
  createJob,
  createStorageNode,
  faucet,
  prepareJobSpec,
  publish,
  publishTensorDataset,
  storeModelArtifacts,
  tensorSpecsOf,
  toModelArtifacts,
  type AggregationRule,
  type LayersModelDefinition,
  type LocalWork,
  type MyceliumWalletClient,
  type OptimizerSpec,
  type StorageNode,
  type TensorDataset,
} from "@mycelium/client";
import { startTestNetwork, type TestNetwork } from "@mycelium/devkit";
import { initializeModel } from "../../src/index.ts";

/** The devnet's payment token has 6 decimals. */
export const usdc = (amount: string) => parseUnits(amount, 6);

export type JobNetwork = TestNetwork & {
  /** Devnet account 1, funded with test tokens: publishes the assets and sponsors jobs. */
  sponsor: MyceliumWalletClient;
  /** The sponsor's IPFS node serving the dataset, the base model and the spec. */
  publisher: StorageNode;
  /** Starts the publisher's node again (same data directory and peer id, new port) after a test stopped it. */
  restartPublisher: () => Promise<StorageNode>;
};

/** The test network with a funded sponsor and its storage node, files in `directory`. */
export async function startJobNetwork(directory: string): Promise<JobNetwork> {
  const network = await startTestNetwork({ directory, allowBlocksWithSameTimestamp: true, pollingInterval: 100 });
  try {
    const sponsor = await network.client(1, { blockTag: "pending" });
    await faucet(sponsor, { amount: usdc("1000000") });
    const startPublisher = () => createStorageNode({ dataDir: path.join(directory, "publisher"), network: "loopback" });
    const jobNetwork: JobNetwork = Object.assign(network, {
      sponsor,
      publisher: await startPublisher(),
      restartPublisher: async () => {
        await jobNetwork.publisher.stop();
        jobNetwork.publisher = await startPublisher();
        return jobNetwork.publisher;
      },
    });
    const stopNetwork = network.stop;
    jobNetwork.stop = async () => {
      await jobNetwork.publisher.stop().catch(() => {});
      await stopNetwork();
    };
    return jobNetwork;
  } catch (error) {
    await network.stop();
    throw error;
  }
}

export type JobFixtureParameters = {
  dataset: { train: TensorDataset; test: TensorDataset; samplesPerShard: number; name: string; labelClasses?: readonly string[] };
  topology: LayersModelDefinition["topology"];
  modelSeed: number;
  spec: {
    optimizer?: Partial<OptimizerSpec> & { name: OptimizerSpec["name"] };
    batchSize?: number;
    local?: LocalWork;
    shardsPerTrainer: number;
    aggregation?: Partial<AggregationRule>;
    seed?: number;
  };
  job: {
    rounds: number;
    commitWindow: number;
    revealWindow: number;
    attestWindow: number;
    maxTrainers: number;
    quorumBps?: number;
    rewardPerRound?: bigint;
    minStake?: bigint;
    /**
     * Seconds after the end during which stakes stay bonded (trainers wait them out in real time before withdrawing);
     * default the deployment's minimum window.
     */
    claimPeriod?: number;
    /** Seconds from now until round 0 (chain time). */
    startIn: number;
  };
};

export type JobFixture = {
  jobId: bigint;
  datasetId: bigint;
  baseModelId: bigint;
  startTime: bigint;
  rewardPerRound: bigint;
  minStake: bigint;
  maxSamples: number;
  base: LayersModelDefinition;
};

/** Publishes the dataset and the base model (once per call), builds the spec and creates the job. */
export async function createJobFixture(network: JobNetwork, parameters: JobFixtureParameters): Promise<JobFixture> {
  const { sponsor, publisher } = network;
  const dataset = await publishTensorDataset(sponsor, {
    storage: publisher,
    splits: { train: parameters.dataset.train, test: parameters.dataset.test },
    samplesPerShard: parameters.dataset.samplesPerShard,
    labelClasses: parameters.dataset.labelClasses,
    info: { name: parameters.dataset.name, license: "CC0-1.0" },
  });
  const base = await initializeModel({ topology: parameters.topology, seed: parameters.modelSeed });
  const artifacts = toModelArtifacts(base);
  const modelDir = await storeModelArtifacts(publisher, artifacts);
  const { inputs, outputs } = await tensorSpecsOf(artifacts);
  const model = await publish(sponsor, {
    storage: publisher,
    manifest: buildModelManifest({
      name: "Base model",
      license: "CC0-1.0",
      creator: sponsor.account.address,
      model: modelDir,
      inputs,
      outputs,
      lineage: { datasets: [dataset.manifestCid] },
    }),
  });
  const prepared = await prepareJobSpec(sponsor, publisher, {
    datasetId: dataset.assetId,
    baseModelId: model.assetId,
    optimizer: parameters.spec.optimizer,
    batchSize: parameters.spec.batchSize,
    local: parameters.spec.local,
    shardsPerTrainer: parameters.spec.shardsPerTrainer,
    aggregation: parameters.spec.aggregation,
    seed: parameters.spec.seed,
    validation: { split: "test", shard: 0 },
  });
  const job = parameters.job;
  const rewardPerRound = job.rewardPerRound ?? usdc("30");
  const minStake = job.minStake ?? usdc("10");
  const latest = (await sponsor.request({ method: "eth_getBlockByNumber", params: ["pending", false] } as never)) as {
    timestamp: `0x${string}`;
  };
  const startTime = BigInt(latest.timestamp) + BigInt(job.startIn);
  const minWindow = await readContract(sponsor, {
    address: contractAddress(sponsor.deployment, "TrainingJobs"),
    abi: trainingJobsAbi,
    functionName: "minWindow",
  });
  const created = await createJob(sponsor, {
    datasetId: dataset.assetId,
    baseModelId: model.assetId,
    specCid: prepared.specCid,
    rewardPerRound,
    numRounds: job.rounds,
    minStake,
    commitWindow: job.commitWindow,
    revealWindow: job.revealWindow,
    attestWindow: job.attestWindow,
    claimPeriod: job.claimPeriod ?? Number(minWindow),
    quorumBps: job.quorumBps,
    maxTrainers: job.maxTrainers,
    maxSamples: prepared.maxSamples,
    startTime,
  });
  return {
    jobId: created.jobId,
    datasetId: dataset.assetId,
    baseModelId: model.assetId,
    startTime,
    rewardPerRound,
    minStake,
    maxSamples: prepared.maxSamples,
    base,
  };
}

/** Gives devnet accounts test tokens to stake with. */
export async function fundTrainers(network: JobNetwork, accounts: readonly number[], amount = usdc("1000")): Promise<void> {
  for (const index of accounts) await faucet(await network.client(index, { blockTag: "pending" }), { amount });
}
