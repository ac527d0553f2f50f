/**
 * A devnet for the indexer's tests and benchmark: viem clients over its JSON-RPC, the node's unlocked accounts, and a
 * transaction sender that can put many transactions in one block (automine off, then `evm_mine`), as busy chains do.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  http,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hash,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import { deployTestPaymentToken, startTestNetwork, type Devnet, type TestNetwork } from "@mycelium/devkit";

export type TestChain = {
  network: TestNetwork;
  devnet: Devnet;
  /** Deployment JSON of this devnet, in a temporary directory. */
  deploymentFile: string;
  publicClient: PublicClient;
  /** The node's unlocked accounts (10,000 ETH each). */
  accounts: Address[];
  wallet: (account: Address) => WalletClient;
  registry: Address;
  marketplace: Address;
  /** The devnet's 6-decimal payment token. */
  usd: Address;
  /** Address of a contract of the deployment, by its name there. */
  contract: (name: string) => Address;
  tempDir: string;
  stop: () => Promise<void>;
};

/** Starts a devnet on a free port with its deployment JSON in a fresh temporary directory. */
export async function startTestChain(options: { chainId?: number } = {}): Promise<TestChain> {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "myc-indexer-"));
  const network = await startTestNetwork({ directory: tempDir, chainId: options.chainId });
  const { devnet, deploymentFile } = network;
  const transport = http(devnet.rpcUrl, { batch: false, retryCount: 0 });
  const chain = {
    id: devnet.chainId,
    name: "devnet",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [devnet.rpcUrl] } },
  } as const;
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
  const accounts = (await publicClient.request({ method: "eth_accounts" } as never)) as Address[];
  const address = (name: string) => {
    const entry = devnet.deployment.contracts[name];
    if (entry === undefined) throw new Error(`The devnet deployment has no ${name}`);
    return entry.address;
  };
  return {
    network,
    devnet,
    deploymentFile,
    publicClient,
    accounts,
    wallet: (account) => createWalletClient({ account, chain, transport }),
    registry: address("AssetRegistry"),
    marketplace: address("Marketplace"),
    usd: address("PaymentToken"),
    contract: address,
    tempDir,
    stop: async () => {
      await network.stop();
      fs.rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

/** Deploys a TestPaymentToken (open mint, permit) with `decimals`, from the contracts package's artifact. */
export async function deployPaymentToken(
  chain: TestChain,
  from: Address,
  name: string,
  symbol: string,
  decimals: number,
): Promise<Address> {
  return deployTestPaymentToken(chain.wallet(from), { name, symbol, decimals, account: from });
}

/** Sends one transaction and waits for its receipt; throws if it reverted. */
export async function send<const abi extends Abi, functionName extends ContractFunctionName<abi, "nonpayable" | "payable">>(
  chain: TestChain,
  from: Address,
  to: Address,
  abi: abi,
  functionName: functionName,
  args: ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>,
): Promise<TransactionReceipt> {
  const hash = await chain.wallet(from).writeContract({
    address: to,
    abi: abi as Abi,
    functionName: functionName as string,
    args: args as readonly unknown[],
    account: from,
    chain: null,
  });
  return waitForReceipt(chain, hash);
}

export async function waitForReceipt(chain: TestChain, hash: Hash): Promise<TransactionReceipt> {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== "success") throw new Error(`Transaction ${hash} reverted`);
  return receipt;
}

export type QueuedCall = { from: Address; to: Address; data: Hex; gas: bigint };

/** Encodes a contract call for `sendInBlocks`. */
export function call<const abi extends Abi, functionName extends ContractFunctionName<abi, "nonpayable" | "payable">>(
  from: Address,
  to: Address,
  abi: abi,
  functionName: functionName,
  args: ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>,
  gas = 1_000_000n,
): QueuedCall {
  const data = encodeFunctionData({ abi: abi as Abi, functionName: functionName as string, args: args as readonly unknown[] });
  return { from, to, data, gas };
}

/**
 * Mines `calls` with up to `perBlock` transactions per block (automine off, send, `evm_mine`), and returns their
 * receipts in order. Every transaction must succeed. Gas is given explicitly: estimates against a pending block of
 * dependent transactions would be wrong.
 */
export async function sendInBlocks(chain: TestChain, calls: QueuedCall[], perBlock = 100): Promise<TransactionReceipt[]> {
  const { publicClient } = chain;
  const receipts: TransactionReceipt[] = [];
  await publicClient.request({ method: "evm_setAutomine", params: [false] } as never);
  try {
    for (let start = 0; start < calls.length; start += perBlock) {
      const hashes: Hash[] = [];
      for (const queued of calls.slice(start, start + perBlock)) {
        hashes.push(
          (await publicClient.request({
            method: "eth_sendTransaction",
            params: [{ from: queued.from, to: queued.to, data: queued.data, gas: `0x${queued.gas.toString(16)}` }],
          } as never)) as Hash,
        );
      }
      // A block takes what fits in its gas limit: mine until every transaction of the batch is in.
      const mined = new Map<Hash, TransactionReceipt>();
      while (mined.size < hashes.length) {
        await publicClient.request({ method: "evm_mine", params: [] } as never);
        for (const hash of hashes) {
          if (mined.has(hash)) continue;
          const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => null);
          if (receipt !== null) mined.set(hash, receipt);
        }
      }
      for (const hash of hashes) {
        const receipt = mined.get(hash)!;
        if (receipt.status !== "success") throw new Error(`Transaction ${hash} reverted`);
        receipts.push(receipt);
      }
    }
  } finally {
    await publicClient.request({ method: "evm_setAutomine", params: [true] } as never);
  }
  return receipts;
}

/**
 * Mines `count` empty blocks (so that earlier blocks count as final for the indexer). One `evm_mine` per block:
 * `hardhat_mine` reserves blocks lazily, and Ponder then sees their hashes change (an "unrecoverable reorg").
 */
export async function mineBlocks(chain: TestChain, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await chain.publicClient.request({ method: "evm_mine", params: [] } as never);
}
