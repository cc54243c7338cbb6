import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A check of every LevelDB table file (`*.ldb`, `*.sst`) of a catalog against the checksums LevelDB
 * wrote into it, made before LevelDB opens the catalog. LevelDB, as classic-level opens it, reads
 * tables without verifying their checksums (ReadOptions.verify_checksums and paranoid_checks are off,
 * and classic-level exposes neither): one flipped bit in a block that still parses (a key or a value
 * stored as a literal of a compressed block, or an uncompressed block) is served as data. Session 35's
 * adversarial test flipped one bit of a collection's name in a table of a stopped follower: it started
 * ready with `c297` in place of `c296`, and, made leader, handed that catalog to a new member.
 *
 * Each block of a table (data, index, meta-index, filter) is followed by a type byte and the masked
 * CRC-32C of its bytes and that type byte (LevelDB's table format, doc/table_format.md). The check
 * reads the footer, then the meta-index and index blocks (decompressing a Snappy one) to find every
 * block, and compares each block's checksum; a block it cannot find (a handle out of the file, a
 * footer without LevelDB's magic number) is damage too. Data blocks are checksummed, not parsed. A
 * table made by a LevelDB this check does not know (a compression other than none and Snappy in an
 * index block) is skipped and named in the result, not refused. The tables of 200,000 collections
 * (63 MB) take 150 to 300 ms at a start on this machine (WasmCrc below).
 */

/** What a check found: the tables and bytes it read, and the tables it could not check (with why). */
export interface TableCheckResult {
  readonly tables: number;
  readonly bytes: number;
  readonly blocks: number;
  readonly skipped: ReadonlyArray<{ readonly file: string; readonly why: string }>;
}

/** A table that fails the check: the file and what is wrong. */
export class TableDamage extends Error {
  override name = 'TableDamage';
  constructor(
    readonly file: string,
    readonly what: string,
  ) {
    super(`table ${file}: ${what}`);
  }
}

/** A table this check cannot read (not damage: a format it does not know). */
class UnknownFormat extends Error {}

/**
 * The catalog changed while it was checked (its CURRENT or MANIFEST): another process has it open
 * (LevelDB's lock is taken only when LevelDB opens it, after the check), and what looked like damage
 * (a table gone) may be its compaction. Not damage.
 */
export class CatalogInUse extends Error {
  override name = 'CatalogInUse';
}

const FOOTER_BYTES = 48;
/** The footer's last 8 bytes, little-endian: 0xdb4775248b80fb57. */
const MAGIC_LOW = 0x8b80fb57;
const MAGIC_HIGH = 0xdb477524;
/** A block's trailer: its compression type (1 byte) and masked CRC-32C (4). */
const TRAILER_BYTES = 5;
const NO_COMPRESSION = 0;
const SNAPPY = 1;
/** LevelDB's mask of stored checksums (crc32c.h). */
const MASK_DELTA = 0xa282ead8;

/** CRC-32C (Castagnoli), slicing by 8: eight 256-entry tables. */
const CRC_TABLES: Int32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  const first = tables[0] as Int32Array;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    first[n] = c;
  }
  for (let t = 1; t < 8; t++) {
    const previous = tables[t - 1] as Int32Array;
    const table = tables[t] as Int32Array;
    for (let n = 0; n < 256; n++) table[n] = (previous[n] as number >>> 8) ^ (first[(previous[n] as number) & 0xff] as number);
  }
  return tables;
})();

const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];

/** The CRC-32C of bytes [start, end) of `bytes`, continuing `crc` (0 to start). */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  let c = ~crc;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ ((bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24));
    c =
      (t7[a & 0xff] as number) ^
      (t6[(a >>> 8) & 0xff] as number) ^
      (t5[(a >>> 16) & 0xff] as number) ^
      (t4[a >>> 24] as number) ^
      (t3[bytes[i + 4] as number] as number) ^
      (t2[bytes[i + 5] as number] as number) ^
      (t1[bytes[i + 6] as number] as number) ^
      (t0[bytes[i + 7] as number] as number);
  }
  for (; i < end; i++) c = (c >>> 8) ^ (t0[(c ^ (bytes[i] as number)) & 0xff] as number);
  return ~c >>> 0;
}

/** LevelDB's masked form of a CRC, as stored in a block's trailer. */
function masked(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/** A reader of varints (LevelDB's and Snappy's) over bytes [at, end). */
class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public at: number,
    readonly end: number,
    private readonly damage: (what: string) => Error,
  ) {}

  /** A varint of up to 64 bits, as a number (exact up to 2^53: offsets and sizes in a file). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw this.damage('a number runs past its block');
      const byte = this.bytes[this.at++] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw this.damage('a number longer than 10 bytes');
  }
}

/** A block's location in its file (BlockHandle: offset and size, without the trailer). */
interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

/** A Snappy block decompressed (the format: google/snappy's format_description.txt). */
export function snappyDecompress(input: Uint8Array, damage: (what: string) => Error): Uint8Array {
  const cursor = new Cursor(input, 0, input.length, damage);
  const length = cursor.varint();
  if (length > 64 * 1024 * 1024) throw damage(`a compressed block says it holds ${length} bytes`);
  const out = new Uint8Array(length);
  let o = 0;
  let i = cursor.at;
  const need = (n: number): void => {
    if (i + n > input.length) throw damage('a compressed block ends inside an element');
  };
  while (i < input.length) {
    const tag = input[i++] as number;
    const kind = tag & 3;
    let size: number;
    let offset: number;
    if (kind === 0) {
      size = tag >>> 2;
      if (size >= 60) {
        const extra = size - 59;
        need(extra);
        size = 0;
        for (let k = 0; k < extra; k++) size += (input[i + k] as number) * 2 ** (8 * k);
        i += extra;
      }
      size += 1;
      need(size);
      if (o + size > length) throw damage('a compressed block holds more than it says');
      if (size > 16) out.set(input.subarray(i, i + size), o);
      else for (let k = 0; k < size; k++) out[o + k] = input[i + k] as number;
      i += size;
      o += size;
      continue;
    }
    if (kind === 1) {
      need(1);
      size = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | (input[i++] as number);
    } else if (kind === 2) {
      need(2);
      size = (tag >>> 2) + 1;
      offset = (input[i] as number) | ((input[i + 1] as number) << 8);
      i += 2;
    } else {
      need(4);
      size = (tag >>> 2) + 1;
      offset = ((input[i] as number) | ((input[i + 1] as number) << 8) | ((input[i + 2] as number) << 16) | ((input[i + 3] as number) << 24)) >>> 0;
      i += 4;
    }
    if (offset === 0 || offset > o) throw damage('a compressed block copies from before its start');
    if (o + size > length) throw damage('a compressed block holds more than it says');
    // Byte by byte when the copy overlaps what it writes (a run) or is short.
    if (offset >= size && size > 16) {
      out.copyWithin(o, o - offset, o - offset + size);
      o += size;
    } else for (let k = 0; k < size; k++, o++) out[o] = out[o - offset] as number;
  }
  if (o !== length) throw damage(`a compressed block holds ${o} bytes, not the ${length} it says`);
  return out;
}

/**
 * Check one table file's blocks; the number of blocks checked. `crcOf(start, end)`: the CRC-32C of
 * bytes [start, end) of `bytes` (WasmCrc's, for bytes in its memory).
 */
export function checkTable(file: string, bytes: Uint8Array, crcOf: (start: number, end: number) => number = (start, end) => crc32c(bytes, start, end)): number {
  const damage = (what: string): TableDamage => new TableDamage(file, what);
  if (bytes.length < FOOTER_BYTES) throw damage(`${bytes.length} bytes, less than a table's footer`);
  const footerAt = bytes.length - FOOTER_BYTES;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(bytes.length - 8, true) !== MAGIC_LOW || view.getUint32(bytes.length - 4, true) !== MAGIC_HIGH) throw damage('its footer does not end with LevelDB\'s magic number');
  const footer = new Cursor(bytes, footerAt, bytes.length - 8, damage);
  const handleAt = (cursor: Cursor): BlockHandle => {
    const offset = cursor.varint();
    const size = cursor.varint();
    if (offset + size + TRAILER_BYTES > footerAt) throw damage(`a block at ${offset} of ${size} bytes runs past the table's blocks (${footerAt} bytes)`);
    return { offset, size };
  };
  const metaIndex = handleAt(footer);
  const index = handleAt(footer);
  // LevelDB pads the two handles with zeros; a bit set there is damage too, if harmless.
  for (let at = footer.at; at < bytes.length - 8; at++) if (bytes[at] !== 0) throw damage(`its footer's padding holds ${bytes[at]} at ${at}: it is damaged`);
  let blocks = 0;
  /** Compare the block's checksum; its compression type once it matches. */
  const verify = (handle: BlockHandle): number => {
    const end = handle.offset + handle.size;
    if (view.getUint32(end + 1, true) !== masked(crcOf(handle.offset, end + 1))) throw damage(`the checksum of the block at ${handle.offset} (${handle.size} bytes) does not match the one LevelDB wrote: it is damaged`);
    blocks++;
    return bytes[end] as number;
  };
  /** The bytes of a block whose checksum matches, decompressed (an index block). */
  const contents = (handle: BlockHandle): Uint8Array => {
    const type = verify(handle);
    const raw = bytes.subarray(handle.offset, handle.offset + handle.size);
    if (type === NO_COMPRESSION) return raw;
    if (type === SNAPPY) return snappyDecompress(raw, damage);
    throw new UnknownFormat(`a block compressed with type ${type}`);
  };
  /** The block handles a block's entries hold as values (block_builder.cc: shared, unshared and value lengths, key delta, value; then the restart array). */
  const handles = (block: Uint8Array): BlockHandle[] => {
    if (block.length < 4) throw damage('a block too short for its restart count');
    const restarts = new DataView(block.buffer, block.byteOffset, block.byteLength).getUint32(block.length - 4, true);
    const entriesEnd = block.length - 4 - 4 * restarts;
    if (restarts === 0 || entriesEnd < 0) throw damage(`a block with ${restarts} restart points`);
    const cursor = new Cursor(block, 0, entriesEnd, damage);
    const out: BlockHandle[] = [];
    while (cursor.at < entriesEnd) {
      cursor.varint();
      const unshared = cursor.varint();
      const valueLength = cursor.varint();
      const valueAt = cursor.at + unshared;
      if (valueAt + valueLength > entriesEnd) throw damage('an entry of a block runs past its end');
      out.push(handleAt(new Cursor(block, valueAt, valueAt + valueLength, damage)));
      cursor.at = valueAt + valueLength;
    }
    return out;
  };
  // The meta-index names the filter block (if any); the index, every data block.
  for (const handle of handles(contents(metaIndex))) verify(handle);
  for (const handle of handles(contents(index))) verify(handle);
  return blocks;
}

/** LevelDB's log format (MANIFEST files are logs): 32 KiB blocks of records with a 7-byte header. */
const LOG_BLOCK_BYTES = 32 * 1024;
const LOG_HEADER_BYTES = 7;
const enum RecordType {
  Zero = 0,
  Full = 1,
  First = 2,
  Middle = 3,
  Last = 4,
}
/** VersionEdit's tags (version_edit.cc). */
const enum Tag {
  Comparator = 1,
  LogNumber = 2,
  NextFileNumber = 3,
  LastSequence = 4,
  CompactPointer = 5,
  DeletedFile = 6,
  NewFile = 7,
  PrevLogNumber = 9,
}

/** The records of a LevelDB log (log_reader.cc), each checked against its checksum. */
function logRecords(bytes: Uint8Array, damage: (what: string) => Error): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let pending: Uint8Array[] | null = null;
  let at = 0;
  while (at < bytes.length) {
    const blockLeft = LOG_BLOCK_BYTES - (at % LOG_BLOCK_BYTES);
    if (blockLeft < LOG_HEADER_BYTES) {
      at += blockLeft;
      continue;
    }
    if (at + LOG_HEADER_BYTES > bytes.length) break;
    const stored = view.getUint32(at, true);
    const length = view.getUint16(at + 4, true);
    const type = bytes[at + 6] as number;
    if (type === RecordType.Zero && length === 0) {
      // Preallocated space: nothing more in this block.
      at += blockLeft;
      continue;
    }
    const dataAt = at + LOG_HEADER_BYTES;
    // A record cut by the end of the file (a write cut short at a crash) is the end, as LevelDB reads
    // it; so is a fragmented record whose last fragment never came (left in `pending`).
    if (dataAt + length > bytes.length) break;
    if (LOG_HEADER_BYTES + length > blockLeft) throw damage(`a record at ${at} runs past its block`);
    if (masked(crc32c(bytes, at + 6, dataAt + length)) !== stored) throw damage(`the checksum of the record at ${at} does not match`);
    const data = bytes.subarray(dataAt, dataAt + length);
    at = dataAt + length;
    if (type === RecordType.Full) records.push(data);
    else if (type === RecordType.First) pending = [data];
    else if (type === RecordType.Middle || type === RecordType.Last) {
      if (pending === null) throw damage(`a record's fragment at ${dataAt - LOG_HEADER_BYTES} without its first`);
      pending.push(data);
      if (type === RecordType.Last) {
        records.push(Buffer.concat(pending));
        pending = null;
      }
    } else throw damage(`a record of type ${type}`);
  }
  return records;
}

/** The live tables (number -> size in bytes) that a MANIFEST's version edits leave. */
export function liveTables(manifest: Uint8Array, damage: (what: string) => Error): Map<number, number> {
  const live = new Map<number, number>();
  for (const record of logRecords(manifest, damage)) {
    const cursor = new Cursor(record, 0, record.length, damage);
    const skipSlice = (): void => {
      const length = cursor.varint();
      if (cursor.at + length > record.length) throw damage('a version edit\'s key runs past its record');
      cursor.at += length;
    };
    while (cursor.at < record.length) {
      const tag = cursor.varint();
      switch (tag) {
        case Tag.Comparator:
          skipSlice();
          break;
        case Tag.LogNumber:
        case Tag.NextFileNumber:
        case Tag.LastSequence:
        case Tag.PrevLogNumber:
          cursor.varint();
          break;
        case Tag.CompactPointer:
          cursor.varint();
          skipSlice();
          break;
        case Tag.DeletedFile:
          cursor.varint();
          live.delete(cursor.varint());
          break;
        case Tag.NewFile: {
          cursor.varint();
          const number = cursor.varint();
          const size = cursor.varint();
          skipSlice();
          skipSlice();
          live.set(number, size);
          break;
        }
        default:
          throw new UnknownFormat(`a version edit with tag ${tag}`);
      }
    }
  }
  return live;
}

/**
 * CRC-32C in WebAssembly (crc32c.wat; to rebuild after a change: `wat2wasm src/meta/crc32c.wat -o - |
 * base64 -w0`, Debian's wabt): compiled to machine code at once, where the JavaScript one above runs in
 * V8's interpreter and baseline tiers first. A start checks every table once, all of it cold: 63 MB of
 * tables (200,000 collections) took 143 ms this way against about 500 ms in JavaScript (session 35).
 * The tables go in the module's memory first (CRC_TABLES), then each table file after them.
 */
const CRC32C_WASM = 'AGFzbQEAAAABCAFgA39/fwF/AwIBAAUDAQABBxMCBm1lbW9yeQIABmNyYzMyYwAACtcBAdQBAQF/IAJBf3MhAgJAA0AgAEEIaiABSw0BIAIgACgCAHMhAyADQf8BcUECdCgCgDggA0EIdkH/AXFBAnQoAoAwcyADQRB2Qf8BcUECdCgCgCggA0EYdkECdCgCgCBzcyAALQAEQQJ0KAKAGCAALQAFQQJ0KAKAEHMgAC0ABkECdCgCgAggAC0AB0ECdCgCAHNzcyECIABBCGohAAwACwsCQANAIAAgAU8NASACQQh2IAIgAC0AAHNB/wFxQQJ0KAIAcyECIABBAWohAAwACwsgAkF/cws=';
const DATA_AT = 8192;

let crcModule: WebAssembly.Module | null = null;

/**
 * Where a check reads each table and how it takes CRCs: WasmCrc, or (where WebAssembly cannot run:
 * `--jitless`, or an address-space limit below what V8 reserves for a module's memory, about 10 GB)
 * a plain buffer and the JavaScript CRC.
 */
interface CrcRegion {
  region(size: number): Uint8Array;
  of(start: number, end: number): number;
}

class JsCrc implements CrcRegion {
  private bytes = new Uint8Array(0);

  region(size: number): Uint8Array {
    if (this.bytes.length < size) this.bytes = new Uint8Array(size);
    return this.bytes.subarray(0, size);
  }

  of(start: number, end: number): number {
    return crc32c(this.bytes, start, end);
  }
}

/** A WasmCrc, or a JsCrc where WebAssembly cannot run (memory that cannot grow for a table: checkLiveTables). */
function crcRegion(): CrcRegion {
  try {
    return new WasmCrc();
  } catch {
    return new JsCrc();
  }
}

class WasmCrc implements CrcRegion {
  private readonly memory: WebAssembly.Memory;
  private readonly crc: (p: number, end: number, crc: number) => number;

  constructor() {
    crcModule ??= new WebAssembly.Module(Buffer.from(CRC32C_WASM, 'base64'));
    const instance = new WebAssembly.Instance(crcModule, {});
    this.memory = instance.exports['memory'] as WebAssembly.Memory;
    this.crc = instance.exports['crc32c'] as (p: number, end: number, crc: number) => number;
    const tables = new Int32Array(this.memory.buffer, 0, DATA_AT / 4);
    CRC_TABLES.forEach((table, k) => tables.set(table, k * 256));
  }

  /** A region of `size` bytes of the module's memory to read a table into (valid until the next call). */
  region(size: number): Uint8Array {
    const need = DATA_AT + size - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65_536));
    return new Uint8Array(this.memory.buffer, DATA_AT, size);
  }

  /** The CRC-32C of bytes [start, end) of the region. */
  of(start: number, end: number): number {
    return this.crc(DATA_AT + start, DATA_AT + end, 0) >>> 0;
  }
}

/** CURRENT's text (null: no CURRENT) and the size of the MANIFEST it names (-1: none): what changes when LevelDB writes a version. */
interface CatalogState {
  readonly current: string | null;
  readonly manifest: string;
  readonly manifestBytes: number;
}

async function catalogState(dir: string): Promise<CatalogState> {
  const current = await readFile(join(dir, 'CURRENT'), 'utf8').catch((error: unknown) => (isNodeError(error) && error.code === 'ENOENT' ? null : Promise.reject(error)));
  const manifest = current?.trim() ?? '';
  const manifestBytes = /^MANIFEST-\d+$/.test(manifest) ? await stat(join(dir, manifest)).then((st) => st.size, () => -1) : -1;
  return { current, manifest, manifestBytes };
}

const sameState = (a: CatalogState, b: CatalogState): boolean => a.current === b.current && a.manifestBytes === b.manifestBytes;

/**
 * The live tables of the LevelDB database in `dir` and their sizes, as `state` finds it: the tables
 * its MANIFEST lists (CURRENT names it). Files that no MANIFEST entry lists (a table a compaction was
 * writing at a crash, which LevelDB deletes at its next open) are left alone. A database this check
 * cannot read (a CURRENT or MANIFEST that does not parse: LevelDB judges those itself when it opens)
 * is skipped; a directory without CURRENT has nothing to check.
 */
async function liveTableFiles(dir: string, state: CatalogState): Promise<{ manifest: string; tables: Map<number, number> } | { skipped: string } | null> {
  // No database yet (VersionedStore.open refuses data files without CURRENT).
  if (state.current === null) return null;
  const { manifest } = state;
  if (state.manifestBytes < 0) return { skipped: `CURRENT names ${JSON.stringify(manifest)}, not a MANIFEST here` };
  try {
    return { manifest, tables: liveTables(await readFile(join(dir, manifest)), (what) => new UnknownFormat(`${manifest}: ${what}`)) };
  } catch (error) {
    if (error instanceof UnknownFormat) return { skipped: error.message };
    throw error;
  }
}

/**
 * Check every live table of the LevelDB database in `dir` (see above and liveTableFiles). Throws
 * TableDamage for a damaged or missing table, or one of another size than its MANIFEST says; an error
 * reading a file is thrown as it is.
 */
export async function checkTables(dir: string): Promise<TableCheckResult> {
  const before = await catalogState(dir);
  try {
    return await checkLiveTables(dir, before);
  } catch (error) {
    // Damage only if nothing else had the catalog open meanwhile: a compaction deletes tables only
    // after it has written a MANIFEST record, so a catalog in use shows here.
    if (!(error instanceof TableDamage) && !isNodeError(error)) throw error;
    if (!sameState(await catalogState(dir), before)) throw new CatalogInUse(`the catalog changed while it was checked (${error instanceof Error ? error.message : String(error)})`);
    throw error;
  }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

async function checkLiveTables(dir: string, state: CatalogState): Promise<TableCheckResult> {
  const live = await liveTableFiles(dir, state);
  if (live === null) return { tables: 0, bytes: 0, blocks: 0, skipped: [] };
  if ('skipped' in live) return { tables: 0, bytes: 0, blocks: 0, skipped: [{ file: dir, why: live.skipped }] };
  let crc = crcRegion();
  let bytes = 0;
  let blocks = 0;
  const skipped: Array<{ file: string; why: string }> = [];
  const openTable = (file: string) => open(join(dir, file), 'r').catch((error: unknown) => (isNodeError(error) && error.code === 'ENOENT' ? null : Promise.reject(error)));
  for (const [number, size] of [...live.tables].sort((a, b) => a[0] - b[0])) {
    const base = String(number).padStart(6, '0');
    let file = `${base}.ldb`;
    let handle = await openTable(file);
    if (handle === null) {
      file = `${base}.sst`;
      handle = await openTable(file);
    }
    if (handle === null) throw new TableDamage(`${base}.ldb`, `${live.manifest} lists it, and it is missing`);
    try {
      const actual = (await handle.stat()).size;
      if (actual !== size) throw new TableDamage(file, `${actual} bytes, where ${live.manifest} says ${size}`);
      let data: Uint8Array;
      try {
        data = crc.region(size);
      } catch {
        // WebAssembly's memory could not grow: the JavaScript CRC from here on.
        crc = new JsCrc();
        data = crc.region(size);
      }
      let got = 0;
      while (got < size) {
        const { bytesRead } = await handle.read(data, got, size - got, got);
        if (bytesRead === 0) throw new TableDamage(file, `ends at ${got} bytes, where ${live.manifest} says ${size}`);
        got += bytesRead;
      }
      bytes += size;
      const region = crc;
      blocks += checkTable(file, data, (start, end) => region.of(start, end));
    } catch (error) {
      if (!(error instanceof UnknownFormat)) throw error;
      skipped.push({ file, why: error.message });
    } finally {
      await handle.close();
    }
  }
  return { tables: live.tables.size, bytes, blocks, skipped };
}
