import { join } from 'node:path';
import type { LogStore } from '../../raft/storage.js';
import type { Transport, TransportFaults } from '../../raft/transport.js';
import { systemClock } from '../../raft/clock.js';
import type { Clock } from '../../raft/clock.js';
import { FaultyTransport } from '../../raft/faulty-transport.js';
import type { RaftHandle } from '../../raft/raft-handle.js';
import { RaftNode } from '../../raft/raft-node.js';
import type { LeaderChange } from '../../raft/raft-node.js';
import { PrestartedRaftWorker, RaftWorkerClient } from '../../raft/raft-worker-client.js';
import { ConfChangeType, StateRole } from '../../raft/types.js';
import type { ConfChange } from '../../raft/types.js';
import { CodedError } from '../common/error-codes.js';
import { Logger } from '../common/logger.js';
import { EventBroker } from '../ddl/broker.js';
import { BootstrapTask } from '../ddl/bootstrap-task.js';
import { CatalogGcLoop } from '../ddl/catalog-gc-loop.js';
import { ReplicaChecks } from '../meta/replica-checks.js';
import { divergenceFile } from './divergence-file.js';
import { ReplicaCheckLoop } from './replica-check-loop.js';
import type { ReplicaCheck } from './replica-check-loop.js';
import { Scheduler } from '../ddl/scheduler.js';
import { StepExecutor } from '../ddl/step-executor.js';
import type { DdlTask } from '../ddl/task.js';
import { RequestsLoadStopped } from '../meta/catalog-load.js';
import { MetaStateMachine } from '../meta/meta-state-machine.js';
import { MetaTable } from '../meta/meta-table.js';
import type { BlockCodec } from '../meta/catalog-snapshot.js';
import type { VersionedStore } from '../meta/versioned-store.js';
import { PasswordHashPool } from '../auth/hash-pool.js';
import type { PasswordHasher } from '../auth/password-hash.js';
import { IdAllocator } from '../tso/id-allocator.js';
import { Tso } from '../tso/tso.js';
import { TimeTickLoop } from '../timetick/time-tick-loop.js';
import { TimeTickSync } from '../timetick/time-tick-sync.js';
import { DEFAULT_SNAPSHOT_ENTRIES_KEPT, PEER_PROTOCOL } from './config.js';
import type { MemberAddress, NodeConfig } from './config.js';
import { LeaderServices } from './leader-services.js';
import { memberContext, parseMemberContext, PEER_ADDRESS_MODULE, peerAddressOf } from '../common/member-address.js';
import { ReadBatcher } from './read-batcher.js';
import { codedFromRaft, makeProposer } from './proposer.js';

/**
 * What a whole-node simulation supplies instead of disks, sockets and entropy: an in-memory raft log
 * and catalog that survive the node's crash, an in-memory transport, a seed, a logger.
 */
export interface SimulatedDeps {
  readonly storage: LogStore;
  readonly transport: Transport;
  readonly metaStore: VersionedStore;
  readonly seed: number;
  readonly log: Logger;
  /** Deterministic password hashing (a salted scrypt hash would make runs unrepeatable). */
  readonly passwords?: PasswordHasher;
  /** Time and timers (default: the process's). */
  readonly clock?: Clock;
  /** How catalog snapshots compress (default: on libuv's pool, finishing in real time; `inlineCodec` on this thread). */
  readonly snapshotCodec?: BlockCodec;
}

/** What RootCoordNode.start runs on the way. */
export interface StartHooks {
  /** Runs once the catalog is loaded, as Raft's thread is about to be made (this thread then waits for it). */
  readonly whileRaftStarts?: () => void;
  /**
   * Leave what a start does in the background (reading the request IDs, decoding the catalog) until
   * the caller calls serving(): it would share this thread with the start of the caller's servers (an
   * entry to apply before then has the request IDs read at once: an apply needs them).
   */
  readonly backgroundWhenServing?: boolean;
}

/**
 * The composition root of one rootcoord node: the MetaTable, the Raft node that replicates commands to
 * it, and the leader-only services. Data flows one way: api -> ddl -> propose -> raft -> state machine
 * -> MetaTable.
 */
export class RootCoordNode {
  readonly log: Logger;
  readonly broker: EventBroker;
  readonly scheduler: Scheduler;
  readonly background: StepExecutor;
  readonly tso: Tso;
  readonly ids: IdAllocator;
  readonly timeTicks: TimeTickSync;
  private readonly timeTickLoop: TimeTickLoop;
  readonly catalogGc: CatalogGcLoop;
  /** The leader's replica checks (src/meta/replica-checks.ts holds every replica's side). */
  private readonly replicaCheckLoop: ReplicaCheckLoop;
  private readonly leaderServices: LeaderServices;
  private readonly propose: ReturnType<typeof makeProposer>;
  private readonly reads: ReadBatcher;
  /** Member addresses: the configured ones, then as membership changes are applied. */
  private readonly members: Map<number, MemberAddress>;

  /** Chaos testing: an offset added to the TSO's clock (a clock jump on this node). */
  private clockSkewMs = 0n;
  /**
   * The term this node leads in, as its role changes are seen here (-1: not leader). Every proposal is
   * made for that term only, so a task of a lost leadership cannot be forwarded into a later one.
   */
  private leaderTerm = -1;

  private constructor(
    readonly config: NodeConfig,
    readonly meta: MetaTable,
    readonly raft: RaftHandle,
    log: Logger,
    members: ReadonlyMap<number, MemberAddress>,
    readonly passwords: PasswordHasher,
    private readonly clock: Clock,
    readonly replicaChecks: ReplicaChecks,
  ) {
    const nowMs = (): bigint => BigInt(clock.wallMs()) + this.clockSkewMs;
    const wallClockNs = (): bigint => BigInt(clock.wallMs()) * 1_000_000n;
    this.log = log;
    this.members = new Map(members);
    this.propose = makeProposer(raft, () => this.leaderTerm, (field) => meta.fieldText(field));
    this.reads = new ReadBatcher(() => raft.readIndex());
    this.broker = new EventBroker(config.limits.gcConfirmDelayMs, clock);
    this.background = new StepExecutor({ log: (message, fields) => log.warn(message, fields), clock });
    this.tso = new Tso({ nowMs, persistWindow: (windowMs) => this.propose({ kind: 'tsoWindow', windowMs }), clock });
    this.ids = new IdAllocator({ nowMs, persistUpTo: (upTo) => this.propose({ kind: 'idWindow', upTo }) });
    const allocTs = (): Promise<bigint> => this.tso.generate(1);
    this.scheduler = new Scheduler({
      meta,
      propose: this.propose,
      allocIds: (count) => this.ids.alloc(count),
      allocTs,
      limits: config.limits,
      broker: this.broker,
      background: this.background,
      wallClockNs,
      passwords,
      log,
      confirmLeadership: () => this.confirmLeadership(),
      clock,
    });
    this.catalogGc = new CatalogGcLoop(this.propose, config.limits, clock);
    this.replicaCheckLoop = new ReplicaCheckLoop(this.propose, replicaChecks, config.id, config.limits.replicaCheckIntervalMs, log, clock);
    this.timeTicks = new TimeTickSync(clock);
    this.timeTickLoop = new TimeTickLoop(this.timeTicks, meta, this.scheduler, this.tso, config.limits, config.timeTickIntervalMs, clock);
    this.leaderServices = new LeaderServices({
      raft,
      tso: this.tso,
      ids: this.ids,
      scheduler: this.scheduler,
      background: this.background,
      recovery: { meta, propose: this.propose, allocTs, broker: this.broker },
      firstLeaderSetup: () => new BootstrapTask(config.security).run({ meta, propose: this.propose, allocTs, wallClockNs, passwords, limits: config.limits }),
      services: [this.timeTickLoop, this.catalogGc, this.replicaCheckLoop],
      log,
      clock,
    });
  }

  /** Open the catalog, then start Raft (`hooks`: StartHooks; main.ts loads its serving modules while Raft starts). */
  static async start(config: NodeConfig, simulated: SimulatedDeps | null = null, hooks: StartHooks = {}): Promise<RootCoordNode> {
    const clock = simulated?.clock ?? systemClock;
    const log = simulated?.log ?? new Logger(config.id, config.logFile, 'info', () => clock.wallMs());
    const self = config.members.get(config.id);
    if (self === undefined) throw new Error(`node ${config.id} is not in the member list`);
    const startedAt = clock.monotonicMs();
    const requestsLater = hooks.backgroundWhenServing === true;
    // Raft's thread boots and loads its modules on another core while this one loads the catalog.
    const prestarted = simulated === null ? new PrestartedRaftWorker() : null;
    let meta: MetaTable;
    try {
      meta = simulated === null ? await MetaTable.open(join(config.dataDir, 'meta'), clock, requestsLater) : await MetaTable.over(simulated.metaStore, clock, simulated.snapshotCodec, requestsLater);
    } catch (error) {
      await prestarted?.terminate();
      throw error;
    }
    const catalogLoadMs = Math.round(clock.monotonicMs() - startedAt);
    const tables = meta.store.tableCheck;
    if (tables !== null) {
      log.info("the catalog's tables match their checksums", { tables: tables.tables, bytes: tables.bytes, blocks: tables.blocks, ms: tables.ms });
      for (const { file, why } of tables.skipped) log.warn("a catalog table (or the catalog's MANIFEST) was not checked against its checksums: its format is not one this build reads; LevelDB reads it unchecked", { file, why });
    }
    if (meta.unfinishedRestoreCleared !== null) log.warn("the catalog's restore of a snapshot did not finish before this node stopped: its half-written catalog is cleared, and Raft restores the snapshot again", { snapshotIndex: meta.unfinishedRestoreCleared });
    hooks.whileRaftStarts?.();
    // The configured members, then those added at runtime (recorded in the catalog, so in snapshots too).
    const members = new Map(config.members);
    for (const [id, context] of meta.members) {
      const address = parseMemberContext(context);
      if (address !== null) members.set(id, address);
    }
    const raftLog = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>): void => log.log(level, message, fields);
    const common = {
      id: config.id,
      ...(config.join ? {} : { initialVoters: [...config.members.keys()] }),
      tickIntervalMs: config.tickIntervalMs,
      electionTicks: config.electionTicks,
      heartbeatTicks: config.heartbeatTicks,
      snapshotEntries: config.snapshotEntries,
      snapshotEntriesKept: config.snapshotEntriesKept ?? DEFAULT_SNAPSHOT_ENTRIES_KEPT,
    };
    const replicaChecks = new ReplicaChecks(config.id, (level, message, fields) => log.log(level, message, fields), simulated === null ? divergenceFile(config.dataDir) : null, () => clock.wallMs());
    meta.memoryCheckPart = config.limits.replicaMemoryCheckPart;
    const stateMachine = new MetaStateMachine(meta, replicaChecks, config.limits.replicaMemoryCheck !== 0);
    let raft: RaftHandle;
    if (simulated === null) {
      // Raft on a thread of its own: nothing this thread does can delay a heartbeat or a log write.
      raft = await RaftWorkerClient.start(
        {
          ...common,
          logDir: join(config.dataDir, 'raft'),
          listenAddress: self.peer,
          peers: [...members].map(([id, m]) => [id, m.peer] as const),
          secret: config.secret,
          helloMagic: PEER_PROTOCOL,
          peerAddressModule: PEER_ADDRESS_MODULE,
          faultInjection: config.chaos,
          appliedIndex: meta.appliedIndex,
          ...(config.raftNice === undefined ? {} : { nice: config.raftNice }),
        },
        stateMachine,
        raftLog,
        prestarted,
      );
    } else {
      // Faults can be injected only where allowed (chaos), as on a real node.
      const transport = config.chaos ? new FaultyTransport(simulated.transport, { clock }) : simulated.transport;
      raft = await RaftNode.start({ ...common, seed: simulated.seed, storage: simulated.storage, transport, peerAddressOf, stateMachine, clock, log: raftLog });
    }
    // Password hashing never outranks the request thread (nor, so, the Raft thread): --request-nice above passwordHashNice wins.
    const node = new RootCoordNode(config, meta, raft, log, members, simulated?.passwords ?? new PasswordHashPool({ workers: config.limits.passwordHashWorkers, queueMax: config.limits.passwordHashQueueMax, nice: Math.max(config.limits.passwordHashNice, config.requestNice ?? config.limits.passwordHashNice) }), clock, replicaChecks);
    raft.on('member-change', (cc: ConfChange) => node.onMemberChange(cc));
    raft.on('fatal', (error: Error) => {
      log.error('raft failed; this node stops serving', { error: error.message });
      node.leaderTerm = -1;
      node.leaderServices.onLeadership(false);
      node.failed(error);
    });
    raft.on('role-change', (change: LeaderChange) => {
      node.leaderTerm = change.role === StateRole.Leader ? change.term : -1;
      log.term = change.term;
      log.info('raft role changed', { role: change.role, leader: change.leader, term: change.term });
      node.leaderServices.onLeadership(change.role === StateRole.Leader);
      if (change.role === StateRole.Leader) node.handAwayIfDiverged();
    });
    // A role change reported before the listeners above were attached is in the status already (the
    // log lines' term too: it stayed 0 until the next change).
    log.term = raft.status().term;
    if (raft.isLeader() && node.leaderTerm < 0) {
      node.leaderTerm = raft.status().term;
      node.leaderServices.onLeadership(true);
      node.handAwayIfDiverged();
    }
    log.info('node started', { dataDir: config.dataDir, applied: meta.appliedIndex, collections: meta.collections.size, catalogLoadMs, raftStartMs: Math.round(clock.monotonicMs() - startedAt) - catalogLoadMs });
    // The request IDs are read after the catalog (MetaTable): a failure fails this node's next apply; say so now.
    meta.requestsLoaded().catch((error: unknown) => {
      if (!(error instanceof RequestsLoadStopped)) log.error("the catalog's request IDs could not be read: this node fails at its next apply", { error: (error as Error).message });
    });
    if (!requestsLater) node.serving();
    return node;
  }

  /**
   * The node serves: read the request IDs (if no apply has asked for them yet) and decode the
   * collections the load left pending, between other work (MetaTable). start() calls it, unless its
   * caller will (`backgroundWhenServing`: main.ts, once its servers listen). Once only.
   */
  serving(): void {
    this.meta.readRequests();
    const startedAt = this.clock.monotonicMs();
    void this.meta.decodeInBackground().then((done) => done && this.log.info('catalog decoded', { collections: this.meta.collections.size, ms: Math.round(this.clock.monotonicMs() - startedAt) }));
  }

  /** The first failure of Raft or of an apply (the node has stopped serving), if any. */
  private fatalError: Error | null = null;
  private fatalHandler: (error: Error) => void = () => {};

  /**
   * Called when the Raft log cannot be written or an apply fails (the node has stopped serving);
   * main.ts exits. A handler set after such a failure is called with it at once: one can come as soon
   * as start() returns (an entry the log holds as committed that this build cannot apply), before its
   * caller has set a handler.
   */
  set onFatal(handler: (error: Error) => void) {
    this.fatalHandler = handler;
    if (this.fatalError !== null) handler(this.fatalError);
  }

  get onFatal(): (error: Error) => void {
    return this.fatalHandler;
  }

  private failed(error: Error): void {
    this.fatalError ??= error;
    this.fatalHandler(error);
  }

  memberAddress(id: number): MemberAddress | undefined {
    return this.members.get(id);
  }

  voterIds(): readonly number[] {
    return this.raft.status().confState.voters;
  }

  private onMemberChange(cc: ConfChange): void {
    if (cc.type === ConfChangeType.RemoveNode) {
      this.log.info('member removed', { id: cc.nodeId });
      return;
    }
    const address = parseMemberContext(cc.context);
    if (address !== null) this.members.set(cc.nodeId, address);
    this.log.info('member added', { id: cc.nodeId, learner: cc.type === ConfChangeType.AddLearner, ...(address ?? {}) });
  }

  /** Add a node (started with --join) as a learner, then promote it to voter once it has caught up. */
  async addMember(id: number, address: MemberAddress): Promise<void> {
    if (!this.isServingLeader()) throw new CodedError('ServiceNotReady', `node ${this.config.id} is not the serving leader`);
    if (!Number.isSafeInteger(id) || id <= 0) throw new CodedError('ParameterInvalid', `invalid member id ${id}`);
    if (!/^[^:]+:\d+$/.test(address.peer) || !/^[^:]+:\d+$/.test(address.client)) throw new CodedError('ParameterInvalid', `member addresses must be host:port, got ${address.peer} / ${address.client}`);
    // An add of a voter already is done (a retry); at other addresses it would change nothing but
    // this node's map, so it is refused.
    const known = this.members.get(id);
    if ((await this.raft.currentStatus()).confState.voters.includes(id) && known !== undefined && (known.peer !== address.peer || known.client !== address.client)) {
      throw new CodedError('ParameterInvalid', `node ${id} is a voter already, at ${known.peer} / ${known.client}: remove it first to move it to ${address.peer} / ${address.client}`);
    }
    this.members.set(id, address);
    try {
      await this.raft.addVoter(id, memberContext(address));
    } catch (error) {
      throw codedFromRaft(error);
    }
    await this.tellMembers();
  }

  async removeMember(id: number): Promise<void> {
    if (!this.isServingLeader()) throw new CodedError('ServiceNotReady', `node ${this.config.id} is not the serving leader`);
    const { voters, learners } = (await this.raft.currentStatus()).confState;
    if (!voters.includes(id) && !learners.includes(id)) throw new CodedError('ParameterInvalid', `node ${id} is not a member`);
    try {
      await this.raft.removeMember(id);
    } catch (error) {
      throw codedFromRaft(error);
    }
    await this.tellMembers();
  }

  /**
   * After a membership change: a read round, whose heartbeats carry the commit index, so that the
   * members apply the change now (their status shows it) rather than with the next write or heartbeat
   * (a commit update alone waits for one of those, see TcpTransportOptions.commitUpdateWaitMs). The
   * change is done either way: a round that fails (leadership lost meanwhile) is not an error.
   */
  private async tellMembers(): Promise<void> {
    await this.raft.readIndex().catch(() => undefined);
  }

  isServingLeader(): boolean {
    return this.leaderServices.isServing() && this.raft.isLeader();
  }

  leaderId(): number {
    return this.raft.leader();
  }

  /** Run a DDL task on this node, which must be the serving leader; see Scheduler for `requestId`. */
  submit(task: DdlTask, requestId: string | null = null): Promise<void> {
    if (!this.isServingLeader()) return Promise.reject(new CodedError('ServiceNotReady', `node ${this.config.id} is not the serving leader (leader: ${this.leaderId()})`));
    return this.scheduler.submit(task, requestId);
  }

  /**
   * Confirm this node is still the leader after an allocation, by a leader lease (or, without a valid
   * one, a ReadIndex round started after it): a deposed or paused leader never hands out a timestamp
   * or an ID that a newer leader may already have passed. See RaftNode.leaderLease.
   */
  async confirmLeadership(): Promise<void> {
    try {
      await this.raft.leaderLease();
    } catch (error) {
      throw codedFromRaft(error);
    }
    if (!this.isServingLeader()) throw new CodedError('ServiceNotReady', `node ${this.config.id} lost leadership`);
  }

  /** Linearizable read barrier: resolves once this node has applied everything committed before the call. */
  async readBarrier(): Promise<void> {
    try {
      await this.reads.barrier();
    } catch (error) {
      throw codedFromRaft(error);
    }
  }

  /** Chaos testing only: drop or delay peer traffic, jump the TSO clock. */
  injectFaults(faults: TransportFaults & { clockSkewMs: bigint }): void {
    if (!this.config.chaos) throw new CodedError('PrivilegeNotPermitted', `node ${this.config.id} was not started with --chaos`);
    this.raft.injectTransportFaults(faults);
    this.clockSkewMs = faults.clockSkewMs;
    this.log.warn('faults injected', { ...faults, clockSkewMs: faults.clockSkewMs });
  }

  /** Hand leadership to `target` (RootCoordAdmin TransferLeader). */
  transferLeader(target: number): void {
    this.raft.transferLeader(target);
  }

  /** Whether this process handed leadership away for a recorded difference (handAwayIfDiverged: once per start). */
  private handedAwayForDivergence = false;

  /**
   * A leader whose own record says its catalog differed from a leader's at a replica check
   * (src/meta/replica-checks.ts) is the replica the others would be compared against, and a leader
   * never compares itself, so its record would never clear: it hands leadership to another voter, once
   * per start, and as a follower the next check compares it (and clears the record if it matches). The
   * target: a voter that answers and has the leader's log, never the leader the record names (when
   * every follower differs from a damaged leader, a follower's record names it). None: it stays.
   */
  private handAwayIfDiverged(): void {
    const divergence = this.replicaChecks.divergence;
    if (divergence === null || this.handedAwayForDivergence) return;
    this.handedAwayForDivergence = true;
    void (async () => {
      // Once the followers have answered this term's first appends (their progress is known then); a
      // few tries, as CheckQuorum clears `recentActive` every election timeout until the next answer.
      for (let attempt = 0; attempt < 5; attempt++) {
        await this.clock.sleep(attempt === 0 ? 1000 : 200);
        if (!this.raft.isLeader()) return;
        const status = await this.raft.currentStatus();
        const target = status.confState.voters
          .filter((id) => id !== this.config.id && id !== divergence.leader)
          .map((id) => ({ id, progress: status.progress.get(id) }))
          .filter(({ progress }) => progress !== undefined && progress.recentActive && progress.match >= status.commit)
          .sort((a, b) => (b.progress?.match ?? 0) - (a.progress?.match ?? 0))[0]?.id;
        if (target === undefined) continue;
        this.log.warn("this node's catalog differed from the leader's at a replica check (its record stands until a check matches): it hands leadership to another member, so that the others are not compared against it", { target, recordedLeader: divergence.leader });
        this.raft.transferLeader(target);
        return;
      }
      this.log.warn("this node's catalog differed from the leader's at a replica check, and it leads: no other member answers with the whole log (the leader its record names aside) to hand leadership to", { recordedLeader: divergence.leader });
    })();
  }

  /** The catalog's digest and the index it is at (replicas compare them). */
  catalogDigest(): Promise<{ digest: string; appliedIndex: number }> {
    return this.meta.digestAtIndex();
  }

  /** This replica's digest at the replica check's mark at `index` (taken when it applied the mark). */
  async catalogDigestAtMark(index: number, waitMs = 10_000): Promise<string> {
    // A follower a little behind applies the mark soon.
    for (const deadline = this.clock.monotonicMs() + waitMs; this.meta.appliedIndex < index && this.clock.monotonicMs() < deadline; ) await this.clock.sleep(20);
    const digest = await this.replicaChecks.digestAt(index);
    if (digest === undefined) throw new CodedError('ParameterInvalid', `node ${this.config.id} has no digest at index ${index}: no replica check's mark there, or it installed a snapshot past it, restarted since, or has applied four newer marks`);
    if (digest === null) throw new CodedError('Unexpected', `node ${this.config.id} could not take its digest at the mark at index ${index} (see its log)`);
    return digest;
  }

  /** A replica check now, as the serving leader: the mark's index and this leader's digest there; every replica compares its own. */
  checkReplicas(): Promise<ReplicaCheck> {
    return this.replicaCheckLoop.check();
  }

  snapshotNow(): Promise<number> {
    return this.raft.snapshotNow();
  }

  /**
   * A simulated kill -9: stop at once, forget the catalog writes not yet handed to the store, close the
   * Raft node without a leadership handover. The simulation keeps the log and catalog stores.
   */
  async crash(): Promise<void> {
    this.leaderServices.onLeadership(false);
    this.meta.abandon();
    await this.raft.close();
  }

  async close(): Promise<void> {
    this.leaderServices.onLeadership(false);
    if (this.raft.isLeader()) {
      const target = this.raft.status().confState.voters.find((id) => id !== this.config.id);
      if (target !== undefined) {
        this.raft.transferLeader(target);
        await this.clock.sleep(300);
      }
    }
    await this.raft.close();
    await this.meta.close();
    await this.passwords.close?.();
    this.log.info('node stopped');
  }
}
