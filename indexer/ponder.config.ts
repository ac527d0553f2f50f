/**
 * Ponder configuration, resolved from environment variables and the deployment JSON (lib/settings.ts documents every
 * variable). Datatoken clones are discovered from the registry's `DatatokenCreated` event with `factory()`.
 */
import { createConfig, factory } from "ponder";
import { getAbiItem } from "viem";
import { assetRegistryAbi, datatokenAbi, marketplaceAbi, trainingJobsAbi } from "@mycelium/client/abis";
import { claimPgliteDirectory } from "./lib/pgliteGuard.ts";
import { resolveSettings } from "./lib/settings.ts";

const settings = resolveSettings();
// Commands that open the database (not `ponder codegen`) claim the PGlite directory, and rebuild after a crash.
const opensDatabase = ["start", "dev", "serve"].some((command) => process.argv.includes(command));
if (settings.database.kind === "pglite" && opensDatabase) claimPgliteDirectory(settings.database.directory);
const { AssetRegistry, Marketplace, TrainingJobs } = settings.contracts;

export default createConfig({
  database:
    settings.database.kind === "postgres"
      ? { kind: "postgres", connectionString: settings.database.connectionString }
      : { kind: "pglite", directory: settings.database.directory },
  chains: {
    mycelium: {
      id: settings.chainId,
      // Each URL listed `rpcLanes` times: Ponder rate-limits per listed URL (see lib/settings.ts).
      rpc: settings.rpcUrls.flatMap((url) => Array<string>(settings.rpcLanes).fill(url)),
      ws: settings.wsUrl,
      pollingInterval: settings.pollingIntervalMs,
      disableCache: !settings.rpcCache,
      ethGetLogsBlockRange: settings.ethGetLogsBlockRange,
    },
  },
  contracts: {
    AssetRegistry: {
      chain: "mycelium",
      abi: assetRegistryAbi,
      address: AssetRegistry.address,
      startBlock: AssetRegistry.startBlock,
    },
    Datatoken: {
      chain: "mycelium",
      abi: datatokenAbi,
      address: factory({
        address: AssetRegistry.address,
        event: getAbiItem({ abi: assetRegistryAbi, name: "DatatokenCreated" }),
        parameter: "datatoken",
      }),
      startBlock: AssetRegistry.startBlock,
    },
    Marketplace: {
      chain: "mycelium",
      abi: marketplaceAbi,
      address: Marketplace.address,
      startBlock: Marketplace.startBlock,
    },
    TrainingJobs: {
      chain: "mycelium",
      abi: trainingJobsAbi,
      address: TrainingJobs.address,
      startBlock: TrainingJobs.startBlock,
    },
  },
});
