/** Per-account earnings, shared by the handlers of every contract that pays accounts. */
import type { Context } from "ponder:registry";
import { accountEarning } from "ponder:schema";
import type { Address } from "viem";

export type EarningSource = "sales" | "marketFees" | "protocolFees" | "trainingRewards";

/** Adds `amount` of `tokenAddress` from `source` to `account`'s earnings, in one upsert. */
export async function addEarning(
  context: Context,
  account: Address,
  tokenAddress: Address,
  source: EarningSource,
  amount: bigint,
  block: bigint,
  timestamp: bigint,
): Promise<void> {
  await context.db
    .insert(accountEarning)
    .values({
      account,
      tokenAddress,
      sales: source === "sales" ? amount : 0n,
      marketFees: source === "marketFees" ? amount : 0n,
      protocolFees: source === "protocolFees" ? amount : 0n,
      trainingRewards: source === "trainingRewards" ? amount : 0n,
      total: amount,
      paymentCount: 1,
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    })
    .onConflictDoUpdate((row) => ({
      [source]: row[source] + amount,
      total: row.total + amount,
      paymentCount: row.paymentCount + 1,
      updatedAtBlock: block,
      updatedAtTimestamp: timestamp,
    }));
}
