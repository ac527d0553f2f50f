/**
 * The client's typed indexer helpers (client/src/indexer), against the real indexer process of indexer.test.ts (they
 * share its devnet, scenario and Ponder process, which take most of a run's time). Called from indexer.test.ts.
 */
import * as dagJson from "@ipld/dag-json";
import { expect } from "chai";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { getAddress, type Address } from "viem";
import { datatokenAbi } from "@mycelium/client/abis";
import { AbortedError } from "@mycelium/client/errors";
import {
  IndexerQueryError,
  IndexerRequestError,
  IndexerTimeoutError,
  InvalidIndexerQueryError,
  ManifestResolverRequiredError,
  createIndexerClient,
  getAsset,
  getAssetOrders,
  getAssets,
  getJobs,
  getRounds,
  getTrainerEarnings,
  queryIndexer,
  roundPhaseAt,
  waitForIndexed,
  type IndexerClient,
  type WaitForIndexedProgress,
} from "@mycelium/client/indexer";
import { send, type TestChain } from "./support/chain.ts";
import { freePort, gql, type IndexerProcess } from "./support/ponder.ts";
import { JOB, MANIFESTS, type ScenarioResult, weightOf } from "./support/scenario.ts";

export type ClientHelperContext = { chain: TestChain; scenario: ScenarioResult; indexer: IndexerProcess };

/** The scenario's manifests: each CID is the sha2-256 dag-json CID of `{ name }`. */
const MANIFEST_NAMES = ["dataset v1", "dataset v2", "model v1", "model 3", "aggregate r4"];

export function clientHelperTests(context: () => ClientHelperContext): void {
  describe("client helpers (@mycelium/client/indexer)", () => {
    let client: IndexerClient;
    const lower = (address: Address) => address.toLowerCase();

    before(() => {
      client = createIndexerClient({ url: `${context().indexer.url}/graphql` });
    });

    it("getAsset and getAssets by kind and owner, with bigint amounts, listing and revenue with decimals", async () => {
      const { scenario, chain } = context();
      const asset = await getAsset(client, { id: 1n });
      expect(asset).to.deep.include({
        id: 1n,
        kind: "dataset",
        state: "active",
        owner: lower(scenario.actors.bob),
        manifestCid: MANIFESTS.datasetV2.cid,
        version: 2,
        parentIds: [],
        datatoken: lower(scenario.datatokens.asset1),
        orderCount: 1,
        purchaseCount: 2,
        datatokensSold: 4n,
        datatokensDispensed: 2n,
        listing: { paymentToken: lower(chain.usd), decimals: 6, price: 1_000_000n, active: true },
        revenue: [{ paymentToken: lower(chain.usd), decimals: 6, revenue: 8_500_000n, volume: 8_587_500n, purchaseCount: 2 }],
      });
      expect(await getAsset(client, { id: 999n })).to.equal(null);
      const models = await getAssets(client, { kind: "model" });
      expect(models.items.map((item) => item.id)).to.deep.equal([2n, 3n, 4n]);
      expect(models.nextCursor).to.equal(null);
      const bobs = await getAssets(client, { owner: getAddress(scenario.actors.bob) });
      expect(bobs.items.map((item) => item.id)).to.deep.equal([1n]);
      const newest = await getAssets(client, { orderDirection: "desc", limit: 1 });
      expect(newest.items.map((item) => item.id)).to.deep.equal([4n]);
    });

    it("getAssets pages with cursors", async () => {
      const first = await getAssets(client, { limit: 3 });
      expect(first.items.map((item) => item.id)).to.deep.equal([1n, 2n, 3n]);
      expect(first.nextCursor).to.be.a("string");
      const second = await getAssets(client, { limit: 3, after: first.nextCursor! });
      expect(second.items.map((item) => item.id)).to.deep.equal([4n]);
      expect(second.nextCursor).to.equal(null);
    });

    it("getAssets by name reads the manifests it is given a way to read, and says what is missing otherwise", async () => {
      // A content-addressed store of the scenario's manifests: bytes are only returned if they hash to the CID.
      const store = new Map<string, Uint8Array>();
      for (const name of MANIFEST_NAMES) {
        const bytes = dagJson.encode({ name });
        store.set(CID.create(1, dagJson.code, await sha256.digest(bytes)).toString(), bytes);
      }
      const read: string[] = [];
      const resolveManifest = async (cid: string) => {
        read.push(cid);
        const bytes = store.get(cid);
        if (bytes === undefined) return undefined;
        const digest = await sha256.digest(bytes);
        expect(CID.parse(cid).multihash.bytes).to.deep.equal(digest.bytes);
        return dagJson.decode(bytes);
      };
      const models = await getAssets(client, { name: "MODEL", resolveManifest });
      expect(models.items.map((item) => item.id)).to.deep.equal([2n, 3n]);
      const datasets = await getAssets(client, { name: "dataset", kind: "dataset", resolveManifest });
      expect(datasets.items.map((item) => item.id)).to.deep.equal([1n]);
      expect(read).to.include(MANIFESTS.datasetV2.cid);
      await expectError(getAssets(client, { name: "model" }), ManifestResolverRequiredError);
    });

    it("getAssetOrders: an asset's access receipts, by consumer too", async () => {
      const { scenario, chain } = context();
      const orders = await getAssetOrders(client, { assetId: 1n });
      expect(orders.items).to.have.length(1);
      const [order] = orders.items;
      const block = await chain.publicClient.getBlock({ blockNumber: scenario.steps.get("orderDataset")!.blockNumber });
      expect(order).to.deep.include({
        assetId: 1n,
        datatoken: lower(scenario.datatokens.asset1),
        consumer: lower(scenario.actors.carol),
        payer: lower(scenario.actors.bob),
        from: lower(scenario.actors.bob),
        buyer: null,
        validUntil: block.timestamp + 86_400n,
        blockNumber: block.number,
        timestamp: block.timestamp,
        transactionHash: scenario.steps.get("orderDataset")!.transactionHash,
      });
      const carols = await getAssetOrders(client, { assetId: 2n, consumer: scenario.actors.carol });
      // A market order: spent by the Marketplace from the seller's inventory, bought by Carol.
      expect(carols.items.map((item) => [item.validUntil, item.payer, item.from, item.buyer])).to.deep.equal([
        [2n ** 64n - 1n, lower(chain.marketplace), lower(scenario.actors.dave), lower(scenario.actors.carol)],
      ]);
      expect((await getAssetOrders(client, { assetId: 2n, consumer: scenario.actors.bob })).items).to.deep.equal([]);
    });

    it("getJobs and getRounds: parameters, progress, weights, leaders, outcomes and reveals; roundPhaseAt by the clock", async () => {
      const { scenario, chain } = context();
      const ended = await getJobs(client, { status: "ended" });
      expect(ended.items).to.have.length(1);
      expect(ended.items[0]).to.deep.include({
        id: 1n,
        sponsor: lower(scenario.actors.alice),
        datasetId: 1n,
        baseModelId: 3n,
        token: lower(chain.usd),
        tokenDecimals: 6,
        rewardPerRound: 100_000_000n,
        numRounds: 5,
        claimPeriod: JOB.claimPeriod,
        quorumBps: JOB.quorumBps,
        participationBps: JOB.participationBps,
        weightCap: JOB.weightCap,
        currentRound: 5,
        roundsSucceeded: 4,
        roundsFailed: 1,
        trainerCount: 4,
        joinCount: 5,
        forfeits: 0n,
        penalized: 399_800n,
        penaltyCount: 5,
        slashed: 2_700_000n,
        rewardClaimed: 465_580_000n,
        swept: 77_520_000n,
        refunded: 37_500_000n,
        burned: 19_800n,
        currentModelCid: MANIFESTS.aggregateR4.cid,
        lastSuccessfulRound: 4,
        resultAssetId: 4n,
      });
      const onDataset = await getJobs(client, { datasetId: 1n });
      expect(onDataset.items.map((job) => [job.id, job.status])).to.deep.equal([
        [2n, "cancelled"],
        [1n, "ended"],
      ]);
      expect((await getJobs(client, { sponsor: scenario.actors.bob })).items).to.deep.equal([]);

      const rounds = await getRounds(client, { jobId: 1n });
      expect(rounds.items.map((round) => [round.round, round.status, round.reward, round.early, round.swept])).to.deep.equal([
        [0, "succeeded", 100_050_000n, true, 40_020_000n],
        [1, "succeeded", 100_000_000n, false, 37_500_000n],
        [2, "failed", 0n, false, null],
        [3, "succeeded", 243_050_000n, false, null],
        [4, "succeeded", 100_000_000n, false, null],
      ]);
      const [round0, round1, round2] = rounds.items;
      expect(round0!.winner).to.deep.equal({
        tupleId: 1,
        aggregateCid: MANIFESTS.aggregateR0.cid,
        includedMask: 3n,
        includedSamples: 1_000n,
      });
      expect(round0!.reveals.map((reveal) => [reveal.index, reveal.updateCid, reveal.samples, reveal.weight, reveal.late])).to.deep.equal([
        [0, MANIFESTS.updateT1R0.cid, 600n, weightOf(JOB.stakes.t1), false],
        [1, MANIFESTS.updateT2R0.cid, 400n, weightOf(JOB.stakes.t2), false],
        [2, MANIFESTS.updateT3R0.cid, 100n, 0n, true],
      ]);
      expect([round0!.revealCount, round0!.lateRevealCount, round0!.revealedWeight, round0!.penalized]).to.deep.equal([
        2,
        1,
        4n << 16n,
        50_000n,
      ]);
      // Round 1: two tuples; the leader holds T1's and T3's weight, the loser T2's.
      expect(round1!.leader).to.deep.equal({ tupleId: 1, weight: weightOf(JOB.stakes.t1) + weightOf(JOB.stakes.t3 - 50_000n) });
      expect(round1!.attestedWeight).to.equal(round1!.revealedWeight);
      expect([round2!.winner, round2!.leader, round2!.carry, round2!.forfeits]).to.deep.equal([null, null, 100_000_000n, 3_000_000n]);
      expect(roundPhaseAt(round0!, round0!.start)).to.equal("finalized");
      const pending = { ...round1!, status: "pending" as const };
      expect([
        roundPhaseAt(pending, pending.start - 1n),
        roundPhaseAt(pending, pending.start),
        roundPhaseAt(pending, pending.commitEnd),
        roundPhaseAt(pending, pending.revealEnd),
        roundPhaseAt(pending, pending.attestEnd),
      ]).to.deep.equal(["scheduled", "commit", "reveal", "attest", "finalize"]);
    });

    it("getTrainerEarnings: rewards per token with decimals, stakes with penalties and slashes, and jobs", async () => {
      const { scenario, chain } = context();
      const usd = lower(chain.usd);
      const t1 = await getTrainerEarnings(client, { account: getAddress(scenario.actors.t1) });
      expect(t1).to.deep.equal({
        account: lower(scenario.actors.t1),
        earnings: [{ token: usd, decimals: 6, trainingRewards: 365_580_000n, total: 365_580_000n }],
        stakes: [{ token: usd, decimals: 6, staked: 0n, deposited: 2_000_000n, withdrawn: 1_960_200n, slashed: 0n, penalized: 39_800n }],
        jobs: [
          {
            jobId: 1n,
            index: 0,
            status: "withdrawn",
            stake: 0n,
            weight: 0n,
            firstRound: 0,
            rewardClaimed: 365_580_000n,
            claimCount: 3,
            samplesRevealed: 2_800n,
            penalized: 39_800n,
            penaltyCount: 2,
          },
        ],
      });
      const t2 = await getTrainerEarnings(client, { account: scenario.actors.t2 });
      expect(t2.earnings).to.deep.equal([]);
      expect(t2.stakes).to.deep.equal([
        { token: usd, decimals: 6, staked: 0n, deposited: 3_000_000n, withdrawn: 0n, slashed: 2_700_000n, penalized: 300_000n },
      ]);
      expect(t2.jobs.map((job) => [job.status, job.index, job.penaltyCount])).to.deep.equal([["slashed", 1, 1]]);
      const t4 = await getTrainerEarnings(client, { account: scenario.actors.t4 });
      expect(t4.jobs.map((job) => [job.status, job.index, job.firstRound, job.rewardClaimed])).to.deep.equal([
        ["withdrawn", 1, 4, 100_000_000n],
      ]);
      const dave = await getTrainerEarnings(client, { account: scenario.actors.dave });
      expect(dave.jobs).to.deep.equal([]);
      expect(dave.stakes).to.deep.equal([]);
    });

    it("waitForIndexed resolves once the indexer has the transaction's block, so its rows are there", async () => {
      const { chain, scenario } = context();
      const { alice, dave } = scenario.actors;
      const sent = await send(chain, alice, scenario.datatokens.asset1, datatokenAbi, "approve", [dave, 7n]);
      const progress: WaitForIndexedProgress[] = [];
      const indexed = await waitForIndexed(client, {
        hash: sent.transactionHash,
        pollingIntervalMs: 10,
        onProgress: (event) => progress.push(event),
      });
      expect(indexed).to.deep.include({ hash: sent.transactionHash, blockNumber: sent.blockNumber, status: "success" });
      expect(indexed.indexedBlock >= sent.blockNumber).to.equal(true);
      const row = await gql(
        context().indexer.url,
        `{ datatokenApproval(datatokenAddress: "${lower(scenario.datatokens.asset1)}",
        owner: "${lower(alice)}", spender: "${lower(dave)}") { value block } }`,
      );
      expect(row.datatokenApproval).to.deep.equal({ value: "7", block: sent.blockNumber.toString() });
      for (const event of progress) expect(event.type === "pending" || event.blockNumber === sent.blockNumber).to.equal(true);
    });

    it("waitForIndexed times out with a typed error, stops on abort, and rejects what is not a hash", async () => {
      const unknown = `0x${"ab".repeat(32)}` as const;
      const timedOut = await expectError(waitForIndexed(client, { hash: unknown, timeoutMs: 300 }), IndexerTimeoutError);
      expect(timedOut.timeoutMs).to.equal(300);
      expect(timedOut.details).to.match(/no receipt/);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("user gave up")), 100);
      await expectError(waitForIndexed(client, { hash: unknown, signal: controller.signal }), AbortedError);
      await expectError(waitForIndexed(client, { hash: "0x1234" as never }), InvalidIndexerQueryError);
    });

    it("typed errors: refused queries, an unreachable indexer, bad parameters", async () => {
      const refused = await expectError(
        queryIndexer(client, "{ assets(limit: 1000) { items { orders(limit: 1000) { items { id } } } } }"),
        IndexerQueryError,
      );
      expect(refused.graphqlCode).to.equal("QUERY_TOO_COSTLY");
      expect(refused.hint).to.match(/lower the `limit`/);
      const nowhere = createIndexerClient({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2_000 });
      await expectError(getAssets(nowhere), IndexerRequestError);
      await expectError(getAssets(client, { owner: "bob" }), InvalidIndexerQueryError);
      await expectError(getAssets(client, { limit: 0 }), InvalidIndexerQueryError);
    });
  });
}

async function expectError<error extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => error): Promise<error> {
  try {
    await promise;
  } catch (caught) {
    expect(caught, `expected ${type.name}, got ${String(caught)}`).to.be.instanceOf(type);
    return caught as error;
  }
  throw new Error(`expected ${type.name}, but it succeeded`);
}
