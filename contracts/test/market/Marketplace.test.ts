import hre from "hardhat";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { getAddress, maxUint256, zeroAddress } from "viem";
import {
  ACCESS_PERIOD,
  AssetKind,
  AssetState,
  NO_PERMIT,
  ONE,
  PRICE,
  PROTOCOL_FEE_BPS,
  cid,
  eventsOf,
  listedFixture,
  mined,
  protocolFixture,
  signPermit,
} from "../fixtures/protocol";
import { expectRevert } from "../fixtures/errors";

describe("Marketplace", () => {
  /** Asset 1 listed, plus asset 2 published with a datatoken (and inventory approved) but not listed. */
  async function twoAssetsFixture() {
    const listed = await listedFixture();
    const { registry, marketplace, publisher } = listed;
    await mined(
      registry.write.publishWithDatatoken([AssetKind.Model, cid("free"), [], { accessPeriod: 0n, initialSupply: 100n * ONE }], {
        account: publisher.account,
      }),
    );
    const freeToken = await hre.viem.getContractAt("Datatoken", await registry.read.datatokenOf([2n]));
    await mined(freeToken.write.approve([marketplace.address, maxUint256], { account: publisher.account }));
    return { ...listed, freeToken };
  }

  describe("deployment", () => {
    it("records the registry, the admin and the protocol fee (ProtocolFeeSet at deployment)", async () => {
      const { marketplace, registry, admin, treasury, publicClient } = await loadFixture(protocolFixture);
      expect(await marketplace.read.registry()).to.equal(getAddress(registry.address));
      expect(await marketplace.read.owner()).to.equal(getAddress(admin.account.address));
      expect(await marketplace.read.protocolFee()).to.deep.equal([getAddress(treasury.account.address), PROTOCOL_FEE_BPS]);
      expect(await marketplace.read.PROTOCOL_FEE_CAP_BPS()).to.equal(100);
      expect(await marketplace.read.MARKET_FEE_CAP_BPS()).to.equal(500);
      const events = await publicClient.getContractEvents({
        abi: marketplace.abi,
        address: marketplace.address,
        eventName: "ProtocolFeeSet",
        fromBlock: 0n,
      });
      expect(events[0]!.args).to.deep.equal({ treasury: getAddress(treasury.account.address), bps: PROTOCOL_FEE_BPS });
    });

    it("refuses a fee above the cap or a fee without treasury", async () => {
      const { registry, admin } = await loadFixture(protocolFixture);
      const deploy = (treasury: `0x${string}`, bps: number) =>
        hre.viem.deployContract("Marketplace", [registry.address, admin.account.address, treasury, bps]);
      await expectRevert(deploy(admin.account.address, 101), "ProtocolFeeTooHigh", [101n, 100n]);
      await expectRevert(deploy(zeroAddress, 1), "InvalidTreasury", [zeroAddress]);
      await deploy(zeroAddress, 0);
    });
  });

  describe("setListing", () => {
    it("opens a listing, registers the payment token once with its decimals, and changes price and token", async () => {
      const { marketplace, registry, usdc, dai, publisher, datatoken } = await loadFixture(twoAssetsFixture);
      // Asset 1 was listed in mUSD at publication.
      expect(await marketplace.read.isPaymentTokenRegistered([usdc.address])).to.equal(true);
      expect(await marketplace.read.isPaymentTokenRegistered([dai.address])).to.equal(false);
      let receipt = await mined(marketplace.write.setListing([2n, dai.address, 3n * ONE], { account: publisher.account }));
      const freeToken = await registry.read.datatokenOf([2n]);
      expect(eventsOf(receipt, marketplace).map((event) => [event.eventName, event.args])).to.deep.equal([
        ["PaymentTokenRegistered", { token: getAddress(dai.address), decimals: 18 }],
        [
          "ListingSet",
          {
            assetId: 2n,
            datatoken: freeToken,
            paymentToken: getAddress(dai.address),
            price: 3n * ONE,
            owner: getAddress(publisher.account.address),
          },
        ],
      ]);
      receipt = await mined(marketplace.write.setListing([1n, dai.address, 7n], { account: publisher.account }));
      expect(eventsOf(receipt, marketplace).map((event) => event.eventName)).to.deep.equal(["ListingSet"]);
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({ paymentToken: getAddress(dai.address), price: 7n });
      expect(datatoken.address).to.not.equal(freeToken);
    });

    it("reverts NotAssetOwner, ZeroPrice, InvalidPaymentToken, NoDatatoken, AssetNotActive and AssetNotFound", async () => {
      const { marketplace, registry, usdc, publisher, stranger, datatoken } = await loadFixture(twoAssetsFixture);
      const account = publisher.account;
      await expectRevert(marketplace.write.setListing([1n, usdc.address, 1n], { account: stranger.account }), "NotAssetOwner", [
        1n,
        stranger.account.address,
        publisher.account.address,
      ]);
      await expectRevert(marketplace.write.setListing([1n, usdc.address, 0n], { account }), "ZeroPrice", []);
      // No code, no decimals(), or the asset's own datatoken.
      for (const token of [stranger.account.address, registry.address, datatoken.address]) {
        await expectRevert(marketplace.write.setListing([1n, token, 1n], { account }), "InvalidPaymentToken", [token]);
      }
      await mined(registry.write.publish([publisher.account.address, AssetKind.Dataset, cid("bare"), []]));
      await expectRevert(marketplace.write.setListing([3n, usdc.address, 1n], { account }), "NoDatatoken", [3n]);
      await expectRevert(marketplace.write.setListing([9n, usdc.address, 1n], { account }), "AssetNotFound", [9n]);
      await mined(registry.write.setState([1n, AssetState.Deprecated], { account }));
      await expectRevert(marketplace.write.setListing([1n, usdc.address, 1n], { account }), "AssetNotActive", [1n, AssetState.Deprecated]);
    });
  });

  describe("closeListing", () => {
    it("closes the listing; buying then reverts NotListed", async () => {
      const { marketplace, usdc, publisher, buyer } = await loadFixture(listedFixture);
      const receipt = await mined(marketplace.write.closeListing([1n], { account: publisher.account }));
      expect(eventsOf(receipt, marketplace)[0]).to.include({ eventName: "ListingClosed" });
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({ paymentToken: zeroAddress, price: 0n });
      await expectRevert(
        marketplace.write.buy([1n, 1n, usdc.address, maxUint256, zeroAddress, 0], { account: buyer.account }),
        "NotListed",
        [1n],
      );
      await expectRevert(marketplace.write.closeListing([1n], { account: publisher.account }), "NotListed", [1n]);
    });

    it("reverts NotAssetOwner for anyone else", async () => {
      const { marketplace, publisher, stranger } = await loadFixture(listedFixture);
      await expectRevert(marketplace.write.closeListing([1n], { account: stranger.account }), "NotAssetOwner", [
        1n,
        stranger.account.address,
        publisher.account.address,
      ]);
    });
  });

  describe("buy", () => {
    it("moves exactly price * count to the seller plus both fees, and the datatokens to the buyer", async () => {
      const { marketplace, usdc, datatoken, publisher, buyer, treasury, market } = await loadFixture(listedFixture);
      await mined(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      const [base, protocolFee, marketFee, total] = await marketplace.read.quote([1n, 3n, 250]);
      expect([base, protocolFee, marketFee, total]).to.deep.equal([15_000_000n, 150_000n, 375_000n, 15_525_000n]);
      const before = await usdc.read.balanceOf([buyer.account.address]);
      const { result } = await marketplace.simulate.buy([1n, 3n, usdc.address, total, market.account.address, 250], {
        account: buyer.account.address,
      });
      expect(result).to.equal(total);
      const receipt = await mined(
        marketplace.write.buy([1n, 3n, usdc.address, total, market.account.address, 250], { account: buyer.account }),
      );
      expect(before - (await usdc.read.balanceOf([buyer.account.address]))).to.equal(total);
      expect(await usdc.read.balanceOf([publisher.account.address])).to.equal(base);
      expect(await usdc.read.balanceOf([treasury.account.address])).to.equal(protocolFee);
      expect(await usdc.read.balanceOf([market.account.address])).to.equal(marketFee);
      expect(await usdc.read.balanceOf([marketplace.address])).to.equal(0n);
      expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(3n * ONE);
      expect(eventsOf(receipt, marketplace)[0]!.args).to.deep.equal({
        assetId: 1n,
        buyer: getAddress(buyer.account.address),
        seller: getAddress(publisher.account.address),
        paymentToken: getAddress(usdc.address),
        count: 3n,
        base,
        protocolFee,
        marketFee,
        marketFeeRecipient: getAddress(market.account.address),
        consumer: zeroAddress,
      });
    });

    it("skips zero fees (no treasury transfer when the protocol fee is 0)", async () => {
      const { marketplace, usdc, admin, buyer, treasury } = await loadFixture(listedFixture);
      await mined(marketplace.write.setProtocolFee([zeroAddress, 0], { account: admin.account }));
      await mined(usdc.write.approve([marketplace.address, PRICE], { account: buyer.account }));
      const receipt = await mined(marketplace.write.buy([1n, 1n, usdc.address, PRICE, zeroAddress, 0], { account: buyer.account }));
      expect(eventsOf(receipt, usdc).filter((event) => event.eventName === "Transfer")).to.have.length(1);
      expect(await usdc.read.balanceOf([treasury.account.address])).to.equal(0n);
    });

    it("reverts ZeroCount, PaymentTokenMismatch, MissingMarketFeeRecipient, MarketFeeTooHigh, PaymentTooHigh, AssetNotActive", async () => {
      const { marketplace, registry, usdc, dai, publisher, buyer, market } = await loadFixture(listedFixture);
      const account = buyer.account;
      const recipient = market.account.address;
      await expectRevert(marketplace.write.buy([1n, 0n, usdc.address, maxUint256, zeroAddress, 0], { account }), "ZeroCount", []);
      await expectRevert(marketplace.write.buy([1n, 1n, dai.address, maxUint256, zeroAddress, 0], { account }), "PaymentTokenMismatch", [
        1n,
        dai.address,
        usdc.address,
      ]);
      await expectRevert(
        marketplace.write.buy([1n, 1n, usdc.address, maxUint256, zeroAddress, 1], { account }),
        "MissingMarketFeeRecipient",
        [],
      );
      await expectRevert(marketplace.write.buy([1n, 1n, usdc.address, maxUint256, recipient, 501], { account }), "MarketFeeTooHigh", [
        501n,
        500n,
      ]);
      await expectRevert(marketplace.read.quote([1n, 1n, 501]), "MarketFeeTooHigh", [501n, 500n]);
      // 5 mUSD + 1% protocol fee = 5.05 mUSD; one unit less is refused.
      await expectRevert(marketplace.write.buy([1n, 1n, usdc.address, 5_049_999n, zeroAddress, 0], { account }), "PaymentTooHigh", [
        5_050_000n,
        5_049_999n,
      ]);
      await expectRevert(marketplace.write.buy([2n, 1n, usdc.address, maxUint256, zeroAddress, 0], { account }), "NotListed", [2n]);
      await expectRevert(marketplace.read.quote([2n, 1n, 0]), "NotListed", [2n]);
      await mined(registry.write.setState([1n, AssetState.Deprecated], { account: publisher.account }));
      await expectRevert(marketplace.write.buy([1n, 1n, usdc.address, maxUint256, zeroAddress, 0], { account }), "AssetNotActive", [
        1n,
        AssetState.Deprecated,
      ]);
    });

    it("reverts ERC20InsufficientAllowance without the buyer's approval", async () => {
      const { marketplace, usdc, buyer } = await loadFixture(listedFixture);
      await expectRevert(
        marketplace.write.buy([1n, 1n, usdc.address, maxUint256, zeroAddress, 0], { account: buyer.account }),
        "ERC20InsufficientAllowance",
        [marketplace.address, 0n, PRICE],
      );
    });
  });

  describe("buyAndOrder", () => {
    it("takes a permit, pays seller and fees, and spends one token of the seller's inventory in an order", async () => {
      const { marketplace, usdc, datatoken, publisher, buyer, consumer, treasury, market, publicClient } = await loadFixture(listedFixture);
      const [, protocolFee, marketFee, total] = await marketplace.read.quote([1n, 1n, 100]);
      const deadline = BigInt(await time.latest()) + 600n;
      const permit = await signPermit(usdc, buyer, marketplace.address, total, deadline);
      const supply = await datatoken.read.totalSupply();
      const receipt = await mined(
        marketplace.write.buyAndOrder([1n, consumer.account.address, usdc.address, total, market.account.address, 100, permit], {
          account: buyer.account,
        }),
      );
      const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
      expect(await usdc.read.balanceOf([publisher.account.address])).to.equal(PRICE);
      expect(await usdc.read.balanceOf([treasury.account.address])).to.equal(protocolFee);
      expect(await usdc.read.balanceOf([market.account.address])).to.equal(marketFee);
      expect(await usdc.read.allowance([buyer.account.address, marketplace.address])).to.equal(0n);
      expect(await datatoken.read.totalSupply()).to.equal(supply - ONE);
      expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(0n);
      const order = eventsOf(receipt, datatoken).find((event) => event.eventName === "OrderStarted");
      expect(order!.args).to.deep.equal({
        assetId: 1n,
        consumer: getAddress(consumer.account.address),
        payer: getAddress(buyer.account.address),
        from: getAddress(publisher.account.address),
        validUntil: block.timestamp + ACCESS_PERIOD,
      });
      const purchased = eventsOf(receipt, marketplace)[0]!;
      expect(purchased.args).to.include({ count: 1n, consumer: getAddress(consumer.account.address), base: PRICE });
      expect(purchased.logIndex).to.be.greaterThan(order!.logIndex);
    });

    it("uses the existing allowance when no permit is given (deadline 0)", async () => {
      const { marketplace, usdc, datatoken, buyer, consumer, publicClient } = await loadFixture(listedFixture);
      await mined(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      const receipt = await mined(
        marketplace.write.buyAndOrder([1n, consumer.account.address, usdc.address, maxUint256, zeroAddress, 0, NO_PERMIT], {
          account: buyer.account,
        }),
      );
      const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
      expect(eventsOf(receipt, datatoken).find((event) => event.eventName === "OrderStarted")!.args).to.include({
        validUntil: block.timestamp + ACCESS_PERIOD,
      });
    });

    it("goes on when someone front-ran the buyer's permit (the allowance is already there)", async () => {
      const { marketplace, usdc, buyer, consumer, stranger } = await loadFixture(listedFixture);
      const [, , , total] = await marketplace.read.quote([1n, 1n, 0]);
      const deadline = BigInt(await time.latest()) + 600n;
      const permit = await signPermit(usdc, buyer, marketplace.address, total, deadline);
      await mined(
        usdc.write.permit([buyer.account.address, marketplace.address, total, deadline, permit.v, permit.r, permit.s], {
          account: stranger.account,
        }),
      );
      await mined(
        marketplace.write.buyAndOrder([1n, consumer.account.address, usdc.address, total, zeroAddress, 0, permit], {
          account: buyer.account,
        }),
      );
      expect(await usdc.read.allowance([buyer.account.address, marketplace.address])).to.equal(0n);
    });

    it("reverts InvalidConsumer for the zero consumer", async () => {
      const { marketplace, usdc, buyer } = await loadFixture(listedFixture);
      await expectRevert(
        marketplace.write.buyAndOrder([1n, zeroAddress, usdc.address, maxUint256, zeroAddress, 0, NO_PERMIT], {
          account: buyer.account,
        }),
        "InvalidConsumer",
        [],
      );
    });
  });

  describe("dispenser", () => {
    it("opens, dispenses free tokens from the owner's inventory up to the per-wallet limit, and closes", async () => {
      const { marketplace, freeToken, publisher, buyer, stranger } = await loadFixture(twoAssetsFixture);
      let receipt = await mined(marketplace.write.setDispenser([2n, 3n], { account: publisher.account }));
      expect(eventsOf(receipt, marketplace)[0]!.args).to.deep.equal({
        assetId: 2n,
        datatoken: getAddress(freeToken.address),
        maxPerWallet: 3n,
      });
      expect(await marketplace.read.dispenserOf([2n])).to.equal(3n);
      receipt = await mined(marketplace.write.dispense([2n, 2n], { account: buyer.account }));
      expect(eventsOf(receipt, marketplace)[0]!.args).to.deep.equal({
        assetId: 2n,
        recipient: getAddress(buyer.account.address),
        owner: getAddress(publisher.account.address),
        count: 2n,
      });
      await mined(marketplace.write.dispense([2n, 1n], { account: buyer.account }));
      expect(await freeToken.read.balanceOf([buyer.account.address])).to.equal(3n * ONE);
      expect(await marketplace.read.dispensedTo([2n, buyer.account.address])).to.equal(3n);
      await expectRevert(marketplace.write.dispense([2n, 1n], { account: buyer.account }), "DispenserLimitExceeded", [
        2n,
        buyer.account.address,
        1n,
        0n,
      ]);
      await expectRevert(marketplace.write.dispense([2n, 4n], { account: stranger.account }), "DispenserLimitExceeded", [
        2n,
        stranger.account.address,
        4n,
        3n,
      ]);
      receipt = await mined(marketplace.write.closeDispenser([2n], { account: publisher.account }));
      expect(eventsOf(receipt, marketplace)[0]).to.include({ eventName: "DispenserClosed" });
      await expectRevert(marketplace.write.dispense([2n, 1n], { account: stranger.account }), "NoDispenser", [2n]);
      await expectRevert(marketplace.write.closeDispenser([2n], { account: publisher.account }), "NoDispenser", [2n]);
    });

    it("reverts ZeroCount, InvalidDispenserLimit, NotAssetOwner, NoDatatoken and AssetNotActive", async () => {
      const { marketplace, registry, publisher, stranger } = await loadFixture(twoAssetsFixture);
      const account = publisher.account;
      await expectRevert(marketplace.write.setDispenser([2n, 0n], { account }), "InvalidDispenserLimit", [0n]);
      await expectRevert(marketplace.write.setDispenser([2n, 1n], { account: stranger.account }), "NotAssetOwner", [
        2n,
        stranger.account.address,
        publisher.account.address,
      ]);
      await mined(marketplace.write.setDispenser([2n, 1n], { account }));
      await expectRevert(marketplace.write.closeDispenser([2n], { account: stranger.account }), "NotAssetOwner", [
        2n,
        stranger.account.address,
        publisher.account.address,
      ]);
      await expectRevert(marketplace.write.dispense([2n, 0n], { account: stranger.account }), "ZeroCount", []);
      await mined(registry.write.publish([publisher.account.address, AssetKind.Dataset, cid("bare"), []]));
      await expectRevert(marketplace.write.setDispenser([3n, 1n], { account }), "NoDatatoken", [3n]);
      await mined(registry.write.setState([2n, AssetState.Revoked], { account }));
      await expectRevert(marketplace.write.dispense([2n, 1n], { account: stranger.account }), "AssetNotActive", [2n, AssetState.Revoked]);
      await expectRevert(marketplace.write.setDispenser([2n, 1n], { account }), "AssetNotActive", [2n, AssetState.Revoked]);
    });
  });

  describe("setProtocolFee", () => {
    it("lets the admin change fee and treasury within the cap, and hands the role over in two steps", async () => {
      const { marketplace, admin, stranger } = await loadFixture(protocolFixture);
      const receipt = await mined(marketplace.write.setProtocolFee([stranger.account.address, 100], { account: admin.account }));
      expect(eventsOf(receipt, marketplace)[0]!.args).to.deep.equal({ treasury: getAddress(stranger.account.address), bps: 100 });
      await mined(marketplace.write.transferOwnership([stranger.account.address], { account: admin.account }));
      expect(await marketplace.read.pendingOwner()).to.equal(getAddress(stranger.account.address));
      await mined(marketplace.write.acceptOwnership({ account: stranger.account }));
      expect(await marketplace.read.owner()).to.equal(getAddress(stranger.account.address));
    });

    it("can be renounced, freezing the fee for good", async () => {
      const { marketplace, admin } = await loadFixture(protocolFixture);
      await mined(marketplace.write.renounceOwnership({ account: admin.account }));
      expect(await marketplace.read.owner()).to.equal(zeroAddress);
      await expectRevert(
        marketplace.write.setProtocolFee([admin.account.address, 0], { account: admin.account }),
        "OwnableUnauthorizedAccount",
        [admin.account.address],
      );
    });

    it("reverts OwnableUnauthorizedAccount, ProtocolFeeTooHigh and InvalidTreasury", async () => {
      const { marketplace, admin, stranger } = await loadFixture(protocolFixture);
      await expectRevert(
        marketplace.write.setProtocolFee([stranger.account.address, 1], { account: stranger.account }),
        "OwnableUnauthorizedAccount",
        [stranger.account.address],
      );
      await expectRevert(marketplace.write.setProtocolFee([admin.account.address, 101], { account: admin.account }), "ProtocolFeeTooHigh", [
        101n,
        100n,
      ]);
      await expectRevert(marketplace.write.setProtocolFee([zeroAddress, 1], { account: admin.account }), "InvalidTreasury", [zeroAddress]);
    });
  });
});
