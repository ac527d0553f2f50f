export { AbortedError, BaseError, throwIfAborted } from "./errors/base.ts";
export type { BaseErrorParameters, BaseErrorType } from "./errors/base.ts";
export { assetRegistryAbi, datatokenAbi, marketplaceAbi, testPaymentTokenAbi } from "./abis/index.ts";
