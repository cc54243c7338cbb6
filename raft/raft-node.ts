import { randomInt } from 'node:crypto';
import { LeaderLease } from './leader-lease.js';
import { EventEmitter } from 'node:events';
import { assert } from './assert.js';
import { RaftError } from './errors.js';
import { Prng } from './prng.js';
import { RawNode } from './raw-node.js';
import type { RaftStatus } from './raw-node.js';
import type { LogStore } from './storage.js';
import type { Transport, TransportFaults } from './transport.js';
import { ConfChangeType, decodeConfChange, EntryType, MessageType, NONE, StateRole } from './types.js';
import { ProgressState } from './progress.js';
import type { ConfChange, ConfState, Entry, Message, Ready } from './types.js';
import type { UnsafeKnobs } from './config.js';
import type { RaftHandle } from './raft-handle.js';

/** A committed entry as the state machine sees it: `data` is null for internal entries. */
export interface AppliedEntry {
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array | null;
  /** A membership change, seen by the state machine in log order (to keep member addresses with its snapshots). */
  readonly confChange: ConfChange | null;
  /** Proposed on this node and still awaited here: its proposer wants the state machine's result. */
  readonly local?: boolean;
}

/**
 * The host's replicated state machine. `apply` receives committed entries in order, exactly once per
 * incarnation after `appliedIndex()`; it should persist the applied index atomically with its data.
 */
export interface StateMachine {
  /** The last index applied and durably stored (0 for a fresh machine). */
  appliedIndex(): number;
  apply(entries: readonly AppliedEntry[]): Promise<unknown[]>;
  snapshot(): Promise<Uint8Array>;
  /**
   * Optional: capture the state now and return what serialises that capture later, so that a host
   * applying on another thread than Raft's can go on applying while a big state is serialised.
   */
  snapshotLater?(): Promise<() => Promise<Uint8Array>>;
  restore(data: Uint8Array, index: number): Promise<void>;
  /**
   * Optional, for a state machine that stores its state durably itself (a database): make everything
   * applied before this call durable (fsynced). With it, the log is compacted behind snapshots that
   * record an index only, with no copy of the state; a copy (`snapshotLater` or `snapshot`) is made
   * only when a peer needs one to catch up. A restart then needs `appliedIndex()` at or past the newest
   * snapshot's index.
   */
  persist?(): Promise<void>;
}

export interface RaftNodeOptions {
  readonly id: number;
  readonly storage: LogStore;
  readonly transport: Transport;
  readonly stateMachine: StateMachine;
  /** The voters of a brand-new cluster; used only when the storage is empty. Empty: join an existing cluster. */
  readonly initialVoters?: readonly number[];
  readonly tickIntervalMs?: number;
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  /** Take a snapshot and compact the log after this many applied entries. */
  readonly snapshotEntries?: number;
  /** Entries kept in the log behind a snapshot, for slow followers. */
  readonly snapshotEntriesKept?: number;
  readonly proposalTimeoutMs?: number;
  readonly pendingProposalsMax?: number;
  /**
   * Make snapshots beside the Ready loop instead of in it, so that heartbeats and appends go on while
   * the state machine serialises itself. The state machine's `snapshot()` must then capture its state
   * at the index applied when it was called (a state machine applied in order on another thread does).
   */
  readonly backgroundSnapshots?: boolean;
  /**
   * After the Ready loop wakes, let the rest of this turn of the event loop run first (setImmediate), so
   * that inputs arriving together (several peers' answers, proposals) make one Ready and one message per
   * peer instead of one each: fewer socket writes under load. Off where timers are simulated.
   */
  readonly batchInputsPerTurn?: boolean;
  readonly seed?: number;
  readonly unsafe?: UnsafeKnobs;
  readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

/** The options that have a default, resolved: the one place the defaults are set. */
type RaftNodeSettings = Required<Pick<RaftNodeOptions, 'tickIntervalMs' | 'electionTicks' | 'heartbeatTicks' | 'snapshotEntries' | 'snapshotEntriesKept' | 'proposalTimeoutMs' | 'pendingProposalsMax'>>;

function resolveSettings(options: RaftNodeOptions): RaftNodeSettings {
  return {
    tickIntervalMs: options.tickIntervalMs ?? 100,
    electionTicks: options.electionTicks ?? 10,
    heartbeatTicks: options.heartbeatTicks ?? 1,
    snapshotEntries: options.snapshotEntries ?? 10_000,
    snapshotEntriesKept: options.snapshotEntriesKept ?? 1000,
    proposalTimeoutMs: options.proposalTimeoutMs ?? 5000,
    pendingProposalsMax: options.pendingProposalsMax ?? 100_000,
  };
}

export interface LeaderChange {
  readonly leader: number;
  readonly term: number;
  readonly role: StateRole;
}

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The peer address in a conf change's context: the context itself ("host:port"), or the `peer` field
 * of a JSON object (hosts may carry more, such as a client address).
 */
export function peerAddressOf(context: string | undefined): string | null {
  if (context === undefined || context === '') return null;
  if (!context.startsWith('{')) return context;
  try {
    const parsed = JSON.parse(context) as { peer?: unknown };
    return typeof parsed.peer === 'string' ? parsed.peer : null;
  } catch {
    return null;
  }
}

/** Envelope: [u8 version][f64 origin node][f64 proposal sequence][payload]. */
const ENVELOPE_BYTES = 17;

function wrap(origin: number, seq: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(ENVELOPE_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, 1);
  view.setFloat64(1, origin);
  view.setFloat64(9, seq);
  out.set(payload, ENVELOPE_BYTES);
  return out;
}

function unwrap(data: Uint8Array): { origin: number; seq: number; payload: Uint8Array } | null {
  if (data.byteLength < ENVELOPE_BYTES || data[0] !== 1) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { origin: view.getFloat64(1), seq: view.getFloat64(9), payload: data.subarray(ENVELOPE_BYTES) };
}

/**
 * Runs the Raft core on a real node: a tick timer, the durable store, the transport and the state
 * machine. The Ready loop persists (one fsync per batch: group commit), sends, applies, advances; a
 * leader sends in parallel with its own fsync.
 */
export class RaftNode extends EventEmitter implements RaftHandle {
  readonly id: number;
  private readonly raw: RawNode;
  private readonly options: RaftNodeOptions;
  private readonly settings: RaftNodeSettings;
  private readonly proposals = new Map<number, Pending<{ index: number; result: unknown }>>();
  private readonly reads = new Map<number, Pending<number>>();
  /** Reads whose index is known, waiting for the state machine to catch up. */
  private readonly readsAwaitingApply: Array<{ index: number; ctx: number }> = [];
  private readonly confWaiters: Array<{ check: (cs: ConfState) => boolean; pending: Pending<ConfState> }> = [];
  /**
   * Proposal and read ids. They start at a random point so that an answer meant for an earlier
   * incarnation of this node (a ReadIndexResp or a forwarded proposal still queued at a peer when we
   * restarted) can never be taken for one of ours: that would be a stale read or a wrong result.
   */
  private nextSeq: number;
  /** Proposals made on this node that were applied, and that failed (refused, timed out, closed). */
  readonly counters = { proposalsCommitted: 0, proposalsFailed: 0 };
  private readonly snapshotRequests: Array<(index: number) => void> = [];
  /** A snapshot being made beside the Ready loop (option backgroundSnapshots). */
  private snapshotting: Promise<void> | null = null;
  private readonly lease: LeaderLease;
  private renewing = false;
  private ticker: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  /** The Ready loop is handling a Ready (persisting, sending, applying). */
  private inReady = false;
  private loop: Promise<void> | null = null;
  private closed = false;
  private failed: Error | null = null;
  private lastLeader = NONE;
  private appliedIndex = 0;
  /** A leader's heartbeats, by peer: when the oldest unanswered one was sent (for round-trip times). */
  private readonly heartbeatsSentMs = new Map<number, number>();

  private constructor(options: RaftNodeOptions, settings: RaftNodeSettings, raw: RawNode) {
    super();
    this.options = options;
    this.settings = settings;
    this.id = options.id;
    this.raw = raw;
    this.lease = new LeaderLease((settings.electionTicks * settings.tickIntervalMs) / 2);
    // Seeded (a simulation): a deterministic start; a simulation seeds each incarnation differently.
    this.nextSeq = options.seed === undefined ? randomInt(1, 2 ** 47) : 1 + Math.floor(new Prng(options.seed ^ 0x5eed).nextFloat() * (2 ** 47 - 1));
  }

  static async start(options: RaftNodeOptions): Promise<RaftNode> {
    const { storage, stateMachine } = options;
    const settings = resolveSettings(options);
    if (storage.isEmpty() && (options.initialVoters ?? []).length > 0) await storage.bootstrap(options.initialVoters ?? []);
    const snapshot = storage.newestSnapshot();
    let applied = stateMachine.appliedIndex();
    if (applied < snapshot.metadata.index) {
      if (snapshot.data === null) {
        throw new Error(
          `the state machine has applied up to ${applied}, but the log was compacted behind its snapshot at ${snapshot.metadata.index}, whose state only the state machine held: the state machine lost data it had made durable`,
        );
      }
      await stateMachine.restore(snapshot.data, snapshot.metadata.index);
      applied = snapshot.metadata.index;
    }
    const raw = new RawNode(
      {
        id: options.id,
        electionTicks: settings.electionTicks,
        heartbeatTicks: settings.heartbeatTicks,
        random: new Prng(options.seed ?? (Date.now() ^ (options.id * 7919))),
        applied,
        ...(options.unsafe === undefined ? {} : { unsafe: options.unsafe }),
      },
      storage,
    );
    const node = new RaftNode(options, settings, raw);
    node.appliedIndex = applied;
    await options.transport.start({
      receive: (m) => {
        if (m.type === MessageType.HeartbeatResp) node.heartbeatAnswered(m.from);
        node.input(() => node.raw.step(m));
      },
      reportUnreachable: (id) => node.input(() => node.raw.reportUnreachable(id)),
      reportSnapshot: (id, ok) => node.input(() => node.raw.reportSnapshot(id, ok)),
    });
    node.ticker = setInterval(() => node.input(() => node.raw.tick()), settings.tickIntervalMs);
    node.loop = node.run();
    return node;
  }

  /**
   * Feed one input to the core and wake the Ready loop. Peer errors are dropped, never fatal. While the
   * loop is busy with a Ready (a slow disk write, a state machine), the messages that need not wait for
   * it go out at once (RawNode.takeEarlyMessages), so a slow fsync delays no heartbeat.
   */
  private input(action: () => void): void {
    if (this.closed) return;
    try {
      action();
    } catch (error) {
      if (!(error instanceof RaftError)) throw error;
    }
    this.sendEarlyMessages();
    this.wakeLoop();
  }

  /** While the Ready loop is busy: send what need not wait for it (RawNode.takeEarlyMessages). */
  private sendEarlyMessages(): void {
    if (!this.inReady) return;
    const early = this.raw.takeEarlyMessages();
    if (early.length > 0) {
      this.beforeSending(early);
      this.options.transport.send(early);
    }
  }

  /** What every outgoing batch passes through first, whichever path sends it. */
  private beforeSending(messages: readonly Message[]): void {
    this.noteHeartbeats(messages);
    // Before it leaves: a TimeoutNow ends this term's lease (see LeaderLease).
    for (const m of messages) if (m.type === MessageType.TimeoutNow) this.lease.timeoutNowSent(m.term);
  }

  private wakeLoop(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async run(): Promise<void> {
    try {
      while (!this.closed) {
        if (this.snapshotRequests.length > 0) {
          await this.maybeSnapshot(true);
          continue;
        }
        if (!this.raw.hasReady()) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          if (this.options.batchInputsPerTurn === true) await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        this.inReady = true;
        try {
          await this.handleReady(this.raw.ready());
        } finally {
          this.inReady = false;
        }
      }
    } catch (error) {
      this.fail(error as Error);
    }
  }

  /**
   * A fatal error (the storage failed): stop, fail every waiter, and emit 'fatal' for the host, which
   * should log it and exit; a node whose log cannot be written must not go on voting or serving.
   */
  private fail(error: Error): void {
    if (this.failed !== null) return;
    this.failed = error;
    this.options.log?.('warn', 'raft node stopped on an error', { error: String(error) });
    this.closed = true;
    this.wakeLoop();
    this.failAll(new RaftError('Closed', `raft node ${this.id} failed: ${String(error)}`));
    this.emit('fatal', error);
  }

  private async handleReady(rd: Ready): Promise<void> {
    const { storage, transport } = this.options;
    // A snapshot from the leader replaces the log: never while one of ours is being recorded.
    if (rd.snapshot !== null && this.snapshotting !== null) await this.snapshotting;
    this.beforeSending(rd.messages);
    if (rd.sendBeforePersist) transport.send(rd.messages);
    const persistStartMs = performance.now();
    await storage.save(rd.hardState, rd.entries, rd.snapshot, rd.mustSync);
    if (rd.mustSync || rd.entries.length > 0) this.emit('persisted', (performance.now() - persistStartMs) / 1000, rd.entries.length);
    if (!rd.sendBeforePersist) transport.send(rd.messages);
    if (rd.snapshot !== null) {
      await this.options.stateMachine.restore(rd.snapshot.data, rd.snapshot.metadata.index);
      this.appliedIndex = rd.snapshot.metadata.index;
    }
    if (rd.committedEntries.length > 0) {
      const applyStartMs = performance.now();
      await this.apply(rd.committedEntries);
      this.emit('applied', (performance.now() - applyStartMs) / 1000, rd.committedEntries.length);
    }
    for (const rs of rd.readStates) this.readsAwaitingApply.push({ index: rs.index, ctx: rs.requestCtx });
    this.raw.advance(rd);
    this.afterAdvance(rd);
    await this.maybeSnapshot();
  }

  private noteHeartbeats(messages: readonly Message[]): void {
    const now = performance.now();
    for (const m of messages) {
      if (m.type !== MessageType.Heartbeat) continue;
      const pending = this.heartbeatsSentMs.get(m.to);
      // A heartbeat unanswered for a second was lost (or its peer was down): time the next one instead.
      if (pending === undefined || now - pending > 1000) this.heartbeatsSentMs.set(m.to, now);
    }
  }

  /**
   * A peer answered a heartbeat: emits `peer-rtt` (peer id, seconds) with the time since the oldest
   * heartbeat it had not answered yet (etcd measures its peers' round trips with a prober instead).
   */
  private heartbeatAnswered(peer: number): void {
    const sentMs = this.heartbeatsSentMs.get(peer);
    if (sentMs === undefined) return;
    this.heartbeatsSentMs.delete(peer);
    this.emit('peer-rtt', peer, (performance.now() - sentMs) / 1000);
  }

  private async apply(entries: readonly Entry[]): Promise<void> {
    // Each entry is unwrapped (a conf change decoded) once, for the state machine and for its proposer.
    const envelopes = entries.map((e) => (e.type === EntryType.Normal ? unwrap(e.data) : null));
    const applied: AppliedEntry[] = entries.map((e, i) => {
      const envelope = envelopes[i] ?? null;
      const local = envelope !== null && envelope.origin === this.id && this.proposals.has(envelope.seq);
      return { index: e.index, term: e.term, data: envelope === null ? null : envelope.payload, confChange: e.type === EntryType.ConfChange ? decodeConfChange(e.data) : null, local };
    });
    const results = await this.options.stateMachine.apply(applied);
    assert(results.length === entries.length, `state machine returned ${results.length} results for ${entries.length} entries`);
    applied.forEach((a, i) => {
      if (a.confChange !== null) this.onConfChangeApplied(a.confChange);
      const seq = envelopes[i]?.seq;
      if (!a.local || seq === undefined) return;
      const pending = this.proposals.get(seq);
      if (pending === undefined) return;
      this.proposals.delete(seq);
      clearTimeout(pending.timer);
      this.counters.proposalsCommitted++;
      pending.resolve({ index: a.index, result: results[i] });
    });
    this.appliedIndex = (entries[entries.length - 1] as Entry).index;
  }

  private onConfChangeApplied(cc: ConfChange): void {
    const address = peerAddressOf(cc.context);
    if (cc.type === ConfChangeType.RemoveNode) {
      if (cc.nodeId !== this.id) this.options.transport.removePeer(cc.nodeId);
    } else if (address !== null) {
      this.options.transport.addPeer(cc.nodeId, address);
    }
    this.emit('member-change', cc);
  }

  private afterAdvance(rd: Ready): void {
    if (rd.softState !== null && rd.softState.role !== StateRole.Leader && this.reads.size > 0) {
      // Reads queued at a leader are dropped when it steps down; fail ours now rather than at the timeout.
      const lost = new RaftError('LeadershipLost', `node ${this.id} changed role to ${rd.softState.role}; retry the read`);
      for (const [ctx] of this.reads) this.settle(this.reads, ctx, (p) => p.reject(lost));
      this.readsAwaitingApply.length = 0;
    }
    if (rd.softState !== null) {
      const change: LeaderChange = { leader: rd.softState.lead, term: this.raw.raft.term, role: rd.softState.role };
      if (rd.softState.lead !== this.lastLeader) {
        this.lastLeader = rd.softState.lead;
        this.emit('leader-change', change);
      }
      this.emit('role-change', change);
    }
    const ready = this.readsAwaitingApply.filter((r) => r.index <= this.appliedIndex);
    if (ready.length > 0) {
      const waiting = this.readsAwaitingApply.filter((r) => r.index > this.appliedIndex);
      this.readsAwaitingApply.length = 0;
      this.readsAwaitingApply.push(...waiting);
      for (const r of ready) this.settle(this.reads, r.ctx, (p) => p.resolve(r.index));
    }
    if (this.confWaiters.length > 0) {
      const cs = this.raw.confState();
      for (let i = this.confWaiters.length - 1; i >= 0; i--) {
        const waiter = this.confWaiters[i];
        if (waiter !== undefined && waiter.check(cs)) {
          this.confWaiters.splice(i, 1);
          clearTimeout(waiter.pending.timer);
          waiter.pending.resolve(cs);
        }
      }
    }
  }

  private async maybeSnapshot(force = false): Promise<void> {
    const storage = this.options.storage;
    const waiting = this.snapshotRequests.splice(0);
    const newest = storage.newestSnapshot();
    const due = this.appliedIndex - newest.metadata.index >= this.settings.snapshotEntries;
    // One snapshot at a time; a peer's wish for data is taken only when it can be acted on.
    if (this.snapshotting === null) {
      // A peer needs the newest snapshot to catch up, and its state is only in the state machine.
      const dataWanted = newest.data === null && storage.takeSnapshotDataWanted();
      // Someone waits for a snapshot (snapshotNow during a Ready): take it now, not just when due.
      if (((force || due || waiting.length > 0) && this.appliedIndex > newest.metadata.index) || dataWanted) {
        // A state machine that keeps its state durable needs no copy of it to compact the log behind.
        this.snapshotting = this.recordSnapshot(this.appliedIndex, this.raw.confState(), dataWanted || this.options.stateMachine.persist === undefined);
      }
    }
    const recorded = this.snapshotting ?? Promise.resolve();
    const answer = (): void => {
      for (const resolve of waiting) resolve(storage.newestSnapshot().metadata.index);
    };
    if (this.options.backgroundSnapshots === true) {
      // Those waiting are answered once the snapshot being made (if any) is recorded.
      if (waiting.length > 0) void recorded.then(answer);
      return;
    }
    await recorded;
    answer();
  }

  /**
   * Record a snapshot of the state machine at `index` (applied), compacting the log behind it: with a
   * copy of its state (`withData`), or, for a state machine that persists itself, once it has made
   * everything up to `index` durable, by index only.
   */
  private async recordSnapshot(index: number, confState: ConfState, withData: boolean): Promise<void> {
    const storage = this.options.storage;
    const stateMachine = this.options.stateMachine;
    try {
      // Without a copy, only a state machine that persists itself (maybeSnapshot decides).
      let data: Uint8Array | null = null;
      const startedAt = performance.now();
      if (withData) data = await stateMachine.snapshot();
      else await stateMachine.persist?.();
      // A snapshot from the leader may have overtaken ours while the state machine serialised itself.
      const newest = storage.newestSnapshot();
      if (index > newest.metadata.index || (index === newest.metadata.index && newest.data === null && data !== null)) {
        await storage.createSnapshot(index, confState, data, this.settings.snapshotEntriesKept);
        if (data !== null && stateMachine.persist !== undefined) this.options.log?.('info', 'made a copy of the state machine for a peer that needs a snapshot', { index, bytes: data.byteLength, ms: Math.round(performance.now() - startedAt) });
        this.emit('snapshot', index);
      }
    } catch (error) {
      if (this.options.backgroundSnapshots !== true) throw error;
      this.fail(error as Error);
    } finally {
      this.snapshotting = null;
    }
  }

  /** Snapshot the state machine at the applied index now and compact the log; resolves with the snapshot index. */
  snapshotNow(): Promise<number> {
    this.ensureOpen();
    const promise = new Promise<number>((resolve) => this.snapshotRequests.push(resolve));
    this.wakeLoop();
    return promise;
  }

  private settle<T>(map: Map<number, Pending<T>>, key: number, action: (p: Pending<T>) => void): void {
    const pending = map.get(key);
    if (pending === undefined) return;
    map.delete(key);
    clearTimeout(pending.timer);
    action(pending);
  }

  private track<T>(map: Map<number, Pending<T>>, key: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = this.settings.proposalTimeoutMs;
      const timer = setTimeout(() => {
        map.delete(key);
        reject(new RaftError('Timeout', `${what} not applied within ${timeoutMs} ms; its outcome is unknown`));
      }, timeoutMs);
      map.set(key, { resolve, reject, timer });
    });
  }

  private ensureOpen(): void {
    if (this.closed) throw this.failed ?? new RaftError('Closed', `raft node ${this.id} is closed`);
  }

  /**
   * Replicate `data`; resolves once it is applied here, with its index and the state machine's result.
   * With `leaderTerm`, only as the leader of that term: a proposal made for a leadership that has since
   * been lost is refused instead of being forwarded to the next leader.
   */
  propose(data: Uint8Array, leaderTerm?: number): Promise<{ index: number; result: unknown }> {
    this.ensureOpen();
    if (leaderTerm !== undefined && (!this.raw.isLeader() || this.raw.raft.term !== leaderTerm)) {
      return Promise.reject(new RaftError('LeadershipLost', `node ${this.id} is not the leader of term ${leaderTerm}`));
    }
    if (this.proposals.size >= this.settings.pendingProposalsMax) {
      return Promise.reject(new RaftError('QueueFull', `${this.proposals.size} proposals are pending`));
    }
    const seq = this.nextSeq++;
    const promise = this.track(this.proposals, seq, `proposal ${seq}`);
    promise.catch(() => {
      this.counters.proposalsFailed++;
    });
    try {
      this.raw.propose(wrap(this.id, seq, data));
    } catch (error) {
      this.settle(this.proposals, seq, (p) => p.reject(error as Error));
    }
    this.sendEarlyMessages();
    this.wakeLoop();
    return promise;
  }

  /** A linearizable read point: resolves with an index once this node has applied up to it. */
  readIndex(): Promise<number> {
    this.ensureOpen();
    const ctx = this.nextSeq++;
    const startedMs = performance.now();
    const term = this.raw.raft.term;
    const promise = this.track(this.reads, ctx, `read ${ctx}`).then((index) => {
      this.renewLease(startedMs, term);
      return index;
    });
    try {
      this.raw.readIndex(ctx);
    } catch (error) {
      this.settle(this.reads, ctx, (p) => p.reject(error as Error));
    }
    this.sendEarlyMessages();
    this.wakeLoop();
    return promise;
  }

  /**
   * Leadership confirmed by a lease instead of a round trip, when it is safe: a ReadIndex round that
   * started at time t (this process's monotonic clock) proves no other leader can be elected before
   * t + the minimum election timeout, because every follower that acknowledged it ignores candidates
   * for that long (CheckQuorum). The lease covers half of that, for timer lateness and clock drift; a
   * paused process finds its lease expired when it resumes. A leadership transfer voids the lease
   * (the transferee campaigns without waiting), and once a TimeoutNow was sent there is no lease for the
   * rest of the term (LeaderLease). Without a valid lease this is a ReadIndex round.
   */
  async leaderLease(): Promise<void> {
    this.ensureOpen();
    const now = performance.now();
    if (this.lease.valid(now, this.raw.raft)) {
      // Renew in the background once half the lease is gone, so steady load never waits for a round.
      if (this.lease.dueForRenewal(now) && !this.renewing) {
        this.renewing = true;
        void this.readIndex()
          .catch(() => undefined)
          .finally(() => {
            this.renewing = false;
          });
      }
      return;
    }
    await this.readIndex();
  }

  /** A ReadIndex round answered for a request made at `startedMs` renews the lease from then. */
  private renewLease(startedMs: number, term: number): void {
    if (!this.raw.isLeader() || this.raw.raft.term !== term) return;
    this.lease.roundAnswered(startedMs, term);
  }

  transferLeader(target: number): void {
    this.ensureOpen();
    this.lease.transferRequested(performance.now());
    this.input(() => this.raw.transferLeader(target));
  }

  private changeMembership(cc: ConfChange, done: (cs: ConfState) => boolean): Promise<ConfState> {
    this.ensureOpen();
    const promise = new Promise<ConfState>((resolve, reject) => {
      const timeoutMs = this.settings.proposalTimeoutMs;
      const pending: Pending<ConfState> = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const index = this.confWaiters.findIndex((w) => w.pending === pending);
          if (index >= 0) this.confWaiters.splice(index, 1);
          reject(new RaftError('Timeout', `membership change for node ${cc.nodeId} not applied within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.confWaiters.push({ check: done, pending });
    });
    const address = peerAddressOf(cc.context);
    if (address !== null) this.options.transport.addPeer(cc.nodeId, address);
    this.input(() => this.raw.proposeConfChange(cc));
    return promise;
  }

  /** Add a learner; `context` is its peer address, or JSON with a `peer` field (see peerAddressOf). */
  addLearner(id: number, address: string): Promise<ConfState> {
    return this.changeMembership({ type: ConfChangeType.AddLearner, nodeId: id, context: address }, (cs) => cs.learners.includes(id) || cs.voters.includes(id));
  }

  /** Add a voter the safe way: as a learner first, promoted once it has caught up. */
  async addVoter(id: number, address: string, caughtUpLagMax = 100): Promise<ConfState> {
    await this.addLearner(id, address);
    // The learner must not stall: 30 s (by default) without its log advancing, unless a snapshot is
    // being made for it or is on its way (a big catalog takes longer than that to copy and send).
    const patienceMs = this.settings.proposalTimeoutMs * 6;
    let deadline = Date.now() + patienceMs;
    let lastMatch = -1;
    for (;;) {
      const st = this.raw.status();
      const progress = st.progress.get(id);
      if (progress !== undefined && progress.match + caughtUpLagMax >= st.lastIndex) break;
      const advancing = progress !== undefined && (progress.match > lastMatch || progress.state === ProgressState.Snapshot || this.snapshotting !== null);
      if (advancing) {
        lastMatch = Math.max(lastMatch, progress.match);
        deadline = Date.now() + patienceMs;
      }
      if (Date.now() > deadline) throw new RaftError('Timeout', `learner ${id} did not catch up (leader last ${st.lastIndex}, learner at ${progress?.match ?? 'unknown'}, no progress for ${patienceMs} ms)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.changeMembership({ type: ConfChangeType.AddVoter, nodeId: id, context: address }, (cs) => cs.voters.includes(id));
  }

  removeMember(id: number): Promise<ConfState> {
    return this.changeMembership({ type: ConfChangeType.RemoveNode, nodeId: id }, (cs) => !cs.voters.includes(id) && !cs.learners.includes(id));
  }

  status(): RaftStatus {
    return this.raw.status();
  }

  /** The status as of now (the same as `status()` here; a node on another thread answers by message). */
  async currentStatus(): Promise<RaftStatus> {
    return this.raw.status();
  }

  /** Chaos testing: drop or delay peer traffic, if the transport can. */
  injectTransportFaults(faults: TransportFaults): void {
    this.options.transport.setFaults?.(faults);
  }

  pendingProposals(): number {
    return this.proposals.size;
  }

  isLeader(): boolean {
    return this.raw.isLeader();
  }

  leader(): number {
    return this.raw.leader();
  }

  private failAll(error: Error): void {
    for (const map of [this.proposals, this.reads] as Array<Map<number, Pending<never>>>) {
      for (const [key] of map) this.settle(map, key, (p) => p.reject(error));
    }
    for (const waiter of this.confWaiters.splice(0)) {
      clearTimeout(waiter.pending.timer);
      waiter.pending.reject(error);
    }
  }

  /** Stop ticking, finish the Ready in progress, close the transport and the storage. */
  async close(): Promise<void> {
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
    const wasClosed = this.closed;
    this.closed = true;
    this.wakeLoop();
    await this.loop;
    await this.snapshotting;
    if (!wasClosed || this.failed !== null) this.failAll(new RaftError('Closed', `raft node ${this.id} closed`));
    await this.options.transport.close();
    await this.options.storage.close();
  }
}

