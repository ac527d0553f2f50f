/**
 * `createMyceliumClient`: a thin layer over one viem client. It asks the RPC for its chain id (so nothing assumes
 * 31337), checks it against what the caller expects, finds the deployment of that chain and returns a viem `Client`
 * (usable with every `viem/actions` function) carrying `deployment`. Actions take it as their first argument.
 */
import { createClient, defineChain, type Account, type Chain, type Client, type Transport } from "viem";
import { getChainId } from "viem/actions";
import { RpcUnreachableError, WrongChainError, type InvalidDeploymentError, type UnknownDeploymentError } from "../errors/chain.ts";
import { protocolTransport } from "./transport.ts";
import { loadDeployment, loadExplicitDeployment, type Deployment, type LoadDeploymentParameters } from "./deployment.ts";

/** A viem client with the protocol's deployment on its chain. Write actions need one with an `account`. */
export type MyceliumClient<account extends Account | undefined = Account | undefined> = Client<Transport, Chain, account> & {
  deployment: Deployment;
};

/** A MyceliumClient that can sign and send transactions. */
export type MyceliumWalletClient = MyceliumClient<Account>;

export type CreateMyceliumClientParameters<account extends Account | undefined = undefined> = {
  /** JSON-RPC URL. Default: the `rpcUrl` of the deployment named (object, file, MYC_DEPLOYMENT), else http://127.0.0.1:8545. */
  rpcUrl?: string | undefined;
  /** The chain the caller expects; WrongChainError when the RPC serves another. */
  chainId?: number | undefined;
  /** Signs transactions and permits (for example `privateKeyToAccount(key)`); omit for a read-only client. */
  account?: account;
  /** The deployment: an object or a file path. Default: found by chain id (see `loadDeployment`). */
  deployment?: Deployment | string | undefined;
  /** Passed to `loadDeployment` (folders to search, environment, working directory). */
  deploymentSearch?: Pick<LoadDeploymentParameters, "directories" | "env" | "cwd"> | undefined;
  /** How often to poll for receipts and blocks, in ms. Default 1000. */
  pollingInterval?: number | undefined;
  /** Per-request timeout in ms. Default 10,000. */
  timeout?: number | undefined;
  /**
   * Block that reads and transaction simulations run against. Default "latest". "pending" evaluates them in the next
   * block's context, so time-windowed calls see the time the next transaction will see: needed on chains that only
   * mine on demand (Hardhat's automine), where "latest" keeps the timestamp of the last transaction however long ago
   * it was. Long-running processes that act on time windows (the trainer) use "pending".
   */
  blockTag?: "latest" | "pending" | undefined;
};

export type CreateMyceliumClientReturnType<account extends Account | undefined = undefined> = MyceliumClient<account>;

export type CreateMyceliumClientErrorType = RpcUnreachableError | WrongChainError | UnknownDeploymentError | InvalidDeploymentError;

export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

export async function createMyceliumClient<account extends Account | undefined = undefined>(
  parameters: CreateMyceliumClientParameters<account> = {},
): Promise<CreateMyceliumClientReturnType<account>> {
  const search = { env: parameters.deploymentSearch?.env, cwd: parameters.deploymentSearch?.cwd };
  const explicit = loadExplicitDeployment({ deployment: parameters.deployment, ...search });
  const rpcUrl = parameters.rpcUrl ?? explicit?.rpcUrl ?? DEFAULT_RPC_URL;
  const transport = protocolTransport(rpcUrl, { timeout: parameters.timeout ?? 10_000 });

  const actualChainId = await getRpcChainId(rpcUrl, transport);
  if (parameters.chainId !== undefined && parameters.chainId !== actualChainId) {
    throw new WrongChainError({ expectedChainId: parameters.chainId, actualChainId, rpcUrl, expectedBy: "the chain id asked for" });
  }
  const { source: _source, ...deployment } = loadDeployment({
    chainId: actualChainId,
    deployment: parameters.deployment,
    ...parameters.deploymentSearch,
  });

  const chain = defineChain({
    id: actualChainId,
    name: `Chain ${actualChainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const client = createClient({
    chain,
    transport,
    account: parameters.account,
    pollingInterval: parameters.pollingInterval ?? 1_000,
    name: "Mycelium client",
    ...(parameters.blockTag === "pending" ? { experimental_blockTag: "pending" as const } : {}),
  });
  return client.extend(() => ({ deployment })) as unknown as MyceliumClient<account>;
}

/** The chain id the RPC reports; RpcUnreachableError when it does not answer. */
async function getRpcChainId(rpcUrl: string, transport: Transport): Promise<number> {
  try {
    return await getChainId(createClient({ transport }));
  } catch (cause) {
    throw new RpcUnreachableError({ url: rpcUrl, cause });
  }
}
