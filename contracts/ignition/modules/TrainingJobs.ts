import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { AssetRegistryModule } from "./AssetRegistry";

/**
 * TrainingJobs, bound to the protocol's AssetRegistry (it checks dataset and base model kinds there and mints trained
 * models there). No parameters.
 */
export const TrainingJobsModule = buildModule("TrainingJobs", (m) => {
  const { AssetRegistry } = m.useModule(AssetRegistryModule);
  const TrainingJobs = m.contract("TrainingJobs", [AssetRegistry]);
  return { TrainingJobs };
});

export default TrainingJobsModule;
