/**
 * How the indexer finds its chain, contracts and database (lib/settings.ts), and the PGlite directory guard
 * (lib/pgliteGuard.ts). Plain functions on temporary directories: no chain needed.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { InvalidDeploymentError } from "@mycelium/client";
import { claimPgliteDirectory } from "../lib/pgliteGuard.ts";
import { IndexerConfigError, resolveSettings } from "../lib/settings.ts";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const MARKETPLACE = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const JOBS = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";

describe("settings", () => {
  let dir: string;
  const deployment = (chainId: number, rpcUrl = "http://127.0.0.1:8545") => ({
    chainId,
    rpcUrl,
    contracts: {
      AssetRegistry: { address: REGISTRY, startBlock: 1 },
      Marketplace: { address: MARKETPLACE, startBlock: 3 },
      TrainingJobs: { address: JOBS, startBlock: 4 },
    },
  });
  const write = (name: string, content: unknown, mtime?: Date) => {
    const file = path.join(dir, "deployments", name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(content));
    if (mtime !== undefined) fs.utimesSync(file, mtime, mtime);
    return file;
  };
  const resolve = (env: NodeJS.ProcessEnv) => resolveSettings({ env, cwd: dir, deploymentsDir: path.join(dir, "deployments") });
  const expectConfigError = (env: NodeJS.ProcessEnv, message: RegExp) => {
    expect(() => resolve(env)).to.throw(IndexerConfigError, message);
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "myc-settings-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("says what to do when there is no deployment at all", () => {
    try {
      resolve({});
      expect.fail("resolved without a deployment");
    } catch (error) {
      expect(error).to.be.instanceOf(IndexerConfigError);
      expect((error as IndexerConfigError).shortMessage).to.match(/No deployment to index/);
      expect((error as IndexerConfigError).hint)
        .to.match(/npm run devnet/)
        .and.match(/MYC_DEPLOYMENT/)
        .and.match(/MYC_TRAINING_JOBS_ADDRESS/);
    }
  });

  it("reads the newest deployment file, or the one of MYC_CHAIN_ID, or MYC_DEPLOYMENT", () => {
    write("31337.json", deployment(31337), new Date(Date.now() - 60_000));
    write("1337.json", deployment(1337, "http://localhost:9999"), new Date());
    const newest = resolve({});
    expect(newest.chainId).to.equal(1337);
    expect(newest.rpcUrls).to.deep.equal(["http://localhost:9999"]);
    expect(newest.contracts).to.deep.equal({
      AssetRegistry: { address: REGISTRY.toLowerCase(), startBlock: 1 },
      Marketplace: { address: MARKETPLACE.toLowerCase(), startBlock: 3 },
      TrainingJobs: { address: JOBS.toLowerCase(), startBlock: 4 },
    });
    expect(resolve({ MYC_CHAIN_ID: "31337" }).chainId).to.equal(31337);
    const explicit = write("other.json", deployment(5));
    expect(resolve({ MYC_DEPLOYMENT: explicit }).chainId).to.equal(5);
    expect(resolve({ MYC_DEPLOYMENT: "deployments/other.json" }).deploymentFile).to.equal(explicit);
  });

  it("lets environment variables override the file, and work without one", () => {
    write("31337.json", deployment(31337));
    const overridden = resolve({
      MYC_RPC_URL: "http://10.0.0.1:8545, http://10.0.0.2:8545",
      MYC_MARKETPLACE_ADDRESS: "0x000000000000000000000000000000000000dEaD",
      MYC_MARKETPLACE_START_BLOCK: "77",
    });
    expect(overridden.rpcUrls).to.deep.equal(["http://10.0.0.1:8545", "http://10.0.0.2:8545"]);
    expect(overridden.contracts.Marketplace).to.deep.equal({ address: "0x000000000000000000000000000000000000dead", startBlock: 77 });
    expect(overridden.contracts.AssetRegistry.startBlock).to.equal(1);

    fs.rmSync(path.join(dir, "deployments"), { recursive: true });
    const envOnly = resolve({
      MYC_CHAIN_ID: "84532",
      MYC_RPC_URL: "https://rpc.example",
      MYC_ASSET_REGISTRY_ADDRESS: REGISTRY,
      MYC_MARKETPLACE_ADDRESS: MARKETPLACE,
      MYC_TRAINING_JOBS_ADDRESS: JOBS,
      MYC_TRAINING_JOBS_START_BLOCK: "9",
    });
    expect(envOnly.chainId).to.equal(84532);
    expect(envOnly.contracts.TrainingJobs).to.deep.equal({ address: JOBS.toLowerCase(), startBlock: 9 });
    expect(envOnly.contracts.AssetRegistry.startBlock).to.equal(0);
  });

  it("defaults: RPC lanes and cache by where the chain is, PGlite unless DATABASE_URL", () => {
    write("31337.json", deployment(31337));
    const local = resolve({});
    expect(local).to.deep.include({ rpcLanes: 10, rpcCache: false, pollingIntervalMs: 100 });
    expect(local.database).to.deep.equal({ kind: "pglite", directory: path.resolve(import.meta.dirname, "..", ".ponder", "pglite") });
    const remote = resolve({ MYC_RPC_URL: "https://rpc.example", MYC_CHAIN_ID: "31337" });
    expect(remote).to.deep.include({ rpcLanes: 1, rpcCache: false });
    write("8453.json", deployment(8453, "https://base.example"));
    expect(resolve({ MYC_CHAIN_ID: "8453" })).to.deep.include({ rpcLanes: 1, rpcCache: true });
    expect(resolve({ MYC_RPC_LANES: "3", MYC_RPC_CACHE: "true", MYC_INDEXER_DIR: "data" })).to.deep.include({
      rpcLanes: 3,
      rpcCache: true,
      database: { kind: "pglite", directory: path.join(dir, "data") },
    });
    expect(resolve({ DATABASE_URL: "postgresql://u:p@db/x" }).database).to.deep.equal({
      kind: "postgres",
      connectionString: "postgresql://u:p@db/x",
    });
  });

  it("refuses contradictions and malformed values, naming them", () => {
    write("31337.json", deployment(31337));
    expectConfigError({ MYC_DEPLOYMENT: "nope.json" }, /does not exist/);
    expectConfigError({ MYC_DEPLOYMENT: "deployments/31337.json", MYC_CHAIN_ID: "1" }, /differs from the deployment's chainId \(31337\)/);
    expectConfigError({ MYC_MARKETPLACE_ADDRESS: "0x1234" }, /Marketplace is not a 20-byte hex address/);
    expectConfigError({ MYC_ASSET_REGISTRY_START_BLOCK: "-1" }, /MYC_ASSET_REGISTRY_START_BLOCK must be a non-negative integer/);
    expectConfigError({ MYC_RPC_URL: "ftp://x" }, /not an http\(s\) or ws\(s\) URL/);
    expectConfigError({ MYC_POLLING_INTERVAL_MS: "50" }, /at least 100/);
    expectConfigError({ MYC_RPC_CACHE: "maybe" }, /MYC_RPC_CACHE must be true or false/);
    write("5.json", { chainId: 5, rpcUrl: "http://127.0.0.1:1", contracts: { AssetRegistry: { address: REGISTRY, startBlock: 1 } } });
    expectConfigError({ MYC_CHAIN_ID: "5" }, /No address for Marketplace/);
    // The deployment file is parsed by the client's parser (one for the client, the indexer and the devnet).
    fs.writeFileSync(path.join(dir, "deployments", "6.json"), "{ not json");
    expect(() => resolve({ MYC_CHAIN_ID: "6" })).to.throw(InvalidDeploymentError, /6\.json is invalid: it is not JSON/);
  });
});

describe("PGlite directory guard", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "myc-guard-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("claims a directory, and claiming it again in the same process is fine", () => {
    const data = path.join(dir, "pglite");
    expect(claimPgliteDirectory(data)).to.deep.equal({ status: "fresh" });
    expect(fs.readFileSync(`${data}.owner`, "utf8").trim()).to.equal(String(process.pid));
    expect(claimPgliteDirectory(data)).to.deep.equal({ status: "clean" });
  });

  it("moves aside the directory of a process that died without closing it, keeping only the newest copy", () => {
    const data = path.join(dir, "pglite");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    for (let attempt = 0; attempt < 2; attempt++) {
      fs.mkdirSync(data, { recursive: true });
      fs.writeFileSync(path.join(data, "PG_VERSION"), "15\n");
      fs.writeFileSync(`${data}.owner`, `${dead}\n`);
      const result = claimPgliteDirectory(data);
      expect(result.status).to.equal("recovered");
      expect(fs.existsSync(data)).to.equal(false);
      expect(fs.readFileSync(path.join(result.movedTo!, "PG_VERSION"), "utf8")).to.equal("15\n");
    }
    expect(fs.readdirSync(dir).filter((name) => name.startsWith("pglite.unclean-"))).to.have.length(1);
  });

  it("refuses a directory another live process has open", () => {
    const data = path.join(dir, "pglite");
    fs.writeFileSync(`${data}.owner`, `${process.ppid}\n`);
    expect(() => claimPgliteDirectory(data)).to.throw(IndexerConfigError, new RegExp(`in use by process ${process.ppid}`));
  });
});
