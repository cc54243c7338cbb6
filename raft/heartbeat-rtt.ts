import type { Clock } from './clock.js';
import { MessageType } from './types.js';
import type { Message } from './types.js';

/**
 * A leader's round-trip times to its peers, measured on its heartbeats: from the oldest heartbeat a
 * peer has not answered yet to its answer (etcd measures its peers' round trips with a prober instead).
 */
export class HeartbeatRtt {
  /** By peer: when the oldest unanswered heartbeat was sent. */
  private readonly sentMs = new Map<number, number>();

  constructor(
    private readonly clock: Clock,
    /** A peer answered: its round-trip time in seconds. */
    private readonly measured: (peer: number, seconds: number) => void,
  ) {}

  /** Messages about to be sent: note the heartbeats among them. */
  sending(messages: readonly Message[]): void {
    const now = this.clock.monotonicMs();
    for (const m of messages) {
      if (m.type !== MessageType.Heartbeat) continue;
      const pending = this.sentMs.get(m.to);
      // A heartbeat unanswered for a second was lost (or its peer was down): time the next one instead.
      if (pending === undefined || now - pending > 1000) this.sentMs.set(m.to, now);
    }
  }

  /** A peer answered a heartbeat. */
  answered(peer: number): void {
    const sentMs = this.sentMs.get(peer);
    if (sentMs === undefined) return;
    this.sentMs.delete(peer);
    this.measured(peer, (this.clock.monotonicMs() - sentMs) / 1000);
  }
}
