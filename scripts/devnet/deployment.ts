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
 *
 * Types only: this file is shared by the ESM library (startDevnet.ts) and the CommonJS server (scripts/devnet-server.ts).
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
