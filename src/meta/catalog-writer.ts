import { AssertionError } from '../../raft/assert.js';
import { systemClock } from '../../raft/clock.js';
import type { Clock } from '../../raft/clock.js';
import { batchMark } from './catalog-integrity.js';
import { isReplicaLocal, keys } from './catalog-keys.js';
import type { StoreOp, VersionedStore } from './versioned-store.js';

/** LevelDB writes trail the in-memory state by at most this long, or this many buffered operations. */
const WRITE_DELAY_MS = 50;
const WRITE_BUFFER_OPS_MAX = 5000;

/**
 * The write-behind catalog writer: the catalog writes of applied entries are buffered and written
 * together at most every WRITE_DELAY_MS (or once WRITE_BUFFER_OPS_MAX are waiting). Small, frequent
 * writes beside the Raft log's synchronous ones make every log fsync slower, and the log already makes
 * the entries durable; a restart replays what LevelDB had not received yet.
 *
 * The applied index is written here only, in the same LevelDB batch as the writes of the entries up to
 * it and of no later one, so a restart never applies an entry twice nor skips one; it only grows. So is
 * each batch's mark, by which a start finds a batch that LevelDB lost before a later one it kept
 * (catalog-integrity.ts).
 */
export class CatalogWriter {
  private pendingWrite: Promise<void> = Promise.resolve();
  private buffered: StoreOp[] = [];
  /** The last entry whose writes are buffered or written: the applied index the next batch records. */
  private bufferedIndex = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private writeError: Error | null = null;
  /** The number of the last batch handed to the store (its mark: catalog-integrity.ts). */
  private batches = 0;

  constructor(
    private readonly store: VersionedStore,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * The catalog on disk covers the entries up to `index` (it was just loaded), and its last batch was
   * number `lastBatch`: later writes must be of later entries, in later batches.
   */
  resumeAfter(index: number, lastBatch: number): void {
    this.bufferedIndex = index;
    this.batches = lastBatch;
  }

  /** Buffer the writes of the entries up to `index` (after those of the entries before them), to be written later. */
  buffer(ops: readonly StoreOp[], index: number): void {
    if (index <= this.bufferedIndex) throw new AssertionError(`catalog writes up to ${index} after those up to ${this.bufferedIndex}: the applied index only grows`);
    appendAll(this.buffered, ops);
    this.bufferedIndex = index;
  }

  /** Buffer the writes of the entries up to `index`, and have them written within WRITE_DELAY_MS. */
  write(ops: readonly StoreOp[], index: number): void {
    if (this.writeError !== null) throw this.writeError;
    this.buffer(ops, index);
    if (this.buffered.length >= WRITE_BUFFER_OPS_MAX) void this.flush();
    else this.flushTimer ??= this.clock.setTimeout(() => void this.flush(), WRITE_DELAY_MS);
  }

  /** Hand the buffered writes, with the applied index they cover, to the store. */
  flush(): Promise<void> {
    this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.buffered.length === 0) return this.pendingWrite;
    const ops = this.buffered;
    ops.push({ type: 'put', key: keys.appliedIndex, value: String(this.bufferedIndex) }, batchMark(++this.batches));
    this.buffered = [];
    this.pendingWrite = this.pendingWrite
      .then(() => this.store.write(ops))
      .catch((error: unknown) => {
        this.writeError = error instanceof Error ? error : new Error(String(error));
      });
    return this.pendingWrite;
  }

  /** Resolves once every buffered write is in LevelDB. */
  async flushed(): Promise<void> {
    await this.flush();
    if (this.writeError !== null) throw this.writeError;
  }

  /**
   * Make every buffered write durable: in LevelDB, then fsynced. LevelDB's own log is written in
   * order, so one synchronous write (the delete of a key that never exists: it changes no data, no
   * digest and no snapshot) puts every earlier write on disk.
   */
  async persist(): Promise<void> {
    await this.flushed();
    await this.store.write([{ type: 'del', key: keys.syncPoint }], true);
  }

  /**
   * Call `capture` at a moment when no write is buffered or in flight (so that what it reads of memory
   * and of the store agree), synchronously after the check, and return what it returns.
   */
  async atRest<T>(capture: () => T): Promise<T> {
    for (;;) {
      const written = this.flush();
      await written;
      if (this.writeError !== null) throw this.writeError;
      if (this.buffered.length === 0 && this.pendingWrite === written) return capture();
    }
  }

  /**
   * Replace the whole catalog with the entries `batches` yields, as of entry `index` (a snapshot's
   * restore); what they hold of another replica's own keys (its applied index, its marks) is left out.
   * Until the last batch is written the catalog is half one and half the other: the restore's mark,
   * synced before anything is cleared and deleted with the last batch, tells a start so
   * (catalog-integrity.ts unfinishedRestore).
   */
  async replaceAll(batches: AsyncIterable<ReadonlyArray<readonly [string, string]>>, index: number): Promise<void> {
    await this.flushed();
    await this.store.write([{ type: 'put', key: keys.restoring, value: String(index) }], true);
    let number = 0;
    async function* marked(): AsyncGenerator<Array<StoreOp | readonly [string, string]>> {
      for await (const batch of batches) {
        const ops: Array<StoreOp | readonly [string, string]> = batch.filter(([key]) => !isReplicaLocal(key));
        ops.push(batchMark(++number));
        yield ops;
      }
      yield [{ type: 'put', key: keys.appliedIndex, value: String(index) }, batchMark(++number), { type: 'del', key: keys.restoring }];
    }
    await this.store.replaceAllFrom(marked(), keys.restoring);
    this.batches = number;
  }

  /** A crash: the writes not yet handed to the store are lost, and nothing more is written. */
  abandon(): void {
    this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.buffered = [];
    this.writeError = new Error('the node crashed');
  }
}

/** Append every item: `push(...items)` throws RangeError past about 130,000 of them (one GC entry may delete more). */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
