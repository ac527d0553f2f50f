import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { AssetRegistryModule } from "./AssetRegistry";

/**
 * The Marketplace for the registry's datatokens.
 *
 * Parameters (module id `Marketplace`): `admin` (may change the protocol fee, Ownable2Step; default: the deployer),
 * `treasury` (receives the protocol fee; default: the deployer), `protocolFeeBps` (default 10 = 0.1%, cap 100).
 */
export const MarketplaceModule = buildModule("Marketplace", (m) => {
  const { AssetRegistry } = m.useModule(AssetRegistryModule);
  const deployer = m.getAccount(0);
  const admin = m.getParameter("admin", deployer);
  const treasury = m.getParameter("treasury", deployer);
  const protocolFeeBps = m.getParameter("protocolFeeBps", 10);
  const Marketplace = m.contract("Marketplace", [AssetRegistry, admin, treasury, protocolFeeBps]);
  return { Marketplace };
});

export default MarketplaceModule;
