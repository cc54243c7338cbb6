import { crc32 } from 'node:zlib';
import { assert } from './assert.js';
import { EntryType } from './types.js';
import type { ConfState, Entry, HardState, SnapshotMetadata } from './types.js';

/**
 * The on-disk record format of the durable log: [u32 payload length][u32 crc32(type + payload)][u8
 * type][payload], little endian. Integers up to 2^53 are stored as two u32 halves.
 */
export enum RecordType {
  Entry = 1,
  HardState = 2,
  /** The log was reset to an installed snapshot at (index, term); earlier entries are void. */
  SnapshotReset = 3,
}

export const RECORD_HEADER_BYTES = 9;
export const RECORD_PAYLOAD_BYTES_MAX = 256 * 1024 * 1024;

export interface DecodedRecord {
  readonly type: RecordType;
  readonly payload: Buffer;
}

function writeU53(buffer: Buffer, value: number, offset: number): void {
  assert(Number.isSafeInteger(value) && value >= 0, `not a u53: ${value}`);
  buffer.writeUInt32LE(Math.floor(value / 0x1_0000_0000), offset);
  buffer.writeUInt32LE(value >>> 0, offset + 4);
}

function readU53(buffer: Buffer, offset: number): number {
  return buffer.readUInt32LE(offset) * 0x1_0000_0000 + buffer.readUInt32LE(offset + 4);
}

export function encodeRecord(type: RecordType, payload: Uint8Array): Buffer {
  assert(payload.byteLength <= RECORD_PAYLOAD_BYTES_MAX, `record of ${payload.byteLength} bytes is too large`);
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.byteLength);
  record.writeUInt32LE(payload.byteLength, 0);
  record.writeUInt8(type, 8);
  record.set(payload, RECORD_HEADER_BYTES);
  record.writeUInt32LE(crc32(record.subarray(8)), 4);
  return record;
}

export type RecordRead =
  | { readonly kind: 'record'; readonly record: DecodedRecord; readonly next: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'bad'; readonly reason: string };

/** Why the bytes at an offset are not a record (negative, so a record's end offset can share the type). */
enum Flaw {
  PartialHeader = -1,
  ImpossibleLength = -2,
  PastEnd = -3,
  UnknownType = -4,
  BadShape = -5,
  BadChecksum = -6,
}

/**
 * The end offset of the whole, well-formed record at `offset` whose checksum matches, else its flaw.
 * Allocates nothing: `findValidRecord` calls it at every byte of a suspect tail.
 */
function checkRecord(data: Buffer, offset: number): number {
  if (data.byteLength - offset < RECORD_HEADER_BYTES) return Flaw.PartialHeader;
  const length = data.readUInt32LE(offset);
  if (length > RECORD_PAYLOAD_BYTES_MAX) return Flaw.ImpossibleLength;
  const end = offset + RECORD_HEADER_BYTES + length;
  if (end > data.byteLength) return Flaw.PastEnd;
  const type = data.readUInt8(offset + 8);
  if (type !== RecordType.Entry && type !== RecordType.HardState && type !== RecordType.SnapshotReset) return Flaw.UnknownType;
  // The shape its type needs is checked before the checksum, which costs more.
  const fits =
    type === RecordType.HardState
      ? length === 24
      : type === RecordType.SnapshotReset
        ? length === 16
        : length >= 17 && (data.readUInt8(offset + RECORD_HEADER_BYTES + 16) as EntryType) in EntryType;
  if (!fits) return Flaw.BadShape;
  if (crc32(data.subarray(offset + 8, end)) !== data.readUInt32LE(offset + 4)) return Flaw.BadChecksum;
  return end;
}

function describeFlaw(flaw: Flaw, data: Buffer, offset: number): string {
  const length = data.byteLength - offset >= 4 ? data.readUInt32LE(offset) : 0;
  switch (flaw) {
    case Flaw.PartialHeader:
      return 'partial header';
    case Flaw.ImpossibleLength:
      return `impossible length ${length}`;
    case Flaw.PastEnd:
      return `record of ${length} bytes runs past the end of the file`;
    case Flaw.UnknownType:
      return `unknown record type ${data.readUInt8(offset + 8)}`;
    case Flaw.BadShape:
      return `a ${RecordType[data.readUInt8(offset + 8)] ?? '?'} record of ${length} bytes is malformed`;
    case Flaw.BadChecksum:
      return 'checksum mismatch';
  }
}

/**
 * Read the record at `offset`: 'bad' when it is cut short by the end of the file, claims an impossible
 * length, is malformed for its type or fails its checksum. Whether a bad record is a torn write or
 * corruption depends on what follows it (see `findValidRecord`).
 */
export function readRecord(data: Buffer, offset: number): RecordRead {
  if (offset === data.byteLength) return { kind: 'end' };
  const end = checkRecord(data, offset);
  if (end < 0) return { kind: 'bad', reason: describeFlaw(end as Flaw, data, offset) };
  return { kind: 'record', record: { type: data.readUInt8(offset + 8) as RecordType, payload: data.subarray(offset + RECORD_HEADER_BYTES, end) }, next: end };
}

/**
 * The offset of the first whole record with a correct checksum at or after `from`, or -1. A write torn
 * by a crash leaves nothing valid after it: a bad record followed by a valid one is corruption.
 */
export function findValidRecord(data: Buffer, from: number): number {
  const size = data.byteLength;
  for (let offset = from; offset + RECORD_HEADER_BYTES <= size; offset++) {
    // A quick look at the length and type first: this runs at every byte of what may be megabytes.
    const type = data[offset + 8] as number;
    if (type !== RecordType.Entry && type !== RecordType.HardState && type !== RecordType.SnapshotReset) continue;
    const length = (data[offset] as number) + (data[offset + 1] as number) * 0x100 + (data[offset + 2] as number) * 0x1_0000 + (data[offset + 3] as number) * 0x100_0000;
    if (offset + RECORD_HEADER_BYTES + length > size) continue;
    if (checkRecord(data, offset) >= 0) return offset;
  }
  return -1;
}

export function encodeEntry(entry: Entry): Buffer {
  const payload = Buffer.allocUnsafe(17 + entry.data.byteLength);
  writeU53(payload, entry.term, 0);
  writeU53(payload, entry.index, 8);
  payload.writeUInt8(entry.type, 16);
  payload.set(entry.data, 17);
  return encodeRecord(RecordType.Entry, payload);
}

/** An entry record's index and term, without its data (decodeEntry copies the data). */
export function entryPosition(payload: Buffer): { index: number; term: number } {
  return { index: readU53(payload, 8), term: readU53(payload, 0) };
}

export function decodeEntry(payload: Buffer): Entry {
  return {
    term: readU53(payload, 0),
    index: readU53(payload, 8),
    type: payload.readUInt8(16) as EntryType,
    data: new Uint8Array(payload.subarray(17)),
  };
}

export function encodeHardState(hs: HardState): Buffer {
  const payload = Buffer.allocUnsafe(24);
  writeU53(payload, hs.term, 0);
  writeU53(payload, hs.vote, 8);
  writeU53(payload, hs.commit, 16);
  return encodeRecord(RecordType.HardState, payload);
}

export function decodeHardState(payload: Buffer): HardState {
  return { term: readU53(payload, 0), vote: readU53(payload, 8), commit: readU53(payload, 16) };
}

export function encodeSnapshotReset(index: number, term: number): Buffer {
  const payload = Buffer.allocUnsafe(16);
  writeU53(payload, index, 0);
  writeU53(payload, term, 8);
  return encodeRecord(RecordType.SnapshotReset, payload);
}

export function decodeSnapshotReset(payload: Buffer): { index: number; term: number } {
  return { index: readU53(payload, 0), term: readU53(payload, 8) };
}

/**
 * A snapshot file: [u32 crc32(rest)][u32 metadata length][metadata JSON][data]. The JSON has
 * `dataInStateMachine: true` for a snapshot recorded without data (its state is the host's state
 * machine, kept durable there; see LogStore.createSnapshot).
 */
export function encodeSnapshotFile(metadata: SnapshotMetadata, data: Uint8Array, dataInStateMachine = false): Buffer {
  const head = encodeSnapshotFileHead(metadata, dataInStateMachine);
  const file = Buffer.concat([head, data]);
  file.writeUInt32LE(crc32(file.subarray(4)), 0);
  return file;
}

/** A snapshot file's head, [u32 crc placeholder][u32 metadata length][metadata JSON]: the data follows, and the crc (see SnapshotFileCrc) fills the placeholder. */
export function encodeSnapshotFileHead(metadata: SnapshotMetadata, dataInStateMachine = false): Buffer {
  const meta = Buffer.from(JSON.stringify(dataInStateMachine ? { ...metadata, dataInStateMachine } : metadata));
  const head = Buffer.alloc(8 + meta.byteLength);
  head.writeUInt32LE(meta.byteLength, 4);
  head.set(meta, 8);
  return head;
}

/** The crc of a snapshot file computed piece by piece as it is written: the head, then each data chunk. */
export class SnapshotFileCrc {
  private value: number;

  constructor(head: Buffer) {
    this.value = crc32(head.subarray(4));
  }

  update(chunk: Uint8Array): void {
    // zlib.crc32 of an empty chunk returns 0 instead of the running value (Node 20.20) when its buffer is empty.
    if (chunk.byteLength > 0) this.value = crc32(chunk, this.value);
  }

  bytes(): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32LE(this.value >>> 0, 0);
    return out;
  }

  /** The checksum so far, as a number. */
  get current(): number {
    return this.value >>> 0;
  }
}

/** A snapshot file's metadata JSON is never longer than this (a membership of thousands of members). */
export const SNAPSHOT_HEAD_BYTES_MAX = 1024 * 1024;

/** The head of a snapshot file whose first bytes are `start` (its checksum not checked); null if it does not fit. */
export function decodeSnapshotFileHead(start: Buffer): { metadata: SnapshotMetadata; dataOffset: number; dataInStateMachine: boolean } | null {
  if (start.byteLength < 8) return null;
  const metaLength = start.readUInt32LE(4);
  if (8 + metaLength > start.byteLength) return null;
  const parsed = JSON.parse(start.subarray(8, 8 + metaLength).toString()) as { index: number; term: number; confState: ConfState; dataInStateMachine?: boolean };
  return {
    metadata: { index: parsed.index, term: parsed.term, confState: { voters: parsed.confState.voters, learners: parsed.confState.learners } },
    dataOffset: 8 + metaLength,
    dataInStateMachine: parsed.dataInStateMachine === true,
  };
}

export function decodeSnapshotFile(file: Buffer): { metadata: SnapshotMetadata; data: Uint8Array; dataInStateMachine: boolean } | null {
  if (file.byteLength < 8 || crc32(file.subarray(4)) !== file.readUInt32LE(0)) return null;
  const head = decodeSnapshotFileHead(file);
  if (head === null) return null;
  return { metadata: head.metadata, data: new Uint8Array(file.subarray(head.dataOffset)), dataInStateMachine: head.dataInStateMachine };
}
