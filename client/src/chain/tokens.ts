/**
 * ERC-20 helpers the actions share: token descriptions for messages, balance checks that fail before anything is
 * signed, allowances, and ERC-2612 permits. Payment tokens may be any ERC-20 (any decimals), so these use the standard
 * interfaces rather than a Mycelium ABI.
 */
import { erc20Abi, formatUnits, getAddress, maxUint256, parseAbi, parseSignature, type Address, type Hex } from "viem";
import { signTypedData } from "viem/actions";
import { InsufficientAllowanceError, InsufficientBalanceError, type TokenDescription } from "../errors/chain.ts";
import { toMyceliumError } from "../errors/normalize.ts";
import type { MyceliumClient } from "./client.ts";
import { readProtocol, requireAccount, rpcUrlOf, sendContractTransaction, type TransactionOptions } from "./transaction.ts";

const erc2612Abi = parseAbi([
  "function nonces(address owner) view returns (uint256)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
  "function name() view returns (string)",
]);

/** Symbol and decimals of a token, for amounts in messages and for parsing human amounts. */
export async function readToken(client: MyceliumClient, token: Address): Promise<TokenDescription> {
  const action = `Reading token ${token}`;
  const [symbol, decimals] = await Promise.all([
    readProtocol(client, { action, address: token, abi: erc20Abi, functionName: "symbol" }),
    readProtocol(client, { action, address: token, abi: erc20Abi, functionName: "decimals" }),
  ]);
  return { address: getAddress(token), symbol, decimals };
}

/** The token balance of `account`. */
export async function readBalance(client: MyceliumClient, token: Address, account: Address): Promise<bigint> {
  return readProtocol(client, {
    action: `Reading the balance of ${account}`,
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [account],
  });
}

/** Throws InsufficientBalanceError unless `account` holds at least `needed` of `token`. */
export async function requireBalance(
  client: MyceliumClient,
  parameters: { token: Address; account: Address; needed: bigint; purpose: string; hint?: string },
): Promise<void> {
  const balance = await readBalance(client, parameters.token, parameters.account);
  if (balance >= parameters.needed) return;
  throw new InsufficientBalanceError({
    account: parameters.account,
    token: await readToken(client, parameters.token),
    balance,
    needed: parameters.needed,
    purpose: parameters.purpose,
    hint: parameters.hint,
  });
}

/**
 * Makes sure `spender` may move `amount` of the account's `token`: with `approve` it sends an approval (of exactly
 * `amount`, or unlimited with `unlimited`) when the allowance is short and returns its hash; otherwise it throws
 * InsufficientAllowanceError. Returns null when the allowance was already enough.
 */
export async function ensureAllowance(
  client: MyceliumClient,
  parameters: {
    token: Address;
    spender: Address;
    amount: bigint;
    approve: boolean;
    unlimited?: boolean;
    action: string;
  } & TransactionOptions,
): Promise<Hex | null> {
  const owner = requireAccount(client, parameters.action).address;
  const allowance = await readProtocol(client, {
    action: parameters.action,
    address: parameters.token,
    abi: erc20Abi,
    functionName: "allowance",
    args: [owner, parameters.spender],
  });
  if (allowance >= parameters.amount) return null;
  if (!parameters.approve) {
    throw new InsufficientAllowanceError({
      owner,
      spender: parameters.spender,
      token: await readToken(client, parameters.token),
      allowance,
      needed: parameters.amount,
      hint: "Approve the spender for the amount, or let the action approve it (approve: true).",
    });
  }
  const receipt = await sendContractTransaction(client, {
    action: `Approving ${parameters.spender} on token ${parameters.token}`,
    address: parameters.token,
    abi: erc20Abi,
    functionName: "approve",
    args: [parameters.spender, parameters.unlimited ? maxUint256 : parameters.amount],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  return receipt.transactionHash;
}

/** An ERC-2612 permit in the shape of the Marketplace's `Permit` struct. */
export type PermitSignature = { value: bigint; deadline: bigint; v: number; r: Hex; s: Hex };

/**
 * Signs (off-chain, no transaction) an ERC-2612 permit letting `spender` move `value` of the account's `token` until
 * `deadline` (unix seconds). The EIP-712 domain comes from the token's EIP-5267 `eip712Domain()` when it has one, else
 * `{ name: name(), version: "1" }`, with this chain's id and the token's address.
 */
export async function signPermit(
  client: MyceliumClient,
  parameters: { token: Address; spender: Address; value: bigint; deadline: bigint },
): Promise<PermitSignature> {
  const action = "Signing a permit";
  const account = requireAccount(client, action);
  const token = getAddress(parameters.token);
  const [domain, nonce] = await Promise.all([
    permitDomain(client, token),
    readProtocol(client, { action, address: token, abi: erc2612Abi, functionName: "nonces", args: [account.address] }),
  ]);
  let signature: Hex;
  try {
    signature = await signTypedData(client, {
      account,
      domain,
      types: {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      },
      primaryType: "Permit",
      message: { owner: account.address, spender: parameters.spender, value: parameters.value, nonce, deadline: parameters.deadline },
    });
  } catch (error) {
    throw toMyceliumError(error, { action, rpcUrl: rpcUrlOf(client) });
  }
  const { r, s, v, yParity } = parseSignature(signature);
  return { value: parameters.value, deadline: parameters.deadline, v: Number(v ?? BigInt(yParity + 27)), r, s };
}

async function permitDomain(client: MyceliumClient, token: Address) {
  const action = "Reading the token's permit domain";
  try {
    const [, name, version, chainId, verifyingContract] = await readProtocol(client, {
      action,
      address: token,
      abi: erc2612Abi,
      functionName: "eip712Domain",
    });
    return { name, version, chainId: Number(chainId), verifyingContract };
  } catch {
    // Not EIP-5267: the common ERC-2612 domain.
    const name = await readProtocol(client, { action, address: token, abi: erc2612Abi, functionName: "name" });
    return { name, version: "1", chainId: client.chain.id, verifyingContract: token };
  }
}

/** An amount in a token's units for people: `5.005 USDC`. */
export function formatAmount(value: bigint, token: { symbol: string; decimals: number }): string {
  return `${formatUnits(value, token.decimals)} ${token.symbol}`;
}
