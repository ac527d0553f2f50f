/** Asset owners' commands: update, state, datatoken, mint, list, unlist, dispenser. */
import type { Command } from "commander";
import { parseUnits } from "viem";
import {
  ASSET_STATES,
  closeDispenser,
  closeListing,
  contractAddress,
  createDatatoken,
  mintDatatokens,
  readToken,
  setAssetState,
  setDispenser,
  setListing,
  updateManifest,
  formatAmount,
} from "@mycelium/client";
import type { CliContext } from "../../kit/context.ts";
import type { Run } from "../main.ts";
import { parseAddress, parseAmount, parseChoice, parseCount, parseDuration, parseId } from "../../kit/parse.ts";

const WHOLE_TOKEN = parseUnits("1", 18);

export function register(program: Command, run: Run): void {
  program
    .command("update <id>")
    .description("point an asset at a new manifest (owner only; bumps its version)")
    .requiredOption("--manifest <cid>", "CID of the new manifest")
    .action(
      run(async (ctx: CliContext, id: string, options: { manifest: string }) => {
        const client = await ctx.signer();
        const updated = await ctx.withSpinner("Updating the manifest", (tx) =>
          updateManifest(client, { assetId: parseId(id, "asset id"), manifestCid: options.manifest, ...tx }),
        );
        ctx.output.result(updated, [
          `Asset ${updated.assetId} is at version ${updated.version} (manifest ${updated.manifestCid}).`,
          `  transaction ${updated.hash}`,
        ]);
      }),
    );

  program
    .command("state <id> <state>")
    .description(`set an asset's state: ${ASSET_STATES.join(", ")} (revoked is final; only active assets sell)`)
    .action(
      run(async (ctx: CliContext, id: string, state: string) => {
        const client = await ctx.signer();
        const changed = await ctx.withSpinner("Changing the state", (tx) =>
          setAssetState(client, { assetId: parseId(id, "asset id"), state: parseChoice(state, ASSET_STATES, "state"), ...tx }),
        );
        ctx.output.result(changed, [
          `Asset ${changed.assetId} is now ${changed.state} (was ${changed.previousState}).`,
          `  transaction ${changed.hash}`,
        ]);
      }),
    );

  program
    .command("datatoken <id>")
    .description("create the datatoken of an asset that has none (for example a model minted by a training job)")
    .option("--supply <tokens>", "whole datatokens minted to you", "100")
    .option("--access-period <duration>", "how long one access lasts (3600, 12h, 30d, unlimited)", "unlimited")
    .action(
      run(async (ctx: CliContext, id: string, options: { supply: string; accessPeriod: string }) => {
        const client = await ctx.signer();
        const created = await ctx.withSpinner("Creating the datatoken", (tx) =>
          createDatatoken(client, {
            assetId: parseId(id, "asset id"),
            initialSupply: parseAmount(options.supply, 0, "--supply") * WHOLE_TOKEN,
            accessPeriod: parseDuration(options.accessPeriod, "--access-period"),
            ...tx,
          }),
        );
        ctx.output.result(created, [`Asset ${created.assetId} has datatoken ${created.datatoken}.`, `  transaction ${created.hash}`]);
      }),
    );

  program
    .command("mint <id> <tokens>")
    .description("mint datatokens of your asset (whole tokens; each sells one access)")
    .option("--to <address>", "recipient (default: you, whose balance listings sell from)")
    .action(
      run(async (ctx: CliContext, id: string, tokens: string, options: { to?: string }) => {
        const client = await ctx.signer();
        const minted = await ctx.withSpinner("Minting", (tx) =>
          mintDatatokens(client, {
            assetId: parseId(id, "asset id"),
            amount: parseAmount(tokens, 18, "tokens"),
            to: options.to === undefined ? undefined : parseAddress(options.to, "--to"),
            ...tx,
          }),
        );
        ctx.output.result(minted, [
          `Minted ${tokens} datatoken(s) of asset ${minted.assetId} to ${minted.to}.`,
          `  transaction ${minted.hash}`,
        ]);
      }),
    );

  program
    .command("list <id>")
    .description("open or change the listing of your asset")
    .requiredOption("--price <amount>", "price per access in payment tokens (e.g. 2.5)")
    .option("--payment-token <address>", "ERC-20 buyers pay with (default: the deployment's PaymentToken)")
    .action(
      run(async (ctx: CliContext, id: string, options: { price: string; paymentToken?: string }) => {
        const client = await ctx.signer();
        const paymentToken = options.paymentToken
          ? parseAddress(options.paymentToken, "--payment-token")
          : contractAddress(client.deployment, "PaymentToken");
        const token = await readToken(client, paymentToken);
        const listed = await ctx.withSpinner("Listing", (tx) =>
          setListing(client, {
            assetId: parseId(id, "asset id"),
            price: parseAmount(options.price, token.decimals, "--price"),
            paymentToken,
            ...tx,
          }),
        );
        ctx.output.result(listed, [
          `Asset ${listed.assetId} is listed at ${formatAmount(listed.price, token)} per access.`,
          `  transaction ${listed.hash}`,
        ]);
      }),
    );

  program
    .command("unlist <id>")
    .description("close the listing of your asset")
    .action(
      run(async (ctx: CliContext, id: string) => {
        const client = await ctx.signer();
        const closed = await ctx.withSpinner("Closing the listing", (tx) =>
          closeListing(client, { assetId: parseId(id, "asset id"), ...tx }),
        );
        ctx.output.result(closed, [`Asset ${closed.assetId} is no longer for sale.`, `  transaction ${closed.hash}`]);
      }),
    );

  program
    .command("dispenser <id>")
    .description("give your asset away: open a dispenser of free datatokens, or close it")
    .option("--max-per-wallet <n>", "whole tokens one wallet may take in total", "1")
    .option("--close", "close the dispenser instead")
    .action(
      run(async (ctx: CliContext, id: string, options: { maxPerWallet: string; close?: boolean }) => {
        const client = await ctx.signer();
        const assetId = parseId(id, "asset id");
        if (options.close) {
          const closed = await ctx.withSpinner("Closing the dispenser", (tx) => closeDispenser(client, { assetId, ...tx }));
          ctx.output.result(closed, [`The dispenser of asset ${assetId} is closed.`, `  transaction ${closed.hash}`]);
          return;
        }
        const opened = await ctx.withSpinner("Opening the dispenser", (tx) =>
          setDispenser(client, { assetId, maxPerWallet: parseCount(options.maxPerWallet, "--max-per-wallet"), ...tx }),
        );
        ctx.output.result(opened, [
          `Asset ${assetId} is free: up to ${opened.maxPerWallet} datatoken(s) per wallet (\`myc dispense ${assetId}\`).`,
          `  transaction ${opened.hash}`,
        ]);
      }),
    );
}
