import { CodedError } from '../common/error-codes.js';
import type { Limits } from '../ddl/limits.js';

/** A unary call's end: grpc-js emits 'cancelled' once its status is sent or its stream is closed (and sets `cancelled`). */
export interface CallEnd {
  readonly cancelled: boolean;
  once(event: 'cancelled', listener: () => void): unknown;
}

/** What a call costs: DDL runs a task through Raft; `light` calls are reads, TSO, IDs and time ticks. */
export type AdmissionClass = 'ddl' | 'light';

export interface AdmissionCounts {
  readonly total: number;
  /** Bytes of answers handed to gRPC whose calls have not ended. */
  readonly unreadAnswerBytes: number;
  readonly ddl: number;
  /** The DDL budget now (adaptive, at most maxInflightDdl). */
  readonly ddlBudget: number;
  readonly connections: number;
  readonly rejected: number;
  /** Answers dropped unread (held longer than unreadAnswerTimeoutMs while the budget was full): their resets asked for. */
  readonly answersDropped: number;
}

/** An answer held until its call ends: its size, since when, and how to drop it (false if it cannot be). */
interface HeldAnswer {
  readonly bytes: number;
  readonly sinceMs: number;
  readonly drop: () => boolean;
  /** Its drop was asked for; it stays counted until its call ends (its memory is freed then). */
  dropped: boolean;
  released: boolean;
}

/**
 * Bounded in-flight work on the client port. A call is admitted only while the node-wide count, the
 * DDL count (for DDL) and its connection's count of its class are below their limits; otherwise it is
 * refused at once with code 2001 (queue full, retriable), so that overload is answered in microseconds
 * instead of as a proposal that times out (2002) after waiting behind everyone else.
 *
 * A connection's DDL and light calls are counted apart (each up to maxInflightPerConnection): one
 * budget for both let one kind starve the other on a shared connection (grpc-js shares one connection
 * per target among a process's clients). Under a 500-caller load, a leader that had just taken over
 * had its client connection's 64 places taken by AllocTimestamp calls, each caller sending its next
 * one as its answer freed a place, while every CreateCollection was refused for 0.8 s.
 *
 * The DDL budget adapts to how fast DDL completes (additive increase, multiplicative decrease, as TCP
 * and concurrency limiters do): a DDL call slower than ddlLatencyTargetMs shrinks it by a quarter, at
 * most once per target period and not below DDL_BUDGET_MIN; a faster one grows it by 1/budget, up to
 * maxInflightDdl. Under load it settles where DDL takes about the target, far below the 5 s in which
 * a proposal must be applied, so a slow disk or a starved process shows as 2001 and not as 2002.
 *
 * Calls a follower forwards carry no connection (`peer` null): one follower connection carries many
 * clients, each already counted against its own connection on the follower. The node-wide limits
 * apply to them as to any other call.
 *
 * Answers held: a call's answer, once encoded, stays in memory until its client has read it all (or its
 * stream closes), which a client that never reads delays for ever. The bytes of the answers whose calls
 * have not ended are counted (holdAnswer), and while maxUnreadAnswerBytes are held every new call is
 * refused, and so is every large answer whose repetition is harmless that is finished meanwhile
 * (answerRefusal; see answers.ts); one connection's share is bounded by its HTTP/2 memory
 * (maxConnectionMemoryBytes). And a client that stops reading cannot keep the budget: when a call
 * finds it full, the answers held longer than unreadAnswerTimeoutMs are dropped, oldest first, until
 * what remains would be under the budget (their streams reset, their calls end CANCELLED): a reader
 * slower than that loses its answer only while others are being refused. A dropped answer stays counted until its call has ended, when its
 * memory is freed (a client that does not read its socket does not take the reset either: then its
 * connection is closed, see answers.ts); the call that found the budget full is refused meanwhile.
 */
const DDL_BUDGET_MIN = 4;
const DDL_BUDGET_DECREASE = 0.75;

export class Admission {
  private total = 0;
  private ddl = 0;
  private unreadAnswerBytes = 0;
  /** The answers held, in the order they were (so the oldest first). */
  private readonly held = new Set<HeldAnswer>();
  /** Bytes of the answers dropped whose calls have not ended yet. */
  private droppingBytes = 0;
  private answersDropped = 0;
  private rejected = 0;
  private ddlBudget: number;
  private lastDecreaseMs = -Infinity;
  /** Why this node refuses every new call for now (its event loop lags), or null. */
  private overload: string | null = null;
  /** Calls in flight per connection: [DDL, light]. */
  private readonly byPeer = new Map<string, [number, number]>();

  constructor(
    private readonly limits: Pick<Limits, 'maxInflightRequests' | 'maxInflightDdl' | 'maxInflightPerConnection' | 'ddlLatencyTargetMs' | 'maxUnreadAnswerBytes' | 'unreadAnswerTimeoutMs'>,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.ddlBudget = limits.maxInflightDdl;
  }

  /** Admit a call or throw CodedError QueueFull; the returned function releases it (call it once). */
  admit(kind: AdmissionClass, peer: string | null): () => void {
    const { maxInflightRequests, maxInflightPerConnection } = this.limits;
    const ddlBudget = Math.floor(this.ddlBudget);
    const slot = kind === 'ddl' ? 0 : 1;
    const counts = peer === null ? undefined : this.byPeer.get(peer);
    const fromPeer = counts?.[slot] ?? 0;
    let refusal: string | null = null;
    if (this.unreadAnswerBytes >= this.limits.maxUnreadAnswerBytes) this.dropStaleAnswers();
    if (this.overload !== null) refusal = this.overload;
    else if (this.unreadAnswerBytes >= this.limits.maxUnreadAnswerBytes) refusal = `${this.unreadAnswerBytes} bytes of answers wait for their clients to read them (max ${this.limits.maxUnreadAnswerBytes})`;
    else if (this.total >= maxInflightRequests) refusal = `${this.total} calls are in flight on this node (max ${maxInflightRequests})`;
    else if (kind === 'ddl' && this.ddl >= ddlBudget) refusal = `${this.ddl} DDL calls are in flight on this node (max ${ddlBudget} now)`;
    else if (peer !== null && fromPeer >= maxInflightPerConnection) refusal = `${fromPeer} ${kind === 'ddl' ? 'DDL' : 'non-DDL'} calls are in flight from this connection (max ${maxInflightPerConnection})`;
    if (refusal !== null) {
      this.rejected++;
      throw new CodedError('QueueFull', `${refusal}; retry later`);
    }
    this.total++;
    if (kind === 'ddl') this.ddl++;
    if (peer !== null) {
      if (counts === undefined) this.byPeer.set(peer, slot === 0 ? [1, 0] : [0, 1]);
      else counts[slot]++;
    }
    let released = false;
    const startedMs = this.nowMs();
    return () => {
      if (released) return;
      released = true;
      this.total--;
      if (kind === 'ddl') {
        this.ddl--;
        this.adapt(this.nowMs() - startedMs);
      }
      if (peer === null) return;
      const left = this.byPeer.get(peer);
      if (left === undefined) return;
      left[slot]--;
      if (left[0] <= 0 && left[1] <= 0) this.byPeer.delete(peer);
    };
  }

  /**
   * Count an answer of `bytes` handed to gRPC until its call ends; `drop` ends the call without its
   * answer (resets its stream) and says whether it could.
   */
  holdAnswer(call: CallEnd, bytes: number, drop: () => boolean = () => false): void {
    // Ended already (its client went): gRPC sends nothing, and 'cancelled' has been emitted.
    if (call.cancelled) return;
    const answer: HeldAnswer = { bytes, sinceMs: this.nowMs(), drop, dropped: false, released: false };
    this.unreadAnswerBytes += bytes;
    this.held.add(answer);
    call.once('cancelled', () => this.release(answer));
  }

  /**
   * Null when an answer of `bytes` may be handed to gRPC, else why not: maxUnreadAnswerBytes are held
   * already. Calls are admitted while the budget has room, but their answers do not exist yet: without
   * this check, calls admitted together (up to maxInflightRequests) could each add a large answer past
   * it; with it, the answers held exceed the budget by one answer at most. One refused has the stale
   * answers dropped, as a refused call has, and counts as a refusal.
   */
  answerRefusal(bytes: number): string | null {
    const max = this.limits.maxUnreadAnswerBytes;
    if (this.unreadAnswerBytes < max) return null;
    this.dropStaleAnswers();
    this.rejected++;
    return `${this.unreadAnswerBytes} bytes of answers wait for their clients to read them (max ${max}): this answer of ${bytes} bytes is not sent`;
  }

  private release(answer: HeldAnswer): void {
    if (answer.released) return;
    answer.released = true;
    this.held.delete(answer);
    this.unreadAnswerBytes -= answer.bytes;
    if (answer.dropped) this.droppingBytes -= answer.bytes;
  }

  /**
   * Drop answers held for unreadAnswerTimeoutMs or longer, oldest first (they were held in order),
   * until the ones not being dropped are under the budget.
   */
  private dropStaleAnswers(): void {
    const oldestKeptMs = this.nowMs() - this.limits.unreadAnswerTimeoutMs;
    for (const answer of this.held) {
      if (this.unreadAnswerBytes - this.droppingBytes < this.limits.maxUnreadAnswerBytes || answer.sinceMs > oldestKeptMs) break;
      if (answer.dropped) continue;
      let dropped = false;
      try {
        dropped = answer.drop();
      } catch {
        // Kept counted, as one that cannot be dropped.
      }
      if (!dropped) continue;
      answer.dropped = true;
      this.droppingBytes += answer.bytes;
      this.answersDropped++;
    }
  }

  /** Refuse every new call (with this reason) until called again with null. */
  setOverloaded(reason: string | null): void {
    this.overload = reason;
  }

  private adapt(latencyMs: number): void {
    const { maxInflightDdl, ddlLatencyTargetMs } = this.limits;
    if (latencyMs <= ddlLatencyTargetMs) {
      this.ddlBudget = Math.min(maxInflightDdl, this.ddlBudget + 1 / this.ddlBudget);
      return;
    }
    const now = this.nowMs();
    if (now - this.lastDecreaseMs < ddlLatencyTargetMs) return;
    this.lastDecreaseMs = now;
    this.ddlBudget = Math.max(Math.min(DDL_BUDGET_MIN, maxInflightDdl), this.ddlBudget * DDL_BUDGET_DECREASE);
  }

  counts(): AdmissionCounts {
    return { total: this.total, unreadAnswerBytes: this.unreadAnswerBytes, ddl: this.ddl, ddlBudget: Math.floor(this.ddlBudget), connections: this.byPeer.size, rejected: this.rejected, answersDropped: this.answersDropped };
  }
}
