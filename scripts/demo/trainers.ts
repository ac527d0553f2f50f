/**
 * Launching the trainers of a hub run as separate processes. Honest ones run the shipped trainer's command line
 * (trainer/bin/mycelium-trainer.js). Adversaries run the same command line from the trainer's test harness
 * (trainer/test/harness/trainerProcess.ts) with an adversarial hook (trainer/test/harness/adversarialHooks.ts): the
 * shipped trainer itself has no option to misbehave. Both print one JSON event per line (`--json`), which the hub reads.
 */
import path from "node:path";
import type { Hex } from "viem";
import { spawnTypeScript, type ManagedProcess } from "./processes.ts";

/** The adversaries the trainer's harness can play, and what they do. */
export const ADVERSARIES = {
  scaled: { description: "sends its update scaled 100x (a boosting attack)" },
  "sign-flip": { description: "sends its update pointing away from where training leads" },
  noise: { description: "sends random noise 100x an honest step, claiming its samples" },
  lazy: { description: "sends the model back unchanged (a free rider)" },
} as const;

export type AdversaryKind = keyof typeof ADVERSARIES;

export type LaunchTrainerParameters = {
  name: string;
  role: "honest" | AdversaryKind;
  privateKey: Hex;
  jobId: bigint;
  rpcUrl: string;
  deploymentFile: string;
  /** The trainer's own directory: IPFS blocks, journal. */
  dataDir: string;
  /** Multiaddrs of the nodes holding the dataset and the base model. */
  peers: readonly string[];
  backend: string;
  onLine: (line: string) => void;
};

const TRAINER_ROOT = path.resolve(import.meta.dirname, "..", "..", "trainer");
const SHIPPED_TRAINER = path.join(TRAINER_ROOT, "bin", "mycelium-trainer.js");
const HARNESS_TRAINER = path.join(TRAINER_ROOT, "test", "harness", "trainerProcess.ts");

export function launchTrainer(parameters: LaunchTrainerParameters): ManagedProcess {
  const args = [
    "--job", parameters.jobId.toString(),
    "--rpc", parameters.rpcUrl,
    "--deployment", parameters.deploymentFile,
    "--data-dir", parameters.dataDir,
    "--backend", parameters.backend,
    "--network", "loopback",
    ...parameters.peers.flatMap((peer) => ["--peer", peer]),
    "--json",
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, MYC_PRIVATE_KEY: parameters.privateKey };
  for (const name of ["MYC_KEYSTORE", "MYC_RPC_URL", "MYC_CHAIN_ID", "MYC_DEPLOYMENT", "MYC_PEERS", "MYC_GATEWAYS", "MYC_NETWORK", "MYC_TEST_ADVERSARY"]) delete env[name];
  if (parameters.role !== "honest") env.MYC_TEST_ADVERSARY = parameters.role;
  return spawnTypeScript({
    name: parameters.name,
    script: parameters.role === "honest" ? SHIPPED_TRAINER : HARNESS_TRAINER,
    args,
    env,
    onLine: parameters.onLine,
  });
}
