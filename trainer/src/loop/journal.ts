/**
 * The trainer's journal: what it must remember across a crash to finish a round it started, in one JSON file per job
 * and account in the data directory (`journal/<chainId>-<contract>-<jobId>-<account>.json`).
 *
 * Every change is written atomically and durably before the trainer acts on it: the new content goes to a temporary
 * file that is fsynced, renamed over the journal, and the directory is fsynced, so after a SIGKILL or a power cut the
 * file holds either the old or the new state, never a mix. The order of writes is what makes a restart safe:
 * - the update's CID, samples and salt are written BEFORE the commit is sent (a commitment whose salt was lost could
 *   never be revealed, and the stake would be slashed);
 * - a transaction about to be sent is recorded with the account nonce it takes, and its hash as soon as the node has
 *   it, so a restart (or a retry after an RPC outage) checks that transaction instead of sending a second one.
 * The salt is secret until the reveal: the file is created with mode 0600.
 */
import { constants } from "node:fs";
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Address, Hash, Hex } from "viem";
import { TrainerJournalError } from "../errors.ts";

export const JOURNAL_FORMAT = "mycelium/trainer-journal@1";

/** Which job and account a journal belongs to. */
export type JournalIdentity = { chainId: number; contract: Address; jobId: bigint; trainer: Address };

/** What the trainer did in one round. CIDs are strings, big numbers decimal strings. */
export type JournalRound = {
  /** The update committed to, written before the commit is sent: exactly what the commitment hashes. */
  update?: { cid: string; samples: number; salt: Hex; baseModel: string };
  commitTx?: Hash;
  revealTx?: Hash;
  /** The aggregate this trainer computed and attested. */
  aggregate?: { cid: string; includedMask: string; includedSamples: string; slashMask?: string };
  attestTx?: Hash;
  finalizeTx?: Hash;
};

/** A transaction being sent: the step, the account nonce it takes, and its hash once the node accepted it. */
export type PendingTransaction = { step: string; round: number | null; nonce: number; hash: Hash | null };

export type JournalState = {
  format: typeof JOURNAL_FORMAT;
  chainId: number;
  contract: Address;
  jobId: string;
  trainer: Address;
  /** Block of the job's creation: event scans start there. */
  fromBlock: string | null;
  index: number | null;
  joinTx: Hash | null;
  /** Peer info this trainer last registered on-chain (peer id and multiaddrs). */
  peerInfo: { peerId: string; addrs: string[] } | null;
  rounds: Record<string, JournalRound>;
  pending: PendingTransaction | null;
  claimTxs: Hash[];
  withdrawTx: Hash | null;
};

/** Rounds older than this many rounds before the newest one recorded are dropped (the chain keeps the rest). */
const KEEP_ROUNDS = 4;

export class Journal {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private current: JournalState,
    /** Whether the file existed: the trainer is resuming. */
    readonly resumed: boolean,
  ) {}

  /** The file of a job and account inside `dataDir`. */
  static pathFor(dataDir: string, identity: JournalIdentity): string {
    return join(
      dataDir,
      "journal",
      `${identity.chainId}-${identity.contract.toLowerCase()}-${identity.jobId}-${identity.trainer.toLowerCase()}.json`,
    );
  }

  /** Opens the journal of `identity` in `dataDir`, creating an empty one when there is none. */
  static async open(dataDir: string, identity: JournalIdentity): Promise<Journal> {
    const path = Journal.pathFor(dataDir, identity);
    let text: string | null;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new TrainerJournalError(path, "it cannot be read", error);
      text = null;
    }
    if (text === null) {
      const journal = new Journal(path, emptyState(identity), false);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await journal.update(() => {});
      return journal;
    }
    let state: JournalState;
    try {
      state = JSON.parse(text) as JournalState;
    } catch (error) {
      throw new TrainerJournalError(path, "it is not valid JSON", error);
    }
    if (state?.format !== JOURNAL_FORMAT)
      throw new TrainerJournalError(path, `its format is ${JSON.stringify(state?.format)}, not ${JOURNAL_FORMAT}`);
    const expected = emptyState(identity);
    for (const key of ["chainId", "contract", "jobId", "trainer"] as const) {
      if (String(state[key]).toLowerCase() !== String(expected[key]).toLowerCase()) {
        throw new TrainerJournalError(path, `it belongs to ${key} ${String(state[key])}, not ${String(expected[key])}`);
      }
    }
    return new Journal(path, { ...expected, ...state }, true);
  }

  get state(): Readonly<JournalState> {
    return this.current;
  }

  round(round: number | bigint): Readonly<JournalRound> {
    return this.current.rounds[String(round)] ?? {};
  }

  /** Applies `change` to a copy of the state and makes it durable; resolves once it is on disk. Writes are serialized. */
  update(change: (state: JournalState) => void): Promise<void> {
    const next = structuredClone(this.current);
    change(next);
    prune(next);
    this.current = next;
    const text = `${JSON.stringify(next, null, 2)}\n`;
    const write = this.writes.then(() => writeDurably(this.path, text));
    this.writes = write.catch(() => {});
    return write.catch((error: unknown) => {
      throw new TrainerJournalError(this.path, "it could not be written", error);
    });
  }

  /** Changes one round's record. */
  updateRound(round: number | bigint, change: (record: JournalRound) => void): Promise<void> {
    return this.update((state) => {
      const key = String(round);
      const record = state.rounds[key] ?? {};
      change(record);
      state.rounds[key] = record;
    });
  }

  /** Resolves once every write started so far is on disk. */
  flush(): Promise<void> {
    return this.writes;
  }
}

function emptyState(identity: JournalIdentity): JournalState {
  return {
    format: JOURNAL_FORMAT,
    chainId: identity.chainId,
    contract: identity.contract,
    jobId: identity.jobId.toString(),
    trainer: identity.trainer,
    fromBlock: null,
    index: null,
    joinTx: null,
    peerInfo: null,
    rounds: {},
    pending: null,
    claimTxs: [],
    withdrawTx: null,
  };
}

function prune(state: JournalState): void {
  const rounds = Object.keys(state.rounds).map(Number);
  if (rounds.length === 0) return;
  const newest = Math.max(...rounds);
  for (const round of rounds) if (round < newest - KEEP_ROUNDS) delete state.rounds[String(round)];
}

/** Writes `text` to `path` so that a crash leaves either the old or the new content: temp file, fsync, rename, fsync dir. */
async function writeDurably(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp`;
  const file = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
  try {
    await file.writeFile(text, "utf8");
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  const directory = await open(dirname(path), constants.O_RDONLY);
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
