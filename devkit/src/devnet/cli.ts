/**
 * `npm run devnet`: starts a local chain on 127.0.0.1 (port MYC_DEVNET_PORT, default 8545; MYC_DEVNET_CHAIN_ID,
 * default 31337) with the protocol and a 6-decimal test payment token deployed, writes deployments/<chainId>.json (in
 * the directory `npm run devnet` was typed in, or MYC_DEPLOYMENTS_DIR) and
 * runs until Ctrl-C. MYC_DEVNET_VERBOSE=1 logs every RPC call; MYC_DEVNET_SAME_TIMESTAMP=1 lets blocks share a timestamp
 * (see startDevnet's allowBlocksWithSameTimestamp: wanted for training jobs with windows of a few seconds).
 */
import path from "node:path";
import { startDevnet } from "./startDevnet.ts";

async function main(): Promise<void> {
  const devnet = await startDevnet({
    port: Number(process.env.MYC_DEVNET_PORT ?? 8545),
    chainId: process.env.MYC_DEVNET_CHAIN_ID === undefined ? undefined : Number(process.env.MYC_DEVNET_CHAIN_ID),
    // npm runs this in the devkit package; the file goes where the user typed `npm run devnet` (INIT_CWD).
    deploymentFile: (deployment) =>
      path.join(
        process.env.MYC_DEPLOYMENTS_DIR || path.join(process.env.INIT_CWD ?? process.cwd(), "deployments"),
        `${deployment.chainId}.json`,
      ),
    verbose: process.env.MYC_DEVNET_VERBOSE === "1",
    onLog: (line) => console.log(line),
  });
  console.log(`Devnet ready at ${devnet.rpcUrl} (chain ${devnet.chainId}); deployment written to ${devnet.deploymentFile}`);
  for (const [name, { address, startBlock }] of Object.entries(devnet.deployment.contracts)) {
    console.log(`  ${name.padEnd(24)} ${address} (block ${startBlock})`);
  }
  console.log("Press Ctrl-C to stop.");
  const shutdown = () => {
    void devnet.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
