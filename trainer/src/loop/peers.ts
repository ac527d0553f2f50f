/**
 * Membership and peers: joining the job with this node's peer info, keeping that info current on-chain after a restart
 * (the node listens elsewhere), and connecting to the other trainers the chain names, so updates and shards move
 * between trainers directly.
 */
import { dialableAddresses, getPeerInfo, getTrainer, joinJob, updatePeerInfo } from "@mycelium/client";
import { TrainerNotActiveError } from "../errors.ts";
import { describe, type TrainerSession } from "./session.ts";

const DIAL_TIMEOUT_MS = 5_000;

export class Peers {
  /** Peers that could not be dialed, with the addresses tried: reported once per set of addresses. */
  private readonly unreachable = new Map<string, string>();

  constructor(private readonly session: TrainerSession) {}

  /** Joins when needed (with this node's peer info) and keeps the on-chain peer info current. False: nothing to do. */
  async ensureJoined(): Promise<boolean> {
    const { session } = this;
    const { client, jobId } = session;
    let trainer = await session.retry("Reading this trainer", () => getTrainer(client, { jobId }));
    const over = session.job.status === "ended" || session.job.status === "cancelled";
    if (trainer.status === "none") {
      if (over) {
        session.emit({ type: "info", message: `job ${jobId} is ${session.job.status}; nothing to join` });
        return false;
      }
      const addrs = this.addresses();
      const joined = await session.step({
        step: "join",
        round: null,
        isDone: async () => (await getTrainer(client, { jobId })).status !== "none",
        send: (tx) => joinJob(client, { jobId, stake: session.options.stake, peerId: session.node.peerId, addrs, ...tx }),
      });
      trainer = await session.retry("Reading this trainer", () => getTrainer(client, { jobId }));
      session.index = Number(trainer.index);
      await session.journal.update((state) => {
        state.index = session.index;
        state.joinTx = joined.hash;
        if (joined.result !== null) state.peerInfo = { peerId: session.node.peerId, addrs };
      });
      session.emit({
        type: "joined",
        index: session.index,
        stake: trainer.stake,
        hash: joined.hash,
        alreadyJoined: joined.result === null,
      });
    } else {
      session.index = Number(trainer.index);
      session.emit({ type: "joined", index: session.index, stake: trainer.stake, hash: session.journal.state.joinTx, alreadyJoined: true });
      if (trainer.status !== "active") {
        if (over) return true;
        throw new TrainerNotActiveError({ jobId, trainer: session.address, status: trainer.status });
      }
    }
    if (!over) await this.ensurePeerInfo();
    return true;
  }

  /** Dials the peers given at start (the dataset's publisher, say); failures are reported, not fatal. */
  async dialConfigured(peers: readonly string[]): Promise<void> {
    const { session } = this;
    await Promise.all(
      peers.map(async (address) => {
        try {
          await session.node.dial(address, { signal: AbortSignal.any([session.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) });
        } catch (error) {
          if (session.signal.aborted) throw error;
          session.emit({ type: "warning", message: `could not connect to peer ${address}: ${describe(error)}` });
        }
      }),
    );
  }

  /** Connects to every other trainer of the job not connected yet, from the peer info on-chain. */
  async connect(): Promise<void> {
    const { session } = this;
    const peers = await session.retry("Reading the trainers' peer info", () =>
      getPeerInfo(session.client, { jobId: session.jobId, fromBlock: session.fromBlock }),
    );
    const connected = new Set(session.node.connectedPeers());
    const me = session.address.toLowerCase();
    await Promise.all(
      [...peers.values()]
        .filter((peer) => peer.trainer.toLowerCase() !== me && peer.peerId !== session.node.peerId && !connected.has(peer.peerId))
        .map(async (peer) => {
          const candidates = dialableAddresses(peer.peerId, peer.addrs);
          let failure = candidates.length === 0 ? "it registered no libp2p address" : "";
          for (const address of candidates) {
            try {
              await session.node.dial(address, { signal: AbortSignal.any([session.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) });
              this.unreachable.delete(peer.peerId);
              return;
            } catch (error) {
              if (session.signal.aborted) throw error;
              failure = describe(error);
            }
          }
          const key = peer.addrs.join(" ");
          if (this.unreachable.get(peer.peerId) !== key) {
            this.unreachable.set(peer.peerId, key);
            session.emit({ type: "peer-unreachable", trainerIndex: peer.trainerIndex, peerId: peer.peerId, error: failure });
          }
        }),
    );
  }

  /** The addresses registered on-chain: the libp2p ones, then the gateway's. */
  private addresses(): string[] {
    const { node } = this.session;
    return [...node.multiaddrs, ...(node.gatewayAddress ? [node.gatewayAddress] : [])];
  }

  /** After a restart the node listens elsewhere: publish the new addresses so peers can fetch this trainer's update. */
  private async ensurePeerInfo(): Promise<void> {
    const { session } = this;
    const desired = { peerId: session.node.peerId, addrs: this.addresses() };
    const same = (record: { peerId: string; addrs: string[] } | undefined) =>
      record !== undefined &&
      record.peerId === desired.peerId &&
      [...record.addrs].sort().join(" ") === [...desired.addrs].sort().join(" ");
    const registered = async () =>
      (await getPeerInfo(session.client, { jobId: session.jobId, fromBlock: session.fromBlock })).get(session.address);
    if (same(await session.retry("Reading this trainer's peer info", registered))) return;
    await session.step({
      step: "peer-info",
      round: null,
      isDone: async () => same(await registered()),
      send: (tx) => updatePeerInfo(session.client, { jobId: session.jobId, peerId: desired.peerId, addrs: desired.addrs, ...tx }),
      recordState: (_hash, state) => void (state.peerInfo = desired),
      report: (hash) => ({ type: "peer-info-updated", hash, addrs: desired.addrs }),
    });
  }
}
