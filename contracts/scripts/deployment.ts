/**
 * The deployment file these scripts write (`deployments/<chainId>.json`), in the format the client's `loadDeployment`
 * reads and validates (client/src/chain/deployment.ts, the one parser of these files):
 *
 * ```json
 * { "chainId": 31337, "rpcUrl": "http://127.0.0.1:8545",
 *   "contracts": { "AssetRegistry": { "address": "0x…", "startBlock": 1 }, "Marketplace": { … },
 *                  "DatatokenImplementation": { … }, "PaymentToken": { … } } }
 * ```
 *
 * `contracts` has one entry per key of the Ignition module's result, so contracts added to the Protocol module appear
 * here by themselves. `startBlock` is the block the contract was created in, where an indexer starts. Types only.
 */
export type DeployedContract = {
  address: `0x${string}`;
  startBlock: number;
};

export type Deployment = {
  chainId: number;
  rpcUrl: string;
  contracts: Record<string, DeployedContract>;
};
