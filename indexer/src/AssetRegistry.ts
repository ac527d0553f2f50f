/**
 * AssetRegistry: assets (kind, manifest versions, lineage, state, owner and owner epoch), NFT transfers and approvals
 * (a transfer voids the previous owner's listing and dispenser), and the datatokens it creates. `MetadataUpdate` (ERC-4906) is not handled: the registry emits it only right after
 * `ManifestUpdated`, which carries everything it says; `BatchMetadataUpdate` is never emitted.
 */
import { ponder } from "ponder:registry";
import {
  asset,
  assetParent,
  assetStateChange,
  assetTransfer,
  assetVersion,
  datatoken,
  dispenser,
  dispenserChange,
  listing,
  listingChange,
  operatorApproval,
} from "ponder:schema";
import { zeroAddress } from "viem";
import { ASSET_KINDS, ASSET_STATES, cidToString, enumName } from "../lib/encoding.ts";

ponder.on("AssetRegistry:AssetPublished", async ({ event, context }) => {
  const { assetId, owner, kind, publisher, manifestCid, parents } = event.args;
  const cid = cidToString(manifestCid);
  const { number: block, timestamp } = event.block;
  const transaction = event.transaction.hash;
  await context.db.insert(asset).values({
    id: assetId,
    kind: enumName(ASSET_KINDS, kind, "AssetKind"),
    state: "active",
    owner,
    publisher,
    approved: null,
    ownerEpoch: 0n,
    manifestCid: cid,
    version: 1,
    parentIds: [...parents],
    datatokenAddress: null,
    orderCount: 0,
    purchaseCount: 0,
    datatokensSold: 0n,
    datatokensDispensed: 0n,
    createdAtBlock: block,
    createdAtTimestamp: timestamp,
    createdAtTransaction: transaction,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  });
  await context.db.insert(assetVersion).values({ assetId, version: 1, manifestCid: cid, block, timestamp, transaction });
  if (parents.length > 0) {
    await context.db.insert(assetParent).values(parents.map((parentId, position) => ({ childId: assetId, parentId, position })));
  }
});

ponder.on("AssetRegistry:ManifestUpdated", async ({ event, context }) => {
  const { assetId, version, manifestCid } = event.args;
  const cid = cidToString(manifestCid);
  const { number: block, timestamp } = event.block;
  await context.db.update(asset, { id: assetId }).set({ manifestCid: cid, version, updatedAtBlock: block, updatedAtTimestamp: timestamp });
  await context.db
    .insert(assetVersion)
    .values({ assetId, version, manifestCid: cid, block, timestamp, transaction: event.transaction.hash });
});

ponder.on("AssetRegistry:AssetStateChanged", async ({ event, context }) => {
  const { assetId, previousState, newState } = event.args;
  const state = enumName(ASSET_STATES, newState, "AssetState");
  const { number: block, timestamp } = event.block;
  await context.db.update(asset, { id: assetId }).set({ state, updatedAtBlock: block, updatedAtTimestamp: timestamp });
  await context.db.insert(assetStateChange).values({
    id: event.id,
    assetId,
    previousState: enumName(ASSET_STATES, previousState, "AssetState"),
    newState: state,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
});

ponder.on("AssetRegistry:DatatokenCreated", async ({ event, context }) => {
  const { assetId, datatoken: address, accessPeriod, initialSupply } = event.args;
  const { number: block, timestamp } = event.block;
  // The initial supply is minted right after this event by the clone's own Transfer, which adds it to totalSupply.
  // Hex columns are stored lowercase by Ponder, whatever the case given.
  await context.db.insert(datatoken).values({
    address,
    assetId,
    accessPeriod,
    initialSupply,
    totalSupply: 0n,
    orderCount: 0,
    createdAtBlock: block,
    createdAtTimestamp: timestamp,
    createdAtTransaction: event.transaction.hash,
  });
  await context.db
    .update(asset, { id: assetId })

    .set({ datatokenAddress: address, updatedAtBlock: block, updatedAtTimestamp: timestamp });
});

ponder.on("AssetRegistry:Transfer", async ({ event, context }) => {
  const { from, to, tokenId } = event.args;
  const { number: block, timestamp } = event.block;
  await context.db.insert(assetTransfer).values({
    id: event.id,
    assetId: tokenId,
    from,
    to,
    block,
    timestamp,
    transaction: event.transaction.hash,
  });
  // A mint precedes AssetPublished in the same transaction, which creates the row with its owner.
  if (from === zeroAddress) return;
  // Every other transfer starts a new owner epoch: the previous owner's listing and dispenser lapse (no event says so).
  await context.db.update(asset, { id: tokenId }).set((row) => ({
    owner: to,
    approved: null,
    ownerEpoch: row.ownerEpoch + 1n,
    updatedAtBlock: block,
    updatedAtTimestamp: timestamp,
  }));
  const lapsed = { id: event.id, assetId: tokenId, action: "lapsed" as const, block, timestamp, transaction: event.transaction.hash };
  if ((await context.db.find(listing, { assetId: tokenId }))?.active) {
    await context.db.update(listing, { assetId: tokenId }).set({ active: false, updatedAtBlock: block, updatedAtTimestamp: timestamp });
    await context.db.insert(listingChange).values({ ...lapsed, paymentToken: null, price: null, owner: null });
  }
  if ((await context.db.find(dispenser, { assetId: tokenId }))?.active) {
    await context.db.update(dispenser, { assetId: tokenId }).set({ active: false, updatedAtBlock: block, updatedAtTimestamp: timestamp });
    await context.db.insert(dispenserChange).values({ ...lapsed, maxPerWallet: null });
  }
});

ponder.on("AssetRegistry:Approval", async ({ event, context }) => {
  const { approved, tokenId } = event.args;
  await context.db.update(asset, { id: tokenId }).set({
    approved: approved === zeroAddress ? null : approved,
    updatedAtBlock: event.block.number,
    updatedAtTimestamp: event.block.timestamp,
  });
});

ponder.on("AssetRegistry:ApprovalForAll", async ({ event, context }) => {
  const { owner, operator, approved } = event.args;
  const { number: block, timestamp } = event.block;
  await context.db
    .insert(operatorApproval)
    .values({ owner, operator, approved, block, timestamp })
    .onConflictDoUpdate({ approved, block, timestamp });
});
