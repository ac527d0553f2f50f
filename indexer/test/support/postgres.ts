/**
 * The PostgreSQL the indexer's tests use: DATABASE_URL (CI exports it from .ci/postgres.sh), or the database that
 * script creates on this machine. Each test run indexes into a schema of its own and drops it afterwards.
 */
import pg from "pg";
import { forgetChainData, withPostgres } from "../../lib/postgres.ts";

/** What .ci/postgres.sh creates with its defaults. */
const LOCAL_DEFAULT = "postgresql://mycelium:mycelium@127.0.0.1:5432/mycelium_test";

/** The connection string to test with; throws with setup instructions when nothing answers there. */
export async function postgresUrl(): Promise<string> {
  const url = process.env.DATABASE_URL ?? LOCAL_DEFAULT;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (cause) {
    throw new Error(
      `No PostgreSQL at ${url.replace(/:[^:@/]*@/, ":***@")} for the indexer's PostgreSQL test. ` +
        `Run \`eval "$(.ci/postgres.sh)"\` as root (installs and starts Debian's PostgreSQL, creates the test role and ` +
        `database, exports DATABASE_URL), or set DATABASE_URL to a database where the tests may create schemas.`,
      { cause },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  return url;
}

/**
 * Drops the schema a test indexed into, and the rows Ponder cached for the test's chain in its shared `ponder_sync`
 * schema (keyed by chain id).
 */
export async function dropPostgresSchema(url: string, schema: string, chainId: number): Promise<void> {
  await withPostgres(url, async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', "")}" CASCADE`);
    await forgetChainData(client, chainId);
  });
}
