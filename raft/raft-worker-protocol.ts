import type { DurableStorageOptions } from './durable-storage.js';
import { RaftError } from './errors.js';
import type { RaftErrorCode } from './errors.js';
import type { AppliedEntry, LeaderChange, RaftNodeOptions } from './raft-node.js';
import type { RaftStatus } from './raw-node.js';
import type { TcpTransportOptions } from './tcp-transport.js';
import type { TransportFaults } from './transport.js';
import type { ConfChange } from './types.js';

/**
 * The messages between a host thread and the Raft worker thread it started (raft-worker.ts). Every
 * value is structured-cloneable; byte arrays travel as compact copies (cloning a view would copy its
 * whole underlying buffer).
 */

/**
 * The first message to a worker started before its options were known (PrestartedRaftWorker): they are.
 * Such a worker loads its modules while the host loads its catalog, whose applied index and members the
 * options need.
 */
export interface WorkerBegin {
  readonly op: 'begin';
  readonly options: RaftWorkerOptions;
}

/**
 * Everything the worker needs to open the log and the peer transport; set once, at start. The options
 * of RaftNode, DurableStorage and TcpTransport it passes on are theirs (defaults and docs there).
 */
export interface RaftWorkerOptions
  extends Pick<
      RaftNodeOptions,
      'id' | 'initialVoters' | 'tickIntervalMs' | 'electionTicks' | 'heartbeatTicks' | 'snapshotEntries' | 'snapshotEntriesKept' | 'proposalTimeoutMs' | 'pendingProposalsMax'
    >,
    Pick<DurableStorageOptions, 'segmentBytesMax' | 'snapshotsKept'>,
    Pick<TcpTransportOptions, 'listenAddress' | 'secret' | 'helloMagic'> {
  /** The directory of the write-ahead log and snapshot files. */
  readonly logDir: string;
  /** The peers' ids and addresses (TcpTransportOptions.peers, as pairs). */
  readonly peers: ReadonlyArray<readonly [number, string]>;
  /** The index the host's state machine has applied and stored (where the worker resumes). */
  readonly appliedIndex: number;
  /** Allow fault injection (chaos testing only): the transport is wrapped in a FaultyTransport. */
  readonly faultInjection?: boolean;
  /**
   * The module (a URL for import()) whose `peerAddressOf` export reads a peer address from a conf
   * change's context in the host's format (RaftNodeOptions.peerAddressOf; a function cannot be posted
   * to the worker). Absent: the context is the address.
   */
  readonly peerAddressModule?: string;
  /** The host's state machine persists itself (StateMachine.persist): snapshots then record an index only, until a peer needs data. */
  readonly stateMachinePersists?: boolean;
  /** The worker thread's nice value (Linux, per thread), set before it opens anything; absent: the thread it was started from. */
  readonly nice?: number;
}

/**
 * Written in the log's directory when the worker finds that this member's log lost entries
 * (LogLostError): every later start refuses too. The leader that noticed may be gone by the next start,
 * and a new leader knows no acknowledgement of this member's, so the member would rejoin quietly on the
 * log it does not have.
 */
export const LOG_LOST_FILE = 'LOG_LOST';

/** Host -> worker. Requests with a `call` number are answered by a `reply` with the same number. */
export type ToWorker =
  | { readonly op: 'propose'; readonly call: number; readonly data: Uint8Array; readonly leaderTerm?: number }
  | { readonly op: 'readIndex'; readonly call: number }
  | { readonly op: 'leaderLease'; readonly call: number }
  | { readonly op: 'addVoter'; readonly call: number; readonly id: number; readonly address: string; readonly caughtUpLagMax?: number }
  | { readonly op: 'removeMember'; readonly call: number; readonly id: number }
  | { readonly op: 'snapshotNow'; readonly call: number }
  | { readonly op: 'status'; readonly call: number }
  | { readonly op: 'close'; readonly call: number }
  | { readonly op: 'transferLeader'; readonly target: number }
  | { readonly op: 'faults'; readonly faults: TransportFaults }
  /** The state machine's snapshot, asked for by a `snapshot` message: all of it (or the error why not). */
  | { readonly op: 'snapshotData'; readonly request: number; readonly data: Uint8Array | null; readonly error?: string }
  /**
   * Or the snapshot in pieces, as the state machine makes them, then its end (or the error that cut it
   * short). The host sends a few pieces ahead of the worker's `snapshot-piece-taken`, no more.
   */
  | { readonly op: 'snapshotPiece'; readonly request: number; readonly piece: Uint8Array }
  | { readonly op: 'snapshotEnd'; readonly request: number; readonly error?: string }
  /** The answer to a `persist` message: everything applied before it is durable (or the error why not). */
  | { readonly op: 'persisted'; readonly request: number; readonly error?: string }
  /** Several of the above, posted in one turn (ThreadOutbox), in order. */
  | { readonly op: 'batch'; readonly messages: readonly ToWorker[] };

/** Where a snapshot's bytes are: `byteLength` bytes of the file `path` from `offset` (a SnapshotFile as data). */
export interface SnapshotFileRef {
  readonly path: string;
  readonly offset: number;
  readonly byteLength: number;
  /** The checksum the data must have (SnapshotFile.check). */
  readonly check: { readonly seed: number; readonly expected: number } | null;
}

/** A RaftError as data: code and message. */
export interface WireError {
  readonly code: string | null;
  readonly message: string;
}

/** An error as data (a RaftError's message without the `code: ` prefix its constructor adds back). */
export function toWireError(error: unknown): WireError {
  if (error instanceof RaftError) return { code: error.code, message: error.message.startsWith(`${error.code}: `) ? error.message.slice(error.code.length + 2) : error.message };
  return { code: null, message: error instanceof Error ? error.message : String(error) };
}

export function fromWireError(error: WireError): Error {
  return error.code === null ? new Error(error.message) : new RaftError(error.code as RaftErrorCode, error.message);
}

/** Observations batched between status messages, for the host's metrics. */
export interface WorkerObservations {
  /** [seconds, entries] per log write. */
  readonly persisted: ReadonlyArray<readonly [number, number]>;
  /** [peer, seconds] per heartbeat answered. */
  readonly peerRtt: ReadonlyArray<readonly [number, number]>;
  /** The worker thread's own health (ThreadHealth): how late its 10 ms timer ran, seconds per sample. */
  readonly loopDelays: readonly number[];
  /** [kind, seconds] per garbage collection on the worker thread. */
  readonly gcPauses: ReadonlyArray<readonly [GcKind, number]>;
  /** The worker thread's heap when the status left: V8's used heap and its external memory (ArrayBuffers: the log's entries, frames). */
  readonly heap: { readonly usedBytes: number; readonly externalBytes: number };
}

/** The worker thread's health since its last report (RaftWorkerClient's 'thread-health' event). */
export type ThreadHealthReport = Pick<WorkerObservations, 'loopDelays' | 'gcPauses' | 'heap'>;

/** A garbage collection's kind, as perf_hooks names them (NODE_PERFORMANCE_GC_*). */
export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb';

/** Worker -> host. */
export type FromWorker =
  | { readonly type: 'started'; readonly status: RaftStatus }
  | { readonly type: 'reply'; readonly call: number; readonly value?: unknown; readonly error?: WireError }
  /** Committed entries to apply, in log order. */
  | { readonly type: 'apply'; readonly entries: readonly AppliedEntry[] }
  /** Replace the state machine with a snapshot (from the leader, or the newest one at start): its bytes, or (a big one) where they are. */
  | { readonly type: 'restore'; readonly index: number; readonly data: Uint8Array | SnapshotFileRef }
  /** A piece of a snapshot sent in pieces was taken: the host may send one more; `stop`: send no more (it is not wanted). */
  | { readonly type: 'snapshot-piece-taken'; readonly request: number; readonly stop?: boolean }
  /** Snapshot the state machine once it has applied everything sent before this message. */
  | { readonly type: 'snapshot'; readonly request: number }
  /** Make everything sent before this message durable in the state machine (StateMachine.persist). */
  | { readonly type: 'persist'; readonly request: number }
  | { readonly type: 'status'; readonly status: RaftStatus; readonly observations: WorkerObservations }
  | { readonly type: 'leader-change' | 'role-change'; readonly change: LeaderChange; readonly status: RaftStatus }
  | { readonly type: 'member-change'; readonly cc: ConfChange }
  | { readonly type: 'snapshot-saved'; readonly index: number }
  | { readonly type: 'log'; readonly level: 'info' | 'warn'; readonly message: string; readonly fields?: Record<string, unknown> }
  | { readonly type: 'fatal'; readonly error: WireError }
  /** Several of the above, posted in one turn (ThreadOutbox), in order. */
  | { readonly type: 'batch'; readonly messages: readonly FromWorker[] };

/**
 * `bytes` with a buffer of its own: as it is when it already owns its whole buffer, else a copy (a
 * view's clone would copy its whole underlying buffer, a pooled Buffer's included, and only a buffer
 * that is not shared may be transferred). Buffer#slice makes a view, so the copy is made explicitly.
 */
export function compact(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  return Uint8Array.prototype.slice.call(bytes);
}
