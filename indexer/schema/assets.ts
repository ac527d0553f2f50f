/**
 * AssetRegistry: asset NFTs (datasets and models), their manifests, lineage, state changes, transfers and operator
 * approvals.
 *
 * Import cycle, on purpose: `assetRelations` reaches into the other domains (datatoken, orders, listing, dispenser,
 * purchases, revenue, training jobs) and their relations point back at `asset`, so this file and datatokens.ts,
 * marketplace.ts and training.ts import each other. Splitting the relations from their tables would be the only way
 * out. The cycle is harmless: another domain's table is only read inside a `relations()` callback, which drizzle calls
 * once every file has loaded; nothing at the top level of these files uses an imported table.
 */
import { index, onchainEnum, onchainTable, primaryKey, relations } from "ponder";
import { createdAtColumns, eventColumns, updatedAtColumns } from "./common.ts";
import { datatoken, order } from "./datatokens.ts";
import { assetRevenue, dispense, dispenser, listing, listingChange, purchase } from "./marketplace.ts";
import { job } from "./training.ts";

/** `AssetKind` of contracts/types/Asset.sol, by ordinal. */
export const assetKind = onchainEnum("asset_kind", ["dataset", "model"]);
/** `AssetState` of contracts/types/Asset.sol, by ordinal. */
export const assetState = onchainEnum("asset_state", ["active", "deprecated", "revoked"]);

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
    /**
     * Transfers since the mint (the registry's `ownerEpochOf`): listings and dispensers sell only in the epoch they were
     * set in.
     */
    ownerEpoch: t.bigint().notNull(),
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
    ...createdAtColumns(t),
    ...updatedAtColumns(t),
  }),
  (table) => ({
    kindIdx: index().on(table.kind),
    ownerIdx: index().on(table.owner),
    manifestIdx: index().on(table.manifestCid),
  }),
);

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
  /** Training jobs on this dataset, and jobs starting from this model. */
  trainingJobs: many(job, { relationName: "jobDataset" }),
  fineTuningJobs: many(job, { relationName: "jobBaseModel" }),
}));

/** Every manifest an asset has had: version 1 at publication, one more per `ManifestUpdated`. */
export const assetVersion = onchainTable(
  "asset_version",
  (t) => ({
    assetId: t.bigint().notNull(),
    version: t.integer().notNull(),
    manifestCid: t.text().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.assetId, table.version] }) }),
);

export const assetVersionRelations = relations(assetVersion, ({ one }) => ({
  asset: one(asset, { fields: [assetVersion.assetId], references: [asset.id] }),
}));

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

export const assetParentRelations = relations(assetParent, ({ one }) => ({
  child: one(asset, { fields: [assetParent.childId], references: [asset.id], relationName: "child" }),
  parent: one(asset, { fields: [assetParent.parentId], references: [asset.id], relationName: "parent" }),
}));

/** State changes (`AssetStateChanged`). */
export const assetStateChange = onchainTable(
  "asset_state_change",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    previousState: assetState().notNull(),
    newState: assetState().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ assetIdx: index().on(table.assetId) }),
);

export const assetStateChangeRelations = relations(assetStateChange, ({ one }) => ({
  asset: one(asset, { fields: [assetStateChange.assetId], references: [asset.id] }),
}));

/** ERC-721 transfers of asset NFTs, the mint included (`from` = zero address). */
export const assetTransfer = onchainTable(
  "asset_transfer",
  (t) => ({
    id: t.text().primaryKey(),
    assetId: t.bigint().notNull(),
    from: t.hex().notNull(),
    to: t.hex().notNull(),
    ...eventColumns(t),
  }),
  (table) => ({ assetIdx: index().on(table.assetId), toIdx: index().on(table.to), fromIdx: index().on(table.from) }),
);

export const assetTransferRelations = relations(assetTransfer, ({ one }) => ({
  asset: one(asset, { fields: [assetTransfer.assetId], references: [asset.id] }),
}));

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
