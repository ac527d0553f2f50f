/**
 * The chain's clock, as seen from this machine. Round windows are in chain time (block timestamps), which may run
 * ahead of the local clock (Hardhat's automine adds a second per block when blocks come faster than one a second),
 * behind it, or with another phase (block timestamps are whole seconds). The clock asks the node for the timestamp the
 * next block would get (the "pending" block: what a transaction sent now will see) and keeps a lower bound of chain
 * time: a pending timestamp T read by time t says chain time is at least T at t, and, since chain time never runs
 * slower than real time, at least T + (now - t) later. Waits end when that bound reaches the target, polling the node
 * in the last second so they end within about 100 ms of the chain's second boundary.
 */
import type { Client } from "viem";
import { getBlock } from "viem/actions";
import { rpc, sleep } from "@mycelium/client";

/** Longest wait between two readings of the chain's clock while waiting for a time. */
const MAX_SLEEP_S = 2;

export class ChainClock {
  /** Lower bound of chain time minus local time, in ms; null before the first reading. */
  private offsetMs: number | null = null;

  constructor(private readonly client: Client) {}

  /** Reads the next block's timestamp and tightens the bound. Falls back to the latest block on nodes without "pending". */
  async sync(): Promise<void> {
    let timestamp: bigint;
    let pending = true;
    try {
      timestamp = (await getBlock(this.client, { blockTag: "pending" })).timestamp;
    } catch {
      pending = false;
      timestamp = (await rpc("Reading the chain's clock", () => getBlock(this.client, { blockTag: "latest" }))).timestamp;
    }
    const observed = Number(timestamp) * 1000 - Date.now();
    // A latest block may be old; the next one will be mined at about the local time.
    const bound = pending ? observed : Math.max(observed, -1000);
    this.offsetMs = this.offsetMs === null ? bound : Math.max(this.offsetMs, bound);
  }

  /** Chain time in seconds (fractional): a lower bound, within about a second of the truth. */
  now(): number {
    return (Date.now() + (this.offsetMs ?? 0)) / 1000;
  }

  /** The local time (unix ms) at which chain time reaches `at` (at the latest). */
  localMs(at: bigint | number): number {
    return Number(at) * 1000 - (this.offsetMs ?? 0);
  }

  /** Seconds until chain time `at` (negative once it has passed). */
  until(at: bigint | number): number {
    return Number(at) - this.now();
  }

  /** Waits until chain time reaches `at`. */
  async waitUntil(at: bigint | number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const left = this.until(at);
      if (left <= 0) return;
      if (left > 1.5) {
        // At most MAX_SLEEP_S between readings: a chain whose clock jumps (a devnet moved forward, a stalled chain
        // catching up) is noticed within seconds.
        await sleep(Math.min(left - 1, MAX_SLEEP_S) * 1000, signal);
      } else {
        await sleep(Math.min(left * 1000, 100), signal);
      }
      await this.sync().catch(() => {});
    }
  }
}
