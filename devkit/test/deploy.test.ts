/**
 * `npm run deploy` (the contracts package's scripts/deploy.ts), the README's way to put the protocol on a real chain, run
 * as a process against a chain served over JSON-RPC (a devnet with its own chain id, standing in for a remote chain): the
 * deployment file it writes is one the client can use.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { createMyceliumClient, getAsset, publishAsset } from "@mycelium/client";
import { getBytecode } from "viem/actions";
import { devnetAccount, devnetPrivateKey, startDevnet, workspaceRoot, type Devnet } from "../src/index.ts";

describe("npm run deploy", function () {
  this.timeout(600_000);
  const chainId = 700_000 + Math.floor(Math.random() * 100_000);
  // The deployment file and Ignition's journal go to a temporary directory (MYC_DEPLOYMENTS_DIR, MYC_IGNITION_DIR).
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "myc-deploy-"));
  const deploymentFile = path.join(work, "deployments", `${chainId}.json`);
  let devnet: Devnet;

  before(async () => {
    devnet = await startDevnet({ port: 0, chainId });
  });
  after(async () => {
    await devnet?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("deploys the protocol with Ignition and writes deployments/<chainId>.json for the client", async () => {
    const { code, output } = await run("npm", ["run", "deploy"], {
      MYC_RPC_URL: devnet.rpcUrl,
      MYC_DEPLOYER_KEY: devnetPrivateKey(5),
      MYC_DEPLOYMENTS_DIR: path.dirname(deploymentFile),
      MYC_IGNITION_DIR: path.join(work, "ignition"),
    });
    expect(fs.existsSync(path.join(work, "ignition", "deployments", `chain-${chainId}`)), "the Ignition journal").to.equal(true);
    expect(code, output).to.equal(0);
    const deployment = JSON.parse(fs.readFileSync(deploymentFile, "utf8")) as {
      chainId: number;
      rpcUrl: string;
      contracts: Record<string, { address: `0x${string}`; startBlock: number }>;
    };
    expect(deployment.chainId).to.equal(chainId);
    expect(deployment.rpcUrl).to.equal(devnet.rpcUrl);
    expect(Object.keys(deployment.contracts).sort()).to.deep.equal([
      "AssetRegistry",
      "DatatokenImplementation",
      "Marketplace",
      "TrainingJobs",
    ]);

    const client = await createMyceliumClient({ rpcUrl: devnet.rpcUrl, deployment: deploymentFile, account: devnetAccount(6) });
    for (const { address, startBlock } of Object.values(deployment.contracts)) {
      expect(await getBytecode(client, { address }), address).to.match(/^0x[0-9a-f]{2,}/);
      expect(await getBytecode(client, { address, blockNumber: BigInt(startBlock) }), `${address} before the run`).to.equal(undefined);
    }
    const published = await publishAsset(client, {
      kind: "dataset",
      manifestCid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
    });
    expect((await getAsset(client, { assetId: published.assetId })).owner).to.equal(devnetAccount(6).address);
  });
});

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: workspaceRoot(), env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) => resolve({ code, output }));
  });
}
