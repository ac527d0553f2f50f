/**
 * `@mycelium/client/cli`: the pieces of the `myc` command line that other command-line tools of the project reuse
 * (the trainer's `mycelium-trainer`), so they read the same environment variables, load the signing account the same
 * way (MYC_PRIVATE_KEY or an encrypted keystore, never a command-line flag), and report errors with the same exit codes.
 */
export { CliContext, ENVIRONMENT } from "./context.ts";
export type { GlobalOptions } from "./context.ts";
export { EXIT_CODES, exitCodeOf } from "./exitCodes.ts";
export type { ExitCodeName } from "./exitCodes.ts";
export { SECRET_FLAGS, assertNoSecretFlags } from "./main.ts";
export { Output, toJson } from "./output.ts";
export type { OutputOptions } from "./output.ts";
export { parseAddress, parseAmount, parseChoice, parseCount, parseDuration, parseId } from "./parse.ts";
export { STORAGE_ENVIRONMENT } from "./storage.ts";
