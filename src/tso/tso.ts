import { assert } from '../../raft/assert.js';
import { systemClock } from '../../raft/clock.js';
import type { Clock } from '../../raft/clock.js';
import { CodedError } from '../common/error-codes.js';
import { composeTs, LOGICAL_MAX } from '../common/hybrid-ts.js';

/** Persists a new upper bound for the TSO's physical time (through Raft); resolves once applied. */
export type WindowPersister = (windowMs: bigint) => Promise<void>;

export interface TsoOptions {
  readonly nowMs: () => bigint;
  readonly persistWindow: WindowPersister;
  readonly saveIntervalMs?: bigint;
  readonly updateIntervalMs?: number;
  /** Timers (default: the process's); the physical time is `nowMs`. */
  readonly clock?: Clock;
}

const RETRIES_MAX = 10;

/**
 * The hybrid timestamp oracle (Milvus `internal/tso`): physical ms << 18 | logical. Every issued
 * physical time is strictly below a window persisted through Raft (3 s ahead), and a new leader starts
 * strictly above the persisted window, so timestamps never go backwards, not even across failovers.
 */
export class Tso {
  private physical = 0n;
  private logical = 0n;
  private windowMs = 0n;
  private active = false;
  private timer: NodeJS.Timeout | null = null;
  private updating: Promise<void> | null = null;
  /** The last timestamp handed out (0: none yet); every later one is above it, across leaderships too. */
  private lastIssued = 0n;
  private readonly saveIntervalMs: bigint;
  private readonly updateIntervalMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: TsoOptions) {
    this.saveIntervalMs = options.saveIntervalMs ?? 3000n;
    this.updateIntervalMs = options.updateIntervalMs ?? 50;
    this.clock = options.clock ?? systemClock;
  }

  /** Become active above `persistedWindowMs` (the window every earlier leader issued below). */
  async start(persistedWindowMs: bigint): Promise<void> {
    const now = this.options.nowMs();
    const next = now - persistedWindowMs < 1n ? persistedWindowMs + 1n : now;
    const window = next + this.saveIntervalMs;
    await this.options.persistWindow(window);
    this.windowMs = window;
    this.physical = next;
    this.logical = 0n;
    this.active = true;
    // Started again without a stop in between (a stale start overtaken by a newer one): one timer, not two.
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = this.clock.setInterval(() => void this.update().catch(() => {}), this.updateIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.active = false;
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
  }

  isActive(): boolean {
    return this.active;
  }

  window(): bigint {
    return this.windowMs;
  }

  /** Move physical time forward (Milvus's 50 ms UpdateTimestamp), persisting a new window first if needed. */
  update(): Promise<void> {
    this.updating ??= this.doUpdate().finally(() => {
      this.updating = null;
    });
    return this.updating;
  }

  private async doUpdate(): Promise<void> {
    if (!this.active) return;
    const now = this.options.nowMs();
    let next: bigint;
    if (now - this.physical > 1n) next = now;
    else if (this.logical > LOGICAL_MAX / 2n) next = this.physical + 1n;
    else return;
    if (this.windowMs - next <= 1n) {
      const window = next + this.saveIntervalMs;
      await this.options.persistWindow(window);
      if (!this.active) return;
      this.windowMs = window;
    }
    if (next >= this.windowMs) next = this.windowMs - 1n;
    if (next <= this.physical) return;
    this.physical = next;
    this.logical = 0n;
  }

  /** Reserve `count` consecutive timestamps; returns the last one (Milvus GenerateTSO). */
  async generate(count: number): Promise<bigint> {
    if (count <= 0) throw new CodedError('ParameterInvalid', 'tso count should be positive');
    if (BigInt(count) >= LOGICAL_MAX) throw new CodedError('ParameterInvalid', `tso count ${count} exceeds ${LOGICAL_MAX - 1n}`);
    for (let attempt = 0; attempt < RETRIES_MAX; attempt++) {
      if (!this.active) throw new CodedError('ServiceNotReady', 'the timestamp oracle is not active on this node');
      const logical = this.logical + BigInt(count);
      if (logical < LOGICAL_MAX) {
        this.logical = logical;
        const ts = composeTs(this.physical, logical);
        // Timestamps never go backwards: not within a leadership, nor from one to the next (start).
        assert(ts > this.lastIssued, 'the TSO would hand out a timestamp at or below the last one it handed out');
        this.lastIssued = ts;
        return ts;
      }
      // The logical counter is used up for this millisecond: move physical time on and try again.
      await this.update();
      if (this.logical + BigInt(count) >= LOGICAL_MAX) await this.clock.sleep(1);
    }
    throw new CodedError('ServiceNotReady', 'can not get timestamp: the logical counter is exhausted');
  }
}
