import type { Address } from "viem";
import { assetRegistryAbi } from "../abis/index.ts";
import { toId, toUint } from "../chain/args.ts";
import type { MyceliumClient } from "../chain/client.ts";
import { contractAddress } from "../chain/deployment.ts";
import { eventsOf, sendContractTransaction, type TransactionOptions, type TransactionResult } from "../chain/transaction.ts";
import type { WriteActionErrorType } from "../errors/types.ts";
import { DEFAULT_INITIAL_SUPPLY } from "./publishAsset.ts";

export type CreateDatatokenParameters = {
  assetId: bigint | number;
  /** Seconds of access per order; 0 (default) means unlimited. */
  accessPeriod?: bigint | number | undefined;
  /** Units (18 decimals) minted to the owner; default DEFAULT_INITIAL_SUPPLY (100 tokens). */
  initialSupply?: bigint | undefined;
} & TransactionOptions;

export type CreateDatatokenReturnType = TransactionResult & { assetId: bigint; datatoken: Address };

export type CreateDatatokenErrorType = WriteActionErrorType;

/** Creates the datatoken of an existing asset that has none (for example a model minted by a training job). Owner only. */
export async function createDatatoken(client: MyceliumClient, parameters: CreateDatatokenParameters): Promise<CreateDatatokenReturnType> {
  const assetId = toId(parameters.assetId, "assetId");
  const action = `Creating the datatoken of asset ${assetId}`;
  const registry = contractAddress(client.deployment, "AssetRegistry");
  const receipt = await sendContractTransaction(client, {
    action,
    address: registry,
    abi: assetRegistryAbi,
    functionName: "createDatatoken",
    args: [
      assetId,
      {
        accessPeriod: toUint(parameters.accessPeriod ?? 0n, "accessPeriod", 64),
        initialSupply: toUint(parameters.initialSupply ?? DEFAULT_INITIAL_SUPPLY, "initialSupply"),
      },
    ],
    signal: parameters.signal,
    onProgress: parameters.onProgress,
  });
  const [created] = eventsOf(receipt, { abi: assetRegistryAbi, eventName: "DatatokenCreated", address: registry, action });
  return { hash: receipt.transactionHash, blockNumber: receipt.blockNumber, assetId, datatoken: created!.args.datatoken };
}
