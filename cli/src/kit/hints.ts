/**
 * What to do next, said for the command line. The SDK's errors give advice in terms of the SDK (actions, parameters,
 * environment variables); on the command line the same failure is fixed with flags and commands, so these replace the
 * SDK's hint for the error codes listed. Codes not listed keep the SDK's hint.
 */
export const CLI_HINTS: Readonly<Record<string, string>> = {
  MISSING_ACCOUNT:
    "Set MYC_PRIVATE_KEY, or pass --keystore <file> (private keys are never accepted as arguments; `myc account new` makes a keystore).",
  RPC_UNREACHABLE: "Check --rpc (or MYC_RPC_URL) and that the node is running; for a local chain run `npm run devnet`.",
  UNKNOWN_DEPLOYMENT:
    "Pass --deployment <file> (or MYC_DEPLOYMENT), set MYC_DEPLOYMENTS_DIR, " +
    "or run where deployments/<chainId>.json is (`npm run devnet` writes one).",
  KEYSTORE: "Check the file given to --keystore (or MYC_KEYSTORE) and its password (MYC_KEYSTORE_PASSWORD, or the prompt).",
  ASSET_NOT_FOUND: "List the assets with `myc assets`; asset ids start at 1.",
  JOB_NOT_FOUND: "Check the id with `myc job status <id>`; job ids start at 1.",
  INDEXER_REQUEST: "Check that the indexer runs (`npm run indexer`) and that --indexer (or MYC_INDEXER_URL) points at it.",
};

/** The hint to show on the command line for an error: the CLI's own for its code, else the error's. */
export function cliHint(code: string, hint: string | undefined): string | undefined {
  return CLI_HINTS[code] ?? hint;
}
