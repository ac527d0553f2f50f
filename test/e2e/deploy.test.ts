/**
 * `npm run deploy` (scripts/deploy.ts), the README's way to put the protocol on a real chain, run as a process against
 * a chain served over JSON-RPC (a devnet with its own chain id, standing in for a remote chain): the deployment file it
 * writes is one the client can use.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { createMyceliumClient, getAsset, publishAsset } from "@mycelium/client";
import { getBytecode } from "viem/actions";
import { devnetAccount, devnetPrivateKey } from "../../scripts/devnet/accounts.ts";
import { startDevnet, type Devnet } from "../../scripts/devnet/startDevnet.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

describe("npm run deploy", function () {
  this.timeout(240_000);
  const chainId = 700_000 + Math.floor(Math.random() * 100_000);
  const deploymentFile = path.join(ROOT, "deployments", `${chainId}.json`);
  const journal = path.join(ROOT, "ignition", "deployments", `chain-${chainId}`);
  let devnet: Devnet;

  before(async () => {
    devnet = await startDevnet({ port: 0, chainId });
  });
  after(async () => {
    await devnet?.stop();
    fs.rmSync(deploymentFile, { force: true });
    fs.rmSync(journal, { recursive: true, force: true });
  });

  it("deploys the protocol with Ignition and writes deployments/<chainId>.json for the client", async () => {
    const { code, output } = await run("npm", ["run", "deploy"], { MYC_RPC_URL: devnet.rpcUrl, MYC_DEPLOYER_KEY: devnetPrivateKey(5) });
    expect(code, output).to.equal(0);
    const deployment = JSON.parse(fs.readFileSync(deploymentFile, "utf8")) as { chainId: number; rpcUrl: string; contracts: Record<string, { address: `0x${string}`; startBlock: number }> };
    expect(deployment.chainId).to.equal(chainId);
    expect(deployment.rpcUrl).to.equal(devnet.rpcUrl);
    expect(Object.keys(deployment.contracts).sort()).to.deep.equal(["AssetRegistry", "DatatokenImplementation", "Marketplace", "TrainingJobs"]);

    const client = await createMyceliumClient({ rpcUrl: devnet.rpcUrl, deployment: deploymentFile, account: devnetAccount(6) });
    for (const { address, startBlock } of Object.values(deployment.contracts)) {
      expect(await getBytecode(client, { address }), address).to.match(/^0x[0-9a-f]{2,}/);
      expect(await getBytecode(client, { address, blockNumber: BigInt(startBlock) }), `${address} before the run`).to.equal(undefined);
    }
    const published = await publishAsset(client, { kind: "dataset", manifestCid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy" });
    expect((await getAsset(client, { assetId: published.assetId })).owner).to.equal(devnetAccount(6).address);
  });
});

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) => resolve({ code, output }));
  });
}
