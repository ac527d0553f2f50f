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
import { getAddress, hexToBytes, parseEventLogs, zeroAddress, type Address, type Log } from "viem";
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
import { MANIFESTS, ONE, peerIdOf, runScenario, type ScenarioResult } from "./support/scenario.ts";
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
        id kind state owner publisher approved manifestCid version parentIds datatokenAddress orderCount purchaseCount
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
          owner: lower(carol),
          publisher: lower(carol),
          approved: null,
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
          updatedAtBlock: block("publishModel3"),
          updatedAtTimestamp: time("publishModel3"),
        },
        {
          id: "4",
          kind: "model",
          state: "active",
          owner: lower(alice),
          publisher: lower(scenario.trainingJobs),
          approved: null,
          manifestCid: MANIFESTS.aggregateR0.cid,
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
          orders { items { assetId datatokenAddress consumer payer from validUntil block timestamp transaction asset { id } } }
          balances(orderBy: "account") { items { account balance } }
          approvals(orderBy: "spender") { items { owner spender value } }
          transfers(orderBy: "id") { totalCount }
        } }
        two: asset(id: "2") { datatoken { address accessPeriod initialSupply totalSupply orderCount
          orders { items { consumer payer from validUntil transaction } }
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
        orders: {
          items: [
            { consumer: lower(carol), payer: lower(carol), from: lower(dave), validUntil: UINT64_MAX, transaction: tx("buyAndOrderModel") },
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
      const { admin, alice, bob, carol, dave, t1, t2 } = scenario.actors;
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
          items { account tokenAddress sales marketFees protocolFees trainingRewards slashRewards total paymentCount token { decimals } }
        }
        tokens(orderBy: "decimals") { items { address decimals isPaymentToken isRewardToken isStakeToken firstSeenAtBlock } }
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
      type Source = "sales" | "marketFees" | "protocolFees" | "trainingRewards" | "slashRewards";
      const earning = (account: Address, token: string, part: Partial<Record<Source, string>>, count = 1) => {
        const amounts = Object.fromEntries(
          (["sales", "marketFees", "protocolFees", "trainingRewards", "slashRewards"] as const).map((source) => [
            source,
            part[source] ?? "0",
          ]),
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
          earning(dave, dai, { sales: (4n * ONE).toString(), slashRewards: (ONE / 10n).toString() }, 2),
          earning(t1, usd, { trainingRewards: "60000000" }),
          earning(t2, usd, { trainingRewards: "40000000" }),
          earning(dave, usd, { protocolFees: "5000" }),
          earning(bob, usd, { sales: "1000000" }),
        ].sort(byKey),
      );
      expect(data.tokens.items).to.deep.equal([
        {
          address: usd,
          decimals: 6,
          isPaymentToken: true,
          isRewardToken: true,
          isStakeToken: false,
          firstSeenAtBlock: block("publishDataset"),
        },
        {
          address: dai,
          decimals: 18,
          isPaymentToken: true,
          isRewardToken: false,
          isStakeToken: true,
          firstSeenAtBlock: block("listModel"),
        },
      ]);
    });

    it("listings with their price history, dispensers with their claims", async () => {
      const { alice, bob, dave } = scenario.actors;
      const usd = lower(chain.usd);
      const dai = lower(scenario.dai);
      const data = await gql(
        indexer.url,
        `{
        listings(orderBy: "assetId") { items { assetId datatokenAddress paymentToken price owner active changeCount updatedAtBlock token { decimals }
          changes(orderBy: "id") { items { action paymentToken price owner block transaction } } } }
        dispensers { items { assetId datatokenAddress maxPerWallet active dispensed claimCount updatedAtBlock
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
      ]);
      expect(data.dispensers.items).to.deep.equal([
        {
          assetId: "1",
          datatokenAddress: lower(scenario.datatokens.asset1),
          maxPerWallet: "2",
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
    const USDC = (amount: bigint) => (amount * 10n ** 6n).toString();
    const roundFinalized = (step: string) =>
      parseEventLogs({ abi: trainingJobsAbi, eventName: "RoundFinalized", logs: receipt(step).logs })[0]!.args;
    const jobCreated = (step: string) =>
      parseEventLogs({ abi: trainingJobsAbi, eventName: "JobCreated", logs: receipt(step).logs })[0]!.args;

    it("jobs: parameters and progress (rounds, trainers, stakes, carry, refunds, result)", async () => {
      const { alice } = scenario.actors;
      const startTime = time("commitT1R0");
      const data = await gql(
        indexer.url,
        `{ jobs(orderBy: "id") { items {
        id sponsor datasetId baseModelId baseModelCid specCid rewardToken rewardPool rewardPerRound stakeToken minStake numRounds
        commitWindow revealWindow attestWindow quorumBps maxTrainers maxSamples startTime status currentRound roundsSucceeded
        roundsFailed trainerCount activeTrainerCount totalStaked carry forfeitedStake rewardClaimed rewardRefunded stakeRefunded
        currentModelCid lastSuccessfulRound resultAssetId resultRound createdAtBlock createdAtTransaction updatedAtBlock
        dataset { id kind } baseModel { id kind } resultAsset { id manifestCid } rewardTokenInfo { decimals } stakeTokenInfo { decimals }
        refunds(orderBy: "id") { items { kind sponsor rewardAmount stakeAmount block } }
      } } }`,
      );
      const common = {
        sponsor: lower(alice),
        datasetId: "1",
        baseModelId: "3",
        baseModelCid: MANIFESTS.model3.cid,
        specCid: MANIFESTS.jobSpec.cid,
        rewardToken: lower(chain.usd),
        rewardPool: USDC(200n),
        rewardPerRound: USDC(100n),
        stakeToken: lower(scenario.dai),
        minStake: ONE.toString(),
        numRounds: 2,
        commitWindow: 100,
        revealWindow: 100,
        attestWindow: 100,
        quorumBps: 6000,
        maxTrainers: 8,
        maxSamples: "1000",
        dataset: { id: "1", kind: "dataset" },
        baseModel: { id: "3", kind: "model" },
        rewardTokenInfo: { decimals: 6 },
        stakeTokenInfo: { decimals: 18 },
      };
      expect(data.jobs.items).to.deep.equal([
        {
          id: "1",
          ...common,
          startTime,
          status: "ended",
          currentRound: 2,
          roundsSucceeded: 1,
          roundsFailed: 1,
          trainerCount: 3,
          activeTrainerCount: 0,
          totalStaked: "0",
          carry: "0",
          forfeitedStake: "0",
          rewardClaimed: USDC(100n),
          rewardRefunded: USDC(100n),
          stakeRefunded: ((9n * ONE) / 10n).toString(),
          currentModelCid: MANIFESTS.aggregateR0.cid,
          lastSuccessfulRound: 0,
          resultAssetId: "4",
          resultRound: 0,
          createdAtBlock: block("createJob"),
          createdAtTransaction: tx("createJob"),
          updatedAtBlock: block("withdrawT2"),
          resultAsset: { id: "4", manifestCid: MANIFESTS.aggregateR0.cid },
          refunds: {
            items: [
              {
                kind: "remainder",
                sponsor: lower(alice),
                rewardAmount: USDC(100n),
                stakeAmount: ((9n * ONE) / 10n).toString(),
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
          activeTrainerCount: 0,
          totalStaked: "0",
          carry: "0",
          forfeitedStake: "0",
          rewardClaimed: "0",
          rewardRefunded: USDC(200n),
          stakeRefunded: "0",
          currentModelCid: MANIFESTS.model3.cid,
          lastSuccessfulRound: null,
          resultAssetId: null,
          resultRound: null,
          createdAtBlock: block("createJob2"),
          createdAtTransaction: tx("createJob2"),
          updatedAtBlock: block("cancelJob2"),
          resultAsset: null,
          refunds: {
            items: [{ kind: "cancelled", sponsor: lower(alice), rewardAmount: USDC(200n), stakeAmount: "0", block: block("cancelJob2") }],
          },
        },
      ]);
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

    it("walks job -> rounds -> reveals, with seeds, windows, phases, tallies, outcomes and rewards", async () => {
      const { t1, t2 } = scenario.actors;
      const startTime = BigInt(time("commitT1R0"));
      const round1Start = BigInt(time("finalizeR0"));
      const data = await gql(
        indexer.url,
        `{ job(id: "1") { rounds(orderBy: "round") { items {
        round seed start commitEnd revealEnd attestEnd status phase commitCount revealCount attestCount tupleCount slashCount
        revealedStake revealedSamples winningTupleId aggregateCid includedMask includedSamples reward carry claimCount claimedAmount
        claimedSamples finalizedAtBlock finalizedAtTransaction
        reveals(orderBy: "index") { items { trainer index updateCid samples stake block transaction trainerInfo { index status } } }
      } } }
      cancelled: round(jobId: "2", round: 0) { status phase } }`,
      );
      const windows = (start: bigint) => ({
        start: start.toString(),
        commitEnd: (start + 100n).toString(),
        revealEnd: (start + 200n).toString(),
        attestEnd: (start + 300n).toString(),
      });
      expect(data.job.rounds.items).to.deep.equal([
        {
          round: 0,
          seed: jobCreated("createJob").seed,
          ...windows(startTime),
          status: "succeeded",
          phase: "finalized",
          commitCount: 3,
          revealCount: 2,
          attestCount: 2,
          tupleCount: 1,
          slashCount: 1,
          revealedStake: (5n * ONE).toString(),
          revealedSamples: "1000",
          winningTupleId: 1,
          aggregateCid: MANIFESTS.aggregateR0.cid,
          includedMask: "3",
          includedSamples: "1000",
          reward: USDC(100n),
          carry: "0",
          claimCount: 2,
          claimedAmount: USDC(100n),
          claimedSamples: "1000",
          finalizedAtBlock: block("finalizeR0"),
          finalizedAtTransaction: tx("finalizeR0"),
          reveals: {
            items: [
              {
                trainer: lower(t1),
                index: 0,
                updateCid: MANIFESTS.updateT1R0.cid,
                samples: "600",
                stake: (2n * ONE).toString(),
                block: block("revealT1R0"),
                transaction: tx("revealT1R0"),
                trainerInfo: { index: 0, status: "withdrawn" },
              },
              {
                trainer: lower(t2),
                index: 1,
                updateCid: MANIFESTS.updateT2R0.cid,
                samples: "400",
                stake: (3n * ONE).toString(),
                block: block("revealT2R0"),
                transaction: tx("revealT2R0"),
                trainerInfo: { index: 1, status: "withdrawn" },
              },
            ],
          },
        },
        {
          round: 1,
          seed: roundFinalized("finalizeR0").nextSeed,
          ...windows(round1Start),
          status: "failed",
          phase: "finalized",
          commitCount: 1,
          revealCount: 1,
          attestCount: 0,
          tupleCount: 0,
          slashCount: 0,
          revealedStake: (2n * ONE).toString(),
          revealedSamples: "500",
          winningTupleId: null,
          aggregateCid: null,
          includedMask: null,
          includedSamples: null,
          reward: USDC(100n),
          carry: USDC(100n),
          claimCount: 0,
          claimedAmount: "0",
          claimedSamples: "0",
          finalizedAtBlock: block("finalizeR1"),
          finalizedAtTransaction: tx("finalizeR1"),
          reveals: {
            items: [
              {
                trainer: lower(t1),
                index: 0,
                updateCid: MANIFESTS.updateT1R1.cid,
                samples: "500",
                stake: (2n * ONE).toString(),
                block: block("revealT1R1"),
                transaction: tx("revealT1R1"),
                trainerInfo: { index: 0, status: "withdrawn" },
              },
            ],
          },
        },
      ]);
      expect(data.cancelled).to.deep.equal({ status: "cancelled", phase: "commit" });
    });

    it("commitments, attestations, tuples, finalizations, claims and slashes", async () => {
      const { carol, dave, t1, t2, t3 } = scenario.actors;
      const committed = parseEventLogs({ abi: trainingJobsAbi, eventName: "Committed", logs: scenario.receipts.flatMap((r) => r.logs) });
      const hashOf = (trainer: Address, round: bigint) =>
        committed.find((log) => lower(log.args.trainer) === lower(trainer) && log.args.round === round)!.args.commitment;
      const data = await gql(
        indexer.url,
        `{ round(jobId: "1", round: 0) {
        commitments(orderBy: "trainer") { items { trainer commitment revealed slashed block } }
        attestations(orderBy: "block") { items { trainer index aggregateCid includedMask includedSamples tupleId tupleStake quorumReached transaction } }
        tuples { items { tupleId aggregateCid includedMask includedSamples stake attestationCount quorumReached won attestations { totalCount } } }
        finalization { succeeded aggregateCid includedMask includedSamples winningTupleId reward carry nextSeed nextRoundStart caller block }
        claims(orderBy: "amount", orderDirection: "desc") { items { trainer amount samples block trainerInfo { rewardClaimed } } }
        slashes { items { trainer caller index stake callerShare poolShare toCarry block } }
      }
      last: finalization(jobId: "1", round: 1) {
        succeeded aggregateCid includedMask includedSamples winningTupleId reward carry nextSeed nextRoundStart caller
      } }`,
      );
      const r0 = roundFinalized("finalizeR0");
      expect(data.round.commitments.items).to.deep.equal(
        [
          { trainer: lower(t1), commitment: hashOf(t1, 0n), revealed: true, slashed: false, block: block("commitT1R0") },
          { trainer: lower(t2), commitment: hashOf(t2, 0n), revealed: true, slashed: false, block: block("commitT2R0") },
          { trainer: lower(t3), commitment: hashOf(t3, 0n), revealed: false, slashed: true, block: block("commitT3R0") },
        ].sort((a, b) => a.trainer.localeCompare(b.trainer)),
      );
      const attested = { aggregateCid: MANIFESTS.aggregateR0.cid, includedMask: "3", includedSamples: "1000", tupleId: 1 };
      expect(data.round.attestations.items).to.deep.equal([
        {
          trainer: lower(t1),
          index: 0,
          ...attested,
          tupleStake: (2n * ONE).toString(),
          quorumReached: false,
          transaction: tx("attestT1R0"),
        },
        {
          trainer: lower(t2),
          index: 1,
          ...attested,
          tupleStake: (5n * ONE).toString(),
          quorumReached: true,
          transaction: tx("attestT2R0"),
        },
      ]);
      expect(data.round.tuples.items).to.deep.equal([
        {
          tupleId: 1,
          aggregateCid: MANIFESTS.aggregateR0.cid,
          includedMask: "3",
          includedSamples: "1000",
          stake: (5n * ONE).toString(),
          attestationCount: 2,
          quorumReached: true,
          won: true,
          attestations: { totalCount: 2 },
        },
      ]);
      expect(data.round.finalization).to.deep.equal({
        succeeded: true,
        aggregateCid: MANIFESTS.aggregateR0.cid,
        includedMask: "3",
        includedSamples: "1000",
        winningTupleId: 1,
        reward: USDC(100n),
        carry: "0",
        nextSeed: r0.nextSeed,
        nextRoundStart: time("finalizeR0"),
        caller: lower(dave),
        block: block("finalizeR0"),
      });
      expect(data.last).to.deep.equal({
        succeeded: false,
        aggregateCid: null,
        includedMask: "0",
        includedSamples: "0",
        winningTupleId: 0,
        reward: USDC(100n),
        carry: USDC(100n),
        nextSeed: `0x${"0".repeat(64)}`,
        nextRoundStart: "0",
        caller: lower(carol),
      });
      expect(data.round.claims.items).to.deep.equal([
        { trainer: lower(t1), amount: USDC(60n), samples: "600", block: block("claimT1R0"), trainerInfo: { rewardClaimed: USDC(60n) } },
        { trainer: lower(t2), amount: USDC(40n), samples: "400", block: block("claimT2R0"), trainerInfo: { rewardClaimed: USDC(40n) } },
      ]);
      expect(data.round.slashes.items).to.deep.equal([
        {
          trainer: lower(t3),
          caller: lower(dave),
          index: 2,
          stake: ONE.toString(),
          callerShare: (ONE / 10n).toString(),
          poolShare: ((9n * ONE) / 10n).toString(),
          toCarry: false,
          block: block("slashT3"),
        },
      ]);
    });

    it("trainers (index, stake, standing, peer info) and per-account stakes", async () => {
      const { t1, t2, t3 } = scenario.actors;
      const data = await gql(
        indexer.url,
        `{
        trainers(where: { jobId: "1" }, orderBy: "index") { items { account index stake status peerId addrs pendingRound commitCount revealCount
          attestCount claimCount samplesRevealed rewardClaimed leftAt withdrawableAt withdrawnAmount slashedAmount joinedAtBlock } }
        stakeWithdrawals(orderBy: "index") { items { trainer index amount block } }
        accountStakes(orderBy: "deposited") { items { account tokenAddress staked deposited withdrawn slashed jobCount token { decimals } } }
      }`,
      );
      const base = {
        pendingRound: null,
        leftAt: null,
        withdrawableAt: null,
        withdrawnAmount: null,
        slashedAmount: null,
        claimCount: 0,
        attestCount: 0,
      };
      expect(data.trainers.items).to.deep.equal([
        {
          ...base,
          account: lower(t1),
          index: 0,
          stake: "0",
          status: "withdrawn",
          peerId: base58btc.encode(hexToBytes(peerIdOf("T1 moved"))).slice(1),
          addrs: ["/ip4/127.0.0.1/tcp/5001", "/ip4/127.0.0.1/tcp/5002"],
          commitCount: 2,
          revealCount: 2,
          attestCount: 1,
          claimCount: 1,
          samplesRevealed: "1100",
          rewardClaimed: USDC(60n),
          withdrawnAmount: (2n * ONE).toString(),
          joinedAtBlock: block("joinT1"),
        },
        {
          ...base,
          account: lower(t2),
          index: 1,
          stake: "0",
          status: "withdrawn",
          peerId: base58btc.encode(hexToBytes(peerIdOf("T2"))).slice(1),
          addrs: ["/ip4/127.0.0.1/tcp/4002"],
          commitCount: 1,
          revealCount: 1,
          attestCount: 1,
          claimCount: 1,
          samplesRevealed: "400",
          rewardClaimed: USDC(40n),
          leftAt: time("leaveT2"),
          withdrawableAt: (BigInt(time("leaveT2")) + 300n).toString(),
          withdrawnAmount: (3n * ONE).toString(),
          joinedAtBlock: block("joinT2"),
        },
        {
          ...base,
          account: lower(t3),
          index: 2,
          stake: "0",
          status: "slashed",
          peerId: base58btc.encode(hexToBytes(peerIdOf("T3"))).slice(1),
          addrs: ["/ip4/127.0.0.1/tcp/4003"],
          commitCount: 1,
          revealCount: 0,
          samplesRevealed: "0",
          rewardClaimed: "0",
          slashedAmount: ONE.toString(),
          joinedAtBlock: block("joinT3"),
        },
      ]);
      expect(data.trainers.items[0].peerId).to.match(/^12D3KooW/);
      expect(data.stakeWithdrawals.items).to.deep.equal([
        { trainer: lower(t1), index: 0, amount: (2n * ONE).toString(), block: block("withdrawT1") },
        { trainer: lower(t2), index: 1, amount: (3n * ONE).toString(), block: block("withdrawT2") },
      ]);
      const dai = lower(scenario.dai);
      expect(data.accountStakes.items).to.deep.equal([
        {
          account: lower(t3),
          tokenAddress: dai,
          staked: "0",
          deposited: ONE.toString(),
          withdrawn: "0",
          slashed: ONE.toString(),
          jobCount: 1,
          token: { decimals: 18 },
        },
        {
          account: lower(t1),
          tokenAddress: dai,
          staked: "0",
          deposited: (2n * ONE).toString(),
          withdrawn: (2n * ONE).toString(),
          slashed: "0",
          jobCount: 1,
          token: { decimals: 18 },
        },
        {
          account: lower(t2),
          tokenAddress: dai,
          staked: "0",
          deposited: (3n * ONE).toString(),
          withdrawn: (3n * ONE).toString(),
          slashed: "0",
          jobCount: 1,
          token: { decimals: 18 },
        },
      ]);
    });

    it("filters and pagination over training rows", async () => {
      const { t1 } = scenario.actors;
      const data = await gql(
        indexer.url,
        `{
        failed: rounds(where: { status: failed }) { items { jobId round } }
        byTrainer: reveals(where: { trainer: "${getAddress(t1)}" }, orderBy: "round") { items { round samples } }
        ended: jobs(where: { status_in: [ended] }) { items { id } }
        firstPage: claims(orderBy: "amount", limit: 1) { items { amount } pageInfo { hasNextPage endCursor } }
      }`,
      );
      expect(data.failed.items).to.deep.equal([{ jobId: "1", round: 1 }]);
      expect(data.byTrainer.items).to.deep.equal([
        { round: 0, samples: "600" },
        { round: 1, samples: "500" },
      ]);
      expect(data.ended.items).to.deep.equal([{ id: "1" }]);
      expect(data.firstPage.items).to.deep.equal([{ amount: USDC(40n) }]);
      expect(data.firstPage.pageInfo.hasNextPage).to.equal(true);
      const next = await gql(
        indexer.url,
        `{ claims(orderBy: "amount", limit: 1, after: "${data.firstPage.pageInfo.endCursor}") { items { amount } pageInfo { hasNextPage } } }`,
      );
      expect(next.claims).to.deep.equal({ items: [{ amount: USDC(60n) }], pageInfo: { hasNextPage: false } });
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
