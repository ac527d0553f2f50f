/**
 * Test payment tokens of any decimals (TestPaymentToken: open mint, EIP-2612 permit), deployed from the contracts
 * package's compiled artifact, for tests of tokens other than the devnet's own.
 */
import { createRequire } from "node:module";
import type { Abi, Account, Address, Hex, WalletClient } from "viem";
import { waitForTransactionReceipt } from "viem/actions";

type Artifact = { abi: Abi; bytecode: Hex };

/** Deploys a TestPaymentToken and returns its address. */
export async function deployTestPaymentToken(
  wallet: WalletClient,
  parameters: { name: string; symbol: string; decimals: number; account: Account | Address },
): Promise<Address> {
  const artifact = createRequire(import.meta.url)(
    "@mycelium/contracts/artifacts/src/test/TestPaymentToken.sol/TestPaymentToken.json",
  ) as Artifact;
  const hash = await wallet.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: [parameters.name, parameters.symbol, parameters.decimals],
    account: parameters.account,
    chain: null,
  });
  const receipt = await waitForTransactionReceipt(wallet, { hash, pollingInterval: 20 });
  if (receipt.status !== "success" || receipt.contractAddress == null)
    throw new Error(`Deploying the payment token ${parameters.symbol} failed (${hash}).`);
  return receipt.contractAddress;
}
