import type { HardhatUserConfig } from "hardhat/config";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox-viem";

const SOLC_VERSION = "0.8.28";
const SOLC_SETTINGS = { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "cancun", viaIR: false };

// The compiler cannot be downloaded on our machines (and CI is offline but for package registries), so compile with the
// solc-js build shipped in the `solc` npm package, pinned to exactly the version above.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

const config: HardhatUserConfig = {
  // Solidity in src/ (test/ holds the TypeScript tests, src/test/ the contracts only tests use). Ignition keeps its
  // deployment journals under ignition/deployments/, or under MYC_IGNITION_DIR/deployments/ (tests use a temporary one).
  paths: { sources: "src", ignition: process.env.MYC_IGNITION_DIR || "ignition" },
  solidity: {
    compilers: [{ version: SOLC_VERSION, settings: SOLC_SETTINGS }],
    overrides: {
      // TrainingJobs goes through the IR pipeline, which inlines its packed-slot accessors: about 6,000 gas less per
      // round call and 19 KB of code instead of 25 KB (over the 24,576-byte EIP-170 limit with the legacy pipeline).
      // 200 runs keep the code size well below the limit for under 200 gas per call (bench/results/gas.json).
      "src/training/TrainingJobs.sol": {
        version: SOLC_VERSION,
        settings: { ...SOLC_SETTINGS, optimizer: { enabled: true, runs: 200 }, viaIR: true },
      },
    },
  },
  networks: {
    hardhat: {
      // Deterministic accounts and a fixed chain id for tests; nothing in the code assumes 31337. A devnet may ask for
      // another id (scripts/devnet), for example to run two chains side by side.
      chainId: Number(process.env.MYC_DEVNET_CHAIN_ID ?? 31337),
      // Devnets for short training windows let blocks share a timestamp (scripts/devnet/startDevnet.ts); tests keep
      // Hardhat's default of one second more per block.
      allowBlocksWithSameTimestamp: process.env.MYC_DEVNET_SAME_TIMESTAMP === "1",
    },
    localhost: {
      url: process.env.MYC_RPC_URL ?? "http://127.0.0.1:8545",
    },
    // Any chain by URL, for `npm run deploy` (scripts/deploy.ts): signs with MYC_DEPLOYER_KEY, else the node's accounts.
    rpc: {
      url: process.env.MYC_RPC_URL ?? "http://127.0.0.1:8545",
      accounts: process.env.MYC_DEPLOYER_KEY ? [process.env.MYC_DEPLOYER_KEY] : "remote",
    },
  },
  gasReporter: { enabled: false },
  mocha: { timeout: 120_000 },
};

export default config;
