/**
 * Tokens and accounts: the ERC-20 tokens amounts are paid in, and what each account earned in each of them. Other
 * domains point at `token` (listings, purchases, revenue, jobs, stakes) for its decimals; this file imports no other
 * domain.
 */
import { index, onchainTable, primaryKey, relations } from "ponder";
import { updatedAtColumns } from "./common.ts";

/**
 * ERC-20 tokens amounts are paid in: Marketplace payment tokens (announced with their decimals by
 * `PaymentTokenRegistered`) and the tokens of training jobs, for rewards and stakes (their `decimals()` read once, when
 * a job first names them; null for a token without `decimals()`).
 */
export const token = onchainTable("token", (t) => ({
  address: t.hex().primaryKey(),
  decimals: t.integer(),
  isPaymentToken: t.boolean().notNull(),
  /** Some training job pays rewards and takes stakes in it. */
  isJobToken: t.boolean().notNull(),
  firstSeenAtBlock: t.bigint().notNull(),
  firstSeenAtTimestamp: t.bigint().notNull(),
}));

export const tokenRelations = relations(token, ({ many }) => ({
  earnings: many(accountEarning),
}));

/**
 * What an account earned, per token: sales of its datatokens (the listing price part), consume-market fees it was
 * named recipient of, protocol fees it received as treasury, and training rewards it claimed (forfeited stake reaches
 * trainers only through rewards: slashing pays its caller nothing). `total` is their sum.
 */
export const accountEarning = onchainTable(
  "account_earning",
  (t) => ({
    account: t.hex().notNull(),
    tokenAddress: t.hex().notNull(),
    sales: t.bigint().notNull(),
    marketFees: t.bigint().notNull(),
    protocolFees: t.bigint().notNull(),
    trainingRewards: t.bigint().notNull(),
    total: t.bigint().notNull(),
    /** Number of payments that made up the total. */
    paymentCount: t.integer().notNull(),
    ...updatedAtColumns(t),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.account, table.tokenAddress] }),
    tokenIdx: index().on(table.tokenAddress),
  }),
);

export const accountEarningRelations = relations(accountEarning, ({ one }) => ({
  token: one(token, { fields: [accountEarning.tokenAddress], references: [token.address] }),
}));
