/**
 * Attacks from Ocean Protocol's audit history and from issue 12's review (scenario 6's stale listings and dispensers,
 * scenario 7's market findings), each replayed against our contracts.
 */
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeFunctionData, getAddress, maxUint256, parseAbi, zeroAddress, type Hex } from "viem";
import { AssetKind, NO_PERMIT, ONE, PRICE, cid, eventsOf, listedFixture, mined, signPermit } from "../fixtures/protocol";
import { errorSelector, expectRevert } from "../fixtures/errors";

describe("Marketplace attacks (Ocean audit history, issue 12 review)", () => {
  describe("after the asset NFT is transferred", () => {
    async function transferredFixture() {
      const listed = await listedFixture();
      const { registry, datatoken, marketplace, publisher, newOwner } = listed;
      await mined(registry.write.transferFrom([publisher.account.address, newOwner.account.address, 1n], { account: publisher.account }));
      // The new owner stocks and approves its own inventory.
      await mined(datatoken.write.mint([newOwner.account.address, 5n * ONE], { account: newOwner.account }));
      await mined(datatoken.write.approve([marketplace.address, maxUint256], { account: newOwner.account }));
      return listed;
    }

    it("the old owner can no longer mint, list, change the price, close the listing or run a dispenser", async () => {
      const { datatoken, marketplace, usdc, publisher, newOwner } = await loadFixture(transferredFixture);
      const account = publisher.account;
      const denied = [1n, publisher.account.address, newOwner.account.address] as const;
      await expectRevert(datatoken.write.mint([publisher.account.address, ONE], { account }), "NotAssetOwner", denied);
      await expectRevert(marketplace.write.setListing([1n, usdc.address, 1n], { account }), "NotAssetOwner", denied);
      await expectRevert(marketplace.write.closeListing([1n], { account }), "NotAssetOwner", denied);
      await expectRevert(marketplace.write.setDispenser([1n, 1n], { account }), "NotAssetOwner", denied);
      // The new owner has every one of those rights.
      await mined(marketplace.write.setListing([1n, usdc.address, 2n * PRICE], { account: newOwner.account }));
      await mined(datatoken.write.mint([newOwner.account.address, ONE], { account: newOwner.account }));
    });

    it("proceeds go to the new owner, and the sale draws on the new owner's inventory, not the old one's", async () => {
      const { datatoken, marketplace, usdc, publisher, newOwner, buyer } = await loadFixture(transferredFixture);
      await mined(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      // The old owner's listing lapsed with the transfer: the new owner sets its own terms.
      await mined(marketplace.write.setListing([1n, usdc.address, PRICE], { account: newOwner.account }));
      const oldOwnerTokens = await datatoken.read.balanceOf([publisher.account.address]);
      const receipt = await mined(marketplace.write.buy([1n, 2n, usdc.address, maxUint256, zeroAddress, 0], { account: buyer.account }));
      expect(eventsOf(receipt, marketplace)[0]!.args).to.include({ seller: getAddress(newOwner.account.address) });
      expect(await usdc.read.balanceOf([newOwner.account.address])).to.equal(1_000_000n * 10n ** 6n + 2n * PRICE);
      expect(await usdc.read.balanceOf([publisher.account.address])).to.equal(0n);
      expect(await datatoken.read.balanceOf([newOwner.account.address])).to.equal(3n * ONE);
      // The old owner's approval of the marketplace is still there, but its tokens are never sold.
      expect(await datatoken.read.allowance([publisher.account.address, marketplace.address])).to.equal(maxUint256);
      expect(await datatoken.read.balanceOf([publisher.account.address])).to.equal(oldOwnerTokens);
    });
  });

  describe("listing rights", () => {
    it("nobody but the asset owner can open a listing for its datatoken, in a real or a worthless token of their own", async () => {
      const { marketplace, usdc, publisher, stranger } = await loadFixture(listedFixture);
      const worthless = await hre.viem.deployContract("TestPaymentToken", ["Worthless", "JUNK", 18], {
        client: { wallet: stranger },
      });
      for (const token of [worthless.address, usdc.address]) {
        await expectRevert(marketplace.write.setListing([1n, token, 1n], { account: stranger.account }), "NotAssetOwner", [
          1n,
          stranger.account.address,
          publisher.account.address,
        ]);
      }
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({
        paymentToken: getAddress(usdc.address),
        price: PRICE,
        ownerEpoch: 0n,
      });
    });

    it("a listing opened through the registry only ever lists the caller's own new asset", async () => {
      const { registry, marketplace, datatoken, usdc, publisher, stranger } = await loadFixture(listedFixture);
      const worthless = await hre.viem.deployContract("TestPaymentToken", ["Worthless", "JUNK", 18]);
      await mined(
        registry.write.publishWithDatatokenAndListing(
          [
            AssetKind.Dataset,
            cid("attacker"),
            [],
            { accessPeriod: 0n, initialSupply: ONE },
            { marketplace: marketplace.address, paymentToken: worthless.address, price: 1n },
          ],
          { account: stranger.account },
        ),
      );
      // The attacker's listing is for asset 2 and its own datatoken; the victim's listing and inventory are untouched.
      expect((await registry.read.assetOf([2n])).owner).to.equal(getAddress(stranger.account.address));
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({
        paymentToken: getAddress(usdc.address),
        price: PRICE,
        ownerEpoch: 0n,
      });
      expect(await datatoken.read.allowance([publisher.account.address, stranger.account.address])).to.equal(0n);
      // Only the registry may open a listing without being the owner.
      await expectRevert(marketplace.write.setListing([1n, worthless.address, 1n], { account: stranger.account }), "NotAssetOwner", [
        1n,
        stranger.account.address,
        publisher.account.address,
      ]);
    });
  });

  describe("6-decimal payment token", () => {
    it("moves exactly the expected units at odd prices and the smallest price (no 18-decimal assumption)", async () => {
      const { marketplace, usdc, publisher, buyer, treasury, market } = await loadFixture(listedFixture);
      await mined(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      // 1.234567 mUSD per token, 7 tokens, 1% protocol fee, 2.5% market fee, the fees rounded up in 6-decimal units:
      // 86_419.69 -> 86_420 and 216_049.225 -> 216_050.
      await mined(marketplace.write.setListing([1n, usdc.address, 1_234_567n], { account: publisher.account }));
      const before = await usdc.read.balanceOf([buyer.account.address]);
      await expectRevert(
        marketplace.write.buy([1n, 7n, usdc.address, 8_944_438n, market.account.address, 250], { account: buyer.account }),
        "PaymentTooHigh",
        [8_944_439n, 8_944_438n],
      );
      await mined(marketplace.write.buy([1n, 7n, usdc.address, 8_944_439n, market.account.address, 250], { account: buyer.account }));
      expect(before - (await usdc.read.balanceOf([buyer.account.address]))).to.equal(8_641_969n + 86_420n + 216_050n);
      expect(await usdc.read.balanceOf([publisher.account.address])).to.equal(8_641_969n);
      expect(await usdc.read.balanceOf([treasury.account.address])).to.equal(86_420n);
      expect(await usdc.read.balanceOf([market.account.address])).to.equal(216_050n);
      // One unit (0.000001 mUSD) per token: the seller gets exactly one unit per token, each fee rounds up to one unit.
      await mined(marketplace.write.setListing([1n, usdc.address, 1n], { account: publisher.account }));
      await mined(marketplace.write.buy([1n, 2n, usdc.address, 4n, market.account.address, 500], { account: buyer.account }));
      expect(await usdc.read.balanceOf([publisher.account.address])).to.equal(8_641_971n);
      expect(await usdc.read.balanceOf([treasury.account.address])).to.equal(86_421n);
      expect(await usdc.read.balanceOf([market.account.address])).to.equal(216_051n);
    });

    it("prices the same asset in an 18-decimal token with the same arithmetic", async () => {
      const { marketplace, dai, publisher, buyer, treasury } = await loadFixture(listedFixture);
      await mined(dai.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      await mined(marketplace.write.setListing([1n, dai.address, 1_234_567n * 10n ** 12n], { account: publisher.account }));
      await mined(marketplace.write.buy([1n, 7n, dai.address, maxUint256, zeroAddress, 0], { account: buyer.account }));
      expect(await dai.read.balanceOf([publisher.account.address])).to.equal(8_641_969n * 10n ** 12n);
      expect(await dai.read.balanceOf([treasury.account.address])).to.equal(86_419_690n * 10n ** 9n);
    });
  });

  describe("a hostile payment token that re-enters on transfer", () => {
    async function hostileFixture() {
      const listed = await listedFixture();
      const { marketplace, publisher, buyer, consumer } = listed;
      const hostile = await hre.viem.deployContract("ReentrantPaymentToken");
      await mined(marketplace.write.setListing([1n, hostile.address, 1_000n], { account: publisher.account }));
      await mined(hostile.write.mint([buyer.account.address, 1_000_000n]));
      await mined(hostile.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      // The token itself holds funds and an allowance, so a re-entry that got through could really pay and order.
      await mined(hostile.write.mint([hostile.address, 1_000_000n]));
      await mined(hostile.write.approveFromSelf([hostile.address, marketplace.address, maxUint256]));
      const reentry = encodeFunctionData({
        abi: marketplace.abi,
        functionName: "buyAndOrder",
        args: [1n, consumer.account.address, hostile.address, maxUint256, zeroAddress, 0, NO_PERMIT],
      });
      await mined(hostile.write.arm([marketplace.address, reentry]));
      return { ...listed, hostile };
    }

    it("cannot re-enter buyAndOrder: one payment, one order, and the re-entry refused by the guard", async () => {
      const { marketplace, datatoken, hostile, publisher, buyer, consumer, treasury } = await loadFixture(hostileFixture);
      const supply = await datatoken.read.totalSupply();
      const receipt = await mined(
        marketplace.write.buyAndOrder([1n, consumer.account.address, hostile.address, maxUint256, zeroAddress, 0, NO_PERMIT], {
          account: buyer.account,
        }),
      );
      const orders = eventsOf(receipt, datatoken).filter((event) => event.eventName === "OrderStarted");
      expect(orders).to.have.length(1);
      expect(await datatoken.read.totalSupply()).to.equal(supply - ONE);
      // Price 1000 units + 1% fee (exactly 10, nothing to round) = 1010 paid once by the buyer; the token contract paid
      // nothing.
      expect(await hostile.read.balanceOf([buyer.account.address])).to.equal(1_000_000n - 1_010n);
      expect(await hostile.read.balanceOf([publisher.account.address])).to.equal(1_000n);
      expect(await hostile.read.balanceOf([treasury.account.address])).to.equal(10n);
      expect(await hostile.read.balanceOf([hostile.address])).to.equal(1_000_000n);
      // Both transfers tried to re-enter; both were refused with ReentrancyGuardReentrantCall().
      const attempts = eventsOf(receipt, hostile).filter((event) => event.eventName === "ReentryAttempted");
      expect(attempts).to.have.length(2);
      for (const attempt of attempts) {
        expect(attempt.args).to.include({ success: false, returnData: errorSelector("ReentrancyGuardReentrantCall()") });
      }
    });

    it("cannot re-enter buy or dispense either, while the same call made directly succeeds", async () => {
      const { marketplace, datatoken, hostile, publisher, buyer } = await loadFixture(hostileFixture);
      await mined(marketplace.write.setDispenser([1n, 5n], { account: publisher.account }));
      for (const reentry of [
        encodeFunctionData({
          abi: marketplace.abi,
          functionName: "buy",
          args: [1n, 1n, hostile.address, maxUint256, zeroAddress, 0],
        }),
        encodeFunctionData({ abi: marketplace.abi, functionName: "dispense", args: [1n, 1n] }),
      ]) {
        await mined(hostile.write.arm([marketplace.address, reentry]));
        const receipt = await mined(
          marketplace.write.buy([1n, 1n, hostile.address, maxUint256, zeroAddress, 0], { account: buyer.account }),
        );
        for (const attempt of eventsOf(receipt, hostile).filter((event) => event.eventName === "ReentryAttempted")) {
          expect(attempt.args).to.include({ success: false, returnData: errorSelector("ReentrancyGuardReentrantCall()") });
        }
      }
      expect(await datatoken.read.balanceOf([hostile.address])).to.equal(0n);
      // Control: outside a transfer the very same call goes through, so the refusals above are the guard's doing.
      const receipt = await mined(hostile.write.fire());
      expect(eventsOf(receipt, hostile).find((event) => event.eventName === "ReentryAttempted")!.args).to.include({
        success: true,
      });
      expect(await datatoken.read.balanceOf([hostile.address])).to.equal(ONE);
    });
  });

  describe("permits", () => {
    async function permitFixture() {
      const listed = await listedFixture();
      const [, , , total] = await listed.marketplace.read.quote([1n, 1n, 0]);
      return { ...listed, total, deadline: BigInt(await time.latest()) + 3600n };
    }

    type Permit = { value: bigint; deadline: bigint; v: number; r: Hex; s: Hex };

    function buyAndOrderWith(fixture: Awaited<ReturnType<typeof permitFixture>>, permit: Permit) {
      const { marketplace, usdc, consumer, buyer, total } = fixture;
      return marketplace.write.buyAndOrder([1n, consumer.account.address, usdc.address, total, zeroAddress, 0, permit], {
        account: buyer.account,
      });
    }

    it("rejects an expired permit", async () => {
      const fixture = await loadFixture(permitFixture);
      const { usdc, buyer, marketplace, total } = fixture;
      const deadline = BigInt(await time.latest()) - 1n;
      const permit = await signPermit(usdc, buyer, marketplace.address, total, deadline);
      await expectRevert(buyAndOrderWith(fixture, permit), "ERC2612ExpiredSignature", [deadline]);
    });

    it("rejects a replayed permit once its allowance is spent", async () => {
      const fixture = await loadFixture(permitFixture);
      const { usdc, buyer, marketplace, total, deadline } = fixture;
      const permit = await signPermit(usdc, buyer, marketplace.address, total, deadline);
      await mined(buyAndOrderWith(fixture, permit));
      await expectRevert(buyAndOrderWith(fixture, permit), "ERC2612InvalidSigner");
    });

    it("rejects a permit signed by someone else, for another spender, or for another chain", async () => {
      const fixture = await loadFixture(permitFixture);
      const { usdc, buyer, stranger, marketplace, total, deadline } = fixture;
      const forged = await signPermit(usdc, stranger, marketplace.address, total, deadline, {
        claimedOwner: buyer.account.address,
      });
      await expectRevert(buyAndOrderWith(fixture, forged), "ERC2612InvalidSigner", [stranger.account.address, buyer.account.address]);
      const otherSpender = await signPermit(usdc, buyer, stranger.account.address, total, deadline);
      await expectRevert(buyAndOrderWith(fixture, otherSpender), "ERC2612InvalidSigner");
      const otherChain = await signPermit(usdc, buyer, marketplace.address, total, deadline, { chainId: 1 });
      await expectRevert(buyAndOrderWith(fixture, otherChain), "ERC2612InvalidSigner");
      // Nothing moved.
      expect(await usdc.read.allowance([buyer.account.address, marketplace.address])).to.equal(0n);
    });

    it("rejects a valid permit for less than the total", async () => {
      const fixture = await loadFixture(permitFixture);
      const { usdc, buyer, marketplace, total, deadline } = fixture;
      const permit = await signPermit(usdc, buyer, marketplace.address, total - 1n, deadline);
      // The seller's share fits in the allowance; the protocol fee (1% of 5 mUSD) no longer does.
      await expectRevert(buyAndOrderWith(fixture, permit), "ERC20InsufficientAllowance", [
        marketplace.address,
        total - 1n - PRICE,
        total - PRICE,
      ]);
    });
  });

  describe("issue 12, scenario 6: a previous owner's listing or dispenser after the NFT changes hands", () => {
    /**
     * The trap: before selling the asset NFT, its owner lists the datatoken at one unit (0.000001 mUSD) and opens a
     * dispenser of 1,000 per wallet. The buyer of the NFT (`newOwner`) mints 50 tokens of inventory and approves the
     * Marketplace, the order selling requires (approve, then set terms). Before the new owner sets its terms, the old
     * owner and an accomplice (`stranger`) race to drain that inventory through the old listing and dispenser.
     */
    async function trapFixture() {
      const listed = await listedFixture();
      const { registry, datatoken, marketplace, usdc, publisher, newOwner, stranger } = listed;
      await mined(marketplace.write.setListing([1n, usdc.address, 1n], { account: publisher.account }));
      await mined(marketplace.write.setDispenser([1n, 1_000n], { account: publisher.account }));
      await mined(usdc.write.mint([publisher.account.address, 1_000n * 10n ** 6n]));
      for (const attacker of [publisher, stranger]) {
        await mined(usdc.write.approve([marketplace.address, maxUint256], { account: attacker.account }));
      }
      // The old terms were live until the transfer.
      expect(await marketplace.read.quote([1n, 50n, 0])).to.deep.equal([50n, 1n, 0n, 51n]);
      expect(await marketplace.read.dispenserOf([1n])).to.equal(1_000n);
      await mined(registry.write.transferFrom([publisher.account.address, newOwner.account.address, 1n], { account: publisher.account }));
      await mined(datatoken.write.mint([newOwner.account.address, 50n * ONE], { account: newOwner.account }));
      await mined(datatoken.write.approve([marketplace.address, maxUint256], { account: newOwner.account }));
      return listed;
    }

    it("does not pay: the old listing and dispenser sell nothing, the new owner's inventory and every balance are untouched", async () => {
      const { datatoken, marketplace, usdc, publisher, newOwner, stranger, consumer, treasury } = await loadFixture(trapFixture);
      const watched = [publisher, newOwner, stranger, treasury].map((wallet) => wallet.account.address);
      const usdcBefore = await Promise.all(watched.map((address) => usdc.read.balanceOf([address])));
      const tokensBefore = await Promise.all(watched.map((address) => datatoken.read.balanceOf([address])));
      const supply = await datatoken.read.totalSupply();
      expect(tokensBefore[1]).to.equal(50n * ONE);
      for (const attacker of [publisher, stranger]) {
        const account = attacker.account;
        await expectRevert(marketplace.write.buy([1n, 50n, usdc.address, maxUint256, zeroAddress, 0], { account }), "NotListed", [1n]);
        await expectRevert(marketplace.write.buy([1n, 1n, usdc.address, maxUint256, zeroAddress, 0], { account }), "NotListed", [1n]);
        await expectRevert(
          marketplace.write.buyAndOrder([1n, consumer.account.address, usdc.address, maxUint256, zeroAddress, 0, NO_PERMIT], { account }),
          "NotListed",
          [1n],
        );
        await expectRevert(marketplace.write.dispense([1n, 50n], { account }), "NoDispenser", [1n]);
        await expectRevert(marketplace.write.dispense([1n, 1n], { account }), "NoDispenser", [1n]);
      }
      // The old owner cannot refresh its terms either.
      await expectRevert(marketplace.write.setListing([1n, usdc.address, 1n], { account: publisher.account }), "NotAssetOwner", [
        1n,
        publisher.account.address,
        newOwner.account.address,
      ]);
      await expectRevert(marketplace.write.setDispenser([1n, 1_000n], { account: publisher.account }), "NotAssetOwner", [
        1n,
        publisher.account.address,
        newOwner.account.address,
      ]);
      expect(await Promise.all(watched.map((address) => usdc.read.balanceOf([address])))).to.deep.equal(usdcBefore);
      expect(await Promise.all(watched.map((address) => datatoken.read.balanceOf([address])))).to.deep.equal(tokensBefore);
      expect(await datatoken.read.totalSupply()).to.equal(supply);
      expect(await datatoken.read.balanceOf([newOwner.account.address])).to.equal(50n * ONE);
      expect(await datatoken.read.balanceOf([stranger.account.address])).to.equal(0n);
      expect(await marketplace.read.listingOf([1n])).to.deep.equal({ paymentToken: zeroAddress, price: 0n, ownerEpoch: 0n });
      expect(await marketplace.read.dispenserOf([1n])).to.equal(0n);
      expect(await marketplace.read.dispensedTo([1n, stranger.account.address])).to.equal(0n);
    });

    it("the inventory sells only on the new owner's terms, once it sets them", async () => {
      const { datatoken, marketplace, usdc, newOwner, stranger } = await loadFixture(trapFixture);
      await mined(marketplace.write.setListing([1n, usdc.address, PRICE], { account: newOwner.account }));
      // The accomplice's one-unit bound no longer buys anything.
      await expectRevert(
        marketplace.write.buy([1n, 1n, usdc.address, 2n, zeroAddress, 0], { account: stranger.account }),
        "PaymentTooHigh",
        [PRICE + PRICE / 100n, 2n],
      );
      const before = await usdc.read.balanceOf([newOwner.account.address]);
      await mined(marketplace.write.buy([1n, 2n, usdc.address, maxUint256, zeroAddress, 0], { account: stranger.account }));
      expect((await usdc.read.balanceOf([newOwner.account.address])) - before).to.equal(2n * PRICE);
      expect(await datatoken.read.balanceOf([newOwner.account.address])).to.equal(48n * ONE);
      expect(await datatoken.read.balanceOf([stranger.account.address])).to.equal(2n * ONE);
    });
  });

  describe("issue 12, scenario 7: the market's minor findings", () => {
    it("fees round up: 100 single purchases of a 99-unit base at 1% pay 100 units of each fee, not 0", async () => {
      const { datatoken, marketplace, usdc, publisher, buyer, treasury, market } = await loadFixture(listedFixture);
      await mined(datatoken.write.mint([publisher.account.address, 100n * ONE], { account: publisher.account }));
      await mined(marketplace.write.setListing([1n, usdc.address, 99n], { account: publisher.account }));
      await mined(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      expect(await marketplace.read.quote([1n, 1n, 100])).to.deep.equal([99n, 1n, 1n, 101n]);
      const before = await usdc.read.balanceOf([buyer.account.address]);
      for (let purchase = 0; purchase < 100; purchase++) {
        await mined(marketplace.write.buy([1n, 1n, usdc.address, 101n, market.account.address, 100], { account: buyer.account }));
      }
      expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(100n * ONE);
      expect(await usdc.read.balanceOf([publisher.account.address])).to.equal(9_900n);
      expect(await usdc.read.balanceOf([treasury.account.address])).to.equal(100n);
      expect(await usdc.read.balanceOf([market.account.address])).to.equal(100n);
      expect(before - (await usdc.read.balanceOf([buyer.account.address]))).to.equal(10_100n);
      // Splitting never pays less than buying at once: 100 tokens in one purchase pay 99 units of each fee.
      expect(await marketplace.read.quote([1n, 100n, 100])).to.deep.equal([9_900n, 99n, 99n, 10_098n]);
    });

    it("dispense after maxPerWallet is lowered below a wallet's count reverts DispenserLimitExceeded(.., 0), not Panic(0x11)", async () => {
      const { datatoken, marketplace, publisher, buyer } = await loadFixture(listedFixture);
      await mined(marketplace.write.setDispenser([1n, 3n], { account: publisher.account }));
      await mined(marketplace.write.dispense([1n, 3n], { account: buyer.account }));
      await mined(marketplace.write.setDispenser([1n, 1n], { account: publisher.account }));
      const inventory = await datatoken.read.balanceOf([publisher.account.address]);
      for (const count of [1n, 2n]) {
        await expectRevert(marketplace.write.dispense([1n, count], { account: buyer.account }), "DispenserLimitExceeded", [
          1n,
          buyer.account.address,
          count,
          0n,
        ]);
      }
      expect(await marketplace.read.dispensedTo([1n, buyer.account.address])).to.equal(3n);
      expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(3n * ONE);
      expect(await datatoken.read.balanceOf([publisher.account.address])).to.equal(inventory);
    });

    it("orderFrom can no longer name an arbitrary payer: the caller is recorded, and the Marketplace's buyer is in Purchased", async () => {
      const { datatoken, marketplace, usdc, publisher, buyer, consumer, stranger } = await loadFixture(listedFixture);
      // A spender with an allowance orders from the publisher's tokens: it used to be able to name the buyer (or anyone)
      // as the payer of record; the three-argument call no longer exists and the event names the spender.
      await mined(datatoken.write.approve([stranger.account.address, ONE], { account: publisher.account }));
      const forged = encodeFunctionData({
        abi: parseAbi(["function orderFrom(address from, address consumer, address payer)"]),
        args: [publisher.account.address, consumer.account.address, buyer.account.address],
      });
      let reverted = false;
      try {
        await mined(stranger.sendTransaction({ to: datatoken.address, data: forged, gas: 200_000n }));
      } catch {
        reverted = true;
      }
      expect(reverted, "orderFrom with a chosen payer").to.equal(true);
      let receipt = await mined(
        datatoken.write.orderFrom([publisher.account.address, consumer.account.address], { account: stranger.account }),
      );
      expect(eventsOf(receipt, datatoken).at(-1)!.args).to.include({
        payer: getAddress(stranger.account.address),
        from: getAddress(publisher.account.address),
      });
      // Through the Marketplace: the datatoken's payer is the Marketplace itself; Purchased names the real buyer.
      await mined(usdc.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      receipt = await mined(
        marketplace.write.buyAndOrder([1n, consumer.account.address, usdc.address, maxUint256, zeroAddress, 0, NO_PERMIT], {
          account: buyer.account,
        }),
      );
      const order = eventsOf(receipt, datatoken).find((event) => event.eventName === "OrderStarted")!;
      expect(order.args).to.include({ payer: getAddress(marketplace.address), from: getAddress(publisher.account.address) });
      expect(eventsOf(receipt, marketplace)[0]!.args).to.include({
        buyer: getAddress(buyer.account.address),
        consumer: getAddress(consumer.account.address),
      });
    });

    it("a fee-on-transfer payment token is refused with TransferAmountMismatch, and nothing moves", async () => {
      const { datatoken, marketplace, publisher, buyer, consumer, treasury } = await loadFixture(listedFixture);
      const feeToken = await hre.viem.deployContract("FeeOnTransferToken");
      await mined(feeToken.write.mint([buyer.account.address, 100n * ONE]));
      await mined(feeToken.write.approve([marketplace.address, maxUint256], { account: buyer.account }));
      await mined(marketplace.write.setListing([1n, feeToken.address, 2n * ONE], { account: publisher.account }));
      const supply = await datatoken.read.totalSupply();
      // 2 tokens asked, 1.98 would arrive (the token burns 1% of every transfer).
      await expectRevert(
        marketplace.write.buy([1n, 1n, feeToken.address, maxUint256, zeroAddress, 0], { account: buyer.account }),
        "TransferAmountMismatch",
        [feeToken.address, 2n * ONE, (198n * ONE) / 100n],
      );
      await expectRevert(
        marketplace.write.buyAndOrder([1n, consumer.account.address, feeToken.address, maxUint256, zeroAddress, 0, NO_PERMIT], {
          account: buyer.account,
        }),
        "TransferAmountMismatch",
        [feeToken.address, 2n * ONE, (198n * ONE) / 100n],
      );
      expect(await feeToken.read.balanceOf([buyer.account.address])).to.equal(100n * ONE);
      expect(await feeToken.read.balanceOf([publisher.account.address])).to.equal(0n);
      expect(await feeToken.read.balanceOf([treasury.account.address])).to.equal(0n);
      expect(await feeToken.read.totalSupply()).to.equal(100n * ONE);
      expect(await datatoken.read.totalSupply()).to.equal(supply);
      expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(0n);
    });
  });
});
