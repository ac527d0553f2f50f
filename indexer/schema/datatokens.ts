/**
 * Datatoken clones (found through `DatatokenCreated`): supply, balances, approvals, transfers, and the access orders
 * they are burnt for. Imports `asset` from assets.ts, which imports this file back (see the note there), and
 * `purchase` from marketplace.ts (an order's purchase; used inside `relations()` only, like `asset`).
 */
import { index, onchainTable, primaryKey, relations } from "ponder";
import { asset } from "./assets.ts";
import { createdAtColumns, eventColumns } from "./common.ts";
import { purchase } from "./marketplace.ts";

/** A datatoken clone. 18 decimals; one whole token (10^18) is burnt per order. */
export const datatoken = onchainTable(
  "datatoken",
  (t) => ({
    address: t.hex().primaryKey(),
    assetId: t.bigint().notNull(),
    /** Seconds of access an order grants; 0: unlimited. */
    accessPeriod: t.bigint().notNull(),
    initialSupply: t.bigint().notNull(),
    /** Minted minus burnt, in datatoken units (18 decimals). */
    totalSupply: t.bigint().notNull(),
    orderCount: t.integer().notNull(),
    ...createdAtColumns(t),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

export const datatokenRelations = relations(datatoken, ({ one, many }) => ({
  asset: one(asset, { fields: [datatoken.assetId], references: [asset.id] }),
  orders: many(order),
  balances: many(datatokenBalance),
  transfers: many(datatokenTransfer),
  approvals: many(datatokenApproval),
}));

/** Datatoken balances, per holder (rows stay at 0 after a holder empties its balance). */
export const datatokenBalance = onchainTable(
  "datatoken_balance",
  (t) => ({
    datatokenAddress: t.hex().notNull(),
    account: t.hex().notNull(),
    balance: t.bigint().notNull(),
    updatedAtBlock: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.datatokenAddress, table.account] }),
    accountIdx: index().on(table.account),
  }),
);

export const datatokenBalanceRelations = relations(datatokenBalance, ({ one }) => ({
  datatoken: one(datatoken, { fields: [datatokenBalance.datatokenAddress], references: [datatoken.address] }),
}));

/**
 * The last ERC-20 `Approval` (or permit) per owner and spender. `transferFrom` spends allowances without an event, so
 * this is the approved value, not the remaining allowance: read `allowance()` on-chain for that.
 */
export const datatokenApproval = onchainTable(
  "datatoken_approval",
  (t) => ({
    datatokenAddress: t.hex().notNull(),
    owner: t.hex().notNull(),
    spender: t.hex().notNull(),
    value: t.bigint().notNull(),
    block: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.datatokenAddress, table.owner, table.spender] }) }),
);

export const datatokenApprovalRelations = relations(datatokenApproval, ({ one }) => ({
  datatoken: one(datatoken, { fields: [datatokenApproval.datatokenAddress], references: [datatoken.address] }),
}));

/** Datatoken transfers, mints (`from` zero) and burns (`to` zero) included. */
export const datatokenTransfer = onchainTable(
  "datatoken_transfer",
  (t) => ({
    id: t.text().primaryKey(),
    datatokenAddress: t.hex().notNull(),
    from: t.hex().notNull(),
    to: t.hex().notNull(),
    value: t.bigint().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ datatokenIdx: index().on(table.datatokenAddress) }),
);

export const datatokenTransferRelations = relations(datatokenTransfer, ({ one }) => ({
  datatoken: one(datatoken, { fields: [datatokenTransfer.datatokenAddress], references: [datatoken.address] }),
}));

/**
 * Access receipts (`OrderStarted`): `consumer` may use the asset until `validUntil` (2^64-1: forever). A market order
 * (`buyAndOrder`) is spent by the Marketplace (`payer`) from the seller's inventory (`from`); the Marketplace's
 * `Purchased`, right after it in the same transaction, names the buyer (`buyer`, `purchaseId`).
 */
export const order = onchainTable(
  "order",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    datatokenAddress: t.hex().notNull(),
    consumer: t.hex().notNull(),
    /** Who spent the token: its holder for `order`, the Marketplace for a market order. */
    payer: t.hex().notNull(),
    /** Whose datatoken was burnt (the seller for a market order). */
    from: t.hex().notNull(),
    /** For a market order, who bought it and the purchase (null for a direct order). */
    buyer: t.hex(),
    purchaseId: t.text(),
    validUntil: t.bigint().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({
    assetIdx: index().on(table.assetId),
    datatokenIdx: index().on(table.datatokenAddress),
    consumerIdx: index().on(table.consumer),
    buyerIdx: index().on(table.buyer),
  }),
);

export const orderRelations = relations(order, ({ one }) => ({
  asset: one(asset, { fields: [order.assetId], references: [asset.id] }),
  datatoken: one(datatoken, { fields: [order.datatokenAddress], references: [datatoken.address] }),
  purchase: one(purchase, { fields: [order.purchaseId], references: [purchase.id] }),
}));
