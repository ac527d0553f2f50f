import { parseUnits, zeroAddress, type Address, type TransactionReceipt } from "viem";
import type { CID } from "multiformats/cid";
import { assetRegistryAbi } from "../abis/index.ts";
import { toAddress, toId, toUint } from "../chain/args.ts";
import { assetKindOrdinal, type AssetKind } from "../chain/assetTypes.ts";
import { cidToHex } from "../chain/cid.ts";
import { toCid, type CidLike } from "../storage/cid.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

/** Datatoken supply minted at publication when a datatoken is asked for without one: 100 whole tokens. */
export const DEFAULT_INITIAL_SUPPLY = parseUnits("100", 18);

export type PublishAssetParameters = {
  kind: AssetKind;
  /** CID of the manifest, already stored (use `publish` to upload content and build the manifest first). */
  manifestCid: CidLike;
  /** Lineage: ids of the assets this one derives from (at most 16, existing, distinct). */
  parents?: readonly (bigint | number)[] | undefined;
  /**
   * Create the asset's datatoken in the same transaction: seconds of access per order (0 or omitted: unlimited) and
   * units minted to the publisher (18 decimals; default DEFAULT_INITIAL_SUPPLY). Implied by `listing`.
   */
  datatoken?: { accessPeriod?: bigint | number | undefined; initialSupply?: bigint | undefined } | undefined;
  /**
   * Open a fixed-rate listing in the same transaction: price of one whole datatoken in the smallest unit of the
   * payment token (default: the deployment's PaymentToken). The Marketplace is approved to sell the minted supply.
   */
  listing?: { price: bigint; paymentToken?: Address | undefined } | undefined;
} & TransactionOptions;

export type PublishAssetReturnType = TransactionResult & {
  assetId: bigint;
  manifestCid: CID;
  /** The new datatoken, or null when none was asked for. */
  datatoken: Address | null;
  listing: { paymentToken: Address; price: bigint } | null;
};

export type PublishAssetErrorType = WriteActionErrorType;

/**
 * Mints an asset NFT for a stored manifest, with its datatoken and a listing when asked, in one transaction
 * (`publish`, `publishWithDatatoken` or `publishWithDatatokenAndListing`). The caller owns the new asset.
 */
export async function publishAsset(client: MyceliumClient, parameters: PublishAssetParameters): Promise<PublishAssetReturnType> {
  const action = "Publishing the asset";
  const registry = contractAddress(client.deployment, "AssetRegistry");
  const kind = assetKindOrdinal(parameters.kind);
  const manifestCid = toCid(parameters.manifestCid);
  const cidHex = cidToHex(manifestCid);
  const parents = (parameters.parents ?? []).map((parent, index) => toId(parent, `parents[${index}]`));
  const common = {
    action,
    address: registry,
    abi: assetRegistryAbi,
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  } as const;

  const wantsDatatoken = parameters.datatoken !== undefined || parameters.listing !== undefined;
  const datatokenParams = {
    accessPeriod: toUint(parameters.datatoken?.accessPeriod ?? 0n, "datatoken.accessPeriod", 64),
    initialSupply: toUint(parameters.datatoken?.initialSupply ?? DEFAULT_INITIAL_SUPPLY, "datatoken.initialSupply"),
  };
  let listing: PublishAssetReturnType["listing"] = null;
  let receipt: TransactionReceipt;
  if (parameters.listing) {
    const paymentToken = parameters.listing.paymentToken
      ? toAddress(parameters.listing.paymentToken, "listing.paymentToken")
      : contractAddress(client.deployment, "PaymentToken");
    const price = toUint(parameters.listing.price, "listing.price", 96);
    listing = { paymentToken, price };
    const marketplace = contractAddress(client.deployment, "Marketplace");
    receipt = await sendContractTransaction(client, {
      ...common,
      functionName: "publishWithDatatokenAndListing",
      args: [kind, cidHex, parents, datatokenParams, { marketplace, paymentToken, price }],
    });
  } else if (wantsDatatoken) {
    receipt = await sendContractTransaction(client, {
      ...common,
      functionName: "publishWithDatatoken",
      args: [kind, cidHex, parents, datatokenParams],
    });
  } else {
    const owner = client.account?.address ?? zeroAddress;
    receipt = await sendContractTransaction(client, { ...common, functionName: "publish", args: [owner, kind, cidHex, parents] });
  }

  const [published] = eventsOf(receipt, { abi: assetRegistryAbi, eventName: "AssetPublished", address: registry, action });
  const datatoken = wantsDatatoken
    ? eventsOf(receipt, { abi: assetRegistryAbi, eventName: "DatatokenCreated", address: registry, action })[0]!.args.datatoken
    : null;
  return {
    hash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    assetId: published!.args.assetId,
    manifestCid,
    datatoken,
    listing,
  };
}
