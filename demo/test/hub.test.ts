/**
 * The whole hub end to end, shortened: the same orchestration as `npm run demo` (src/hub.ts) with two honest trainer
 * processes and a free rider (caught by the replay audits in round 0 and slashed), two rounds and generated data, on a real devnet, a real indexer process and real Helia nodes.
 *
 * Besides the run's own checks (src/checks.ts), this test looks for itself while everything still runs:
 * - with an IPFS node of its own, it verifies the whole job with the SDK's `verifyJob` (every revealed update fetched
 *   and screened, aggregated by the rule, stored the canonical way): every round agrees with the chain;
 * - the rewards the indexer reports over GraphQL equal the tokens each trainer's balance gained in its claims, read
 *   from the chain's state before and after each claim transaction.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { createStorageNode, getPeerInfo, getRewardClaims, queryIndexer, verifyJob, type StorageNode } from "@mycelium/client";
import { erc20Abi } from "viem";
import { readContract } from "viem/actions";
import { checkRun } from "../src/checks.ts";
import { runHub, type HubContext, type HubParameters, type HubRun } from "../src/hub.ts";
import { memoryLog } from "../src/log.ts";

const PARAMETERS: Omit<HubParameters, "log" | "inspect"> = {
  data: { kind: "blobs", trainSamples: 2_000, testSamples: 500, seed: 7 },
  samplesPerShard: 250,
  trainers: { honest: 2, adversaries: ["free-rider"] },
  rounds: 2,
  shardsPerTrainer: 2,
  model: { hidden: [32], seed: 3 },
  training: { epochs: 1, batchSize: 32, learningRate: 0.01 },
  windows: { commit: 10, reveal: 5, attest: 8 },
  economics: { price: "1", rewardPerRound: "10", minStake: "2" },
};

describe("the hub end to end: two trainers and a free rider, two rounds, generated data", function () {
  // Generous: it only bounds a stuck run. The run sizes its windows from this machine, however busy.
  this.timeout(1_800_000);

  it("publishes, sells, trains and pays, and the chain, IPFS and the indexer agree", async () => {
    const log = memoryLog();
    const seen: string[] = [];
    const run: HubRun = await runHub({
      ...PARAMETERS,
      log,
      inspect: async (context) => {
        await everyRoundVerifiesFromAnotherNode(context);
        seen.push("verifyJob");
        await indexedRewardsEqualBalanceGains(context);
        seen.push("rewards");
      },
    });
    if (run.failure !== null) console.error(log.lines.join("\n"));
    expect(run.failure).to.equal(null);
    expect(seen).to.deep.equal(["verifyJob", "rewards"]);
    const failed = checkRun(run, { minAccuracyGain: 0.2, maxAccuracyDrop: 0.05 }).filter((check) => !check.ok);
    expect(failed, JSON.stringify(failed, null, 2)).to.deep.equal([]);
    expect(run.rounds).to.have.length(2);
    expect(run.rewards.map((reward) => reward.received > 0n)).to.deep.equal([true, true, false]);
    // The free rider (no work, the model moved by one ulp) was audited in round 0, excluded and slashed: both the
    // trainers' attested tuple and the observer's own replay say so.
    const rider = run.trainers.find((trainer) => trainer.role === "free-rider")!.index;
    expect(run.rounds[0]!.slashed).to.deep.equal([rider]);
    expect(run.rounds[0]!.audits.find((audit) => audit.trainerIndex === rider)?.outcome).to.equal("mismatch");
  });
});

/**
 * The test's own IPFS node verifies every round with `verifyJob`: same aggregate CID, mask and samples as on-chain. The
 * trainers have exited by now (they leave once they have claimed), so the blocks come from the nodes still running
 * (publisher, sponsor, observer), each verified against its CID. The trainers' peer info that the indexer serves (how a
 * dApp finds them) is what they announced on-chain.
 */
async function everyRoundVerifiesFromAnotherNode(context: HubContext): Promise<void> {
  const job = context.run.job!;
  const { trainers } = await queryIndexer<{ trainers: { items: { account: string; peerId: string; addrs: string[] }[] } }>(
    context.indexer,
    `query ($job: BigInt!) { trainers(where: { jobId: $job }, limit: 1000) { items { account peerId addrs } } }`,
    { job: job.id.toString() },
  );
  const announced = await getPeerInfo(context.client, { jobId: job.id });
  expect(
    Object.fromEntries(trainers.items.map((trainer) => [trainer.account.toLowerCase(), { peerId: trainer.peerId, addrs: trainer.addrs }])),
    "trainers' peer info: indexer vs chain",
  ).to.deep.equal(
    Object.fromEntries([...announced.values()].map((peer) => [peer.trainer.toLowerCase(), { peerId: peer.peerId, addrs: peer.addrs }])),
  );
  expect(trainers.items).to.have.length(context.run.trainers.length);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mycelium-e2e-ipfs-"));
  let node: StorageNode | undefined;
  try {
    node = await createStorageNode({ dataDir, network: "loopback", peers: context.peers });
    const verification = await verifyJob(context.client, { storage: node, jobId: job.id });
    expect(
      verification.rounds.map((round) => round.outcome),
      JSON.stringify(verification.rounds.map((round) => round.reasons)),
    ).to.deep.equal(context.run.rounds.map(() => "agrees"));
    expect(verification.outcome).to.equal("agrees");
  } finally {
    await node?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** For every trainer: the indexer's claims (GraphQL) = its reward-token balance gained across its claim transactions. */
async function indexedRewardsEqualBalanceGains(context: HubContext): Promise<void> {
  const { client, run } = context;
  const token = run.token!.address!;
  const jobId = run.job!.id;
  const answer = await queryIndexer<{ claims: { items: { trainer: string; amount: string }[] } }>(
    context.indexer,
    `query ($job: BigInt!) { claims(where: { jobId: $job }, limit: 1000) { items { trainer amount } } }`,
    { job: jobId.toString() },
  );
  for (const trainer of run.trainers) {
    const indexed = answer.claims.items
      .filter((claim) => claim.trainer === trainer.address.toLowerCase())
      .reduce((sum, claim) => sum + BigInt(claim.amount), 0n);
    const claims = await getRewardClaims(client, { jobId, trainer: trainer.address });
    let gained = 0n;
    for (const block of new Set(claims.map((claim) => claim.blockNumber))) {
      const balanceAt = (blockNumber: bigint) =>
        readContract(client, { address: token, abi: erc20Abi, functionName: "balanceOf", args: [trainer.address], blockNumber });
      const before = await balanceAt(block - 1n);
      const after = await balanceAt(block);
      gained += after - before;
    }
    expect(indexed, `${trainer.name}: indexer vs balance`).to.equal(gained);
    // Honest trainers were paid; the free rider, slashed in round 0, was not.
    expect(gained > 0n, `${trainer.name} (${trainer.role}) paid ${gained}`).to.equal(trainer.role === "honest");
  }
}
