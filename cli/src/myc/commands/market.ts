/** Buyers' commands: `myc buy`, `myc order`, `myc dispense`. */
import type { Command } from "commander";
import { maxUint64 } from "viem";
import {
  buy,
  buyAccess,
  ContractRevertedError,
  dispense,
  getAsset,
  getListing,
  InvalidArgumentError,
  type MyceliumClient,
  order,
  readToken,
  formatAmount,
} from "@mycelium/client";
import type { CliContext } from "../../kit/context.ts";
import type { Run } from "../main.ts";
import { parseAddress, parseAmount, parseBps, parseCount, parseId } from "../../kit/parse.ts";

type BuyOptions = { consumer?: string; tokens?: string; maxPayment?: string; marketFee?: string; marketFeeRecipient?: string };

export function register(program: Command, run: Run): void {
  program
    .command("buy <id>")
    .description("buy access to an asset: one permit signature, one transaction (or --tokens N to buy datatokens)")
    .option("--consumer <address>", "who gets access (default: you)")
    .option("--tokens <n>", "buy N datatokens to hold instead (spend them later with `myc order`)")
    .option("--max-payment <amount>", "refuse to pay more than this, fees included, in payment tokens (default: the current price)")
    .option("--market-fee <bps>", "consume-market fee for a front-end, in basis points (100 = 1%)")
    .option("--market-fee-recipient <address>", "who receives the market fee")
    .action(run(async (ctx: CliContext, id: string, options: BuyOptions) => buyCommand(ctx, parseId(id, "asset id"), options)));

  program
    .command("order <id>")
    .description("spend one datatoken you hold on access to the asset")
    .option("--consumer <address>", "who gets access (default: you)")
    .action(
      run(async (ctx: CliContext, id: string, options: { consumer?: string }) => {
        const client = await ctx.signer();
        const consumer = options.consumer === undefined ? undefined : parseAddress(options.consumer, "--consumer");
        const ordered = await ctx.withSpinner("Ordering", (tx) => order(client, { assetId: parseId(id, "asset id"), consumer, ...tx }));
        ctx.output.result(ordered, [
          `Access to asset ${ordered.assetId} for ${ordered.consumer} ${validity(ordered.validUntil)}.`,
          `  transaction ${ordered.hash}`,
        ]);
      }),
    );

  program
    .command("dispense <id>")
    .description("take free datatokens from an asset's dispenser")
    .option("--count <n>", "whole tokens to take", "1")
    .action(
      run(async (ctx: CliContext, id: string, options: { count: string }) => {
        const client = await ctx.signer();
        const dispensed = await ctx.withSpinner("Dispensing", (tx) =>
          dispense(client, { assetId: parseId(id, "asset id"), count: parseCount(options.count, "--count"), ...tx }),
        );
        ctx.output.result(dispensed, [
          `Received ${dispensed.count} datatoken(s) of asset ${dispensed.assetId}; spend one with \`myc order ${dispensed.assetId}\`.`,
          `  transaction ${dispensed.hash}`,
        ]);
      }),
    );
}

async function buyCommand(ctx: CliContext, assetId: bigint, options: BuyOptions): Promise<void> {
  const marketFee = parseMarketFee(options);
  const consumer = options.consumer === undefined ? undefined : parseAddress(options.consumer, "--consumer");
  const client = await ctx.signer();
  const token = await paymentTokenOf(client, assetId);
  const maxPayment = options.maxPayment === undefined ? undefined : parseAmount(options.maxPayment, token.decimals, "--max-payment");
  if (options.tokens !== undefined) {
    if (consumer !== undefined)
      throw new InvalidArgumentError({
        parameter: "--consumer",
        value: consumer,
        expected: "no consumer with --tokens (tokens go to you)",
      });
    const count = parseCount(options.tokens, "--tokens");
    const bought = await ctx.withSpinner("Buying", (tx) => buy(client, { assetId, count, maxPayment, marketFee, ...tx }));
    ctx.output.result({ ...bought, paymentTokenSymbol: token.symbol, paymentTokenDecimals: token.decimals }, [
      `Bought ${bought.count} datatoken(s) of asset ${assetId} for ${formatAmount(bought.total, token)}; ` +
        `spend one with \`myc order ${assetId}\`.`,
      `  transaction ${bought.hash}`,
    ]);
    return;
  }
  const access = await ctx.withSpinner("Buying access", (tx) => buyAccess(client, { assetId, consumer, maxPayment, marketFee, ...tx }));
  ctx.output.result({ ...access, paymentTokenSymbol: token.symbol, paymentTokenDecimals: token.decimals }, [
    `Bought access to asset ${assetId} for ${access.consumer}, ${validity(access.validUntil)}; paid ${formatAmount(access.total, token)}.`,
    `  transaction ${access.hash}`,
  ]);
}

/** The payment token of an asset's listing (NotListed when it has none). */
async function paymentTokenOf(client: MyceliumClient, assetId: bigint) {
  const { listing } = await getListing(client, { assetId });
  if (listing === null) {
    // An unknown asset has no listing either: say which of the two it is.
    await getAsset(client, { assetId });
    throw new ContractRevertedError({ errorName: "NotListed", args: { assetId } });
  }
  return readToken(client, listing.paymentToken);
}

function parseMarketFee(options: BuyOptions) {
  if (options.marketFee === undefined && options.marketFeeRecipient === undefined) return undefined;
  if (options.marketFee === undefined || options.marketFeeRecipient === undefined) {
    throw new InvalidArgumentError({
      parameter: "--market-fee",
      value: options.marketFee ?? "(missing)",
      expected: "--market-fee and --market-fee-recipient together",
    });
  }
  return {
    bps: parseBps(options.marketFee, "--market-fee"),
    recipient: parseAddress(options.marketFeeRecipient, "--market-fee-recipient"),
  };
}

function validity(validUntil: bigint): string {
  return validUntil === maxUint64 ? "without expiry" : `until ${new Date(Number(validUntil) * 1000).toISOString()}`;
}
