import { zeroAddress, type Address } from "viem";
import { marketplaceAbi } from "../abis/index.ts";
import { toId } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { readProtocol } from "../chain/transaction.ts";
import type { ReadActionErrorType } from "../errors/types.ts";

export type GetListingParameters = { assetId: bigint | number };

/** How an asset's datatokens can be had: a fixed-rate listing and/or a dispenser of free tokens. */
export type GetListingReturnType = {
  assetId: bigint;
  /** The listing, or null when the asset is not for sale. */
  listing: { paymentToken: Address; price: bigint } | null;
  /** The dispenser's per-wallet limit in whole tokens, or null when it has no open dispenser. */
  dispenser: { maxPerWallet: bigint } | null;
};

export type GetListingErrorType = ReadActionErrorType;

/** Reads an asset's listing and dispenser from the Marketplace. */
export async function getListing(client: MyceliumClient, parameters: GetListingParameters): Promise<GetListingReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const common = {
    action: `Reading the listing of asset ${assetId}`,
    address: contractAddress(client.deployment, "Marketplace"),
    abi: marketplaceAbi,
  } as const;
  const [listing, maxPerWallet] = await Promise.all([
    readProtocol(client, { ...common, functionName: "listingOf", args: [assetId] }),
    readProtocol(client, { ...common, functionName: "dispenserOf", args: [assetId] }),
  ]);
  return {
    assetId,
    listing:
      listing.price === 0n || listing.paymentToken === zeroAddress ? null : { paymentToken: listing.paymentToken, price: listing.price },
    dispenser: maxPerWallet === 0n ? null : { maxPerWallet },
  };
}
