/**
 * `@mycelium/devkit`: what development, tests, benchmarks and the demo share, and what no user of the protocol needs:
 * the local devnet, the indexer process runner, trainer processes (honest and adversarial), the one test-network
 * fixture, process hygiene (children that end with their parent) and benchmark result files.
 */
export { DEVNET_MNEMONIC, devnetAccount, devnetPrivateKey } from "./devnet/accounts.ts";
export { DevnetStartError, EXIT_WITH_PARENT_PRELOAD, startDevnet } from "./devnet/startDevnet.ts";
export type {
  DeployedContract,
  Deployment,
  Devnet,
  DevnetDeployment,
  StartDevnetErrorType,
  StartDevnetParameters,
  StartDevnetReturnType,
} from "./devnet/startDevnet.ts";
export { chainTime, startTestNetwork } from "./network/testNetwork.ts";
export type { ChainTime, StartTestNetworkParameters, TestNetwork } from "./network/testNetwork.ts";
export { IndexerStartError, freePort, startIndexer, tail } from "./indexer/ponderProcess.ts";
export type { IndexerLogLine, IndexerProcess, StartIndexerParameters } from "./indexer/ponderProcess.ts";
export { Teardown, describeExit, spawnTypeScript } from "./process/processes.ts";
export type { ExitStatus, ManagedProcess, SpawnTypeScriptParameters } from "./process/processes.ts";
export { allProcesses, descendantProcesses, isRunning, procStat, startOrphanParent, waitUntilGone } from "./process/procfs.ts";
export type { OrphanParent, ProcStat } from "./process/procfs.ts";
export { ADVERSARIES, adversarialHooks, isAdversary } from "./trainers/adversarialHooks.ts";
export type { Adversary } from "./trainers/adversarialHooks.ts";
export {
  deltaRms,
  extrapolatedUpdate,
  lazyUpdate,
  noiseUpdate,
  rebasedUpdate,
  scaledUpdate,
  signFlippedUpdate,
  ulpUpdate,
} from "./trainers/adversaries.ts";
export { launchTrainer } from "./trainers/launch.ts";
export type { LaunchTrainerParameters } from "./trainers/launch.ts";
export { TrainerProcess } from "./trainers/processes.ts";
export type { JsonEvent, TrainerProcessOptions } from "./trainers/processes.ts";
export { benchMachine, benchResultsFile, workspaceRoot, writeBenchResult } from "./bench/results.ts";
export { uniqueCid } from "./testing/cid.ts";
export { fashionPixels, idxFile, makeDatasetDirectory, makeModelDirectory, writeFashionMnistFiles } from "./testing/content.ts";
export { useTestNetwork } from "./testing/mocha.ts";
export { tempDirectory } from "./testing/tmp.ts";
export { deployTestPaymentToken } from "./network/paymentToken.ts";
export { propertyRun } from "./testing/property.ts";
export { scriptedJobs } from "./testing/scriptedRound.ts";
export type { ScriptedJobs, ScriptedRound, ScriptedRoundParameters, ScriptedTuple } from "./testing/scriptedRound.ts";
export { conductRounds } from "./testing/conductor.ts";
export type { ConductRoundsParameters, Conductor, ConductorStep } from "./testing/conductor.ts";
