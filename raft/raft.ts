import { assert } from './assert.js';
import { resolveConfig } from './config.js';
import type { RaftConfig, ResolvedRaftConfig } from './config.js';
import { LogCompactedError, LogDivergedError, LogLostError, RaftError, SnapshotTemporarilyUnavailableError } from './errors.js';
import { ProgressState } from './progress.js';
import type { Progress } from './progress.js';
import { ProgressTracker } from './progress-tracker.js';
import { VoteResult } from './quorum.js';
import { RaftLog } from './raft-log.js';
import { ReadOnly } from './read-only.js';
import type { Storage } from './storage.js';
import {
  CAMPAIGN_TRANSFER,
  decodeConfChange,
  entriesBytes,
  EntryType,
  message,
  MessageType,
  NONE,
  StateRole,
} from './types.js';
import type { ConfChange, ConfState, Entry, Message, ReadState, Snapshot } from './types.js';

const MAX_SAFE_INDEX = Number.MAX_SAFE_INTEGER - 1;
/** A snapshot that neither succeeds nor fails within this many election timeouts is sent again. */
const SNAPSHOT_TIMEOUT_ELECTIONS = 10;
/**
 * A probe sent again from the same index (the follower in Probe has not answered the last one) carries
 * at most this many bytes of entries (always at least one entry). A follower writing a snapshot it just
 * received answered a joiner's first probe after about 300 ms, and the same 1 MB probe went three times
 * more meanwhile (docs/bench-runs/2026-12-04-s37-probes/). A first probe from an index is full size: on
 * a lossy link each lost append starts a probe, and a cap on every probe slowed a catch-up by half.
 */
const PROBE_RESEND_BYTES_MAX = 64 * 1024;

/**
 * After its leader is reported down, a follower still ignores candidates until this many ticks after it
 * last heard from that leader. The leader's lease (RaftNode, LeaderLease) lasts half the minimum
 * election timeout from the start of a round this follower acknowledged after that start; the k-th tick
 * after hearing from the leader comes more than k - 1 tick intervals later, so ignoring candidates until
 * tick ceil(E/2) + 2 outlasts the lease by more than a whole tick, however wrong the report.
 */
function leaderDownLeaseTicks(electionTicks: number): number {
  return Math.ceil(electionTicks / 2) + 2;
}

/** How many ticks apart the voters left by a leader that is down take their turns to campaign. */
function leaderDownSpacingTicks(electionTicks: number): number {
  return Math.max(1, Math.floor(electionTicks / 2));
}

/**
 * The pure Raft state machine. It does no I/O and reads no clock: time moves by `tick()`, input
 * arrives through `step()`, and output accumulates in `msgs` and `readStates` for the host to drain.
 */
export class Raft {
  readonly id: number;
  readonly config: ResolvedRaftConfig;
  term = 0;
  vote = NONE;
  lead = NONE;
  role = StateRole.Follower;
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  leadTransferee = NONE;
  /** Index of the last conf change the leader appended; a new one waits until it is applied. */
  pendingConfIndex = 0;
  uncommittedBytes = 0;
  private electionElapsed = 0;
  private startupLeaseTicks = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTicks = 0;
  /** Ticks since this node last heard from a leader (an append, a heartbeat, a snapshot). */
  private ticksSinceLeader = 0;
  /**
   * Set when this follower learned that its leader's process is gone (PeerDown): from this many ticks
   * after it last heard from that leader it campaigns at every tick, until it hears from a leader or
   * two election timeouts after its turn. Null otherwise.
   */
  private leaderDownTurn: number | null = null;
  /** The leader reported down, and the term it led (while leaderDownTurn is set). */
  private downLeader = NONE;
  private downTerm = 0;
  private readonly readOnly: ReadOnly;

  constructor(config: RaftConfig, storage: Storage) {
    this.config = resolveConfig(config);
    this.id = this.config.id;
    this.log = new RaftLog(storage, this.config.maxApplyBytes);
    this.tracker = new ProgressTracker(this.config.maxInflightMsgs, this.config.maxInflightBytes);
    this.readOnly = new ReadOnly(this.config.maxPendingReads);
    const { hardState, confState } = storage.initialState();
    this.tracker.restore(confState, this.log.lastIndex() + 1);
    if (hardState.term !== 0 || hardState.vote !== NONE || hardState.commit !== 0) {
      assert(hardState.commit >= this.log.committed && hardState.commit <= this.log.lastIndex(), `hard state commit ${hardState.commit} outside [${this.log.committed}, ${this.log.lastIndex()}]`);
      this.log.committed = hardState.commit;
      this.term = hardState.term;
      this.vote = hardState.vote;
    }
    if (this.config.applied > this.log.committed) {
      // The host applied entries whose commit index it had not persisted yet (commit-only hard states
      // are written lazily). Applied entries were committed, so the commit index may move up to them.
      // Applied entries were persisted before they were applied: a log that ends before them lost them.
      if (this.config.applied > this.log.lastIndex()) throw new LogLostError(`the state machine has applied entry ${this.config.applied} but the log ends at ${this.log.lastIndex()}`);
      this.log.committed = this.config.applied;
    }
    if (this.config.applied > this.log.applied) this.restoreAppliedConfChanges(this.config.applied);
    this.becomeFollower(this.term, NONE);
    // A node restarting into a cluster that has had a leader does not know whether it acknowledged
    // that leader moments ago; it behaves as if it had, ignoring candidates for one election timeout,
    // so a restart cannot cut short a lease the leader holds on its acknowledgement.
    if (this.config.checkQuorum && hardState.term > 1) this.startupLeaseTicks = this.config.electionTicks;
  }

  /** The host already applied up to `applied`: replay the membership changes it contains. */
  private restoreAppliedConfChanges(applied: number): void {
    assert(applied <= this.log.committed, `config.applied ${applied} is past the commit index ${this.log.committed}`);
    for (const entry of this.log.slice(this.log.applied + 1, applied + 1, Number.MAX_SAFE_INTEGER)) {
      if (entry.type === EntryType.ConfChange) this.tracker.apply(decodeConfChange(entry.data), this.log.lastIndex() + 1);
    }
    this.log.appliedTo(applied);
  }

  // ---- role transitions ----

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTicks = this.config.electionTicks + this.config.random.intBelow(this.config.electionTicks);
    this.leadTransferee = NONE;
    this.tracker.votes.clear();
    const next = this.log.lastIndex() + 1;
    for (const [id, pr] of this.tracker.progress) {
      pr.becomeProbe();
      pr.match = id === this.id ? this.log.persistedIndex() : 0;
      pr.next = next;
      pr.recentActive = id === this.id;
    }
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly.reset();
  }

  becomeFollower(term: number, lead: number): void {
    this.reset(term);
    this.lead = lead;
    this.role = StateRole.Follower;
    if (lead !== NONE) this.ticksSinceLeader = 0;
  }

  private becomePreCandidate(): void {
    assert(this.role !== StateRole.Leader, 'a leader cannot become a pre-candidate');
    // PreVote does not change the term or the vote: a failed pre-election disturbs nobody.
    this.tracker.votes.clear();
    this.lead = NONE;
    this.role = StateRole.PreCandidate;
  }

  private becomeCandidate(): void {
    assert(this.role !== StateRole.Leader, 'a leader cannot become a candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = StateRole.Candidate;
  }

  private becomeLeader(): void {
    assert(this.role !== StateRole.Follower, 'a follower cannot become leader without an election');
    this.leaderDownTurn = null;
    this.reset(this.term);
    this.lead = this.id;
    this.role = StateRole.Leader;
    const self = this.tracker.progress.get(this.id);
    if (self !== undefined) self.becomeReplicate();
    // Conf changes from earlier terms may be unapplied; block new ones until they are.
    this.pendingConfIndex = this.log.lastIndex();
    const appended = this.appendEntries([{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }]);
    assert(appended, 'a new leader must be able to append its empty entry');
  }

  // ---- time ----

  tick(): void {
    if (this.role === StateRole.Leader) this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.startupLeaseTicks > 0) this.startupLeaseTicks--;
    this.ticksSinceLeader++;
    // A leader was heard from, or the hurry is over: randomized election timeouts only.
    if (this.leaderDownTurn !== null && (this.lead !== NONE || this.ticksSinceLeader >= this.leaderDownTurn + 2 * this.config.electionTicks)) this.leaderDownTurn = null;
    const hurry = this.leaderDownTurn !== null && this.leaderDownTurnCame(this.leaderDownTurn);
    if (!this.promotable() || !(hurry || this.electionElapsed >= this.randomizedElectionTicks)) return;
    // Without PreVote each campaign raises the term: one in a hurry, then randomized timeouts.
    if (hurry && !this.config.preVote) this.leaderDownTurn = null;
    this.electionElapsed = 0;
    this.step(message({ type: MessageType.Hup, from: this.id }));
  }

  /**
   * In a hurry after a leader reported down, its turn has come: a follower or pre-candidate campaigns
   * (again: a pre-vote ignored by a voter that has not seen the refusal yet). A candidate waits a full
   * timeout for its votes (voters write them to disk), and so does a follower that has given its vote
   * to another candidate in this term.
   */
  private leaderDownTurnCame(turn: number): boolean {
    const votedForAnother = this.vote !== NONE && this.vote !== this.id && !(this.vote === this.downLeader && this.term === this.downTerm);
    return this.ticksSinceLeader >= turn && this.role !== StateRole.Candidate && !votedForAnother;
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum) this.step(message({ type: MessageType.CheckQuorum, from: this.id }));
      if (this.role === StateRole.Leader && this.leadTransferee !== NONE) this.leadTransferee = NONE;
    }
    if (this.role !== StateRole.Leader) return;
    this.tickProgressBackstops();
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.step(message({ type: MessageType.Beat, from: this.id }));
    }
  }

  /**
   * Messages can vanish without a report from the transport. A snapshot that neither succeeds nor
   * fails, or a replication window that gets no acknowledgement for an election timeout, falls back
   * to probing so the follower is found again.
   */
  private tickProgressBackstops(): void {
    const snapshotLimit = SNAPSHOT_TIMEOUT_ELECTIONS * this.config.electionTicks;
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      pr.ticksSinceProbe++;
      if (pr.state === ProgressState.Snapshot && ++pr.snapshotTicks > snapshotLimit) {
        pr.pendingSnapshot = 0;
        pr.becomeProbe();
      } else if (pr.state === ProgressState.Replicate && pr.inflights.count > 0) {
        if (++pr.stalledTicks >= 2 * this.config.electionTicks) pr.becomeProbe();
      }
    }
  }

  /** A node may campaign only if it is a voter in its own config and is not installing a snapshot. */
  promotable(): boolean {
    return this.tracker.isVoter(this.id) && this.log.unstable.snapshot === null;
  }

  // ---- input ----

  step(m: Message): void {
    if (m.term > this.term) {
      if (!this.stepHigherTerm(m)) return;
    } else if (m.term !== 0 && m.term < this.term) {
      this.stepLowerTerm(m);
      return;
    }
    switch (m.type) {
      case MessageType.Hup:
        this.hup(m.context === CAMPAIGN_TRANSFER);
        return;
      case MessageType.PeerDown:
        this.leaderDown(m.from);
        return;
      case MessageType.Vote:
      case MessageType.PreVote:
        this.handleVoteRequest(m);
        return;
      default:
        if (this.role === StateRole.Leader) this.stepLeader(m);
        else if (this.role === StateRole.Follower) this.stepFollower(m);
        else this.stepCandidate(m);
    }
  }

  /** Returns false if the message must be ignored. */
  private stepHigherTerm(m: Message): boolean {
    if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
      const force = m.context === CAMPAIGN_TRANSFER;
      const inLease =
        this.config.checkQuorum &&
        ((this.lead !== NONE && this.electionElapsed < this.config.electionTicks) ||
          // A leader reported down may still hold a lease on this node's acknowledgement (see leaderDownLeaseTicks).
          (this.leaderDownTurn !== null && this.ticksSinceLeader < leaderDownLeaseTicks(this.config.electionTicks)) ||
          this.startupLeaseTicks > 0);
      // A follower that heard from a live leader recently ignores candidates: they cannot disrupt it.
      if (!force && inLease) return false;
    }
    if (m.type === MessageType.PreVote) return true;
    if (m.type === MessageType.PreVoteResp && !m.reject) return true;
    const fromLeader = m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap;
    this.becomeFollower(m.term, fromLeader ? m.from : NONE);
    return true;
  }

  private stepLowerTerm(m: Message): void {
    if ((this.config.checkQuorum || this.config.preVote) && (m.type === MessageType.Heartbeat || m.type === MessageType.App)) {
      // Tell a stale leader about our term so it steps down; with PreVote it could not learn it otherwise.
      this.send(message({ type: MessageType.AppResp, to: m.from }));
    } else if (m.type === MessageType.PreVote) {
      this.send(message({ type: MessageType.PreVoteResp, to: m.from, term: this.term, reject: true }));
    }
  }

  private handleVoteRequest(m: Message): void {
    const respType = m.type === MessageType.Vote ? MessageType.VoteResp : MessageType.PreVoteResp;
    const canVote =
      this.vote === m.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (m.type === MessageType.PreVote && m.term > this.term);
    const logOk = this.config.unsafe.voteWithoutLogCheck === true || this.log.isUpToDate(m.index, m.logTerm);
    if (canVote && logOk) {
      // The response carries the candidate's term, so a granted pre-vote counts in its future term.
      this.send(message({ type: respType, to: m.from, term: m.term }));
      if (m.type === MessageType.Vote) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send(message({ type: respType, to: m.from, term: this.term, reject: true }));
    }
  }

  private hup(transfer: boolean): void {
    if (this.role === StateRole.Leader || !this.promotable()) return;
    if (this.hasUnappliedConfChanges()) return;
    if (this.config.preVote && !transfer) this.campaign(true, false);
    else this.campaign(false, transfer);
  }

  /**
   * The transport found no process listening at `id`'s address (a connection to it was refused). If `id`
   * is this follower's leader, the leader is most likely gone, not slow or cut off, and waiting out a
   * randomized election timeout only delays the next leader. The follower forgets its leader and
   * campaigns as soon as the leader's lease must be over: the remaining voters take turns by ID, the
   * lowest `leaderDownLeaseTicks` ticks after it last heard from the leader, each next one
   * `leaderDownSpacingTicks` later, so that survivors who all see the refusal at about the same moment do
   * not split the vote. Until `leaderDownLeaseTicks` it still ignores other candidates.
   *
   * Safety does not depend on the report being right (a firewall may refuse new connections to a live
   * leader while established ones still carry its heartbeats): no timing affects Raft's safety, and the
   * leader's lease, which does depend on followers ignoring candidates for a while after acknowledging
   * it, is outlasted (leaderDownLeaseTicks). A follower that hears from the leader again is back to normal.
   */
  private leaderDown(id: number): void {
    if (this.role !== StateRole.Follower || this.lead !== id || id === NONE || !this.promotable()) return;
    const others = [...this.tracker.voters].filter((v) => v !== id).sort((a, b) => a - b);
    const rank = others.indexOf(this.id);
    this.lead = NONE;
    this.downLeader = id;
    this.downTerm = this.term;
    // Without PreVote a vote ignored by a voter still in its lease is lost for the term: one tick later,
    // the others' leases (counted from about the same heartbeat) are over too.
    const lag = this.config.preVote ? 0 : 1;
    this.leaderDownTurn = leaderDownLeaseTicks(this.config.electionTicks) + lag + rank * leaderDownSpacingTicks(this.config.electionTicks);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    const pending = this.log.slice(this.log.applied + 1, this.log.committed + 1, Number.MAX_SAFE_INTEGER);
    return pending.some((e) => e.type === EntryType.ConfChange);
  }

  private campaign(pre: boolean, transfer: boolean): void {
    let term: number;
    let voteType: MessageType;
    if (pre) {
      this.becomePreCandidate();
      voteType = MessageType.PreVote;
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = MessageType.Vote;
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes() === VoteResult.Won) {
      if (pre) this.campaign(false, transfer);
      else this.becomeLeader();
      return;
    }
    for (const id of [...this.tracker.voters].sort((a, b) => a - b)) {
      if (id === this.id) continue;
      this.send(
        message({
          type: voteType,
          to: id,
          term,
          index: this.log.lastIndex(),
          logTerm: this.log.lastTerm(),
          context: transfer ? CAMPAIGN_TRANSFER : 0,
        }),
      );
    }
  }

  // ---- leader ----

  private stepLeader(m: Message): void {
    switch (m.type) {
      case MessageType.Beat:
        this.bcastHeartbeat(this.readOnly.inflightCtx());
        return;
      case MessageType.CheckQuorum:
        this.checkQuorum();
        return;
      case MessageType.Prop:
        this.leaderPropose(m);
        return;
      case MessageType.ReadIndex:
        this.leaderReadIndex(m);
        return;
      case MessageType.TransferLeader:
        this.leaderTransfer(m.from);
        return;
      default:
        break;
    }
    const pr = this.tracker.progress.get(m.from);
    if (pr === undefined) return;
    switch (m.type) {
      case MessageType.AppResp:
        this.handleAppendResponse(m, pr);
        return;
      case MessageType.HeartbeatResp:
        this.handleHeartbeatResponse(m, pr);
        return;
      case MessageType.SnapStatus:
        if (pr.state !== ProgressState.Snapshot) return;
        if (m.reject) pr.pendingSnapshot = 0;
        pr.becomeProbe();
        // Wait for a heartbeat response before probing, rather than resending at once.
        pr.probeSent = true;
        return;
      case MessageType.Unreachable:
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        return;
      default:
        return;
    }
  }

  private checkQuorum(): void {
    const self = this.tracker.progress.get(this.id);
    if (self !== undefined) self.recentActive = true;
    if (!this.tracker.quorumActive()) {
      this.becomeFollower(this.term, NONE);
      return;
    }
    for (const [id, pr] of this.tracker.progress) if (id !== this.id) pr.recentActive = false;
  }

  private leaderPropose(m: Message): void {
    assert(m.entries.length > 0, 'a proposal must carry entries');
    const local = m.from === this.id || m.from === NONE;
    const refuse = (code: 'ProposalDropped' | 'TransferInProgress' | 'ConfChangePending' | 'InvalidConfChange' | 'UncommittedLogFull', why: string): void => {
      if (local) throw new RaftError(code, why);
    };
    if (!this.tracker.progress.has(this.id)) return refuse('ProposalDropped', `leader ${this.id} was removed from the cluster`);
    if (this.leadTransferee !== NONE) return refuse('TransferInProgress', `leadership is moving to ${this.leadTransferee}`);
    let confIndex = 0;
    for (let i = 0; i < m.entries.length; i++) {
      const entry = m.entries[i] as Entry;
      if (entry.type !== EntryType.ConfChange) continue;
      if (this.pendingConfIndex > this.log.applied || confIndex !== 0) {
        return refuse('ConfChangePending', `conf change at ${this.pendingConfIndex} is not applied yet (applied ${this.log.applied})`);
      }
      let cc: ConfChange;
      try {
        cc = decodeConfChange(entry.data);
      } catch (error) {
        // A peer's forwarded proposal is input like any other: refuse it, do not fail on it.
        return refuse('InvalidConfChange', (error as Error).message);
      }
      const invalid = this.tracker.validate(cc);
      if (invalid !== null) return refuse('InvalidConfChange', invalid);
      confIndex = this.log.lastIndex() + i + 1;
    }
    if (!this.appendEntries(m.entries)) {
      return refuse('UncommittedLogFull', `uncommitted log holds ${this.uncommittedBytes} bytes (max ${this.config.maxUncommittedBytes})`);
    }
    if (confIndex !== 0) this.pendingConfIndex = confIndex;
    this.bcastAppend();
  }

  /** Stamp entries with our term and the next indexes and append them. False if over the uncommitted limit. */
  private appendEntries(entries: readonly Entry[]): boolean {
    const bytes = entriesBytes(entries.filter((e) => e.data.byteLength > 0));
    if (this.uncommittedBytes > 0 && bytes > 0 && this.uncommittedBytes + bytes > this.config.maxUncommittedBytes) return false;
    this.uncommittedBytes += bytes;
    const last = this.log.lastIndex();
    assert(last + entries.length < MAX_SAFE_INDEX, 'log index would exceed 2^53');
    const stamped = entries.map((e, i) => ({ term: this.term, index: last + 1 + i, type: e.type, data: e.data }));
    this.log.append(stamped);
    return true;
  }

  /** The host persisted the log up to persistedIndex: the leader may now count itself. */
  onPersisted(): void {
    if (this.role !== StateRole.Leader) return;
    const self = this.tracker.progress.get(this.id);
    if (self !== undefined && self.maybeUpdate(this.log.persistedIndex()) && this.maybeCommit()) this.bcastAppend();
  }

  /** Entries up to `index` were handed to the host as committed. */
  onCommittedEntriesDelivered(entries: readonly Entry[]): void {
    const bytes = entriesBytes(entries.filter((e) => e.data.byteLength > 0));
    this.uncommittedBytes = Math.max(0, this.uncommittedBytes - bytes);
  }

  private maybeCommit(): boolean {
    if (!this.log.maybeCommit(this.tracker.committed(), this.term)) return false;
    this.maybeStartReadRound();
    return true;
  }

  private committedEntryInCurrentTerm(): boolean {
    return this.log.termOrNull(this.log.committed) === this.term;
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    // No follower holds (or rejects) an index this leader never had: such an answer is not from a
    // correct peer, and taking it would leave the progress past the log (a snapshot "needed", none made).
    if (m.index > this.log.lastIndex()) return;
    pr.recentActive = true;
    if (m.reject) {
      const hint = m.logTerm > 0 ? this.log.findConflictByTerm(m.rejectHint, m.logTerm).index : m.rejectHint;
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        this.maybeSendAppend(m.from, true);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === ProgressState.Probe) pr.becomeReplicate();
    else if (pr.state === ProgressState.Snapshot && pr.match + 1 >= this.log.firstIndex()) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === ProgressState.Replicate) pr.inflights.freeLE(m.index);
    if (this.maybeCommit()) this.bcastAppend();
    else if (wasPaused) this.maybeSendAppend(m.from, true);
    while (this.maybeSendAppend(m.from, false)) {
      // Keep the pipeline full until the inflights window or the log runs out.
    }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
  }

  private handleHeartbeatResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    pr.heartbeatAnswered(this.config.heartbeatTicks);
    if (pr.match < this.log.lastIndex()) this.maybeSendAppend(m.from, true);
    if (m.context === 0) return;
    const released = this.readOnly.recvAck(m.from, m.context, this.tracker.voters);
    if (released === null) return;
    for (const request of released.requests) this.answerRead(request.from, request.requestCtx, released.index);
    this.maybeStartReadRound();
  }

  private leaderReadIndex(m: Message): void {
    const from = m.from === NONE ? this.id : m.from;
    const soleVoter = this.tracker.voters.size === 1 && this.tracker.isVoter(this.id);
    if (soleVoter || this.config.unsafe.readWithoutQuorum === true) {
      if (this.committedEntryInCurrentTerm() || soleVoter) {
        this.answerRead(from, m.context, this.log.committed);
        return;
      }
    }
    if (!this.readOnly.enqueue({ from, requestCtx: m.context })) {
      if (from === this.id) throw new RaftError('QueueFull', `${this.config.maxPendingReads} reads are already pending`);
      return;
    }
    this.maybeStartReadRound();
  }

  /** Reads wait until the leader has committed an entry in its term: only then is its commit index current. */
  private maybeStartReadRound(): void {
    if (this.role !== StateRole.Leader || !this.committedEntryInCurrentTerm()) return;
    const ctx = this.readOnly.maybeStartRound(this.log.committed, this.id);
    if (ctx !== 0) this.bcastHeartbeat(ctx);
  }

  private answerRead(from: number, requestCtx: number, index: number): void {
    if (from === this.id) this.readStates.push({ index, requestCtx });
    else this.send(message({ type: MessageType.ReadIndexResp, to: from, index, context: requestCtx }));
  }

  private leaderTransfer(target: number): void {
    const pr = this.tracker.progress.get(target);
    if (pr === undefined || pr.isLearner || target === this.id) return;
    if (this.leadTransferee === target) return;
    this.leadTransferee = target;
    this.electionElapsed = 0;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(target);
    else this.maybeSendAppend(target, true);
  }

  private sendTimeoutNow(to: number): void {
    this.send(message({ type: MessageType.TimeoutNow, to }));
  }

  private bcastAppend(): void {
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.maybeSendAppend(id, true);
  }

  private bcastHeartbeat(ctx: number): void {
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      // Never tell a follower to commit past what it is known to hold.
      const commit = Math.min(pr.match, this.log.committed);
      this.send(message({ type: MessageType.Heartbeat, to: id, commit, context: ctx }));
    }
  }

  /** Send entries (or a snapshot) to `to` if its progress allows. Returns true if a message was sent. */
  private maybeSendAppend(to: number, sendIfEmpty: boolean): boolean {
    const pr = this.tracker.progress.get(to);
    if (pr === undefined || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.termOrNull(prevIndex);
    let entries: Entry[] | null = null;
    if (prevTerm !== null) {
      try {
        const resend = pr.state === ProgressState.Probe && pr.probeNext === pr.next;
        entries = this.log.entriesFrom(pr.next, resend ? Math.min(this.config.maxMsgBytes, PROBE_RESEND_BYTES_MAX) : this.config.maxMsgBytes);
      } catch (error) {
        if (!(error instanceof LogCompactedError)) throw error;
      }
    }
    if (prevTerm === null || entries === null) return this.maybeSendSnapshot(to, pr);
    if (entries.length === 0 && !sendIfEmpty) return false;
    const last = entries.length > 0 ? (entries[entries.length - 1] as Entry).index : prevIndex;
    this.send(message({ type: MessageType.App, to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed }));
    pr.sentEntries(entries.length, entriesBytes(entries), last);
    return true;
  }

  private maybeSendSnapshot(to: number, pr: Progress): boolean {
    if (!pr.recentActive) return false;
    let snapshot: Snapshot;
    try {
      snapshot = this.log.snapshot();
    } catch (error) {
      if (error instanceof SnapshotTemporarilyUnavailableError) return false;
      throw error;
    }
    assert(snapshot.metadata.index > 0, `need a snapshot for node ${to} but none exists`);
    pr.becomeSnapshot(snapshot.metadata.index);
    this.send(message({ type: MessageType.Snap, to, snapshot }));
    return true;
  }

  // ---- candidate ----

  private stepCandidate(m: Message): void {
    const myResponse = this.role === StateRole.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
    switch (m.type) {
      case MessageType.Prop:
        if (m.from === this.id || m.from === NONE) throw new RaftError('ProposalDropped', `node ${this.id} is campaigning; no leader`);
        return;
      case MessageType.ReadIndex:
        if (m.from === this.id || m.from === NONE) throw new RaftError('NotLeader', `node ${this.id} is campaigning; no leader`);
        return;
      case MessageType.App:
      case MessageType.Heartbeat:
      case MessageType.Snap:
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      default:
        break;
    }
    if (m.type !== myResponse) return;
    this.tracker.recordVote(m.from, !m.reject);
    const result = this.tracker.tallyVotes();
    if (result === VoteResult.Won) {
      if (this.role === StateRole.PreCandidate) this.campaign(false, false);
      else {
        this.becomeLeader();
        this.bcastAppend();
      }
    } else if (result === VoteResult.Lost) {
      this.becomeFollower(this.term, NONE);
    }
  }

  // ---- follower ----

  private stepFollower(m: Message): void {
    switch (m.type) {
      case MessageType.Prop:
        if (this.lead === NONE) {
          if (m.from === this.id || m.from === NONE) throw new RaftError('ProposalDropped', `node ${this.id} knows no leader`);
          return;
        }
        this.send({ ...m, from: this.id, to: this.lead });
        return;
      case MessageType.ReadIndex:
        if (this.lead === NONE) {
          if (m.from === this.id || m.from === NONE) throw new RaftError('NotLeader', `node ${this.id} knows no leader`);
          return;
        }
        this.send({ ...m, from: this.id, to: this.lead });
        return;
      case MessageType.TransferLeader:
        if (this.lead !== NONE) this.send({ ...m, to: this.lead });
        return;
      case MessageType.App:
        this.electionElapsed = 0;
        this.ticksSinceLeader = 0;
        this.lead = m.from;
        this.handleAppendEntries(m);
        return;
      case MessageType.Heartbeat:
        // The leader sends no commit index past what this member acknowledged (bcastHeartbeat).
        if (m.commit > this.log.lastIndex()) throw new LogLostError(`leader ${m.from} of term ${m.term} has committed up to ${m.commit}, which this member acknowledged, but its log ends at ${this.log.lastIndex()}`);
        this.electionElapsed = 0;
        this.ticksSinceLeader = 0;
        this.lead = m.from;
        this.log.commitTo(m.commit);
        this.send(message({ type: MessageType.HeartbeatResp, to: m.from, context: m.context }));
        return;
      case MessageType.Snap:
        this.electionElapsed = 0;
        this.ticksSinceLeader = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case MessageType.TimeoutNow:
        if (this.promotable()) this.hup(true);
        return;
      case MessageType.ReadIndexResp:
        this.readStates.push({ index: m.index, requestCtx: m.context });
        return;
      default:
        return;
    }
  }

  private handleAppendEntries(m: Message): void {
    if (m.index < this.log.committed) {
      this.checkAgreesWithCommitted(m);
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.committed }));
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== null) {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: lastNew }));
      return;
    }
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.send(message({ type: MessageType.AppResp, to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term }));
  }

  /**
   * An append behind the commit index is usually a late one; but what it says of the leader's log at or
   * below that index must be what this member committed there (Leader Completeness). A leader whose
   * log differs there was elected by members that lost acknowledged entries (LogDivergedError); left
   * unchecked, this member answered every append with its commit index, past the leader's log, which the
   * leader ignores, and stayed behind and ready without a word (session 34, found by an adversarial
   * test that cut the log tails of two members of three).
   */
  private checkAgreesWithCommitted(m: Message): void {
    const committed = this.log.committed;
    const check = (index: number, term: number): void => {
      const ours = this.log.termOrNull(index);
      if (ours === null || ours === term) return;
      throw new LogDivergedError(`leader ${m.from} of term ${m.term} has entry ${index} of term ${term}, but this member committed entry ${index} of term ${ours} (its commit index is ${committed})`);
    };
    check(m.index, m.logTerm);
    for (const entry of m.entries) {
      if (entry.index > committed) break;
      check(entry.index, entry.term);
    }
  }

  private handleSnapshot(m: Message): void {
    const snapshot = m.snapshot;
    if (snapshot !== null && this.restore(snapshot)) {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.lastIndex() }));
    } else {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.committed }));
    }
  }

  /** Install a snapshot, discarding our log. Returns false if it is stale or our log already covers it. */
  private restore(snapshot: Snapshot): boolean {
    const { index, term, confState } = snapshot.metadata;
    // A snapshot that predates our own addition does not list us; install it anyway, or a new node
    // behind a compacted log could never catch up. The entries after it will add us.
    if (index <= this.log.committed) return false;
    if (this.log.matchTerm(index, term)) {
      // Our log already holds the snapshot's last entry: just fast-forward the commit index.
      this.log.commitTo(index);
      return false;
    }
    const kept = this.config.unsafe.keepLogOnSnapshot === true ? this.entriesAfter(index) : [];
    this.log.restore(snapshot);
    if (kept.length > 0) this.log.unstable.entries = kept;
    this.tracker.restore(confState, this.log.lastIndex() + 1);
    return true;
  }

  private entriesAfter(index: number): Entry[] {
    if (index >= this.log.lastIndex() || index + 1 < this.log.firstIndex()) return [];
    return this.log.slice(index + 1, this.log.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
  }

  // ---- membership ----

  /** Apply a committed conf change (called as the host applies the entry). */
  applyConfChange(data: Uint8Array): ConfState {
    const cc = decodeConfChange(data);
    this.tracker.apply(cc, this.log.lastIndex() + 1);
    if (this.role !== StateRole.Leader) return this.tracker.confState();
    if (!this.tracker.progress.has(this.id)) {
      // A removed leader steps down; the remaining voters elect a new one.
      this.becomeFollower(this.term, NONE);
      return this.tracker.confState();
    }
    if (this.leadTransferee !== NONE && !this.tracker.isVoter(this.leadTransferee)) this.leadTransferee = NONE;
    // Commit may move under the new quorum; either way probe every member now, so a new one starts
    // catching up without waiting for a heartbeat.
    this.maybeCommit();
    this.bcastAppend();
    return this.tracker.confState();
  }

  private send(m: Message): void {
    if (m.from === NONE) m.from = this.id;
    const carriesOwnTerm = !(m.type === MessageType.Prop || m.type === MessageType.ReadIndex || m.type === MessageType.TransferLeader);
    if (m.type === MessageType.Vote || m.type === MessageType.PreVote || m.type === MessageType.VoteResp || m.type === MessageType.PreVoteResp) {
      assert(m.term !== 0, `${MessageType[m.type]} must carry a term`);
    } else if (carriesOwnTerm) {
      m.term = this.term;
    } else {
      m.term = 0;
    }
    this.msgs.push(m);
  }
}
