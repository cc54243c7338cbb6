import { constants } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * The handful of file-system operations DurableStorage uses: a port, so the same storage code runs on
 * the real disk (NodeFileSystem, the default) and on a simulated one (SimulatedFileSystem, for tests and
 * the simulators) that models what a disk promises at a crash and nothing more.
 */
export interface FileSystem {
  /** Create the directory (and its parents) if missing, and make it private (0700) either way. */
  mkdirPrivate(dir: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  readFile(path: string): Promise<Buffer>;
  /** A file's size in bytes. */
  size(path: string): Promise<number>;
  /**
   * Open a file for reading: what it holds now stays readable through the handle until it is closed,
   * even if the file is removed or another is renamed over its name meanwhile.
   */
  openRead(path: string): Promise<ReadableFile>;
  /**
   * Open for appending, creating the file (0600) if missing. With `dsync` (O_DSYNC) every write is
   * durable, data and size, when it resolves: a write and an fsync in one system call. The directory
   * entry of a new file is durable only once its directory is synced.
   */
  openAppend(path: string, dsync: boolean): Promise<WritableFile>;
  /** Create or empty a file (0600) and open it for writing from its start. */
  create(path: string): Promise<WritableFile>;
  /** Open an existing file for writing (to truncate it). */
  openExisting(path: string): Promise<WritableFile>;
  /** Durable only once the directory is synced. */
  rename(from: string, to: string): Promise<void>;
  /** Remove a file if it exists; durable only once the directory is synced. */
  rm(path: string): Promise<void>;
  /** fsync of the directory: the entries created, renamed and removed in it so far become durable. */
  syncDir(dir: string): Promise<void>;
}

export interface ReadableFile {
  /** `length` bytes from `position` (fewer at the end). */
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface WritableFile {
  /** Write all of `data` (at the end for an append file, else at the current position). */
  write(data: Buffer): Promise<void>;
  /** Overwrite bytes already written, at `position` (the file's position does not move). */
  writeAt(position: number, data: Buffer): Promise<void>;
  /** fsync: the data written so far and the file's size become durable. */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

class NodeFile implements WritableFile {
  constructor(private readonly handle: FileHandle) {}

  async write(data: Buffer): Promise<void> {
    let written = 0;
    while (written < data.byteLength) {
      const { bytesWritten } = await this.handle.write(data, written, data.byteLength - written);
      written += bytesWritten;
    }
  }

  async writeAt(position: number, data: Buffer): Promise<void> {
    let written = 0;
    while (written < data.byteLength) {
      const { bytesWritten } = await this.handle.write(data, written, data.byteLength - written, position + written);
      written += bytesWritten;
    }
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** The real disk, through node:fs. */
export class NodeFileSystem implements FileSystem {
  async mkdirPrivate(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    await chmod(dir, PRIVATE_DIR_MODE);
  }

  readdir(dir: string): Promise<string[]> {
    return readdir(dir);
  }

  readFile(path: string): Promise<Buffer> {
    return readFile(path);
  }

  async openRead(path: string): Promise<ReadableFile> {
    const handle = await open(path, 'r');
    return {
      read: async (position: number, length: number): Promise<Buffer> => {
        const out = Buffer.allocUnsafe(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await handle.read(out, got, length - got, position + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return got === length ? out : out.subarray(0, got);
      },
      close: () => handle.close(),
    };
  }

  async size(path: string): Promise<number> {
    return (await stat(path)).size;
  }

  async openAppend(path: string, dsync: boolean): Promise<WritableFile> {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | (dsync ? constants.O_DSYNC : 0);
    return new NodeFile(await open(path, flags, PRIVATE_FILE_MODE));
  }

  async create(path: string): Promise<WritableFile> {
    return new NodeFile(await open(path, 'w', PRIVATE_FILE_MODE));
  }

  async openExisting(path: string): Promise<WritableFile> {
    return new NodeFile(await open(path, 'r+'));
  }

  rename(from: string, to: string): Promise<void> {
    return rename(from, to);
  }

  rm(path: string): Promise<void> {
    return rm(path, { force: true });
  }

  async syncDir(dir: string): Promise<void> {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

export const nodeFileSystem: FileSystem = new NodeFileSystem();
