import { hasQuorum } from './quorum.js';

export interface ReadRequest {
  /** The node that asked (the leader itself, or a follower that forwarded the read). */
  readonly from: number;
  readonly requestCtx: number;
}

interface ReadRound {
  readonly ctx: number;
  readonly index: number;
  readonly requests: ReadRequest[];
  readonly acks: Set<number>;
}

/**
 * ReadIndex on the leader. Reads are confirmed in rounds: a round records the commit index, rides on a
 * heartbeat, and is released when a quorum acknowledges it. Reads arriving while a round is in flight
 * wait for the next one, so any number of reads share a single heartbeat round.
 */
export class ReadOnly {
  private queued: ReadRequest[] = [];
  private inflight: ReadRound | null = null;
  private nextCtx = 1;

  constructor(private readonly queuedMax: number) {}

  /** Returns false when the queue is full (the read is refused). */
  enqueue(request: ReadRequest): boolean {
    if (this.queued.length >= this.queuedMax) return false;
    this.queued.push(request);
    return true;
  }

  /** Starts a round from the queued reads if none is in flight; returns its ctx, or 0. */
  maybeStartRound(commitIndex: number, selfId: number): number {
    if (this.inflight !== null || this.queued.length === 0) return 0;
    this.inflight = { ctx: this.nextCtx++, index: commitIndex, requests: this.queued, acks: new Set([selfId]) };
    this.queued = [];
    return this.inflight.ctx;
  }

  /** The ctx of the round in flight (heartbeats carry it so a lost one is retried), or 0. */
  inflightCtx(): number {
    return this.inflight?.ctx ?? 0;
  }

  /** Record an ack; when a quorum has acked, returns the released round. */
  recvAck(from: number, ctx: number, voters: ReadonlySet<number>): { index: number; requests: ReadRequest[] } | null {
    const round = this.inflight;
    if (round === null || round.ctx !== ctx) return null;
    round.acks.add(from);
    if (!hasQuorum(voters, (id) => round.acks.has(id))) return null;
    this.inflight = null;
    return { index: round.index, requests: round.requests };
  }

  pendingCount(): number {
    return this.queued.length + (this.inflight?.requests.length ?? 0);
  }

  reset(): void {
    this.queued = [];
    this.inflight = null;
  }
}
