/**
 * Launching the trainers of a hub run as separate processes: honest ones run the shipped trainer, adversaries run
 * ./adversary.ts, which builds a dishonest trainer from the shipped trainer's hooks (the trainer itself has no option
 * to misbehave).
 */
import path from "node:path";
import type { Hex } from "viem";
import { spawnTypeScript, type ManagedProcess } from "./processes.ts";

/** The adversaries ./adversary.ts can play. */
export const ADVERSARIES = {
  boost: { description: "sends its honest update scaled 100x (a boosting attack)" },
  "sign-flip": { description: "sends its update pointing away from where training leads" },
  noise: { description: "sends random noise as large as an honest step, claiming its samples" },
  lazy: { description: "sends the base model plus a little noise without training (a free rider)" },
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
  stake: bigint;
  backend: string;
  onLine: (line: string) => void;
};

const REPOSITORY_ROOT = path.resolve(import.meta.dirname, "..", "..");

export function launchTrainer(parameters: LaunchTrainerParameters): ManagedProcess {
  throw new Error(`The trainer process is not available yet (${parameters.name}, ${REPOSITORY_ROOT}).`);
  return spawnTypeScript({ name: parameters.name, script: "", onLine: parameters.onLine });
}
