/**
 * Marketplace: payment tokens, listings with their price history, dispensers and their claims (both bound to the owner
 * epoch they were set in: src/AssetRegistry.ts marks them lapsed when the NFT changes hands), purchases (a market
 * order's buyer goes onto its order row), the per-asset revenue and per-account earnings they add up to, and the
 * protocol fee and ownership settings.
 */
import { ponder, type Context } from "ponder:registry";
import {
  asset,
  assetRevenue,
  dispense,
  dispenser,
  dispenserChange,
  listing,
  listingChange,
  marketplace,
  marketplaceOwnershipChange,
  order,
  protocolFeeChange,
  purchase,
  token,
} from "ponder:schema";
import { and, eq, isNull } from "ponder";
import { zeroAddress } from "viem";
import { addEarning } from "../lib/earnings.ts";

ponder.on("Marketplace:PaymentTokenRegistered", async ({ event, context }) => {
  const { token: address, decimals } = event.args;
  await context.db
    .insert(token)
    .values({
      address,
      decimals,
      isPaymentToken: true,
      isJobToken: false,
      firstSeenAtBlock: event.block.number,
      firstSeenAtTimestamp: event.block.timestamp,
    })
    .onConflictDoUpdate({ decimals, isPaymentToken: true });
});

/** The asset's owner epoch now: a listing or dispenser set now sells only until the NFT next changes hands. */
async function ownerEpochOf(context: Context, assetId: bigint): Promise<bigint> {
  const row = await context.db.find(asset, { id: assetId });
  if (row === null) throw new Error(`Asset ${assetId} is not indexed`);
  return row.ownerEpoch;
}

ponder.on("Marketplace:ListingSet", async ({ event, context }) => {
  const { assetId, datatoken: datatokenAddress, paymentToken, price, owner } = event.args;
  const { number: block, timestamp } = event.block;
  const ownerEpoch = await ownerEpochOf(context, assetId);
  await context.db
    .insert(listing)
    .values({
      assetId,
      datatokenAddress,
      paymentToken,
      price,
      owner,
      ownerEpoch,
      active: true,
      changeCount: 1,
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    })
    .onConflictDoUpdate((row) => ({
      paymentToken,
      price,
      owner,
      ownerEpoch,
      active: true,
      changeCount: row.changeCount + 1,
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    }));
  await context.db.insert(listingChange).values({
    id: event.id,
    assetId,
    action: "set",
    paymentToken,
    price,
    owner,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("Marketplace:ListingClosed", async ({ event, context }) => {
  const { assetId } = event.args;
  const { number: block, timestamp } = event.block;
  await context.db.update(listing, { assetId }).set({ active: false, updatedAtBlock: block, updatedAtTimestamp: timestamp });
  await context.db.insert(listingChange).values({
    id: event.id,
    assetId,
    action: "closed",
    paymentToken: null,
    price: null,
    owner: null,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("Marketplace:DispenserSet", async ({ event, context }) => {
  const { assetId, datatoken: datatokenAddress, maxPerWallet } = event.args;
  const { number: block, timestamp } = event.block;
  const ownerEpoch = await ownerEpochOf(context, assetId);
  await context.db
    .insert(dispenser)
    .values({
      assetId,
      datatokenAddress,
      maxPerWallet,
      ownerEpoch,
      active: true,
      dispensed: 0n,
      claimCount: 0,
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    })
    .onConflictDoUpdate({ maxPerWallet, ownerEpoch, active: true, updatedAtBlock: block, updatedAtTimestamp: timestamp });
  await context.db.insert(dispenserChange).values({
    id: event.id,
    assetId,
    action: "set",
    maxPerWallet,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("Marketplace:DispenserClosed", async ({ event, context }) => {
  const { assetId } = event.args;
  const { number: block, timestamp } = event.block;
  await context.db.update(dispenser, { assetId }).set({ active: false, updatedAtBlock: block, updatedAtTimestamp: timestamp });
  await context.db.insert(dispenserChange).values({
    id: event.id,
    assetId,
    action: "closed",
    maxPerWallet: null,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("Marketplace:Dispensed", async ({ event, context }) => {
  const { assetId, recipient, owner, count } = event.args;
  const { number: block, timestamp } = event.block;
  await context.db.insert(dispense).values({
    id: event.id,
    assetId,
    recipient,
    owner,
    count,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  await context.db.update(dispenser, { assetId }).set((row) => ({
    dispensed: row.dispensed + count,
    claimCount: row.claimCount + 1,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await context.db.update(asset, { id: assetId }).set((row) => ({
    datatokensDispensed: row.datatokensDispensed + count,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
});

ponder.on("Marketplace:Purchased", async ({ event, context }) => {
  const { assetId, buyer, seller, paymentToken, count, base, protocolFee, marketFee, marketFeeRecipient, consumer } = event.args;
  const { number: block, timestamp } = event.block;
  const total = base + protocolFee + marketFee;
  // The treasury is not in the event: it is the one the last ProtocolFeeSet named (a row kept in memory by Ponder).
  const treasury = protocolFee === 0n ? null : ((await context.db.find(marketplace, { address: event.log.address }))?.treasury ?? null);
  await context.db.insert(purchase).values({
    id: event.id,
    assetId,
    buyer,
    seller,
    paymentToken,
    count,
    base,
    protocolFee,
    marketFee,
    total,
    treasury,
    marketFeeRecipient,
    consumer: consumer === zeroAddress ? null : consumer,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  if (consumer !== zeroAddress) {
    // `buyAndOrder`: the datatoken's `OrderStarted`, just before this event, names the Marketplace as payer; the buyer
    // is here. The order of this transaction spent by this Marketplace for this asset and not linked yet is that one
    // (a transaction buying twice links each order before the next one starts). Raw SQL, since the order's id is not
    // known here; it runs for market orders only.
    await context.db.sql
      .update(order)
      .set({ buyer, purchaseId: event.id })
      .where(
        and(
          eq(order.transaction, event.transaction.hash),
          eq(order.assetId, assetId),
          eq(order.payer, event.log.address),
          isNull(order.purchaseId),
        ),
      );
  }
  await context.db
    .insert(assetRevenue)
    .values({
      assetId,
      paymentToken,
      purchaseCount: 1,
      datatokensSold: count,
      revenue: base,
      protocolFees: protocolFee,
      marketFees: marketFee,
      volume: total,
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    })
    .onConflictDoUpdate((row) => ({
      purchaseCount: row.purchaseCount + 1,
      datatokensSold: row.datatokensSold + count,
      revenue: row.revenue + base,
      protocolFees: row.protocolFees + protocolFee,
      marketFees: row.marketFees + marketFee,
      volume: row.volume + total,
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    }));
  await context.db.update(asset, { id: assetId }).set((row) => ({
    purchaseCount: row.purchaseCount + 1,
    datatokensSold: row.datatokensSold + count,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  await addEarning(context, seller, paymentToken, "sales", base, block, timestamp);
  if (protocolFee !== 0n && treasury !== null) {
    await addEarning(context, treasury, paymentToken, "protocolFees", protocolFee, block, timestamp);
  }
  if (marketFee !== 0n) await addEarning(context, marketFeeRecipient, paymentToken, "marketFees", marketFee, block, timestamp);
});

ponder.on("Marketplace:ProtocolFeeSet", async ({ event, context }) => {
  const { treasury, bps } = event.args;
  const block = event.block.number;
  await context.db
    .insert(marketplace)
    .values({ address: event.log.address, treasury, protocolFeeBps: bps, updatedAtBlock: block })
    .onConflictDoUpdate({ treasury, protocolFeeBps: bps, updatedAtBlock: block });
  await context.db.insert(protocolFeeChange).values({
    id: event.id,
    treasury,
    bps,
    block,
    timestamp: event.block.timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("Marketplace:OwnershipTransferStarted", async ({ event, context }) => {
  const { previousOwner, newOwner } = event.args;
  const block = event.block.number;
  await context.db
    .insert(marketplace)
    .values({ address: event.log.address, owner: previousOwner, pendingOwner: newOwner, updatedAtBlock: block })
    .onConflictDoUpdate({ pendingOwner: newOwner, updatedAtBlock: block });
  await context.db.insert(marketplaceOwnershipChange).values({
    id: event.id,
    step: "started",
    previousOwner,
    newOwner,
    block,
    timestamp: event.block.timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("Marketplace:OwnershipTransferred", async ({ event, context }) => {
  const { previousOwner, newOwner } = event.args;
  const block = event.block.number;
  await context.db
    .insert(marketplace)
    .values({ address: event.log.address, owner: newOwner, pendingOwner: null, updatedAtBlock: block })
    .onConflictDoUpdate({ owner: newOwner, pendingOwner: null, updatedAtBlock: block });
  await context.db.insert(marketplaceOwnershipChange).values({
    id: event.id,
    step: "transferred",
    previousOwner,
    newOwner,
    block,
    timestamp: event.block.timestamp,
    transaction: event.transaction.hash,
  });
});
