/** `@mycelium/client/utils`: waiting, aborting and retrying, without the rest of the SDK. */
export { abortable, pollUntil, sleep } from "./async.ts";
export { isTransient, retrying, rpc } from "./retry.ts";
export type { RetryInfo, RetryOptions } from "./retry.ts";
