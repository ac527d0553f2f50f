import hre from "hardhat";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { getAddress, maxUint256, zeroAddress } from "viem";
import fc from "fast-check";
import {
  ACCESS_PERIOD,
  AssetKind,
  AssetState,
  MAX_UINT64,
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
import { propertyRun } from "../fixtures/property";

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
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({ paymentToken: getAddress(dai.address), price: 7n, ownerEpoch: 0n });
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
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({ paymentToken: zeroAddress, price: 0n, ownerEpoch: 0n });
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
        // The datatoken records its caller, the Marketplace, as the payer; Purchased names the buyer.
        payer: getAddress(marketplace.address),
        from: getAddress(publisher.account.address),
        validUntil: block.timestamp + ACCESS_PERIOD,
      });
      const purchased = eventsOf(receipt, marketplace)[0]!;
      expect(purchased.args).to.include({
        buyer: getAddress(buyer.account.address),
        count: 1n,
        consumer: getAddress(consumer.account.address),
        base: PRICE,
      });
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

  describe("fees round up", () => {
    const ceilBps = (base: bigint, bps: number) => (base * BigInt(bps) + 9_999n) / 10_000n;

    it("charges ceil(base * bps / 10000) for both fees, in quote and in the transfers of a purchase", async () => {
      const { marketplace, usdc, publisher, buyer, treasury, market } = await loadFixture(listedFixture);
      await mined(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      // 99 units at 1% and 2.5%: 0.99 and 2.475 units round up to 1 and 3 (they used to round down to 0 and 2).
      await mined(marketplace.write.setListing([1n, usdc.address, 99n], { account: publisher.account }));
      expect(await marketplace.read.quote([1n, 1n, 250])).to.deep.equal([99n, 1n, 3n, 103n]);
      // One unit less than the rounded-up total is refused.
      await expectRevert(
        marketplace.write.buy([1n, 1n, usdc.address, 102n, market.account.address, 250], { account: buyer.account }),
        "PaymentTooHigh",
        [103n, 102n],
      );
      const before = await usdc.read.balanceOf([buyer.account.address]);
      const receipt = await mined(
        marketplace.write.buy([1n, 1n, usdc.address, 103n, market.account.address, 250], { account: buyer.account }),
      );
      expect(eventsOf(receipt, marketplace)[0]!.args).to.include({ base: 99n, protocolFee: 1n, marketFee: 3n });
      expect(before - (await usdc.read.balanceOf([buyer.account.address]))).to.equal(103n);
      expect(await usdc.read.balanceOf([publisher.account.address])).to.equal(99n);
      expect(await usdc.read.balanceOf([treasury.account.address])).to.equal(1n);
      expect(await usdc.read.balanceOf([market.account.address])).to.equal(3n);
      expect(await usdc.read.balanceOf([marketplace.address])).to.equal(0n);
    });

    it("adds nothing when the fee is exact, charges one unit for the smallest base, and nothing for a zero rate", async () => {
      const { marketplace, usdc, admin, publisher } = await loadFixture(listedFixture);
      const account = publisher.account;
      await mined(marketplace.write.setListing([1n, usdc.address, 10_000n], { account }));
      expect(await marketplace.read.quote([1n, 1n, 250])).to.deep.equal([10_000n, 100n, 250n, 10_350n]);
      expect(await marketplace.read.quote([1n, 3n, 1])).to.deep.equal([30_000n, 300n, 3n, 30_303n]);
      await mined(marketplace.write.setListing([1n, usdc.address, 1n], { account }));
      expect(await marketplace.read.quote([1n, 1n, 1])).to.deep.equal([1n, 1n, 1n, 3n]);
      expect(await marketplace.read.quote([1n, 1n, 0])).to.deep.equal([1n, 1n, 0n, 2n]);
      await mined(marketplace.write.setProtocolFee([zeroAddress, 0], { account: admin.account }));
      expect(await marketplace.read.quote([1n, 1n, 0])).to.deep.equal([1n, 0n, 0n, 1n]);
      // The largest price and count: base < 2^160, no overflow, still the ceiling.
      const maxPrice = 2n ** 96n - 1n;
      await mined(marketplace.write.setListing([1n, usdc.address, maxPrice], { account }));
      const base = maxPrice * MAX_UINT64;
      expect(await marketplace.read.quote([1n, MAX_UINT64, 500])).to.deep.equal([base, 0n, ceilBps(base, 500), base + ceilBps(base, 500)]);
    });

    it("quotes the ceilings for random prices, counts and fee rates (fast-check)", async () => {
      const { marketplace, usdc, admin, publisher } = await loadFixture(listedFixture);
      await fc.assert(
        fc.asyncProperty(
          // Small prices and counts (where rounding decides the fee) as often as the whole range.
          fc.oneof(fc.bigInt({ min: 1n, max: 10_000n }), fc.bigInt({ min: 1n, max: 2n ** 96n - 1n })),
          fc.oneof(fc.bigInt({ min: 1n, max: 10n }), fc.bigInt({ min: 1n, max: MAX_UINT64 })),
          fc.nat({ max: 100 }),
          fc.nat({ max: 500 }),
          async (price, count, protocolBps, marketBps) => {
            await mined(marketplace.write.setProtocolFee([admin.account.address, protocolBps], { account: admin.account }));
            await mined(marketplace.write.setListing([1n, usdc.address, price], { account: publisher.account }));
            const base = price * count;
            const [quotedBase, protocolFee, marketFee, total] = await marketplace.read.quote([1n, count, marketBps]);
            expect(quotedBase).to.equal(base);
            expect(total).to.equal(base + protocolFee + marketFee);
            // The ceiling by its definition: never below the exact fee, and less than one unit above it.
            for (const [fee, bps] of [
              [protocolFee, protocolBps],
              [marketFee, marketBps],
            ] as const) {
              const exact = base * BigInt(bps);
              expect(fee * 10_000n >= exact, `fee ${fee} >= ${exact} / 10000`).to.equal(true);
              expect(fee === 0n || (fee - 1n) * 10_000n < exact, `fee ${fee} - 1 < ${exact} / 10000`).to.equal(true);
              expect(fee).to.equal(ceilBps(base, bps));
            }
          },
        ),
        propertyRun("marketplace fee ceilings", { numRuns: 40 }),
      );
    });
  });

  describe("owner epochs", () => {
    /**
     * Asset 1 listed at PRICE with a dispenser of 2 per wallet (the buyer took both), then the NFT sold to `newOwner`,
     * which stocks 5 tokens of inventory and approves the Marketplace before setting terms of its own.
     */
    async function transferredFixture() {
      const listed = await listedFixture();
      const { registry, datatoken, marketplace, usdc, publisher, newOwner, buyer } = listed;
      await mined(marketplace.write.setDispenser([1n, 2n], { account: publisher.account }));
      await mined(marketplace.write.dispense([1n, 2n], { account: buyer.account }));
      await mined(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      await mined(registry.write.transferFrom([publisher.account.address, newOwner.account.address, 1n], { account: publisher.account }));
      await mined(datatoken.write.mint([newOwner.account.address, 5n * ONE], { account: newOwner.account }));
      await mined(datatoken.write.approve([marketplace.address, maxUint256], { account: newOwner.account }));
      return listed;
    }

    it("records the owner epoch in a listing and a dispenser, whether the registry or the owner set it", async () => {
      const { marketplace, registry, usdc, dai, publisher, newOwner } = await loadFixture(twoAssetsFixture);
      // Set by the registry at publication, in epoch 0.
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({
        paymentToken: getAddress(usdc.address),
        price: PRICE,
        ownerEpoch: 0n,
      });
      // Asset 2 goes to a new owner and comes back (epoch 2): the owner's listing and dispenser now carry epoch 2.
      await mined(registry.write.transferFrom([publisher.account.address, newOwner.account.address, 2n], { account: publisher.account }));
      await mined(registry.write.transferFrom([newOwner.account.address, publisher.account.address, 2n], { account: newOwner.account }));
      expect(await registry.read.ownerEpochOf([2n])).to.equal(2n);
      await mined(marketplace.write.setListing([2n, dai.address, ONE], { account: publisher.account }));
      expect(await marketplace.read.listingOf([2n])).to.deep.equal({ paymentToken: getAddress(dai.address), price: ONE, ownerEpoch: 2n });
      await mined(marketplace.write.setDispenser([2n, 4n], { account: publisher.account }));
      expect(await marketplace.read.dispenserOf([2n])).to.equal(4n);
    });

    it("a listing lapses with the transfer: listingOf is empty, quote, buy and buyAndOrder revert NotListed, nothing moves", async () => {
      const { marketplace, datatoken, usdc, publisher, newOwner, buyer, consumer, treasury } = await loadFixture(transferredFixture);
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({ paymentToken: zeroAddress, price: 0n, ownerEpoch: 0n });
      const account = buyer.account;
      const buyerUsdc = await usdc.read.balanceOf([buyer.account.address]);
      const publisherTokens = await datatoken.read.balanceOf([publisher.account.address]);
      await expectRevert(marketplace.read.quote([1n, 1n, 0]), "NotListed", [1n]);
      await expectRevert(marketplace.write.buy([1n, 1n, usdc.address, maxUint256, zeroAddress, 0], { account }), "NotListed", [1n]);
      await expectRevert(
        marketplace.write.buyAndOrder([1n, consumer.account.address, usdc.address, maxUint256, zeroAddress, 0, NO_PERMIT], { account }),
        "NotListed",
        [1n],
      );
      expect(await datatoken.read.balanceOf([newOwner.account.address])).to.equal(5n * ONE);
      expect(await datatoken.read.balanceOf([publisher.account.address])).to.equal(publisherTokens);
      expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(2n * ONE);
      expect(await usdc.read.balanceOf([buyer.account.address])).to.equal(buyerUsdc);
      expect(await usdc.read.balanceOf([treasury.account.address])).to.equal(0n);
      // The new owner cannot close what is no longer a listing; the old owner has no say at all.
      await expectRevert(marketplace.write.closeListing([1n], { account: newOwner.account }), "NotListed", [1n]);
      await expectRevert(marketplace.write.closeListing([1n], { account: publisher.account }), "NotAssetOwner", [
        1n,
        publisher.account.address,
        newOwner.account.address,
      ]);
    });

    it("the new owner's listing is bound to its epoch and sells its inventory to its account", async () => {
      const { marketplace, datatoken, usdc, newOwner, buyer } = await loadFixture(transferredFixture);
      const receipt = await mined(marketplace.write.setListing([1n, usdc.address, 2n * PRICE], { account: newOwner.account }));
      expect(eventsOf(receipt, marketplace)[0]!.args).to.include({ price: 2n * PRICE, owner: getAddress(newOwner.account.address) });
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({
        paymentToken: getAddress(usdc.address),
        price: 2n * PRICE,
        ownerEpoch: 1n,
      });
      const usdcBefore = await usdc.read.balanceOf([newOwner.account.address]);
      await mined(marketplace.write.buy([1n, 2n, usdc.address, maxUint256, zeroAddress, 0], { account: buyer.account }));
      expect((await usdc.read.balanceOf([newOwner.account.address])) - usdcBefore).to.equal(4n * PRICE);
      expect(await datatoken.read.balanceOf([newOwner.account.address])).to.equal(3n * ONE);
      expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(4n * ONE);
      await mined(marketplace.write.closeListing([1n], { account: newOwner.account }));
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({ paymentToken: zeroAddress, price: 0n, ownerEpoch: 0n });
    });

    it("a dispenser lapses with the transfer; counts start afresh for the new owner and dispensedTo reads the current epoch", async () => {
      const { marketplace, datatoken, publisher, newOwner, buyer } = await loadFixture(transferredFixture);
      expect(await marketplace.read.dispenserOf([1n])).to.equal(0n);
      expect(await marketplace.read.dispensedTo([1n, buyer.account.address])).to.equal(0n);
      await expectRevert(marketplace.write.dispense([1n, 1n], { account: buyer.account }), "NoDispenser", [1n]);
      await expectRevert(marketplace.write.closeDispenser([1n], { account: newOwner.account }), "NoDispenser", [1n]);
      await expectRevert(marketplace.write.closeDispenser([1n], { account: publisher.account }), "NotAssetOwner", [
        1n,
        publisher.account.address,
        newOwner.account.address,
      ]);
      expect(await datatoken.read.balanceOf([newOwner.account.address])).to.equal(5n * ONE);
      // The new owner's dispenser: the buyer, who had reached the old limit, may take 2 again, from the new inventory.
      await mined(marketplace.write.setDispenser([1n, 2n], { account: newOwner.account }));
      expect(await marketplace.read.dispenserOf([1n])).to.equal(2n);
      const receipt = await mined(marketplace.write.dispense([1n, 2n], { account: buyer.account }));
      expect(eventsOf(receipt, marketplace)[0]!.args).to.deep.equal({
        assetId: 1n,
        recipient: getAddress(buyer.account.address),
        owner: getAddress(newOwner.account.address),
        count: 2n,
      });
      expect(await marketplace.read.dispensedTo([1n, buyer.account.address])).to.equal(2n);
      expect(await datatoken.read.balanceOf([newOwner.account.address])).to.equal(3n * ONE);
      expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(4n * ONE);
      await expectRevert(marketplace.write.dispense([1n, 1n], { account: buyer.account }), "DispenserLimitExceeded", [
        1n,
        buyer.account.address,
        1n,
        0n,
      ]);
      await mined(marketplace.write.closeDispenser([1n], { account: newOwner.account }));
      expect(await marketplace.read.dispenserOf([1n])).to.equal(0n);
    });

    it("a transfer back to a previous owner revives neither its old terms nor its old counts", async () => {
      const { marketplace, registry, datatoken, usdc, publisher, newOwner, buyer } = await loadFixture(transferredFixture);
      // The new owner sets terms in epoch 1, then sells the NFT back: epoch 2.
      await mined(marketplace.write.setListing([1n, usdc.address, 1n], { account: newOwner.account }));
      await mined(marketplace.write.setDispenser([1n, 9n], { account: newOwner.account }));
      await mined(registry.write.transferFrom([newOwner.account.address, publisher.account.address, 1n], { account: newOwner.account }));
      expect(await registry.read.ownerEpochOf([1n])).to.equal(2n);
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({ paymentToken: zeroAddress, price: 0n, ownerEpoch: 0n });
      expect(await marketplace.read.dispenserOf([1n])).to.equal(0n);
      // The buyer took 2 under the publisher in epoch 0: that count is not the publisher's count in epoch 2.
      expect(await marketplace.read.dispensedTo([1n, buyer.account.address])).to.equal(0n);
      const publisherTokens = await datatoken.read.balanceOf([publisher.account.address]);
      await expectRevert(
        marketplace.write.buy([1n, 1n, usdc.address, maxUint256, zeroAddress, 0], { account: buyer.account }),
        "NotListed",
        [1n],
      );
      await expectRevert(marketplace.write.dispense([1n, 1n], { account: buyer.account }), "NoDispenser", [1n]);
      await expectRevert(marketplace.write.closeListing([1n], { account: publisher.account }), "NotListed", [1n]);
      await expectRevert(marketplace.write.closeDispenser([1n], { account: publisher.account }), "NoDispenser", [1n]);
      expect(await datatoken.read.balanceOf([publisher.account.address])).to.equal(publisherTokens);
      // New terms in epoch 2 work as usual.
      await mined(marketplace.write.setListing([1n, usdc.address, PRICE], { account: publisher.account }));
      expect((await marketplace.read.listingOf([1n])).ownerEpoch).to.equal(2n);
      await mined(marketplace.write.buy([1n, 1n, usdc.address, maxUint256, zeroAddress, 0], { account: buyer.account }));
      expect(await datatoken.read.balanceOf([publisher.account.address])).to.equal(publisherTokens - ONE);
    });

    it("a transfer of one asset leaves the listings and dispensers of the owner's other assets alone", async () => {
      const { marketplace, registry, usdc, freeToken, publisher, newOwner, buyer } = await loadFixture(twoAssetsFixture);
      await mined(marketplace.write.setListing([2n, usdc.address, 7n], { account: publisher.account }));
      await mined(marketplace.write.setDispenser([2n, 1n], { account: publisher.account }));
      await mined(registry.write.transferFrom([publisher.account.address, newOwner.account.address, 1n], { account: publisher.account }));
      expect(await marketplace.read.listingOf([2n])).to.deep.equal({ paymentToken: getAddress(usdc.address), price: 7n, ownerEpoch: 0n });
      expect(await marketplace.read.dispenserOf([2n])).to.equal(1n);
      await mined(marketplace.write.dispense([2n, 1n], { account: buyer.account }));
      expect(await freeToken.read.balanceOf([buyer.account.address])).to.equal(ONE);
    });

    it("dispensedTo reverts AssetNotFound for an unknown asset (it reads the registry's epoch)", async () => {
      const { marketplace, buyer } = await loadFixture(listedFixture);
      await expectRevert(marketplace.read.dispensedTo([9n, buyer.account.address]), "AssetNotFound", [9n]);
      // listingOf and dispenserOf of an unknown asset stay empty views.
      expect(await marketplace.read.listingOf([9n])).to.deep.equal({ paymentToken: zeroAddress, price: 0n, ownerEpoch: 0n });
      expect(await marketplace.read.dispenserOf([9n])).to.equal(0n);
    });
  });

  describe("dispenser limits", () => {
    it("keeps a wallet's count when the same owner closes and reopens the dispenser", async () => {
      const { marketplace, publisher, buyer } = await loadFixture(twoAssetsFixture);
      await mined(marketplace.write.setDispenser([2n, 3n], { account: publisher.account }));
      await mined(marketplace.write.dispense([2n, 2n], { account: buyer.account }));
      await mined(marketplace.write.closeDispenser([2n], { account: publisher.account }));
      expect(await marketplace.read.dispensedTo([2n, buyer.account.address])).to.equal(2n);
      await mined(marketplace.write.setDispenser([2n, 3n], { account: publisher.account }));
      await expectRevert(marketplace.write.dispense([2n, 2n], { account: buyer.account }), "DispenserLimitExceeded", [
        2n,
        buyer.account.address,
        2n,
        1n,
      ]);
      await mined(marketplace.write.dispense([2n, 1n], { account: buyer.account }));
      expect(await marketplace.read.dispensedTo([2n, buyer.account.address])).to.equal(3n);
    });

    it("reverts DispenserLimitExceeded with remaining 0 (not an arithmetic panic) once the limit is lowered below a wallet's count", async () => {
      const { marketplace, freeToken, publisher, buyer, stranger, consumer } = await loadFixture(twoAssetsFixture);
      await mined(marketplace.write.setDispenser([2n, 3n], { account: publisher.account }));
      await mined(marketplace.write.dispense([2n, 3n], { account: buyer.account }));
      await mined(marketplace.write.dispense([2n, 1n], { account: stranger.account }));
      await mined(marketplace.write.setDispenser([2n, 1n], { account: publisher.account }));
      const inventory = await freeToken.read.balanceOf([publisher.account.address]);
      // Above the new limit (3 > 1) and exactly at it (1 = 1): nothing remains.
      await expectRevert(marketplace.write.dispense([2n, 1n], { account: buyer.account }), "DispenserLimitExceeded", [
        2n,
        buyer.account.address,
        1n,
        0n,
      ]);
      await expectRevert(marketplace.write.dispense([2n, 2n], { account: stranger.account }), "DispenserLimitExceeded", [
        2n,
        stranger.account.address,
        2n,
        0n,
      ]);
      // A fresh wallet gets the new limit.
      await expectRevert(marketplace.write.dispense([2n, 2n], { account: consumer.account }), "DispenserLimitExceeded", [
        2n,
        consumer.account.address,
        2n,
        1n,
      ]);
      await mined(marketplace.write.dispense([2n, 1n], { account: consumer.account }));
      expect(await freeToken.read.balanceOf([publisher.account.address])).to.equal(inventory - ONE);
      expect(await freeToken.read.balanceOf([buyer.account.address])).to.equal(3n * ONE);
      expect(await marketplace.read.dispensedTo([2n, buyer.account.address])).to.equal(3n);
      // Raising the limit again gives back exactly the difference.
      await mined(marketplace.write.setDispenser([2n, 4n], { account: publisher.account }));
      await expectRevert(marketplace.write.dispense([2n, 2n], { account: buyer.account }), "DispenserLimitExceeded", [
        2n,
        buyer.account.address,
        2n,
        1n,
      ]);
      await mined(marketplace.write.dispense([2n, 1n], { account: buyer.account }));
      expect(await marketplace.read.dispensedTo([2n, buyer.account.address])).to.equal(4n);
    });
  });

  describe("payment tokens that deliver less than asked", () => {
    async function feeTokenFixture() {
      const listed = await listedFixture();
      const { marketplace, publisher, buyer } = listed;
      const feeToken = await hre.viem.deployContract("FeeOnTransferToken");
      await mined(feeToken.write.mint([buyer.account.address, 1_000n * ONE]));
      await mined(feeToken.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      // Listing in it is allowed (it answers decimals()); paying with it is not.
      await mined(marketplace.write.setListing([1n, feeToken.address, ONE], { account: publisher.account }));
      return { ...listed, feeToken };
    }

    it("refuses buy and buyAndOrder with TransferAmountMismatch(token, base, received), and nothing moves", async () => {
      const { marketplace, feeToken, datatoken, publisher, buyer, consumer, treasury } = await loadFixture(feeTokenFixture);
      const account = buyer.account;
      const supply = await datatoken.read.totalSupply();
      // 1 token at 1% fee on transfer: the seller would receive 0.99.
      await expectRevert(
        marketplace.write.buy([1n, 1n, feeToken.address, maxUint256, zeroAddress, 0], { account }),
        "TransferAmountMismatch",
        [feeToken.address, ONE, ONE - ONE / 100n],
      );
      await expectRevert(
        marketplace.write.buy([1n, 3n, feeToken.address, maxUint256, zeroAddress, 0], { account }),
        "TransferAmountMismatch",
        [feeToken.address, 3n * ONE, 3n * ONE - (3n * ONE) / 100n],
      );
      await expectRevert(
        marketplace.write.buyAndOrder([1n, consumer.account.address, feeToken.address, maxUint256, zeroAddress, 0, NO_PERMIT], {
          account,
        }),
        "TransferAmountMismatch",
        [feeToken.address, ONE, ONE - ONE / 100n],
      );
      expect(await feeToken.read.balanceOf([buyer.account.address])).to.equal(1_000n * ONE);
      expect(await feeToken.read.balanceOf([publisher.account.address])).to.equal(0n);
      expect(await feeToken.read.balanceOf([treasury.account.address])).to.equal(0n);
      expect(await datatoken.read.totalSupply()).to.equal(supply);
      expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(0n);
    });

    it("judges by what arrived: a transfer the token happens to deliver whole goes through", async () => {
      const { marketplace, feeToken, publisher, buyer, treasury } = await loadFixture(feeTokenFixture);
      // Below 100 units the token's 1% fee rounds to 0, so the seller receives exactly `base`.
      await mined(marketplace.write.setListing([1n, feeToken.address, 99n], { account: publisher.account }));
      await mined(marketplace.write.buy([1n, 1n, feeToken.address, maxUint256, zeroAddress, 0], { account: buyer.account }));
      expect(await feeToken.read.balanceOf([publisher.account.address])).to.equal(99n);
      expect(await feeToken.read.balanceOf([treasury.account.address])).to.equal(1n);
    });
  });

  describe("an owner buying its own listing", () => {
    // Nothing moves from the owner to itself: it pays only the fees (the seller-side delivery check has nothing to check).
    it("pays only the fees: buy moves no datatokens, buyAndOrder spends one of its own for the consumer", async () => {
      const { marketplace, usdc, datatoken, publisher, consumer, treasury } = await loadFixture(listedFixture);
      const account = publisher.account;
      await mined(usdc.write.mint([publisher.account.address, 100n * PRICE]));
      await mined(usdc.write.approve([marketplace.address, maxUint256], { account }));
      const inventory = await datatoken.read.balanceOf([publisher.account.address]);
      const fee = (n: bigint) => (n * PRICE * BigInt(PROTOCOL_FEE_BPS) + 9_999n) / 10_000n;
      await mined(marketplace.write.buy([1n, 2n, usdc.address, maxUint256, zeroAddress, 0], { account }));
      expect(await usdc.read.balanceOf([publisher.account.address])).to.equal(100n * PRICE - fee(2n));
      expect(await usdc.read.balanceOf([treasury.account.address])).to.equal(fee(2n));
      expect(await datatoken.read.balanceOf([publisher.account.address])).to.equal(inventory);
      await mined(
        marketplace.write.buyAndOrder([1n, consumer.account.address, usdc.address, maxUint256, zeroAddress, 0, NO_PERMIT], { account }),
      );
      expect(await usdc.read.balanceOf([publisher.account.address])).to.equal(100n * PRICE - fee(2n) - fee(1n));
      expect(await datatoken.read.balanceOf([publisher.account.address])).to.equal(inventory - ONE);
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
