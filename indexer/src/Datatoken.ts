/**
 * Datatoken clones (discovered through `DatatokenCreated`): supply, balances, approvals, transfers and access orders.
 * `EIP712DomainChanged` is declared by ERC-5267 but never emitted by the clones, so it has no handler.
 */
import { ponder } from "ponder:registry";
import { asset, datatoken, datatokenApproval, datatokenBalance, datatokenTransfer, order } from "ponder:schema";
import { zeroAddress } from "viem";

ponder.on("Datatoken:Transfer", async ({ event, context }) => {
  const { from, to, value } = event.args;
  const address = event.log.address;
  const block = event.block.number;
  await context.db.insert(datatokenTransfer).values({
    id: event.id,
    datatokenAddress: address,
    from,
    to,
    value,
    block,
    timestamp: event.block.timestamp,
    transaction: event.transaction.hash,
  });
  if (from === zeroAddress) {
    await context.db.update(datatoken, { address }).set((row) => ({ totalSupply: row.totalSupply + value }));
  } else {
    await context.db
      .insert(datatokenBalance)
      .values({ datatokenAddress: address, account: from, balance: -value, updatedAtBlock: block })
      .onConflictDoUpdate((row) => ({ balance: row.balance - value, updatedAtBlock: block }));
  }
  if (to === zeroAddress) {
    await context.db.update(datatoken, { address }).set((row) => ({ totalSupply: row.totalSupply - value }));
  } else {
    await context.db
      .insert(datatokenBalance)
      .values({ datatokenAddress: address, account: to, balance: value, updatedAtBlock: block })
      .onConflictDoUpdate((row) => ({ balance: row.balance + value, updatedAtBlock: block }));
  }
});

ponder.on("Datatoken:Approval", async ({ event, context }) => {
  const { owner, spender, value } = event.args;
  const block = event.block.number;
  await context.db
    .insert(datatokenApproval)
    .values({ datatokenAddress: event.log.address, owner, spender, value, block })
    .onConflictDoUpdate({ value, block });
});

ponder.on("Datatoken:OrderStarted", async ({ event, context }) => {
  const { assetId, consumer, payer, from, validUntil } = event.args;
  const address = event.log.address;
  const { number: block, timestamp } = event.block;
  await context.db.insert(order).values({
    id: event.id,
    assetId,
    datatokenAddress: address,
    consumer,
    payer,
    from,
    // A market order's buyer comes with the Marketplace's `Purchased`, right after this event.
    buyer: null,
    purchaseId: null,
    validUntil,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  await context.db
    .update(asset, { id: assetId })
    .set((row) => ({ orderCount: row.orderCount + 1, updatedAtBlock: block, updatedAtTimestamp: timestamp }));
  await context.db.update(datatoken, { address }).set((row) => ({ orderCount: row.orderCount + 1 }));
});
