/**
 * The devnet's accounts: Hardhat's default mnemonic, whose first accounts hold 10,000 ETH each on a fresh devnet.
 * Public test keys: never use them on a real chain.
 */
import { mnemonicToAccount, type HDAccount } from "viem/accounts";
import { bytesToHex, type Hex } from "viem";

/** Hardhat's default mnemonic (each of its first 20 accounts is funded on the devnet). */
export const DEVNET_MNEMONIC = "test test test test test test test test test test test junk";

/** Devnet account `index` (0 deploys the protocol). */
export function devnetAccount(index: number): HDAccount {
  return mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: index });
}

/** The private key of devnet account `index`, for processes that read it from MYC_PRIVATE_KEY. */
export function devnetPrivateKey(index: number): Hex {
  const key = devnetAccount(index).getHdKey().privateKey;
  if (key === null) throw new Error(`Devnet account ${index} has no private key.`);
  return bytesToHex(key);
}
