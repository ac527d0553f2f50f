/**
 * The indexer end to end, with real processes: a devnet (startDevnet), the scripted scenario, then `ponder start`.
 *
 * 1. The GraphQL answers match the scenario exactly: values, relations, filters, ordering, pagination.
 * 2. Malformed and abusive queries are refused and the server keeps serving.
 * 3. Killed with SIGKILL in the middle of indexing thousands of events and started again, an indexer ends with the
 *    same rows as one that never stopped: nothing lost, nothing twice. On PGlite (rebuilt after an unclean stop) and on
 *    PostgreSQL (resumed from Ponder's checkpoint), which therefore also gives the same rows as PGlite.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { assetRegistryAbi, datatokenAbi, marketplaceAbi } from "@mycelium/client/abis";
import { getAddress, parseEventLogs, zeroAddress, type Address, type Log } from "viem";
import { generateActivity } from "./support/activity.ts";
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
import { MANIFESTS, ONE, runScenario, type ScenarioResult } from "./support/scenario.ts";
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
    indexer = await startIndexer({ deploymentFile: chain.deploymentFile, schema: "scenario", dataDir: path.join(chain.tempDir, "pglite-a") });
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
      const indexed = new Set([chain.registry, chain.marketplace, ...Object.values(scenario.datatokens)].map(lower));
      const logs = scenario.receipts.flatMap((r) => r.logs).filter((log) => indexed.has(lower(log.address)));
      const emitted = new Set<string>();
      for (const [contract, abi] of [["AssetRegistry", assetRegistryAbi], ["Datatoken", datatokenAbi], ["Marketplace", marketplaceAbi]] as const) {
        for (const log of parseEventLogs({ abi, logs: logs as Log[], strict: false })) {
          if (contract === "Datatoken" && !Object.values(scenario.datatokens).map(lower).includes(lower(log.address))) continue;
          if (contract !== "Datatoken" && lower(log.address) !== lower(contract === "AssetRegistry" ? chain.registry : chain.marketplace)) continue;
          emitted.add(`${contract}:${log.eventName}`);
        }
      }
      const handled = handledEvents();
      expect([...handled].filter((name) => !emitted.has(name)), "handled events the scenario never emitted").to.deep.equal([]);
      // ERC-4906's MetadataUpdate always follows ManifestUpdated, which says more: the only event left unhandled.
      expect([...emitted].filter((name) => !handled.has(name)), "emitted events without a handler").to.deep.equal(["AssetRegistry:MetadataUpdate"]);
      const completed = await metric(indexer.url, "ponder_indexing_completed_events");
      // Two more: the Marketplace's constructor emits OwnershipTransferred and ProtocolFeeSet at deployment.
      const handledLogs = logs.filter((log) => !["MetadataUpdate"].includes(eventName(log)));
      expect(completed).to.equal(handledLogs.length + 2);
    });
  });

  describe("GraphQL answers", () => {
    it("assets: kind, state, owner, manifest, lineage, datatoken and counters", async () => {
      const { alice, bob, carol, dave } = scenario.actors;
      const data = await gql(indexer.url, `{ assets(orderBy: "id") { items {
        id kind state owner publisher approved manifestCid version parentIds datatokenAddress orderCount purchaseCount
        datatokensSold datatokensDispensed createdAtBlock createdAtTimestamp createdAtTransaction updatedAtBlock updatedAtTimestamp
      } totalCount } }`);
      expect(data.assets.totalCount).to.equal(3);
      expect(data.assets.items).to.deep.equal([
        {
          id: "1", kind: "dataset", state: "active", owner: lower(bob), publisher: lower(alice), approved: null,
          manifestCid: MANIFESTS.datasetV2.cid, version: 2, parentIds: [], datatokenAddress: lower(scenario.datatokens.asset1),
          orderCount: 1, purchaseCount: 2, datatokensSold: "4", datatokensDispensed: "2",
          createdAtBlock: block("publishDataset"), createdAtTimestamp: time("publishDataset"), createdAtTransaction: tx("publishDataset"),
          updatedAtBlock: block("buyDatasetCarol"), updatedAtTimestamp: time("buyDatasetCarol"),
        },
        {
          id: "2", kind: "model", state: "revoked", owner: lower(dave), publisher: lower(alice), approved: null,
          manifestCid: MANIFESTS.modelV1.cid, version: 1, parentIds: ["1"], datatokenAddress: lower(scenario.datatokens.asset2),
          orderCount: 1, purchaseCount: 1, datatokensSold: "1", datatokensDispensed: "0",
          createdAtBlock: block("publishModel"), createdAtTimestamp: time("publishModel"), createdAtTransaction: tx("publishModel"),
          updatedAtBlock: block("revokeModel"), updatedAtTimestamp: time("revokeModel"),
        },
        {
          id: "3", kind: "model", state: "active", owner: lower(carol), publisher: lower(carol), approved: null,
          manifestCid: MANIFESTS.model3.cid, version: 1, parentIds: ["1", "2"], datatokenAddress: lower(scenario.datatokens.asset3),
          orderCount: 0, purchaseCount: 0, datatokensSold: "0", datatokensDispensed: "0",
          createdAtBlock: block("publishModel3"), createdAtTimestamp: time("publishModel3"), createdAtTransaction: tx("publishModel3"),
          updatedAtBlock: block("publishModel3"), updatedAtTimestamp: time("publishModel3"),
        },
      ]);
    });

    it("manifest versions, lineage both ways, state changes, NFT transfers and approvals", async () => {
      const { alice, bob, carol, dave } = scenario.actors;
      const data = await gql(indexer.url, `{
        asset(id: "1") {
          versions(orderBy: "version") { items { assetId version manifestCid block timestamp transaction } }
          children(orderBy: "childId") { items { childId position child { id kind } } }
          transfers(orderBy: "id") { items { from to block transaction } }
        }
        three: asset(id: "3") { parents(orderBy: "position") { items { parentId position parent { id manifestCid } } } }
        two: asset(id: "2") { stateChanges(orderBy: "id") { items { previousState newState block transaction } } }
        assetTransfers(orderBy: "id") { items { assetId from to } }
        operatorApprovals { items { owner operator approved block } }
      }`);
      expect(data.asset.versions.items).to.deep.equal([
        { assetId: "1", version: 1, manifestCid: MANIFESTS.datasetV1.cid, block: block("publishDataset"), timestamp: time("publishDataset"), transaction: tx("publishDataset") },
        { assetId: "1", version: 2, manifestCid: MANIFESTS.datasetV2.cid, block: block("updateManifest"), timestamp: time("updateManifest"), transaction: tx("updateManifest") },
      ]);
      expect(data.asset.children.items).to.deep.equal([
        { childId: "2", position: 0, child: { id: "2", kind: "model" } },
        { childId: "3", position: 0, child: { id: "3", kind: "model" } },
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
      const data = await gql(indexer.url, `{
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
      }`);
      expect(data.one.datatoken).to.deep.equal({
        address: lower(asset1), assetId: "1", accessPeriod: "86400", initialSupply: (100n * ONE).toString(), totalSupply: (99n * ONE).toString(),
        orderCount: 1, createdAtBlock: block("publishDataset"), createdAtTransaction: tx("publishDataset"),
        orders: { items: [{
          assetId: "1", datatokenAddress: lower(asset1), consumer: lower(carol), payer: lower(bob), from: lower(bob),
          validUntil: (BigInt(time("orderDataset")) + 86_400n).toString(), block: block("orderDataset"), timestamp: time("orderDataset"),
          transaction: tx("orderDataset"), asset: { id: "1" },
        }] },
        balances: { items: [
          { account: lower(alice), balance: (95n * ONE).toString() },
          { account: lower(bob), balance: "0" },
          { account: lower(carol), balance: (2n * ONE).toString() },
          { account: lower(dave), balance: (2n * ONE).toString() },
        ].sort((a, b) => a.account.localeCompare(b.account)) },
        approvals: { items: [
          { owner: lower(bob), spender: lower(carol), value: ONE.toString() },
          { owner: lower(alice), spender: lower(chain.marketplace), value: UINT256_MAX },
          { owner: lower(bob), spender: lower(chain.marketplace), value: ONE.toString() },
        ].sort((a, b) => a.spender.localeCompare(b.spender) || a.owner.localeCompare(b.owner)) },
        transfers: { totalCount: 6 },
      });
      expect(data.two.datatoken).to.deep.equal({
        address: lower(asset2), accessPeriod: "0", initialSupply: "0", totalSupply: (4n * ONE).toString(), orderCount: 1,
        orders: { items: [{ consumer: lower(carol), payer: lower(carol), from: lower(dave), validUntil: UINT64_MAX, transaction: tx("buyAndOrderModel") }] },
        balances: { items: [{ account: lower(dave), balance: (4n * ONE).toString() }] },
      });
      expect(data.three.datatoken).to.deep.equal({
        address: lower(asset3), accessPeriod: "600", initialSupply: ONE.toString(), totalSupply: ONE.toString(), orderCount: 0,
        balances: { items: [{ account: lower(carol), balance: ONE.toString() }] },
      });
    });

    it("purchases, per-asset revenue per payment token with its decimals, and per-account earnings", async () => {
      const { admin, alice, bob, carol, dave } = scenario.actors;
      const usd = lower(chain.usd);
      const dai = lower(scenario.dai);
      const data = await gql(indexer.url, `{
        purchases(orderBy: "id") { items { assetId buyer seller paymentToken count base protocolFee marketFee total treasury
          marketFeeRecipient consumer block transaction token { decimals } } }
        assetRevenues(orderBy: "assetId") { items { assetId paymentToken purchaseCount datatokensSold revenue protocolFees marketFees volume
          updatedAtBlock token { address decimals isPaymentToken } } }
        accountEarnings(limit: 100) { items { account tokenAddress sales marketFees protocolFees total paymentCount token { decimals } } }
        tokens(orderBy: "decimals") { items { address decimals isPaymentToken registeredAtBlock } }
      }`);
      expect(data.purchases.items).to.deep.equal([
        { assetId: "1", buyer: lower(bob), seller: lower(alice), paymentToken: usd, count: "3", base: "7500000", protocolFee: "7500",
          marketFee: "75000", total: "7582500", treasury: lower(admin), marketFeeRecipient: lower(carol), consumer: null,
          block: block("buyDataset"), transaction: tx("buyDataset"), token: { decimals: 6 } },
        { assetId: "2", buyer: lower(carol), seller: lower(dave), paymentToken: dai, count: "1", base: (4n * ONE).toString(),
          protocolFee: (4n * 10n ** 15n).toString(), marketFee: "0", total: (4_004n * 10n ** 15n).toString(), treasury: lower(admin),
          marketFeeRecipient: zeroAddress, consumer: lower(carol), block: block("buyAndOrderModel"), transaction: tx("buyAndOrderModel"),
          token: { decimals: 18 } },
        { assetId: "1", buyer: lower(carol), seller: lower(bob), paymentToken: usd, count: "1", base: "1000000", protocolFee: "5000",
          marketFee: "0", total: "1005000", treasury: lower(dave), marketFeeRecipient: zeroAddress, consumer: null,
          block: block("buyDatasetCarol"), transaction: tx("buyDatasetCarol"), token: { decimals: 6 } },
      ]);
      expect(data.assetRevenues.items).to.deep.equal([
        { assetId: "1", paymentToken: usd, purchaseCount: 2, datatokensSold: "4", revenue: "8500000", protocolFees: "12500",
          marketFees: "75000", volume: "8587500", updatedAtBlock: block("buyDatasetCarol"), token: { address: usd, decimals: 6, isPaymentToken: true } },
        { assetId: "2", paymentToken: dai, purchaseCount: 1, datatokensSold: "1", revenue: (4n * ONE).toString(),
          protocolFees: (4n * 10n ** 15n).toString(), marketFees: "0", volume: (4_004n * 10n ** 15n).toString(),
          updatedAtBlock: block("buyAndOrderModel"), token: { address: dai, decimals: 18, isPaymentToken: true } },
      ]);
      const earning = (account: Address, token: string, part: Partial<Record<"sales" | "marketFees" | "protocolFees", string>>, count = 1) => {
        const sales = part.sales ?? "0";
        const marketFees = part.marketFees ?? "0";
        const protocolFees = part.protocolFees ?? "0";
        return {
          account: lower(account), tokenAddress: token, sales, marketFees, protocolFees,
          total: (BigInt(sales) + BigInt(marketFees) + BigInt(protocolFees)).toString(), paymentCount: count,
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
          earning(dave, usd, { protocolFees: "5000" }),
          earning(bob, usd, { sales: "1000000" }),
        ].sort(byKey),
      );
      expect(data.tokens.items).to.deep.equal([
        { address: usd, decimals: 6, isPaymentToken: true, registeredAtBlock: block("publishDataset") },
        { address: dai, decimals: 18, isPaymentToken: true, registeredAtBlock: block("listModel") },
      ]);
    });

    it("listings with their price history, dispensers with their claims", async () => {
      const { alice, bob, dave } = scenario.actors;
      const usd = lower(chain.usd);
      const dai = lower(scenario.dai);
      const data = await gql(indexer.url, `{
        listings(orderBy: "assetId") { items { assetId datatokenAddress paymentToken price owner active changeCount updatedAtBlock token { decimals }
          changes(orderBy: "id") { items { action paymentToken price owner block transaction } } } }
        dispensers { items { assetId datatokenAddress maxPerWallet active dispensed claimCount updatedAtBlock
          changes(orderBy: "id") { items { action maxPerWallet block } }
          claims { items { recipient owner count block transaction } } } }
      }`);
      expect(data.listings.items).to.deep.equal([
        { assetId: "1", datatokenAddress: lower(scenario.datatokens.asset1), paymentToken: usd, price: "1000000", owner: lower(bob), active: true,
          changeCount: 2, updatedAtBlock: block("listDatasetBob"), token: { decimals: 6 }, changes: { items: [
            { action: "set", paymentToken: usd, price: "2500000", owner: lower(alice), block: block("publishDataset"), transaction: tx("publishDataset") },
            { action: "closed", paymentToken: null, price: null, owner: null, block: block("closeListing"), transaction: tx("closeListing") },
            { action: "set", paymentToken: usd, price: "1000000", owner: lower(bob), block: block("listDatasetBob"), transaction: tx("listDatasetBob") },
          ] } },
        { assetId: "2", datatokenAddress: lower(scenario.datatokens.asset2), paymentToken: dai, price: (4n * ONE).toString(), owner: lower(dave),
          active: true, changeCount: 2, updatedAtBlock: block("relistModel"), token: { decimals: 18 }, changes: { items: [
            { action: "set", paymentToken: dai, price: (3n * ONE).toString(), owner: lower(dave), block: block("listModel"), transaction: tx("listModel") },
            { action: "set", paymentToken: dai, price: (4n * ONE).toString(), owner: lower(dave), block: block("relistModel"), transaction: tx("relistModel") },
          ] } },
      ]);
      expect(data.dispensers.items).to.deep.equal([
        { assetId: "1", datatokenAddress: lower(scenario.datatokens.asset1), maxPerWallet: "2", active: false, dispensed: "2", claimCount: 1,
          updatedAtBlock: block("closeDispenser"),
          changes: { items: [
            { action: "set", maxPerWallet: "2", block: block("setDispenser") },
            { action: "closed", maxPerWallet: null, block: block("closeDispenser") },
          ] },
          claims: { items: [{ recipient: lower(dave), owner: lower(alice), count: "2", block: block("dispense"), transaction: tx("dispense") }] } },
      ]);
    });

    it("the marketplace's fee and ownership, with their history since deployment", async () => {
      const { admin, dave } = scenario.actors;
      const deployed = chain.devnet.deployment.contracts.Marketplace!.startBlock.toString();
      const data = await gql(indexer.url, `{
        marketplaces { items { address owner pendingOwner treasury protocolFeeBps updatedAtBlock } }
        protocolFeeChanges(orderBy: "id") { items { treasury bps block } }
        marketplaceOwnershipChanges(orderBy: "id") { items { step previousOwner newOwner block } }
      }`);
      expect(data.marketplaces.items).to.deep.equal([
        { address: lower(chain.marketplace), owner: lower(dave), pendingOwner: null, treasury: lower(dave), protocolFeeBps: 50, updatedAtBlock: block("setProtocolFee") },
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
      const data = await gql(indexer.url, `{
        models: assets(where: { kind: model }, orderBy: "id") { items { id } }
        bobs: assets(where: { owner: "${getAddress(bob)}" }) { items { id } }
        live: assets(where: { state_in: [active, deprecated] }, orderBy: "id") { items { id } }
        big: purchases(where: { total_gt: "5000000" }, orderBy: "id") { items { assetId total } }
        either: assets(where: { OR: [{ id: "1" }, { AND: [{ kind: model }, { state: revoked }] }] }, orderBy: "id") { items { id } }
        daves: accountEarnings(where: { account: "${lower(dave)}", tokenAddress_in: ["${lower(scenario.dai)}"] }) { items { sales } }
        none: assets(where: { id_gt: "3" }) { items { id } totalCount }
      }`);
      expect(data.models.items).to.deep.equal([{ id: "2" }, { id: "3" }]);
      expect(data.bobs.items).to.deep.equal([{ id: "1" }]);
      expect(data.live.items).to.deep.equal([{ id: "1" }, { id: "3" }]);
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
        const page: any = await gql(indexer.url, `query ($after: String) { datatokenTransfers(orderBy: "id", limit: 4, after: $after) {
          items { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, { after });
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
      expect(actual.assets!.length).to.equal(3 + bulk.assets);
      expect(actual.purchases!.length).to.equal(3 + bulk.purchases);
      expect(actual.orders!.length).to.equal(2 + bulk.orders);
    }

    it("PGlite: the unclean directory is set aside and the index rebuilt, with the same rows as an indexer that never stopped", async () => {
      const restarted = await crashAndRestart({
        deploymentFile: chain.deploymentFile,
        schema: "crash",
        dataDir: path.join(chain.tempDir, "pglite-crash"),
      });
      expect(restarted.logs.some((line) => /did not stop cleanly/.test(line.msg)), "the unclean stop was noticed").to.equal(true);
      await expectSameRowsAsReference(restarted);
      await restarted.stop();
    });

    it("PostgreSQL: Ponder resumes from its last checkpoint, with the same rows as PGlite", async () => {
      const url = await postgresUrl();
      const schema = `myc_test_${process.pid}_${Date.now()}`;
      try {
        const restarted = await crashAndRestart({ deploymentFile: chain.deploymentFile, schema, databaseUrl: url });
        expect(restarted.logs.find((line) => line.msg === "Connected to database")?.type).to.equal("postgres");
        expect(restarted.logs.some((line) => line.msg === "Detected crash recovery"), "crash recovery ran").to.equal(true);
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
  const [decoded] = parseEventLogs({ abi: [...assetRegistryAbi, ...datatokenAbi, ...marketplaceAbi], logs: [log], strict: false });
  return decoded?.eventName ?? "";
}
