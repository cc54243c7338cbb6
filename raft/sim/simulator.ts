import { bytesInMemory } from '../snapshot-data.js';
import { AssertionError } from '../assert.js';
import type { UnsafeKnobs } from '../config.js';
import { DurableStorage, StorageCorruptionError } from '../durable-storage.js';
import type { DurableStorageUnsafe } from '../durable-storage.js';
import { LogDivergedError, LogLostError, RaftError } from '../errors.js';
import { Prng } from '../prng.js';
import { RawNode } from '../raw-node.js';
import { ConfChangeType, decodeConfChange, EntryType, MessageType, StateRole } from '../types.js';
import type { Entry, Message, Ready, Snapshot } from '../types.js';
import { SafetyChecker, SafetyViolation } from './safety-checker.js';
import { SimulatedCrash, SimulatedFileSystem } from './simulated-file-system.js';

/** Broken behaviours of the host (the simulator) on top of the core's own unsafe knobs. */
export interface SimulationUnsafe extends UnsafeKnobs {
  /** Send every message before the entries and hard state it depends on are persisted. */
  readonly ackBeforePersist?: boolean;
  /** Broken durability in the storage (test-only; see DurableStorageUnsafe). */
  readonly storage?: DurableStorageUnsafe;
}

export interface SimulationOptions {
  readonly seed: number;
  readonly unsafe?: SimulationUnsafe;
  /** Ticks of the fault phase. */
  readonly faultTicks?: number;
  readonly trace?: (line: string) => void;
  /** The transports report a crashed peer down (TransportHandler.reportPeerDown); default true. */
  readonly reportPeersDown?: boolean;
}

export interface SimulationParams {
  readonly clusterSize: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxDelayUnits: number;
  readonly lossRate: number;
  readonly duplicateRate: number;
  readonly persistUnitsMax: number;
  readonly compactEvery: number;
  readonly maxInflightMsgs: number;
  readonly maxMsgBytes: number;
  readonly maxUncommittedBytes: number;
  /** Log segment size of each node's DurableStorage (small: segments rotate and are deleted often). */
  readonly segmentBytesMax: number;
  /** Chance that a write to disk (a Ready's save, a snapshot) is cut short by a crash at one of its operations. */
  readonly midWriteCrashRate: number;
  /** Step inputs while a Ready is being persisted and send what RawNode lets go early (as RaftNode does). */
  readonly stepDuringPersist: boolean;
}

export interface SimulationStats {
  leadersElected: number;
  entriesCommitted: number;
  proposals: number;
  readsServed: number;
  crashes: number;
  /** Crashes in the middle of a write to disk (after some of its file-system operations). */
  crashesMidWrite: number;
  /** Reports that a crashed node is down (its connections refused) delivered to the nodes still up. */
  peerDownReports: number;
  /**
   * Crashes of the leader (of the latest term) followed, within the fault phase, by a leader of a later
   * term (possibly the same node, restarted). Timed when the simulator processes the new leader's
   * state change, which may wait for a disk write of the node to finish.
   */
  leaderFailovers: number;
  partitions: number;
  transfers: number;
  confChangesApplied: number;
  snapshotsInstalled: number;
  messagesDelivered: number;
  livenessTicks: number;
}

export interface SimulationResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violation: string | null;
  readonly params: SimulationParams;
  readonly stats: SimulationStats;
  /** The ticks from each leader's crash to the next leader's election. */
  readonly failoverTicks: readonly number[];
}

export function emptySimulationStats(): SimulationStats {
  return {
    leadersElected: 0,
    entriesCommitted: 0,
    proposals: 0,
    readsServed: 0,
    crashes: 0,
    crashesMidWrite: 0,
    peerDownReports: 0,
    leaderFailovers: 0,
    partitions: 0,
    transfers: 0,
    confChangesApplied: 0,
    snapshotsInstalled: 0,
    messagesDelivered: 0,
    livenessTicks: 0,
  };
}

/** Simulated time: a tick is about ten units; each node's tick period is skewed a little. */
const UNITS_PER_TICK = 10;
/** Generous: a small maxMsgBytes and inflight window make catching up a backlog slow but steady. */
const LIVENESS_ELECTIONS_MAX = 150;

class LivenessFailure extends Error {}

/**
 * What a run's error says it found, by its type. A member that lost entries it acknowledged
 * (LogLostError) only shows a durability bug: no fault the simulator injects loses an acknowledged
 * write of a correct log.
 */
const FAILURE_KINDS: ReadonlyArray<readonly [new (...args: never[]) => Error, string]> = [
  [AssertionError, 'assertion'],
  [LivenessFailure, 'liveness'],
  [StorageCorruptionError, 'storage'],
  [LogLostError, 'log lost'],
  [LogDivergedError, 'log diverged'],
  [SafetyViolation, 'safety'],
];

/** Where each simulated node keeps its raft directory on its simulated disk. */
const DATA_DIR = '/raft';

interface PendingPersist {
  readonly ready: Ready;
  readonly doneAt: number;
  readonly sent: boolean;
  /** The Ready has something to write to disk. */
  readonly needsDisk: boolean;
}

/** A node's transport finding a crashed peer's address refusing connections, reported to its core. */
interface PeerDownReport {
  readonly to: number;
  readonly about: number;
  readonly deliverAt: number;
}

interface InFlight {
  readonly message: Message;
  readonly deliverAt: number;
}

/** The simulated state machine: a hash chain over every applied entry, snapshotted as text. */
class HashChainMachine {
  applied = 0;
  hash = 0;

  apply(entry: Entry): void {
    if (entry.index !== this.applied + 1) throw new SafetyViolation(`apply gap: applying ${entry.index} after ${this.applied}`);
    let h = this.hash ^ entry.index ^ Math.imul(entry.term, 0x9e3779b1);
    for (const byte of entry.data) h = Math.imul(h ^ byte, 0x01000193);
    this.hash = h >>> 0;
    this.applied = entry.index;
  }

  encode(): Uint8Array {
    return new TextEncoder().encode(`${this.applied}:${this.hash}`);
  }

  restore(snapshot: Snapshot): void {
    const text = new TextDecoder().decode(bytesInMemory(snapshot.data));
    const [applied, hash] = text === '' ? [0, 0] : text.split(':').map(Number);
    this.applied = applied ?? 0;
    this.hash = hash ?? 0;
    if (this.applied !== snapshot.metadata.index) throw new SafetyViolation(`snapshot at ${snapshot.metadata.index} holds state applied to ${this.applied}`);
  }
}

class SimNode {
  up = true;
  raw: RawNode | null = null;
  /** Open while the node is up. */
  storage: DurableStorage | null = null;
  machine = new HashChainMachine();
  pending: PendingPersist | null = null;
  inbox: Array<() => void> = [];
  nextTickAt: number;
  lastTerm = 0;
  lastCommit = 0;
  lastApplied = 0;

  constructor(
    readonly id: number,
    /** The node's disk; replaced at a crash by the image that survives it. */
    public disk: SimulatedFileSystem,
    readonly tickUnits: number,
    start: number,
  ) {
    this.nextTickAt = start;
  }
}

/**
 * A deterministic whole-cluster simulation in the style of TigerBeetle's VOPR: one seed decides the
 * cluster, the timing and every fault. Each node persists through the real DurableStorage on its own
 * SimulatedFileSystem: a crash keeps a random image of what survives (sometimes cut in the middle of a
 * write) and a restart reopens it, replaying the log as after a real crash. Safety is checked after every step; after the fault phase the
 * network heals and the cluster must elect a leader and commit a fresh entry everywhere in bounded time.
 */
export class Simulation {
  readonly params: SimulationParams;
  readonly stats: SimulationStats = emptySimulationStats();
  private readonly prng: Prng;
  private readonly nodes = new Map<number, SimNode>();
  private readonly removed = new Set<number>();
  /** When a node last applied the removal of each id (see reusable). */
  private readonly removalAppliedAt = new Map<number, number>();
  private membershipIndex = 0;
  private readonly checker = new SafetyChecker();
  private network: InFlight[] = [];
  private peerDownReports: PeerDownReport[] = [];
  /**
   * Decides the crash reports apart from the main PRNG, so that adding them did not change what every
   * seed's cluster, timing and faults are.
   */
  private readonly reportPrng: Prng;
  private readonly blocked = new Set<string>();
  private readonly pendingReads = new Map<number, { node: number; minIndex: number }>();
  private lossRate: number;
  private duplicateRate: number;
  private midWriteCrashRate: number;
  private now = 0;
  private nextRequest = 1;
  private readonly unsafe: SimulationUnsafe;
  private readonly maxNodeId: number;
  /** A leader crashed at this time, in this term, and no later leader is elected yet. */
  private leaderLost: { readonly atUnits: number; readonly term: number } | null = null;
  /** The latest term a leader was seen in. */
  private latestLeaderTerm = 0;
  /** The ticks from each leader's crash to the next leader's election (stats.leaderFailovers counts them). */
  private readonly failoverTicks: number[] = [];

  constructor(private readonly options: SimulationOptions) {
    this.prng = new Prng(options.seed);
    this.reportPrng = new Prng(options.seed ^ 0x5eed_d0e5);
    this.unsafe = options.unsafe ?? {};
    const p = this.prng;
    const electionTicks = p.intBetween(5, 15);
    this.params = {
      clusterSize: p.intBetween(3, 5),
      electionTicks,
      heartbeatTicks: p.intBetween(1, Math.min(3, electionTicks - 1)),
      preVote: p.chance(0.8),
      checkQuorum: p.chance(0.8),
      // Delays stay well below the election timeout, as Raft requires (broadcast time << election timeout).
      maxDelayUnits: p.intBetween(2, Math.min(40, Math.floor((electionTicks * UNITS_PER_TICK) / 3))),
      lossRate: p.chance(0.3) ? 0 : p.nextFloat() * 0.25,
      duplicateRate: p.chance(0.5) ? 0 : p.nextFloat() * 0.1,
      persistUnitsMax: p.intBetween(1, 12),
      compactEvery: p.intBetween(4, 60),
      maxInflightMsgs: p.intBetween(1, 8),
      maxMsgBytes: p.pick([64, 256, 4096, 1024 * 1024]),
      maxUncommittedBytes: p.pick([1024, 4096, 64 * 1024 * 1024]),
      segmentBytesMax: p.pick([256, 1024, 8192, 64 * 1024]),
      midWriteCrashRate: p.pick([0, 0.0005, 0.002]),
      // As RaftNode does: inputs are stepped while a Ready is being persisted, and what may leave early does.
      stepDuringPersist: p.chance(0.5),
    };
    this.lossRate = this.params.lossRate;
    this.duplicateRate = this.params.duplicateRate;
    this.midWriteCrashRate = this.params.midWriteCrashRate;
    this.maxNodeId = this.params.clusterSize + 2;
  }

  /** The run's result; `violation`: what failed (null: nothing). */
  private result(violation: string | null): SimulationResult {
    this.stats.leaderFailovers = this.failoverTicks.length;
    return { seed: this.options.seed, ok: violation === null, violation, params: this.params, stats: this.stats, failoverTicks: this.failoverTicks };
  }

  async run(): Promise<SimulationResult> {
    try {
      const voters = Array.from({ length: this.params.clusterSize }, (_, i) => i + 1);
      for (const id of voters) await this.startNewNode(id, voters);
      const faultUnits = (this.options.faultTicks ?? 400) * UNITS_PER_TICK;
      while (this.now < faultUnits) {
        await this.step();
        await this.injectFaults();
      }
      await this.heal();
      await this.runLiveness();
      return this.result(null);
    } catch (error) {
      const kind = FAILURE_KINDS.find(([type]) => error instanceof type)?.[1];
      if (kind !== undefined) return this.result(`${kind} at unit ${this.now}: ${(error as Error).message}`);
      throw error;
    }
  }

  private trace(line: string): void {
    this.options.trace?.(`[${this.now}] ${line}`);
  }

  // ---- nodes ----

  /** A node with a fresh, empty disk; the initial voters bootstrap it. */
  private async startNewNode(id: number, bootstrapVoters: readonly number[] | null): Promise<SimNode> {
    const disk = new SimulatedFileSystem({ seed: this.prng.nextUint32() });
    const node = new SimNode(id, disk, UNITS_PER_TICK + this.prng.intBetween(-2, 2), this.now + this.prng.intBetween(1, UNITS_PER_TICK));
    this.nodes.set(id, node);
    await this.boot(node, bootstrapVoters);
    return node;
  }

  /** Open the node's disk (DurableStorage replays it, as after a real restart) and start the core on it. */
  private async boot(node: SimNode, bootstrapVoters: readonly number[] | null = null): Promise<void> {
    const storage = await DurableStorage.open(DATA_DIR, {
      fs: node.disk,
      segmentBytesMax: this.params.segmentBytesMax,
      ...(this.unsafe.storage === undefined ? {} : { unsafe: this.unsafe.storage }),
      ...(this.options.trace === undefined ? {} : { log: (_level: string, message: string, fields?: Record<string, unknown>) => this.trace(`node ${node.id} storage: ${message} ${JSON.stringify(fields ?? {})}`) }),
    });
    if (bootstrapVoters !== null) await storage.bootstrap(bootstrapVoters);
    node.storage = storage;
    node.raw = new RawNode(
      {
        id: node.id,
        electionTicks: this.params.electionTicks,
        heartbeatTicks: this.params.heartbeatTicks,
        random: this.prng.fork(),
        preVote: this.params.preVote,
        checkQuorum: this.params.checkQuorum,
        maxInflightMsgs: this.params.maxInflightMsgs,
        maxMsgBytes: this.params.maxMsgBytes,
        maxUncommittedBytes: this.params.maxUncommittedBytes,
        unsafe: this.unsafe,
        // The machine restarts from the snapshot, which may be newer than the first retained entry.
        applied: storage.snapshot().metadata.index,
      },
      storage,
    );
    node.up = true;
    node.machine = new HashChainMachine();
    node.machine.restore(storage.snapshot());
    node.lastTerm = node.raw.raft.term;
    node.lastCommit = node.raw.raft.log.committed;
    node.lastApplied = node.raw.raft.log.applied;
  }

  /** The node stops at once; its disk keeps what was durable and, at random, some of the rest. */
  private crash(node: SimNode, midWrite = false): void {
    this.trace(`crash ${node.id}${midWrite ? ' in the middle of a write' : node.pending !== null ? ' (losing an unsynced write)' : ''}`);
    // Only the leader of the latest term: a deposed one cut off from the others may still think it leads.
    const raft = node.raw?.raft;
    if (raft?.role === StateRole.Leader && raft.term >= this.latestLeaderTerm && this.leaderLost === null) this.leaderLost = { atUnits: this.now, term: raft.term };
    node.up = false;
    node.raw = null;
    node.storage = null;
    node.disk = node.disk.crash('random');
    node.pending = null;
    node.inbox = [];
    this.stats.crashes++;
    // The others' transports notice its connections close and find its address refusing new ones; a
    // report can be missed (no connection was open) and arrives after the network's delay.
    // A real transport reports only after a probe, begun once the process is gone, is refused: not
    // before what the node sent while it lived has arrived (a report overtaken by the dead leader's last
    // append had the follower take it for its leader again, in a third of the early campaigns).
    for (const other of this.options.reportPeersDown === false ? [] : this.upNodes()) {
      if (this.reportPrng.chance(0.2)) continue;
      let deliverAt = this.now + this.reportPrng.intBetween(1, this.params.maxDelayUnits);
      for (const sent of this.network) if (sent.message.from === node.id && sent.message.to === other.id) deliverAt = Math.max(deliverAt, sent.deliverAt);
      this.peerDownReports.push({ to: other.id, about: node.id, deliverAt });
    }
    if (midWrite) this.stats.crashesMidWrite++;
  }

  /**
   * Run a write to the node's disk; with the seed's mid-write crash rate, the process dies after a random
   * number of its file-system operations (false: it crashed).
   */
  private async write(node: SimNode, action: (storage: DurableStorage) => Promise<unknown>): Promise<boolean> {
    const storage = node.storage;
    if (storage === null) return false;
    if (this.midWriteCrashRate > 0 && this.prng.chance(this.midWriteCrashRate)) node.disk.crashAfterOps = node.disk.ops + this.prng.intBelow(8);
    try {
      await action(storage);
      return true;
    } catch (error) {
      if (!(error instanceof SimulatedCrash)) throw error;
      this.crash(node, true);
      return false;
    } finally {
      node.disk.crashAfterOps = null;
    }
  }

  // ---- the event loop ----

  private async step(): Promise<void> {
    this.now++;
    for (const node of this.nodes.values()) {
      if (!node.up || node.raw === null) continue;
      if (this.now >= node.nextTickAt) {
        node.nextTickAt += node.tickUnits;
        this.guard(node, () => node.raw?.tick());
        if (node.pending !== null && this.params.stepDuringPersist) this.sendEarly(node);
      }
    }
    this.deliverDue();
    this.deliverPeerDownReports();
    for (const node of this.nodes.values()) {
      if (node.pending !== null && node.pending.doneAt <= this.now) await this.completePersist(node);
    }
    for (const node of this.nodes.values()) {
      if (node.up && node.pending === null && node.raw?.hasReady() === true) await this.pollReady(node);
    }
    this.checkMonotonic();
  }

  /** Run core code; a RaftError refusal is an ordinary outcome, anything else propagates. */
  private guard(node: SimNode, action: () => void): void {
    try {
      action();
    } catch (error) {
      if (error instanceof RaftError) {
        this.trace(`node ${node.id} refused: ${error.message}`);
        return;
      }
      throw error;
    }
  }

  /** What is due by now, and the rest (in their order). */
  private splitDue<T extends { readonly deliverAt: number }>(items: readonly T[]): [due: T[], later: T[]] {
    const due: T[] = [];
    const later: T[] = [];
    for (const item of items) (item.deliverAt <= this.now ? due : later).push(item);
    return [due, later];
  }

  private deliverDue(): void {
    const [due, later] = this.splitDue(this.network);
    this.network = later;
    for (const { message: m } of due) this.deliver(m);
  }

  /** Reports whose time has come, about a node still down (a restarted one accepts connections again). */
  private deliverPeerDownReports(): void {
    const [due, later] = this.splitDue(this.peerDownReports);
    this.peerDownReports = later;
    for (const report of due) {
      const node = this.nodes.get(report.to);
      if (node === undefined || !node.up || node.raw === null || this.nodes.get(report.about)?.up !== false) continue;
      this.stats.peerDownReports++;
      this.trace(`node ${report.to} finds node ${report.about} down`);
      const stepIt = (): void => this.guard(node, () => node.raw?.reportPeerDown(report.about));
      if (node.pending === null || this.params.stepDuringPersist) stepIt();
      else node.inbox.push(stepIt);
    }
  }

  private deliver(m: Message): void {
    const node = this.nodes.get(m.to);
    const sender = this.nodes.get(m.from);
    if (node === undefined || !node.up || node.raw === null) {
      if (m.type === MessageType.Snap && sender !== undefined) this.reportSnapshot(sender, m.to, false);
      return;
    }
    this.stats.messagesDelivered++;
    if (this.options.trace !== undefined) this.trace(`deliver ${Simulation.describeMessage(m)}`);
    const stepIt = (): void => this.guard(node, () => node.raw?.step(m));
    if (node.pending === null) stepIt();
    else if (this.params.stepDuringPersist) {
      stepIt();
      this.sendEarly(node);
    } else node.inbox.push(stepIt);
    if (m.type === MessageType.Snap && sender !== undefined) this.reportSnapshot(sender, m.to, true);
  }

  /** While a Ready is being persisted: the messages RawNode lets go early (a leader's, heartbeat answers). */
  private sendEarly(node: SimNode): void {
    const raw = node.raw;
    if (raw === null || !node.up) return;
    const early = raw.takeEarlyMessages();
    if (early.length > 0) this.send(node, early);
  }

  private reportSnapshot(sender: SimNode, to: number, ok: boolean): void {
    const report = (): void => this.guard(sender, () => sender.raw?.reportSnapshot(to, ok));
    if (!sender.up || sender.raw === null) return;
    if (sender.pending !== null) sender.inbox.push(report);
    else report();
  }

  private send(from: SimNode, messages: readonly Message[]): void {
    for (const m of messages) {
      if (this.blocked.has(`${m.from}>${m.to}`) || this.prng.chance(this.lossRate)) {
        if (m.type === MessageType.Snap) this.reportSnapshot(from, m.to, false);
        continue;
      }
      this.network.push({ message: m, deliverAt: this.now + this.prng.intBetween(1, this.params.maxDelayUnits) });
      if (this.prng.chance(this.duplicateRate)) {
        this.network.push({ message: m, deliverAt: this.now + this.prng.intBetween(1, this.params.maxDelayUnits) });
      }
    }
  }

  private async pollReady(node: SimNode): Promise<void> {
    const raw = node.raw;
    if (!node.up || raw === null || node.pending !== null || !raw.hasReady()) return;
    const rd = raw.ready();
    this.observeReady(node, raw, rd);
    const sendNow = rd.sendBeforePersist || this.unsafe.ackBeforePersist === true;
    if (sendNow) this.send(node, rd.messages);
    const needsDisk = rd.mustSync || rd.snapshot !== null || rd.entries.length > 0 || rd.hardState !== null;
    const doneAt = needsDisk ? this.now + this.prng.intBetween(1, this.params.persistUnitsMax) : this.now;
    node.pending = { ready: rd, doneAt, sent: sendNow, needsDisk };
    if (doneAt <= this.now) await this.completePersist(node);
  }

  private observeReady(node: SimNode, raw: RawNode, rd: Ready): void {
    const log = raw.raft.log;
    const termAt = (index: number): number | null => log.termOrNull(index);
    if (rd.softState !== null && rd.softState.role === StateRole.Leader) {
      this.stats.leadersElected++;
      this.latestLeaderTerm = Math.max(this.latestLeaderTerm, raw.raft.term);
      this.trace(`node ${node.id} is leader of term ${raw.raft.term}`);
      if (this.leaderLost !== null && raw.raft.term > this.leaderLost.term) {
        const ticks = (this.now - this.leaderLost.atUnits) / UNITS_PER_TICK;
        this.failoverTicks.push(ticks);
        this.trace(`a leader again ${ticks} ticks after the leader's crash`);
        this.leaderLost = null;
      }
      this.checker.observeLeader(node.id, raw.raft.term);
      this.checker.checkLeaderCompleteness(node.id, raw.raft.term, log.firstIndex(), termAt);
    } else if (raw.raft.role === StateRole.Leader) {
      this.checker.observeLeader(node.id, raw.raft.term);
    }
    this.checker.observeAppend(node.id, rd.entries, termAt);
    if (rd.hardState !== null && rd.hardState.commit > node.lastCommit) {
      const entryAt = (index: number): Entry | null => {
        if (index < log.firstIndex() || index > log.lastIndex()) return null;
        return log.slice(index, index + 1, Number.MAX_SAFE_INTEGER)[0] ?? null;
      };
      this.checker.observeCommit(node.id, node.lastCommit, rd.hardState.commit, entryAt);
      this.stats.entriesCommitted = Math.max(this.stats.entriesCommitted, rd.hardState.commit);
    }
  }

  private async completePersist(node: SimNode): Promise<void> {
    const raw = node.raw;
    const pending = node.pending;
    if (raw === null || pending === null) return;
    const rd = pending.ready;
    if (pending.needsDisk && !(await this.write(node, (storage) => storage.save(rd.hardState, rd.entries, rd.snapshot, rd.mustSync)))) return;
    if (rd.snapshot !== null) {
      node.machine.restore(rd.snapshot);
      this.stats.snapshotsInstalled++;
      this.trace(`node ${node.id} installed snapshot at ${rd.snapshot.metadata.index}`);
    }
    if (!pending.sent) this.send(node, rd.messages);
    for (const entry of rd.committedEntries) this.applyEntry(node, entry);
    for (const readState of rd.readStates) this.checkRead(node, readState.index, readState.requestCtx);
    raw.advance(rd);
    node.pending = null;
    if (!(await this.maybeCompact(node, raw))) return;
    const inbox = node.inbox;
    node.inbox = [];
    for (const action of inbox) {
      if (node.raw === null) break;
      action();
    }
  }

  private applyEntry(node: SimNode, entry: Entry): void {
    this.checker.observeApply(node.id, entry);
    node.machine.apply(entry);
    if (entry.type !== EntryType.ConfChange) return;
    const cc = decodeConfChange(entry.data);
    if (cc.type === ConfChangeType.RemoveNode) this.removalAppliedAt.set(cc.nodeId, this.now);
    // Membership is tracked in log order, once per entry, whichever node applies it first.
    if (entry.index <= this.membershipIndex) return;
    this.membershipIndex = entry.index;
    if (cc.type === ConfChangeType.RemoveNode && !this.removed.has(cc.nodeId)) {
      this.removed.add(cc.nodeId);
      this.stats.confChangesApplied++;
      this.trace(`node ${cc.nodeId} removed`);
    } else if (cc.type !== ConfChangeType.RemoveNode) {
      this.removed.delete(cc.nodeId);
      this.stats.confChangesApplied++;
    }
  }

  private checkRead(node: SimNode, index: number, requestCtx: number): void {
    const read = this.pendingReads.get(requestCtx);
    if (read === undefined) return;
    this.pendingReads.delete(requestCtx);
    if (index < read.minIndex) {
      throw new SafetyViolation(`stale read: node ${node.id} got read index ${index}, but ${read.minIndex} was committed before the read began`);
    }
    this.stats.readsServed++;
  }

  /** Snapshot the machine and compact the log now and then; false if the node crashed doing it. */
  private async maybeCompact(node: SimNode, raw: RawNode): Promise<boolean> {
    const storage = node.storage;
    if (storage === null) return false;
    const applied = node.machine.applied;
    if (applied - storage.firstIndex() + 1 < this.params.compactEvery) return true;
    if (applied <= storage.snapshot().metadata.index || applied > storage.lastIndex()) return true;
    const entriesKept = this.prng.intBetween(0, 5);
    return this.write(node, (s) => s.createSnapshot(applied, raw.confState(), node.machine.encode(), entriesKept));
  }

  private checkMonotonic(): void {
    for (const node of this.nodes.values()) {
      const raw = node.raw;
      if (raw === null) continue;
      const { term, log } = raw.raft;
      if (term < node.lastTerm) throw new SafetyViolation(`node ${node.id} term went back from ${node.lastTerm} to ${term}`);
      if (log.committed < node.lastCommit) throw new SafetyViolation(`node ${node.id} commit went back from ${node.lastCommit} to ${log.committed}`);
      if (log.applied < node.lastApplied) throw new SafetyViolation(`node ${node.id} applied went back from ${node.lastApplied} to ${log.applied}`);
      if (log.applied > log.committed) throw new SafetyViolation(`node ${node.id} applied ${log.applied} past commit ${log.committed}`);
      node.lastTerm = term;
      node.lastCommit = log.committed;
      node.lastApplied = log.applied;
    }
  }

  // ---- faults and client operations ----

  private upNodes(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.up && n.raw !== null);
  }

  private leader(): SimNode | null {
    let best: SimNode | null = null;
    for (const node of this.upNodes()) {
      const raw = node.raw as RawNode;
      if (raw.raft.role !== StateRole.Leader) continue;
      if (best === null || raw.raft.term > (best.raw as RawNode).raft.term) best = node;
    }
    return best;
  }

  private async injectFaults(): Promise<void> {
    const p = this.prng;
    const up = this.upNodes();
    if (up.length === 0) return;
    if (p.chance(0.15)) this.propose(p.pick(up), `p${this.nextRequest++}`);
    if (p.chance(0.05)) this.read(p.pick(up));
    if (p.chance(1 / 900)) this.crash(p.pick(up));
    for (const node of this.nodes.values()) {
      if (!node.up && !this.removed.has(node.id) && p.chance(1 / 250)) {
        this.trace(`restart ${node.id}`);
        await this.boot(node);
      }
    }
    if (p.chance(1 / 1200)) this.partition();
    if (this.blocked.size > 0 && p.chance(1 / 600)) {
      this.trace('heal partitions');
      this.blocked.clear();
    }
    if (p.chance(1 / 2500)) this.transfer();
    if (p.chance(1 / 1500)) await this.changeMembership();
  }

  private propose(node: SimNode, data: string): void {
    this.stats.proposals++;
    this.guard(node, () => node.raw?.propose(new TextEncoder().encode(data)));
  }

  private read(node: SimNode): void {
    let minIndex = this.checker.committedMax;
    for (const other of this.upNodes()) minIndex = Math.max(minIndex, (other.raw as RawNode).raft.log.committed);
    const ctx = this.nextRequest++;
    this.pendingReads.set(ctx, { node: node.id, minIndex });
    this.guard(node, () => node.raw?.readIndex(ctx));
  }

  private partition(): void {
    const ids = [...this.nodes.keys()];
    this.stats.partitions++;
    if (this.prng.chance(0.5)) {
      const side = new Set(ids.filter(() => this.prng.chance(0.5)));
      for (const a of ids) for (const b of ids) if (side.has(a) !== side.has(b)) this.blocked.add(`${a}>${b}`);
      this.trace(`partition {${[...side].join(',')}} from the rest`);
    } else {
      const from = this.prng.pick(ids);
      const to = this.prng.pick(ids);
      if (from !== to) this.blocked.add(`${from}>${to}`);
      this.trace(`drop messages ${from} -> ${to}`);
    }
  }

  private transfer(): void {
    const leader = this.leader();
    if (leader === null) return;
    const target = this.prng.pick([...this.nodes.keys()]);
    this.stats.transfers++;
    this.trace(`transfer leadership ${leader.id} -> ${target}`);
    this.guard(leader, () => leader.raw?.transferLeader(target));
  }

  private async changeMembership(): Promise<void> {
    const leader = this.leader();
    if (leader === null) return;
    const raw = leader.raw as RawNode;
    const { voters, learners } = raw.confState();
    const p = this.prng;
    const choice = p.intBelow(3);
    if (choice === 0 && voters.length > 3) {
      const target = p.pick(voters);
      this.trace(`propose remove ${target}`);
      this.guard(leader, () => raw.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: target }));
    } else if (choice === 1 && learners.length > 0 && voters.length < 5) {
      const target = p.pick(learners);
      const progress = raw.status().progress.get(target);
      if (progress === undefined || progress.match + 10 < raw.raft.log.lastIndex()) return;
      this.trace(`propose promote ${target}`);
      this.guard(leader, () => raw.proposeConfChange({ type: ConfChangeType.AddVoter, nodeId: target }));
    } else if (choice === 2) {
      const members = new Set([...voters, ...learners]);
      const candidates = Array.from({ length: this.maxNodeId }, (_, i) => i + 1).filter((id) => !members.has(id) && this.reusable(id));
      if (candidates.length === 0) return;
      const target = p.pick(candidates);
      const existing = this.nodes.get(target);
      // A node id is reused only with a fresh, empty disk, as an operator would.
      if (existing === undefined || !existing.up) await this.startNewNode(target, null);
      this.trace(`propose add learner ${target}`);
      this.guard(leader, () => raw.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: target }));
    }
  }

  /**
   * An id removed from the cluster is given to a fresh, empty node only once no live node still counts
   * it a member and every message sent to it before that has arrived: a leader's heartbeat from before
   * its removal carries a commit index the empty node's log cannot hold (etcd's raft panics on it too;
   * operators, and scripts/cluster add, never reuse an id).
   */
  private reusable(id: number): boolean {
    const removedAt = this.removalAppliedAt.get(id);
    if (removedAt !== undefined && this.now <= removedAt + this.params.maxDelayUnits) return false;
    for (const node of this.nodes.values()) {
      if (!node.up || node.raw === null) continue;
      const { voters, learners } = node.raw.confState();
      if (voters.includes(id) || learners.includes(id)) return false;
    }
    return true;
  }

  // ---- liveness ----

  private async heal(): Promise<void> {
    this.trace('heal: no more faults');
    // Failovers are measured within the fault phase only: from here every node is restarted and the network is whole.
    this.leaderLost = null;
    this.blocked.clear();
    this.lossRate = 0;
    this.duplicateRate = 0;
    this.midWriteCrashRate = 0;
    for (const node of this.nodes.values()) if (!node.up && !this.removed.has(node.id)) await this.boot(node);
  }

  private async runLiveness(): Promise<void> {
    const start = this.now;
    const budgetUnits = LIVENESS_ELECTIONS_MAX * this.params.electionTicks * UNITS_PER_TICK;
    const marker = `live-${this.options.seed}`;
    let proposedAt = -Infinity;
    while (this.now - start < budgetUnits) {
      await this.step();
      // A member may be added back (a committed AddLearner) only after the heal: start it too.
      for (const node of this.nodes.values()) if (!node.up && !this.removed.has(node.id)) await this.boot(node);
      const leader = this.leader();
      if (leader === null) continue;
      if (this.markerAppliedEverywhere(leader, marker)) {
        this.stats.livenessTicks = Math.ceil((this.now - start) / UNITS_PER_TICK);
        return;
      }
      if (this.now - proposedAt > 4 * this.params.electionTicks * UNITS_PER_TICK) {
        proposedAt = this.now;
        this.propose(leader, marker);
      }
    }
    throw new LivenessFailure(`no leader committed a fresh entry on every member within ${budgetUnits / UNITS_PER_TICK} ticks after healing; ${this.describeCluster()}`);
  }

  private markerAppliedEverywhere(leader: SimNode, marker: string): boolean {
    const raw = leader.raw as RawNode;
    let markerIndex = 0;
    for (let index = raw.raft.log.committed; index > 0 && markerIndex === 0; index--) {
      const entry = this.checker.committedEntry(index);
      if (entry === undefined) break;
      if (entry.data === marker) markerIndex = index;
    }
    if (markerIndex === 0) return false;
    const { voters, learners } = raw.confState();
    for (const id of [...voters, ...learners]) {
      const node = this.nodes.get(id);
      if (node === undefined || node.raw === null || node.machine.applied < markerIndex) return false;
    }
    return true;
  }

  private describeCluster(): string {
    const parts: string[] = [];
    for (const node of this.nodes.values()) {
      const raw = node.raw;
      if (raw === null) {
        parts.push(`${node.id}: down`);
        continue;
      }
      const st = raw.status();
      const progress = [...st.progress].map(([id, p]) => `${id}:${p.state}/${p.match}/${p.next}${p.recentActive ? '' : '(inactive)'}`).join(' ');
      parts.push(`${node.id}: ${st.role} term ${st.term} lead ${st.lead} commit ${st.commit} applied ${st.applied} last ${st.lastIndex} first ${st.firstIndex} conf ${JSON.stringify(st.confState)}${progress === '' ? '' : ` progress ${progress}`}`);
    }
    return parts.join('; ');
  }

  /** One message on one line, for traces. */
  static describeMessage(m: Message): string {
    return `${MessageType[m.type]} ${m.from}->${m.to} term ${m.term} index ${m.index} entries ${m.entries.length} commit ${m.commit}${m.reject ? ' reject' : ''}`;
  }
}

export function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  return new Simulation(options).run();
}

