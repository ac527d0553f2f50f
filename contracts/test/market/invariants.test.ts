/**
 * Property tests: random sequences of publish, mint, list, buy, buyAndOrder, order, dispense, NFT transfers and state
 * changes, driven through the real contracts, against a small model. After every step:
 *  - every payment unit the buyer paid went to the asset's current owner, the treasury and the market recipient,
 *    exactly as the Purchased event says, and nothing stayed in the Marketplace;
 *  - each datatoken's supply equals what was minted minus one whole token per order;
 *  - a mint succeeds exactly when the asset's current NFT owner sends it (so only current owners ever minted).
 */
import hre from "hardhat";
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { getAddress, isAddressEqual, maxUint256, type Address, type Hex, type TransactionReceipt } from "viem";
import { propertyRun } from "../fixtures/property";
import { ONE, cid, eventsOf, protocolFixture, signPermit, type Protocol } from "../fixtures/protocol";

type Command =
  | { kind: "publish"; actor: number; mode: 0 | 1 | 2; supply: number; token: 0 | 1; price: bigint }
  | { kind: "mint"; actor: number; asset: number; amount: number }
  | { kind: "list"; actor: number; asset: number; token: 0 | 1; price: bigint }
  | { kind: "approveInventory"; asset: number }
  | { kind: "buy"; actor: number; asset: number; count: number; feeBps: number }
  | { kind: "buyAndOrder"; actor: number; asset: number; consumer: number; feeBps: number; permit: boolean }
  | { kind: "order"; actor: number; asset: number }
  | { kind: "dispenser"; asset: number; max: number }
  | { kind: "dispense"; actor: number; asset: number; count: number }
  | { kind: "transfer"; asset: number; to: number }
  | { kind: "state"; asset: number; active: boolean };

const actor = fc.nat({ max: 4 });
/** -1 stands for the asset's current owner, so owner-only moves are tried often enough to succeed. */
const actorOrOwner = fc.oneof(fc.constant(-1), actor);
const asset = fc.nat({ max: 20 });
const token = fc.constantFrom<0 | 1>(0, 1);
/** Price in units of 10^-6 of a payment token; scaled to the token's decimals when used. */
const price = fc.bigInt({ min: 1n, max: 10n ** 7n });
const scale = (token: 0 | 1, units: bigint) => (token === 0 ? units : units * 10n ** 12n);
const feeBps = fc.oneof(fc.constant(0), fc.nat({ max: 500 }));

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant("publish" as const),
    actor,
    mode: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
    supply: fc.nat({ max: 4 }),
    token,
    price,
  }),
  fc.record({ kind: fc.constant("mint" as const), actor: actorOrOwner, asset, amount: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("list" as const), actor: actorOrOwner, asset, token, price }),
  fc.record({ kind: fc.constant("approveInventory" as const), asset }),
  fc.record({ kind: fc.constant("buy" as const), actor, asset, count: fc.integer({ min: 1, max: 3 }), feeBps }),
  fc.record({ kind: fc.constant("buyAndOrder" as const), actor, asset, consumer: actor, feeBps, permit: fc.boolean() }),
  fc.record({ kind: fc.constant("order" as const), actor, asset }),
  fc.record({ kind: fc.constant("dispenser" as const), asset, max: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("dispense" as const), actor, asset, count: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant("transfer" as const), asset, to: actor }),
  fc.record({ kind: fc.constant("state" as const), asset, active: fc.boolean() }),
);

type AssetModel = { id: bigint; owner: Address; datatoken: Address | undefined; minted: bigint; orders: bigint };

/** Successful executions per command kind over the whole property run, to show the sequences are not vacuous. */
const successes = new Map<string, number>();

/** Sends a transaction; the receipt if it succeeded, undefined if it reverted (reverts are legal moves here). */
async function succeeded(action: () => Promise<Hex>): Promise<TransactionReceipt | undefined> {
  const publicClient = await hre.viem.getPublicClient();
  let hash: Hex;
  try {
    hash = await action();
  } catch {
    return undefined;
  }
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  return receipt.status === "success" ? receipt : undefined;
}

async function runSequence(protocol: Protocol, commands: Command[]): Promise<void> {
  const { registry, marketplace, usdc, dai, treasury, market, publisher, buyer, consumer, stranger, newOwner } = protocol;
  const actors = [publisher, buyer, consumer, stranger, newOwner];
  const paymentTokens = [usdc, dai] as const;
  const assets: AssetModel[] = [];
  const pick = (index: number) => (assets.length === 0 ? undefined : assets[index % assets.length]);
  const datatokenOf = (model: AssetModel) => hre.viem.getContractAt("Datatoken", model.datatoken!);
  const walletOf = (index: number, model: AssetModel) =>
    index === -1 ? actors.find((wallet) => isAddressEqual(wallet.account.address, model.owner))! : actors[index]!;

  for (const step of commands) {
    const model = "asset" in step ? pick(step.asset) : undefined;
    if ("asset" in step && model === undefined) continue;
    let receipt: TransactionReceipt | undefined;

    switch (step.kind) {
      case "publish": {
        const wallet = actors[step.actor]!;
        const params = { accessPeriod: 3600n, initialSupply: BigInt(step.supply) * ONE };
        const listing = {
          marketplace: marketplace.address,
          paymentToken: paymentTokens[step.token].address,
          price: scale(step.token, step.price),
        };
        const manifest = cid(`${assets.length}-${step.actor}`);
        receipt = await succeeded(() =>
          step.mode === 0
            ? registry.write.publish([wallet.account.address, 0, manifest, []], { account: wallet.account })
            : step.mode === 1
              ? registry.write.publishWithDatatoken([1, manifest, [], params], { account: wallet.account })
              : registry.write.publishWithDatatokenAndListing([0, manifest, [], params, listing], { account: wallet.account }),
        );
        expect(receipt, "publishing always succeeds").to.not.equal(undefined);
        const id = await registry.read.assetCount();
        const datatoken = step.mode === 0 ? undefined : await registry.read.datatokenOf([id]);
        assets.push({ id, owner: wallet.account.address, datatoken, minted: step.mode === 0 ? 0n : params.initialSupply, orders: 0n });
        break;
      }
      case "mint": {
        if (model!.datatoken === undefined) continue;
        const wallet = walletOf(step.actor, model!);
        const datatoken = await datatokenOf(model!);
        const amount = BigInt(step.amount) * ONE;
        receipt = await succeeded(() => datatoken.write.mint([wallet.account.address, amount], { account: wallet.account }));
        const isOwner = isAddressEqual(wallet.account.address, model!.owner);
        expect(receipt !== undefined, `mint by ${isOwner ? "the owner" : "a non-owner"}`).to.equal(isOwner);
        if (receipt) model!.minted += amount;
        break;
      }
      case "list": {
        const wallet = walletOf(step.actor, model!);
        receipt = await succeeded(() =>
          marketplace.write.setListing([model!.id, paymentTokens[step.token].address, scale(step.token, step.price)], {
            account: wallet.account,
          }),
        );
        if (receipt) expect(isAddressEqual(wallet.account.address, model!.owner), "only the owner lists").to.equal(true);
        break;
      }
      case "approveInventory": {
        if (model!.datatoken === undefined) continue;
        const datatoken = await datatokenOf(model!);
        receipt = await succeeded(() => datatoken.write.approve([marketplace.address, maxUint256], { account: model!.owner }));
        break;
      }
      case "buy":
      case "buyAndOrder": {
        const wallet = actors[step.actor]!;
        const listing = await marketplace.read.listingOf([model!.id]);
        if (listing.price === 0n) continue;
        const payment = paymentTokens.find((candidate) => isAddressEqual(candidate.address, listing.paymentToken))!;
        const count = step.kind === "buy" ? BigInt(step.count) : 1n;
        const [, , , total] = await marketplace.read.quote([model!.id, count, step.feeBps]);
        const watched = [wallet.account.address, model!.owner, treasury.account.address, market.account.address, marketplace.address];
        const before = await Promise.all(watched.map((address) => payment.read.balanceOf([address])));
        if (step.kind === "buy") {
          if ((await payment.read.allowance([wallet.account.address, marketplace.address])) < total) {
            await succeeded(() => payment.write.approve([marketplace.address, maxUint256], { account: wallet.account }));
          }
          receipt = await succeeded(() =>
            marketplace.write.buy([model!.id, count, payment.address, total, market.account.address, step.feeBps], {
              account: wallet.account,
            }),
          );
        } else {
          const permit = step.permit
            ? await signPermit(payment, wallet, marketplace.address, total, BigInt(await time.latest()) + 3600n)
            : { value: 0n, deadline: 0n, v: 0, r: `0x${"00".repeat(32)}` as const, s: `0x${"00".repeat(32)}` as const };
          const consumerAddress = actors[step.consumer]!.account.address;
          receipt = await succeeded(() =>
            marketplace.write.buyAndOrder(
              [model!.id, consumerAddress, payment.address, total, market.account.address, step.feeBps, permit],
              { account: wallet.account },
            ),
          );
          if (receipt) model!.orders += 1n;
        }
        const after = await Promise.all(watched.map((address) => payment.read.balanceOf([address])));
        const delta = new Map<string, bigint>();
        const add = (address: Address, amount: bigint) => delta.set(getAddress(address), (delta.get(getAddress(address)) ?? 0n) + amount);
        if (receipt) {
          const purchased = eventsOf(receipt, marketplace).find((event) => event.eventName === "Purchased")!;
          const args = purchased.args as { seller: Address; base: bigint; protocolFee: bigint; marketFee: bigint };
          expect(isAddressEqual(args.seller, model!.owner), "proceeds go to the current owner").to.equal(true);
          expect(args.base + args.protocolFee + args.marketFee).to.equal(total);
          add(wallet.account.address, -total);
          add(model!.owner, args.base);
          add(treasury.account.address, args.protocolFee);
          add(market.account.address, args.marketFee);
        }
        watched.forEach((address, index) => {
          const change = after[index]! - before[index]!;
          // The same account may appear twice in `watched` (a buyer buying its own asset): compare once per address.
          expect(change, `payment delta of ${address}`).to.equal(delta.get(getAddress(address)) ?? 0n);
        });
        expect(after[watched.length - 1], "the Marketplace holds nothing").to.equal(0n);
        break;
      }
      case "order": {
        if (model!.datatoken === undefined) continue;
        const wallet = actors[step.actor]!;
        const datatoken = await datatokenOf(model!);
        receipt = await succeeded(() => datatoken.write.order([consumer.account.address], { account: wallet.account }));
        if (receipt) model!.orders += 1n;
        break;
      }
      case "dispenser": {
        receipt = await succeeded(() => marketplace.write.setDispenser([model!.id, BigInt(step.max)], { account: model!.owner }));
        break;
      }
      case "dispense": {
        const wallet = actors[step.actor]!;
        receipt = await succeeded(() => marketplace.write.dispense([model!.id, BigInt(step.count)], { account: wallet.account }));
        break;
      }
      case "transfer": {
        const to = actors[step.to]!.account.address;
        receipt = await succeeded(() => registry.write.transferFrom([model!.owner, to, model!.id], { account: model!.owner }));
        expect(receipt, "the owner can always transfer").to.not.equal(undefined);
        model!.owner = to;
        break;
      }
      case "state": {
        receipt = await succeeded(() => registry.write.setState([model!.id, step.active ? 0 : 1], { account: model!.owner }));
        break;
      }
    }
    if (receipt) successes.set(step.kind, (successes.get(step.kind) ?? 0) + 1);

    for (const tracked of assets) {
      if (tracked.datatoken === undefined) continue;
      const supply = await (await datatokenOf(tracked)).read.totalSupply();
      expect(supply, `supply of asset ${tracked.id}`).to.equal(tracked.minted - tracked.orders * ONE);
      expect(getAddress(await registry.read.ownerOf([tracked.id]))).to.equal(getAddress(tracked.owner));
    }
  }
}

/** The protocol, with payment tokens for every actor. */
async function invariantFixture() {
  const protocol = await protocolFixture();
  for (const wallet of [protocol.publisher, protocol.consumer]) {
    await protocol.usdc.write.mint([wallet.account.address, 1_000_000n * 10n ** 6n]);
    await protocol.dai.write.mint([wallet.account.address, 1_000_000n * 10n ** 18n]);
  }
  return protocol;
}

describe("Asset economy invariants (fast-check)", () => {
  it("hold over random sequences of publish, mint, list, buy, buyAndOrder, order, dispense and transfers", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 50 }), async (commands) => {
        const protocol = await loadFixture(invariantFixture);
        // Every sequence starts with one listed asset, so trades are reachable early.
        await runSequence(protocol, [{ kind: "publish", actor: 0, mode: 2, supply: 3, token: 0, price: 1_000_000n }, ...commands]);
      }),
      propertyRun("asset economy sequences", { numRuns: 100 }),
    );
    for (const kind of ["publish", "mint", "list", "buy", "buyAndOrder", "order", "dispense", "transfer"]) {
      expect(successes.get(kind) ?? 0, `successful ${kind} steps`).to.be.greaterThan(0);
    }
  });
});
