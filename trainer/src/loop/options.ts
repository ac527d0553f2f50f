/**
 * What a caller of `runTrainer` gives and gets back: the options, the extension points of test and benchmark harnesses,
 * and the summary of a run.
 */
import type { Account, Address, Hex } from "viem";
import type { CreateMyceliumClientParameters, Deployment, StorageNetwork, TrainingSpec, WeightSpec } from "@mycelium/client";
import type { BackendName } from "../backend.ts";
import type { TrainerEvent } from "./events.ts";

/** A trainer's update of a round: weights in the global model's weight order, and the samples it claims. */
export type ProducedUpdate = { weights: Float32Array[]; samples: number };

/** What a hook learns about the update it may transform. */
export type UpdateContext = {
  jobId: bigint;
  round: number;
  trainerIndex: number;
  /** The round's global model weights (the base the update started from) and their specs. */
  base: readonly Float32Array[];
  weightSpecs: readonly WeightSpec[];
  /** The round seed the shard assignment came from. */
  seed: Hex;
  spec: TrainingSpec;
};

/**
 * Extension points for test and benchmark harnesses. The shipped trainer and its CLI never set them: an honest
 * trainer has no option to misbehave. Adversarial trainers (scaled, noise, sign-flip, lazy) are built with them in
 * the devkit (@mycelium/devkit), for the demo, the tests and the benchmarks.
 */
export type TrainerHooks = {
  /**
   * Called with every locally trained update before it is stored and committed; what it returns is published instead
   * (weights in the same order and shapes, and the samples claimed, an integer in [1, the job's maxSamples]).
   */
  transformUpdate?: ((update: ProducedUpdate, context: UpdateContext) => ProducedUpdate | Promise<ProducedUpdate>) | undefined;
};

/** The trainer's IPFS node. Its blocks and peer key live in the data directory. */
export type TrainerStorageOptions = {
  /** "public" (default, as `myc`) or "loopback" (this machine only: tests, demos). */
  network?: StorageNetwork | undefined;
  /** libp2p listen addresses (default: any free port; on loopback 127.0.0.1). */
  listen?: string[] | undefined;
  /** Multiaddrs to dial at start, e.g. the node serving the dataset. Failures are logged, not fatal. */
  peers?: string[] | undefined;
  /** Trustless gateway URLs to fetch blocks from (every block is verified). */
  gateways?: string[] | undefined;
  /** The node's own HTTP gateway (default on 127.0.0.1, any port); `announce` is the URL others reach it at. */
  gateway?: false | { host?: string; port?: number; announce?: string } | undefined;
  /** How long one block may take to arrive before a fetch fails (default 30 s). */
  blockTimeoutMs?: number | undefined;
};

export type RunTrainerOptions = {
  jobId: bigint | number;
  /** Signs the trainer's transactions (e.g. privateKeyToAccount(process.env.MYC_PRIVATE_KEY)). */
  account: Account;
  /** JSON-RPC URL, expected chain id and deployment, as for createMyceliumClient (same defaults). */
  rpcUrl?: string | undefined;
  chainId?: number | undefined;
  deployment?: Deployment | string | undefined;
  deploymentSearch?: CreateMyceliumClientParameters["deploymentSearch"];
  /** Holds the IPFS node (blocks/, datastore/) and the journal (journal/). Keep it across restarts. */
  dataDir: string;
  /** Compute backend for local training (default "auto": the best installed). */
  backend?: BackendName | "auto" | undefined;
  storage?: TrainerStorageOptions | undefined;
  /** Stake when joining, in the job token's smallest unit (default the job's minimum). */
  stake?: bigint | undefined;
  /** Claim rewards after every round, or once at the end (default, fewer transactions). */
  claim?: "end" | "every-round" | undefined;
  /** After the job: keep the IPFS node up, serving what it holds, until stopped (default false: stop). */
  keepServing?: boolean | undefined;
  /**
   * Start training round r+1 as soon as this trainer has computed round r's aggregate, from that aggregate and the
   * seed it implies, instead of waiting for the finalization (default true). The result is used only when the chain
   * finalizes that very model and seed; otherwise it is discarded and the round is trained afresh.
   */
  trainEarly?: boolean | undefined;
  /** How long fetching the revealed updates may take, at most (default 60 s; never past the attest window). */
  fetchTimeoutMs?: number | undefined;
  /** How often the round's state is polled while waiting for others (default 500 ms). */
  pollIntervalMs?: number | undefined;
  /** Stops the trainer cleanly: the current step ends, the journal is flushed, the node stops. */
  signal?: AbortSignal | undefined;
  /** Every step, as it happens (the CLI prints them). */
  onEvent?: ((event: TrainerEvent) => void) | undefined;
  hooks?: TrainerHooks | undefined;
};

export type RoundSummary = {
  round: number;
  committed: boolean;
  revealed: boolean;
  attested: boolean;
  /** The aggregate this trainer computed, if it did. */
  aggregateCid: string | null;
  succeeded: boolean | null;
  /** Whether the finalized aggregate is the one this trainer computed. */
  agreed: boolean | null;
  included: boolean | null;
  /** Validation accuracy and loss of this trainer's aggregate. */
  accuracy: number | null;
  loss: number | null;
};

export type TrainerSummary = {
  jobId: bigint;
  trainer: Address;
  trainerIndex: number | null;
  stoppedBy: "job-ended" | "aborted";
  rounds: RoundSummary[];
  /** Rewards claimed and stake withdrawn by this run, in the tokens' smallest units. */
  claimed: bigint;
  withdrawn: bigint;
};

export type RunTrainerReturnType = TrainerSummary;
