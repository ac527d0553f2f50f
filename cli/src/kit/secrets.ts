import { InvalidArgumentError } from "@mycelium/client";

/** Options that would put a secret on the command line: refused with a pointer to the safe ways. */
export const SECRET_FLAGS = ["--private-key", "--privatekey", "--key", "--pk", "--mnemonic", "--password", "--keystore-password"];

/**
 * Throws InvalidArgumentError when `argv` carries one of SECRET_FLAGS (secrets on a command line end up in shell
 * history and process lists), naming the safe ways instead. Every command line of the project calls it first.
 */
export function assertNoSecretFlags(argv: readonly string[]): void {
  const secret = argv.slice(2).find((arg) => SECRET_FLAGS.includes(arg.split("=")[0]!.toLowerCase()));
  if (secret === undefined) return;
  throw new InvalidArgumentError({
    parameter: "option",
    value: secret.split("=")[0],
    expected: "no secrets on the command line (they end up in shell history and process lists)",
    hint: "Set MYC_PRIVATE_KEY, or use --keystore <file> with MYC_KEYSTORE_PASSWORD or the password prompt.",
  });
}
