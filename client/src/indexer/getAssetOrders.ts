import type { IndexerClient, IndexerRequestOptions } from "./client.ts";
import { queryPage } from "./client.ts";
import { addressParameter, ORDER_FIELDS, parseOrder, type IndexedOrder, type IndexerPage, type PageParameters } from "./types.ts";

export type GetAssetOrdersParameters = IndexerRequestOptions &
  PageParameters & {
    assetId: bigint;
    /** Only the orders of this consumer. */
    consumer?: string | undefined;
  };

export type GetAssetOrdersReturnType = IndexerPage<IndexedOrder>;

/** The access orders (receipts) of an asset. Pages of 100 by default, at most 1,000, newest first by default. */
export async function getAssetOrders(client: IndexerClient, parameters: GetAssetOrdersParameters): Promise<GetAssetOrdersReturnType> {
  const where: Record<string, unknown> = { assetId: parameters.assetId.toString() };
  if (parameters.consumer !== undefined) where.consumer = addressParameter("consumer", parameters.consumer);
  return queryPage(
    client,
    {
      list: "orders",
      filterType: "orderFilter",
      where,
      fields: ORDER_FIELDS,
      orderBy: "id",
      defaultDirection: "desc",
      defaultLimit: 100,
      maxLimit: 1_000,
    },
    parameters,
    parseOrder,
  );
}
