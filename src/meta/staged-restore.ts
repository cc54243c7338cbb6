import { rm } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { snapshotPieces } from '../../raft/snapshot-data.js';
import type { SnapshotFile } from '../../raft/snapshot-data.js';
import { catalogBlocks, forEachRecord, inflateBlock, isBlockFormat } from './catalog-snapshot.js';
import type { CatalogWriter } from './catalog-writer.js';
import { CollectionRecords } from './collection-records.js';
import type { FieldInterner } from './field-interner.js';
import type { VersionedStore } from './versioned-store.js';

/** What the worker of a staged restore is given (staged-restore-worker.ts). */
export interface StagedRestoreJob {
  /** The new LevelDB directory to write (absent). */
  readonly dir: string;
  /** The entry the snapshot is as of: the new catalog's applied index. */
  readonly index: number;
}

/** This thread to the worker: a snapshot's block to write (compressed, as in the snapshot), or the end. */
export type ToStagedRestoreWorker = { readonly type: 'block'; readonly at: number; readonly block: Uint8Array } | { readonly type: 'end' };
/** The worker to this thread: a block written, or everything (the applied index last) on disk. */
export type FromStagedRestoreWorker = { readonly type: 'written' } | { readonly type: 'done' };

/** Blocks handed to the worker and not yet written: what this thread may run ahead of it by. */
const BLOCKS_AHEAD_MAX = 8;
/** The first byte of the keys a restore's index needs ('root-coord/...'); versions ('snapshots/...') are half the records and not needed. */
const INDEXED_KEY_FIRST_BYTE = 0x72;

/**
 * Replace an on-disk catalog with a big snapshot's (one kept in a file), on two threads: this thread
 * reads the snapshot's blocks, hands each to a worker, which inflates it and writes its records into a
 * staging LevelDB directory beside the catalog's (so LevelDB's per-record calls cost this thread
 * nothing), and inflates it too, to gather the collections for the index. Both inflate on their own
 * thread: 0.35 s each for 200,000 collections, where moving the inflated records (1.1 GB) between
 * threads cost more. Once both are done, the staging
 * directory replaces the catalog's (VersionedStore.replaceWith: a crash leaves the old catalog or the
 * new one, never a mix); until then the old catalog is untouched, and a failure leaves it so. Returns
 * the collections, for the caller to load the index from; null for a snapshot of an earlier format
 * (the caller restores it on this thread).
 */
export async function restoreCatalogStaged(data: SnapshotFile, index: number, store: VersionedStore, writer: CatalogWriter, fields: FieldInterner): Promise<CollectionRecords | null> {
  if (!(await startsWithBlockFormat(data))) return null;
  await writer.flushed();
  const staging = store.stagingPath();
  await rm(staging, { recursive: true, force: true });
  const stage = new StagingWorker({ dir: staging, index });
  const records = new CollectionRecords(fields);
  try {
    for await (const { at, block } of catalogBlocks(snapshotPieces(data))) {
      stage.write(at, block);
      const bytes = inflateBlock(block, at);
      forEachRecord(bytes, `the block at byte ${at}`, (start, keyEnd, end) => {
        if (bytes[start + 8] === INDEXED_KEY_FIRST_BYTE) records.add(bytes.toString('utf8', start + 8, keyEnd), bytes.toString('utf8', keyEnd, end));
      });
      await stage.notTooFarBehind();
    }
    await stage.finish();
  } catch (error) {
    await stage.stop();
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  await store.replaceWith(staging);
  return records;
}

async function startsWithBlockFormat(data: SnapshotFile): Promise<boolean> {
  const reader = await data.open();
  try {
    return isBlockFormat(await reader.read(0, 8));
  } finally {
    await reader.close();
  }
}

/** The worker writing a staging catalog, and the credit this thread has with it. */
class StagingWorker {
  private readonly worker: Worker;
  private outstanding = 0;
  private failure: Error | null = null;
  private done = false;
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(job: StagedRestoreJob) {
    this.worker = new Worker(new URL('./staged-restore-worker.js', import.meta.url), { workerData: job });
    this.worker.on('message', (message: FromStagedRestoreWorker) => {
      if (message.type === 'written') this.outstanding--;
      else this.done = true;
      this.wake();
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the worker writing the restored catalog exited (code ${code}) before it finished`)));
  }

  /** Hand over a snapshot's block (a copy of its kilobytes, moved: posting a view would copy all of the piece it is cut from). */
  write(at: number, block: Buffer): void {
    const copy = new Uint8Array(block);
    this.worker.postMessage({ type: 'block', at, block: copy } satisfies ToStagedRestoreWorker, [copy.buffer]);
    this.outstanding++;
  }

  /** Resolves once the worker has fewer than BLOCKS_AHEAD_MAX blocks left to write. */
  notTooFarBehind(): Promise<void> {
    return this.until(() => this.outstanding < BLOCKS_AHEAD_MAX);
  }

  /** Resolves once the worker has written everything, synced, and closed the directory. */
  async finish(): Promise<void> {
    this.worker.postMessage({ type: 'end' } satisfies ToStagedRestoreWorker);
    await this.until(() => this.done);
    await this.worker.terminate();
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private until(condition: () => boolean): Promise<void> {
    if (this.failure !== null && !this.done) return Promise.reject(this.failure);
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition()) resolve();
        else this.waiters.push({ resolve: check, reject });
      };
      this.waiters.push({ resolve: check, reject });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  private fail(error: Error): void {
    if (this.done || this.failure !== null) return;
    this.failure = error;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }
}
