/** `myc config` (what the CLI would use, and whether it works) and `myc devnet` (how to get a local chain). */
import type { Command } from "commander";
import { getBlockNumber } from "viem/actions";
import { BaseError, DEFAULT_RPC_URL } from "@mycelium/client";
import { ENVIRONMENT, type CliContext } from "../../kit/context.ts";
import { EXIT_CODES, exitCodeOf } from "../../kit/exitCodes.ts";
import type { Run } from "../main.ts";

/** Hardhat's account #0: a key published in Hardhat's documentation, funded on every devnet. Never use it elsewhere. */
const DEVNET_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

export function register(program: Command, run: Run): void {
  program
    .command("config")
    .description("show the RPC, chain, deployment and account the CLI resolves, and check the connection")
    .action(
      run(async (ctx: CliContext) => {
        const resolved = {
          rpcUrl: ctx.rpcUrl ?? null,
          expectedChainId: ctx.chainId ?? null,
          deployment: ctx.deployment ?? null,
          account: ctx.accountSource,
          environment: Object.fromEntries(
            Object.keys(ENVIRONMENT).map((name) => [
              name,
              name.includes("PRIVATE_KEY") || name.includes("PASSWORD") ? (ctx.env[name] ? "(set)" : null) : (ctx.env[name] ?? null),
            ]),
          ),
        };
        let connection: Record<string, unknown>;
        let failure: unknown = null;
        try {
          const client = await ctx.client();
          connection = {
            ok: true,
            rpcUrl: client.chain.rpcUrls.default.http[0],
            chainId: client.chain.id,
            blockNumber: await getBlockNumber(client),
            contracts: Object.fromEntries(Object.entries(client.deployment.contracts).map(([name, { address }]) => [name, address])),
          };
        } catch (error) {
          failure = error;
          connection = {
            ok: false,
            error: error instanceof BaseError ? { name: error.name, message: error.shortMessage, hint: error.hint ?? null } : String(error),
          };
        }
        let address: string | null = null;
        if (ctx.accountSource)
          address = await ctx.account().then(
            (account) => account.address,
            (error: unknown) => `unusable: ${(error as Error).message.split("\n")[0]}`,
          );
        const lines = [
          `RPC         ${resolved.rpcUrl ?? `(default) ${DEFAULT_RPC_URL} or the deployment's rpcUrl`}`,
          `deployment  ${resolved.deployment ?? "(found by chain id: deployments/<chainId>.json)"}`,
          `account     ${address ? `${address} (from ${ctx.accountSource})` : "none (set MYC_PRIVATE_KEY or --keystore to sign)"}`,
        ];
        if (connection.ok) {
          lines.push(`connected   chain ${connection.chainId} at block ${connection.blockNumber} via ${connection.rpcUrl}`);
          for (const [name, contract] of Object.entries(connection.contracts as Record<string, string>))
            lines.push(`  ${name.padEnd(24)} ${contract}`);
        } else {
          const error = connection.error as { message: string; hint: string | null };
          lines.push(`connection  FAILED: ${error.message}`, ...(error.hint ? [`  hint: ${error.hint}`] : []));
        }
        ctx.output.result({ ...resolved, address, connection }, lines);
        // The report is printed either way; a failed connection still exits with its error's code, so scripts notice.
        return failure === null ? EXIT_CODES.ok : exitCodeOf(failure);
      }),
    );

  program
    .command("devnet")
    .description("how to run a local chain with the protocol deployed, and whether one is running")
    .action(
      run(async (ctx: CliContext) => {
        let running: { chainId: number; rpcUrl: string } | null = null;
        try {
          const client = await ctx.client();
          running = { chainId: client.chain.id, rpcUrl: client.chain.rpcUrls.default.http[0]! };
        } catch {
          running = null;
        }
        ctx.output.result({ running, command: "npm run devnet", devnetPrivateKey: DEVNET_KEY }, [
          running
            ? `A chain with a Mycelium deployment is running: chain ${running.chainId} at ${running.rpcUrl}.`
            : "No Mycelium chain answers at the configured RPC.",
          "",
          "Start a local chain with everything deployed, in the Mycelium repository:",
          "  npm run devnet        # 127.0.0.1:8545 (MYC_DEVNET_PORT), writes deployments/<chainId>.json",
          "Then, in another terminal inside the repository (myc finds deployments/ from there):",
          `  export MYC_PRIVATE_KEY=${DEVNET_KEY}   # Hardhat's public test account #0: never use it elsewhere`,
          "  npx myc faucet 1000   # test payment tokens",
          "  npx myc config        # check the connection",
        ]);
      }),
    );
}
