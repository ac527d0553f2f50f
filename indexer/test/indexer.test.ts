/**
 * The indexer end to end, with real processes: a devnet (startDevnet), the scripted scenario, then `ponder start`.
 *
 * 1. The GraphQL answers match the scenario exactly: values, relations, filters, ordering, pagination.
 * 2. Malformed and abusive queries are refused and the server keeps serving.
 * 3. An indexer does not outlive the process that started it, even one killed outright.
 * 4. Killed with SIGKILL in the middle of indexing thousands of events and started again, an indexer ends with the
 *    same rows as one that never stopped: nothing lost, nothing twice. On PGlite (rebuilt after an unclean stop) and on
 *    PostgreSQL (resumed from Ponder's checkpoint), which therefore also gives the same rows as PGlite.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { assetRegistryAbi, datatokenAbi, marketplaceAbi, trainingJobsAbi } from "@mycelium/client/abis";
import { base58btc } from "multiformats/bases/base58";
import { getAddress, hexToBytes, keccak256, parseEventLogs, toHex, zeroAddress, type Address, type Log } from "viem";
import { clientHelperTests } from "./clientHelpers.ts";
import { generateActivity } from "./support/activity.ts";
import { procStat, startOrphanParent, waitUntilGone } from "@mycelium/devkit";
import { mineBlocks, startTestChain, type TestChain } from "./support/chain.ts";
import { dumpAll } from "./support/dump.ts";
import {
  gql,
  graphqlRequest,
  indexedBlock,
  metric,
  sleep,
  startIndexer,
  tail,
  waitForBlock,
  type IndexerProcess,
} from "./support/ponder.ts";
import { JOB, MANIFESTS, ONE, USD, peerIdOf, runScenario, weightOf, type ScenarioResult } from "./support/scenario.ts";
import { postgresUrl, dropPostgresSchema } from "./support/postgres.ts";

/** A chain id of its own, so PostgreSQL's shared `ponder_sync` store never mixes this chain with another run's. */
const CHAIN_ID = 400_000 + Math.floor(Math.random() * 500_000);
const UINT64_MAX = (2n ** 64n - 1n).toString();
const UINT256_MAX = (2n ** 256n - 1n).toString();

describe("indexer", function () {
  this.timeout(600_000);

  let chain: TestChain;
  let scenario: ScenarioResult;
  let indexer: IndexerProcess;
  const indexers: IndexerProcess[] = [];
  const timestamps = new Map<bigint, string>();

  const lower = (address: Address) => address.toLowerCase();
  const receipt = (step: string) => {
    const found = scenario.steps.get(step);
    if (found === undefined) throw new Error(`No scenario step ${step}`);
    return found;
  };
  const block = (step: string) => receipt(step).blockNumber.toString();
  const time = (step: string) => timestamps.get(receipt(step).blockNumber)!;
  const tx = (step: string) => receipt(step).transactionHash;

  before(async () => {
    chain = await startTestChain({ chainId: CHAIN_ID });
    scenario = await runScenario(chain);
    for (const mined of scenario.receipts) {
      if (!timestamps.has(mined.blockNumber)) {
        timestamps.set(mined.blockNumber, (await chain.publicClient.getBlock({ blockNumber: mined.blockNumber })).timestamp.toString());
      }
    }
    indexer = await startIndexer({
      deploymentFile: chain.deploymentFile,
      schema: "scenario",
      dataDir: path.join(chain.tempDir, "pglite-a"),
    });
    indexers.push(indexer);
    await waitForBlock(indexer, await chain.publicClient.getBlockNumber());
  });

  after(async () => {
    await Promise.all(indexers.map((process) => process.stop()));
    await chain?.stop();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.error(`Last indexer logs:\n${tail(indexer.logs, 20)}`);
  });

  describe("the scenario", () => {
    it("emitted every event type the indexer handles, and the indexer handled them all", async () => {
      const indexed = new Set([chain.registry, chain.marketplace, scenario.trainingJobs, ...Object.values(scenario.datatokens)].map(lower));
      const logs = scenario.receipts.flatMap((r) => r.logs).filter((log) => indexed.has(lower(log.address)));
      const emitted = new Set<string>();
      const contracts = [
        ["AssetRegistry", assetRegistryAbi, [chain.registry]],
        ["Datatoken", datatokenAbi, Object.values(scenario.datatokens)],
        ["Marketplace", marketplaceAbi, [chain.marketplace]],
        ["TrainingJobs", trainingJobsAbi, [scenario.trainingJobs]],
      ] as const;
      for (const [contract, abi, addresses] of contracts) {
        const own = logs.filter((log) => addresses.map(lower).includes(lower(log.address)));
        for (const log of parseEventLogs({ abi, logs: own as Log[], strict: false })) emitted.add(`${contract}:${log.eventName}`);
      }
      const handled = handledEvents();
      expect(
        [...handled].filter((name) => !emitted.has(name)),
        "handled events the scenario never emitted",
      ).to.deep.equal([]);
      // ERC-4906's MetadataUpdate always follows ManifestUpdated, which says more: the only event left unhandled.
      expect(
        [...emitted].filter((name) => !handled.has(name)),
        "emitted events without a handler",
      ).to.deep.equal(["AssetRegistry:MetadataUpdate"]);
      const completed = await metric(indexer.url, "ponder_indexing_completed_events");
      // Two more: the Marketplace's constructor emits OwnershipTransferred and ProtocolFeeSet at deployment.
      const handledLogs = logs.filter((log) => !["MetadataUpdate"].includes(eventName(log)));
      expect(completed).to.equal(handledLogs.length + 2);
    });
  });

  describe("GraphQL answers", () => {
    it("assets: kind, state, owner, manifest, lineage, datatoken and counters", async () => {
      const { alice, bob, carol, dave } = scenario.actors;
      const data = await gql(
        indexer.url,
        `{ assets(orderBy: "id") { items {
        id kind state owner publisher approved ownerEpoch manifestCid version parentIds datatokenAddress orderCount purchaseCount
        datatokensSold datatokensDispensed createdAtBlock createdAtTimestamp createdAtTransaction updatedAtBlock updatedAtTimestamp
      } totalCount } }`,
      );
      expect(data.assets.totalCount).to.equal(4);
      expect(data.assets.items).to.deep.equal([
        {
          id: "1",
          kind: "dataset",
          state: "active",
          owner: lower(bob),
          publisher: lower(alice),
          approved: null,
          ownerEpoch: "1",
          manifestCid: MANIFESTS.datasetV2.cid,
          version: 2,
          parentIds: [],
          datatokenAddress: lower(scenario.datatokens.asset1),
          orderCount: 1,
          purchaseCount: 2,
          datatokensSold: "4",
          datatokensDispensed: "2",
          createdAtBlock: block("publishDataset"),
          createdAtTimestamp: time("publishDataset"),
          createdAtTransaction: tx("publishDataset"),
          updatedAtBlock: block("buyDatasetCarol"),
          updatedAtTimestamp: time("buyDatasetCarol"),
        },
        {
          id: "2",
          kind: "model",
          state: "revoked",
          owner: lower(dave),
          publisher: lower(alice),
          approved: null,
          ownerEpoch: "0",
          manifestCid: MANIFESTS.modelV1.cid,
          version: 1,
          parentIds: ["1"],
          datatokenAddress: lower(scenario.datatokens.asset2),
          orderCount: 1,
          purchaseCount: 1,
          datatokensSold: "1",
          datatokensDispensed: "0",
          createdAtBlock: block("publishModel"),
          createdAtTimestamp: time("publishModel"),
          createdAtTransaction: tx("publishModel"),
          updatedAtBlock: block("revokeModel"),
          updatedAtTimestamp: time("revokeModel"),
        },
        {
          id: "3",
          kind: "model",
          state: "active",
          owner: lower(dave),
          publisher: lower(carol),
          approved: null,
          ownerEpoch: "1",
          manifestCid: MANIFESTS.model3.cid,
          version: 1,
          parentIds: ["1", "2"],
          datatokenAddress: lower(scenario.datatokens.asset3),
          orderCount: 0,
          purchaseCount: 0,
          datatokensSold: "0",
          datatokensDispensed: "0",
          createdAtBlock: block("publishModel3"),
          createdAtTimestamp: time("publishModel3"),
          createdAtTransaction: tx("publishModel3"),
          updatedAtBlock: block("transferModel3"),
          updatedAtTimestamp: time("transferModel3"),
        },
        {
          id: "4",
          kind: "model",
          state: "active",
          owner: lower(alice),
          publisher: lower(scenario.trainingJobs),
          approved: null,
          ownerEpoch: "0",
          manifestCid: MANIFESTS.aggregateR4.cid,
          version: 1,
          parentIds: ["1", "3"],
          datatokenAddress: null,
          orderCount: 0,
          purchaseCount: 0,
          datatokensSold: "0",
          datatokensDispensed: "0",
          createdAtBlock: block("publishResult"),
          createdAtTimestamp: time("publishResult"),
          createdAtTransaction: tx("publishResult"),
          updatedAtBlock: block("publishResult"),
          updatedAtTimestamp: time("publishResult"),
        },
      ]);
    });

    it("manifest versions, lineage both ways, state changes, NFT transfers and approvals", async () => {
      const { alice, bob, carol, dave } = scenario.actors;
      const data = await gql(
        indexer.url,
        `{
        asset(id: "1") {
          versions(orderBy: "version") { items { assetId version manifestCid block timestamp transaction } }
          children(orderBy: "childId") { items { childId position child { id kind } } }
          transfers(orderBy: "id") { items { from to block transaction } }
        }
        three: asset(id: "3") { parents(orderBy: "position") { items { parentId position parent { id manifestCid } } } }
        two: asset(id: "2") { stateChanges(orderBy: "id") { items { previousState newState block transaction } } }
        assetTransfers(orderBy: "id") { items { assetId from to } }
        operatorApprovals { items { owner operator approved block } }
      }`,
      );
      expect(data.asset.versions.items).to.deep.equal([
        {
          assetId: "1",
          version: 1,
          manifestCid: MANIFESTS.datasetV1.cid,
          block: block("publishDataset"),
          timestamp: time("publishDataset"),
          transaction: tx("publishDataset"),
        },
        {
          assetId: "1",
          version: 2,
          manifestCid: MANIFESTS.datasetV2.cid,
          block: block("updateManifest"),
          timestamp: time("updateManifest"),
          transaction: tx("updateManifest"),
        },
      ]);
      expect(data.asset.children.items).to.deep.equal([
        { childId: "2", position: 0, child: { id: "2", kind: "model" } },
        { childId: "3", position: 0, child: { id: "3", kind: "model" } },
        { childId: "4", position: 0, child: { id: "4", kind: "model" } },
      ]);
      expect(data.three.parents.items).to.deep.equal([
        { parentId: "1", position: 0, parent: { id: "1", manifestCid: MANIFESTS.datasetV2.cid } },
        { parentId: "2", position: 1, parent: { id: "2", manifestCid: MANIFESTS.modelV1.cid } },
      ]);
      expect(data.asset.transfers.items).to.deep.equal([
        { from: zeroAddress, to: lower(alice), block: block("publishDataset"), transaction: tx("publishDataset") },
        { from: lower(alice), to: lower(bob), block: block("transferAsset"), transaction: tx("transferAsset") },
      ]);
      expect(data.two.stateChanges.items).to.deep.equal([
        { previousState: "active", newState: "deprecated", block: block("deprecateModel"), transaction: tx("deprecateModel") },
        { previousState: "deprecated", newState: "revoked", block: block("revokeModel"), transaction: tx("revokeModel") },
      ]);
      expect(data.assetTransfers.items).to.deep.equal([
        { assetId: "1", from: zeroAddress, to: lower(alice) },
        { assetId: "2", from: zeroAddress, to: lower(dave) },
        { assetId: "1", from: lower(alice), to: lower(bob) },
        { assetId: "3", from: zeroAddress, to: lower(carol) },
        { assetId: "4", from: zeroAddress, to: lower(alice) },
        { assetId: "3", from: lower(carol), to: lower(dave) },
      ]);
      expect(data.operatorApprovals.items).to.deep.equal([
        { owner: lower(alice), operator: lower(carol), approved: true, block: block("approveForAll") },
      ]);
      // The ERC-721 approval Alice gave Bob was set, then cleared by the transfer.
      const approval = await gql(indexer.url, `{ assetTransfers(where: { transaction: "${tx("approveAsset")}" }) { totalCount } }`);
      expect(approval.assetTransfers.totalCount).to.equal(0);
    });

    it("walks asset -> datatoken -> orders, with supply, balances, approvals and transfers", async () => {
      const { alice, bob, carol, dave } = scenario.actors;
      const { asset1, asset2, asset3 } = scenario.datatokens;
      const data = await gql(
        indexer.url,
        `{
        one: asset(id: "1") { datatoken { address assetId accessPeriod initialSupply totalSupply orderCount createdAtBlock createdAtTransaction
          orders { items { assetId datatokenAddress consumer payer from buyer purchaseId validUntil block timestamp transaction asset { id } } }
          balances(orderBy: "account") { items { account balance } }
          approvals(orderBy: "spender") { items { owner spender value } }
          transfers(orderBy: "id") { totalCount }
        } }
        two: asset(id: "2") { datatoken { address accessPeriod initialSupply totalSupply orderCount
          orders { items { consumer payer from buyer validUntil transaction purchase { buyer seller consumer transaction } } }
          balances { items { account balance } } } }
        three: asset(id: "3") { datatoken { address accessPeriod initialSupply totalSupply orderCount balances { items { account balance } } } }
      }`,
      );
      expect(data.one.datatoken).to.deep.equal({
        address: lower(asset1),
        assetId: "1",
        accessPeriod: "86400",
        initialSupply: (100n * ONE).toString(),
        totalSupply: (99n * ONE).toString(),
        orderCount: 1,
        createdAtBlock: block("publishDataset"),
        createdAtTransaction: tx("publishDataset"),
        orders: {
          items: [
            {
              assetId: "1",
              datatokenAddress: lower(asset1),
              consumer: lower(carol),
              payer: lower(bob),
              from: lower(bob),
              buyer: null,
              purchaseId: null,
              validUntil: (BigInt(time("orderDataset")) + 86_400n).toString(),
              block: block("orderDataset"),
              timestamp: time("orderDataset"),
              transaction: tx("orderDataset"),
              asset: { id: "1" },
            },
          ],
        },
        balances: {
          items: [
            { account: lower(alice), balance: (95n * ONE).toString() },
            { account: lower(bob), balance: "0" },
            { account: lower(carol), balance: (2n * ONE).toString() },
            { account: lower(dave), balance: (2n * ONE).toString() },
          ].sort((a, b) => a.account.localeCompare(b.account)),
        },
        approvals: {
          items: [
            { owner: lower(bob), spender: lower(carol), value: ONE.toString() },
            { owner: lower(alice), spender: lower(chain.marketplace), value: UINT256_MAX },
            { owner: lower(bob), spender: lower(chain.marketplace), value: ONE.toString() },
          ].sort((a, b) => a.spender.localeCompare(b.spender) || a.owner.localeCompare(b.owner)),
        },
        transfers: { totalCount: 6 },
      });
      expect(data.two.datatoken).to.deep.equal({
        address: lower(asset2),
        accessPeriod: "0",
        initialSupply: "0",
        totalSupply: (4n * ONE).toString(),
        orderCount: 1,
        // A market order: the Marketplace spent the seller's token; its Purchased, in the same transaction, names the buyer.
        orders: {
          items: [
            {
              consumer: lower(carol),
              payer: lower(chain.marketplace),
              from: lower(dave),
              buyer: lower(carol),
              validUntil: UINT64_MAX,
              transaction: tx("buyAndOrderModel"),
              purchase: { buyer: lower(carol), seller: lower(dave), consumer: lower(carol), transaction: tx("buyAndOrderModel") },
            },
          ],
        },
        balances: { items: [{ account: lower(dave), balance: (4n * ONE).toString() }] },
      });
      expect(data.three.datatoken).to.deep.equal({
        address: lower(asset3),
        accessPeriod: "600",
        initialSupply: ONE.toString(),
        totalSupply: ONE.toString(),
        orderCount: 0,
        balances: { items: [{ account: lower(carol), balance: ONE.toString() }] },
      });
    });

    it("purchases, per-asset revenue per payment token with its decimals, and per-account earnings", async () => {
      const { admin, alice, bob, carol, dave, t1, t4 } = scenario.actors;
      const usd = lower(chain.usd);
      const dai = lower(scenario.dai);
      const data = await gql(
        indexer.url,
        `{
        purchases(orderBy: "id") { items { assetId buyer seller paymentToken count base protocolFee marketFee total treasury
          marketFeeRecipient consumer block transaction token { decimals } } }
        assetRevenues(orderBy: "assetId") { items { assetId paymentToken purchaseCount datatokensSold revenue protocolFees marketFees volume
          updatedAtBlock token { address decimals isPaymentToken } } }
        accountEarnings(limit: 100) {
          items { account tokenAddress sales marketFees protocolFees trainingRewards total paymentCount token { decimals } }
        }
        tokens(orderBy: "decimals") { items { address decimals isPaymentToken isJobToken firstSeenAtBlock } }
      }`,
      );
      expect(data.purchases.items).to.deep.equal([
        {
          assetId: "1",
          buyer: lower(bob),
          seller: lower(alice),
          paymentToken: usd,
          count: "3",
          base: "7500000",
          protocolFee: "7500",
          marketFee: "75000",
          total: "7582500",
          treasury: lower(admin),
          marketFeeRecipient: lower(carol),
          consumer: null,
          block: block("buyDataset"),
          transaction: tx("buyDataset"),
          token: { decimals: 6 },
        },
        {
          assetId: "2",
          buyer: lower(carol),
          seller: lower(dave),
          paymentToken: dai,
          count: "1",
          base: (4n * ONE).toString(),
          protocolFee: (4n * 10n ** 15n).toString(),
          marketFee: "0",
          total: (4_004n * 10n ** 15n).toString(),
          treasury: lower(admin),
          marketFeeRecipient: zeroAddress,
          consumer: lower(carol),
          block: block("buyAndOrderModel"),
          transaction: tx("buyAndOrderModel"),
          token: { decimals: 18 },
        },
        {
          assetId: "1",
          buyer: lower(carol),
          seller: lower(bob),
          paymentToken: usd,
          count: "1",
          base: "1000000",
          protocolFee: "5000",
          marketFee: "0",
          total: "1005000",
          treasury: lower(dave),
          marketFeeRecipient: zeroAddress,
          consumer: null,
          block: block("buyDatasetCarol"),
          transaction: tx("buyDatasetCarol"),
          token: { decimals: 6 },
        },
      ]);
      expect(data.assetRevenues.items).to.deep.equal([
        {
          assetId: "1",
          paymentToken: usd,
          purchaseCount: 2,
          datatokensSold: "4",
          revenue: "8500000",
          protocolFees: "12500",
          marketFees: "75000",
          volume: "8587500",
          updatedAtBlock: block("buyDatasetCarol"),
          token: { address: usd, decimals: 6, isPaymentToken: true },
        },
        {
          assetId: "2",
          paymentToken: dai,
          purchaseCount: 1,
          datatokensSold: "1",
          revenue: (4n * ONE).toString(),
          protocolFees: (4n * 10n ** 15n).toString(),
          marketFees: "0",
          volume: (4_004n * 10n ** 15n).toString(),
          updatedAtBlock: block("buyAndOrderModel"),
          token: { address: dai, decimals: 18, isPaymentToken: true },
        },
      ]);
      type Source = "sales" | "marketFees" | "protocolFees" | "trainingRewards";
      const earning = (account: Address, token: string, part: Partial<Record<Source, string>>, count = 1) => {
        const amounts = Object.fromEntries(
          (["sales", "marketFees", "protocolFees", "trainingRewards"] as const).map((source) => [source, part[source] ?? "0"]),
        );
        return {
          account: lower(account),
          tokenAddress: token,
          ...amounts,
          total: Object.values(amounts)
            .reduce((sum, amount) => sum + BigInt(amount), 0n)
            .toString(),
          paymentCount: count,
          token: { decimals: token === usd ? 6 : 18 },
        };
      };
      const byKey = (a: { account: string; tokenAddress: string }, b: { account: string; tokenAddress: string }) =>
        a.account.localeCompare(b.account) || a.tokenAddress.localeCompare(b.tokenAddress);
      expect([...data.accountEarnings.items].sort(byKey)).to.deep.equal(
        [
          earning(alice, usd, { sales: "7500000" }),
          earning(admin, usd, { protocolFees: "7500" }),
          earning(admin, dai, { protocolFees: (4n * 10n ** 15n).toString() }),
          earning(carol, usd, { marketFees: "75000" }),
          earning(dave, dai, { sales: (4n * ONE).toString() }),
          // T1 claimed rounds 0, 1 and 3, T4 round 4; T2 and T3 never claimed (their shares were swept). Slashing pays
          // its caller nothing.
          earning(t1, usd, { trainingRewards: "365580000" }, 3),
          earning(t4, usd, { trainingRewards: "100000000" }),
          earning(dave, usd, { protocolFees: "5000" }),
          earning(bob, usd, { sales: "1000000" }),
        ].sort(byKey),
      );
      expect(data.tokens.items).to.deep.equal([
        { address: usd, decimals: 6, isPaymentToken: true, isJobToken: true, firstSeenAtBlock: block("publishDataset") },
        { address: dai, decimals: 18, isPaymentToken: true, isJobToken: false, firstSeenAtBlock: block("listModel") },
      ]);
    });

    it("listings with their price history, dispensers with their claims; both lapse when the NFT changes hands", async () => {
      const { alice, bob, carol, dave } = scenario.actors;
      const usd = lower(chain.usd);
      const dai = lower(scenario.dai);
      const data = await gql(
        indexer.url,
        `{
        listings(orderBy: "assetId") { items { assetId datatokenAddress paymentToken price owner ownerEpoch active changeCount updatedAtBlock
          token { decimals } changes(orderBy: "id") { items { action paymentToken price owner block transaction } } } }
        dispensers(orderBy: "assetId") { items { assetId datatokenAddress maxPerWallet ownerEpoch active dispensed claimCount updatedAtBlock
          changes(orderBy: "id") { items { action maxPerWallet block } }
          claims { items { recipient owner count block transaction } } } }
      }`,
      );
      expect(data.listings.items).to.deep.equal([
        {
          assetId: "1",
          datatokenAddress: lower(scenario.datatokens.asset1),
          paymentToken: usd,
          price: "1000000",
          owner: lower(bob),
          // Bob's listing, set after Alice gave him the NFT (Alice had closed hers before).
          ownerEpoch: "1",
          active: true,
          changeCount: 2,
          updatedAtBlock: block("listDatasetBob"),
          token: { decimals: 6 },
          changes: {
            items: [
              {
                action: "set",
                paymentToken: usd,
                price: "2500000",
                owner: lower(alice),
                block: block("publishDataset"),
                transaction: tx("publishDataset"),
              },
              {
                action: "closed",
                paymentToken: null,
                price: null,
                owner: null,
                block: block("closeListing"),
                transaction: tx("closeListing"),
              },
              {
                action: "set",
                paymentToken: usd,
                price: "1000000",
                owner: lower(bob),
                block: block("listDatasetBob"),
                transaction: tx("listDatasetBob"),
              },
            ],
          },
        },
        {
          assetId: "2",
          datatokenAddress: lower(scenario.datatokens.asset2),
          paymentToken: dai,
          price: (4n * ONE).toString(),
          owner: lower(dave),
          ownerEpoch: "0",
          active: true,
          changeCount: 2,
          updatedAtBlock: block("relistModel"),
          token: { decimals: 18 },
          changes: {
            items: [
              {
                action: "set",
                paymentToken: dai,
                price: (3n * ONE).toString(),
                owner: lower(dave),
                block: block("listModel"),
                transaction: tx("listModel"),
              },
              {
                action: "set",
                paymentToken: dai,
                price: (4n * ONE).toString(),
                owner: lower(dave),
                block: block("relistModel"),
                transaction: tx("relistModel"),
              },
            ],
          },
        },
        // Carol's listing lapsed when she gave the NFT to Dave: it no longer sells (no Marketplace event says so).
        {
          assetId: "3",
          datatokenAddress: lower(scenario.datatokens.asset3),
          paymentToken: usd,
          price: "2000000",
          owner: lower(carol),
          ownerEpoch: "0",
          active: false,
          changeCount: 1,
          updatedAtBlock: block("transferModel3"),
          token: { decimals: 6 },
          changes: {
            items: [
              {
                action: "set",
                paymentToken: usd,
                price: "2000000",
                owner: lower(carol),
                block: block("listModel3"),
                transaction: tx("listModel3"),
              },
              {
                action: "lapsed",
                paymentToken: null,
                price: null,
                owner: null,
                block: block("transferModel3"),
                transaction: tx("transferModel3"),
              },
            ],
          },
        },
      ]);
      expect(data.dispensers.items).to.deep.equal([
        {
          assetId: "1",
          datatokenAddress: lower(scenario.datatokens.asset1),
          maxPerWallet: "2",
          ownerEpoch: "0",
          active: false,
          dispensed: "2",
          claimCount: 1,
          updatedAtBlock: block("closeDispenser"),
          changes: {
            items: [
              { action: "set", maxPerWallet: "2", block: block("setDispenser") },
              { action: "closed", maxPerWallet: null, block: block("closeDispenser") },
            ],
          },
          claims: {
            items: [{ recipient: lower(dave), owner: lower(alice), count: "2", block: block("dispense"), transaction: tx("dispense") }],
          },
        },
        {
          assetId: "3",
          datatokenAddress: lower(scenario.datatokens.asset3),
          maxPerWallet: "1",
          ownerEpoch: "0",
          active: false,
          dispensed: "0",
          claimCount: 0,
          updatedAtBlock: block("transferModel3"),
          changes: {
            items: [
              { action: "set", maxPerWallet: "1", block: block("setDispenserModel3") },
              { action: "lapsed", maxPerWallet: null, block: block("transferModel3") },
            ],
          },
          claims: { items: [] },
        },
      ]);
    });

    it("the marketplace's fee and ownership, with their history since deployment", async () => {
      const { admin, dave } = scenario.actors;
      const deployed = chain.devnet.deployment.contracts.Marketplace!.startBlock.toString();
      const data = await gql(
        indexer.url,
        `{
        marketplaces { items { address owner pendingOwner treasury protocolFeeBps updatedAtBlock } }
        protocolFeeChanges(orderBy: "id") { items { treasury bps block } }
        marketplaceOwnershipChanges(orderBy: "id") { items { step previousOwner newOwner block } }
      }`,
      );
      expect(data.marketplaces.items).to.deep.equal([
        {
          address: lower(chain.marketplace),
          owner: lower(dave),
          pendingOwner: null,
          treasury: lower(dave),
          protocolFeeBps: 50,
          updatedAtBlock: block("setProtocolFee"),
        },
      ]);
      expect(data.protocolFeeChanges.items).to.deep.equal([
        { treasury: lower(admin), bps: 10, block: deployed },
        { treasury: lower(dave), bps: 50, block: block("setProtocolFee") },
      ]);
      expect(data.marketplaceOwnershipChanges.items).to.deep.equal([
        { step: "transferred", previousOwner: zeroAddress, newOwner: lower(admin), block: deployed },
        { step: "started", previousOwner: lower(admin), newOwner: lower(dave), block: block("transferOwnership") },
        { step: "transferred", previousOwner: lower(admin), newOwner: lower(dave), block: block("acceptOwnership") },
      ]);
    });

    it("filters: by kind, by owner (any address case), by state list, by amount, with AND/OR", async () => {
      const { bob, dave } = scenario.actors;
      const data = await gql(
        indexer.url,
        `{
        models: assets(where: { kind: model }, orderBy: "id") { items { id } }
        bobs: assets(where: { owner: "${getAddress(bob)}" }) { items { id } }
        live: assets(where: { state_in: [active, deprecated] }, orderBy: "id") { items { id } }
        big: purchases(where: { total_gt: "5000000" }, orderBy: "id") { items { assetId total } }
        either: assets(where: { OR: [{ id: "1" }, { AND: [{ kind: model }, { state: revoked }] }] }, orderBy: "id") { items { id } }
        daves: accountEarnings(where: { account: "${lower(dave)}", tokenAddress_in: ["${lower(scenario.dai)}"] }) { items { sales } }
        none: assets(where: { id_gt: "4" }) { items { id } totalCount }
      }`,
      );
      expect(data.models.items).to.deep.equal([{ id: "2" }, { id: "3" }, { id: "4" }]);
      expect(data.bobs.items).to.deep.equal([{ id: "1" }]);
      expect(data.live.items).to.deep.equal([{ id: "1" }, { id: "3" }, { id: "4" }]);
      expect(data.big.items).to.deep.equal([
        { assetId: "1", total: "7582500" },
        { assetId: "2", total: (4_004n * 10n ** 15n).toString() },
      ]);
      expect(data.either.items).to.deep.equal([{ id: "1" }, { id: "2" }]);
      expect(data.daves.items).to.deep.equal([{ sales: (4n * ONE).toString() }]);
      expect(data.none).to.deep.equal({ items: [], totalCount: 0 });
    });

    it("ordering and cursor pagination: pages cover every row once, in order, both ways", async () => {
      const all = await gql(indexer.url, `{ datatokenTransfers(orderBy: "id") { items { id } totalCount } }`);
      expect(all.datatokenTransfers.totalCount).to.equal(9);
      const ids: string[] = all.datatokenTransfers.items.map((item: { id: string }) => item.id);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        // biome-ignore lint/suspicious/noExplicitAny: the test walks the GraphQL answer field by field.
        const page: any = await gql(
          indexer.url,
          `query ($after: String) { datatokenTransfers(orderBy: "id", limit: 4, after: $after) {
          items { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
          { after },
        );
        const { items, pageInfo } = page.datatokenTransfers;
        seen.push(...items.map((item: { id: string }) => item.id));
        expect(pageInfo.hasPreviousPage).to.equal(pages > 0);
        pages++;
        if (!pageInfo.hasNextPage) break;
        after = pageInfo.endCursor;
      }
      expect(pages).to.equal(3);
      expect(seen).to.deep.equal(ids);
      const descending = await gql(indexer.url, `{ orders(orderBy: "timestamp", orderDirection: "desc") { items { assetId } } }`);
      expect(descending.orders.items).to.deep.equal([{ assetId: "2" }, { assetId: "1" }]);
      // Backwards from the last page's cursor (the 8th row): the four rows before it.
      const back = await gql(indexer.url, `{ datatokenTransfers(orderBy: "id", before: "${after}", limit: 4) { items { id } } }`);
      expect(back.datatokenTransfers.items.map((item: { id: string }) => item.id)).to.deep.equal(ids.slice(3, 7));
      const offset = await gql(indexer.url, `{ datatokenTransfers(orderBy: "id", offset: 7) { items { id } } }`);
      expect(offset.datatokenTransfers.items.map((item: { id: string }) => item.id)).to.deep.equal(ids.slice(7));
    });
  });

  describe("training jobs", () => {
    const USDC = (amount: bigint) => (amount * USD).toString();
    const text = (amount: bigint) => amount.toString();
    const roundFinalized = (step: string) =>
      parseEventLogs({ abi: trainingJobsAbi, eventName: "RoundFinalized", logs: receipt(step).logs })[0]!.args;
    const jobCreated = (step: string) =>
      parseEventLogs({ abi: trainingJobsAbi, eventName: "JobCreated", logs: receipt(step).logs })[0]!.args;
    /** A share of a stake in basis points, rounded up (TrainingJobs' penalties). */
    const bps = (stake: bigint, share: bigint) => (stake * share + 9_999n) / 10_000n;

    // The money of job 1, as the scenario moves it (see test/support/scenario.ts).
    const PENALTY = {
      lateT3R0: bps(JOB.stakes.t3, 500n), // T3's late reveal in round 0: 5%
      losingT2R1: bps(JOB.stakes.t2, 1_000n), // T2 attested the losing tuple of round 1: 10%
      silentT1R2: bps(JOB.stakes.t1, 100n), // T1 revealed in round 2 and did not attest: 1%
      idleT4R3: bps(JOB.stakes.t4, 100n), // T4 evicted in round 3 after idling: 1%
    };
    const STAKE = {
      t1AfterR2: JOB.stakes.t1 - PENALTY.silentT1R2,
      t2AfterR1: JOB.stakes.t2 - PENALTY.losingT2R1, // slashed whole in round 2
      t3AfterR0: JOB.stakes.t3 - PENALTY.lateT3R0,
      t4Evicted: JOB.stakes.t4 - PENALTY.idleT4R3,
    };
    const silentT1R4 = bps(STAKE.t1AfterR2, 100n); // settled by T1's withdrawal after the end: burned
    const penalized = PENALTY.lateT3R0 + PENALTY.losingT2R1 + PENALTY.silentT1R2 + PENALTY.idleT4R3 + silentT1R4;
    // Round 0's reward takes the forfeits waiting at its finalization; round 2 failed (its reward went to the carry), and
    // round 0's unpaid share was swept (to the carry and the forfeits) in round 3, which takes the carry and the forfeits.
    const rewardR0 = JOB.rewardPerRound + PENALTY.lateT3R0;
    const CLAIM = {
      t1r0: (rewardR0 * JOB.samples.t1r0) / (JOB.samples.t1r0 + JOB.samples.t2r0),
      t1r1: (JOB.rewardPerRound * JOB.samples.t1r1) / (JOB.samples.t1r1 + JOB.samples.t3r1),
    };
    // A sweep returns the unpaid rest where it came from, pro rata: the forfeited-stake share (rounded up) to the forfeits.
    const SWEPT = {
      r0: rewardR0 - CLAIM.t1r0,
      toForfeitsR0: ((rewardR0 - CLAIM.t1r0) * PENALTY.lateT3R0 + rewardR0 - 1n) / rewardR0,
      r1: JOB.rewardPerRound - CLAIM.t1r1,
    };
    const REWARD = {
      r0: rewardR0,
      r1: JOB.rewardPerRound,
      r3: 2n * JOB.rewardPerRound + SWEPT.r0 + PENALTY.losingT2R1 + STAKE.t2AfterR1 + PENALTY.silentT1R2 + PENALTY.idleT4R3,
      r4: JOB.rewardPerRound,
    };
    const WEIGHT = {
      t1: weightOf(JOB.stakes.t1),
      t2: weightOf(JOB.stakes.t2), // 3 minimum stakes, capped at 2
      t3AfterR0: weightOf(STAKE.t3AfterR0),
      t1AfterR2: weightOf(STAKE.t1AfterR2),
      t4Again: weightOf(JOB.stakes.t4Again),
    };

    it("the amounts these tests expect are the ones the contract emitted (penalties, rewards, sweeps, weights)", () => {
      const logs = scenario.receipts.flatMap((r) => r.logs);
      const events = <name extends "TrainerPenalized" | "RoundFinalized" | "RewardSwept" | "Revealed">(eventName: name) =>
        parseEventLogs({ abi: trainingJobsAbi, eventName, logs });
      expect(events("TrainerPenalized").map((log) => log.args.amount)).to.deep.equal([
        PENALTY.lateT3R0,
        PENALTY.losingT2R1,
        PENALTY.silentT1R2,
        PENALTY.idleT4R3,
        silentT1R4,
      ]);
      expect(events("RoundFinalized").map((log) => log.args.reward)).to.deep.equal([REWARD.r0, REWARD.r1, 0n, REWARD.r3, REWARD.r4]);
      expect(events("RewardSwept").map((log) => [log.args.amount, log.args.toForfeits])).to.deep.equal([
        [SWEPT.r0, SWEPT.toForfeitsR0],
        [SWEPT.r1, 0n],
      ]);
      const weights = events("Revealed").map((log) => [Number(log.args.round), lower(log.args.trainer), log.args.weight]);
      const { t1, t3 } = scenario.actors;
      expect(weights).to.deep.include.members([
        [1, lower(t3), WEIGHT.t3AfterR0],
        [3, lower(t1), WEIGHT.t1AfterR2],
      ]);
      expect(WEIGHT.t2, "T2's 3 minimum stakes weigh the cap, 2").to.equal(2n << 16n);
      expect(WEIGHT.t3AfterR0 < 1n << 16n, "T3's penalty took its weight below one minimum stake").to.equal(true);
    });

    it("jobs: parameters (one token, claim period, participation, weight cap) and progress (forfeits, penalties, sweeps, burned)", async () => {
      const { alice } = scenario.actors;
      const data = await gql(
        indexer.url,
        `{ jobs(orderBy: "id") { items {
        id sponsor datasetId baseModelId baseModelCid specCid token rewardPool rewardPerRound minStake numRounds commitWindow revealWindow
        attestWindow claimPeriod quorumBps participationBps weightCap maxTrainers maxSamples startTime status currentRound roundsSucceeded
        roundsFailed trainerCount joinCount activeTrainerCount totalStaked carry forfeits penalized penaltyCount slashed rewardClaimed swept
        refunded burned currentModelCid lastSuccessfulRound resultAssetId resultRound createdAtBlock createdAtTransaction updatedAtBlock
        dataset { id kind } baseModel { id kind } resultAsset { id manifestCid } tokenInfo { decimals isJobToken }
        refunds(orderBy: "id") { items { kind sponsor refund burned block } }
      } } }`,
      );
      const common = {
        sponsor: lower(alice),
        datasetId: "1",
        baseModelId: "3",
        baseModelCid: MANIFESTS.model3.cid,
        specCid: MANIFESTS.jobSpec.cid,
        token: lower(chain.usd),
        rewardPool: USDC(500n),
        rewardPerRound: USDC(100n),
        minStake: USDC(1n),
        numRounds: 5,
        commitWindow: 100,
        revealWindow: 100,
        attestWindow: 100,
        claimPeriod: 100,
        quorumBps: 5500,
        participationBps: 5000,
        weightCap: 2,
        maxTrainers: 8,
        maxSamples: "1000",
        dataset: { id: "1", kind: "dataset" },
        baseModel: { id: "3", kind: "model" },
        tokenInfo: { decimals: 6, isJobToken: true },
      };
      const rewardClaimed = CLAIM.t1r0 + CLAIM.t1r1 + REWARD.r3 + REWARD.r4;
      expect(data.jobs.items).to.deep.equal([
        {
          id: "1",
          ...common,
          startTime: time("commitT1R0"),
          status: "ended",
          currentRound: 5,
          roundsSucceeded: 4,
          roundsFailed: 1,
          trainerCount: 4,
          joinCount: 5,
          activeTrainerCount: 0,
          totalStaked: "0",
          carry: "0",
          forfeits: "0",
          penalized: text(penalized),
          penaltyCount: 5,
          slashed: text(STAKE.t2AfterR1),
          rewardClaimed: text(rewardClaimed),
          swept: text(SWEPT.r0 + SWEPT.r1),
          refunded: text(SWEPT.r1),
          burned: text(silentT1R4),
          currentModelCid: MANIFESTS.aggregateR4.cid,
          lastSuccessfulRound: 4,
          resultAssetId: "4",
          resultRound: 4,
          createdAtBlock: block("createJob"),
          createdAtTransaction: tx("createJob"),
          updatedAtBlock: block("publishResult"),
          resultAsset: { id: "4", manifestCid: MANIFESTS.aggregateR4.cid },
          refunds: {
            items: [
              {
                kind: "remainder",
                sponsor: lower(alice),
                refund: text(SWEPT.r1),
                burned: text(silentT1R4),
                block: block("refundRemainder"),
              },
            ],
          },
        },
        {
          id: "2",
          ...common,
          startTime: jobCreated("createJob2").params.startTime.toString(),
          status: "cancelled",
          currentRound: 0,
          roundsSucceeded: 0,
          roundsFailed: 0,
          trainerCount: 0,
          joinCount: 0,
          activeTrainerCount: 0,
          totalStaked: "0",
          carry: "0",
          forfeits: "0",
          penalized: "0",
          penaltyCount: 0,
          slashed: "0",
          rewardClaimed: "0",
          swept: "0",
          refunded: USDC(500n),
          burned: "0",
          currentModelCid: MANIFESTS.model3.cid,
          lastSuccessfulRound: null,
          resultAssetId: null,
          resultRound: null,
          createdAtBlock: block("createJob2"),
          createdAtTransaction: tx("createJob2"),
          updatedAtBlock: block("cancelJob2"),
          resultAsset: null,
          refunds: { items: [{ kind: "cancelled", sponsor: lower(alice), refund: USDC(500n), burned: "0", block: block("cancelJob2") }] },
        },
      ]);
      // Nothing stuck: the pool and the forfeited stake were all claimed, refunded or burned.
      const [one] = data.jobs.items;
      expect(BigInt(one.rewardPool) + BigInt(one.penalized) + BigInt(one.slashed)).to.equal(
        BigInt(one.rewardClaimed) + BigInt(one.refunded) + BigInt(one.burned),
      );
      const assets = await gql(
        indexer.url,
        `{ asset(id: "1") { trainingJobs(orderBy: "id") { items { id status } } }
        model: asset(id: "3") { fineTuningJobs(orderBy: "id") { items { id } } } }`,
      );
      expect(assets.asset.trainingJobs.items).to.deep.equal([
        { id: "1", status: "ended" },
        { id: "2", status: "cancelled" },
      ]);
      expect(assets.model.fineTuningJobs.items).to.deep.equal([{ id: "1" }, { id: "2" }]);
    });

    it("walks job -> rounds -> reveals: windows, phases, weight tallies, leaders, early finalization, outcomes, sweeps, late reveals", async () => {
      const { t1, t2, t3, t4 } = scenario.actors;
      const data = await gql(
        indexer.url,
        `{ job(id: "1") { rounds(orderBy: "round") { items {
        round seed start commitEnd revealEnd attestEnd status phase commitCount revealCount lateRevealCount attestCount tupleCount slashCount
        penaltyCount penalized revealedWeight revealedSamples attestedWeight leaderTupleId leaderWeight aggregateCid includedMask
        includedSamples reward carry forfeits early claimCount claimedAmount claimedSamples swept finalizedAtBlock finalizedAtTransaction
        leader { tupleId weight won }
        reveals(orderBy: "index") { items { trainer index updateCid samples weight late block transaction trainerInfo { account } } }
      } } }
      cancelled: round(jobId: "2", round: 0) { status phase } }`,
      );
      const windows = (start: bigint) => ({
        start: start.toString(),
        commitEnd: (start + 100n).toString(),
        revealEnd: (start + 200n).toString(),
        attestEnd: (start + 300n).toString(),
      });
      const finalized = (step: string) => ({ finalizedAtBlock: block(step), finalizedAtTransaction: tx(step) });
      const revealOf = (trainer: Address, index: number, cid: string, samples: bigint, weight: bigint, step: string, late = false) => ({
        trainer: lower(trainer),
        index,
        updateCid: cid,
        samples: text(samples),
        weight: text(weight),
        late,
        block: block(step),
        transaction: tx(step),
        trainerInfo: { account: lower(trainer) },
      });
      const { samples } = JOB;
      const quiet = { slashCount: 0, penaltyCount: 0, penalized: "0", lateRevealCount: 0, swept: null };
      expect(data.job.rounds.items).to.deep.equal([
        {
          ...quiet,
          round: 0,
          seed: jobCreated("createJob").seed,
          ...windows(BigInt(time("commitT1R0"))),
          status: "succeeded",
          phase: "finalized",
          commitCount: 3,
          // T3 revealed late: it brings no weight and does not count, and paid a penalty for this round.
          revealCount: 2,
          lateRevealCount: 1,
          attestCount: 2,
          tupleCount: 1,
          penaltyCount: 1,
          penalized: text(PENALTY.lateT3R0),
          revealedWeight: text(WEIGHT.t1 + WEIGHT.t2),
          revealedSamples: text(samples.t1r0 + samples.t2r0),
          attestedWeight: text(WEIGHT.t1 + WEIGHT.t2),
          leaderTupleId: 1,
          leaderWeight: text(WEIGHT.t1 + WEIGHT.t2),
          aggregateCid: MANIFESTS.aggregateR0.cid,
          includedMask: "3",
          includedSamples: "1000",
          reward: text(REWARD.r0),
          carry: "0",
          forfeits: "0",
          // Everyone who revealed on time attested: the outcome could not change, so it was finalized early.
          early: true,
          claimCount: 1,
          claimedAmount: text(CLAIM.t1r0),
          claimedSamples: text(samples.t1r0),
          swept: text(SWEPT.r0),
          ...finalized("finalizeR0"),
          leader: { tupleId: 1, weight: text(WEIGHT.t1 + WEIGHT.t2), won: true },
          reveals: {
            items: [
              revealOf(t1, 0, MANIFESTS.updateT1R0.cid, samples.t1r0, WEIGHT.t1, "revealT1R0"),
              revealOf(t2, 1, MANIFESTS.updateT2R0.cid, samples.t2r0, WEIGHT.t2, "revealT2R0"),
              revealOf(t3, 2, MANIFESTS.updateT3R0.cid, samples.t3r0, 0n, "revealT3R0", true),
            ],
          },
        },
        {
          ...quiet,
          round: 1,
          seed: roundFinalized("finalizeR0").nextSeed,
          ...windows(BigInt(time("finalizeR0"))),
          status: "succeeded",
          phase: "finalized",
          commitCount: 3,
          revealCount: 3,
          attestCount: 3,
          tupleCount: 2,
          // T2's losing attestation, settled at its next commit (in round 2).
          penaltyCount: 1,
          penalized: text(PENALTY.losingT2R1),
          revealedWeight: text(WEIGHT.t1 + WEIGHT.t2 + WEIGHT.t3AfterR0),
          revealedSamples: text(samples.t1r1 + samples.t2r1 + samples.t3r1),
          attestedWeight: text(WEIGHT.t1 + WEIGHT.t2 + WEIGHT.t3AfterR0),
          leaderTupleId: 1,
          leaderWeight: text(WEIGHT.t1 + WEIGHT.t3AfterR0),
          aggregateCid: MANIFESTS.aggregateR1.cid,
          includedMask: "5",
          includedSamples: text(samples.t1r1 + samples.t3r1),
          reward: text(REWARD.r1),
          carry: "0",
          forfeits: "0",
          early: false,
          claimCount: 1,
          claimedAmount: text(CLAIM.t1r1),
          claimedSamples: text(samples.t1r1),
          swept: text(SWEPT.r1),
          ...finalized("finalizeR1"),
          leader: { tupleId: 1, weight: text(WEIGHT.t1 + WEIGHT.t3AfterR0), won: true },
          reveals: {
            items: [
              revealOf(t1, 0, MANIFESTS.updateT1R1.cid, samples.t1r1, WEIGHT.t1, "revealT1R1"),
              revealOf(t2, 1, MANIFESTS.updateT2R1.cid, samples.t2r1, WEIGHT.t2, "revealT2R1"),
              revealOf(t3, 2, MANIFESTS.updateT3R1.cid, samples.t3r1, WEIGHT.t3AfterR0, "revealT3R1"),
            ],
          },
        },
        {
          ...quiet,
          round: 2,
          seed: roundFinalized("finalizeR1").nextSeed,
          ...windows(BigInt(time("finalizeR1"))),
          status: "failed",
          phase: "finalized",
          commitCount: 2,
          revealCount: 1,
          attestCount: 0,
          tupleCount: 0,
          slashCount: 1,
          // T1's silence, settled at its next commit (in round 3).
          penaltyCount: 1,
          penalized: text(PENALTY.silentT1R2),
          revealedWeight: text(WEIGHT.t1),
          revealedSamples: text(samples.t1r2),
          attestedWeight: "0",
          leaderTupleId: null,
          leaderWeight: null,
          aggregateCid: null,
          includedMask: null,
          includedSamples: null,
          reward: "0",
          carry: USDC(100n),
          forfeits: text(PENALTY.losingT2R1 + STAKE.t2AfterR1),
          early: false,
          claimCount: 0,
          claimedAmount: "0",
          claimedSamples: "0",
          ...finalized("finalizeR2"),
          leader: null,
          reveals: { items: [revealOf(t1, 0, MANIFESTS.updateT1R2.cid, samples.t1r2, WEIGHT.t1, "revealT1R2")] },
        },
        {
          ...quiet,
          round: 3,
          seed: roundFinalized("finalizeR2").nextSeed,
          ...windows(BigInt(time("finalizeR2"))),
          status: "succeeded",
          phase: "finalized",
          commitCount: 1,
          revealCount: 1,
          attestCount: 1,
          tupleCount: 1,
          // T4's eviction for idling.
          penaltyCount: 1,
          penalized: text(PENALTY.idleT4R3),
          revealedWeight: text(WEIGHT.t1AfterR2),
          revealedSamples: text(samples.t1r3),
          attestedWeight: text(WEIGHT.t1AfterR2),
          leaderTupleId: 1,
          leaderWeight: text(WEIGHT.t1AfterR2),
          aggregateCid: MANIFESTS.aggregateR3.cid,
          includedMask: "1",
          includedSamples: text(samples.t1r3),
          reward: text(REWARD.r3),
          carry: "0",
          forfeits: "0",
          early: false,
          claimCount: 1,
          claimedAmount: text(REWARD.r3),
          claimedSamples: text(samples.t1r3),
          ...finalized("finalizeR3"),
          leader: { tupleId: 1, weight: text(WEIGHT.t1AfterR2), won: true },
          reveals: { items: [revealOf(t1, 0, MANIFESTS.updateT1R3.cid, samples.t1r3, WEIGHT.t1AfterR2, "revealT1R3")] },
        },
        {
          ...quiet,
          round: 4,
          seed: roundFinalized("finalizeR3").nextSeed,
          ...windows(BigInt(time("finalizeR3"))),
          status: "succeeded",
          phase: "finalized",
          commitCount: 2,
          revealCount: 2,
          attestCount: 1,
          tupleCount: 1,
          // T1's silence, settled by its withdrawal after the end.
          penaltyCount: 1,
          penalized: text(silentT1R4),
          revealedWeight: text(WEIGHT.t1AfterR2 + WEIGHT.t4Again),
          revealedSamples: text(samples.t1r4 + samples.t4r4),
          attestedWeight: text(WEIGHT.t4Again),
          leaderTupleId: 1,
          leaderWeight: text(WEIGHT.t4Again),
          aggregateCid: MANIFESTS.aggregateR4.cid,
          includedMask: "2",
          includedSamples: text(samples.t4r4),
          reward: text(REWARD.r4),
          carry: "0",
          forfeits: "0",
          // T1 could still have attested another tuple: the round ran to the end of its attest window.
          early: false,
          claimCount: 1,
          claimedAmount: text(REWARD.r4),
          claimedSamples: text(samples.t4r4),
          ...finalized("finalizeR4"),
          leader: { tupleId: 1, weight: text(WEIGHT.t4Again), won: true },
          reveals: {
            items: [
              revealOf(t1, 0, MANIFESTS.updateT1R4.cid, samples.t1r4, WEIGHT.t1AfterR2, "revealT1R4"),
              // T4 joined again and got index 1, freed by T2's slash.
              revealOf(t4, 1, MANIFESTS.updateT4R4.cid, samples.t4r4, WEIGHT.t4Again, "revealT4R4"),
            ],
          },
        },
      ]);
      expect(data.cancelled).to.deep.equal({ status: "cancelled", phase: "commit" });
    });

    it("commitments, attestations with weights and the leader, tuples, finalizations, claims and slashes", async () => {
      const { carol, dave, t1, t2, t3, t4 } = scenario.actors;
      const committed = parseEventLogs({ abi: trainingJobsAbi, eventName: "Committed", logs: scenario.receipts.flatMap((r) => r.logs) });
      const hashOf = (trainer: Address, round: bigint) =>
        committed.find((log) => lower(log.args.trainer) === lower(trainer) && log.args.round === round)!.args.commitment;
      const data = await gql(
        indexer.url,
        `{ r0: round(jobId: "1", round: 0) {
        commitments(orderBy: "trainer") { items { trainer commitment revealed slashed block } }
        finalization { succeeded aggregateCid includedMask includedSamples leaderTupleId reward carry forfeits early nextSeed nextRoundStart
          caller block }
      }
      r1: round(jobId: "1", round: 1) {
        attestations(orderBy: "block") {
          items { trainer index aggregateCid includedMask includedSamples tupleId weight tupleWeight leaderTupleId transaction } }
        tuples(orderBy: "tupleId") {
          items { tupleId aggregateCid includedMask includedSamples weight attestationCount won attestations { totalCount } } }
      }
      r2: round(jobId: "1", round: 2) {
        commitments(orderBy: "trainer") { items { trainer revealed slashed } }
        finalization { succeeded aggregateCid includedMask includedSamples slashMask leaderTupleId reward carry forfeits early caller }
        slashes { items { trainer caller index stake reason block transaction } }
      }
      last: finalization(jobId: "1", round: 4) { succeeded leaderTupleId reward early nextSeed nextRoundStart caller }
      claims(orderBy: "block") { items { round trainer amount samples block trainerInfo { account } } } }`,
      );
      expect(data.r0.commitments.items).to.deep.equal(
        [
          { trainer: lower(t1), commitment: hashOf(t1, 0n), revealed: true, slashed: false, block: block("commitT1R0") },
          { trainer: lower(t2), commitment: hashOf(t2, 0n), revealed: true, slashed: false, block: block("commitT2R0") },
          // Revealed late, but revealed: not slashable.
          { trainer: lower(t3), commitment: hashOf(t3, 0n), revealed: true, slashed: false, block: block("commitT3R0") },
        ].sort((a, b) => a.trainer.localeCompare(b.trainer)),
      );
      expect(data.r0.finalization).to.deep.equal({
        succeeded: true,
        aggregateCid: MANIFESTS.aggregateR0.cid,
        includedMask: "3",
        includedSamples: "1000",
        leaderTupleId: 1,
        reward: text(REWARD.r0),
        carry: "0",
        forfeits: "0",
        early: true,
        nextSeed: roundFinalized("finalizeR0").nextSeed,
        nextRoundStart: time("finalizeR0"),
        caller: lower(dave),
        block: block("finalizeR0"),
      });
      const winning = { aggregateCid: MANIFESTS.aggregateR1.cid, includedMask: "5", includedSamples: "800", tupleId: 1 };
      const losing = { aggregateCid: MANIFESTS.aggregateR1Losing.cid, includedMask: "7", includedSamples: "1200", tupleId: 2 };
      expect(data.r1.attestations.items).to.deep.equal([
        {
          trainer: lower(t1),
          index: 0,
          ...winning,
          weight: text(WEIGHT.t1),
          tupleWeight: text(WEIGHT.t1),
          leaderTupleId: 1,
          transaction: tx("attestT1R1"),
        },
        // A tie keeps the first leader.
        {
          trainer: lower(t2),
          index: 1,
          ...losing,
          weight: text(WEIGHT.t2),
          tupleWeight: text(WEIGHT.t2),
          leaderTupleId: 1,
          transaction: tx("attestT2R1"),
        },
        {
          trainer: lower(t3),
          index: 2,
          ...winning,
          weight: text(WEIGHT.t3AfterR0),
          tupleWeight: text(WEIGHT.t1 + WEIGHT.t3AfterR0),
          leaderTupleId: 1,
          transaction: tx("attestT3R1"),
        },
      ]);
      expect(data.r1.tuples.items).to.deep.equal([
        { ...winning, weight: text(WEIGHT.t1 + WEIGHT.t3AfterR0), attestationCount: 2, won: true, attestations: { totalCount: 2 } },
        { ...losing, weight: text(WEIGHT.t2), attestationCount: 1, won: false, attestations: { totalCount: 1 } },
      ]);
      expect(data.r2.commitments.items).to.deep.equal(
        [
          { trainer: lower(t1), revealed: true, slashed: false },
          { trainer: lower(t2), revealed: false, slashed: true },
        ].sort((a, b) => a.trainer.localeCompare(b.trainer)),
      );
      // Nobody attested: no leader, the round failed, its reward went to the carry and the forfeits wait.
      expect(data.r2.finalization).to.deep.equal({
        succeeded: false,
        aggregateCid: null,
        includedMask: "0",
        includedSamples: "0",
        slashMask: "0",
        leaderTupleId: 0,
        reward: "0",
        carry: USDC(100n),
        forfeits: text(PENALTY.losingT2R1 + STAKE.t2AfterR1),
        early: false,
        caller: lower(carol),
      });
      // The whole stake left after its penalty, to the forfeits; the caller gets nothing.
      expect(data.r2.slashes.items).to.deep.equal([
        {
          trainer: lower(t2),
          caller: lower(dave),
          index: 1,
          stake: text(STAKE.t2AfterR1),
          reason: "unrevealed",
          block: block("slashT2"),
          transaction: tx("slashT2"),
        },
      ]);
      expect(data.last).to.deep.equal({
        succeeded: true,
        leaderTupleId: 1,
        reward: text(REWARD.r4),
        early: false,
        nextSeed: `0x${"0".repeat(64)}`,
        nextRoundStart: "0",
        caller: lower(dave),
      });
      expect(data.claims.items).to.deep.equal([
        {
          round: 0,
          trainer: lower(t1),
          amount: text(CLAIM.t1r0),
          samples: "600",
          block: block("claimT1R0"),
          trainerInfo: { account: lower(t1) },
        },
        {
          round: 1,
          trainer: lower(t1),
          amount: text(CLAIM.t1r1),
          samples: "500",
          block: block("claimT1"),
          trainerInfo: { account: lower(t1) },
        },
        {
          round: 3,
          trainer: lower(t1),
          amount: text(REWARD.r3),
          samples: "700",
          block: block("claimT1"),
          trainerInfo: { account: lower(t1) },
        },
        {
          round: 4,
          trainer: lower(t4),
          amount: text(REWARD.r4),
          samples: "900",
          block: block("claimT4R4"),
          trainerInfo: { account: lower(t4) },
        },
      ]);
    });

    it("penalties (late reveal, losing tuple, silence), sweeps, and an eviction followed by a rejoin on a freed index", async () => {
      const { bob, carol, dave, t1, t2, t3, t4 } = scenario.actors;
      const data = await gql(
        indexer.url,
        `{
        penaltys(orderBy: "id") { items { jobId round trainer reason amount block transaction roundInfo { round } trainerInfo { account } } }
        sweeps(orderBy: "block") { items { jobId round amount toForfeits caller block transaction roundInfo { reward claimedAmount swept } } }
        evictions { items { jobId trainer caller index amount block transaction trainerInfo { account } } }
        lateReveals: reveals(where: { late: true }) { items { round trainer samples weight salt transaction } }
        job(id: "1") { penalties { totalCount } sweeps { totalCount } evictions { totalCount } withdrawals { totalCount } }
        t4: trainer(jobId: "1", account: "${lower(t4)}") {
          index stake weight firstRound status peerId addrs joinCount evictionCount deposited withdrawn joinedAtBlock joinedAtTransaction
          evictions { items { index amount } } withdrawals { items { index amount block } }
        }
      }`,
      );
      const penaltyOf = (round: number, trainer: Address, reason: string, amount: bigint, step: string) => ({
        jobId: "1",
        round,
        trainer: lower(trainer),
        reason,
        amount: text(amount),
        block: block(step),
        transaction: tx(step),
        roundInfo: { round },
        trainerInfo: { account: lower(trainer) },
      });
      // Late reveals pay at once; silence and losing tuples when the trainer's last reveal is settled (its next commit,
      // its withdrawal).
      expect(data.penaltys.items).to.deep.equal([
        penaltyOf(0, t3, "lateReveal", PENALTY.lateT3R0, "revealT3R0"),
        penaltyOf(1, t2, "losingTuple", PENALTY.losingT2R1, "commitT2R2"),
        penaltyOf(2, t1, "silent", PENALTY.silentT1R2, "commitT1R3"),
        penaltyOf(3, t4, "idle", PENALTY.idleT4R3, "evictT4"),
        penaltyOf(4, t1, "silent", silentT1R4, "withdrawT1"),
      ]);
      expect(data.lateReveals.items).to.deep.equal([
        {
          round: 0,
          trainer: lower(t3),
          samples: text(JOB.samples.t3r0),
          weight: "0",
          // The commitment's salt, as revealed: the on-time salts seed the round's audit draw.
          salt: keccak256(toHex("salt:T3R0")),
          transaction: tx("revealT3R0"),
        },
      ]);
      expect(data.sweeps.items).to.deep.equal([
        {
          jobId: "1",
          round: 0,
          amount: text(SWEPT.r0),
          // Round 0's reward took T3's late-reveal penalty: that share of the unpaid rest goes back to the forfeits.
          toForfeits: text(SWEPT.toForfeitsR0),
          caller: lower(carol),
          block: block("sweepR0"),
          transaction: tx("sweepR0"),
          roundInfo: { reward: text(REWARD.r0), claimedAmount: text(CLAIM.t1r0), swept: text(SWEPT.r0) },
        },
        {
          jobId: "1",
          round: 1,
          amount: text(SWEPT.r1),
          toForfeits: "0",
          caller: lower(bob),
          block: block("sweepR1"),
          transaction: tx("sweepR1"),
          roundInfo: { reward: text(REWARD.r1), claimedAmount: text(CLAIM.t1r1), swept: text(SWEPT.r1) },
        },
      ]);
      expect(data.evictions.items).to.deep.equal([
        {
          jobId: "1",
          trainer: lower(t4),
          caller: lower(dave),
          index: 3,
          amount: text(STAKE.t4Evicted),
          block: block("evictT4"),
          transaction: tx("evictT4"),
          trainerInfo: { account: lower(t4) },
        },
      ]);
      expect(data.job).to.deep.equal({
        penalties: { totalCount: 5 },
        sweeps: { totalCount: 2 },
        evictions: { totalCount: 1 },
        withdrawals: { totalCount: 3 },
      });
      // T4 joined again in round 3: a new membership (index 1, freed by T2's slash; plays from round 4), totals go on.
      expect(data.t4).to.deep.equal({
        index: 1,
        stake: "0",
        weight: "0",
        firstRound: 4,
        status: "withdrawn",
        peerId: base58btc.encode(hexToBytes(peerIdOf("T4 again"))).slice(1),
        addrs: ["/ip4/127.0.0.1/tcp/6004"],
        joinCount: 2,
        evictionCount: 1,
        deposited: text(JOB.stakes.t4 + JOB.stakes.t4Again),
        withdrawn: text(STAKE.t4Evicted + JOB.stakes.t4Again),
        joinedAtBlock: block("rejoinT4"),
        joinedAtTransaction: tx("rejoinT4"),
        evictions: { items: [{ index: 3, amount: text(STAKE.t4Evicted) }] },
        withdrawals: { items: [{ index: 1, amount: text(JOB.stakes.t4Again), block: block("withdrawT4") }] },
      });
      const rejoined = parseEventLogs({ abi: trainingJobsAbi, eventName: "TrainerJoined", logs: receipt("rejoinT4").logs })[0]!.args;
      expect([rejoined.index, rejoined.firstRound, rejoined.weight]).to.deep.equal([1n, 4n, WEIGHT.t4Again]);
    });

    it("trainers (index, stake, weight, bonding, standing, peer info, totals) and per-account stakes", async () => {
      const { t1, t2, t3, t4 } = scenario.actors;
      const data = await gql(
        indexer.url,
        `{
        trainers(where: { jobId: "1" }, orderBy: "joinedAtBlock") { items { account index stake weight firstRound status peerId addrs
          pendingRound lastRevealRound leftAt unlockRound joinCount commitCount revealCount lateRevealCount attestCount claimCount
          penaltyCount evictionCount samplesRevealed rewardClaimed deposited withdrawn slashed penalized joinedAtBlock
          penalties { totalCount } } }
        stakeWithdrawals(orderBy: "id") { items { trainer index amount block trainerInfo { account } } }
        accountStakes(orderBy: "account") {
          items { account tokenAddress staked deposited withdrawn slashed penalized jobCount token { decimals } } }
      }`,
      );
      const base = {
        stake: "0",
        weight: "0",
        firstRound: 0,
        pendingRound: null,
        leftAt: null,
        unlockRound: null,
        joinCount: 1,
        lateRevealCount: 0,
        evictionCount: 0,
        claimCount: 0,
        rewardClaimed: "0",
        withdrawn: "0",
        slashed: "0",
      };
      const peer = (label: string) => base58btc.encode(hexToBytes(peerIdOf(label))).slice(1);
      const { samples } = JOB;
      expect(data.trainers.items).to.deep.equal([
        {
          ...base,
          account: lower(t1),
          index: 0,
          status: "withdrawn",
          peerId: peer("T1 moved"),
          addrs: ["/ip4/127.0.0.1/tcp/5001", "/ip4/127.0.0.1/tcp/5002"],
          lastRevealRound: 4,
          commitCount: 5,
          revealCount: 5,
          attestCount: 3,
          claimCount: 3,
          penaltyCount: 2,
          samplesRevealed: text(samples.t1r0 + samples.t1r1 + samples.t1r2 + samples.t1r3 + samples.t1r4),
          rewardClaimed: text(CLAIM.t1r0 + CLAIM.t1r1 + REWARD.r3),
          deposited: text(JOB.stakes.t1),
          withdrawn: text(STAKE.t1AfterR2 - silentT1R4),
          penalized: text(PENALTY.silentT1R2 + silentT1R4),
          joinedAtBlock: block("joinT1"),
          penalties: { totalCount: 2 },
        },
        {
          ...base,
          account: lower(t2),
          index: 1,
          status: "slashed",
          peerId: peer("T2"),
          addrs: ["/ip4/127.0.0.1/tcp/4002"],
          lastRevealRound: 1,
          commitCount: 3,
          revealCount: 2,
          attestCount: 2,
          penaltyCount: 1,
          samplesRevealed: text(samples.t2r0 + samples.t2r1),
          deposited: text(JOB.stakes.t2),
          slashed: text(STAKE.t2AfterR1),
          penalized: text(PENALTY.losingT2R1),
          joinedAtBlock: block("joinT2"),
          penalties: { totalCount: 1 },
        },
        {
          ...base,
          account: lower(t3),
          index: 2,
          status: "withdrawn",
          peerId: peer("T3"),
          addrs: ["/ip4/127.0.0.1/tcp/4003"],
          lastRevealRound: 1,
          // Left in round 2, one unbond round after its last on-time reveal: withdrawable from round 3.
          leftAt: time("leaveT3"),
          unlockRound: 3,
          commitCount: 2,
          revealCount: 1,
          lateRevealCount: 1,
          attestCount: 1,
          penaltyCount: 1,
          samplesRevealed: text(samples.t3r1),
          deposited: text(JOB.stakes.t3),
          withdrawn: text(STAKE.t3AfterR0),
          penalized: text(PENALTY.lateT3R0),
          joinedAtBlock: block("joinT3"),
          penalties: { totalCount: 1 },
        },
        {
          ...base,
          account: lower(t4),
          index: 1,
          firstRound: 4,
          status: "withdrawn",
          peerId: peer("T4 again"),
          addrs: ["/ip4/127.0.0.1/tcp/6004"],
          lastRevealRound: 4,
          joinCount: 2,
          evictionCount: 1,
          commitCount: 1,
          revealCount: 1,
          attestCount: 1,
          claimCount: 1,
          // Its eviction's idle penalty (the totals go on across memberships).
          penaltyCount: 1,
          samplesRevealed: text(samples.t4r4),
          rewardClaimed: text(REWARD.r4),
          deposited: text(JOB.stakes.t4 + JOB.stakes.t4Again),
          withdrawn: text(STAKE.t4Evicted + JOB.stakes.t4Again),
          penalized: text(PENALTY.idleT4R3),
          joinedAtBlock: block("rejoinT4"),
          penalties: { totalCount: 1 },
        },
      ]);
      expect(data.trainers.items[0].peerId).to.match(/^12D3KooW/);
      // stake = deposited - withdrawn - slashed - penalized, for every trainer.
      for (const row of data.trainers.items) {
        expect(BigInt(row.deposited) - BigInt(row.withdrawn) - BigInt(row.slashed) - BigInt(row.penalized)).to.equal(BigInt(row.stake));
      }
      expect(data.stakeWithdrawals.items).to.deep.equal([
        { trainer: lower(t3), index: 2, amount: text(STAKE.t3AfterR0), block: block("withdrawT3"), trainerInfo: { account: lower(t3) } },
        {
          trainer: lower(t1),
          index: 0,
          amount: text(STAKE.t1AfterR2 - silentT1R4),
          block: block("withdrawT1"),
          trainerInfo: { account: lower(t1) },
        },
        { trainer: lower(t4), index: 1, amount: text(JOB.stakes.t4Again), block: block("withdrawT4"), trainerInfo: { account: lower(t4) } },
      ]);
      const usd = lower(chain.usd);
      const stakeOf = (account: Address, amounts: { deposited: bigint; withdrawn?: bigint; slashed?: bigint; penalized?: bigint }) => ({
        account: lower(account),
        tokenAddress: usd,
        staked: "0",
        deposited: text(amounts.deposited),
        withdrawn: text(amounts.withdrawn ?? 0n),
        slashed: text(amounts.slashed ?? 0n),
        penalized: text(amounts.penalized ?? 0n),
        // T4 joined job 1 twice: one job.
        jobCount: 1,
        token: { decimals: 6 },
      });
      expect(data.accountStakes.items).to.deep.equal(
        [
          stakeOf(t1, { deposited: JOB.stakes.t1, withdrawn: STAKE.t1AfterR2 - silentT1R4, penalized: PENALTY.silentT1R2 + silentT1R4 }),
          stakeOf(t2, { deposited: JOB.stakes.t2, slashed: STAKE.t2AfterR1, penalized: PENALTY.losingT2R1 }),
          stakeOf(t3, { deposited: JOB.stakes.t3, withdrawn: STAKE.t3AfterR0, penalized: PENALTY.lateT3R0 }),
          stakeOf(t4, {
            deposited: JOB.stakes.t4 + JOB.stakes.t4Again,
            withdrawn: STAKE.t4Evicted + JOB.stakes.t4Again,
            penalized: PENALTY.idleT4R3,
          }),
        ].sort((a, b) => a.account.localeCompare(b.account)),
      );
    });

    it("filters and pagination over training rows", async () => {
      const { t1 } = scenario.actors;
      const data = await gql(
        indexer.url,
        `{
        failed: rounds(where: { status: failed }) { items { jobId round } }
        early: rounds(where: { early: true }) { items { jobId round } }
        byTrainer: reveals(where: { trainer: "${getAddress(t1)}" }, orderBy: "round") { items { round samples } }
        silent: penaltys(where: { reason: silent, trainer: "${getAddress(t1)}" }, orderBy: "round") { items { round } }
        ended: jobs(where: { status_in: [ended] }) { items { id } }
        evicted: trainers(where: { evictionCount_gt: 0 }) { items { index joinCount } }
        firstPage: claims(orderBy: "amount", limit: 1) { items { amount } pageInfo { hasNextPage endCursor } }
      }`,
      );
      expect(data.failed.items).to.deep.equal([{ jobId: "1", round: 2 }]);
      expect(data.early.items).to.deep.equal([{ jobId: "1", round: 0 }]);
      expect(data.byTrainer.items).to.deep.equal([
        { round: 0, samples: "600" },
        { round: 1, samples: "500" },
        { round: 2, samples: "200" },
        { round: 3, samples: "700" },
        { round: 4, samples: "800" },
      ]);
      expect(data.silent.items).to.deep.equal([{ round: 2 }, { round: 4 }]);
      expect(data.ended.items).to.deep.equal([{ id: "1" }]);
      expect(data.evicted.items).to.deep.equal([{ index: 1, joinCount: 2 }]);
      expect(data.firstPage.items).to.deep.equal([{ amount: text(CLAIM.t1r0) }]);
      expect(data.firstPage.pageInfo.hasNextPage).to.equal(true);
      const next = await gql(
        indexer.url,
        `{ claims(orderBy: "amount", limit: 3, after: "${data.firstPage.pageInfo.endCursor}") { items { amount } pageInfo { hasNextPage } } }`,
      );
      expect(next.claims).to.deep.equal({
        items: [{ amount: text(CLAIM.t1r1) }, { amount: text(REWARD.r4) }, { amount: text(REWARD.r3) }],
        pageInfo: { hasNextPage: false },
      });
    });
  });

  clientHelperTests(() => ({ chain, scenario, indexer }));

  describe("process lifetime", () => {
    it("an indexer ends itself when the process that started it is killed outright", async () => {
      const logFile = path.join(chain.tempDir, "orphan-indexer.log");
      const orphan = await startOrphanParent(
        [
          "--import",
          "tsx",
          path.join(import.meta.dirname, "support", "orphan-parent.ts"),
          chain.deploymentFile,
          path.join(chain.tempDir, "pglite-orphan"),
          logFile,
        ],
        "INDEXER_PID",
      );
      await orphan.killParent();
      // The indexer shuts down gracefully within Ponder's 5 s, or is killed by its watchdog after 10 s.
      const gone = await waitUntilGone(orphan.childPid, orphan.childStartTime, 20_000);
      if (!gone) {
        console.error(
          `The orphaned indexer is still running: ${JSON.stringify(procStat(orphan.childPid))}\n${fs.readFileSync(logFile, "utf8").slice(-4_000)}`,
        );
        process.kill(orphan.childPid, "SIGKILL");
      }
      expect(gone, "the indexer outlived its parent").to.equal(true);
    });
  });

  describe("abusive and malformed requests", () => {
    const post = (body: string) =>
      fetch(`${indexer.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] },
      }));

    it("refuses deep nesting", async () => {
      let selection = "id";
      for (let i = 0; i < 6; i++) selection = `datatoken { asset { ${selection} } }`;
      const { body } = await graphqlRequest(indexer.url, `{ asset(id: "1") { ${selection} } }`);
      expect(body.errors?.[0]?.message).to.match(/depth/i);
    });

    it("refuses a page larger than 1,000 rows", async () => {
      const { body } = await graphqlRequest(indexer.url, `{ assets(limit: 100000) { items { id } } }`);
      expect(body.errors?.[0]?.message).to.match(/limit/i);
    });

    it("refuses nested pages whose product is too large, whether the limits are literals or variables", async () => {
      const literal = await graphqlRequest(indexer.url, `{ assets(limit: 1000) { items { orders(limit: 1000) { items { id } } } } }`);
      expect(literal.status).to.equal(400);
      expect(literal.body.errors?.[0]?.extensions?.code).to.equal("QUERY_TOO_COSTLY");
      const variables = await graphqlRequest(
        indexer.url,
        `query ($n: Int) { assets(limit: $n) { items { purchases(limit: $n) { items { id } } } } }`,
        { n: 500 },
      );
      expect(variables.body.errors?.[0]?.extensions?.code).to.equal("QUERY_TOO_COSTLY");
      const fragment = await graphqlRequest(
        indexer.url,
        `query { assets(limit: 200) { items { ...deep } } } fragment deep on asset { orders(limit: 200) { items { id } } }`,
      );
      expect(fragment.body.errors?.[0]?.extensions?.code).to.equal("QUERY_TOO_COSTLY");
    });

    it("refuses huge offsets, too many aliases, oversized and malformed bodies", async () => {
      const offset = await graphqlRequest(indexer.url, `{ assets(offset: 1000000) { items { id } } }`);
      expect(offset.body.errors?.[0]?.message).to.match(/offset/i);
      const aliases = Array.from({ length: 25 }, (_, i) => `a${i}: asset(id: "1") { id }`).join(" ");
      const aliased = await graphqlRequest(indexer.url, `{ ${aliases} }`);
      expect(aliased.body.errors?.[0]?.message).to.match(/alias/i);
      const huge = await post(JSON.stringify({ query: `{ assets { items { id } } } ${"#".repeat(100_000)}` }));
      expect(huge.status).to.equal(413);
      const notJson = await post("{ this is not json");
      expect(notJson.status).to.equal(400);
      expect(notJson.body.errors?.[0]?.extensions?.code).to.equal("BAD_REQUEST");
      const syntax = await graphqlRequest(indexer.url, `{ assets { items { id }`);
      expect(syntax.body.errors?.[0]?.message).to.match(/Syntax Error/);
      const unknown = await graphqlRequest(indexer.url, `{ assets { items { noSuchField } } }`);
      expect(unknown.body.errors?.[0]?.message).to.match(/noSuchField/);
    });

    it("keeps serving afterwards", async () => {
      const data = await gql(indexer.url, `{ asset(id: "3") { id } }`);
      expect(data.asset).to.deep.equal({ id: "3" });
      expect(await indexedBlock(indexer.url)).to.be.greaterThan(0);
    });
  });

  describe("crash recovery (SIGKILL in the middle of indexing thousands of events, then a restart)", () => {
    let head: bigint;
    let total: number;
    let bulk: { assets: number; purchases: number; orders: number };

    before(async () => {
      // More activity, spread over many blocks so that a fresh indexer's backfill takes a while. The first indexer
      // keeps running and indexes it live: it is the reference that never stopped.
      bulk = { assets: 120, purchases: 120 * 4, orders: 120 * 3 };
      const activity = await generateActivity(chain, { assets: bulk.assets, purchasesPerAsset: 4, ordersPerAsset: 3, perBlock: 12 });
      expect(activity.events).to.be.greaterThan(2_000);
      await mineBlocks(chain, 35);
      head = await chain.publicClient.getBlockNumber();
      total = (await metric(indexer.url, "ponder_indexing_completed_events")) + activity.events;
      await waitForBlock(indexer, head);
    });

    /** Starts an indexer, kills it with SIGKILL once it has indexed some events, starts it again and waits for the head. */
    async function crashAndRestart(parameters: Parameters<typeof startIndexer>[0]): Promise<IndexerProcess> {
      const first = await startIndexer(parameters);
      indexers.push(first);
      let completed = 0;
      while (completed < 500) {
        completed = await metric(first.url, "ponder_indexing_completed_events").catch(() => 0);
        await sleep(10);
      }
      await first.kill();
      expect(completed, "killed before it had indexed everything").to.be.lessThan(total);
      const second = await startIndexer(parameters);
      indexers.push(second);
      await waitForBlock(second, head, 180_000);
      return second;
    }

    async function expectSameRowsAsReference(restarted: IndexerProcess): Promise<void> {
      const [expected, actual] = await Promise.all([dumpAll(indexer.url), dumpAll(restarted.url)]);
      expect(Object.keys(actual).length).to.be.greaterThan(20);
      expect(actual).to.deep.equal(expected);
      // Nothing lost or twice: exactly the rows the scenario and the bulk activity made.
      expect(actual.assets!.length).to.equal(4 + bulk.assets);
      expect(actual.purchases!.length).to.equal(3 + bulk.purchases);
      expect(actual.orders!.length).to.equal(2 + bulk.orders);
    }

    it("PGlite: the unclean directory is set aside and the index rebuilt, with the same rows as an indexer that never stopped", async () => {
      const restarted = await crashAndRestart({
        deploymentFile: chain.deploymentFile,
        schema: "crash",
        dataDir: path.join(chain.tempDir, "pglite-crash"),
      });
      expect(
        restarted.logs.some((line) => /did not stop cleanly/.test(line.msg)),
        "the unclean stop was noticed",
      ).to.equal(true);
      await expectSameRowsAsReference(restarted);
      await restarted.stop();
    });

    it("PostgreSQL: Ponder resumes from its last checkpoint, with the same rows as PGlite", async () => {
      const url = await postgresUrl();
      const schema = `myc_test_${process.pid}_${Date.now()}`;
      try {
        const restarted = await crashAndRestart({ deploymentFile: chain.deploymentFile, schema, databaseUrl: url });
        expect(restarted.logs.find((line) => line.msg === "Connected to database")?.type).to.equal("postgres");
        expect(
          restarted.logs.some((line) => line.msg === "Detected crash recovery"),
          "crash recovery ran",
        ).to.equal(true);
        await expectSameRowsAsReference(restarted);
        await restarted.stop();
      } finally {
        await dropPostgresSchema(url, schema, CHAIN_ID);
      }
    });
  });
});

/** `Contract:Event` names registered with `ponder.on` in src/, read from the handler files. */
function handledEvents(): Set<string> {
  const names = new Set<string>();
  const dir = path.join(import.meta.dirname, "..", "src");
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith(".ts"))) {
    for (const match of fs.readFileSync(path.join(dir, file), "utf8").matchAll(/ponder\.on\("([A-Za-z]+:[A-Za-z0-9]+)"/g)) {
      names.add(match[1]!);
    }
  }
  return names;
}

function eventName(log: Log): string {
  const [decoded] = parseEventLogs({
    abi: [...assetRegistryAbi, ...datatokenAbi, ...marketplaceAbi, ...trainingJobsAbi],
    logs: [log],
    strict: false,
  });
  return decoded?.eventName ?? "";
}
