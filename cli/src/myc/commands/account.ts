/** `myc account`, `myc account new`, `myc account import`, `myc faucet`: the signing account and its funds. */
import type { Command } from "commander";
import type { Hex } from "viem";
import { getBalance } from "viem/actions";
import { generatePrivateKey } from "viem/accounts";
import {
  contractAddress,
  faucet,
  InvalidArgumentError,
  KeystoreError,
  NATIVE_CURRENCY,
  readBalance,
  readToken,
  writeKeystoreFile,
  formatAmount,
} from "@mycelium/client";
import type { CliContext } from "../../kit/context.ts";
import type { Run } from "../main.ts";
import { parseAddress, parseAmount } from "../../kit/parse.ts";
import { promptHidden } from "../../kit/prompt.ts";

export function register(program: Command, run: Run): void {
  const account = program.command("account").description("the account that signs: show it, create or import a keystore");

  account
    .command("show", { isDefault: true })
    .description("address and balances of the configured account")
    .action(
      run(async (ctx: CliContext) => {
        const { address } = await ctx.account();
        const client = await ctx.client();
        const paymentToken = client.deployment.contracts.PaymentToken?.address;
        const [native, token, tokenBalance] = await Promise.all([
          getBalance(client, { address }),
          paymentToken ? readToken(client, paymentToken) : null,
          paymentToken ? readBalance(client, paymentToken, address) : null,
        ]);
        ctx.output.result(
          {
            address,
            source: ctx.accountSource,
            chainId: client.chain.id,
            balance: native,
            paymentToken: token && { ...token, balance: tokenBalance },
          },
          [
            `Account ${address} (from ${ctx.accountSource}) on chain ${client.chain.id}`,
            `  ${formatAmount(native, NATIVE_CURRENCY)}`,
            ...(token && tokenBalance !== null ? [`  ${formatAmount(tokenBalance, token)} (payment token ${token.address})`] : []),
          ],
        );
      }),
    );

  account
    .command("new")
    .description("create a new account in an encrypted keystore file (--keystore <file>)")
    .action(run(async (ctx: CliContext) => saveKeystore(ctx, generatePrivateKey())));

  account
    .command("import")
    .description("encrypt an existing private key (from MYC_PRIVATE_KEY, or typed at a hidden prompt) into --keystore <file>")
    .action(
      run(async (ctx: CliContext) => {
        const key = ctx.env.MYC_PRIVATE_KEY ?? (await promptHidden("Private key (hidden): "));
        const normalized = (key.trim().startsWith("0x") ? key.trim() : `0x${key.trim()}`) as Hex;
        if (!/^0x[0-9a-fA-F]{64}$/.test(normalized)) {
          throw new InvalidArgumentError({ parameter: "private key", value: "(hidden)", expected: "0x followed by 64 hex digits" });
        }
        await saveKeystore(ctx, normalized);
      }),
    );

  program
    .command("faucet [amount]")
    .description("mint test payment tokens on a local chain (the devnet's PaymentToken has an open mint)")
    .option("--to <address>", "recipient (default: you)")
    .action(
      run(async (ctx: CliContext, amount: string | undefined, options: { to?: string }) => {
        const client = await ctx.signer();
        const token = await readToken(client, contractAddress(client.deployment, "PaymentToken"));
        const minted = await ctx.withSpinner("Minting test tokens", (tx) =>
          faucet(client, {
            amount: parseAmount(amount ?? "1000", token.decimals, "amount"),
            to: options.to === undefined ? undefined : parseAddress(options.to, "--to"),
            ...tx,
          }),
        );
        ctx.output.result({ ...minted, symbol: token.symbol, decimals: token.decimals }, [
          `Minted ${formatAmount(minted.amount, token)} to ${minted.to}.`,
          `  transaction ${minted.hash}`,
        ]);
      }),
    );
}

async function saveKeystore(ctx: CliContext, privateKey: Hex): Promise<void> {
  const file = ctx.options.keystore ?? ctx.env.MYC_KEYSTORE;
  if (!file)
    throw new InvalidArgumentError({ parameter: "--keystore", value: "(missing)", expected: "the path of the keystore file to write" });
  let password = ctx.env.MYC_KEYSTORE_PASSWORD;
  if (password === undefined) {
    password = await promptHidden(`New password for ${file}: `);
    if ((await promptHidden("Repeat the password: ")) !== password) {
      throw new KeystoreError("The passwords differ.", { path: file, hint: "Run the command again and type the same password twice." });
    }
  }
  if (password.length === 0)
    throw new KeystoreError("The password is empty.", { path: file, hint: "Choose a password; the file is only as safe as it is." });
  const saved = await writeKeystoreFile(file, privateKey, password);
  ctx.output.result({ address: saved.address, keystore: file }, [
    `Saved account ${saved.address} to ${file} (encrypted).`,
    `  use it with --keystore ${file} (or MYC_KEYSTORE=${file}); back the file and its password up separately.`,
  ]);
}
