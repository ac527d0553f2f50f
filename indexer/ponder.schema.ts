/**
 * The indexer's tables. Conventions:
 * - Token amounts are `bigint` columns (numeric(78) in SQL, strings in GraphQL JSON) in the token's smallest unit; the
 *   token's decimals live in `token` (every amount row has a `token` relation), so a dApp formats them exactly.
 * - CIDs are strings in their canonical form (CIDv1 base32, `bafy...`, as in the registry's tokenURI).
 * - Addresses are lowercase hex. Ids of event rows are Ponder's event ids, which sort in chain order.
 * - Every row carries the block number, timestamp and transaction of the event that last wrote it (`*At*` columns).
 * - Aggregates (counts, revenue, earnings, stakes, progress) are maintained incrementally by the handlers.
 */
import { index, onchainEnum, onchainTable, primaryKey, relations } from "ponder";

// ------------------------------------------------------------------------------------------------------------------
// Enums
// ------------------------------------------------------------------------------------------------------------------

/** `AssetKind` of contracts/types/Asset.sol, by ordinal. */
export const assetKind = onchainEnum("asset_kind", ["dataset", "model"]);
/** `AssetState` of contracts/types/Asset.sol, by ordinal. */
export const assetState = onchainEnum("asset_state", ["active", "deprecated", "revoked"]);
/** What a row of `listing_change` or `dispenser_change` records. */
export const changeAction = onchainEnum("change_action", ["set", "closed"]);

// ------------------------------------------------------------------------------------------------------------------
// Tokens and accounts
// ------------------------------------------------------------------------------------------------------------------

/** ERC-20 tokens amounts are paid in: payment tokens (announced by `PaymentTokenRegistered`). */
export const token = onchainTable("token", (t) => ({
  address: t.hex().primaryKey(),
  decimals: t.integer().notNull(),
  /** Registered as a Marketplace payment token. */
  isPaymentToken: t.boolean().notNull(),
  registeredAtBlock: t.bigint().notNull(),
  registeredAtTimestamp: t.bigint().notNull(),
}));

/**
 * What an account earned, per token: sales of its datatokens (the listing price part), consume-market fees it was
 * named recipient of, protocol fees it received as treasury. `total` is their sum.
 */
export const accountEarning = onchainTable(
  "account_earning",
  (t) => ({
    account: t.hex().notNull(),
    tokenAddress: t.hex().notNull(),
    sales: t.bigint().notNull(),
    marketFees: t.bigint().notNull(),
    protocolFees: t.bigint().notNull(),
    total: t.bigint().notNull(),
    /** Number of payments that made up the total. */
    paymentCount: t.integer().notNull(),
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.account, table.tokenAddress] }),
    tokenIdx: index().on(table.tokenAddress),
  }),
);

// ------------------------------------------------------------------------------------------------------------------
// AssetRegistry
// ------------------------------------------------------------------------------------------------------------------

/** An asset NFT: kind, current manifest, state, owner, and aggregates of its sales. */
export const asset = onchainTable(
  "asset",
  (t) => ({
    id: t.bigint().primaryKey(),
    kind: assetKind().notNull(),
    state: assetState().notNull(),
    owner: t.hex().notNull(),
    /** The account that sent the publishing transaction (differs from `owner` for `publish(owner, ...)`). */
    publisher: t.hex().notNull(),
    /** ERC-721 approved address (cleared on transfer). */
    approved: t.hex(),
    manifestCid: t.text().notNull(),
    version: t.integer().notNull(),
    /** Lineage: ids of the parent assets, in the order published (also as rows of `asset_parent`). */
    parentIds: t.bigint().array().notNull(),
    datatokenAddress: t.hex(),
    /** Access orders started (one datatoken burnt each). */
    orderCount: t.integer().notNull(),
    /** Marketplace purchases (a purchase may buy several datatokens). */
    purchaseCount: t.integer().notNull(),
    /** Whole datatokens sold by the marketplace. */
    datatokensSold: t.bigint().notNull(),
    /** Whole datatokens given away by the dispenser. */
    datatokensDispensed: t.bigint().notNull(),
    createdAtBlock: t.bigint().notNull(),
    createdAtTimestamp: t.bigint().notNull(),
    createdAtTransaction: t.hex().notNull(),
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  }),
  (table) => ({
    kindIdx: index().on(table.kind),
    ownerIdx: index().on(table.owner),
    manifestIdx: index().on(table.manifestCid),
  }),
);

/** Every manifest an asset has had: version 1 at publication, one more per `ManifestUpdated`. */
export const assetVersion = onchainTable(
  "asset_version",
  (t) => ({
    assetId: t.bigint().notNull(),
    version: t.integer().notNull(),
    manifestCid: t.text().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.assetId, table.version] }) }),
);

/** Lineage edges: `childId` was published with `parentId` at `position` in its parent list. */
export const assetParent = onchainTable(
  "asset_parent",
  (t) => ({
    childId: t.bigint().notNull(),
    parentId: t.bigint().notNull(),
    position: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.childId, table.parentId] }),
    parentIdx: index().on(table.parentId),
  }),
);

/** State changes (`AssetStateChanged`). */
export const assetStateChange = onchainTable(
  "asset_state_change",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    previousState: assetState().notNull(),
    newState: assetState().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

/** ERC-721 transfers of asset NFTs, the mint included (`from` = zero address). */
export const assetTransfer = onchainTable(
  "asset_transfer",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    from: t.hex().notNull(),
    to: t.hex().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId), toIdx: index().on(table.to), fromIdx: index().on(table.from) }),
);

/** ERC-721 operator approvals (`ApprovalForAll`). */
export const operatorApproval = onchainTable(
  "operator_approval",
  (t) => ({
    owner: t.hex().notNull(),
    operator: t.hex().notNull(),
    approved: t.boolean().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.owner, table.operator] }) }),
);

// ------------------------------------------------------------------------------------------------------------------
// Datatoken (clones found through DatatokenCreated)
// ------------------------------------------------------------------------------------------------------------------

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
    createdAtBlock: t.bigint().notNull(),
    createdAtTimestamp: t.bigint().notNull(),
    createdAtTransaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

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

/** Datatoken transfers, mints (`from` zero) and burns (`to` zero) included. */
export const datatokenTransfer = onchainTable(
  "datatoken_transfer",
  (t) => ({
    id: t.text().primaryKey(),
    datatokenAddress: t.hex().notNull(),
    from: t.hex().notNull(),
    to: t.hex().notNull(),
    value: t.bigint().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ datatokenIdx: index().on(table.datatokenAddress) }),
);

/** Access receipts (`OrderStarted`): `consumer` may use the asset until `validUntil` (2^64-1: forever). */
export const order = onchainTable(
  "order",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    datatokenAddress: t.hex().notNull(),
    consumer: t.hex().notNull(),
    /** Who paid (the buyer for `buyAndOrder`). */
    payer: t.hex().notNull(),
    /** Whose datatoken was burnt (the seller for `buyAndOrder`). */
    from: t.hex().notNull(),
    validUntil: t.bigint().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({
    assetIdx: index().on(table.assetId),
    datatokenIdx: index().on(table.datatokenAddress),
    consumerIdx: index().on(table.consumer),
  }),
);

// ------------------------------------------------------------------------------------------------------------------
// Marketplace
// ------------------------------------------------------------------------------------------------------------------

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
  block: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  transaction: t.hex().notNull(),
}));

/** Ownership history of the marketplace (`OwnershipTransferStarted`, `OwnershipTransferred`). */
export const marketplaceOwnershipChange = onchainTable("marketplace_ownership_change", (t) => ({
  id: t.text().primaryKey(),
  /** `started` (a pending owner was named) or `transferred`. */
  step: t.text().notNull(),
  previousOwner: t.hex().notNull(),
  newOwner: t.hex().notNull(),
  block: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  transaction: t.hex().notNull(),
}));

/** The current fixed-rate listing of an asset (one per asset; `active` false once closed). */
export const listing = onchainTable(
  "listing",
  (t) => ({
    assetId: t.bigint().primaryKey(),
    datatokenAddress: t.hex().notNull(),
    paymentToken: t.hex().notNull(),
    /** Price of one whole datatoken in the payment token's smallest unit. */
    price: t.bigint().notNull(),
    /** The asset owner who set it. */
    owner: t.hex().notNull(),
    active: t.boolean().notNull(),
    /** ListingSet events for this asset so far. */
    changeCount: t.integer().notNull(),
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  }),
  (table) => ({ paymentTokenIdx: index().on(table.paymentToken) }),
);

/** Price history of listings: one row per `ListingSet` (`set`) and `ListingClosed` (`closed`, no price). */
export const listingChange = onchainTable(
  "listing_change",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    action: changeAction().notNull(),
    paymentToken: t.hex(),
    price: t.bigint(),
    owner: t.hex(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

/** The dispenser of an asset (free datatokens, at most `maxPerWallet` whole tokens per wallet). */
export const dispenser = onchainTable("dispenser", (t) => ({
  assetId: t.bigint().primaryKey(),
  datatokenAddress: t.hex().notNull(),
  maxPerWallet: t.bigint().notNull(),
  active: t.boolean().notNull(),
  /** Whole datatokens dispensed so far, and the number of `dispense` calls. */
  dispensed: t.bigint().notNull(),
  claimCount: t.integer().notNull(),
  updatedAtBlock: t.bigint().notNull(),
  updatedAtTimestamp: t.bigint().notNull(),
}));

/** History of dispenser settings: `set` (with the limit) and `closed`. */
export const dispenserChange = onchainTable(
  "dispenser_change",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    action: changeAction().notNull(),
    maxPerWallet: t.bigint(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

/** Dispenser claims (`Dispensed`). */
export const dispense = onchainTable(
  "dispense",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    recipient: t.hex().notNull(),
    owner: t.hex().notNull(),
    count: t.bigint().notNull(),
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.assetId), recipientIdx: index().on(table.recipient) }),
);

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
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  }),
  (table) => ({
    assetIdx: index().on(table.assetId),
    buyerIdx: index().on(table.buyer),
    sellerIdx: index().on(table.seller),
  }),
);

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
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.assetId, table.paymentToken] }) }),
);

// ------------------------------------------------------------------------------------------------------------------
// Relations
// ------------------------------------------------------------------------------------------------------------------

export const tokenRelations = relations(token, ({ many }) => ({
  earnings: many(accountEarning),
}));

export const accountEarningRelations = relations(accountEarning, ({ one }) => ({
  token: one(token, { fields: [accountEarning.tokenAddress], references: [token.address] }),
}));

export const assetRelations = relations(asset, ({ one, many }) => ({
  datatoken: one(datatoken, { fields: [asset.id], references: [datatoken.assetId] }),
  listing: one(listing, { fields: [asset.id], references: [listing.assetId] }),
  dispenser: one(dispenser, { fields: [asset.id], references: [dispenser.assetId] }),
  versions: many(assetVersion),
  parents: many(assetParent, { relationName: "child" }),
  children: many(assetParent, { relationName: "parent" }),
  stateChanges: many(assetStateChange),
  transfers: many(assetTransfer),
  orders: many(order),
  purchases: many(purchase),
  revenue: many(assetRevenue),
  listingChanges: many(listingChange),
  dispenses: many(dispense),
}));

export const assetVersionRelations = relations(assetVersion, ({ one }) => ({
  asset: one(asset, { fields: [assetVersion.assetId], references: [asset.id] }),
}));

export const assetParentRelations = relations(assetParent, ({ one }) => ({
  child: one(asset, { fields: [assetParent.childId], references: [asset.id], relationName: "child" }),
  parent: one(asset, { fields: [assetParent.parentId], references: [asset.id], relationName: "parent" }),
}));

export const assetStateChangeRelations = relations(assetStateChange, ({ one }) => ({
  asset: one(asset, { fields: [assetStateChange.assetId], references: [asset.id] }),
}));

export const assetTransferRelations = relations(assetTransfer, ({ one }) => ({
  asset: one(asset, { fields: [assetTransfer.assetId], references: [asset.id] }),
}));

export const datatokenRelations = relations(datatoken, ({ one, many }) => ({
  asset: one(asset, { fields: [datatoken.assetId], references: [asset.id] }),
  orders: many(order),
  balances: many(datatokenBalance),
  transfers: many(datatokenTransfer),
  approvals: many(datatokenApproval),
}));

export const datatokenBalanceRelations = relations(datatokenBalance, ({ one }) => ({
  datatoken: one(datatoken, { fields: [datatokenBalance.datatokenAddress], references: [datatoken.address] }),
}));

export const datatokenApprovalRelations = relations(datatokenApproval, ({ one }) => ({
  datatoken: one(datatoken, { fields: [datatokenApproval.datatokenAddress], references: [datatoken.address] }),
}));

export const datatokenTransferRelations = relations(datatokenTransfer, ({ one }) => ({
  datatoken: one(datatoken, { fields: [datatokenTransfer.datatokenAddress], references: [datatoken.address] }),
}));

export const orderRelations = relations(order, ({ one }) => ({
  asset: one(asset, { fields: [order.assetId], references: [asset.id] }),
  datatoken: one(datatoken, { fields: [order.datatokenAddress], references: [datatoken.address] }),
}));

export const listingRelations = relations(listing, ({ one, many }) => ({
  asset: one(asset, { fields: [listing.assetId], references: [asset.id] }),
  token: one(token, { fields: [listing.paymentToken], references: [token.address] }),
  changes: many(listingChange),
}));

export const listingChangeRelations = relations(listingChange, ({ one }) => ({
  asset: one(asset, { fields: [listingChange.assetId], references: [asset.id] }),
  listing: one(listing, { fields: [listingChange.assetId], references: [listing.assetId] }),
  token: one(token, { fields: [listingChange.paymentToken], references: [token.address] }),
}));

export const dispenserRelations = relations(dispenser, ({ one, many }) => ({
  asset: one(asset, { fields: [dispenser.assetId], references: [asset.id] }),
  changes: many(dispenserChange),
  claims: many(dispense),
}));

export const dispenserChangeRelations = relations(dispenserChange, ({ one }) => ({
  dispenser: one(dispenser, { fields: [dispenserChange.assetId], references: [dispenser.assetId] }),
}));

export const dispenseRelations = relations(dispense, ({ one }) => ({
  asset: one(asset, { fields: [dispense.assetId], references: [asset.id] }),
  dispenser: one(dispenser, { fields: [dispense.assetId], references: [dispenser.assetId] }),
}));

export const purchaseRelations = relations(purchase, ({ one }) => ({
  asset: one(asset, { fields: [purchase.assetId], references: [asset.id] }),
  token: one(token, { fields: [purchase.paymentToken], references: [token.address] }),
}));

export const assetRevenueRelations = relations(assetRevenue, ({ one }) => ({
  asset: one(asset, { fields: [assetRevenue.assetId], references: [asset.id] }),
  token: one(token, { fields: [assetRevenue.paymentToken], references: [token.address] }),
}));
