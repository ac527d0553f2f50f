/**
 * `@mycelium/cli`: the CLI kit, the pieces of the `myc` command line that every command line of the project shares
 * (the trainer's `mycelium-trainer` too), so they read the same environment variables, load the signing account the
 * same way (MYC_PRIVATE_KEY or an encrypted keystore, never a command-line flag), print results and errors the same way,
 * and exit with the codes that follow from each error's `code`. The `myc` program itself is `@mycelium/cli/myc`.
 */
export { CliContext, ENVIRONMENT } from "./context.ts";
export type { GlobalOptions } from "./context.ts";
export { EXIT_CODES, exitCodeOf } from "./exitCodes.ts";
export type { ExitCodeName } from "./exitCodes.ts";
export { launch } from "./launcher.ts";
export type { LaunchParameters } from "./launcher.ts";
export { SECRET_FLAGS, assertNoSecretFlags } from "./secrets.ts";
export { Output, toJson } from "./output.ts";
export type { OutputOptions } from "./output.ts";
export { parseAddress, parseAmount, parseChoice, parseCount, parseDuration, parseId } from "./parse.ts";
export { STORAGE_ENVIRONMENT } from "./storage.ts";
