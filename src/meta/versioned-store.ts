import type { AbstractBatchOptions, AbstractLevel, AbstractSnapshot } from 'abstract-level';
import { ClassicLevel } from 'classic-level';
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { CORRUPT_MEMBER_RECOVERY } from '../../raft/errors.js';
import { TOMBSTONE, versionKey, versionPrefix } from './catalog-keys.js';
import { CatalogInUse, checkTables, TableDamage } from './leveldb-table-check.js';
import type { TableCheckResult } from './leveldb-table-check.js';

/** A LevelDB-like store with utf8 string keys and values: classic-level on disk, memory-level in simulations. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LevelDb = AbstractLevel<any, string, string>;

/** classic-level: no fsync per batch (the Raft log is the durable record); other stores ignore it. */
const NO_SYNC = { sync: false } as unknown as AbstractBatchOptions<string, string>;
/** classic-level: this batch and every one before it are on disk when the write resolves. */
const SYNC = { sync: true } as unknown as AbstractBatchOptions<string, string>;
/**
 * Iterators read up to 4 MiB per round trip to LevelDB's thread: classic-level stops at 16 KiB by
 * default (about 45 fields), which made a restart of 200,000 collections take 2,200 round trips per
 * 100,000 fields (2.4 s to read a million of them; 1.0 s with this). Other stores ignore the option.
 */
const BULK_READS = { highWaterMarkBytes: 4 * 1024 * 1024 };
/** Entries per batch of forEachLive (fewer round trips than scan's default 1,000). */
const LIVE_BATCH = 10_000;

/** The iterator range of the keys under `prefix` (everything for ''), bulk-read. */
function under(prefix: string): { gte?: string; lt?: string; highWaterMarkBytes: number } {
  return prefix === '' ? { ...BULK_READS } : { gte: prefix, lt: `${prefix}\uffff`, ...BULK_READS };
}

export type StoreOp = { readonly type: 'put'; readonly key: string; readonly value: string } | { readonly type: 'del'; readonly key: string };

/**
 * A catalog operation that LevelDB failed, naming the catalog's directory (LevelDB's own messages, such
 * as "Corruption: bad block type", do not) and, when the data is damaged, how to recover. `code` is
 * LevelDB's (LEVEL_CORRUPTION, LEVEL_IO_ERROR, LEVEL_LOCKED, ...), from the innermost cause.
 */
export class CatalogStorageError extends Error {
  override name = 'CatalogStorageError';
  readonly code: string | undefined;

  constructor(
    readonly path: string,
    operation: string,
    cause: unknown,
  ) {
    const chain: Array<{ message?: unknown; code?: unknown; cause?: unknown }> = [];
    for (let e = cause as { cause?: unknown } | null; typeof e === 'object' && e !== null && chain.length < 8; e = e.cause as typeof e) chain.push(e);
    const codes = chain.map((e) => (typeof e.code === 'string' ? e.code : undefined)).filter((c) => c !== undefined);
    const details = chain.length === 0 ? String(cause) : chain.map((e) => String(e.message)).join(': ');
    const damaged = codes.includes('LEVEL_CORRUPTION') || codes.includes('LEVEL_IO_ERROR');
    const advice = codes.includes('LEVEL_LOCKED') ? ' Is another process using this data directory?' : damaged ? ` ${CORRUPT_MEMBER_RECOVERY}` : '';
    super(`LevelDB catalog ${path}: ${operation} failed: ${details}.${advice}`, { cause });
    this.code = codes[codes.length - 1];
  }

  /** Damage found by rootcoord's own checks (LevelDB opened the catalog without an error). */
  static damaged(path: string, operation: string, what: string): CatalogStorageError {
    return new CatalogStorageError(path, operation, Object.assign(new Error(`Corruption: ${what}`), { code: 'LEVEL_CORRUPTION' }));
  }
}

/**
 * The files that hold a LevelDB database's data, by name. A MANIFEST alone (LevelDB writes it before
 * CURRENT when it makes a database: a first start stopped in between) holds none.
 */
const LEVELDB_DATA_FILE = /^\d+\.(log|ldb|sst)$/;

/**
 * LevelDB's memtable (its default is 4 MiB). A snapshot's restore writes the whole catalog at once
 * (about 250 MB of records at 200,000 collections): with 4 MiB memtables their flushes and the
 * compactions behind them, on the same two cores as the restore's decoding, made the batch writes the
 * restore's bottleneck. With 16 MiB a joiner's restore at 200,000 took 5.4 to 6.1 s against 6.9 to 8.5,
 * and every node of a fill spends less CPU compacting (about 8% less summed over the nodes). 64 MiB
 * costs as much CPU as 4: a longer skip list for every insert (session 39,
 * `docs/bench-runs/2026-12-05-s39-write-buffer/`). The cost: up to twice this in memory (a memtable and
 * the one being flushed), and up to this much of LevelDB's log replayed at a start.
 */
const CATALOG_WRITE_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * The MetaTable's LevelDB, with Milvus's SuffixSnapshot semantics: a write at ts stores the plain key
 * and a versioned copy `snapshots/{key}\\0{ts}` (catalog-keys.ts); a delete stores a tombstone in both; a read at ts finds
 * the newest version at or before it. Writes are collected into one atomic batch per apply.
 */
export class VersionedStore {
  private constructor(
    private readonly db: LevelDb,
    /** Where the database is, for errors. */
    readonly path: string,
    /** What open() found when it checked the tables' checksums, and how long it took (null: a store not opened from a directory). */
    readonly tableCheck: (TableCheckResult & { readonly ms: number }) | null = null,
    /** A read-only view's LevelDB snapshot (snapshotView); null: the store itself. */
    private readonly snapshot: AbstractSnapshot | null = null,
    /** Entries per batch of forEachLive. */
    private readonly liveBatch = LIVE_BATCH,
  ) {}

  /**
   * A read-only view of this store as it is now (reads from a LevelDB snapshot taken by this call),
   * until its `close()`, which closes the snapshot only. Its writes throw. `liveBatch`: entries per
   * batch of its forEachLive (a read beside serving takes smaller ones: each batch is handled at once).
   */
  snapshotView(liveBatch = LIVE_BATCH): VersionedStore {
    return new VersionedStore(this.db, this.path, null, this.db.snapshot(), liveBatch);
  }

  /** A read's options as this store reads: a view's with its snapshot, the store's own as they are. */
  private reads<T extends object>(options: T): T & { snapshot?: AbstractSnapshot } {
    return this.snapshot === null ? options : { ...options, snapshot: this.snapshot };
  }

  /** The iterator range of the keys under `prefix`, read as this store reads. */
  private range(prefix: string): ReturnType<typeof under> & { snapshot?: AbstractSnapshot } {
    return this.reads(under(prefix));
  }

  /** A write on a read-only view is a defect. */
  private writable(): void {
    if (this.snapshot !== null) throw new Error(`catalog ${this.path}: a write on a read-only view of the store`);
  }

  static async open(path: string): Promise<VersionedStore> {
    // The catalog holds every user's password hash: LevelDB makes its files readable by anyone, so its
    // directory is for this user only (also when it was made before).
    await mkdir(path, { recursive: true, mode: 0o700 });
    await chmod(path, 0o700);
    // LevelDB finds a database by its CURRENT file. Without it LevelDB would make a new, empty one in
    // the same directory and replay into it only the write-ahead log's last records (the tables it had
    // written before are left out): a catalog of the latest few writes, with the latest applied index,
    // which Raft would take for the whole one. A new database only where there is none.
    const files = await readdir(path);
    if (!files.includes('CURRENT') && files.some((name) => LEVELDB_DATA_FILE.test(name))) {
      throw CatalogStorageError.damaged(path, 'open', `the directory holds a LevelDB database's data files (${files.filter((name) => LEVELDB_DATA_FILE.test(name)).length}) but no CURRENT file`);
    }
    // LevelDB reads its tables without checking their checksums: a damaged block that still parses
    // would be served as data (leveldb-table-check.ts). Checked before LevelDB opens them: a compaction
    // at its open could copy a damaged block into a new table with a checksum of its own.
    const startedAt = performance.now();
    let tableCheck: TableCheckResult;
    try {
      tableCheck = await checkTables(path);
    } catch (error) {
      if (error instanceof TableDamage) throw CatalogStorageError.damaged(path, 'check', error.message);
      if (error instanceof CatalogInUse) throw new CatalogStorageError(path, 'check', Object.assign(new Error(error.message), { code: 'LEVEL_LOCKED' }));
      throw new CatalogStorageError(path, 'check', error);
    }
    const ms = Math.round(performance.now() - startedAt);
    const db = new ClassicLevel<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8', writeBufferSize: CATALOG_WRITE_BUFFER_BYTES });
    try {
      await db.open();
    } catch (error) {
      throw new CatalogStorageError(path, 'open', error);
    }
    return new VersionedStore(db, path, { ...tableCheck, ms });
  }

  /** Over an open database of the level family (a whole-node simulation passes a memory-level one). */
  static over(db: LevelDb): VersionedStore {
    return new VersionedStore(db, '(in memory)');
  }

  /** Run a database operation; a failure names the catalog (see CatalogStorageError). */
  private async guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new CatalogStorageError(this.path, operation, error);
    }
  }

  /** Ops that write `value` at `ts` (ts 0: unversioned). */
  static put(key: string, value: string, ts: bigint): StoreOp[] {
    const ops: StoreOp[] = [{ type: 'put', key, value }];
    if (ts > 0n) ops.push({ type: 'put', key: versionKey(key, ts), value });
    return ops;
  }

  static remove(key: string, ts: bigint): StoreOp[] {
    return VersionedStore.put(key, TOMBSTONE, ts);
  }

  /**
   * Write `ops` as one atomic batch. A chained batch: abstract-level's array form copies and checks every
   * operation as an object first, which made it 4 to 5 times slower per operation here.
   */
  /** One atomic batch; with `sync`, it and every batch before it are on disk when this resolves. */
  async write(ops: ReadonlyArray<StoreOp | readonly [string, string]>, sync = false): Promise<void> {
    if (ops.length === 0) return;
    this.writable();
    await this.guarded('write', () => {
      const batch = this.db.batch();
      for (const op of ops) {
        if (!('type' in op)) batch.put(op[0], op[1]);
        else if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
      return batch.write(sync ? SYNC : NO_SYNC);
    });
  }

  async getLatest(key: string): Promise<string | undefined> {
    const value = await this.guarded('read', () => (this.snapshot === null ? this.db.get(key) : this.db.get(key, { snapshot: this.snapshot })));
    return value === undefined || value === TOMBSTONE ? undefined : value;
  }

  /** The value of `key` as of hybrid timestamp `ts`, or undefined if absent or deleted then. */
  async getAt(key: string, ts: bigint): Promise<string | undefined> {
    const prefix = versionPrefix(key);
    return this.guarded('read', async () => {
      for await (const [, value] of this.db.iterator(this.reads({ gte: prefix, lte: versionKey(key, ts), reverse: true, limit: 1 }))) {
        return value === TOMBSTONE ? undefined : value;
      }
      return undefined;
    });
  }

  /** Plain keys under a prefix (including tombstoned ones), in order. */
  async keysWithPrefix(prefix: string): Promise<string[]> {
    const out: string[] = [];
    await this.guarded('read', async () => {
      for await (const key of this.db.keys(this.range(prefix))) out.push(key);
    });
    return out;
  }

  /** Values under a prefix, in key order: live ones only, or with tombstones too. */
  async entriesWithPrefix(prefix: string, withTombstones = false): Promise<Array<[string, string]>> {
    const out: Array<[string, string]> = [];
    await this.guarded('read', async () => {
      for await (const [key, value] of this.db.iterator(this.range(prefix))) {
        if (withTombstones || value !== TOMBSTONE) out.push([key, value]);
      }
    });
    return out;
  }

  /**
   * Every key and value (under `prefix`) as of this call, in batches of about `batchSize`: the LevelDB
   * iterator is made now and reads the snapshot LevelDB takes with it, so writes made while the
   * batches are read are not in them. The caller must read it to the end (that closes the iterator).
   */
  scan(prefix = '', batchSize = 1000): AsyncIterable<Array<[string, string]>> {
    const iterator = this.db.iterator(this.range(prefix));
    const read = (): Promise<Array<[string, string]>> => this.guarded('read', () => iterator.nextv(batchSize) as Promise<Array<[string, string]>>);
    // A read under way while the caller works must not count as an unhandled rejection if it fails: it
    // is awaited (and throws) when the caller asks for the batch.
    const readAhead = (): Promise<Array<[string, string]>> => {
      const promise = read();
      promise.catch(() => undefined);
      return promise;
    };
    return (async function* () {
      // The next batch is read (on libuv's pool) while the caller works on this one.
      let next: Promise<Array<[string, string]>> | null = readAhead();
      try {
        for (;;) {
          const batch: Array<[string, string]> = await next;
          next = null;
          if (batch.length === 0) return;
          next = readAhead();
          yield batch;
        }
      } finally {
        // One read at a time on an iterator: a caller that stopped early waits for the one under way.
        if (next !== null) await next.catch(() => undefined);
        await iterator.close();
      }
    })();
  }

  /** Call `visit` with every live (not deleted) key and value under `prefix`, in key order, read in large batches. */
  async forEachLive(prefix: string, visit: (key: string, value: string) => void): Promise<void> {
    for await (const batch of this.scan(prefix, this.liveBatch)) for (const [key, value] of batch) if (value !== TOMBSTONE) visit(key, value);
  }

  /** Delete every key but `keep` (if given). */
  async clearAllBut(keep?: string): Promise<void> {
    this.writable();
    await this.guarded('write', async () => {
      if (keep === undefined) return this.db.clear();
      await this.db.clear({ lt: keep });
      await this.db.clear({ gt: keep });
    });
  }

  /** Replace everything but `keep` (if given) with what `batches` yields, written in batches as they come. */
  async replaceAllFrom(batches: AsyncIterable<ReadonlyArray<StoreOp | readonly [string, string]>>, keep?: string): Promise<void> {
    await this.clearAllBut(keep);
    // One batch written (on libuv's pool) while the next is decoded; batches land in order.
    let writing: Promise<void> = Promise.resolve();
    for await (const batch of batches) {
      await writing;
      writing = this.write(batch);
      writing.catch(() => undefined);
    }
    await writing;
  }

  /** Compact the keys under `prefix` (their delete markers go); a store that cannot does nothing. */
  async compact(prefix: string): Promise<void> {
    this.writable();
    const db = this.db;
    if (!(db instanceof ClassicLevel)) return;
    const { gte, lt } = under(prefix);
    await this.guarded('compact', () => db.compactRange(gte ?? '', lt ?? '\uffff'));
  }

  /** Every key and value, for a snapshot. */
  async dump(): Promise<Array<[string, string]>> {
    const out: Array<[string, string]> = [];
    await this.guarded('read', async () => {
      for await (const entry of this.db.iterator(this.range(''))) out.push(entry);
    });
    return out;
  }

  async close(): Promise<void> {
    if (this.snapshot !== null) return this.snapshot.close();
    await this.db.close();
  }
}
