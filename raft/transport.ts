import type { SnapshotData } from './snapshot-data.js';
import type { Message } from './types.js';

/** What a transport delivers to its node. All calls are synchronous and must not throw. */
export interface TransportHandler {
  receive(message: Message): void;
  /** The peer could not be reached; messages to it were dropped. */
  reportUnreachable(peerId: number): void;
  /**
   * Nothing listens at the peer's address (a connection to it was refused): most likely its Raft node is
   * closed or its process is gone, but it may be wrong (a firewall's reject refuses new connections to a
   * live peer), so the core acts on it only as far as that is safe (Raft.leaderDown).
   */
  reportPeerDown(peerId: number): void;
  /** A snapshot sent to the peer was fully transferred (ok) or failed. */
  reportSnapshot(peerId: number, ok: boolean): void;
}

/** Injected network faults (chaos testing, FaultyTransport): messages to or from these peers vanish; others are delayed. */
export interface TransportFaults {
  readonly dropTo: readonly number[];
  readonly dropFrom: readonly number[];
  readonly delayMs: number;
}

/**
 * Moves Raft messages between nodes. `send` never blocks: messages are queued per peer (bounded) and
 * may be dropped, as Raft tolerates loss.
 */
export interface Transport {
  start(handler: TransportHandler): Promise<void>;
  send(messages: readonly Message[]): void;
  addPeer(id: number, address: string): void;
  removePeer(id: number): void;
  close(): Promise<void>;
  /** Optional: a snapshot this transport delivered is stored by the node now, so a copy it kept for it may go. */
  releaseSnapshot?(data: SnapshotData): void;
}
