import { randomInt } from 'node:crypto';
import type { Clock } from './clock.js';
import { RaftError } from './errors.js';
import { Prng } from './prng.js';
import type { RaftCounters } from './raft-handle.js';
import type { ReadState } from './types.js';

/** A request waiting for its outcome, failed with a Timeout if none comes in time. */
export interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Envelope: [u8 version][f64 origin node][f64 proposal sequence][payload]. */
const ENVELOPE_BYTES = 17;

/** A proposal's bytes as they go into the log: who proposed it, under which sequence number. */
export function wrap(origin: number, seq: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(ENVELOPE_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, 1);
  view.setFloat64(1, origin);
  view.setFloat64(9, seq);
  out.set(payload, ENVELOPE_BYTES);
  return out;
}

export function unwrap(data: Uint8Array): { origin: number; seq: number; payload: Uint8Array } | null {
  if (data.byteLength < ENVELOPE_BYTES || data[0] !== 1) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { origin: view.getFloat64(1), seq: view.getFloat64(9), payload: data.subarray(ENVELOPE_BYTES) };
}

/**
 * The proposals and reads made on this node and still awaited: each is settled when it is applied (a
 * read: once the state machine has caught up with its index), refused, or timed out.
 */
export class Proposals {
  private readonly proposals = new Map<number, Pending<{ index: number; result: unknown }>>();
  private readonly reads = new Map<number, Pending<number>>();
  /** Reads whose index is known, waiting for the state machine to catch up. */
  private readonly readsAwaitingApply: Array<{ index: number; ctx: number }> = [];
  /**
   * Proposal and read ids. They start at a random point so that an answer meant for an earlier
   * incarnation of this node (a ReadIndexResp or a forwarded proposal still queued at a peer when we
   * restarted) can never be taken for one of ours: that would be a stale read or a wrong result.
   */
  private nextSeq: number;
  constructor(
    private readonly id: number,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly pendingMax: number,
    seed: number | undefined,
    /** Proposals made on this node that were applied, and that failed (refused, timed out, closed): counted here. */
    readonly counters: Pick<RaftCounters, 'proposalsCommitted' | 'proposalsFailed'>,
  ) {
    // Seeded (a simulation): a deterministic start; a simulation seeds each incarnation differently.
    this.nextSeq = seed === undefined ? randomInt(1, 2 ** 47) : 1 + Math.floor(new Prng(seed ^ 0x5eed).nextFloat() * (2 ** 47 - 1));
  }

  /** Proposals awaited here. */
  get size(): number {
    return this.proposals.size;
  }

  /** A proposal of `data`, handed to `submit` in its envelope; resolves once applied here. */
  propose(data: Uint8Array, submit: (wrapped: Uint8Array) => void): Promise<{ index: number; result: unknown }> {
    if (this.proposals.size >= this.pendingMax) {
      return Promise.reject(new RaftError('QueueFull', `${this.proposals.size} proposals are pending`));
    }
    const seq = this.nextSeq++;
    const promise = this.track(this.proposals, seq, `proposal ${seq}`);
    promise.catch(() => {
      this.counters.proposalsFailed++;
    });
    try {
      submit(wrap(this.id, seq, data));
    } catch (error) {
      this.settle(this.proposals, seq, (p) => p.reject(error as Error));
    }
    return promise;
  }

  /** A read, handed to `submit` under its context; resolves with its index once applied up to it. */
  read(submit: (ctx: number) => void): Promise<number> {
    const ctx = this.nextSeq++;
    const promise = this.track(this.reads, ctx, `read ${ctx}`);
    try {
      submit(ctx);
    } catch (error) {
      this.settle(this.reads, ctx, (p) => p.reject(error as Error));
    }
    return promise;
  }

  /** An applied entry whose envelope names this node is one of ours if it is still awaited. */
  isLocal(envelope: { origin: number; seq: number } | null): boolean {
    return envelope !== null && envelope.origin === this.id && this.proposals.has(envelope.seq);
  }

  /** The proposal `seq` was applied at `index` with the state machine's `result`. */
  applied(seq: number, index: number, result: unknown): void {
    const pending = this.proposals.get(seq);
    if (pending === undefined) return;
    this.proposals.delete(seq);
    this.clock.clearTimeout(pending.timer);
    this.counters.proposalsCommitted++;
    pending.resolve({ index, result });
  }

  readStates(readStates: readonly ReadState[]): void {
    for (const rs of readStates) this.readsAwaitingApply.push({ index: rs.index, ctx: rs.requestCtx });
  }

  /** Reads awaited here. */
  get readsPending(): number {
    return this.reads.size;
  }

  /** Reads queued at a leader are dropped when it steps down: fail ours now rather than at the timeout. */
  failReads(error: Error): void {
    for (const [ctx] of this.reads) this.settle(this.reads, ctx, (p) => p.reject(error));
    this.readsAwaitingApply.length = 0;
  }

  /** The state machine has applied up to `appliedIndex`: answer the reads it has caught up with. */
  appliedUpTo(appliedIndex: number): void {
    const ready = this.readsAwaitingApply.filter((r) => r.index <= appliedIndex);
    if (ready.length > 0) {
      const waiting = this.readsAwaitingApply.filter((r) => r.index > appliedIndex);
      this.readsAwaitingApply.length = 0;
      this.readsAwaitingApply.push(...waiting);
      for (const r of ready) this.settle(this.reads, r.ctx, (p) => p.resolve(r.index));
    }
  }

  failAll(error: Error): void {
    for (const map of [this.proposals, this.reads] as Array<Map<number, Pending<never>>>) {
      for (const [key] of map) this.settle(map, key, (p) => p.reject(error));
    }
  }

  private settle<T>(map: Map<number, Pending<T>>, key: number, action: (p: Pending<T>) => void): void {
    const pending = map.get(key);
    if (pending === undefined) return;
    map.delete(key);
    this.clock.clearTimeout(pending.timer);
    action(pending);
  }

  private track<T>(map: Map<number, Pending<T>>, key: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = this.timeoutMs;
      const timer = this.clock.setTimeout(() => {
        map.delete(key);
        reject(new RaftError('Timeout', `${what} not applied within ${timeoutMs} ms; its outcome is unknown`));
      }, timeoutMs);
      map.set(key, { resolve, reject, timer });
    });
  }
}
