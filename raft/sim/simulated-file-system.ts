import { basename, dirname, normalize } from 'node:path/posix';
import type { FileSystem, ReadableFile, WritableFile } from '../file-system.js';
import { Prng } from '../prng.js';

/**
 * A simulated disk that promises what a POSIX disk promises at a crash, and no more (the model of ALICE,
 * OSDI 2014, and of TigerBeetle's simulated storage):
 * - a write is durable only after an fsync of its file (an O_DSYNC write is a write, then an fsync);
 *   at a crash, the writes of a file not yet fsynced are lost, kept, or kept in part (a prefix of them,
 *   the last one cut at any byte: a torn write), chosen by a seeded PRNG;
 * - a file's creation, a rename and a removal are durable only after an fsync of the directory; at a
 *   crash each one not yet made durable survives or vanishes on its own;
 * - injected faults at rest: bit flips in what is on disk, read errors.
 * Not modelled: fsynced data lost or reordered, a torn write that leaves holes (out-of-order sectors), a
 * file's size made durable without its data, latent sector errors beyond the injected ones, full disks,
 * and mkdir (durable at once).
 *
 * Every operation resolves without a timer (unless `latency` is given), so a simulation that awaits it
 * stays deterministic. Mutating operations are counted: `crashAfterOps` stops the "process" after that
 * many (the crash-point tests enumerate every point), and `crash()` takes the image that survives.
 */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

type FileOp = { readonly kind: 'write'; readonly offset: number; readonly data: Buffer } | { readonly kind: 'truncate'; readonly length: number };

class Inode {
  private store = Buffer.alloc(0);
  private length = 0;
  pending: FileOp[] = [];

  durableBytes(): Buffer {
    return this.store.subarray(0, this.length);
  }

  apply(op: FileOp): void {
    if (op.kind === 'truncate') {
      if (op.length > this.length) this.grow(op.length);
      this.length = op.length;
      return;
    }
    const end = op.offset + op.data.byteLength;
    if (end > this.length) this.grow(end);
    op.data.copy(this.store, op.offset);
  }

  /** Extend the durable length to `to`, zero-filled. */
  private grow(to: number): void {
    if (to > this.store.byteLength) {
      const next = Buffer.alloc(Math.max(to, this.store.byteLength * 2, 256));
      this.store.copy(next, 0, 0, this.length);
      this.store = next;
    } else {
      this.store.fill(0, this.length, to);
    }
    this.length = to;
  }

  sync(): void {
    for (const op of this.pending) this.apply(op);
    this.pending = [];
  }

  size(): number {
    let size = this.length;
    for (const op of this.pending) size = op.kind === 'truncate' ? op.length : Math.max(size, op.offset + op.data.byteLength);
    return size;
  }

  /** What a read sees now: the durable bytes with the pending writes on top. */
  current(): Buffer {
    if (this.pending.length === 0) return Buffer.from(this.durableBytes());
    const copy = Inode.of(this.durableBytes());
    for (const op of this.pending) copy.apply(op);
    return Buffer.from(copy.durableBytes());
  }

  static of(bytes: Buffer): Inode {
    const inode = new Inode();
    inode.apply({ kind: 'write', offset: 0, data: bytes });
    return inode;
  }

  /** What survives a crash: the durable bytes and, as `choice` says, none, all or a prefix of the pending writes. */
  survivor(choice: CrashChoice, prng: Prng): Inode {
    const next = Inode.of(this.durableBytes());
    const n = this.pending.length;
    if (n === 0 || choice === 'none') return next;
    if (choice === 'all') {
      for (const op of this.pending) next.apply(op);
      return next;
    }
    const mode = prng.intBelow(3);
    if (mode === 0) return next;
    const kept = mode === 1 ? n : prng.intBelow(n);
    for (let i = 0; i < kept; i++) next.apply(this.pending[i] as FileOp);
    const cut = this.pending[kept];
    if (cut !== undefined && cut.kind === 'write' && prng.chance(0.5)) {
      next.apply({ kind: 'write', offset: cut.offset, data: cut.data.subarray(0, prng.intBelow(cut.data.byteLength + 1)) });
    }
    return next;
  }
}

type DirOp =
  | { readonly kind: 'link'; readonly name: string; readonly inode: Inode }
  | { readonly kind: 'unlink'; readonly name: string }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string; readonly inode: Inode };

class Directory {
  durable = new Map<string, Inode>();
  current = new Map<string, Inode>();
  pending: DirOp[] = [];

  static apply(entries: Map<string, Inode>, op: DirOp): void {
    if (op.kind === 'link') entries.set(op.name, op.inode);
    else if (op.kind === 'unlink') entries.delete(op.name);
    else {
      entries.delete(op.from);
      entries.set(op.to, op.inode);
    }
  }

  /** A change to the directory: seen at once, durable once the directory is synced. */
  change(op: DirOp): void {
    Directory.apply(this.current, op);
    this.pending.push(op);
  }

  sync(): void {
    for (const op of this.pending) Directory.apply(this.durable, op);
    this.pending = [];
  }
}

/** At a crash, what becomes of what was not made durable: chosen at random, or all lost, or all kept. */
export type CrashChoice = 'random' | 'none' | 'all';

export interface SimulatedFileSystemOptions {
  /** Decides what survives a crash. */
  readonly seed?: number;
  /** Awaited before each fsync (file or directory) takes effect: virtual time in a whole-node simulation. */
  readonly latency?: () => Promise<void>;
  /** After a crash: throw SimulatedCrash on every call (default), or ignore writes (a dead process's calls reach nothing). */
  readonly afterCrash?: 'throw' | 'ignore';
  /** Keep a description of every mutating operation in `opLog`. */
  readonly recordOps?: boolean;
}

function ioError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

export class SimulatedFileSystem implements FileSystem {
  private readonly dirs = new Map<string, Directory>();
  private readonly prng: Prng;
  private readonly failingReads = new Set<string>();
  /** Mutating operations done so far. */
  ops = 0;
  /** Crash (throw SimulatedCrash, and keep throwing) when this many operations are done and another starts. */
  crashAfterOps: number | null = null;
  /** Each mutating operation, for describing a crash point (with `recordOps`). */
  readonly opLog: string[] = [];
  private dead = false;
  /**
   * Called once, when the next fsync (of a file, an O_DSYNC write's, or a directory's) starts: the
   * moment a crash tears a write in progress. Cleared when called.
   */
  onNextFsync: (() => void) | null = null;

  constructor(private readonly options: SimulatedFileSystemOptions = {}) {
    this.prng = new Prng(options.seed ?? 1);
  }

  get crashed(): boolean {
    return this.dead;
  }

  // ---- the crash model ----

  /** Count one mutating operation; false when a dead process's call is to be ignored. */
  private step(what: string): boolean {
    if (this.dead) {
      if (this.options.afterCrash === 'ignore') return false;
      throw new SimulatedCrash(`the process crashed before ${what}`);
    }
    if (this.crashAfterOps !== null && this.ops >= this.crashAfterOps) {
      this.dead = true;
      if (this.options.afterCrash === 'ignore') return false;
      throw new SimulatedCrash(`crash after ${this.ops} operations, before ${what}`);
    }
    this.ops++;
    if (this.options.recordOps === true) this.opLog.push(what);
    return true;
  }

  private checkAlive(what: string): void {
    if (this.dead && this.options.afterCrash !== 'ignore') throw new SimulatedCrash(`the process crashed before ${what}`);
  }

  /**
   * The process dies now (if it has not already): later calls throw or are ignored. Returns the disk as
   * it is found after a restart (a new file system, alive, with its own seed): only what was durable,
   * plus whatever `choice` keeps of the rest.
   */
  crash(choice: CrashChoice = 'random', seed?: number): SimulatedFileSystem {
    this.dead = true;
    return this.image(choice, seed);
  }

  /** The disk as a crash now would leave it, without stopping this one. */
  image(choice: CrashChoice = 'random', seed?: number): SimulatedFileSystem {
    const prng = seed === undefined ? this.prng : new Prng(seed);
    const next = new SimulatedFileSystem({ ...this.options, seed: prng.nextUint32() });
    const survivors = new Map<Inode, Inode>();
    for (const [path, dir] of this.dirs) {
      const entries = new Map(dir.durable);
      for (const op of dir.pending) if (choice === 'all' || (choice === 'random' && prng.chance(0.5))) Directory.apply(entries, op);
      const copy = new Directory();
      for (const [name, inode] of entries) {
        let survivor = survivors.get(inode);
        if (survivor === undefined) {
          survivor = inode.survivor(choice, prng);
          survivors.set(inode, survivor);
        }
        copy.durable.set(name, survivor);
        copy.current.set(name, survivor);
      }
      next.dirs.set(path, copy);
    }
    return next;
  }

  /** Writes and truncations not yet fsynced (a crash now decides their fate). */
  unsyncedWrites(): number {
    let n = 0;
    for (const dir of this.dirs.values()) for (const inode of new Set(dir.current.values())) n += inode.pending.length;
    return n;
  }

  // ---- faults at rest ----

  /** Flip one bit of a file as it is on disk (durably: a bit rotted at rest). */
  flipBit(path: string, bit: number): void {
    const inode = this.inodeOf(path);
    const bytes = inode.durableBytes();
    const byte = Math.floor(bit / 8);
    if (byte >= bytes.byteLength) throw new Error(`bit ${bit} is past the end of ${path} (${bytes.byteLength} bytes)`);
    bytes[byte] = (bytes[byte] as number) ^ (1 << bit % 8);
  }

  /** Every read of `path` fails with EIO from now on. */
  failReads(path: string): void {
    this.failingReads.add(normalize(path));
  }

  /** The files as they are now, with their sizes (for tests). */
  files(): Array<{ path: string; size: number }> {
    const out: Array<{ path: string; size: number }> = [];
    for (const [dir, d] of this.dirs) for (const [name, inode] of d.current) out.push({ path: `${dir}/${name}`, size: inode.size() });
    return out.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  // ---- FileSystem ----

  private dir(path: string): Directory {
    const dir = this.dirs.get(normalize(path));
    if (dir === undefined) throw ioError('ENOENT', `no such directory ${path}`);
    return dir;
  }

  private inodeOf(path: string): Inode {
    const inode = this.dir(dirname(path)).current.get(basename(path));
    if (inode === undefined) throw ioError('ENOENT', `no such file ${path}`);
    return inode;
  }

  mkdirPrivate(dir: string): Promise<void> {
    this.checkAlive(`mkdir ${dir}`);
    const path = normalize(dir);
    if (!this.dirs.has(path)) this.dirs.set(path, new Directory());
    return Promise.resolve();
  }

  readdir(dir: string): Promise<string[]> {
    try {
      this.checkAlive(`readdir ${dir}`);
      return Promise.resolve([...this.dir(dir).current.keys()]);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  readFile(path: string): Promise<Buffer> {
    try {
      this.checkAlive(`read ${path}`);
      if (this.failingReads.has(normalize(path))) throw ioError('EIO', `read error in ${path}`);
      return Promise.resolve(this.inodeOf(path).current());
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The inode open: removing or replacing its name later does not change what the handle reads. */
  async openRead(path: string): Promise<ReadableFile> {
    this.checkAlive(`open ${path}`);
    const inode = this.inodeOf(path);
    return {
      read: async (position: number, length: number): Promise<Buffer> => {
        this.checkAlive(`read ${path}`);
        if (this.failingReads.has(normalize(path))) throw ioError('EIO', `read error in ${path}`);
        const whole = inode.current();
        return whole.subarray(Math.min(position, whole.byteLength), Math.min(whole.byteLength, position + length));
      },
      close: async () => undefined,
    };
  }

  size(path: string): Promise<number> {
    return this.readFile(path).then((whole) => whole.byteLength);
  }

  private async openFile(path: string, how: 'append' | 'create' | 'existing', dsync: boolean): Promise<WritableFile> {
    const existing = this.dir(dirname(path)).current.get(basename(path));
    if (how === 'existing' && existing === undefined) throw ioError('ENOENT', `no such file ${path}`);
    let inode = existing;
    if (inode === undefined || how === 'create') {
      if (!this.step(`create ${basename(path)}`)) return new SimulatedFile(this, new Inode(), path, false, false);
      if (inode === undefined) {
        inode = new Inode();
        this.dir(dirname(path)).change({ kind: 'link', name: basename(path), inode });
      } else {
        inode.pending.push({ kind: 'truncate', length: 0 });
      }
    }
    return new SimulatedFile(this, inode, path, how === 'append', dsync);
  }

  openAppend(path: string, dsync: boolean): Promise<WritableFile> {
    return this.openFile(path, 'append', dsync);
  }

  create(path: string): Promise<WritableFile> {
    return this.openFile(path, 'create', false);
  }

  openExisting(path: string): Promise<WritableFile> {
    return this.openFile(path, 'existing', false);
  }

  async rename(from: string, to: string): Promise<void> {
    this.checkAlive(`rename ${from}`);
    const inode = this.inodeOf(from);
    if (dirname(normalize(from)) !== dirname(normalize(to))) throw new Error('the simulated disk renames within one directory only');
    if (!this.step(`rename ${basename(from)} ${basename(to)}`)) return;
    this.dir(dirname(from)).change({ kind: 'rename', from: basename(from), to: basename(to), inode });
  }

  async rm(path: string): Promise<void> {
    this.checkAlive(`rm ${path}`);
    const dir = this.dir(dirname(path));
    if (!dir.current.has(basename(path))) return;
    if (!this.step(`rm ${basename(path)}`)) return;
    dir.change({ kind: 'unlink', name: basename(path) });
  }

  private fsyncStarts(): void {
    const hook = this.onNextFsync;
    this.onNextFsync = null;
    hook?.();
  }

  async syncDir(dir: string): Promise<void> {
    this.fsyncStarts();
    await this.options.latency?.();
    if (!this.step(`fsync dir`)) return;
    this.dir(dir).sync();
  }

  /** For SimulatedFile. */
  async fileOp(what: string, action: () => void, durable: boolean): Promise<void> {
    if (durable) {
      this.fsyncStarts();
      await this.options.latency?.();
    }
    if (!this.step(what)) return;
    action();
  }
}

class SimulatedFile implements WritableFile {
  private position = 0;
  private closed = false;

  constructor(
    private readonly fs: SimulatedFileSystem,
    private readonly inode: Inode,
    private readonly path: string,
    private readonly append: boolean,
    private readonly dsync: boolean,
  ) {}

  async write(data: Buffer): Promise<void> {
    if (this.closed) throw new Error(`write to a closed file ${this.path}`);
    if (data.byteLength === 0) return;
    const name = basename(this.path);
    const offset = this.append ? this.inode.size() : this.position;
    // Kept by reference until it is synced or a crash takes it: callers hand over a buffer they do not reuse.
    await this.fs.fileOp(`write ${name} ${offset}+${data.byteLength}`, () => this.inode.pending.push({ kind: 'write', offset, data }), false);
    this.position = offset + data.byteLength;
    if (this.dsync) await this.fs.fileOp(`dsync ${name}`, () => this.inode.sync(), true);
  }

  async writeAt(position: number, data: Buffer): Promise<void> {
    if (this.closed) throw new Error(`write to a closed file ${this.path}`);
    if (data.byteLength === 0) return;
    await this.fs.fileOp(`write ${basename(this.path)} ${position}+${data.byteLength}`, () => this.inode.pending.push({ kind: 'write', offset: position, data }), false);
    if (this.dsync) await this.fs.fileOp(`dsync ${basename(this.path)}`, () => this.inode.sync(), true);
  }

  sync(): Promise<void> {
    return this.fs.fileOp(`fsync ${basename(this.path)}`, () => this.inode.sync(), true);
  }

  truncate(length: number): Promise<void> {
    return this.fs.fileOp(`truncate ${basename(this.path)} ${length}`, () => this.inode.pending.push({ kind: 'truncate', length }), false);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
