/**
 * PostgreSQL housekeeping around Ponder's shared `ponder_sync` schema, where Ponder keeps raw chain data (blocks, logs,
 * transactions) keyed by chain id only. Two local devnets with the same chain id are different chains with the same
 * addresses, so data cached from one must never be read for the other.
 */
import pg from "pg";

/** Deletes every row Ponder cached for `chainId` in `ponder_sync` (no-op when the schema does not exist). */
export async function forgetChainData(client: pg.Client, chainId: number): Promise<void> {
  const tables = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.columns WHERE table_schema = 'ponder_sync' AND column_name = 'chain_id'",
  );
  for (const { table_name } of tables.rows) {
    await client.query(`DELETE FROM ponder_sync."${table_name.replaceAll('"', '""')}" WHERE chain_id = $1`, [chainId]);
  }
}

/** Whether a schema exists. */
export async function schemaExists(client: pg.Client, schema: string): Promise<boolean> {
  const result = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
  return result.rowCount !== null && result.rowCount > 0;
}

/** Runs `work` with a connected client, closed afterwards. */
export async function withPostgres<result>(connectionString: string, work: (client: pg.Client) => Promise<result>): Promise<result> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
