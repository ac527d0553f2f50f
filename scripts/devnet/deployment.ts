/**
 * The deployment file the client and the indexer read (`deployments/<chainId>.json` for `npm run devnet`):
 *
 * ```json
 * { "chainId": 31337, "rpcUrl": "http://127.0.0.1:8545",
 *   "contracts": { "AssetRegistry": { "address": "0x…", "startBlock": 1 }, "Marketplace": { … },
 *                  "DatatokenImplementation": { … }, "PaymentToken": { … } } }
 * ```
 *
 * `contracts` has one entry per key of the LocalProtocol Ignition module's result (ignition/modules/LocalProtocol.ts),
 * so contracts added to the Protocol module appear here by themselves. `startBlock` is the block the contract was
 * created in, where an indexer starts.
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

/** The line prefix the devnet server prints once the deployment is ready, followed by the Deployment as JSON. */
export const READY_PREFIX = "MYC_DEVNET_READY ";
