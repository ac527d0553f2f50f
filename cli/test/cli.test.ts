import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { erc20Abi } from "viem";
import { readContract } from "viem/actions";
import { getAsset } from "@mycelium/client";
import { EXIT_CODES } from "../src/kit/exitCodes.ts";
import { expectFailure, myc } from "./helpers/myc.ts";
import { devnetAccount, devnetPrivateKey, tempDirectory, uniqueCid, useTestNetwork } from "@mycelium/devkit";

describe("myc CLI (real processes against a devnet)", function () {
  this.timeout(120_000);
  const chain = useTestNetwork();
  let env: Record<string, string>;
  let publisherEnv: Record<string, string>;
  let buyerEnv: Record<string, string>;
  let assetId: string;

  before(async () => {
    env = { MYC_DEPLOYMENT: chain.get().deploymentFile };
    publisherEnv = { ...env, MYC_PRIVATE_KEY: devnetPrivateKey(1) };
    buyerEnv = { ...env, MYC_PRIVATE_KEY: devnetPrivateKey(2) };
  });

  it("prints help and exits 0; an unknown command is a usage error (2)", async () => {
    const help = await myc(["--help"]);
    expect(help.code).to.equal(0);
    for (const command of ["publish", "assets", "asset", "buy", "get", "download", "serve", "job", "claim", "config"])
      expect(help.stdout).to.match(new RegExp(`^  ${command} `, "m"));
    expect((await myc(["frobnicate"])).code).to.equal(EXIT_CODES.usage);
  });

  it("config reports the connection, and exits with the connection's error code when it fails", async () => {
    const working = await myc(["config"], env);
    expect(working.code, working.stderr).to.equal(0);
    expect(working.stdout).to.match(/^connected {3}chain 31337 at block \d+/m);
    const broken = await myc(["config"], { ...env, MYC_RPC_URL: "http://127.0.0.1:9" });
    expect(broken.stdout).to.include("connection  FAILED:");
    expect(broken.code, broken.stdout + broken.stderr).to.equal(EXIT_CODES.RPC_UNREACHABLE);
  });

  it("publishes with a listing and prints parseable JSON", async () => {
    const manifestCid = (await uniqueCid()).toString();
    const result = await myc(
      ["publish", "--kind", "dataset", "--manifest", manifestCid, "--price", "2.5", "--supply", "10", "--json"],
      publisherEnv,
    );
    expect(result.code, result.stderr).to.equal(0);
    const published = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(published).to.include({ kind: "dataset", manifestCid });
    expect(published.listing).to.deep.equal({
      paymentToken: chain.get().devnet.deployment.contracts.PaymentToken!.address,
      price: "2500000",
    });
    assetId = published.assetId as string;
    const asset = await getAsset(await chain.get().readOnly(), { assetId: BigInt(assetId) });
    expect(asset.owner).to.equal(devnetAccount(1).address);
    expect(asset.manifestCid.toString()).to.equal(manifestCid);
  });

  it("shows the asset and lists it, in text and JSON", async () => {
    const text = await myc(["asset", assetId], env);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.contain(`Asset ${assetId} (dataset, active)`).and.to.contain("2.5 mUSD");
    const shown = JSON.parse((await myc(["asset", assetId, "--json"], env)).stdout) as {
      listing: { price: string; token: { decimals: number } };
    };
    expect(shown.listing.price).to.equal("2500000");
    expect(shown.listing.token.decimals).to.equal(6);
    const listed = JSON.parse((await myc(["assets", "--json", "--owner", devnetAccount(1).address], env)).stdout) as {
      assets: { id: string }[];
    };
    expect(listed.assets.map((asset) => asset.id)).to.include(assetId);
  });

  it("a buyer without funds gets InsufficientBalanceError (8), then buys access after the faucet", async () => {
    expectFailure(
      await myc(["buy", assetId], buyerEnv),
      EXIT_CODES.INSUFFICIENT_BALANCE,
      /holds 0 mUSD but buying access to asset \d+ needs 2\.5025 mUSD/,
    );
    const funded = await myc(["faucet", "100", "--json"], buyerEnv);
    expect(funded.code, funded.stderr).to.equal(0);
    const client = await chain.get().readOnly();
    const token = chain.get().devnet.deployment.contracts.PaymentToken!.address;
    const before = await readContract(client, {
      address: token,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [devnetAccount(2).address],
    });

    const result = await myc(["buy", assetId, "--json"], buyerEnv);
    expect(result.code, result.stderr).to.equal(0);
    const access = JSON.parse(result.stdout) as Record<string, string | boolean>;
    expect(access).to.include({
      consumer: devnetAccount(2).address,
      total: "2502500",
      signedPermit: true,
      validUntil: (2n ** 64n - 1n).toString(),
    });
    const after = await readContract(client, {
      address: token,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [devnetAccount(2).address],
    });
    expect(before - after).to.equal(2_502_500n);
  });

  it("buys datatokens with --tokens and spends one with order", async () => {
    const bought = await myc(["buy", assetId, "--tokens", "2", "--json"], buyerEnv);
    expect(bought.code, bought.stderr).to.equal(0);
    expect(JSON.parse(bought.stdout)).to.include({ count: "2" });
    const ordered = await myc(["order", assetId, "--consumer", devnetAccount(5).address], buyerEnv);
    expect(ordered.code, ordered.stderr).to.equal(0);
    expect(ordered.stdout).to.contain(`Access to asset ${assetId} for ${devnetAccount(5).address} without expiry.`);
  });

  describe("bad input gives the typed error and its exit code", () => {
    it("malformed CID (4), also as JSON", async () => {
      expectFailure(
        await myc(["publish", "--kind", "model", "--manifest", "bafy123"], publisherEnv),
        EXIT_CODES.INVALID_CID,
        /"bafy123" is not a valid CID/,
      );
      const json = await myc(["publish", "--kind", "model", "--manifest", "bafy123", "--json"], publisherEnv);
      expect(json.code).to.equal(EXIT_CODES.INVALID_CID);
      expect(JSON.parse(json.stdout)).to.deep.include({
        error: {
          name: "InvalidCidError",
          code: 4,
          message: '"bafy123" is not a valid CID.',
          details: null,
          hint: "Pass a CIDv1 string such as bafybei... (base32) or a CID object.",
        },
      });
    });

    it("unknown asset (6) for reads and purchases", async () => {
      expectFailure(await myc(["asset", "999999"], env), EXIT_CODES.ASSET_NOT_FOUND, /^error: Asset 999999 does not exist\.$/);
      expectFailure(await myc(["buy", "999999"], buyerEnv), EXIT_CODES.ASSET_NOT_FOUND, /Asset 999999 does not exist/);
    });

    it("someone else's asset (10)", async () => {
      const result = await myc(["update", assetId, "--manifest", (await uniqueCid()).toString()], buyerEnv);
      expectFailure(
        result,
        EXIT_CODES.NOT_ASSET_OWNER,
        new RegExp(`Account ${devnetAccount(2).address} does not own asset ${assetId} \\(owner is ${devnetAccount(1).address}\\)`),
      );
      expect(result.stderr).to.contain("hint: Transfer the asset NFT to this account or use the owner's key.");
    });

    it("wrong chain (13)", async () => {
      expectFailure(
        await myc(["asset", assetId, "--chain-id", "1"], env),
        EXIT_CODES.WRONG_CHAIN,
        /expected chain 1 .* serves chain 31337/,
      );
    });

    it("unreachable RPC (14)", async () => {
      expectFailure(
        await myc(["assets", "--rpc", "http://127.0.0.1:9"], env),
        EXIT_CODES.RPC_UNREACHABLE,
        /http:\/\/127\.0\.0\.1:9 is unreachable/,
      );
    });

    it("no deployment for the chain (15)", async () => {
      const result = await myc(["assets", "--rpc", chain.get().devnet.rpcUrl], {}, tempDirectory("myc-empty-"));
      expectFailure(result, EXIT_CODES.UNKNOWN_DEPLOYMENT, /No Mycelium deployment is known for chain 31337/);
    });

    it("no account to sign with (18)", async () => {
      expectFailure(await myc(["buy", assetId], env), EXIT_CODES.MISSING_ACCOUNT, /needs an account to sign with/);
    });

    it("invalid numbers and words (3)", async () => {
      expectFailure(await myc(["asset", "seven"], env), EXIT_CODES.INVALID_ARGUMENT, /Invalid asset id: "seven"/);
      expectFailure(
        await myc(["publish", "--kind", "video", "--manifest", (await uniqueCid()).toString()], publisherEnv),
        EXIT_CODES.INVALID_ARGUMENT,
        /Invalid --kind/,
      );
      expectFailure(
        await myc(["publish", "--kind", "model", "--manifest", (await uniqueCid()).toString(), "--price", "1.1234567"], publisherEnv),
        EXIT_CODES.INVALID_ARGUMENT,
        /Invalid --price/,
      );
    });

    it("refuses a private key on the command line without echoing it (3)", async () => {
      const key = devnetPrivateKey(4);
      const result = await myc(["buy", assetId, `--private-key=${key}`], env);
      expectFailure(result, EXIT_CODES.INVALID_ARGUMENT, /Invalid option: "--private-key"/);
      expect(result.stderr).not.to.contain(key.slice(2));
    });
  });

  it("Ctrl-C stops a command stuck on a silent RPC with exit code 130", async () => {
    // Accepts connections and never answers; the first connection means myc is waiting on the RPC.
    let connected!: () => void;
    const waiting = new Promise<void>((resolve) => (connected = resolve));
    const silent = net.createServer(() => connected());
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const result = await myc(["assets", "--rpc", `http://127.0.0.1:${port}`], env, undefined, { interruptWhen: waiting });
      expect(result.code, result.stderr).to.equal(130);
      expect(result.stderr).to.match(/^error: myc assets was aborted\.\n/);
    } finally {
      silent.close();
    }
  });

  describe("keystore accounts", () => {
    it("creates an encrypted keystore, signs with it, and rejects a wrong password (19)", async () => {
      const file = path.join(tempDirectory("myc-ks-"), "account.json");
      const created = await myc(["account", "new", "--keystore", file, "--json"], { ...env, MYC_KEYSTORE_PASSWORD: "s3cret" });
      expect(created.code, created.stderr).to.equal(0);
      const { address } = JSON.parse(created.stdout) as { address: string };
      expect(fs.readFileSync(file, "utf8")).to.contain(address.slice(2).toLowerCase());

      const shown = await myc(["account", "--json"], { ...env, MYC_KEYSTORE: file, MYC_KEYSTORE_PASSWORD: "s3cret" });
      expect(shown.code, shown.stderr).to.equal(0);
      expect(JSON.parse(shown.stdout)).to.include({ address, source: `keystore ${file}` });

      expectFailure(
        await myc(["account", "--keystore", file], { ...env, MYC_KEYSTORE_PASSWORD: "wrong" }),
        EXIT_CODES.KEYSTORE,
        /Wrong password/,
      );
      expectFailure(await myc(["account", "--keystore", file], env), EXIT_CODES.KEYSTORE, /no terminal to ask for it/);
    });
  });
});
