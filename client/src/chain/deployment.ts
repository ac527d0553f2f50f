/**
 * Deployments: where the protocol's contracts live on a chain.
 *
 * The format is the one `npm run devnet` and `npm run deploy` write to deployments/<chainId>.json:
 * `{ chainId, rpcUrl?, contracts: { <Name>: { address, startBlock } } }`, with names such as AssetRegistry,
 * Marketplace, PaymentToken (local chains) and TrainingJobs.
 *
 * `loadDeployment` finds the deployment of a chain id, in this order: an object or file path given by the caller; the
 * file named by MYC_DEPLOYMENT; `<chainId>.json` in MYC_DEPLOYMENTS_DIR; `deployments/<chainId>.json` in the working
 * directory or its nearest ancestor that has one (so commands run anywhere inside the repository find the devnet's file).
 */
import fs from "node:fs";
import path from "node:path";
import { getAddress, isAddress, type Address } from "viem";
import { InvalidDeploymentError, MissingContractError, UnknownDeploymentError, WrongChainError } from "../errors/chain.ts";

export type DeployedContract = {
  address: Address;
  /** Block the contract was created in (where an indexer or a log scan starts). */
  startBlock: number;
};

export type Deployment = {
  chainId: number;
  /** The RPC URL the deployment was made through (a default for clients that are given none). */
  rpcUrl?: string | undefined;
  contracts: Record<string, DeployedContract>;
};

/** Contract names the client knows; a deployment may hold others. */
export type ProtocolContractName = "AssetRegistry" | "DatatokenImplementation" | "Marketplace" | "PaymentToken" | "TrainingJobs";

export type LoadDeploymentParameters = {
  /** The chain the deployment must be for (usually the chain id the RPC reports). */
  chainId: number;
  /** A deployment object, or the path of a deployment JSON file. */
  deployment?: Deployment | string | undefined;
  /** Folders searched for `<chainId>.json` after the explicit sources. Default: see the module comment. */
  directories?: string[] | undefined;
  /** Where MYC_DEPLOYMENT and MYC_DEPLOYMENTS_DIR are read. Default `process.env`. */
  env?: Record<string, string | undefined> | undefined;
  /** Start of the upward search for a `deployments/` folder. Default `process.cwd()`. */
  cwd?: string | undefined;
};

export type LoadDeploymentReturnType = Deployment & {
  /** Where it came from: a file path, or "object". */
  source: string;
};

export type LoadDeploymentErrorType = UnknownDeploymentError | InvalidDeploymentError | WrongChainError;

/** Finds and validates the deployment of `chainId`. Throws UnknownDeploymentError when there is none. */
export function loadDeployment(parameters: LoadDeploymentParameters): LoadDeploymentReturnType {
  const { chainId, env = process.env, cwd = process.cwd() } = parameters;
  const explicit = loadExplicitDeployment(parameters);
  if (explicit !== undefined) {
    if (explicit.chainId !== chainId) {
      throw new WrongChainError({
        expectedChainId: explicit.chainId,
        actualChainId: chainId,
        expectedBy: `the deployment ${explicit.source}`,
      });
    }
    return explicit;
  }
  const searched: string[] = [];
  for (const directory of parameters.directories ?? defaultDirectories(env, cwd)) {
    const file = path.join(directory, `${chainId}.json`);
    searched.push(file);
    if (!fs.existsSync(file)) continue;
    const loaded = readDeploymentFile(file);
    if (loaded.chainId !== chainId) {
      throw new InvalidDeploymentError({ source: file, problem: `it is named for chain ${chainId} but says chainId ${loaded.chainId}` });
    }
    return { ...loaded, source: file };
  }
  if (searched.length === 0) searched.push(`deployments/${chainId}.json in ${cwd} and its parents`);
  throw new UnknownDeploymentError({ chainId, searched });
}

/**
 * The deployment the caller named (an object, a file path, or the file in MYC_DEPLOYMENT), validated, or undefined
 * when none was named. Its `rpcUrl` is the default RPC of a client given none.
 */
export function loadExplicitDeployment(
  parameters: Pick<LoadDeploymentParameters, "deployment" | "env" | "cwd">,
): LoadDeploymentReturnType | undefined {
  const { env = process.env, cwd = process.cwd() } = parameters;
  const explicit = parameters.deployment ?? (env.MYC_DEPLOYMENT || undefined);
  if (explicit === undefined) return undefined;
  if (typeof explicit !== "string") return { ...validateDeployment(explicit, "object"), source: "object" };
  const file = path.resolve(cwd, explicit);
  return { ...readDeploymentFile(file), source: file };
}

/** The address of contract `name` in `deployment`; throws MissingContractError when it has none. */
export function contractAddress(deployment: Deployment, name: ProtocolContractName): Address {
  const entry = deployment.contracts[name];
  if (!entry) throw new MissingContractError({ chainId: deployment.chainId, contract: name, available: Object.keys(deployment.contracts) });
  return entry.address;
}

/** Reads and validates a deployment JSON file. */
export function readDeploymentFile(file: string): Deployment {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (cause) {
    throw new InvalidDeploymentError({ source: file, problem: "the file cannot be read", cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidDeploymentError({ source: file, problem: "it is not JSON", cause });
  }
  return validateDeployment(json, file);
}

/** Checks the shape of a deployment (chain id, addresses, start blocks) and returns it with checksummed addresses. */
export function validateDeployment(value: unknown, source: string): Deployment {
  const fail = (problem: string): never => {
    throw new InvalidDeploymentError({ source, problem });
  };
  if (value === null || typeof value !== "object") fail("it is not an object");
  const record = value as Record<string, unknown>;
  if (!Number.isSafeInteger(record.chainId) || (record.chainId as number) <= 0) fail("chainId is not a positive integer");
  if (record.rpcUrl !== undefined && typeof record.rpcUrl !== "string") fail("rpcUrl is not a string");
  if (record.contracts === null || typeof record.contracts !== "object") fail("contracts is not an object");
  const contracts: Record<string, DeployedContract> = {};
  for (const [name, entry] of Object.entries(record.contracts as Record<string, unknown>)) {
    const { address, startBlock } = (entry ?? {}) as Record<string, unknown>;
    if (typeof address !== "string" || !isAddress(address, { strict: false })) fail(`contracts.${name}.address is not an address`);
    if (!Number.isSafeInteger(startBlock) || (startBlock as number) < 0) fail(`contracts.${name}.startBlock is not a block number`);
    contracts[name] = { address: getAddress(address as string), startBlock: startBlock as number };
  }
  return { chainId: record.chainId as number, rpcUrl: record.rpcUrl as string | undefined, contracts };
}

function defaultDirectories(env: Record<string, string | undefined>, cwd: string): string[] {
  const directories: string[] = [];
  if (env.MYC_DEPLOYMENTS_DIR) directories.push(path.resolve(cwd, env.MYC_DEPLOYMENTS_DIR));
  const found = findDeploymentsDirectory(cwd);
  if (found !== undefined) directories.push(found);
  return directories;
}

/** Writes a deployment as pretty JSON (creating the folder), the format loadDeployment reads; returns the absolute path. */
export function writeDeploymentFile(file: string, deployment: Deployment): string {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${JSON.stringify(deployment, null, 2)}\n`);
  return target;
}

/**
 * The newest `*.json` in a deployments folder (what `npm run devnet` or `npm run deploy` wrote last), or undefined when
 * there is none. For tools that start before they know the chain id (the indexer's default).
 */
export function newestDeploymentFile(directory: string): string | undefined {
  if (!fs.existsSync(directory)) return undefined;
  return fs
    .readdirSync(directory)
    .filter((name) => name.endsWith(".json"))
    .map((name) => path.join(directory, name))
    .map((file) => ({ file, mtimeMs: fs.statSync(file).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs)[0]?.file;
}

/** The `deployments/` folder of the working directory or its nearest ancestor that has one, or undefined. */
export function findDeploymentsDirectory(cwd: string = process.cwd()): string | undefined {
  for (let directory = path.resolve(cwd); ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, "deployments");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(directory) === directory) return undefined;
  }
}
