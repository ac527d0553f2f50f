import type { Address } from "viem";
import { marketplaceAbi } from "../abis/index.ts";
import { toId, toUint } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { readProtocol } from "../chain/transaction.ts";
import type { ReadActionErrorType } from "../errors/types.ts";
import { getListing } from "./getListing.ts";
import { ContractRevertedError } from "../errors/contract.ts";

export type QuoteParameters = {
  assetId: bigint | number;
  /** Whole datatokens (default 1). */
  count?: bigint | number | undefined;
  /** Consume-market fee in basis points of the base price (default 0, at most 500). */
  marketFeeBps?: number | undefined;
};

/** What a purchase costs now, in the smallest unit of `paymentToken`: `total = base + protocolFee + marketFee`. */
export type QuoteReturnType = {
  assetId: bigint;
  count: bigint;
  paymentToken: Address;
  /** Price of one whole datatoken. */
  price: bigint;
  base: bigint;
  protocolFee: bigint;
  marketFee: bigint;
  total: bigint;
};

export type QuoteErrorType = ReadActionErrorType;

/** Prices a purchase of `count` datatokens (NotListed when the asset is not for sale). */
export async function quote(client: MyceliumClient, parameters: QuoteParameters): Promise<QuoteReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const count = toUint(parameters.count ?? 1n, "count", 64);
  const marketFeeBps = Number(toUint(parameters.marketFeeBps ?? 0, "marketFeeBps", 16));
  const [{ listing }, [base, protocolFee, marketFee, total]] = await Promise.all([
    getListing(client, { assetId }),
    readProtocol(client, {
      action: `Pricing asset ${assetId}`,
      address: contractAddress(client.deployment, "Marketplace"),
      abi: marketplaceAbi,
      functionName: "quote",
      args: [assetId, count, marketFeeBps],
    }),
  ]);
  // quote() reverts NotListed itself; a listing closed between the two reads is reported the same way.
  if (listing === null) throw new ContractRevertedError({ errorName: "NotListed", args: { assetId } });
  return { assetId, count, paymentToken: listing.paymentToken, price: listing.price, base, protocolFee, marketFee, total };
}
