/**
 * The Raft worker thread: owns the Raft core, the write-ahead log and the peer transport, with an event
 * loop of its own, so that nothing the host does (requests, password hashing, serialising a big
 * catalog, garbage collection of a large heap) can delay a tick, a heartbeat or a log write. Committed
 * entries go to the host, which applies them to its state machine in order on its own thread; see
 * RaftWorkerClient for the other side and raft-worker-protocol.ts for the messages.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { DurableStorage } from './durable-storage.js';
import { LogLostError } from './errors.js';
import { FaultyTransport } from './faulty-transport.js';
import type { PeerAddressOf } from './membership.js';
import { heartbeatIntervalMs, RaftNode } from './raft-node.js';
import type { AppliedEntry, LeaderChange, StateMachine } from './raft-node.js';
import { compact, LOG_LOST_FILE, toWireError } from './raft-worker-protocol.js';
import type { FromWorker, RaftWorkerOptions, ToWorker, WorkerBegin } from './raft-worker-protocol.js';
import { SnapshotFile } from './snapshot-data.js';
import type { SnapshotData, SnapshotSource } from './snapshot-data.js';
import { TcpTransport } from './tcp-transport.js';
import { LOOP_SAMPLE_MS, ThreadHealth } from './thread-health.js';
import { ThreadOutbox } from './thread-outbox.js';
import type { RaftStatus } from './raw-node.js';
import type { ConfChange } from './types.js';

const STATUS_INTERVAL_MS = 20;
/** A status goes when this many health samples wait, even if nothing else changed: about one a second. */
const HEALTH_SAMPLES_PER_STATUS = 1000 / LOOP_SAMPLE_MS;

/** What the node handles; the state machine's answers go to it as they arrive, started or not. */
type NodeRequest = Exclude<ToWorker, { op: 'snapshotData' } | { op: 'snapshotPiece' } | { op: 'snapshotEnd' } | { op: 'persisted' } | { op: 'batch' }>;

if (parentPort === null) throw new Error('raft-worker.js runs as a worker thread');
const port = parentPort;
/** From workerData, or (a prestarted worker: workerData null) from the host's first message. */
let options = workerData as RaftWorkerOptions;

/** What this thread posts to the host in one turn goes as one message (ThreadOutbox). */
const outbox = new ThreadOutbox<FromWorker>(
  (message, transfer) => port.postMessage(message, transfer),
  (messages) => ({ type: 'batch', messages }),
);
const post = (message: FromWorker, transfer?: readonly ArrayBuffer[]): void => outbox.post(message, transfer);

/**
 * `bytes` as a buffer of its own to post: a compact copy, listed in `transfer` to be moved rather than
 * copied again; the original itself when it already owns its buffer (it may still be in use here: the
 * log's memory holds snapshots, so it is cloned, not moved).
 */
function movable(bytes: Uint8Array, transfer: ArrayBuffer[]): Uint8Array {
  const copy = compact(bytes);
  if (copy !== bytes) transfer.push(copy.buffer as ArrayBuffer);
  return copy;
}

const log = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>): void => post({ type: 'log', level, message, ...(fields === undefined ? {} : { fields }) });

/** The pieces of a snapshot as they arrive from the host, read in order; `taken` tells the host each time one is read. */
class PieceQueue implements AsyncIterable<Uint8Array> {
  private readonly pieces: Uint8Array[] = [];
  private ended = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;

  /** `taken(false)` each time a piece is read; `taken(true)` when the reader stops before the end. */
  constructor(private readonly taken: (stop: boolean) => void) {}

  push(piece: Uint8Array): void {
    this.pieces.push(piece);
    this.wake?.();
  }

  end(error: Error | null): void {
    this.ended = true;
    this.error = error;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const piece = this.pieces.shift();
        if (piece !== undefined) {
          this.taken(false);
          yield piece;
          continue;
        }
        if (this.error !== null) throw this.error;
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
      }
    } finally {
      // The reader gave up (a write failed, or the snapshot is not wanted after all).
      if (!this.ended) {
        this.ended = true;
        this.taken(true);
      }
    }
  }
}

/**
 * The host's state machine as seen from this thread. Entries and snapshots are handed over in log
 * order and applied there in the same order; `apply` and `restore` return once handed over, so the
 * Ready loop goes on at once. A snapshot request is answered once the host has applied everything
 * handed over before it: its state is exactly that of the index the request was made at.
 */
class HostStateMachine implements StateMachine {
  private nextRequest = 1;
  private readonly snapshotRequests = new Map<number, { resolve: (data: SnapshotSource) => void; reject: (error: Error) => void }>();
  /** Snapshots arriving in pieces, by request. */
  private readonly snapshotStreams = new Map<number, PieceQueue>();
  private readonly persistRequests = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  /** Present when the host's state machine persists itself (see StateMachine.persist). */
  readonly persist?: () => Promise<void>;

  constructor(
    private readonly applied: number,
    persists: boolean,
  ) {
    if (persists) {
      this.persist = () => {
        const request = this.nextRequest++;
        return new Promise((resolve, reject) => {
          this.persistRequests.set(request, { resolve, reject });
          post({ type: 'persist', request });
        });
      };
    }
  }

  persistAnswered(request: number, error: string | undefined): void {
    const pending = this.persistRequests.get(request);
    if (pending === undefined) return;
    this.persistRequests.delete(request);
    if (error === undefined) pending.resolve();
    else pending.reject(new Error(`the state machine could not make its state durable: ${error}`));
  }

  appliedIndex(): number {
    return this.applied;
  }

  async apply(entries: readonly AppliedEntry[]): Promise<unknown[]> {
    // Each entry's bytes are copied once (an entry is a view into the frame it arrived in, or into its
    // envelope) and the copies are moved to the host, not copied again.
    const transfer: ArrayBuffer[] = [];
    const copies = entries.map((e) => ({ ...e, data: e.data === null ? null : movable(e.data, transfer) }));
    post({ type: 'apply', entries: copies }, transfer);
    return entries.map(() => null);
  }

  snapshot(): Promise<SnapshotSource> {
    const request = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.snapshotRequests.set(request, { resolve, reject });
      post({ type: 'snapshot', request });
    });
  }

  snapshotAnswered(request: number, data: Uint8Array | null, error: string | undefined): void {
    const pending = this.snapshotRequests.get(request);
    if (pending === undefined) return;
    this.snapshotRequests.delete(request);
    if (data === null) pending.reject(new Error(`the state machine could not snapshot itself: ${error ?? 'unknown error'}`));
    else pending.resolve(data);
  }

  /** A piece of a snapshot sent in pieces: the first one answers the request with the stream of them. */
  snapshotPiece(request: number, piece: Uint8Array): void {
    let stream = this.snapshotStreams.get(request);
    if (stream === undefined) {
      const pending = this.snapshotRequests.get(request);
      if (pending === undefined) return;
      this.snapshotRequests.delete(request);
      stream = new PieceQueue((stop) => {
        if (stop) this.snapshotStreams.delete(request);
        post({ type: 'snapshot-piece-taken', request, ...(stop ? { stop } : {}) });
      });
      this.snapshotStreams.set(request, stream);
      pending.resolve(stream);
    }
    stream.push(piece);
  }

  snapshotEnded(request: number, error: string | undefined): void {
    const stream = this.snapshotStreams.get(request);
    if (stream === undefined) {
      // No piece came: an empty snapshot, or one that failed before its first piece.
      this.snapshotAnswered(request, error === undefined ? new Uint8Array(0) : null, error);
      return;
    }
    this.snapshotStreams.delete(request);
    stream.end(error === undefined ? null : new Error(`the state machine could not snapshot itself: ${error}`));
  }

  async restore(data: SnapshotData, index: number): Promise<void> {
    if (data instanceof SnapshotFile) {
      // A big snapshot stays in its file: the host reads it from there, a piece at a time.
      post({ type: 'restore', index, data: { path: data.path, offset: data.offset, byteLength: data.byteLength, check: data.check } });
      return;
    }
    const transfer: ArrayBuffer[] = [];
    post({ type: 'restore', index, data: movable(data, transfer) }, transfer);
  }
}

/** Record the loss (best effort: the stop itself is what matters). */
function recordLogLost(error: unknown): void {
  if (!(error instanceof LogLostError)) return;
  try {
    const fd = openSync(join(options.logDir, LOG_LOST_FILE), 'w', 0o600);
    try {
      writeSync(fd, `${new Date().toISOString()} ${error.reason}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // An unwritable directory: this start still stops.
  }
}

/** Refuse to start a member whose log was found to have lost entries. */
function refuseIfLogLost(): void {
  const path = join(options.logDir, LOG_LOST_FILE);
  if (!existsSync(path)) return;
  throw new LogLostError(`an earlier start recorded it in ${path} (${readFileSync(path, 'utf8').trim()}); delete that file only if this data directory is known to be whole again`);
}

async function main(): Promise<void> {
  // The rest are RaftNode's own options, passed on as they are.
  const { logDir, segmentBytesMax, snapshotsKept, listenAddress, peers, secret, helloMagic, faultInjection, peerAddressModule, appliedIndex, stateMachinePersists, nice, ...nodeOptions } = options;
  // Linux's nice value is per thread: this one, before anything runs on it. A value that cannot be set
  // fails the start (the operator asked for it).
  if (nice !== undefined) {
    try {
      setPriority(nice);
    } catch (error) {
      const denied = /EACCES|EPERM/.test((error as Error).message);
      throw new Error(`could not set the Raft thread's nice value to ${nice}: ${denied ? 'not permitted (a value below the process\'s needs root, CAP_SYS_NICE or RLIMIT_NICE)' : (error as Error).message}`);
    }
  }
  const peerAddressOf = peerAddressModule === undefined ? undefined : ((await import(peerAddressModule)) as { peerAddressOf: PeerAddressOf }).peerAddressOf;
  const stateMachine = new HostStateMachine(appliedIndex, stateMachinePersists === true);
  refuseIfLogLost();
  const storage = await DurableStorage.open(logDir, {
    ...(segmentBytesMax === undefined ? {} : { segmentBytesMax }),
    ...(snapshotsKept === undefined ? {} : { snapshotsKept }),
    appliedIndex,
    log,
  });
  const tcp = new TcpTransport({
    id: options.id,
    // A big snapshot from the leader is written beside the log as it arrives, not held in memory.
    snapshotDir: logDir,
    listenAddress,
    peers: new Map(peers),
    helloMagic,
    ...(secret === undefined ? {} : { secret }),
    // Appends to a peer at most every 2 ms: under load a leader's frames carry several Readys' entries
    // (a fill at 200,000 collections: about 20% more CreateCollection per second, README "Scale").
    frameIntervalMs: 2,
    // A commit update goes with the next append or heartbeat, not in a frame of its own (which cost
    // each follower a frame and an answer more after a third of a single client's writes). A
    // follower's linearizable read is not held back: its read round's heartbeat carries the commit
    // index. Its stale reads and its applied catalog may trail the leader's by up to a heartbeat
    // interval (tick-ms x heartbeat-ticks) when no other write follows.
    commitUpdateWaitMs: heartbeatIntervalMs(nodeOptions),
    log,
  });
  // Fault injection only where the host allows it (chaos testing): otherwise the transport is bare.
  const faulty = faultInjection === true ? new FaultyTransport(tcp, { log }) : null;
  // Messages that arrive while the node starts (a snapshot answer for the restore at start cannot, but
  // a host may ask for status early) wait for it.
  const early: NodeRequest[] = [];
  let node: RaftNode | null = null;
  const receive = (message: ToWorker): void => {
    if (message.op === 'batch') for (const one of message.messages) receive(one);
    else if (message.op === 'snapshotData') stateMachine.snapshotAnswered(message.request, message.data, message.error);
    else if (message.op === 'snapshotPiece') stateMachine.snapshotPiece(message.request, message.piece);
    else if (message.op === 'snapshotEnd') stateMachine.snapshotEnded(message.request, message.error);
    else if (message.op === 'persisted') stateMachine.persistAnswered(message.request, message.error);
    else if (node === null) early.push(message);
    else handle(node, message);
  };
  port.on('message', receive);
  node = await RaftNode.start({ ...nodeOptions, ...(peerAddressOf === undefined ? {} : { peerAddressOf }), storage, transport: faulty ?? tcp, stateMachine, backgroundSnapshots: true, batchInputsPerTurn: true, log });
  const started = node;
  const persisted: Array<[number, number]> = [];
  const peerRtt: Array<[number, number]> = [];
  started.on('persisted', (seconds: number, entries: number) => {
    if (persisted.length < 10_000) persisted.push([seconds, entries]);
  });
  started.on('peer-rtt', (peer: number, seconds: number) => {
    if (peerRtt.length < 10_000) peerRtt.push([peer, seconds]);
  });
  started.on('leader-change', (change: LeaderChange) => post({ type: 'leader-change', change, status: started.status() }));
  started.on('role-change', (change: LeaderChange) => post({ type: 'role-change', change, status: started.status() }));
  started.on('member-change', (cc: ConfChange) => post({ type: 'member-change', cc }));
  started.on('snapshot', (index: number) => post({ type: 'snapshot-saved', index }));
  started.on('fatal', (error: unknown) => {
    recordLogLost(error);
    post({ type: 'fatal', error: toWireError(error) });
  });
  // This thread's own event-loop delay, GC and heap, for the host's metrics: they go with the status, and
  // about once a second on their own (every 100 samples) when nothing else changes (an idle follower).
  const health = new ThreadHealth();
  let lastStatus = '';
  const statusKey = (status: RaftStatus): string =>
    `${status.term}/${status.vote}/${status.lead}/${status.leadTransferee}/${status.role}/${status.commit}/${status.applied}/${status.lastIndex}/${status.firstIndex}/${status.confState.voters.join(',')}/${status.confState.learners.join(',')}`;
  // Made when it leaves (it may wait for a batch): the key kept is that of the status the host gets.
  const statusMessage = (): FromWorker => {
    const status = started.status();
    lastStatus = statusKey(status);
    return { type: 'status', status, observations: { persisted: persisted.splice(0), peerRtt: peerRtt.splice(0), ...health.take() } };
  };
  const statusTimer = setInterval(() => {
    if (statusKey(started.status()) === lastStatus && persisted.length === 0 && peerRtt.length === 0 && health.pending() < HEALTH_SAMPLES_PER_STATUS && !outbox.waiting()) return;
    // While applies and replies flow, the status goes with the next of them instead of waking the host
    // once more (a post costs this thread and the host about 0.1 ms each; single-client writes made
    // about 0.4 status posts per write on every member); when they stop, a status still waiting goes
    // alone at the next tick. So it is at most two intervals old, as it was at most one.
    outbox.postWithNext(statusMessage, STATUS_INTERVAL_MS);
  }, STATUS_INTERVAL_MS);
  post({ type: 'started', status: started.status() });
  for (const message of early.splice(0)) handle(started, message);

  function handle(raft: RaftNode, message: NodeRequest): void {
    const answer = (call: number, work: () => Promise<unknown>): void => {
      let promise: Promise<unknown>;
      try {
        promise = work();
      } catch (error) {
        promise = Promise.reject(error);
      }
      promise.then(
        (value) => post({ type: 'reply', call, value }),
        (error: unknown) => post({ type: 'reply', call, error: toWireError(error) }),
      );
    };
    switch (message.op) {
      case 'propose':
        return answer(message.call, async () => (await raft.propose(message.data, message.leaderTerm)).index);
      case 'readIndex':
        return answer(message.call, () => raft.readIndex());
      case 'leaderLease':
        return answer(message.call, () => raft.leaderLease());
      case 'addVoter':
        return answer(message.call, () => raft.addVoter(message.id, message.address, message.caughtUpLagMax));
      case 'removeMember':
        return answer(message.call, () => raft.removeMember(message.id));
      case 'snapshotNow':
        return answer(message.call, () => raft.snapshotNow());
      case 'status':
        return answer(message.call, async () => raft.status());
      case 'transferLeader':
        try {
          raft.transferLeader(message.target);
        } catch (error) {
          log('warn', 'leadership transfer refused', { target: message.target, error: String(error) });
        }
        return;
      case 'faults':
        try {
          if (faulty === null) throw new Error('fault injection is not enabled on this transport');
          faulty.setFaults(message.faults);
        } catch (error) {
          log('warn', 'transport faults refused', { error: String(error) });
        }
        return;
      case 'close':
        clearInterval(statusTimer);
        health.stop();
        return answer(message.call, async () => {
          await raft.close();
          // Nothing more will be said (the answer is posted by now): let the thread end.
          setImmediate(() => {
            outbox.flush();
            port.close();
          });
        });
    }
  }
}

/** Wait for the options if this worker was started before they were known, then start. */
async function begin(): Promise<void> {
  if (workerData === null) options = await new Promise<RaftWorkerOptions>((resolve) => port.once('message', (message: WorkerBegin) => resolve(message.options)));
  await main();
}

begin().catch((error: unknown) => {
  recordLogLost(error);
  post({ type: 'fatal', error: toWireError(error) });
  outbox.flush();
  setImmediate(() => port.close());
});
