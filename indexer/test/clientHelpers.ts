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
import { MANIFESTS, ONE, type ScenarioResult } from "./support/scenario.ts";

export type ClientHelperContext = { chain: TestChain; scenario: ScenarioResult; indexer: IndexerProcess };

/** The scenario's manifests: each CID is the sha2-256 dag-json CID of `{ name }`. */
const MANIFEST_NAMES = ["dataset v1", "dataset v2", "model v1", "model 3", "aggregate r0"];

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
        validUntil: block.timestamp + 86_400n,
        blockNumber: block.number,
        timestamp: block.timestamp,
        transactionHash: scenario.steps.get("orderDataset")!.transactionHash,
      });
      const carols = await getAssetOrders(client, { assetId: 2n, consumer: scenario.actors.carol });
      expect(carols.items.map((item) => item.validUntil)).to.deep.equal([2n ** 64n - 1n]);
      expect((await getAssetOrders(client, { assetId: 2n, consumer: scenario.actors.bob })).items).to.deep.equal([]);
    });

    it("getJobs and getRounds: parameters, progress, outcomes and reveals; roundPhaseAt by the clock", async () => {
      const { scenario } = context();
      const ended = await getJobs(client, { status: "ended" });
      expect(ended.items).to.have.length(1);
      expect(ended.items[0]).to.deep.include({
        id: 1n,
        sponsor: lower(scenario.actors.alice),
        datasetId: 1n,
        baseModelId: 3n,
        rewardTokenDecimals: 6,
        stakeTokenDecimals: 18,
        rewardPerRound: 100_000_000n,
        numRounds: 2,
        currentRound: 2,
        roundsSucceeded: 1,
        roundsFailed: 1,
        trainerCount: 3,
        rewardClaimed: 100_000_000n,
        currentModelCid: MANIFESTS.aggregateR0.cid,
        lastSuccessfulRound: 0,
        resultAssetId: 4n,
      });
      const onDataset = await getJobs(client, { datasetId: 1n });
      expect(onDataset.items.map((job) => [job.id, job.status])).to.deep.equal([
        [2n, "cancelled"],
        [1n, "ended"],
      ]);
      expect((await getJobs(client, { sponsor: scenario.actors.bob })).items).to.deep.equal([]);

      const rounds = await getRounds(client, { jobId: 1n });
      expect(rounds.items.map((round) => [round.round, round.status, round.reward])).to.deep.equal([
        [0, "succeeded", 100_000_000n],
        [1, "failed", 100_000_000n],
      ]);
      const [round0, round1] = rounds.items;
      expect(round0!.winner).to.deep.equal({
        tupleId: 1,
        aggregateCid: MANIFESTS.aggregateR0.cid,
        includedMask: 3n,
        includedSamples: 1_000n,
      });
      expect(round0!.reveals.map((reveal) => [reveal.index, reveal.updateCid, reveal.samples, reveal.stake])).to.deep.equal([
        [0, MANIFESTS.updateT1R0.cid, 600n, 2n * ONE],
        [1, MANIFESTS.updateT2R0.cid, 400n, 3n * ONE],
      ]);
      expect(round1!.winner).to.equal(null);
      expect(round1!.carry).to.equal(100_000_000n);
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

    it("getTrainerEarnings: rewards per token with decimals, stakes, and jobs", async () => {
      const { scenario } = context();
      const t1 = await getTrainerEarnings(client, { account: getAddress(scenario.actors.t1) });
      expect(t1).to.deep.equal({
        account: lower(scenario.actors.t1),
        earnings: [{ token: lower(context().chain.usd), decimals: 6, trainingRewards: 60_000_000n, slashRewards: 0n, total: 60_000_000n }],
        stakes: [{ token: lower(scenario.dai), decimals: 18, staked: 0n, deposited: 2n * ONE, withdrawn: 2n * ONE, slashed: 0n }],
        jobs: [{ jobId: 1n, index: 0, status: "withdrawn", stake: 0n, rewardClaimed: 60_000_000n, claimCount: 1, samplesRevealed: 1_100n }],
      });
      const dave = await getTrainerEarnings(client, { account: scenario.actors.dave });
      expect(dave.earnings.find((earning) => earning.token === lower(scenario.dai))?.slashRewards).to.equal(ONE / 10n);
      expect(dave.jobs).to.deep.equal([]);
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
