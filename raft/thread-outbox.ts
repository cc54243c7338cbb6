import { systemClock } from './clock.js';
import type { Clock } from './clock.js';

/**
 * Messages to another thread posted in one pass of the event loop go as one `postMessage`: each post
 * costs this thread a structured clone set-up and the other thread a wake-up, about 0.05 to 0.1 ms on
 * this VM, and under load a pass makes many (a proposal per request on the host, each request its own
 * I/O callback; an apply, replies and a status on the Raft thread). The batch leaves in the pass's
 * check phase (setImmediate), in order, with every buffer to transfer; a lone message leaves as
 * itself. A pass with nothing else to do reaches its check phase at once (the poll does not wait while
 * an immediate is pending), so a lone message waits only for the I/O callbacks of its own pass; one
 * posted from a check-phase callback (the Raft thread's Ready loop resumes in one) waits for the next
 * pass's check phase, after that pass's timers and I/O callbacks.
 *
 * Measured (30,000 CreateCollection by 64 clients, 3 nodes on 2 cores, alternating runs): sent at
 * the end of each turn's microtasks instead, the leader's process used 18.7 and 20.9 CPU seconds
 * (now 15.0 and 16.0), the followers' 7.5 to 8.5 (now 5.6 to 6.1), and its request thread's delay
 * samples over 20 ms were 52 and 70 (now 14 and 9).
 */
export class ThreadOutbox<M> {
  private messages: M[] = [];
  private transfer: ArrayBuffer[] = [];
  private scheduled = false;
  /** Makes a message that waits to go with the next batch (see postWithNext). */
  private rider: (() => M) | null = null;
  /** When this outbox last sent (clock.monotonicMs()). */
  private lastSentMs = -Infinity;

  constructor(
    private readonly send: (message: M, transfer: ArrayBuffer[]) => void,
    /** The one message that carries several. */
    private readonly batch: (messages: M[]) => M,
    private readonly clock: Pick<Clock, 'monotonicMs'> = systemClock,
  ) {}

  /**
   * Post the message `make` makes with the next batch, made as that batch leaves, if this outbox has sent
   * one within `withinMs` (its own lone messages count too: the next batch is likely soon, and if none
   * comes the next call sends it); else, or if one is waiting already (from a call at least `withinMs`
   * before: no batch came), at once. Called every `withinMs` while there is something to say, its
   * message is never older than two such periods.
   */
  postWithNext(make: () => M, withinMs: number): void {
    if (this.rider !== null || this.clock.monotonicMs() - this.lastSentMs > withinMs) {
      this.rider = null;
      this.post(make());
      return;
    }
    this.rider = make;
  }

  /** A message given to postWithNext is waiting. */
  waiting(): boolean {
    return this.rider !== null;
  }

  post(message: M, transfer: readonly ArrayBuffer[] = []): void {
    this.messages.push(message);
    for (const buffer of transfer) this.transfer.push(buffer);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Send what is posted now (before the thread's port closes: an immediate after it would be too late). */
  flush(): void {
    this.scheduled = false;
    const messages = this.messages;
    const transfer = this.transfer;
    if (messages.length === 0) return;
    if (this.rider !== null) {
      messages.push(this.rider());
      this.rider = null;
    }
    this.messages = [];
    this.transfer = [];
    this.lastSentMs = this.clock.monotonicMs();
    this.send(messages.length === 1 ? (messages[0] as M) : this.batch(messages), transfer);
  }
}
