import { crc32 } from 'node:zlib';
import type { FileSystem } from './file-system.js';

/**
 * A snapshot's bytes kept in a file instead of in memory: `byteLength` bytes of `path` from `offset`
 * (a snapshot file's data after its head, or a snapshot being received). Read a piece at a time, so a
 * snapshot of any size costs one piece of memory to send, store or restore.
 */
export class SnapshotFile {
  constructor(
    readonly fs: FileSystem,
    readonly path: string,
    readonly offset: number,
    readonly byteLength: number,
    /** What the data must checksum to (a storage's snapshot file), checked as it is read whole. */
    readonly check: SnapshotCheck | null = null,
  ) {}

  /**
   * Open it for reading: what it holds now stays readable until `close`, even if compaction removes
   * the file meanwhile (a send or a restore that takes minutes outlives a snapshot or two).
   */
  async open(): Promise<SnapshotReader> {
    const file = await this.fs.openRead(this.path);
    return {
      read: (at, length) => file.read(this.offset + at, Math.max(0, Math.min(length, this.byteLength - at))),
      close: () => file.close(),
    };
  }
}

/**
 * The checksum a snapshot's data must have: crc32 continued from `seed` (the crc of what precedes the
 * data in its file) over every byte of it gives `expected`.
 */
export interface SnapshotCheck {
  readonly seed: number;
  readonly expected: number;
}

/** A snapshot's file no longer holds what was written (the disk changed it). */
export class SnapshotChecksumError extends Error {
  override name = 'SnapshotChecksumError';
}

/** A SnapshotFile open for reading. */
export interface SnapshotReader {
  /** `length` bytes (fewer at the end) from `at`, an offset into the data. */
  read(at: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** A snapshot's bytes: in memory (a small snapshot, a test's) or in a file (a big one). */
export type SnapshotData = Uint8Array | SnapshotFile;

/**
 * What a state machine hands over as its snapshot: all of its bytes, or the bytes in pieces as they are
 * made (written as they come, so the whole never sits in memory).
 */
export type SnapshotSource = Uint8Array | AsyncIterable<Uint8Array>;

/** Pieces read from a snapshot's file, or served from its memory, by this size. */
export const SNAPSHOT_PIECE_BYTES = 1024 * 1024;

/** The bytes of `data` in order, a piece at a time. */
export async function* snapshotPieces(data: SnapshotData, pieceBytes = SNAPSHOT_PIECE_BYTES): AsyncGenerator<Uint8Array> {
  if (!(data instanceof SnapshotFile)) {
    for (let at = 0; at < data.byteLength; at += pieceBytes) yield data.subarray(at, Math.min(data.byteLength, at + pieceBytes));
    return;
  }
  const reader = await data.open();
  const check = data.check;
  let crc = check?.seed ?? 0;
  try {
    // Each piece is handed over once the next is read, and the last once the whole checks out.
    let held: Buffer | null = null;
    for (let at = 0; at < data.byteLength; ) {
      const piece = await reader.read(at, pieceBytes);
      if (piece.byteLength === 0) throw new Error(`snapshot file ${data.path} ends at ${at} of its ${data.byteLength} bytes`);
      // Never empty here (zlib.crc32 of an empty buffer answers 0, not the running value).
      if (check !== null) crc = crc32(piece, crc);
      at += piece.byteLength;
      if (held !== null) yield held;
      held = piece;
    }
    if (check !== null && crc >>> 0 !== check.expected >>> 0) throw new SnapshotChecksumError(`snapshot file ${data.path} fails its checksum: it is not what was written`);
    if (held !== null) yield held;
  } finally {
    await reader.close();
  }
}

/** All of `data` in one buffer: for small snapshots only (tests, simulators), never a node's catalog. */
export function snapshotBytes(data: SnapshotData): Promise<Uint8Array> {
  return data instanceof SnapshotFile ? sourceBytes(snapshotPieces(data)) : Promise.resolve(data);
}

/** All of a state machine's snapshot in one buffer (for a storage that keeps snapshots in memory). */
export async function sourceBytes(source: SnapshotSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  const pieces: Uint8Array[] = [];
  for await (const piece of source) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** The bytes of a snapshot kept in memory (a small one: a simulator's, a test's); throws for one in a file. */
export function bytesInMemory(data: SnapshotData): Uint8Array {
  if (data instanceof SnapshotFile) throw new Error(`snapshot data expected in memory, found in ${data.path}`);
  return data;
}

/** Give up a state machine's snapshot that is not wanted after all: one in pieces stops being made. */
export async function discardSource(source: SnapshotSource): Promise<void> {
  if (source instanceof Uint8Array) return;
  // Reading stops after the first piece, which tells the maker (see the Raft worker's piece queue).
  for await (const piece of source) {
    void piece;
    break;
  }
}
