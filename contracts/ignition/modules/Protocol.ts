import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { AssetRegistryModule } from "./AssetRegistry";
import { MarketplaceModule } from "./Marketplace";
import { TrainingJobsModule } from "./TrainingJobs";

/**
 * Everything a public deployment needs. The keys of the result are the contract names written to deployment JSON
 * files (`deployments/<chainId>.json`), so a contract added here appears there without further changes.
 */
export const ProtocolModule = buildModule("Protocol", (m) => {
  const { AssetRegistry, DatatokenImplementation } = m.useModule(AssetRegistryModule);
  const { Marketplace } = m.useModule(MarketplaceModule);
  const { TrainingJobs } = m.useModule(TrainingJobsModule);
  return { AssetRegistry, DatatokenImplementation, Marketplace, TrainingJobs };
});

export default ProtocolModule;
