/**
 * Marketplace: its settings and their history, fixed-rate listings, dispensers, purchases, and revenue per asset.
 * Imports `asset` from assets.ts, which imports this file back (see the note there), and `token` from tokens.ts.
 */
import { index, onchainEnum, onchainTable, primaryKey, relations } from "ponder";
import { asset } from "./assets.ts";
import { eventColumns, updatedAtColumns } from "./common.ts";
import { token } from "./tokens.ts";

/**
 * What a row of `listing_change` or `dispenser_change` records: `set`, `closed`, or `lapsed` (the asset NFT changed
 * hands: terms a previous owner set no longer apply; no event says so, the registry's `Transfer` does).
 */
export const changeAction = onchainEnum("change_action", ["set", "closed", "lapsed"]);

/** The marketplace's settings: owner (Ownable2Step) and protocol fee. */
export const marketplace = onchainTable("marketplace", (t) => ({
  address: t.hex().primaryKey(),
  owner: t.hex(),
  pendingOwner: t.hex(),
  treasury: t.hex(),
  protocolFeeBps: t.integer(),
  updatedAtBlock: t.bigint().notNull(),
}));

/** Protocol fee history (`ProtocolFeeSet`, also emitted at deployment). */
export const protocolFeeChange = onchainTable("protocol_fee_change", (t) => ({
  id: t.text().primaryKey(),
  treasury: t.hex().notNull(),
  bps: t.integer().notNull(),
  ...eventColumns(t),
}));

/** Ownership history of the marketplace (`OwnershipTransferStarted`, `OwnershipTransferred`). */
export const marketplaceOwnershipChange = onchainTable("marketplace_ownership_change", (t) => ({
  id: t.text().primaryKey(),
  /** `started` (a pending owner was named) or `transferred`. */
  step: t.text().notNull(),
  previousOwner: t.hex().notNull(),
  newOwner: t.hex().notNull(),
  ...eventColumns(t),
}));

/**
 * The current fixed-rate listing of an asset (one per asset; `active` false once closed, or once it lapsed: a listing
 * sells only in the owner epoch it was set in, and every transfer of the NFT starts a new one).
 */
export const listing = onchainTable(
  "listing",
  (t) => ({
    assetId: t.bigint().primaryKey(),
    datatokenAddress: t.hex().notNull(),
    paymentToken: t.hex().notNull(),
    /** Price of one whole datatoken in the payment token's smallest unit. */
    price: t.bigint().notNull(),
    /** The asset owner who set it, and the asset's owner epoch then (`asset.ownerEpoch`). */
    owner: t.hex().notNull(),
    ownerEpoch: t.bigint().notNull(),
    active: t.boolean().notNull(),
    /** ListingSet events for this asset so far. */
    changeCount: t.integer().notNull(),
    ...updatedAtColumns(t),
  }),
  (table) => ({ paymentTokenIdx: index().on(table.paymentToken) }),
);

export const listingRelations = relations(listing, ({ one, many }) => ({
  asset: one(asset, { fields: [listing.assetId], references: [asset.id] }),
  token: one(token, { fields: [listing.paymentToken], references: [token.address] }),
  changes: many(listingChange),
}));

/**
 * Price history of listings: one row per `ListingSet` (`set`), `ListingClosed` (`closed`, no price) and transfer of the
 * NFT that voided an active listing (`lapsed`, no price).
 */
export const listingChange = onchainTable(
  "listing_change",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    action: changeAction().notNull(),
    paymentToken: t.hex(),
    price: t.bigint(),
    owner: t.hex(),
    ...eventColumns(t),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

export const listingChangeRelations = relations(listingChange, ({ one }) => ({
  asset: one(asset, { fields: [listingChange.assetId], references: [asset.id] }),
  listing: one(listing, { fields: [listingChange.assetId], references: [listing.assetId] }),
  token: one(token, { fields: [listingChange.paymentToken], references: [token.address] }),
}));

/**
 * The dispenser of an asset (free datatokens, at most `maxPerWallet` whole tokens per wallet), bound like a listing to
 * the owner epoch it was set in (`active` false once closed or lapsed).
 */
export const dispenser = onchainTable("dispenser", (t) => ({
  assetId: t.bigint().primaryKey(),
  datatokenAddress: t.hex().notNull(),
  maxPerWallet: t.bigint().notNull(),
  ownerEpoch: t.bigint().notNull(),
  active: t.boolean().notNull(),
  /** Whole datatokens dispensed so far, and the number of `dispense` calls. */
  dispensed: t.bigint().notNull(),
  claimCount: t.integer().notNull(),
  ...updatedAtColumns(t),
}));

export const dispenserRelations = relations(dispenser, ({ one, many }) => ({
  asset: one(asset, { fields: [dispenser.assetId], references: [asset.id] }),
  changes: many(dispenserChange),
  claims: many(dispense),
}));

/** History of dispenser settings: `set` (with the limit), `closed`, and `lapsed` (the NFT changed hands). */
export const dispenserChange = onchainTable(
  "dispenser_change",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    action: changeAction().notNull(),
    maxPerWallet: t.bigint(),
    ...eventColumns(t),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

export const dispenserChangeRelations = relations(dispenserChange, ({ one }) => ({
  dispenser: one(dispenser, { fields: [dispenserChange.assetId], references: [dispenser.assetId] }),
}));

/** Dispenser claims (`Dispensed`). */
export const dispense = onchainTable(
  "dispense",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    recipient: t.hex().notNull(),
    owner: t.hex().notNull(),
    count: t.bigint().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ assetIdx: index().on(table.assetId), recipientIdx: index().on(table.recipient) }),
);

export const dispenseRelations = relations(dispense, ({ one }) => ({
  asset: one(asset, { fields: [dispense.assetId], references: [asset.id] }),
  dispenser: one(dispenser, { fields: [dispense.assetId], references: [dispenser.assetId] }),
}));

/**
 * Marketplace purchases (`Purchased`). The buyer paid `total` = `base` (to the seller) + `protocolFee` (treasury) +
 * `marketFee` (marketFeeRecipient). `consumer` is set for `buyAndOrder` (the purchase also started an order).
 */
export const purchase = onchainTable(
  "purchase",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    buyer: t.hex().notNull(),
    seller: t.hex().notNull(),
    paymentToken: t.hex().notNull(),
    count: t.bigint().notNull(),
    base: t.bigint().notNull(),
    protocolFee: t.bigint().notNull(),
    marketFee: t.bigint().notNull(),
    total: t.bigint().notNull(),
    treasury: t.hex(),
    marketFeeRecipient: t.hex().notNull(),
    consumer: t.hex(),
    ...eventColumns(t),
  }),
  (table) => ({
    assetIdx: index().on(table.assetId),
    buyerIdx: index().on(table.buyer),
    sellerIdx: index().on(table.seller),
  }),
);

export const purchaseRelations = relations(purchase, ({ one }) => ({
  asset: one(asset, { fields: [purchase.assetId], references: [asset.id] }),
  token: one(token, { fields: [purchase.paymentToken], references: [token.address] }),
}));

/** Per asset and payment token: what its sales brought. `revenue` is the sellers' part (the listing prices). */
export const assetRevenue = onchainTable(
  "asset_revenue",
  (t) => ({
    assetId: t.bigint().notNull(),
    paymentToken: t.hex().notNull(),
    purchaseCount: t.integer().notNull(),
    datatokensSold: t.bigint().notNull(),
    revenue: t.bigint().notNull(),
    protocolFees: t.bigint().notNull(),
    marketFees: t.bigint().notNull(),
    /** What buyers paid in total: revenue + protocolFees + marketFees. */
    volume: t.bigint().notNull(),
    ...updatedAtColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.assetId, table.paymentToken] }) }),
);

export const assetRevenueRelations = relations(assetRevenue, ({ one }) => ({
  asset: one(asset, { fields: [assetRevenue.assetId], references: [asset.id] }),
  token: one(token, { fields: [assetRevenue.paymentToken], references: [token.address] }),
}));
