/**
 * What every `myc` command shares: the global options resolved against the environment, the output, and the
 * connection to the chain (created on first use, so commands that need none never touch the network).
 *
 * Precedence: a flag, then its environment variable, then the default. The private key is read only from
 * MYC_PRIVATE_KEY or an encrypted keystore (--keystore / MYC_KEYSTORE, password from MYC_KEYSTORE_PASSWORD or a hidden
 * prompt), never from the command line. When both a keystore flag and MYC_PRIVATE_KEY are given, the flag wins.
 */
import type { Account, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  createMyceliumClient,
  InvalidArgumentError,
  MissingAccountError,
  type MyceliumClient,
  type PublishProgressEvent,
  readKeystoreFile,
  type TransactionOptions,
  type TransactionProgressEvent,
} from "@mycelium/client";
import type { Output, ProgressBar } from "./output.ts";
import { promptHidden } from "./prompt.ts";

/** The environment variables `myc` reads. */
export const ENVIRONMENT = {
  MYC_RPC_URL: "JSON-RPC URL (default: the deployment file's rpcUrl, else http://127.0.0.1:8545)",
  MYC_CHAIN_ID: "chain id the RPC must serve (optional safety check)",
  MYC_DEPLOYMENT: "deployment JSON file (default: deployments/<chainId>.json found from the working directory up)",
  MYC_DEPLOYMENTS_DIR: "folder holding <chainId>.json deployment files",
  MYC_PRIVATE_KEY: "private key of the account that signs (0x + 64 hex digits)",
  MYC_KEYSTORE: "encrypted keystore file of the account that signs (instead of MYC_PRIVATE_KEY)",
  MYC_KEYSTORE_PASSWORD: "password of the keystore (otherwise asked for on the terminal)",
  MYC_INDEXER_URL: "the indexer's URL: `myc assets` finds assets through its GraphQL API instead of the chain",
} as const;

export type GlobalOptions = {
  rpc?: string | undefined;
  chainId?: string | undefined;
  deployment?: string | undefined;
  keystore?: string | undefined;
  json?: boolean | undefined;
  verbose?: boolean | undefined;
};

export class CliContext {
  readonly rpcUrl: string | undefined;
  readonly chainId: number | undefined;
  readonly deployment: string | undefined;
  readonly keystore: string | undefined;
  private readerPromise: Promise<MyceliumClient> | undefined;
  private signerPromise: Promise<MyceliumClient<Account>> | undefined;
  private accountPromise: Promise<Account> | undefined;

  constructor(
    readonly options: GlobalOptions,
    readonly output: Output,
    readonly env: Record<string, string | undefined> = process.env,
    /** Fires on Ctrl-C: long operations stop and the command exits with code 130. */
    readonly signal: AbortSignal = new AbortController().signal,
  ) {
    this.rpcUrl = options.rpc ?? (env.MYC_RPC_URL || undefined);
    const chainId = options.chainId ?? (env.MYC_CHAIN_ID || undefined);
    this.chainId = chainId === undefined ? undefined : parseChainId(chainId);
    this.deployment = options.deployment ?? (env.MYC_DEPLOYMENT || undefined);
    this.keystore = options.keystore ?? (env.MYC_PRIVATE_KEY ? undefined : env.MYC_KEYSTORE || undefined);
  }

  /** Where the signing account comes from, for `myc config` (never the key itself). */
  get accountSource(): string | null {
    if (this.keystore) return `keystore ${this.keystore}`;
    if (this.env.MYC_PRIVATE_KEY) return "MYC_PRIVATE_KEY";
    return null;
  }

  /** A read-only client (no account needed). */
  client(): Promise<MyceliumClient> {
    this.readerPromise ??= this.connect(undefined);
    return this.readerPromise;
  }

  /** A client with the configured account; MissingAccountError when there is none. */
  signer(): Promise<MyceliumClient<Account>> {
    this.signerPromise ??= this.account().then((account) => this.connect(account));
    return this.signerPromise;
  }

  /** The configured account; MissingAccountError when there is none. */
  account(): Promise<Account> {
    this.accountPromise ??= this.loadAccount();
    return this.accountPromise;
  }

  /**
   * Options for a write action that show a spinner while its transactions are mined (on a terminal), labelled with
   * the action and the transaction hash. Call `stop()` when the action settles.
   */
  track(label: string): TransactionOptions & { stop: () => void } {
    const spinner = this.output.spinner(label);
    const onProgress = (event: TransactionProgressEvent) =>
      spinner.update(
        event.type === "transaction-sent"
          ? `${event.action}: waiting for transaction ${event.hash.slice(0, 10)}…`
          : `${event.action}: confirmed in block ${event.blockNumber}`,
      );
    return { signal: this.signal, onProgress, stop: () => spinner.stop() };
  }

  /**
   * Progress of a publish (publish, publishTensorDataset, publishFashionMnist): a progress bar labelled `adding` while
   * the content is added, then a spinner while the asset is minted. Call `stop()` when the publish settles.
   */
  trackPublish(adding: string): { onProgress: (event: PublishProgressEvent) => void; stop: () => void } {
    let bar: ProgressBar | undefined;
    let tracker: ReturnType<CliContext["track"]> | undefined;
    const onProgress = (event: PublishProgressEvent) => {
      if (event.type === "add") {
        bar ??= this.output.progress(adding, event.totalBytes);
        bar.update(event.bytes, event.totalBytes);
      } else if (event.type === "manifest-stored") {
        bar?.stop();
        tracker = this.track(`Publishing (manifest ${event.cid})`);
      } else {
        tracker?.onProgress?.(event);
      }
    };
    return {
      onProgress,
      stop: () => {
        bar?.stop();
        tracker?.stop();
      },
    };
  }

  /** Runs a write action under a spinner (see `track`). */
  async withSpinner<T>(label: string, run: (options: TransactionOptions) => Promise<T>): Promise<T> {
    const { stop, ...options } = this.track(label);
    try {
      return await run(options);
    } finally {
      stop();
    }
  }

  private connect<account extends Account | undefined>(account: account): Promise<MyceliumClient<account>> {
    return createMyceliumClient({
      rpcUrl: this.rpcUrl,
      chainId: this.chainId,
      deployment: this.deployment,
      deploymentSearch: { env: this.env },
      account,
    });
  }

  private async loadAccount(): Promise<Account> {
    if (this.keystore) {
      const password = this.env.MYC_KEYSTORE_PASSWORD ?? (await promptHidden(`Password for ${this.keystore}: `));
      return readKeystoreFile(this.keystore, password);
    }
    const key = this.env.MYC_PRIVATE_KEY;
    if (key) {
      const normalized = (key.startsWith("0x") ? key : `0x${key}`).trim() as Hex;
      if (!/^0x[0-9a-fA-F]{64}$/.test(normalized)) {
        throw new InvalidArgumentError({ parameter: "MYC_PRIVATE_KEY", value: "(hidden)", expected: "0x followed by 64 hex digits" });
      }
      return privateKeyToAccount(normalized);
    }
    throw new MissingAccountError({ action: "This command" });
  }
}

function parseChainId(value: string): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new InvalidArgumentError({ parameter: "chain id", value, expected: "a positive integer" });
  return id;
}
