import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { erc20Abi, type Address } from "viem";
import { getContractEvents, getTransactionCount, readContract } from "viem/actions";
import { generateBlobsDataset, getRoundResult, getTrainer, sliceDataset, trainingJobsAbi, type LocalWork } from "@mycelium/client";
import {
  conductRounds,
  devnetAccount,
  devnetPrivateKey,
  tempDirectory,
  TrainerProcess,
  type Conductor,
  type JsonEvent,
} from "@mycelium/devkit";
import { blobsTopology } from "./harness/fixtures.ts";
import { createJobFixture, fundTrainers, startJobNetwork, type JobNetwork } from "./harness/job.ts";
import { RpcProxy } from "./harness/rpcProxy.ts";

/** Train and test splits of one generated task (the same blob centres). */
function blobs(train: number, test: number) {
  const data = generateBlobsDataset({ seed: 11, samples: train + test });
  return { train: sliceDataset(data, 0, train), test: sliceDataset(data, train, train + test) };
}

/** Set MYC_TEST_LOG=1 to see every line the trainer processes print. */
const log = process.env.MYC_TEST_LOG === "1" ? (line: string) => console.log(line) : undefined;

/**
 * Windows of minutes, ended by the conductor as soon as every expected trainer has acted (see the devkit's
 * conductRounds): the rounds go as fast as the trainers, whatever the machine's load, and a trainer misses a window only
 * where a test makes it miss one.
 */
const WINDOWS = { commitWindow: 600, revealWindow: 600, attestWindow: 600 } as const;
/** Round 0 is scheduled an hour ahead; the conductor starts it once every trainer has joined. */
const START_IN = 3_600;
/** Waits on events: generous, they only bound a stuck run. */
const EVENT_TIMEOUT_MS = 600_000;

describe("the round loop: trainers as OS processes on a devnet, with Helia nodes on loopback", function () {
  this.timeout(1_800_000);
  let network: JobNetwork;
  let work: string;
  const processes: TrainerProcess[] = [];
  const conductors: Conductor[] = [];

  before(async function () {
    this.timeout(600_000);
    work = tempDirectory("trainer-loop-");
    network = await startJobNetwork(work);
  });
  afterEach(async () => {
    for (const conductor of conductors.splice(0)) await conductor.stop();
    for (const trainer of processes.splice(0)) trainer.kill("SIGKILL");
  });
  after(async () => {
    await network?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const spawnTrainer = (account: number, jobId: bigint, extra: { args?: string[]; env?: Record<string, string> } = {}) => {
    const trainer = new TrainerProcess({
      name: `trainer ${account}`,
      args: [
        "--job",
        jobId.toString(),
        "--data-dir",
        path.join(work, `job${jobId}-trainer${account}`),
        "--network",
        "loopback",
        "--peer",
        network.publisher.multiaddrs[0]!,
        "--backend",
        "wasm",
        ...(extra.args ?? []),
      ],
      env: { MYC_PRIVATE_KEY: devnetPrivateKey(account), MYC_DEPLOYMENT: network.deploymentFile, ...extra.env },
      log,
    });
    processes.push(trainer);
    return trainer;
  };

  /** A job over generated blobs (shards of 200 samples, 2 per trainer, Adam 0.01, batch 32), 60% quorum, minute windows. */
  const blobsJob = (options: {
    samples: [number, number];
    modelSeed: number;
    local: LocalWork;
    seed: number;
    rounds: number;
    maxTrainers: number;
  }) =>
    createJobFixture(network, {
      dataset: { ...blobs(...options.samples), samplesPerShard: 200, name: "Blobs" },
      topology: blobsTopology(),
      modelSeed: options.modelSeed,
      spec: {
        optimizer: { name: "adam", learningRate: 0.01 },
        batchSize: 32,
        local: options.local,
        shardsPerTrainer: 2,
        seed: options.seed,
      },
      job: { rounds: options.rounds, ...WINDOWS, maxTrainers: options.maxTrainers, quorumBps: 6_000, startIn: START_IN },
    });

  const conduct = (jobId: bigint, trainers: number, committers: number | ((round: number) => number) = trainers) => {
    const conductor = conductRounds({ client: network.sponsor, time: network.time, jobId, startWhenJoined: trainers, committers });
    conductors.push(conductor);
    return conductor;
  };

  it(
    "plays a whole job: 3 trainers, 2 rounds, one aggregate CID per round in every process, rewards as the contract's formula, " +
      "stakes back; the replay audits and round 1 run without the dataset's publisher",
    async () => {
      const accounts = [2, 3, 4];
      await fundTrainers(network, accounts);
      const fixture = await blobsJob({
        samples: [1200, 300],
        modelSeed: 7,
        local: { unit: "epochs", count: 1 },
        seed: 5,
        rounds: 2,
        maxTrainers: 4,
      });
      const trainers = accounts.map((account) => spawnTrainer(account, fixture.jobId));
      conduct(fixture.jobId, accounts.length);

      // Every shard of the 6 is held by exactly one trainer once round 0's updates are committed (3 trainers x 2 shards,
      // disjoint): the publisher then leaves, and round 0's replay audits (every update is audited at this job's rate)
      // can only fetch the audited trainers' shards from those trainers.
      await Promise.all(
        trainers.map((trainer) =>
          trainer.waitFor((event) => event.type === "committed" && event.round === 0, EVENT_TIMEOUT_MS, "commit of round 0"),
        ),
      );
      const publisherGateway = network.publisher.gatewayUrl!;
      await network.publisher.stop();
      const summaries = await Promise.all(
        trainers.map((trainer) => trainer.waitFor((event) => event.type === "summary", EVENT_TIMEOUT_MS, "the end of the job")),
      );
      expect(await Promise.all(trainers.map((trainer) => trainer.exited))).to.deep.equal([0, 0, 0]);

      const client = network.sponsor;
      const jobs = network.devnet.deployment.contracts.TrainingJobs!.address;
      const revealed = await getContractEvents(client, {
        address: jobs,
        abi: trainingJobsAbi,
        eventName: "Revealed",
        args: { jobId: fixture.jobId },
        fromBlock: 0n,
      });
      const expectedTotal = new Map<Address, bigint>();
      for (const round of [0, 1]) {
        const result = await getRoundResult(client, { jobId: fixture.jobId, round });
        expect(result.status, `round ${round}`).to.equal("succeeded");
        expect(result.includedMask).to.equal(0b111n);
        // One aggregate CID per round in three processes: the one each attested, and the one that won.
        const attested = trainers.map(
          (trainer) => trainer.events.find((event) => event.type === "attested" && event.round === round)?.aggregateCid,
        );
        expect(new Set(attested).size, `attested in round ${round}: ${attested.join(", ")}`).to.equal(1);
        expect(attested[0]).to.equal(result.aggregateCid!.toString());
        const reveals = revealed.filter((log) => log.args.round === BigInt(round));
        expect(reveals).to.have.length(3);
        expect(result.includedSamples).to.equal(reveals.reduce((sum, log) => sum + log.args.samples!, 0n));
        for (const log of reveals) {
          const share = (result.reward * log.args.samples!) / result.includedSamples;
          expectedTotal.set(log.args.trainer!, (expectedTotal.get(log.args.trainer!) ?? 0n) + share);
        }
        expect(result.reward).to.equal(fixture.rewardPerRound);
      }
      const claims = await getContractEvents(client, {
        address: jobs,
        abi: trainingJobsAbi,
        eventName: "RewardClaimed",
        args: { jobId: fixture.jobId },
        fromBlock: 0n,
      });
      for (const [index, account] of accounts.entries()) {
        const address = devnetAccount(account).address;
        const claimed = claims.filter((log) => log.args.trainer === address).reduce((sum, log) => sum + log.args.amount!, 0n);
        expect(claimed, `claimed by ${address}`).to.equal(expectedTotal.get(address));
        expect(BigInt(summaries[index]!.claimed as string)).to.equal(claimed);
        expect(BigInt(summaries[index]!.withdrawn as string)).to.equal(fixture.minStake);
        expect((await getTrainer(client, { jobId: fixture.jobId, trainer: address })).status).to.equal("withdrawn");
        const balance = await readContract(client, {
          address: network.devnet.deployment.contracts.PaymentToken!.address,
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [address],
        });
        expect(balance, `balance of ${address}`).to.equal(1000_000000n + claimed);
      }

      // Each trainer replayed the two others' updates of both rounds, with shards served by those trainers (the publisher
      // had left), and every replay matched.
      for (const trainer of trainers) {
        for (const round of [0, 1]) {
          const audits = trainer.ofType("audited").filter((event: JsonEvent) => event.round === round);
          expect(
            audits.map((event: JsonEvent) => event.outcome),
            JSON.stringify(audits),
          ).to.deep.equal(["matches", "matches", "matches"]);
        }
      }
      // Round 1's shards never came from the publisher that had left (after the replays, mostly from memory).
      const round1Sources = trainers
        .flatMap((trainer) => trainer.events.filter((event) => event.type === "data-loaded" && event.round === 1))
        .map((event) => event.sources as Record<string, number>);
      const fetched = round1Sources.flatMap((sources) => Object.keys(sources).filter((source) => source !== "local"));
      expect(fetched.every((source) => !source.includes(publisherGateway))).to.equal(true);
      // Each trainer evaluated its aggregate on the validation shard; the model learned.
      for (const trainer of trainers) {
        const accuracies = trainer.ofType("evaluated").map((event: JsonEvent) => event.accuracy as number);
        expect(accuracies, trainer.tail()).to.have.length(2);
        expect(accuracies[1]!).to.be.greaterThan(0.8);
      }
    },
  );

  it(
    "catches a free rider by replay: it is audited, excluded as replay-mismatch and slashed by the honest trainers, " +
      "its stake pays the honest in the next round, and the job goes on without it",
    async () => {
      const [alice, bob, rider] = [10, 11, 12];
      await network.restartPublisher();
      await fundTrainers(network, [alice, bob, rider]);
      // 30 per round against stakes of 10: createJob's default audit rate is 6 per round, every update here.
      const fixture = await blobsJob({
        samples: [1200, 300],
        modelSeed: 13,
        local: { unit: "epochs", count: 1 },
        seed: 17,
        rounds: 2,
        maxTrainers: 3,
      });
      const honest = [alice, bob].map((account) => spawnTrainer(account, fixture.jobId));
      const riderProcess = spawnTrainer(rider, fixture.jobId, { env: { MYC_TEST_ADVERSARY: "free-rider" } });
      conduct(fixture.jobId, 3, (round) => (round === 0 ? 3 : 2));
      const summaries = await Promise.all(
        honest.map((trainer) => trainer.waitFor((event) => event.type === "summary", EVENT_TIMEOUT_MS, "the end of the job")),
      );
      expect(await Promise.all(honest.map((trainer) => trainer.exited))).to.deep.equal([0, 0]);
      // The free rider learns it was slashed: at its next commit (it stops with TrainerNotActiveError), or, when round
      // 1's commit window closed before it got there, when the job ends (a warning, nothing to withdraw).
      const riderCode = await riderProcess.exited;
      const said =
        riderCode === 0
          ? riderProcess.ofType("warning").map((event) => String(event.message))
          : riderProcess.ofType("stopped").map((event) => String(event.error));
      expect(said.join("\n"), `exit ${riderCode}; ${riderProcess.stderr.join("\n")}`).to.include('is "slashed"');

      const client = network.sponsor;
      const riderAddress = devnetAccount(rider).address;
      const riderIndex = Number((await getTrainer(client, { jobId: fixture.jobId, trainer: riderAddress })).index);
      const [round0, round1] = await Promise.all([0, 1].map((round) => getRoundResult(client, { jobId: fixture.jobId, round })));
      expect(round0!.status).to.equal("succeeded");
      expect(round0!.slashMask).to.equal(1n << BigInt(riderIndex));
      expect(round0!.includedMask & (1n << BigInt(riderIndex))).to.equal(0n);
      // Each honest trainer replayed the others' updates: the rider's did not match, the other honest one's did.
      for (const trainer of honest) {
        const audits = trainer.ofType("audited").filter((event: JsonEvent) => event.round === 0);
        const verdicts = new Map(audits.map((event: JsonEvent) => [event.trainerIndex as number, event.outcome as string]));
        expect(verdicts.get(riderIndex), trainer.tail()).to.equal("mismatch");
        // Its own update and the other honest trainer's.
        expect([...verdicts.values()].filter((outcome) => outcome === "matches")).to.have.length(2);
      }
      const slashed = await getContractEvents(client, {
        address: network.devnet.deployment.contracts.TrainingJobs!.address,
        abi: trainingJobsAbi,
        eventName: "TrainerSlashed",
        args: { jobId: fixture.jobId },
        fromBlock: 0n,
      });
      expect(slashed.map((log) => log.args.trainer)).to.deep.equal([riderAddress]);
      expect((await getTrainer(client, { jobId: fixture.jobId, trainer: riderAddress })).status).to.equal("slashed");
      // It does not pay: the rider lost its whole stake and earned nothing; its stake went to round 1's winners.
      const balanceOf = (address: Address) =>
        readContract(client, {
          address: network.devnet.deployment.contracts.PaymentToken!.address,
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [address],
        });
      expect(await balanceOf(riderAddress)).to.equal(1000_000000n - fixture.minStake);
      expect(round1!.status).to.equal("succeeded");
      expect(round1!.reward).to.equal(fixture.rewardPerRound + fixture.minStake);
      const claimed = summaries.reduce((sum, summary) => sum + BigInt(summary.claimed as string), 0n);
      // Both rounds' rewards and the forfeited stake, less at most a unit of rounding per trainer and round.
      const owed = 2n * fixture.rewardPerRound + fixture.minStake;
      expect(claimed <= owed && owed - claimed <= 4n, `claimed ${claimed} of ${owed}`).to.equal(true);
    },
  );

  it(
    "recovers from faults: SIGKILL while training and between commit and reveal, then restarted, still reveals; " +
      "an RPC outage of 10 s right after the commit is sent does not send it twice; nobody is slashed",
    async () => {
      const [killedTraining, killedCommitted, outage] = [5, 6, 7];
      await network.restartPublisher();
      await fundTrainers(network, [killedTraining, killedCommitted, outage]);
      // 300 steps: a second or two of training, so the kill lands while it runs.
      const fixture = await blobsJob({
        samples: [1200, 300],
        modelSeed: 8,
        local: { unit: "steps", count: 300 },
        seed: 6,
        rounds: 1,
        maxTrainers: 4,
      });
      const nonceBefore = await getTransactionCount(network.sponsor, { address: devnetAccount(outage).address, blockTag: "latest" });
      const proxy = new RpcProxy(network.devnet.rpcUrl);
      await proxy.start();
      try {
        const a = spawnTrainer(killedTraining, fixture.jobId);
        const b = spawnTrainer(killedCommitted, fixture.jobId);
        const c = spawnTrainer(outage, fixture.jobId, { env: { MYC_RPC_URL: proxy.url } });
        const back = proxy.outageAfter("commit(uint256,uint256,bytes32)", 10_000);
        conduct(fixture.jobId, 3);

        await a.waitFor((event) => event.type === "training-started" && event.round === 0, EVENT_TIMEOUT_MS, "training in round 0");
        a.kill("SIGKILL");
        expect(await a.exited).to.equal(-1);
        expect(a.ofType("training-finished")).to.have.length(0);
        a.restart();

        await b.waitFor((event) => event.type === "committed" && event.round === 0, EVENT_TIMEOUT_MS, "the commit of round 0");
        b.kill("SIGKILL");
        await b.exited;
        b.restart();

        const [summaryA, summaryB, summaryC] = await Promise.all(
          [a, b, c].map((trainer) => trainer.waitFor((event) => event.type === "summary", EVENT_TIMEOUT_MS, "the end of the job")),
        );
        expect(await Promise.all([a.exited, b.exited, c.exited])).to.deep.equal([0, 0, 0]);
        const backAt = await back;

        // The restarted trainers resumed the round where they were, from their journals.
        expect(a.ofType("resumed").map((event) => event.step)).to.deep.equal(["commit"]);
        expect(b.ofType("resumed").map((event) => event.step)).to.deep.equal(["reveal"]);
        expect(b.ofType("committed")).to.have.length(1);
        for (const summary of [summaryA, summaryB, summaryC])
          expect((summary!.rounds as { revealed: boolean; included: boolean }[])[0]).to.deep.include({ revealed: true, included: true });

        // The outage: 10 s without the endpoint, retried; the commit sent just before it was found on-chain, not resent.
        expect(proxy.outages).to.have.length(1);
        expect(proxy.outages[0]!.to - proxy.outages[0]!.from).to.be.at.least(10_000);
        expect(c.ofType("retrying").length).to.be.greaterThan(0);
        const revealedC = c.ofType("revealed")[0]!;
        expect(revealedC.time).to.be.greaterThan(backAt);
        const client = network.sponsor;
        const jobs = network.devnet.deployment.contracts.TrainingJobs!.address;
        const committedC = await getContractEvents(client, {
          address: jobs,
          abi: trainingJobsAbi,
          eventName: "Committed",
          args: { jobId: fixture.jobId, trainer: devnetAccount(outage).address },
          fromBlock: 0n,
        });
        expect(committedC).to.have.length(1);
        const sentByC = proxy.forwarded.length;
        const nonceC = await getTransactionCount(client, { address: devnetAccount(outage).address, blockTag: "latest" });
        expect(sentByC, `every raw transaction through the proxy was mined once: ${JSON.stringify(proxy.forwarded)}`).to.equal(
          nonceC - nonceBefore,
        );

        const result = await getRoundResult(client, { jobId: fixture.jobId, round: 0 });
        expect(result).to.deep.include({ status: "succeeded", includedMask: 0b111n });
        const slashed = await getContractEvents(client, {
          address: jobs,
          abi: trainingJobsAbi,
          eventName: "TrainerSlashed",
          args: { jobId: fixture.jobId },
          fromBlock: 0n,
        });
        expect(slashed).to.have.length(0);
        for (const account of [killedTraining, killedCommitted, outage]) {
          expect((await getTrainer(client, { jobId: fixture.jobId, trainer: devnetAccount(account).address })).status).to.equal(
            "withdrawn",
          );
        }
      } finally {
        await proxy.stop();
      }
    },
  );

  it(
    "handles a window a slow trainer misses: its commit arrives after the window closed, " +
      "it is left out of that round without being slashed, and it plays the next round",
    async () => {
      const [punctual, late] = [8, 9];
      await network.restartPublisher();
      await fundTrainers(network, [punctual, late]);
      const fixture = await blobsJob({
        samples: [800, 200],
        modelSeed: 9,
        local: { unit: "epochs", count: 1 },
        seed: 7,
        rounds: 2,
        maxTrainers: 2,
      });
      const proxy = new RpcProxy(network.devnet.rpcUrl);
      await proxy.start();
      try {
        // The late trainer's commit of round 0 is held on its way to the node (a slow link), and round 0's commit window
        // ends once the punctual trainer has committed: the late commit reaches the chain after the window closed.
        const release = proxy.hold("commit(uint256,uint256,bytes32)");
        const p = spawnTrainer(punctual, fixture.jobId);
        const l = spawnTrainer(late, fixture.jobId, { env: { MYC_RPC_URL: proxy.url } });
        const conductor = conduct(fixture.jobId, 2, (round) => (round === 0 ? 1 : 2));
        await waitUntil(
          () => conductor.steps.some((step) => step.round === 0 && step.action === "ended-commit"),
          EVENT_TIMEOUT_MS,
          "the end of round 0's commit window",
        );
        release();

        const missed = await l.waitFor(
          (event) => event.type === "missed" && event.round === 0,
          EVENT_TIMEOUT_MS,
          "the missed commit of round 0",
        );
        expect(missed.step).to.equal("commit");
        const [summaryP, summaryL] = await Promise.all(
          [p, l].map((trainer) => trainer.waitFor((event) => event.type === "summary", EVENT_TIMEOUT_MS, "the end of the job")),
        );
        expect(await Promise.all([p.exited, l.exited])).to.deep.equal([0, 0]);
        const roundsOf = (summary: JsonEvent) => summary.rounds as { round: number; committed: boolean; included: boolean | null }[];
        expect(roundsOf(summaryL!).map((round) => [round.round, round.committed, round.included])).to.deep.equal([
          [0, false, false],
          [1, true, true],
        ]);
        expect(roundsOf(summaryP!).map((round) => [round.round, round.committed, round.included])).to.deep.equal([
          [0, true, true],
          [1, true, true],
        ]);

        const client = network.sponsor;
        const jobs = network.devnet.deployment.contracts.TrainingJobs!.address;
        const indexOf = async (account: number) =>
          Number((await getTrainer(client, { jobId: fixture.jobId, trainer: devnetAccount(account).address })).index);
        const [round0, round1] = await Promise.all([0, 1].map((round) => getRoundResult(client, { jobId: fixture.jobId, round })));
        expect(round0!.includedMask).to.equal(1n << BigInt(await indexOf(punctual)));
        expect(round1!.includedMask).to.equal(0b11n);
        const slashed = await getContractEvents(client, {
          address: jobs,
          abi: trainingJobsAbi,
          eventName: "TrainerSlashed",
          args: { jobId: fixture.jobId },
          fromBlock: 0n,
        });
        expect(slashed).to.have.length(0);
        expect(BigInt(summaryL!.withdrawn as string)).to.equal(fixture.minStake);
      } finally {
        await proxy.stop();
      }
    },
  );
});

/** Waits for a condition, checking every 100 ms; fails after `timeoutMs` (generous: it only bounds a stuck run). */
async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`No ${what} within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
