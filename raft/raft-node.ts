import type { SnapshotData, SnapshotSource } from './snapshot-data.js';
import { EventEmitter } from 'node:events';
import { assert } from './assert.js';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { CORRUPT_MEMBER_RECOVERY, LogDivergedError, LogLostError, RaftError } from './errors.js';
import { FaultyTransport } from './faulty-transport.js';
import { HeartbeatRtt } from './heartbeat-rtt.js';
import { LeaderLease } from './leader-lease.js';
import { contextIsPeerAddress, Membership } from './membership.js';
import type { PeerAddressOf } from './membership.js';
import { Prng } from './prng.js';
import { Proposals, unwrap } from './proposals.js';
import { RawNode } from './raw-node.js';
import type { RaftStatus } from './raw-node.js';
import { SnapshotPolicy } from './snapshot-policy.js';
import type { LogStore } from './storage.js';
import type { Transport, TransportFaults } from './transport.js';
import { decodeConfChange, EntryType, MessageType, NONE, StateRole } from './types.js';
import type { ConfChange, ConfState, Entry, Message, Ready } from './types.js';
import type { UnsafeKnobs } from './config.js';
import type { RaftCounters, RaftHandle } from './raft-handle.js';

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
  /** The state as bytes: whole, or in pieces as they are made (a big state: see SnapshotSource). */
  snapshot(): Promise<SnapshotSource>;
  /**
   * Optional: capture the state now and return what serialises that capture later, so that a host
   * applying on another thread than Raft's can go on applying while a big state is serialised.
   */
  snapshotLater?(): Promise<() => Promise<SnapshotSource>>;
  /** Replace the state with a snapshot's; a big one's data is in a file, to be read a piece at a time. */
  restore(data: SnapshotData, index: number): Promise<void>;
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
  /** Monotonic and wall time, and timers (default: the process's). */
  readonly clock?: Clock;
  /** The peer address in a conf change's context, in the host's format (default: the context is the address). */
  readonly peerAddressOf?: PeerAddressOf;
  readonly unsafe?: UnsafeKnobs;
  readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

/** The options that have a default, resolved: the one place the defaults are set. */
type RaftNodeSettings = Required<Pick<RaftNodeOptions, 'tickIntervalMs' | 'electionTicks' | 'heartbeatTicks' | 'snapshotEntries' | 'snapshotEntriesKept' | 'proposalTimeoutMs' | 'pendingProposalsMax'>>;

function resolveSettings(options: Pick<RaftNodeOptions, keyof RaftNodeSettings>): RaftNodeSettings {
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

/** How often a leader sends heartbeats (ms), with the defaults of `options`. */
export function heartbeatIntervalMs(options: Pick<RaftNodeOptions, keyof RaftNodeSettings>): number {
  const settings = resolveSettings(options);
  return settings.tickIntervalMs * settings.heartbeatTicks;
}

export interface LeaderChange {
  readonly leader: number;
  readonly term: number;
  readonly role: StateRole;
}

/**
 * Runs the Raft core on a real node: a tick timer, the durable store, the transport and the state
 * machine. The Ready loop persists (one fsync per batch: group commit), sends, applies, advances; a
 * leader sends in parallel with its own fsync. Proposals and reads (proposals.ts), membership
 * (membership.ts), snapshots (snapshot-policy.ts), the lease (leader-lease.ts) and round-trip times
 * (heartbeat-rtt.ts) each have a file of their own; this is the driver.
 */
export class RaftNode extends EventEmitter implements RaftHandle {
  readonly id: number;
  private readonly raw: RawNode;
  private readonly options: RaftNodeOptions;
  private readonly settings: RaftNodeSettings;
  private readonly clock: Clock;
  private readonly proposals: Proposals;
  private readonly membership: Membership;
  private readonly snapshots: SnapshotPolicy;
  private readonly rtt: HeartbeatRtt;
  readonly counters: RaftCounters = { proposalsCommitted: 0, proposalsFailed: 0, leaderChangesSeen: 0 };
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

  private constructor(options: RaftNodeOptions, settings: RaftNodeSettings, clock: Clock, raw: RawNode) {
    super();
    this.options = options;
    this.settings = settings;
    this.clock = clock;
    this.id = options.id;
    this.raw = raw;
    // Half the minimum election timeout, less a millisecond per election tick: Node's intervals count
    // whole milliseconds, so a follower's ticks may each come up to about 1 ms early in real time.
    this.lease = new LeaderLease((settings.electionTicks * settings.tickIntervalMs) / 2 - settings.electionTicks);
    this.proposals = new Proposals(options.id, clock, settings.proposalTimeoutMs, settings.pendingProposalsMax, options.seed, this.counters);
    this.rtt = new HeartbeatRtt(clock, (peer, seconds) => this.emit('peer-rtt', peer, seconds));
    this.snapshots = new SnapshotPolicy({
      storage: options.storage,
      stateMachine: options.stateMachine,
      clock,
      snapshotEntries: settings.snapshotEntries,
      snapshotEntriesKept: settings.snapshotEntriesKept,
      background: options.backgroundSnapshots === true,
      appliedIndex: () => this.appliedIndex,
      confState: () => this.raw.confState(),
      recorded: (index) => this.emit('snapshot', index),
      fail: (error) => this.fail(error),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    this.membership = new Membership({
      id: options.id,
      transport: options.transport,
      clock,
      peerAddressOf: options.peerAddressOf ?? contextIsPeerAddress,
      timeoutMs: settings.proposalTimeoutMs,
      ensureOpen: () => this.ensureOpen(),
      proposeConfChange: (cc) => this.input(() => this.raw.proposeConfChange(cc)),
      status: () => this.raw.status(),
      snapshotInProgress: () => this.snapshots.inProgress !== null,
    });
  }

  static async start(options: RaftNodeOptions): Promise<RaftNode> {
    const { storage, stateMachine } = options;
    const settings = resolveSettings(options);
    const clock = options.clock ?? systemClock;
    if (storage.isEmpty() && (options.initialVoters ?? []).length > 0) await storage.bootstrap(options.initialVoters ?? []);
    const snapshot = storage.newestSnapshot();
    let applied = stateMachine.appliedIndex();
    if (applied < snapshot.metadata.index) {
      if (snapshot.data === null) {
        throw new Error(
          `the state machine has applied up to ${applied}, but the log was compacted behind its snapshot at ${snapshot.metadata.index}, whose state only the state machine held: the state machine lost data it had made durable. ${CORRUPT_MEMBER_RECOVERY}`,
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
        random: new Prng(options.seed ?? (clock.wallMs() ^ (options.id * 7919))),
        applied,
        ...(options.unsafe === undefined ? {} : { unsafe: options.unsafe }),
      },
      storage,
    );
    const node = new RaftNode(options, settings, clock, raw);
    node.appliedIndex = applied;
    await options.transport.start({
      receive: (m) => {
        if (m.type === MessageType.HeartbeatResp) node.rtt.answered(m.from);
        const pending = node.raw.pendingSnapshot();
        node.input(() => node.raw.step(m));
        if (m.snapshot === null) return;
        // A snapshot the core did not take (stale, of an old term) is never stored: its received copy
        // goes; so does one it took before, replaced by this one before a Ready handed it over.
        const taken = node.raw.pendingSnapshot();
        if (taken?.data !== m.snapshot.data) options.transport.releaseSnapshot?.(m.snapshot.data);
        else if (pending !== null && pending.data !== taken.data) options.transport.releaseSnapshot?.(pending.data);
      },
      reportUnreachable: (id) => node.input(() => node.raw.reportUnreachable(id)),
      reportPeerDown: (id) =>
        node.input(() => {
          const lead = node.raw.raft.lead;
          node.raw.reportPeerDown(id);
          if (lead === id && node.raw.raft.lead !== id) options.log?.('info', "the leader's peer port refuses connections: campaigning once its lease is over", { leader: id });
        }),
      reportSnapshot: (id, ok) => node.input(() => node.raw.reportSnapshot(id, ok)),
    });
    node.ticker = clock.setInterval(() => node.input(() => node.raw.tick()), settings.tickIntervalMs);
    node.loop = node.run();
    return node;
  }

  /**
   * Feed one input to the core and wake the Ready loop. Peer errors are dropped, never fatal, but for
   * what a leader's message proves: this member's log lost entries it acknowledged (LogLostError), or a
   * majority's did (LogDivergedError: the leader's log contradicts an entry committed here); either
   * stops the node as a failed disk does. While the loop is busy with a Ready (a
   * slow disk write, a state machine), the messages that need not wait for it go out at once
   * (RawNode.takeEarlyMessages), so a slow fsync delays no heartbeat.
   */
  private input(action: () => void): void {
    if (this.closed) return;
    try {
      action();
    } catch (error) {
      if (error instanceof LogLostError || error instanceof LogDivergedError) {
        this.fail(error);
        return;
      }
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
    this.rtt.sending(messages);
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
        if (this.snapshots.requested) {
          await this.snapshots.maybeSnapshot(true);
          continue;
        }
        if (!this.raw.hasReady()) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          if (this.options.batchInputsPerTurn === true) await new Promise<void>((resolve) => this.clock.setImmediate(resolve));
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
    if (rd.snapshot !== null && this.snapshots.inProgress !== null) await this.snapshots.inProgress;
    this.beforeSending(rd.messages);
    if (rd.sendBeforePersist) transport.send(rd.messages);
    const persistStartMs = this.clock.monotonicMs();
    await storage.save(rd.hardState, rd.entries, rd.snapshot, rd.mustSync);
    if (rd.mustSync || rd.entries.length > 0) this.emit('persisted', (this.clock.monotonicMs() - persistStartMs) / 1000, rd.entries.length);
    if (!rd.sendBeforePersist) transport.send(rd.messages);
    if (rd.snapshot !== null) {
      // The storage has its own copy now (a big one in its own file): restore from that, and let the
      // transport drop the copy it received.
      const stored = storage.newestSnapshot();
      const data = stored.metadata.index === rd.snapshot.metadata.index && stored.data !== null ? stored.data : rd.snapshot.data;
      if (data !== rd.snapshot.data) transport.releaseSnapshot?.(rd.snapshot.data);
      await this.options.stateMachine.restore(data, rd.snapshot.metadata.index);
      this.appliedIndex = rd.snapshot.metadata.index;
    }
    if (rd.committedEntries.length > 0) {
      const applyStartMs = this.clock.monotonicMs();
      await this.apply(rd.committedEntries);
      this.emit('applied', (this.clock.monotonicMs() - applyStartMs) / 1000, rd.committedEntries.length);
    }
    this.proposals.readStates(rd.readStates);
    this.raw.advance(rd);
    this.afterAdvance(rd);
    await this.snapshots.maybeSnapshot();
  }

  private async apply(entries: readonly Entry[]): Promise<void> {
    // Each entry is unwrapped (a conf change decoded) once, for the state machine and for its proposer.
    const envelopes = entries.map((e) => (e.type === EntryType.Normal ? unwrap(e.data) : null));
    const applied: AppliedEntry[] = entries.map((e, i) => {
      const envelope = envelopes[i] ?? null;
      const local = this.proposals.isLocal(envelope);
      return { index: e.index, term: e.term, data: envelope === null ? null : envelope.payload, confChange: e.type === EntryType.ConfChange ? decodeConfChange(e.data) : null, local };
    });
    const results = await this.options.stateMachine.apply(applied);
    assert(results.length === entries.length, `state machine returned ${results.length} results for ${entries.length} entries`);
    applied.forEach((a, i) => {
      if (a.confChange !== null) {
        this.membership.applied(a.confChange);
        this.emit('member-change', a.confChange);
      }
      const seq = envelopes[i]?.seq;
      if (!a.local || seq === undefined) return;
      this.proposals.applied(seq, a.index, results[i]);
    });
    this.appliedIndex = (entries[entries.length - 1] as Entry).index;
  }

  private afterAdvance(rd: Ready): void {
    if (rd.softState !== null && rd.softState.role !== StateRole.Leader && this.proposals.readsPending > 0) {
      // Reads queued at a leader are dropped when it steps down; fail ours now rather than at the timeout.
      this.proposals.failReads(new RaftError('LeadershipLost', `node ${this.id} changed role to ${rd.softState.role}; retry the read`));
    }
    if (rd.softState !== null) {
      const change: LeaderChange = { leader: rd.softState.lead, term: this.raw.raft.term, role: rd.softState.role };
      if (rd.softState.lead !== this.lastLeader) {
        this.lastLeader = rd.softState.lead;
        if (rd.softState.lead !== NONE) this.counters.leaderChangesSeen++;
        this.emit('leader-change', change);
      }
      this.emit('role-change', change);
    }
    this.proposals.appliedUpTo(this.appliedIndex);
    if (this.membership.waiting) this.membership.configuration(this.raw.confState());
  }

  /** Snapshot the state machine at the applied index now and compact the log; resolves with the snapshot index. */
  snapshotNow(): Promise<number> {
    this.ensureOpen();
    const promise = this.snapshots.request();
    this.wakeLoop();
    return promise;
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
    const promise = this.proposals.propose(data, this.submitProposal);
    this.sendEarlyMessages();
    this.wakeLoop();
    return promise;
  }

  private readonly submitProposal = (wrapped: Uint8Array): void => this.raw.propose(wrapped);
  private readonly submitRead = (ctx: number): void => this.raw.readIndex(ctx);

  /** A linearizable read point: resolves with an index once this node has applied up to it. */
  readIndex(): Promise<number> {
    this.ensureOpen();
    const startedMs = this.clock.monotonicMs();
    const term = this.raw.raft.term;
    const promise = this.proposals.read(this.submitRead).then((index) => {
      this.renewLease(startedMs, term);
      return index;
    });
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
    const now = this.clock.monotonicMs();
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
    this.lease.transferRequested(this.clock.monotonicMs());
    this.input(() => this.raw.transferLeader(target));
  }

  /** Add a learner; `context` names its peer address (see RaftNodeOptions.peerAddressOf). */
  addLearner(id: number, context: string): Promise<ConfState> {
    return this.membership.addLearner(id, context);
  }

  /** Add a voter the safe way: as a learner first, promoted once it has caught up. */
  addVoter(id: number, context: string, caughtUpLagMax = 100): Promise<ConfState> {
    return this.membership.addVoter(id, context, caughtUpLagMax);
  }

  removeMember(id: number): Promise<ConfState> {
    return this.membership.removeMember(id);
  }

  status(): RaftStatus {
    return this.raw.status();
  }

  /** The status as of now (the same as `status()` here; a node on another thread answers by message). */
  async currentStatus(): Promise<RaftStatus> {
    return this.raw.status();
  }

  /** Chaos testing: drop or delay peer traffic, if the node was given a FaultyTransport. */
  injectTransportFaults(faults: TransportFaults): void {
    const transport = this.options.transport;
    if (transport instanceof FaultyTransport) transport.setFaults(faults);
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
    this.proposals.failAll(error);
    this.membership.failAll(error);
  }

  /** Stop ticking, finish the Ready in progress, close the transport and the storage. */
  async close(): Promise<void> {
    if (this.ticker !== null) this.clock.clearInterval(this.ticker);
    this.ticker = null;
    const wasClosed = this.closed;
    this.closed = true;
    this.wakeLoop();
    await this.loop;
    await this.snapshots.inProgress;
    if (!wasClosed || this.failed !== null) this.failAll(new RaftError('Closed', `raft node ${this.id} closed`));
    await this.options.transport.close();
    await this.options.storage.close();
  }
}
