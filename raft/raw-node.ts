import { assert } from './assert.js';
import type { RaftConfig } from './config.js';
import { RaftError } from './errors.js';
import type { ProgressState } from './progress.js';
import { Raft } from './raft.js';
import type { Storage } from './storage.js';
import {
  emptyHardState,
  encodeConfChange,
  EntryType,
  hardStateEqual,
  localMessageTypes,
  message,
  MessageType,
  NONE,
  StateRole,
} from './types.js';
import type { ConfChange, ConfState, HardState, Message, Ready, Snapshot, SoftState } from './types.js';

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly isLearner: boolean;
  readonly recentActive: boolean;
}

export interface RaftStatus {
  readonly id: number;
  readonly term: number;
  readonly vote: number;
  readonly lead: number;
  readonly role: StateRole;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly leadTransferee: number;
  readonly confState: ConfState;
  /** Only on the leader. */
  readonly progress: ReadonlyMap<number, ProgressStatus>;
}

/**
 * The synchronous API over the core. The host calls tick/step/propose, then drains `ready()`,
 * persists and sends and applies what it says, and calls `advance()` before the next `ready()`.
 * Membership changes take effect in `advance()` as their entries are applied; a host that snapshots
 * right after `advance()` pairs its state with `confState()`.
 */
export class RawNode {
  readonly raft: Raft;
  private prevSoftState: SoftState;
  private prevHardState: HardState;
  private readyOutstanding = false;

  constructor(config: RaftConfig, storage: Storage) {
    this.raft = new Raft(config, storage);
    this.prevSoftState = this.softState();
    this.prevHardState = storage.initialState().hardState;
  }

  tick(): void {
    this.raft.tick();
  }

  campaign(): void {
    this.raft.step(message({ type: MessageType.Hup, from: this.raft.id }));
  }

  /** Propose data; throws a retriable RaftError if it cannot be accepted now. */
  propose(data: Uint8Array): void {
    this.raft.step(message({ type: MessageType.Prop, from: this.raft.id, entries: [{ term: 0, index: 0, type: EntryType.Normal, data }] }));
  }

  proposeConfChange(cc: ConfChange): void {
    const entry = { term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) };
    this.raft.step(message({ type: MessageType.Prop, from: this.raft.id, entries: [entry] }));
  }

  /** Step a message received from a peer. Local message types are refused. */
  step(m: Message): void {
    if (localMessageTypes.has(m.type)) throw new RaftError('StepLocalMessage', `peer message of local type ${MessageType[m.type]}`);
    this.raft.step(m);
  }

  /** Ask for a linearizable read point; it arrives as a ReadState carrying `requestCtx`. */
  readIndex(requestCtx: number): void {
    this.raft.step(message({ type: MessageType.ReadIndex, from: this.raft.id, context: requestCtx }));
  }

  transferLeader(transferee: number): void {
    this.raft.step(message({ type: MessageType.TransferLeader, from: transferee }));
  }

  reportUnreachable(id: number): void {
    this.raft.step(message({ type: MessageType.Unreachable, from: id }));
  }

  /** No process listens at the peer's address: if it was this follower's leader, campaign soon (see Raft). */
  reportPeerDown(id: number): void {
    this.raft.step(message({ type: MessageType.PeerDown, from: id }));
  }

  reportSnapshot(id: number, ok: boolean): void {
    this.raft.step(message({ type: MessageType.SnapStatus, from: id, reject: !ok }));
  }

  private softState(): SoftState {
    return { lead: this.raft.lead, role: this.raft.role };
  }

  private hardState(): HardState {
    return { term: this.raft.term, vote: this.raft.vote, commit: this.raft.log.committed };
  }

  /** The snapshot from a leader that the core has taken and not yet handed over in a Ready, if any. */
  pendingSnapshot(): Snapshot | null {
    return this.raft.log.unstable.snapshot;
  }

  hasReady(): boolean {
    const r = this.raft;
    const soft = this.softState();
    if (soft.lead !== this.prevSoftState.lead || soft.role !== this.prevSoftState.role) return true;
    const hs = this.hardState();
    if (!hardStateEqual(hs, emptyHardState) && !hardStateEqual(hs, this.prevHardState)) return true;
    if (r.log.unstable.snapshot !== null) return true;
    return r.msgs.length > 0 || r.log.unstable.entries.length > 0 || r.log.hasNextCommittedEntries() || r.readStates.length > 0;
  }

  ready(): Ready {
    assert(!this.readyOutstanding, 'ready() called again before advance()');
    const r = this.raft;
    const soft = this.softState();
    const hs = this.hardState();
    const softChanged = soft.lead !== this.prevSoftState.lead || soft.role !== this.prevSoftState.role;
    const hardChanged = !hardStateEqual(hs, this.prevHardState);
    const termOrVoteChanged = hs.term !== this.prevHardState.term || hs.vote !== this.prevHardState.vote;
    const entries = r.log.unstableEntries();
    const rd: Ready = {
      softState: softChanged ? soft : null,
      hardState: hardChanged ? hs : null,
      entries,
      snapshot: r.log.unstable.snapshot,
      committedEntries: r.log.nextCommittedEntries(),
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: termOrVoteChanged || entries.length > 0,
      sendBeforePersist: r.role === StateRole.Leader && !termOrVoteChanged,
    };
    r.msgs = [];
    r.readStates = [];
    if (softChanged) this.prevSoftState = soft;
    this.readyOutstanding = true;
    return rd;
  }

  /**
   * Messages that may go out now, while the host is still persisting an earlier Ready (a slow disk),
   * instead of waiting for the next Ready: a leader's messages (it may send before its own write, and it
   * counts its own log only once persisted), and a follower's heartbeat answers (they acknowledge no
   * entries). Nothing until the current term and vote are persisted: a message of a term not yet on
   * disk must not leave.
   */
  takeEarlyMessages(): Message[] {
    const r = this.raft;
    if (r.msgs.length === 0 || r.term !== this.prevHardState.term || r.vote !== this.prevHardState.vote) return [];
    if (r.role === StateRole.Leader) {
      const msgs = r.msgs;
      r.msgs = [];
      return msgs;
    }
    if (r.role !== StateRole.Follower) return [];
    const early = r.msgs.filter((m) => m.type === MessageType.HeartbeatResp);
    if (early.length > 0) r.msgs = r.msgs.filter((m) => m.type !== MessageType.HeartbeatResp);
    return early;
  }

  /** The host has persisted, sent and applied everything in `rd`. */
  advance(rd: Ready): void {
    assert(this.readyOutstanding, 'advance() without a ready()');
    this.readyOutstanding = false;
    const r = this.raft;
    if (rd.hardState !== null) this.prevHardState = rd.hardState;
    const lastEntry = rd.entries[rd.entries.length - 1];
    if (lastEntry !== undefined) r.log.stableTo(lastEntry.index, lastEntry.term);
    if (rd.snapshot !== null) {
      r.log.stableSnapshotTo(rd.snapshot.metadata.index);
      r.log.appliedTo(rd.snapshot.metadata.index);
    }
    const lastCommitted = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastCommitted !== undefined) {
      r.log.appliedTo(lastCommitted.index);
      r.onCommittedEntriesDelivered(rd.committedEntries);
      // Membership changes take effect as they are applied, identically on every node.
      for (const entry of rd.committedEntries) if (entry.type === EntryType.ConfChange) r.applyConfChange(entry.data);
    }
    r.onPersisted();
  }

  confState(): ConfState {
    return this.raft.tracker.confState();
  }

  status(): RaftStatus {
    const r = this.raft;
    const progress = new Map<number, ProgressStatus>();
    if (r.role === StateRole.Leader) {
      for (const [id, pr] of r.tracker.progress) {
        progress.set(id, { match: pr.match, next: pr.next, state: pr.state, isLearner: pr.isLearner, recentActive: pr.recentActive });
      }
    }
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      lead: r.lead,
      role: r.role,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      firstIndex: r.log.firstIndex(),
      leadTransferee: r.leadTransferee,
      confState: r.tracker.confState(),
      progress,
    };
  }

  isLeader(): boolean {
    return this.raft.role === StateRole.Leader && this.raft.lead === this.raft.id;
  }

  leader(): number {
    return this.raft.lead === NONE ? NONE : this.raft.lead;
  }
}
