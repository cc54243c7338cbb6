import { Inflights } from './inflights.js';

export enum ProgressState {
  /** Send one MsgApp per heartbeat interval until the follower's match is found. */
  Probe = 'Probe',
  /** Stream entries optimistically, bounded by the inflights window. */
  Replicate = 'Replicate',
  /** A snapshot is in flight; send nothing else until it is acknowledged or fails. */
  Snapshot = 'Snapshot',
}

/** The leader's view of one follower's log. */
export class Progress {
  match = 0;
  next: number;
  state = ProgressState.Probe;
  pendingSnapshot = 0;
  /** Ticks spent in the Snapshot state; a backstop against a snapshot lost without a report. */
  snapshotTicks = 0;
  /** Ticks in Replicate with messages in flight and no acknowledgement; lost MsgApps stall the window. */
  stalledTicks = 0;
  recentActive = false;
  /** In Probe: a MsgApp was sent this heartbeat interval, wait before sending another. */
  probeSent = false;
  /** In Probe: ticks since the last MsgApp was sent (infinite: none since the state began). */
  ticksSinceProbe = Number.POSITIVE_INFINITY;
  /** In Probe: the `next` the last MsgApp was sent from (0: none since the state began); a probe from it again is a resend. */
  probeNext = 0;
  readonly inflights: Inflights;

  constructor(
    next: number,
    inflightCountMax: number,
    inflightBytesMax: number,
    public isLearner: boolean,
  ) {
    this.next = next;
    this.inflights = new Inflights(inflightCountMax, inflightBytesMax);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.ticksSinceProbe = Number.POSITIVE_INFINITY;
    this.probeNext = 0;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.stalledTicks = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === ProgressState.Snapshot) {
      const pendingSnapshot = this.pendingSnapshot;
      this.resetState(ProgressState.Probe);
      this.next = Math.max(this.match + 1, pendingSnapshot + 1);
    } else {
      this.resetState(ProgressState.Probe);
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState(ProgressState.Replicate);
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState(ProgressState.Snapshot);
    this.pendingSnapshot = snapshotIndex;
  }

  /** Record that entries up to `lastIndex` (`bytes` in all) were sent. */
  sentEntries(count: number, bytes: number, lastIndex: number): void {
    if (this.state === ProgressState.Replicate) {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
    } else if (this.state === ProgressState.Probe) {
      this.probeSent = true;
      this.ticksSinceProbe = 0;
      this.probeNext = this.next;
    }
  }

  /**
   * A heartbeat's answer: in Probe, the next probe may go, but only once a heartbeat interval has
   * passed since the last one (Probe's contract, etcd's too). etcd unpauses at every answer, counting
   * on one answer per interval; here answers come more often: a read round's heartbeats, heartbeats
   * queued behind a snapshot the leader is sending and delivered together, and answers a follower sends while the probe's
   * entries are still being written to its disk. Each resent the same probe: a joiner received each
   * of its first probes (595 entries, about 0.9 MB) four times (docs/bench-runs/2026-12-04-s37-probes/).
   */
  heartbeatAnswered(heartbeatTicks: number): void {
    if (this.state !== ProgressState.Probe || this.ticksSinceProbe >= heartbeatTicks) this.probeSent = false;
  }

  /** The follower acknowledged `index`. Returns false if the ack is stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    this.stalledTicks = 0;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * The follower rejected a MsgApp at `rejected`; `matchHint` is where it suggests probing. Returns
   * false if the rejection is stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.probeSent;
      case ProgressState.Replicate:
        return this.inflights.full();
      case ProgressState.Snapshot:
        return true;
    }
  }
}
