import hre from "hardhat";
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeFunctionData, getAddress, parseAbi, zeroAddress } from "viem";
import {
  ACCESS_PERIOD,
  AssetKind,
  AssetState,
  INITIAL_SUPPLY,
  MAX_UINT64,
  ONE,
  cid,
  eventsOf,
  listedFixture,
  mined,
  signPermit,
} from "../fixtures/protocol";
import { expectRevert } from "../fixtures/errors";

describe("Datatoken", () => {
  describe("metadata", () => {
    it("is an 18-decimal ERC-20 named like its EIP-712 domain, with a per-asset symbol and its clone arguments", async () => {
      const { datatoken, registry } = await loadFixture(listedFixture);
      expect(await datatoken.read.name()).to.equal("Mycelium Datatoken");
      expect(await datatoken.read.symbol()).to.equal("DT-1");
      expect(await datatoken.read.decimals()).to.equal(18);
      expect(await datatoken.read.ORDER_AMOUNT()).to.equal(ONE);
      expect(await datatoken.read.totalSupply()).to.equal(INITIAL_SUPPLY);
      expect(await datatoken.read.assetId()).to.equal(1n);
      expect(await datatoken.read.accessPeriod()).to.equal(ACCESS_PERIOD);
      expect(await datatoken.read.registry()).to.equal(getAddress(registry.address));
      const [, name, version, chainId, verifyingContract] = await datatoken.read.eip712Domain();
      expect([name, version, chainId, verifyingContract]).to.deep.equal(["Mycelium Datatoken", "1", 31337n, getAddress(datatoken.address)]);
      expect(await datatoken.read.DOMAIN_SEPARATOR()).to.match(/^0x[0-9a-f]{64}$/);
    });
  });

  describe("initialize", () => {
    it("reverts NotRegistry for anyone but the registry, on clones and on the implementation", async () => {
      const { datatoken, registry, stranger } = await loadFixture(listedFixture);
      const implementation = await hre.viem.getContractAt("Datatoken", await registry.read.datatokenImplementation());
      for (const target of [datatoken, implementation]) {
        await expectRevert(
          target.write.initialize([stranger.account.address, ONE, stranger.account.address], { account: stranger.account }),
          "NotRegistry",
          [stranger.account.address],
        );
      }
    });
  });

  describe("mint", () => {
    it("lets the current asset owner mint to anyone", async () => {
      const { datatoken, publisher, buyer } = await loadFixture(listedFixture);
      const receipt = await mined(datatoken.write.mint([buyer.account.address, 3n * ONE], { account: publisher.account }));
      expect(eventsOf(receipt, datatoken)[0]!.args).to.deep.equal({
        from: zeroAddress,
        to: getAddress(buyer.account.address),
        value: 3n * ONE,
      });
      expect(await datatoken.read.balanceOf([buyer.account.address])).to.equal(3n * ONE);
    });

    it("reverts NotAssetOwner for anyone else, ERC-721 operators included", async () => {
      const { datatoken, registry, publisher, stranger } = await loadFixture(listedFixture);
      await mined(registry.write.setApprovalForAll([stranger.account.address, true], { account: publisher.account }));
      await expectRevert(datatoken.write.mint([stranger.account.address, ONE], { account: stranger.account }), "NotAssetOwner", [
        1n,
        stranger.account.address,
        publisher.account.address,
      ]);
    });
  });

  describe("order", () => {
    it("burns one whole token and emits an access receipt valid for the access period", async () => {
      const { datatoken, publisher, consumer } = await loadFixture(listedFixture);
      const receipt = await mined(datatoken.write.order([consumer.account.address], { account: publisher.account }));
      const block = await (await hre.viem.getPublicClient()).getBlock({ blockNumber: receipt.blockNumber });
      const events = eventsOf(receipt, datatoken);
      expect(events.map((event) => event.eventName)).to.deep.equal(["Transfer", "OrderStarted"]);
      expect(events[0]!.args).to.deep.equal({ from: getAddress(publisher.account.address), to: zeroAddress, value: ONE });
      expect(events[1]!.args).to.deep.equal({
        assetId: 1n,
        consumer: getAddress(consumer.account.address),
        payer: getAddress(publisher.account.address),
        from: getAddress(publisher.account.address),
        validUntil: block.timestamp + ACCESS_PERIOD,
      });
      expect(await datatoken.read.totalSupply()).to.equal(INITIAL_SUPPLY - ONE);
    });

    it("grants unlimited access (validUntil = 2^64 - 1) when the period is 0, and saturates huge periods", async () => {
      const { registry, publisher, consumer } = await loadFixture(listedFixture);
      for (const accessPeriod of [0n, MAX_UINT64]) {
        const { result } = await registry.simulate.publishWithDatatoken(
          [AssetKind.Dataset, cid(`p${accessPeriod}`), [], { accessPeriod, initialSupply: ONE }],
          { account: publisher.account.address },
        );
        await mined(
          registry.write.publishWithDatatoken([AssetKind.Dataset, cid(`p${accessPeriod}`), [], { accessPeriod, initialSupply: ONE }], {
            account: publisher.account,
          }),
        );
        const datatoken = await hre.viem.getContractAt("Datatoken", result[1]);
        const receipt = await mined(datatoken.write.order([consumer.account.address], { account: publisher.account }));
        expect(eventsOf(receipt, datatoken)[1]!.args).to.include({ validUntil: MAX_UINT64 });
      }
    });

    it("reverts InvalidConsumer, ERC20InsufficientBalance and, on a non-active asset, AssetNotActive", async () => {
      const { datatoken, registry, publisher, consumer, stranger } = await loadFixture(listedFixture);
      await expectRevert(datatoken.write.order([zeroAddress], { account: publisher.account }), "InvalidConsumer", []);
      await expectRevert(datatoken.write.order([consumer.account.address], { account: stranger.account }), "ERC20InsufficientBalance", [
        stranger.account.address,
        0n,
        ONE,
      ]);
      for (const state of [AssetState.Deprecated, AssetState.Revoked]) {
        await mined(registry.write.setState([1n, state], { account: publisher.account }));
        await expectRevert(datatoken.write.order([consumer.account.address], { account: publisher.account }), "AssetNotActive", [
          1n,
          state,
        ]);
      }
    });
  });

  describe("orderFrom", () => {
    it("takes (from, consumer) only: the old three-argument form with a payer is gone from the ABI and the bytecode", async () => {
      const { datatoken, publisher, consumer, stranger } = await loadFixture(listedFixture);
      const orderFrom = datatoken.abi.filter((item) => item.type === "function" && item.name === "orderFrom");
      expect(orderFrom.map((item) => (item as { inputs: readonly { name: string; type: string }[] }).inputs)).to.deep.equal([
        [
          { name: "from", type: "address", internalType: "address" },
          { name: "consumer", type: "address", internalType: "address" },
        ],
      ]);
      // Calling the former selector with a payer of the caller's choice reverts (no function, no fallback) and moves nothing.
      await mined(datatoken.write.approve([stranger.account.address, ONE], { account: publisher.account }));
      const oldCall = encodeFunctionData({
        abi: parseAbi(["function orderFrom(address from, address consumer, address payer)"]),
        args: [publisher.account.address, consumer.account.address, consumer.account.address],
      });
      let reverted = false;
      try {
        await mined(stranger.sendTransaction({ to: datatoken.address, data: oldCall, gas: 200_000n }));
      } catch {
        reverted = true;
      }
      expect(reverted, "the three-argument orderFrom").to.equal(true);
      expect(await datatoken.read.totalSupply()).to.equal(INITIAL_SUPPLY);
      expect(await datatoken.read.allowance([publisher.account.address, stranger.account.address])).to.equal(ONE);
    });

    it("spends a token of `from` with the caller's allowance and records the caller as the payer", async () => {
      const { datatoken, publisher, consumer, stranger, publicClient } = await loadFixture(listedFixture);
      await mined(datatoken.write.approve([stranger.account.address, ONE], { account: publisher.account }));
      const receipt = await mined(
        datatoken.write.orderFrom([publisher.account.address, consumer.account.address], { account: stranger.account }),
      );
      const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
      const events = eventsOf(receipt, datatoken);
      expect(events.map((event) => event.eventName)).to.deep.equal(["Transfer", "OrderStarted"]);
      expect(events[0]!.args).to.deep.equal({ from: getAddress(publisher.account.address), to: zeroAddress, value: ONE });
      expect(events[1]!.args).to.deep.equal({
        assetId: 1n,
        consumer: getAddress(consumer.account.address),
        payer: getAddress(stranger.account.address),
        from: getAddress(publisher.account.address),
        validUntil: block.timestamp + ACCESS_PERIOD,
      });
      expect(await datatoken.read.balanceOf([publisher.account.address])).to.equal(INITIAL_SUPPLY - ONE);
      expect(await datatoken.read.balanceOf([stranger.account.address])).to.equal(0n);
      expect(await datatoken.read.totalSupply()).to.equal(INITIAL_SUPPLY - ONE);
      expect(await datatoken.read.allowance([publisher.account.address, stranger.account.address])).to.equal(0n);
      await expectRevert(
        datatoken.write.orderFrom([publisher.account.address, consumer.account.address], { account: stranger.account }),
        "ERC20InsufficientAllowance",
        [stranger.account.address, 0n, ONE],
      );
    });

    it("records the caller as the payer when the caller is `from` too (it still needs an allowance from itself)", async () => {
      const { datatoken, publisher, consumer } = await loadFixture(listedFixture);
      await expectRevert(
        datatoken.write.orderFrom([publisher.account.address, consumer.account.address], { account: publisher.account }),
        "ERC20InsufficientAllowance",
        [publisher.account.address, 0n, ONE],
      );
      await mined(datatoken.write.approve([publisher.account.address, ONE], { account: publisher.account }));
      const receipt = await mined(
        datatoken.write.orderFrom([publisher.account.address, consumer.account.address], { account: publisher.account }),
      );
      expect(eventsOf(receipt, datatoken).at(-1)!.args).to.include({
        payer: getAddress(publisher.account.address),
        from: getAddress(publisher.account.address),
      });
    });

    it("reverts InvalidConsumer and AssetNotActive like order, spending no allowance", async () => {
      const { datatoken, registry, publisher, consumer, stranger } = await loadFixture(listedFixture);
      await mined(datatoken.write.approve([stranger.account.address, ONE], { account: publisher.account }));
      await expectRevert(
        datatoken.write.orderFrom([publisher.account.address, zeroAddress], { account: stranger.account }),
        "InvalidConsumer",
        [],
      );
      await mined(registry.write.setState([1n, AssetState.Deprecated], { account: publisher.account }));
      await expectRevert(
        datatoken.write.orderFrom([publisher.account.address, consumer.account.address], { account: stranger.account }),
        "AssetNotActive",
        [1n, AssetState.Deprecated],
      );
      expect(await datatoken.read.allowance([publisher.account.address, stranger.account.address])).to.equal(ONE);
      expect(await datatoken.read.totalSupply()).to.equal(INITIAL_SUPPLY);
    });
  });

  describe("ERC-20 and permit", () => {
    it("transfers, approves and accepts a valid permit", async () => {
      const { datatoken, publisher, buyer, stranger } = await loadFixture(listedFixture);
      await mined(datatoken.write.transfer([buyer.account.address, 2n * ONE], { account: publisher.account }));
      const deadline = BigInt(await time.latest()) + 3600n;
      const permit = await signPermit(datatoken, buyer, stranger.account.address, ONE, deadline);
      await mined(
        datatoken.write.permit([buyer.account.address, stranger.account.address, ONE, deadline, permit.v, permit.r, permit.s], {
          account: stranger.account,
        }),
      );
      expect(await datatoken.read.nonces([buyer.account.address])).to.equal(1n);
      await mined(datatoken.write.transferFrom([buyer.account.address, stranger.account.address, ONE], { account: stranger.account }));
      expect(await datatoken.read.balanceOf([stranger.account.address])).to.equal(ONE);
    });

    it("rejects expired, replayed and wrongly signed permits", async () => {
      const { datatoken, buyer, stranger } = await loadFixture(listedFixture);
      const now = BigInt(await time.latest());
      const spender = stranger.account.address;
      const expired = await signPermit(datatoken, buyer, spender, ONE, now - 1n);
      await expectRevert(
        datatoken.write.permit([buyer.account.address, spender, ONE, now - 1n, expired.v, expired.r, expired.s]),
        "ERC2612ExpiredSignature",
        [now - 1n],
      );
      const deadline = now + 3600n;
      const forged = await signPermit(datatoken, stranger, spender, ONE, deadline, { claimedOwner: buyer.account.address });
      const forgedCall = datatoken.write.permit([buyer.account.address, spender, ONE, deadline, forged.v, forged.r, forged.s]);
      await expectRevert(forgedCall, "ERC2612InvalidSigner", [stranger.account.address, buyer.account.address]);
      const valid = await signPermit(datatoken, buyer, spender, ONE, deadline);
      await mined(datatoken.write.permit([buyer.account.address, spender, ONE, deadline, valid.v, valid.r, valid.s]));
      await expectRevert(
        datatoken.write.permit([buyer.account.address, spender, ONE, deadline, valid.v, valid.r, valid.s]),
        "ERC2612InvalidSigner",
      );
    });
  });
});
