import { NONE, StateRole } from './types.js';

/** What the lease decision needs to know of the core at the moment of a check. */
export interface LeaseView {
  readonly role: StateRole;
  readonly term: number;
  readonly leadTransferee: number;
}

/**
 * A leader's lease, as a pure decision fed with events and a monotonic clock (RaftNode feeds it its
 * clock's `monotonicMs()`, tests a simulated clock).
 *
 * A ReadIndex round that started at time t and was answered proves no other leader can be elected
 * before t + the minimum election timeout: every follower that acknowledged it ignores candidates that
 * long (CheckQuorum). The lease covers half of that (timer lateness, clock drift). A follower told that
 * this leader is down (Raft.leaderDown: its peer port refused a connection, which may be wrong) ignores
 * candidates for less, leaderDownLeaseTicks, which still outlasts the lease by more than a tick.
 *
 * A leadership transfer breaks that proof: the leader's TimeoutNow makes the transferee campaign at
 * once, and voters grant a transfer's vote even while they ignore other candidates. The transfer may
 * be abandoned (the core gives up after an election timeout) while its TimeoutNow is still on its way
 * (queued, delayed, or at a paused transferee); when it arrives the transferee is elected, however
 * recent the old leader's lease. No election timeout bounds that delay, so once this node has sent a
 * TimeoutNow in a term it holds no lease for the rest of that term: every confirmation is a ReadIndex
 * round, which a newer term's election does stop. A new term (a new election) starts clean. etcd's raft
 * likewise serves no lease-based read while a transfer is in progress.
 */
export class LeaderLease {
  private startMs = 0;
  private untilMs = 0;
  private term = -1;
  private transferRequestedMs = -1;
  /** The highest term in which this node sent a TimeoutNow (-1: never). */
  private timeoutNowTerm = -1;

  constructor(
    /** Half the minimum election timeout. */
    readonly leaseMs: number,
  ) {}

  /** A transfer was asked for here: the current lease ends, and rounds started before now never count. */
  transferRequested(nowMs: number): void {
    this.transferRequestedMs = nowMs;
    this.untilMs = 0;
  }

  /** This node is sending a TimeoutNow in `term` (whoever asked for the transfer): no lease in that term. */
  timeoutNowSent(term: number): void {
    if (term > this.timeoutNowTerm) this.timeoutNowTerm = term;
    this.untilMs = 0;
  }

  /** A ReadIndex round started at `startedMs` in `term` was answered while this node still leads that term. */
  roundAnswered(startedMs: number, term: number): void {
    if (startedMs > this.startMs || this.term !== term) {
      this.startMs = startedMs;
      this.term = term;
      this.untilMs = startedMs + this.leaseMs;
    }
  }

  valid(nowMs: number, core: LeaseView): boolean {
    return (
      core.role === StateRole.Leader &&
      core.leadTransferee === NONE &&
      core.term === this.term &&
      core.term !== this.timeoutNowTerm &&
      nowMs < this.untilMs &&
      this.transferRequestedMs < this.startMs
    );
  }

  /** Half the lease is gone: renew it in the background. */
  dueForRenewal(nowMs: number): boolean {
    return nowMs > this.untilMs - this.leaseMs / 2;
  }
}
