import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The AssetRegistry. Its constructor deploys the Datatoken implementation that every datatoken clone delegates to;
 * the module exposes it as `DatatokenImplementation` so deployments can record its address.
 */
export const AssetRegistryModule = buildModule("AssetRegistry", (m) => {
  const AssetRegistry = m.contract("AssetRegistry");
  const implementationAddress = m.staticCall(AssetRegistry, "datatokenImplementation");
  const DatatokenImplementation = m.contractAt("Datatoken", implementationAddress, { id: "DatatokenImplementation" });
  return { AssetRegistry, DatatokenImplementation };
});

export default AssetRegistryModule;
