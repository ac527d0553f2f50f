/**
 * The one path every write action takes: simulate (so a revert is decoded before anything is signed), send, wait for
 * the receipt, report progress, and turn failures into typed errors. Plus the reads and event lookups actions share.
 */
import {
  InsufficientFundsError,
  parseEventLogs,
  type Abi,
  type Account,
  type Address,
  type ContractEventName,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type Hash,
  type ParseEventLogsReturnType,
  type TransactionReceipt,
} from "viem";
import { getBalance, readContract, simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";
import { AbortedError, throwIfAborted } from "../errors/base.ts";
import { abortable } from "../utils/async.ts";
import {
  InsufficientBalanceError,
  MissingAccountError,
  MissingEventError,
  NATIVE_CURRENCY,
  TransactionRevertedError,
} from "../errors/chain.ts";
import { findInChain, toMyceliumError } from "../errors/normalize.ts";
import type { MyceliumClient } from "./client.ts";

/** Progress of a write action: each transaction it sends is reported when sent and when confirmed. */
export type TransactionProgressEvent =
  | { type: "transaction-sent"; action: string; hash: Hash }
  | { type: "transaction-confirmed"; action: string; hash: Hash; blockNumber: bigint };

/** Options every write action takes. */
export type TransactionOptions = {
  /** Aborting before a transaction is sent cancels it; aborting while waiting stops waiting (the transaction may still be mined). */
  signal?: AbortSignal | undefined;
  onProgress?: ((event: TransactionProgressEvent) => void) | undefined;
};

/** What every write action returns about its (last) transaction. */
export type TransactionResult = { hash: Hash; blockNumber: bigint };

type Writable = "nonpayable" | "payable";

/** The account of a write action; MissingAccountError when the client has none. */
export function requireAccount(client: MyceliumClient, action: string): Account {
  if (!client.account) throw new MissingAccountError({ action });
  return client.account;
}

/** How nodes say an account cannot pay for gas (viem maps some of them to InsufficientFundsError, not Hardhat's). */
const NO_FUNDS = /insufficient funds|doesn't have enough funds/i;

function detailsOf(error: unknown): string {
  const details = (error as { details?: unknown })?.details;
  return typeof details === "string" ? details : error instanceof Error ? error.message : "";
}

/** Sends one contract transaction (see the module comment) and returns its successful receipt. */
export async function sendContractTransaction<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, Writable>,
  args extends ContractFunctionArgs<abi, Writable, functionName>,
>(
  client: MyceliumClient,
  parameters: { action: string; address: Address; abi: abi; functionName: functionName; args: args } & TransactionOptions,
): Promise<TransactionReceipt> {
  const { action, address, abi, functionName, args, signal, onProgress } = parameters;
  const account = requireAccount(client, action);
  const context = { action, rpcUrl: rpcUrlOf(client), contractAddress: address, functionName };
  throwIfAborted(signal, action);

  let hash: Hash;
  try {
    const { request } = await simulateContract(client, { account, address, abi, functionName, args } as never);
    throwIfAborted(signal, action);
    hash = await writeContract(client, request as never);
  } catch (error) {
    if (error instanceof AbortedError) throw error;
    const funds = findInChain(error, (e) => e instanceof InsufficientFundsError || NO_FUNDS.test(detailsOf(e)));
    if (funds) {
      const balance = await getBalance(client, { address: account.address }).catch(() => 0n);
      // Hardhat says how much it wanted ("The max upfront cost is: N"); other nodes only that it was too much.
      const upfront = /upfront cost is:? (\d+)/i.exec(detailsOf(funds))?.[1];
      throw new InsufficientBalanceError({
        account: account.address,
        token: NATIVE_CURRENCY,
        balance,
        needed: upfront === undefined ? undefined : BigInt(upfront),
        purpose: `paying gas for ${action.charAt(0).toLowerCase()}${action.slice(1)}`,
        cause: error,
      });
    }
    throw toMyceliumError(error, context);
  }
  onProgress?.({ type: "transaction-sent", action, hash });

  const receipt = await abortable(
    waitForTransactionReceipt(client, { hash }),
    signal,
    `Waiting for ${action.toLowerCase()} (transaction ${hash}, which may still be mined)`,
  ).catch((error: unknown) => {
    throw error instanceof AbortedError ? error : toMyceliumError(error, context);
  });
  if (receipt.status !== "success") throw new TransactionRevertedError({ action, hash });
  onProgress?.({ type: "transaction-confirmed", action, hash, blockNumber: receipt.blockNumber });
  return receipt;
}

/** A typed contract read whose failures become typed errors. */
export async function readProtocol<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, "view" | "pure">,
  args extends ContractFunctionArgs<abi, "view" | "pure", functionName>,
>(client: MyceliumClient, parameters: { action: string; address: Address; abi: abi; functionName: functionName; args?: args | undefined }) {
  const { action, address, functionName } = parameters;
  try {
    return (await readContract(client, {
      address,
      abi: parameters.abi,
      functionName,
      args: parameters.args,
    } as never)) as ContractFunctionReturnType<abi, "view" | "pure", functionName, args>;
  } catch (error) {
    throw toMyceliumError(error, { action, rpcUrl: rpcUrlOf(client), contractAddress: address, functionName });
  }
}

/** The decoded logs of event `eventName` emitted by `address` in `receipt`; MissingEventError when there are none. */
export function eventsOf<const abi extends Abi, eventName extends ContractEventName<abi>>(
  receipt: TransactionReceipt,
  parameters: {
    abi: abi;
    eventName: eventName;
    address: Address;
    action: string;
    /** An event the transaction may or may not emit (a penalty settled on the way): no error when absent. */
    optional?: boolean;
  },
): ParseEventLogsReturnType<abi, eventName, true> {
  const { abi, eventName, address, action } = parameters;
  const logs = parseEventLogs({ abi, logs: receipt.logs, eventName } as never).filter(
    (log) => (log as { address: Address }).address.toLowerCase() === address.toLowerCase(),
  ) as ParseEventLogsReturnType<abi, eventName, true>;
  if (logs.length === 0 && parameters.optional !== true)
    throw new MissingEventError({ action, eventName: String(eventName), hash: receipt.transactionHash, address });
  return logs;
}

/** The URL of the client's HTTP transport, for error messages. */
export function rpcUrlOf(client: MyceliumClient): string | undefined {
  return (client.transport as { url?: string }).url ?? client.chain.rpcUrls.default.http[0];
}
