/**
 * Launching the trainers of a hub run as separate processes. Honest ones run the shipped trainer's command line (the
 * trainer package's `mycelium-trainer` bin). Adversaries run the same command line from ./trainerProcess.ts with an
 * adversarial hook (./adversarialHooks.ts): the shipped trainer itself has no option to misbehave. Both print one JSON
 * event per line (`--json`), which the hub reads.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Hex } from "viem";
import { spawnTypeScript, type ManagedProcess } from "../process/processes.ts";

import type { Adversary } from "./adversarialHooks.ts";

export type LaunchTrainerParameters = {
  name: string;
  role: "honest" | Adversary;
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

/** The trainer package's `mycelium-trainer` bin, as its package.json names it. */
const SHIPPED_TRAINER = (() => {
  const manifest = createRequire(import.meta.url).resolve("@mycelium/trainer/package.json");
  const { bin } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { bin: Record<string, string> };
  return path.resolve(path.dirname(manifest), bin["mycelium-trainer"]!);
})();
const HARNESS_TRAINER = path.join(import.meta.dirname, "trainerProcess.ts");

export function launchTrainer(parameters: LaunchTrainerParameters): ManagedProcess {
  const args = [
    "--job",
    parameters.jobId.toString(),
    "--rpc",
    parameters.rpcUrl,
    "--deployment",
    parameters.deploymentFile,
    "--data-dir",
    parameters.dataDir,
    "--backend",
    parameters.backend,
    "--network",
    "loopback",
    ...parameters.peers.flatMap((peer) => ["--peer", peer]),
    "--json",
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, MYC_PRIVATE_KEY: parameters.privateKey };
  for (const name of [
    "MYC_KEYSTORE",
    "MYC_RPC_URL",
    "MYC_CHAIN_ID",
    "MYC_DEPLOYMENT",
    "MYC_PEERS",
    "MYC_GATEWAYS",
    "MYC_NETWORK",
    "MYC_TEST_ADVERSARY",
  ])
    delete env[name];
  if (parameters.role !== "honest") env.MYC_TEST_ADVERSARY = parameters.role;
  return spawnTypeScript({
    name: parameters.name,
    script: parameters.role === "honest" ? SHIPPED_TRAINER : HARNESS_TRAINER,
    args,
    env,
    onLine: parameters.onLine,
  });
}
