/**
 * `npm run deploy`: deploys the protocol to any EVM chain with Ignition (`hardhat run --network rpc`) and writes
 * `deployments/<chainId>.json` in the directory it was run from (or MYC_DEPLOYMENTS_DIR), the file `myc`, the trainer
 * and the indexer read.
 *
 * Environment:
 * - MYC_RPC_URL: the chain's JSON-RPC URL (required; the `rpc` network of hardhat.config.ts).
 * - MYC_DEPLOYER_KEY: the deployer's private key (0x…); without it, the node's first unlocked account.
 * - MYC_DEPLOY_TEST_TOKEN=1: also deploy the 6-decimal test payment token whose `mint` is open to anyone (the
 *   LocalProtocol module, with the devnet's few-second minimum window unless the parameters set one): for test
 *   networks only. Otherwise pass a real ERC-20 to `myc` (`--reward-token`, listings'
 *   payment token) or add it to the file as contracts.PaymentToken.
 * - MYC_IGNITION_PARAMETERS: a JSON file of Ignition parameters, for example
 *   `{ "Marketplace": { "admin": "0x…", "treasury": "0x…", "protocolFeeBps": 10 }, "TrainingJobs": { "minWindow": 300 } }`.
 *
 * Ignition keeps its journal in contracts/ignition/deployments/chain-<chainId>/: run the command again after an interruption and
 * it resumes. A contract's `startBlock` (where the indexer starts) is the block the chain was at before this run, or,
 * for a contract deployed by an earlier run, its creation block (found with eth_getCode, which needs an archive node;
 * 0 if the node cannot tell).
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import LocalProtocolModule, { DEVNET_PARAMETERS } from "../ignition/modules/LocalProtocol";
import ProtocolModule from "../ignition/modules/Protocol";
import { creationBlock } from "./creationBlock";
import type { Deployment, DeployedContract } from "./deployment";

async function main(): Promise<void> {
  if (hre.network.name !== "rpc")
    throw new Error(`Run this through \`npm run deploy\` (the rpc network), not --network ${hre.network.name}.`);
  const url = (hre.network.config as { url: string }).url;
  const provider = hre.network.provider;
  const chainId = Number(await provider.request({ method: "eth_chainId" }));
  const blockBefore = Number(await provider.request({ method: "eth_blockNumber" }));
  const module = process.env.MYC_DEPLOY_TEST_TOKEN === "1" ? LocalProtocolModule : ProtocolModule;
  const parametersFile = process.env.MYC_IGNITION_PARAMETERS;
  const given = parametersFile ? JSON.parse(fs.readFileSync(parametersFile, "utf8")) : {};
  const parameters = module === LocalProtocolModule ? { ...DEVNET_PARAMETERS, ...given } : given;
  console.log(`Deploying ${module.id} to chain ${chainId} at ${url} (block ${blockBefore})`);

  const deployed = (await hre.ignition.deploy(module, { parameters, displayUi: true })) as Record<string, { address: `0x${string}` }>;
  const contracts: Record<string, DeployedContract> = {};
  for (const [name, contract] of Object.entries(deployed)) {
    const existedBefore =
      (await provider.request({ method: "eth_getCode", params: [contract.address, `0x${blockBefore.toString(16)}`] }).catch(() => "0x")) !==
      "0x";
    contracts[name] = {
      address: contract.address,
      startBlock: existedBefore ? await creationBlock(provider, contract.address, blockBefore).catch(() => 0) : blockBefore,
    };
  }
  const deployment: Deployment = { chainId, rpcUrl: url, contracts };
  // npm runs this script in the contracts package; the file goes where the user ran `npm run deploy` (INIT_CWD).
  const directory = process.env.MYC_DEPLOYMENTS_DIR || path.join(process.env.INIT_CWD ?? process.cwd(), "deployments");
  const file = path.resolve(directory, `${chainId}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  console.log(`Wrote ${path.relative(process.cwd(), file)}:`);
  for (const [name, { address, startBlock }] of Object.entries(contracts))
    console.log(`  ${name.padEnd(24)} ${address} (block ${startBlock})`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
