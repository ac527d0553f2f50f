/**
 * What the domain files of the schema share: the conventions every table follows, and the column groups that many
 * tables repeat, as helpers to spread into a table's columns. Conventions:
 * - Token amounts are `bigint` columns (numeric(78) in SQL, strings in GraphQL JSON) in the token's smallest unit; the
 *   token's decimals live in `token` (every amount row has a `token` relation), so a dApp formats them exactly.
 * - CIDs are strings in their canonical form (CIDv1 base32, `bafy...`, as in the registry's tokenURI).
 * - Addresses are lowercase hex. Ids of event rows are Ponder's event ids, which sort in chain order.
 * - Every row carries the block number, timestamp and transaction of the event that last wrote it (`*At*` columns).
 * - Aggregates (counts, revenue, earnings, stakes, progress) are maintained incrementally by the handlers.
 *
 * ponder.schema.ts does not re-export this file, so the helpers stay out of `ponder:schema`. Keep tables and enums out
 * of it too: Ponder only creates what ponder.schema.ts exports.
 */
import type { PgColumnsBuilders } from "ponder";

/**
 * The event a row records: its block, block timestamp and transaction. Spread into every table with one row per event
 * (`...eventColumns(t)`), so that all of them answer the same `block`/`timestamp`/`transaction` filters and orderings.
 */
export function eventColumns(t: PgColumnsBuilders) {
  return {
    block: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    transaction: t.hex().notNull(),
  };
}

/** The event that created an entity (a published asset, a datatoken clone, a job): block, timestamp, transaction. */
export function createdAtColumns(t: PgColumnsBuilders) {
  return {
    createdAtBlock: t.bigint().notNull(),
    createdAtTimestamp: t.bigint().notNull(),
    createdAtTransaction: t.hex().notNull(),
  };
}

/** The event that last changed a row kept up to date by events (an entity or an aggregate): block and timestamp. */
export function updatedAtColumns(t: PgColumnsBuilders) {
  return {
    updatedAtBlock: t.bigint().notNull(),
    updatedAtTimestamp: t.bigint().notNull(),
  };
}
