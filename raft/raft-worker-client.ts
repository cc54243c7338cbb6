import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { RaftError } from './errors.js';
import { nodeFileSystem } from './file-system.js';
import { SnapshotFile } from './snapshot-data.js';
import type { SnapshotSource } from './snapshot-data.js';
import type { RaftCounters, RaftHandle } from './raft-handle.js';
import type { AppliedEntry, LeaderChange, StateMachine } from './raft-node.js';
import { compact, fromWireError } from './raft-worker-protocol.js';
import type { FromWorker, RaftWorkerOptions, ThreadHealthReport, ToWorker } from './raft-worker-protocol.js';
import type { RaftStatus } from './raw-node.js';
import { ThreadOutbox } from './thread-outbox.js';
import type { TransportFaults } from './transport.js';
import type { ConfState } from './types.js';
import { NONE, StateRole } from './types.js';

type Log = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;

/** Distributes a call's `ToWorker` message type over the union, without its `call` number. */
type Request = ToWorker extends infer M ? (M extends { call: number } ? Omit<M, 'call'> : never) : never;

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Pieces of a snapshot sent to the worker ahead of those it has taken. */
const SNAPSHOT_PIECES_AHEAD = 4;

/** A snapshot being sent to the worker in pieces: how many it has not taken yet, and who waits for it to take one. */
interface SnapshotStream {
  ahead: number;
  stopped: boolean;
  wake: (() => void) | null;
}

/** Results of entries proposed here are kept this many entries behind the applied index, at most. */
const RESULTS_KEPT_BEHIND = 100_000;

const WORKER_URL = new URL('./raft-worker.js', import.meta.url);

/**
 * A Raft worker thread started before its options are known (they need the host's catalog loaded: its
 * applied index and its members): it boots and loads its modules meanwhile, on another core, 170 to
 * 350 ms that a restart waited for after the catalog's load. `RaftWorkerClient.start` sends it the
 * options; `terminate` stops one that is not needed after all (the catalog could not be loaded).
 */
export class PrestartedRaftWorker {
  readonly worker = new Worker(WORKER_URL, { workerData: null });
  /** What happened to it before a client took it: an error, or its exit. */
  error: Error | null = null;
  exitCode: number | null = null;

  constructor() {
    this.worker.on('error', (error: Error) => (this.error ??= error));
    this.worker.once('exit', (code) => (this.exitCode = code));
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * A Raft node on a thread of its own (raft-worker.ts), driven from the host's thread. The worker owns
 * the core, the log and the peer transport, so heartbeats, elections and log writes never wait for the
 * host's event loop; the host's state machine applies committed entries here, in log order, on one
 * promise chain. Proposals and reads resolve on that chain, after the entries they depend on.
 *
 * `status()` is the worker's status as last reported (while it changes, every 20 ms, with the worker's
 * next applies or replies if any come within the next 20 ms, so at most about 40 ms old; and with every
 * role change); `currentStatus()` asks.
 */
export class RaftWorkerClient extends EventEmitter implements RaftHandle {
  readonly id: number;
  /** Counted on this thread: proposals as their results arrive, leader changes as the worker reports them (each once). */
  readonly counters: RaftCounters = { proposalsCommitted: 0, proposalsFailed: 0, leaderChangesSeen: 0 };
  private readonly worker: Worker;
  /** What this thread posts to the worker in one turn goes as one message. */
  private readonly outbox: ThreadOutbox<ToWorker>;
  private readonly calls = new Map<number, PendingCall>();
  private nextCall = 1;
  /** Everything applied to the state machine, in order; proposals and reads wait on it. */
  private chain: Promise<void> = Promise.resolve();
  /** The apply chain up to the last snapshot restored (what start() waits for). */
  private restored: Promise<void> = Promise.resolve();
  /** Results of entries proposed here, by index, until their proposer takes them. */
  private readonly results = new Map<number, unknown>();
  private lastStatus: RaftStatus;
  private pending = 0;
  private closed = false;
  private closing = false;
  private failed: Error | null = null;
  /** Snapshots being sent to the worker in pieces, by request. */
  private readonly snapshotStreams = new Map<number, SnapshotStream>();
  private readonly exited: Promise<void>;

  private constructor(
    options: RaftWorkerOptions,
    private readonly stateMachine: StateMachine,
    private readonly log: Log,
    started: (error: Error | null) => void,
    prestarted: PrestartedRaftWorker | null,
  ) {
    super();
    this.id = options.id;
    this.lastStatus = {
      id: options.id,
      term: 0,
      vote: 0,
      lead: 0,
      role: StateRole.Follower,
      commit: 0,
      applied: options.appliedIndex,
      lastIndex: 0,
      firstIndex: 1,
      leadTransferee: 0,
      confState: { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
      progress: new Map(),
    } as RaftStatus;
    const workerOptions = { ...options, stateMachinePersists: stateMachine.persist !== undefined } satisfies RaftWorkerOptions;
    this.worker = prestarted?.worker ?? new Worker(WORKER_URL, { workerData: workerOptions });
    if (prestarted !== null) this.worker.postMessage({ op: 'begin', options: workerOptions });
    this.outbox = new ThreadOutbox<ToWorker>(
      (message, transfer) => this.worker.postMessage(message, transfer),
      (messages) => ({ op: 'batch', messages }),
    );
    /** How the start ended; after a failed one (its error went to the caller) the worker's exit is no news. */
    let start: 'pending' | 'started' | 'failed' = 'pending';
    const settleStart = (error: Error | null): void => {
      start = error === null ? 'started' : 'failed';
      started(error);
    };
    const onMessage = (message: FromWorker): void => {
      if (message.type === 'batch') {
        for (const one of message.messages) onMessage(one);
      } else if (message.type === 'started') {
        this.lastStatus = message.status;
        settleStart(null);
      } else if (message.type === 'fatal' && start === 'pending') {
        settleStart(fromWireError(message.error));
      } else {
        this.receive(message);
      }
    };
    this.worker.on('message', onMessage);
    this.worker.on('error', (error: Error) => (start === 'pending' ? settleStart(error) : this.fail(error)));
    this.exited = new Promise((resolve) => {
      const exited = (code: number): void => {
        if (start === 'pending') settleStart(new Error(`the raft worker exited with code ${code} before it started`));
        else if (start === 'started' && !this.closed && !this.closing) this.fail(new Error(`the raft worker exited unexpectedly with code ${code}`));
        // Nothing will answer now (a close request included, if the worker died while closing).
        this.rejectCalls(`raft node ${this.id}'s worker exited`);
        resolve();
      };
      // A prestarted worker may have failed or exited already: its events went before this listened.
      if (prestarted?.error != null) settleStart(prestarted.error);
      if (prestarted?.exitCode != null) exited(prestarted.exitCode);
      else this.worker.once('exit', exited);
    });
  }

  /** Start the worker (it opens the log, restores the newest snapshot through `stateMachine`, joins its peers). */
  static async start(options: RaftWorkerOptions, stateMachine: StateMachine, log: Log, prestarted: PrestartedRaftWorker | null = null): Promise<RaftWorkerClient> {
    let settle: (error: Error | null) => void = () => {};
    const started = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === null ? resolve() : reject(error));
    });
    const client = new RaftWorkerClient(options, stateMachine, log, (error) => settle(error), prestarted);
    try {
      await started;
    } catch (error) {
      await client.worker.terminate();
      throw error;
    }
    // The snapshot restored at start (if any) is in the state machine before the node serves anything.
    // The entries the log holds as committed that the state machine had not applied are applied on the
    // chain as usual, not waited for here: a host's first apply may wait for work of its own (rootcoord's
    // catalog reads its request IDs then, 0.3 to 1 s at 200,000 collections, which a restart waited for).
    await client.restored;
    if (client.failed !== null) throw client.failed;
    return client;
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'reply': {
        const pending = this.calls.get(message.call);
        if (pending === undefined) return;
        this.calls.delete(message.call);
        // Answered at once, every reply of a batch in the same pass. Answering 8 per pass of the event
        // loop (session 28) shortened the request thread's bursts, but the proposers' next proposals and
        // their clients' next calls then came spread over passes, and the Raft thread made a round (a
        // log write, an append to each follower) of each piece: 3.4 times the rounds in a 20,000 fill
        // (2,158 log writes against 640) and about a third more CPU per DDL on every node, leader and
        // followers (docs/bench-runs/2026-12-03-s30-reply-waves/).
        if (message.error !== undefined) pending.reject(fromWireError(message.error));
        else pending.resolve(message.value);
        return;
      }
      case 'apply':
        return this.enqueue(() => this.apply(message.entries));
      case 'restore':
        this.enqueue(async () => {
          const startedAt = performance.now();
          const { data } = message;
          await this.stateMachine.restore(data instanceof Uint8Array ? data : new SnapshotFile(nodeFileSystem, data.path, data.offset, data.byteLength, data.check), message.index);
          this.log('info', 'state machine restored from a snapshot', { index: message.index, bytes: data.byteLength, ms: Math.round(performance.now() - startedAt) });
        });
        this.restored = this.chain;
        return;
      case 'snapshot-piece-taken': {
        const stream = this.snapshotStreams.get(message.request);
        if (stream === undefined) return;
        if (message.stop === true) stream.stopped = true;
        else stream.ahead--;
        stream.wake?.();
        return;
      }
      case 'snapshot':
        return this.enqueue(() => this.snapshotFor(message.request));
      case 'persist':
        return this.enqueue(() => this.persistFor(message.request));
      case 'status':
        this.lastStatus = message.status;
        for (const [seconds, entries] of message.observations.persisted) this.emit('persisted', seconds, entries);
        for (const [peer, seconds] of message.observations.peerRtt) this.emit('peer-rtt', peer, seconds);
        this.emit('thread-health', message.observations satisfies ThreadHealthReport);
        return;
      case 'leader-change':
      case 'role-change':
        this.lastStatus = message.status;
        if (message.type === 'leader-change' && message.change.leader !== NONE) this.counters.leaderChangesSeen++;
        this.emit(message.type, message.change satisfies LeaderChange);
        return;
      case 'member-change':
        this.emit('member-change', message.cc);
        return;
      case 'snapshot-saved':
        this.emit('snapshot', message.index);
        return;
      case 'log':
        this.log(message.level, message.message, message.fields);
        return;
      case 'fatal':
        this.fail(fromWireError(message.error));
        return;
      case 'started':
        return;
    }
  }

  /** Run `work` on the apply chain, after everything received before it. A failure there is fatal. */
  private enqueue(work: () => Promise<unknown>): void {
    this.chain = this.chain.then(async () => {
      if (this.failed !== null) return;
      try {
        await work();
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private async apply(entries: readonly AppliedEntry[]): Promise<void> {
    const startedMs = performance.now();
    const results = await this.stateMachine.apply(entries);
    entries.forEach((entry, i) => {
      if (entry.local === true) this.results.set(entry.index, results[i]);
    });
    const last = entries[entries.length - 1];
    if (last !== undefined && this.results.size > 0) {
      // A proposer that gave up (its call was failed by a close) never takes its result.
      for (const index of this.results.keys()) {
        if (index >= last.index - RESULTS_KEPT_BEHIND) break;
        this.results.delete(index);
      }
    }
    this.emit('applied', (performance.now() - startedMs) / 1000, entries.length);
  }

  /**
   * Snapshot the state machine where the apply chain is now. With `snapshotLater`, the chain waits only
   * for the capture, and the bytes are made (and sent to the worker) while applying goes on.
   */
  private async snapshotFor(request: number): Promise<void> {
    const send = async (produce: () => Promise<SnapshotSource>): Promise<void> => {
      try {
        const source = await produce();
        if (source instanceof Uint8Array) {
          const data = compact(source);
          this.outbox.post({ op: 'snapshotData', request, data } satisfies ToWorker, [data.buffer as ArrayBuffer]);
          return;
        }
        // In pieces, as they are made, never more than a few ahead of the worker's disk writes.
        const stream: SnapshotStream = { ahead: 0, stopped: false, wake: null };
        this.snapshotStreams.set(request, stream);
        try {
          for await (const made of source) {
            while (stream.ahead >= SNAPSHOT_PIECES_AHEAD && !stream.stopped) await new Promise<void>((resolve) => (stream.wake = resolve));
            stream.wake = null;
            // The worker stopped reading (it no longer wants this snapshot, or it failed): stop making it.
            if (stream.stopped) return;
            const piece = compact(made);
            stream.ahead++;
            this.outbox.post({ op: 'snapshotPiece', request, piece } satisfies ToWorker, [piece.buffer as ArrayBuffer]);
          }
          this.outbox.post({ op: 'snapshotEnd', request } satisfies ToWorker);
        } catch (error) {
          this.outbox.post({ op: 'snapshotEnd', request, error: String(error) } satisfies ToWorker);
        } finally {
          this.snapshotStreams.delete(request);
        }
      } catch (error) {
        this.outbox.post({ op: 'snapshotData', request, data: null, error: String(error) } satisfies ToWorker);
      }
    };
    const sm = this.stateMachine;
    if (sm.snapshotLater === undefined) return send(() => sm.snapshot());
    let produce: () => Promise<SnapshotSource>;
    try {
      produce = await sm.snapshotLater();
    } catch (error) {
      return send(() => Promise.reject(error));
    }
    void send(produce);
  }

  /** Make everything applied so far durable (StateMachine.persist), and say so to the worker. */
  private async persistFor(request: number): Promise<void> {
    try {
      await this.stateMachine.persist?.();
      this.outbox.post({ op: 'persisted', request } satisfies ToWorker);
    } catch (error) {
      this.outbox.post({ op: 'persisted', request, error: String(error) } satisfies ToWorker);
    }
  }

  /** Resolves once every entry received so far is applied. */
  private afterApplied<T>(value: () => T): Promise<T> {
    return this.chain.then(() => {
      if (this.failed !== null) throw this.failed;
      return value();
    });
  }

  private fail(error: Error): void {
    if (this.failed !== null) return;
    this.failed = error;
    this.log('warn', 'raft worker failed', { error: error.message });
    this.stopSnapshotStreams();
    this.rejectCalls(`raft node ${this.id} failed: ${error.message}`);
    // A member whose host cannot apply must not go on voting and acknowledging: stop its Raft at once.
    void this.worker.terminate();
    this.emit('fatal', error);
  }

  /** Snapshots being sent in pieces stop: no worker takes them any more. */
  private stopSnapshotStreams(): void {
    for (const stream of this.snapshotStreams.values()) {
      stream.stopped = true;
      stream.wake?.();
    }
  }

  /** Fail every call still waiting for an answer: none will come. */
  private rejectCalls(message: string): void {
    for (const pending of this.calls.values()) pending.reject(new RaftError('Closed', message));
    this.calls.clear();
  }

  private request<T>(message: Request): Promise<T> {
    if (this.failed !== null) return Promise.reject(new RaftError('Closed', `raft node ${this.id} failed: ${this.failed.message}`));
    if (this.closed || (this.closing && message.op !== 'close')) return Promise.reject(new RaftError('Closed', `raft node ${this.id} is closed`));
    const call = this.nextCall++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(call, { resolve: resolve as (value: unknown) => void, reject });
      // `call` first: V8 (Node 20) gives `{ ...x, newKey }` a new hidden class on every evaluation.
      this.outbox.post({ call, ...message } as ToWorker);
    });
  }

  async propose(data: Uint8Array, leaderTerm?: number): Promise<{ index: number; result: unknown }> {
    this.pending++;
    try {
      const copy = compact(data);
      const index = await this.request<number>({ op: 'propose', data: copy, ...(leaderTerm === undefined ? {} : { leaderTerm }) });
      const result = await this.afterApplied(() => {
        const value = this.results.get(index);
        this.results.delete(index);
        return value;
      });
      this.counters.proposalsCommitted++;
      return { index, result };
    } catch (error) {
      this.counters.proposalsFailed++;
      throw error;
    } finally {
      this.pending--;
    }
  }

  async readIndex(): Promise<number> {
    const index = await this.request<number>({ op: 'readIndex' });
    return this.afterApplied(() => index);
  }

  async leaderLease(): Promise<void> {
    await this.request<void>({ op: 'leaderLease' });
  }

  transferLeader(target: number): void {
    if (this.closed || this.failed !== null) throw new RaftError('Closed', `raft node ${this.id} is closed`);
    this.outbox.post({ op: 'transferLeader', target } satisfies ToWorker);
  }

  addVoter(id: number, address: string, caughtUpLagMax?: number): Promise<ConfState> {
    return this.request<ConfState>({ op: 'addVoter', id, address, ...(caughtUpLagMax === undefined ? {} : { caughtUpLagMax }) });
  }

  removeMember(id: number): Promise<ConfState> {
    return this.request<ConfState>({ op: 'removeMember', id });
  }

  status(): RaftStatus {
    return this.lastStatus;
  }

  async currentStatus(): Promise<RaftStatus> {
    this.lastStatus = await this.request<RaftStatus>({ op: 'status' });
    return this.lastStatus;
  }

  pendingProposals(): number {
    return this.pending;
  }

  isLeader(): boolean {
    return this.lastStatus.role === StateRole.Leader;
  }

  leader(): number {
    return this.lastStatus.lead;
  }

  snapshotNow(): Promise<number> {
    return this.request<number>({ op: 'snapshotNow' });
  }

  injectTransportFaults(faults: TransportFaults): void {
    this.outbox.post({ op: 'faults', faults } satisfies ToWorker);
  }

  /** Close the node in the worker (its log and transport), let the worker end, and finish applying. */
  async close(): Promise<void> {
    if (this.closed || this.closing) return this.exited;
    this.closing = true;
    if (this.failed === null) {
      try {
        await this.request<void>({ op: 'close' });
      } catch {
        // The worker failed or is gone: nothing more to close there.
      }
    }
    this.closed = true;
    this.stopSnapshotStreams();
    this.rejectCalls(`raft node ${this.id} closed`);
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await this.exited;
    clearTimeout(timer);
    await this.chain;
  }
}
