import type { Address } from "viem";
import { testPaymentTokenAbi } from "../abis/index.ts";
import { toAddress, toUint } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { requireAccount, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";

export type FaucetParameters = {
  /** Units of the payment token to mint (it has 6 decimals on local chains: 1 token is 1_000_000n). */
  amount: bigint;
  /** Recipient; default the caller. */
  to?: Address | undefined;
} & TransactionOptions;

export type FaucetReturnType = TransactionResult & { token: Address; to: Address; amount: bigint };

export type FaucetErrorType = WriteActionErrorType;

/**
 * Mints the local test payment token (the deployment's PaymentToken, whose `mint` is open to anyone) so a devnet
 * account can buy. Only for local chains: MissingContractError where the deployment has no PaymentToken, and a revert
 * where the PaymentToken is a real token without an open `mint`.
 */
export async function faucet(client: MyceliumClient, parameters: FaucetParameters): Promise<FaucetReturnType> {
  const action = "Minting test payment tokens";
  const to = parameters.to === undefined ? requireAccount(client, action).address : toAddress(parameters.to, "to");
  const amount = toUint(parameters.amount, "amount");
  const token = contractAddress(client.deployment, "PaymentToken");
  const receipt = await sendContractTransaction(client, {
    action,
    address: token,
    abi: testPaymentTokenAbi,
    functionName: "mint",
    args: [to, amount],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, token, to, amount };
}
