/**
 * Where the indexer reads its chain, contracts and database from: environment variables first, then the deployment
 * JSON written by `npm run devnet` (or any file of the same shape). Pure and synchronous so that ponder.config.ts, the
 * launcher (scripts/start.ts), the tests and the benchmark all resolve the same settings the same way.
 *
 * | Variable                              | Meaning                                                                  |
 * | ------------------------------------- | ------------------------------------------------------------------------ |
 * | MYC_DEPLOYMENT                        | Path of a deployment JSON `{ chainId, rpcUrl, contracts }`              |
 * | MYC_CHAIN_ID                          | Chain id; without MYC_DEPLOYMENT selects deployments/<id>.json           |
 * | MYC_RPC_URL                           | JSON-RPC URL(s), comma-separated for fallbacks; overrides the file's     |
 * | MYC_WS_URL                            | Optional WebSocket URL for new blocks                                    |
 * | MYC_<CONTRACT>_ADDRESS                | Address override (ASSET_REGISTRY, MARKETPLACE, TRAINING_JOBS)            |
 * | MYC_<CONTRACT>_START_BLOCK            | Start block override (same names)                                        |
 * | MYC_POLLING_INTERVAL_MS               | How often to poll for new blocks (default 100, Ponder's minimum)         |
 * | MYC_RPC_LANES                         | Rate-limit lanes per RPC URL (default 10 on loopback, 1 elsewhere)       |
 * | MYC_RPC_CACHE                         | `true`/`false`: cache RPC results (default: off on 31337 and 1337)       |
 * | MYC_GETLOGS_BLOCK_RANGE               | Largest eth_getLogs block range the RPC accepts (default: auto)          |
 * | MYC_INDEXER_DIR                       | PGlite data directory (default indexer/.ponder/pglite)                   |
 * | DATABASE_URL                          | PostgreSQL connection string; when set, PostgreSQL replaces PGlite       |
 */
import fs from "node:fs";
import path from "node:path";
import { findDeploymentsDirectory, newestDeploymentFile, readDeploymentFile, type Deployment } from "@mycelium/client/deployment";
import { BaseError } from "@mycelium/client/errors";
import { INDEXER_ROOT } from "./root.ts";

/** Contracts the indexer reads, by their key in the deployment JSON, with the prefix of their env overrides. */
export const INDEXED_CONTRACTS = {
  AssetRegistry: "MYC_ASSET_REGISTRY",
  Marketplace: "MYC_MARKETPLACE",
  TrainingJobs: "MYC_TRAINING_JOBS",
} as const;

export type IndexedContractName = keyof typeof INDEXED_CONTRACTS;

export type ContractLocation = { address: `0x${string}`; startBlock: number };

export type DatabaseSettings = { kind: "pglite"; directory: string } | { kind: "postgres"; connectionString: string };

export type IndexerSettings = {
  chainId: number;
  /** One or more JSON-RPC URLs (more than one: Ponder balances and falls back between them). */
  rpcUrls: string[];
  /**
   * How many times each URL is given to Ponder. Ponder throttles every URL it is given to 20 requests/s at first and
   * raises that by 5% at a time after seconds of full use: right for hosted providers, far too slow for a node on
   * loopback (a backfill of a few hundred requests would wait on the throttle for most of its time). Listing a URL
   * N times gives it N independent budgets.
   */
  rpcLanes: number;
  wsUrl: string | undefined;
  pollingIntervalMs: number;
  rpcCache: boolean;
  ethGetLogsBlockRange: number | undefined;
  contracts: Record<IndexedContractName, ContractLocation>;
  database: DatabaseSettings;
  /** The deployment file the settings came from, if any. */
  deploymentFile: string | undefined;
};

/** Local development chains: reset often with the same addresses, so cached RPC results would be stale. */
export const LOCAL_CHAIN_IDS: ReadonlySet<number> = new Set([31337, 1337]);
const DEFAULT_POLLING_INTERVAL_MS = 100;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const DEFAULT_LOOPBACK_LANES = 10;

/** The settings are incomplete or contradictory. */
export class IndexerConfigError extends BaseError {
  override name = "IndexerConfigError";
  static override readonly code: string = "INDEXER_CONFIG";
  constructor(shortMessage: string, params: { details?: string; hint?: string; cause?: unknown } = {}) {
    super(shortMessage, {
      details: params.details,
      hint:
        params.hint ??
        "Start a devnet with `npm run devnet` (it writes deployments/<chainId>.json), or set MYC_DEPLOYMENT=<path to a " +
          "deployment JSON>, or set MYC_RPC_URL, MYC_CHAIN_ID, MYC_ASSET_REGISTRY_ADDRESS, MYC_ASSET_REGISTRY_START_BLOCK, " +
          "MYC_MARKETPLACE_ADDRESS, MYC_MARKETPLACE_START_BLOCK, MYC_TRAINING_JOBS_ADDRESS and MYC_TRAINING_JOBS_START_BLOCK " +
          "(see indexer/README.md).",
      cause: params.cause,
    });
  }
}

export type ResolveSettingsOptions = {
  /** Environment to read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directory relative paths are resolved against; default `INIT_CWD` (where `npm run` was typed) or the cwd. */
  cwd?: string;
  /** Directory of `<chainId>.json` files; default the `deployments/` folder of `cwd` or its nearest ancestor. */
  deploymentsDir?: string;
};

/** Resolves the indexer's settings. Throws IndexerConfigError with what is missing and how to provide it. */
export function resolveSettings(options: ResolveSettingsOptions = {}): IndexerSettings {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? env.INIT_CWD ?? process.cwd();
  const deploymentsDir = options.deploymentsDir ?? findDeploymentsDirectory(cwd) ?? path.join(cwd, "deployments");

  const envChainId = optionalInteger(env, "MYC_CHAIN_ID");
  const deploymentFile = findDeploymentFile(env.MYC_DEPLOYMENT, envChainId, cwd, deploymentsDir);
  const file = deploymentFile === undefined ? undefined : readDeploymentFile(deploymentFile);

  const fileChainId = file?.chainId;
  if (envChainId !== undefined && fileChainId !== undefined && envChainId !== fileChainId) {
    throw new IndexerConfigError(`MYC_CHAIN_ID (${envChainId}) differs from the deployment's chainId (${fileChainId}).`, {
      details: `File: ${deploymentFile}`,
      hint: "Unset MYC_CHAIN_ID, or point MYC_DEPLOYMENT at the deployment of that chain.",
    });
  }
  const chainId = envChainId ?? fileChainId;
  if (chainId === undefined) {
    throw new IndexerConfigError("No deployment to index: no deployment file was found and MYC_CHAIN_ID is not set.", {
      details: `Looked for ${env.MYC_DEPLOYMENT === undefined ? `${deploymentsDir}/*.json` : env.MYC_DEPLOYMENT}.`,
    });
  }

  const rpcSource = nonEmpty(env.MYC_RPC_URL) ?? (typeof file?.rpcUrl === "string" ? file.rpcUrl : undefined);
  if (rpcSource === undefined) {
    throw new IndexerConfigError(`No RPC URL for chain ${chainId}.`, {
      hint: "Set MYC_RPC_URL=<http(s) URL>, or use a deployment file with an rpcUrl.",
    });
  }
  const rpcUrls = rpcSource
    .split(",")
    .map((url) => url.trim())
    .filter((url) => url.length > 0);
  for (const url of rpcUrls) {
    if (!/^https?:\/\//.test(url) && !/^wss?:\/\//.test(url)) {
      throw new IndexerConfigError(`The RPC URL "${url}" is not an http(s) or ws(s) URL.`, {
        hint: "Set MYC_RPC_URL to one URL, or several separated by commas.",
      });
    }
  }

  const contracts = {} as Record<IndexedContractName, ContractLocation>;
  for (const [name, prefix] of Object.entries(INDEXED_CONTRACTS) as [IndexedContractName, string][]) {
    contracts[name] = resolveContract(name, prefix, env, file, deploymentFile);
  }

  const rpcCacheSetting = nonEmpty(env.MYC_RPC_CACHE);
  let rpcCache = !LOCAL_CHAIN_IDS.has(chainId);
  if (rpcCacheSetting !== undefined) {
    if (!["true", "false", "1", "0"].includes(rpcCacheSetting)) {
      throw new IndexerConfigError(`MYC_RPC_CACHE must be true or false, not "${rpcCacheSetting}".`);
    }
    rpcCache = rpcCacheSetting === "true" || rpcCacheSetting === "1";
  }

  const allLoopback = rpcUrls.every((url) => LOOPBACK_HOSTS.has(new URL(url).hostname));
  const rpcLanes = optionalInteger(env, "MYC_RPC_LANES") ?? (allLoopback ? DEFAULT_LOOPBACK_LANES : 1);
  if (rpcLanes < 1 || rpcLanes > 100) throw new IndexerConfigError(`MYC_RPC_LANES must be between 1 and 100, not ${rpcLanes}.`);

  const pollingIntervalMs = optionalInteger(env, "MYC_POLLING_INTERVAL_MS") ?? DEFAULT_POLLING_INTERVAL_MS;
  if (pollingIntervalMs < 100) {
    throw new IndexerConfigError(`MYC_POLLING_INTERVAL_MS must be at least 100 (Ponder's minimum), not ${pollingIntervalMs}.`);
  }

  const databaseUrl = nonEmpty(env.DATABASE_URL);
  const database: DatabaseSettings =
    databaseUrl !== undefined
      ? { kind: "postgres", connectionString: databaseUrl }
      : {
          kind: "pglite",
          directory: path.resolve(cwd, nonEmpty(env.MYC_INDEXER_DIR) ?? path.join(INDEXER_ROOT, ".ponder", "pglite")),
        };

  return {
    chainId,
    rpcUrls,
    rpcLanes,
    wsUrl: nonEmpty(env.MYC_WS_URL),
    pollingIntervalMs,
    rpcCache,
    ethGetLogsBlockRange: optionalInteger(env, "MYC_GETLOGS_BLOCK_RANGE"),
    contracts,
    database,
    deploymentFile,
  };
}

function findDeploymentFile(
  explicit: string | undefined,
  chainId: number | undefined,
  cwd: string,
  deploymentsDir: string,
): string | undefined {
  const given = nonEmpty(explicit);
  if (given !== undefined) {
    const file = path.resolve(cwd, given);
    if (!fs.existsSync(file)) {
      throw new IndexerConfigError(`MYC_DEPLOYMENT names a file that does not exist: ${file}`, {
        hint: "Check the path (relative paths are resolved against the directory you ran the command in).",
      });
    }
    return file;
  }
  if (chainId !== undefined) {
    const file = path.join(deploymentsDir, `${chainId}.json`);
    return fs.existsSync(file) ? file : undefined;
  }
  // The newest deployment: what `npm run devnet` wrote last.
  return newestDeploymentFile(deploymentsDir);
}

function resolveContract(
  name: IndexedContractName,
  prefix: string,
  env: NodeJS.ProcessEnv,
  file: Deployment | undefined,
  deploymentFile: string | undefined,
): ContractLocation {
  const entry = file?.contracts?.[name];
  const address = nonEmpty(env[`${prefix}_ADDRESS`]) ?? entry?.address;
  if (address === undefined) {
    throw new IndexerConfigError(`No address for ${name}.`, {
      details:
        deploymentFile === undefined
          ? `No deployment file was found and ${prefix}_ADDRESS is not set.`
          : `${deploymentFile} has no contracts.${name} and ${prefix}_ADDRESS is not set.`,
    });
  }
  if (typeof address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new IndexerConfigError(`The address of ${name} is not a 20-byte hex address: ${String(address)}.`);
  }
  const startBlock = optionalInteger(env, `${prefix}_START_BLOCK`) ?? entry?.startBlock ?? 0;
  if (typeof startBlock !== "number" || !Number.isSafeInteger(startBlock) || startBlock < 0) {
    throw new IndexerConfigError(`The start block of ${name} is not a block number: ${String(startBlock)}.`);
  }
  return { address: address.toLowerCase() as `0x${string}`, startBlock };
}

function optionalInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new IndexerConfigError(`${name} must be a non-negative integer, not "${raw}".`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
