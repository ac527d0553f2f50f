import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { AssetRegistryModule } from "./AssetRegistry";

/** The shortest window a public deployment allows by default: five minutes, so a congested chain still takes a reveal. */
export const PUBLIC_MIN_WINDOW = 300;

/**
 * TrainingJobs, bound to the protocol's AssetRegistry (it checks dataset and base model there and mints trained models
 * there), with its JobSetup library linked (job creation lives there to keep TrainingJobs under the code size limit).
 *
 * Parameters (module id `TrainingJobs`): `minWindow`, the shortest round window and claim period a job may have, in
 * seconds (default PUBLIC_MIN_WINDOW; the devnet deploys with a few seconds, see LocalProtocol's DEVNET_PARAMETERS).
 */
export const TrainingJobsModule = buildModule("TrainingJobs", (m) => {
  const { AssetRegistry } = m.useModule(AssetRegistryModule);
  const minWindow = m.getParameter("minWindow", PUBLIC_MIN_WINDOW);
  const JobSetup = m.library("JobSetup");
  const TrainingJobs = m.contract("TrainingJobs", [AssetRegistry, minWindow], { libraries: { JobSetup } });
  return { TrainingJobs };
});

export default TrainingJobsModule;
