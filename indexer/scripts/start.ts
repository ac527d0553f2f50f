/**
 * `npm run indexer` (root) / `npm start -w indexer`: runs `ponder start` on the deployment that lib/settings.ts
 * resolves (by default the newest deployments/*.json, as written by `npm run devnet`).
 *
 * Before starting it checks the RPC answers with the expected chain id, and it names the data by the chain's identity
 * (chain id and genesis block hash): a local devnet restarted on the same chain id redeploys the same addresses, and
 * an index (or Ponder's crash-recovery state) of the old chain must not be mistaken for the new one. Defaults, all
 * overridable: PGlite directory `indexer/.ponder/<chainId>-<genesis>` (MYC_INDEXER_DIR), PostgreSQL schema
 * `myc_<chainId>_<genesis>` (DATABASE_SCHEMA), HTTP port 42069 (MYC_INDEXER_PORT).
 */
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { BaseError } from "@mycelium/client/errors";
import { INDEXER_ROOT, PONDER_CLI } from "../lib/cli.ts";
import { forgetChainData, schemaExists, withPostgres } from "../lib/postgres.ts";
import { IndexerConfigError, LOCAL_CHAIN_IDS, resolveSettings } from "../lib/settings.ts";

async function main(): Promise<number> {
  const settings = resolveSettings();
  const rpcUrl = settings.rpcUrls[0]!;
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 1, timeout: 10_000 }) });
  let chainId: number;
  let genesisHash: string;
  try {
    chainId = await client.getChainId();
    genesisHash = (await client.getBlock({ blockNumber: 0n })).hash;
  } catch (cause) {
    throw new IndexerConfigError(`Cannot reach the JSON-RPC endpoint ${rpcUrl}.`, {
      hint: "Start the chain (`npm run devnet` for a local one) or set MYC_RPC_URL to a reachable endpoint.",
      cause,
    });
  }
  if (chainId !== settings.chainId) {
    throw new IndexerConfigError(`The RPC at ${rpcUrl} serves chain ${chainId}, not chain ${settings.chainId}.`, {
      hint: "Point MYC_RPC_URL and MYC_DEPLOYMENT (or MYC_CHAIN_ID) at the same chain.",
    });
  }
  const identity = `${chainId}-${genesisHash.slice(2, 10)}`;

  const env: NodeJS.ProcessEnv = { PONDER_TELEMETRY_DISABLED: "true", ...process.env };
  if (settings.deploymentFile !== undefined) env.MYC_DEPLOYMENT = settings.deploymentFile;
  if (settings.database.kind === "pglite" && process.env.MYC_INDEXER_DIR === undefined) {
    env.MYC_INDEXER_DIR = path.join(INDEXER_ROOT, ".ponder", identity);
  }
  const schema = process.env.DATABASE_SCHEMA ?? (settings.database.kind === "postgres" ? `myc_${identity.replace("-", "_")}` : "mycelium");
  if (settings.database.kind === "postgres" && LOCAL_CHAIN_IDS.has(chainId)) {
    // A new local chain (its schema does not exist yet) reuses the chain id and addresses of earlier ones: drop what
    // Ponder cached for them, or it would be read as this chain's data.
    await withPostgres(settings.database.connectionString, async (client) => {
      if (!(await schemaExists(client, schema))) {
        await forgetChainData(client, chainId);
        console.log(`New local chain ${chainId}: cleared Ponder's cached data of earlier chains with this id.`);
      }
    });
  }
  const port = process.env.MYC_INDEXER_PORT ?? process.env.PORT ?? "42069";
  delete env.PORT;

  console.log(
    `Indexing chain ${chainId} (genesis ${genesisHash.slice(0, 10)}…) from ${settings.deploymentFile ?? "environment variables"}` +
      ` into ${settings.database.kind === "postgres" ? `PostgreSQL schema ${schema}` : env.MYC_INDEXER_DIR}; GraphQL at http://localhost:${port}/graphql`,
  );
  const child = spawn(process.execPath, [PONDER_CLI, "start", "--schema", schema, "--port", port], {
    cwd: INDEXER_ROOT,
    env,
    stdio: "inherit",
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : os.constants.signals[signal]))),
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof BaseError ? error.message : error);
    process.exit(1);
  },
);
