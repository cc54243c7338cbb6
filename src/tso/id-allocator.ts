import { CodedError } from '../common/error-codes.js';
import { composeTs } from '../common/hybrid-ts.js';

export interface IdAllocatorOptions {
  readonly nowMs: () => bigint;
  /** Persists a new exclusive upper bound for issued IDs (through Raft); resolves once applied. */
  readonly persistUpTo: (upTo: bigint) => Promise<void>;
  /** IDs reserved per persisted window. */
  readonly batch?: bigint;
}

/**
 * The most IDs one call may take: about 4 ms of ID space (2^18 per ms). Milvus sets no bound: a count
 * of 2^32 - 1 would take 16 s of it, and the IDs would run that far ahead of the clock.
 */
const ID_COUNT_MAX = 1_000_000;

/**
 * Globally unique IDs (Milvus `GlobalIDAllocator`), shaped like hybrid timestamps (ms << 18 + n). Every
 * issued ID is below a high-water mark persisted through Raft, and a new leader starts at or above the
 * persisted mark, so no ID is reused across restart or failover.
 */
export class IdAllocator {
  private next = 0n;
  private upTo = 0n;
  private active = false;
  private reserving: Promise<void> | null = null;
  private readonly batch: bigint;

  constructor(private readonly options: IdAllocatorOptions) {
    this.batch = options.batch ?? 100_000n;
  }

  async start(persistedUpTo: bigint): Promise<void> {
    const fromClock = composeTs(this.options.nowMs(), 0n);
    const start = fromClock > persistedUpTo ? fromClock : persistedUpTo;
    await this.options.persistUpTo(start + this.batch);
    this.next = start;
    this.upTo = start + this.batch;
    this.active = true;
  }

  stop(): void {
    this.active = false;
  }

  /** Allocate `count` (1 to ID_COUNT_MAX) consecutive IDs; returns the first of [first, first + count). */
  async alloc(count: number): Promise<bigint> {
    if (!Number.isInteger(count) || count <= 0) throw new CodedError('ParameterInvalid', 'id count should be positive');
    if (count > ID_COUNT_MAX) throw new CodedError('ParameterInvalid', `id count ${count} exceeds the maximum of ${ID_COUNT_MAX} per call`);
    const n = BigInt(count);
    while (this.active && this.next + n > this.upTo) {
      if (this.reserving === null) {
        const target = this.next + n + this.batch;
        this.reserving = this.options.persistUpTo(target).then(
          () => {
            if (target > this.upTo) this.upTo = target;
          },
        ).finally(() => {
          this.reserving = null;
        });
      }
      await this.reserving;
    }
    if (!this.active) throw new CodedError('ServiceNotReady', 'the ID allocator is not active on this node');
    const first = this.next;
    this.next += n;
    return first;
  }
}
