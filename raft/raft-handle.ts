import type { EventEmitter } from 'node:events';
import type { RaftStatus } from './raw-node.js';
import type { TransportFaults } from './transport.js';
import type { ConfState } from './types.js';

/**
 * What a Raft node counts from its start: proposals made on it that were applied, and that failed
 * (refused, timed out, closed); the times it learned of a new leader (a leader known after none or
 * another, as etcd's etcd_server_leader_changes_seen_total counts them).
 */
export interface RaftCounters {
  proposalsCommitted: number;
  proposalsFailed: number;
  leaderChangesSeen: number;
}

/**
 * What a host uses of a Raft node, wherever it runs: in the host's own thread (RaftNode, as the
 * simulators run it) or on a thread of its own (RaftWorkerClient, so that no work of the host can
 * delay a heartbeat). Both apply committed entries to the host's state machine on the host's thread.
 *
 * Events: 'leader-change' and 'role-change' (LeaderChange), 'member-change' (ConfChange, in log order
 * with the entries), 'persisted' (seconds, entries), 'applied' (seconds, entries), 'snapshot' (index),
 * 'peer-rtt' (peer, seconds), 'fatal' (Error: the log cannot be written; the host must stop); on a
 * thread of its own also 'thread-health' (ThreadHealthReport: that thread's event-loop delay, GC pauses
 * and heap, about once a second or with each status).
 */
export interface RaftHandle extends EventEmitter {
  readonly id: number;
  readonly counters: Readonly<RaftCounters>;
  /**
   * Replicate `data`; resolves once it is applied here, with its index and the state machine's result.
   * With `leaderTerm`, only as the leader of that term.
   */
  propose(data: Uint8Array, leaderTerm?: number): Promise<{ index: number; result: unknown }>;
  /** A linearizable read point: resolves with an index once the state machine has applied up to it. */
  readIndex(): Promise<number>;
  /** Resolves if this node is still the leader: by a lease when one is valid, else by a ReadIndex round. */
  leaderLease(): Promise<void>;
  transferLeader(target: number): void;
  addVoter(id: number, address: string, caughtUpLagMax?: number): Promise<ConfState>;
  removeMember(id: number): Promise<ConfState>;
  /** The latest status known to the host's thread (for a worker, as last reported: about 40 ms old at most, while its event loop keeps up; see RaftWorkerClient). */
  status(): RaftStatus;
  /** The status as of now. */
  currentStatus(): Promise<RaftStatus>;
  pendingProposals(): number;
  isLeader(): boolean;
  leader(): number;
  /** Snapshot the state machine at the applied index now and compact the log; resolves with the snapshot index. */
  snapshotNow(): Promise<number>;
  /** Chaos testing: drop or delay peer traffic. */
  injectTransportFaults(faults: TransportFaults): void;
  close(): Promise<void>;
}
