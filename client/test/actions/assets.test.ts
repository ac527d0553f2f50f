import { expect } from "chai";
import { erc20Abi, maxUint64, parseUnits, zeroAddress, type Account, type Address } from "viem";
import { getTransactionCount, readContract } from "viem/actions";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { buy } from "../../src/actions/buy.ts";
import { buyAccess } from "../../src/actions/buyAccess.ts";
import { closeDispenser } from "../../src/actions/closeDispenser.ts";
import { closeListing } from "../../src/actions/closeListing.ts";
import { createDatatoken } from "../../src/actions/createDatatoken.ts";
import { dispense } from "../../src/actions/dispense.ts";
import { faucet } from "../../src/actions/faucet.ts";
import { getAsset } from "../../src/actions/getAsset.ts";
import { getListing } from "../../src/actions/getListing.ts";
import { listAssets } from "../../src/actions/listAssets.ts";
import { mintDatatokens } from "../../src/actions/mintDatatokens.ts";
import { order } from "../../src/actions/order.ts";
import { DEFAULT_INITIAL_SUPPLY, publishAsset } from "../../src/actions/publishAsset.ts";
import { quote } from "../../src/actions/quote.ts";
import { setAssetState } from "../../src/actions/setAssetState.ts";
import { setDispenser } from "../../src/actions/setDispenser.ts";
import { setListing } from "../../src/actions/setListing.ts";
import { updateManifest } from "../../src/actions/updateManifest.ts";
import type { MyceliumClient } from "../../src/chain/client.ts";
import type { TransactionProgressEvent } from "../../src/chain/transaction.ts";
import { AbortedError } from "../../src/errors/base.ts";
import { InsufficientBalanceError, InvalidArgumentError, MissingAccountError, NATIVE_CURRENCY } from "../../src/errors/chain.ts";
import { InvalidCidError } from "../../src/errors/storage.ts";
import { AssetNotFoundError, ContractRevertedError, NotAssetOwnerError } from "../../src/errors/contract.ts";
import { rejection } from "../helpers/rejection.ts";
import { devnetAccount, uniqueCid, useTestNetwork } from "@mycelium/devkit";

const ONE_TOKEN = parseUnits("1", 18);
const usdc = (amount: string) => parseUnits(amount, 6);

describe("asset actions against a devnet", function () {
  this.timeout(60_000);
  const chain = useTestNetwork();
  let publisher: MyceliumClient<Account>;
  let buyer: MyceliumClient<Account>;
  let stranger: MyceliumClient<Account>;
  let paymentToken: Address;

  before(async () => {
    publisher = await chain.get().client(devnetAccount(1));
    buyer = await chain.get().client(devnetAccount(2));
    stranger = await chain.get().client(devnetAccount(3));
    paymentToken = chain.get().devnet.deployment.contracts.PaymentToken!.address;
    await faucet(buyer, { amount: usdc("1000") });
  });

  const balanceOf = (client: MyceliumClient, token: Address, account: Address) =>
    readContract(client, { address: token, abi: erc20Abi, functionName: "balanceOf", args: [account] });

  describe("publishAsset and getAsset", () => {
    it("mints the NFT alone, from a CID object", async () => {
      const manifestCid = await uniqueCid();
      const published = await publishAsset(publisher, { kind: "dataset", manifestCid });
      expect(published.datatoken).to.equal(null);
      expect(published.listing).to.equal(null);
      const asset = await getAsset(publisher, { assetId: published.assetId });
      expect(asset).to.deep.include({
        id: published.assetId,
        owner: devnetAccount(1).address,
        kind: "dataset",
        state: "active",
        version: 1,
        datatoken: null,
      });
      expect(asset.manifestCid.equals(manifestCid)).to.equal(true);
    });

    it("creates the datatoken and the listing in the same transaction, from a CID string", async () => {
      const manifestCid = await uniqueCid();
      const events: TransactionProgressEvent[] = [];
      const published = await publishAsset(publisher, {
        kind: "model",
        manifestCid: manifestCid.toString(),
        listing: { price: usdc("2.5") },
        onProgress: (event) => events.push(event),
      });
      expect(events.map((event) => event.type)).to.deep.equal(["transaction-sent", "transaction-confirmed"]);
      expect(published.datatoken).to.match(/^0x[0-9a-fA-F]{40}$/);
      expect(published.listing).to.deep.equal({ paymentToken, price: usdc("2.5") });
      expect(await balanceOf(publisher, published.datatoken!, devnetAccount(1).address)).to.equal(DEFAULT_INITIAL_SUPPLY);
      const { listing, dispenser } = await getListing(publisher, { assetId: published.assetId });
      expect(listing).to.deep.equal({ paymentToken, price: usdc("2.5") });
      expect(dispenser).to.equal(null);
      expect((await getAsset(publisher, { assetId: published.assetId })).kind).to.equal("model");
    });

    it("records lineage parents and rejects unknown ones with the contract's error", async () => {
      const parent = await publishAsset(publisher, { kind: "dataset", manifestCid: await uniqueCid() });
      const child = await publishAsset(publisher, { kind: "model", manifestCid: await uniqueCid(), parents: [parent.assetId] });
      expect(child.assetId).to.equal(parent.assetId + 1n);
      const error = await rejection(publishAsset(publisher, { kind: "model", manifestCid: await uniqueCid(), parents: [999_999n] }));
      expect(error).to.be.instanceOf(ContractRevertedError);
      expect((error as ContractRevertedError).errorName).to.equal("ParentNotFound");
      expect((error as ContractRevertedError<"ParentNotFound">).args).to.deep.equal({ parentId: 999_999n });
    });

    it("rejects a malformed CID before any RPC call", async () => {
      const error = await rejection(publishAsset(publisher, { kind: "dataset", manifestCid: "bafy-not-a-cid" }));
      expect(error).to.be.instanceOf(InvalidCidError);
      expect((error as InvalidCidError).value).to.equal("bafy-not-a-cid");
    });

    it("rejects an unknown kind and a negative id", async () => {
      expect(await rejection(publishAsset(publisher, { kind: "video" as never, manifestCid: await uniqueCid() }))).to.be.instanceOf(
        InvalidArgumentError,
      );
      expect(await rejection(getAsset(publisher, { assetId: -1 }))).to.be.instanceOf(InvalidArgumentError);
    });

    it("throws AssetNotFoundError for an unknown asset", async () => {
      const error = await rejection(getAsset(publisher, { assetId: 424_242n }));
      expect(error).to.be.instanceOf(AssetNotFoundError);
      expect((error as AssetNotFoundError).assetId).to.equal(424_242n);
      expect((error as AssetNotFoundError).shortMessage).to.equal("Asset 424242 does not exist.");
    });

    it("needs an account to write", async () => {
      const readOnly = await chain.get().readOnly();
      expect(await rejection(publishAsset(readOnly, { kind: "dataset", manifestCid: await uniqueCid() }))).to.be.instanceOf(
        MissingAccountError,
      );
    });

    it("an account without ETH for gas gets InsufficientBalanceError in ETH", async () => {
      const broke = await chain.get().client(privateKeyToAccount(generatePrivateKey()));
      const error = await rejection(publishAsset(broke, { kind: "dataset", manifestCid: await uniqueCid() }));
      expect(error).to.be.instanceOf(InsufficientBalanceError);
      const typed = error as InsufficientBalanceError;
      expect(typed.token).to.deep.equal(NATIVE_CURRENCY);
      expect(typed.balance).to.equal(0n);
      expect(typed.needed! > 0n).to.equal(true);
      expect(typed.shortMessage).to.match(
        /^Account 0x[0-9a-fA-F]{40} holds 0 ETH but paying gas for publishing the asset needs [0-9.]+ ETH\.$/,
      );
    });

    it("sends nothing when aborted first", async () => {
      const before = await getTransactionCount(publisher, { address: devnetAccount(1).address });
      const error = await rejection(
        publishAsset(publisher, { kind: "dataset", manifestCid: await uniqueCid(), signal: AbortSignal.abort() }),
      );
      expect(error).to.be.instanceOf(AbortedError);
      expect(await getTransactionCount(publisher, { address: devnetAccount(1).address })).to.equal(before);
    });
  });

  describe("owner actions", () => {
    let assetId: bigint;
    beforeEach(async () => {
      ({ assetId } = await publishAsset(publisher, { kind: "dataset", manifestCid: await uniqueCid() }));
    });

    it("updateManifest bumps the version", async () => {
      const next = await uniqueCid();
      const updated = await updateManifest(publisher, { assetId, manifestCid: next });
      expect(updated.version).to.equal(2);
      const asset = await getAsset(publisher, { assetId });
      expect(asset.version).to.equal(2);
      expect(asset.manifestCid.equals(next)).to.equal(true);
    });

    it("a non-owner gets NotAssetOwnerError naming the owner and what to do", async () => {
      const error = await rejection(updateManifest(stranger, { assetId, manifestCid: await uniqueCid() }));
      expect(error).to.be.instanceOf(NotAssetOwnerError);
      const typed = error as NotAssetOwnerError;
      expect(typed.args).to.deep.equal({ assetId, caller: devnetAccount(3).address, owner: devnetAccount(1).address });
      expect(typed.shortMessage).to.equal(
        `Account ${devnetAccount(3).address} does not own asset ${assetId} (owner is ${devnetAccount(1).address}).`,
      );
      expect(typed.hint).to.equal("Transfer the asset NFT to this account or use the owner's key.");
    });

    it("setAssetState moves between states; revoked is final", async () => {
      expect((await setAssetState(publisher, { assetId, state: "deprecated" })).previousState).to.equal("active");
      const unchanged = await rejection(setAssetState(publisher, { assetId, state: "deprecated" }));
      expect((unchanged as ContractRevertedError).errorName).to.equal("StateUnchanged");
      expect(unchanged.message).to.contain(`Asset ${assetId} is already deprecated.`);
      await setAssetState(publisher, { assetId, state: "revoked" });
      expect((await getAsset(publisher, { assetId })).state).to.equal("revoked");
      const revoked = await rejection(updateManifest(publisher, { assetId, manifestCid: await uniqueCid() }));
      expect((revoked as ContractRevertedError).errorName).to.equal("AssetIsRevoked");
    });

    it("createDatatoken, then mintDatatokens (owner only)", async () => {
      const { datatoken } = await createDatatoken(publisher, { assetId, initialSupply: ONE_TOKEN });
      expect((await getAsset(publisher, { assetId })).datatoken).to.equal(datatoken);
      const again = await rejection(createDatatoken(publisher, { assetId }));
      expect((again as ContractRevertedError<"DatatokenExists">).args).to.deep.equal({ assetId, datatoken });
      await mintDatatokens(publisher, { assetId, amount: 2n * ONE_TOKEN, to: devnetAccount(4).address });
      expect(await balanceOf(publisher, datatoken, devnetAccount(4).address)).to.equal(2n * ONE_TOKEN);
      expect(await rejection(mintDatatokens(stranger, { assetId, amount: ONE_TOKEN }))).to.be.instanceOf(NotAssetOwnerError);
    });

    it("mintDatatokens without a datatoken says so before sending", async () => {
      const error = await rejection(mintDatatokens(publisher, { assetId, amount: ONE_TOKEN }));
      expect((error as ContractRevertedError).errorName).to.equal("NoDatatoken");
    });

    it("setListing approves the inventory, closeListing closes it", async () => {
      await createDatatoken(publisher, { assetId });
      const listed = await setListing(publisher, { assetId, price: usdc("3") });
      expect(listed.approvalHash).to.match(/^0x/);
      expect((await getListing(publisher, { assetId })).listing).to.deep.equal({ paymentToken, price: usdc("3") });
      const relisted = await setListing(publisher, { assetId, price: usdc("4") });
      expect(relisted.approvalHash).to.equal(null);
      await closeListing(publisher, { assetId });
      expect((await getListing(publisher, { assetId })).listing).to.equal(null);
      const error = await rejection(quote(publisher, { assetId }));
      expect((error as ContractRevertedError).errorName).to.equal("NotListed");
    });

    it("setDispenser, dispense within the limit, closeDispenser", async () => {
      await createDatatoken(publisher, { assetId });
      await setDispenser(publisher, { assetId, maxPerWallet: 2 });
      expect((await getListing(publisher, { assetId })).dispenser).to.deep.equal({ maxPerWallet: 2n });
      expect((await dispense(stranger, { assetId })).count).to.equal(1n);
      expect(await balanceOf(stranger, (await getAsset(stranger, { assetId })).datatoken!, devnetAccount(3).address)).to.equal(ONE_TOKEN);
      const error = await rejection(dispense(stranger, { assetId, count: 2 }));
      expect((error as ContractRevertedError<"DispenserLimitExceeded">).args).to.deep.equal({
        assetId,
        wallet: devnetAccount(3).address,
        requested: 2n,
        remaining: 1n,
      });
      await closeDispenser(publisher, { assetId });
      expect((await getListing(publisher, { assetId })).dispenser).to.equal(null);
      expect(((await rejection(dispense(stranger, { assetId }))) as ContractRevertedError).errorName).to.equal("NoDispenser");
    });
  });

  describe("buying", () => {
    let assetId: bigint;
    let datatoken: Address;
    beforeEach(async () => {
      const published = await publishAsset(publisher, { kind: "dataset", manifestCid: await uniqueCid(), listing: { price: usdc("5") } });
      assetId = published.assetId;
      datatoken = published.datatoken!;
    });

    it("quote adds the protocol fee and the market fee on top of the price", async () => {
      const priced = await quote(buyer, { assetId, count: 2, marketFeeBps: 100 });
      expect(priced).to.deep.include({ paymentToken, price: usdc("5"), base: usdc("10"), marketFee: usdc("0.1") });
      expect(priced.total).to.equal(priced.base + priced.protocolFee + priced.marketFee);
    });

    it("buy approves, pays and receives the datatokens; order spends one on an access receipt", async () => {
      const paymentBefore = await balanceOf(buyer, paymentToken, devnetAccount(2).address);
      const priced = await quote(buyer, { assetId, count: 2 });
      const bought = await buy(buyer, { assetId, count: 2 });
      expect(bought.approvalHash).to.match(/^0x/);
      expect(bought.total).to.equal(priced.total);
      expect(await balanceOf(buyer, paymentToken, devnetAccount(2).address)).to.equal(paymentBefore - priced.total);
      expect(await balanceOf(buyer, datatoken, devnetAccount(2).address)).to.equal(2n * ONE_TOKEN);

      const ordered = await order(buyer, { assetId, consumer: devnetAccount(5).address });
      expect(ordered.consumer).to.equal(devnetAccount(5).address);
      expect(ordered.validUntil).to.equal(maxUint64);
      expect(await balanceOf(buyer, datatoken, devnetAccount(2).address)).to.equal(ONE_TOKEN);
    });

    it("order without a datatoken is InsufficientBalanceError before anything is sent", async () => {
      const before = await getTransactionCount(stranger, { address: devnetAccount(3).address });
      const error = await rejection(order(stranger, { assetId }));
      expect(error).to.be.instanceOf(InsufficientBalanceError);
      expect((error as InsufficientBalanceError).needed).to.equal(ONE_TOKEN);
      expect(await getTransactionCount(stranger, { address: devnetAccount(3).address })).to.equal(before);
    });

    it("buyAccess signs one permit and sends one transaction", async () => {
      const nonceBefore = await getTransactionCount(buyer, { address: devnetAccount(2).address });
      const paymentBefore = await balanceOf(buyer, paymentToken, devnetAccount(2).address);
      const supplyBefore = await readContract(buyer, { address: datatoken, abi: erc20Abi, functionName: "totalSupply" });
      const priced = await quote(buyer, { assetId, marketFeeBps: 50 });
      const access = await buyAccess(buyer, { assetId, marketFee: { recipient: devnetAccount(6).address, bps: 50 } });
      expect(access.signedPermit).to.equal(true);
      expect(access.consumer).to.equal(devnetAccount(2).address);
      expect(access.validUntil).to.equal(maxUint64);
      expect(access.total).to.equal(priced.total);
      expect(await getTransactionCount(buyer, { address: devnetAccount(2).address })).to.equal(nonceBefore + 1);
      expect(await balanceOf(buyer, paymentToken, devnetAccount(2).address)).to.equal(paymentBefore - priced.total);
      expect((await balanceOf(buyer, paymentToken, devnetAccount(6).address)) >= priced.marketFee).to.equal(true);
      expect(await readContract(buyer, { address: datatoken, abi: erc20Abi, functionName: "totalSupply" })).to.equal(
        supplyBefore - ONE_TOKEN,
      );
    });

    it("buyAccess for someone else, over an existing allowance, needs no permit", async () => {
      const priced = await quote(buyer, { assetId });
      await buy(buyer, { assetId, maxPayment: priced.total * 3n });
      // buy approved exactly maxPayment and spent `total`, so 2 * total is left.
      const access = await buyAccess(buyer, { assetId, consumer: devnetAccount(7).address });
      expect(access.signedPermit).to.equal(false);
      expect(access.consumer).to.equal(devnetAccount(7).address);
    });

    it("a buyer who cannot pay gets InsufficientBalanceError in the payment token's units, and nothing is sent", async () => {
      const poor = stranger;
      const before = await getTransactionCount(poor, { address: devnetAccount(3).address });
      const error = await rejection(buyAccess(poor, { assetId }));
      expect(error).to.be.instanceOf(InsufficientBalanceError);
      const typed = error as InsufficientBalanceError;
      expect(typed.balance).to.equal(0n);
      expect(typed.token).to.deep.include({ address: paymentToken, decimals: 6 });
      expect(typed.shortMessage).to.match(/holds 0 \w+ but buying access to asset \d+ needs 5\.005 \w+\./);
      expect(await getTransactionCount(poor, { address: devnetAccount(3).address })).to.equal(before);
    });

    it("typed errors for an unknown asset, an unlisted asset and an inactive asset", async () => {
      expect(await rejection(buyAccess(buyer, { assetId: 777_777n }))).to.be.instanceOf(AssetNotFoundError);
      const plain = await publishAsset(publisher, { kind: "dataset", manifestCid: await uniqueCid(), datatoken: {} });
      expect(((await rejection(buyAccess(buyer, { assetId: plain.assetId }))) as ContractRevertedError).errorName).to.equal("NotListed");
      await setAssetState(publisher, { assetId, state: "deprecated" });
      const inactive = await rejection(buyAccess(buyer, { assetId }));
      expect((inactive as ContractRevertedError<"AssetNotActive">).args).to.deep.equal({ assetId, state: 1 });
      expect(inactive.message).to.contain("is deprecated, not active");
    });

    it("a maximum payment below the price reverts PaymentTooHigh", async () => {
      const error = await rejection(buyAccess(buyer, { assetId, maxPayment: usdc("1") }));
      expect((error as ContractRevertedError).errorName).to.equal("PaymentTooHigh");
    });
  });

  describe("listAssets", () => {
    it("pages newest first and filters by kind and owner", async () => {
      const owner = devnetAccount(8);
      const mine = await chain.get().client(owner);
      const ids: bigint[] = [];
      for (const kind of ["dataset", "model", "model"] as const)
        ids.push((await publishAsset(mine, { kind, manifestCid: await uniqueCid() })).assetId);
      const models = await listAssets(mine, { owner: owner.address, kind: "model" });
      expect(models.assets.map((asset) => asset.id)).to.deep.equal([ids[2], ids[1]]);
      const page = await listAssets(mine, { owner: owner.address, limit: 2 });
      expect(page.assets.map((asset) => asset.id)).to.deep.equal([ids[2], ids[1]]);
      const rest = await listAssets(mine, { owner: owner.address, limit: 2, before: page.next! });
      expect(rest.assets.map((asset) => asset.id)).to.deep.equal([ids[0]]);
      expect((await listAssets(mine, { owner: zeroAddress })).assets).to.deep.equal([]);
    });
  });
});
