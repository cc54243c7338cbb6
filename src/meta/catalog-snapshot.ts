import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { promisify } from 'node:util';
import { deflateRaw, deflateRawSync, inflateRaw, inflateRawSync } from 'node:zlib';

/**
 * The catalog as a Raft snapshot: every LevelDB key and value, as `RCSNAP2\n` then blocks of
 * [u32 compressed bytes][deflate-raw of records], each block one batch of up to 1,000 records of
 * [u32 key bytes][u32 value bytes][key][value] (UTF-8, big-endian lengths). Built and read a batch at a
 * time, with the event loop served between them, and never as one string (a JavaScript string stops
 * near 512 MiB); the compression runs on libuv's thread pool, a few blocks at once. A catalog's JSON
 * compresses about five times: the copy made for a joining member, its transfer and its file shrink
 * alike. Snapshots of earlier builds are still read: `RCSNAP1\n` then uncompressed records, or one JSON
 * array of [key, value] pairs.
 */
const MAGIC = Buffer.from('RCSNAP2\n', 'latin1');
const MAGIC_V1 = Buffer.from('RCSNAP1\n', 'latin1');
const BATCH = 1000;
/** No compressed block is larger (a block is 1,000 records; a record's value is at most tens of MiB). */
const BLOCK_BYTES_MAX = 1024 * 1024 * 1024;
/** The encoded snapshot is handed over in pieces of about this size. */
const PIECE_BYTES = 1024 * 1024;
/** Blocks being compressed at once while the next batches are read. */
const DEFLATES_IN_FLIGHT = 4;
/** Blocks inflating at once ahead of the one being decoded. */
const INFLATES_IN_FLIGHT = 3;
const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);
/**
 * zlib's output buffer: each one filled is a round trip between libuv's pool and this thread, and a
 * block inflates to hundreds of kilobytes (with zlib's default 16 KiB, inflating cost 8 times more).
 */
const ZLIB_CHUNK_BYTES = 1024 * 1024;

/** How a snapshot's blocks are compressed and decompressed. */
export interface BlockCodec {
  deflate(records: Buffer): Promise<Buffer>;
  inflate(block: Buffer): Promise<Buffer>;
}

/** On libuv's thread pool, beside this thread's work: what a node uses. */
export const poolCodec: BlockCodec = {
  deflate: (records) => deflate(records, { level: 1 }),
  inflate: (block) => inflate(block, { chunkSize: ZLIB_CHUNK_BYTES }),
};

/**
 * On this thread: the same bytes, ready at a point the caller's code decides rather than when the
 * pool finishes, so that a simulation's seed decides the whole run (the whole-node simulator).
 */
export const inlineCodec: BlockCodec = {
  deflate: async (records) => deflateRawSync(records, { level: 1 }),
  inflate: async (block) => inflateRawSync(block, { chunkSize: ZLIB_CHUNK_BYTES }),
};

export class CatalogSnapshotError extends Error {
  override name = 'CatalogSnapshotError';
}

/** One batch as uncompressed records, leaving out the keys `skip` names. */
function encodeRecords(batch: ReadonlyArray<readonly [string, string]>, skip: (key: string) => boolean): Buffer {
  let bytes = 0;
  for (const [key, value] of batch) if (!skip(key)) bytes += 8 + Buffer.byteLength(key) + Buffer.byteLength(value);
  const chunk = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const [key, value] of batch) {
    if (skip(key)) continue;
    const keyBytes = chunk.write(key, at + 8);
    chunk.writeUInt32BE(keyBytes, at);
    const valueBytes = chunk.write(value, at + 8 + keyBytes);
    chunk.writeUInt32BE(valueBytes, at + 4);
    at += 8 + keyBytes + valueBytes;
  }
  return chunk;
}

/**
 * Encode the entries `batches` yields, leaving out the keys `skip` names (this replica's own, such as
 * its applied index, which the snapshot's metadata carries), as pieces of about PIECE_BYTES, made as
 * they are read: a few blocks compress at once, and the rest of the catalog waits in LevelDB until the
 * reader takes the pieces before them, so a catalog of any size costs a few pieces of memory. Stopping
 * early (return) stops reading the store.
 */
export async function* encodeCatalogSnapshot(batches: AsyncIterable<ReadonlyArray<readonly [string, string]>>, skip: (key: string) => boolean, codec: BlockCodec = poolCodec): AsyncGenerator<Uint8Array> {
  const compressing: Array<Promise<Buffer>> = [];
  let parts: Buffer[] = [MAGIC];
  let bytes = MAGIC.byteLength;
  const add = (block: Buffer): void => {
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(block.byteLength, 0);
    parts.push(length, block);
    bytes += 4 + block.byteLength;
  };
  const take = (): Buffer => {
    const piece = Buffer.concat(parts, bytes);
    parts = [];
    bytes = 0;
    return piece;
  };
  for await (const batch of batches) {
    const records = encodeRecords(batch, skip);
    if (records.byteLength === 0) continue;
    const block = codec.deflate(records);
    // Awaited below, in order; until then a failure must not count as unhandled.
    block.catch(() => {});
    compressing.push(block);
    if (compressing.length <= DEFLATES_IN_FLIGHT) continue;
    add(await (compressing.shift() as Promise<Buffer>));
    if (bytes >= PIECE_BYTES) yield take();
  }
  for (const block of compressing) add(await block);
  yield take();
}

/** Records from `buffer` (whole records only), in batches of at most `BATCH`; `where` names the bytes in errors. */
function* decodeRecords(buffer: Buffer, where: string): Generator<Array<[string, string]>> {
  let at = 0;
  while (at < buffer.byteLength) {
    const batch: Array<[string, string]> = [];
    while (at < buffer.byteLength && batch.length < BATCH) {
      if (at + 8 > buffer.byteLength) throw new CatalogSnapshotError(`truncated record header at byte ${at} of ${where}`);
      const keyBytes = buffer.readUInt32BE(at);
      const valueBytes = buffer.readUInt32BE(at + 4);
      const end = at + 8 + keyBytes + valueBytes;
      if (end > buffer.byteLength) throw new CatalogSnapshotError(`record at byte ${at} of ${where} runs past the end`);
      batch.push([buffer.toString('utf8', at + 8, at + 8 + keyBytes), buffer.toString('utf8', at + 8 + keyBytes, end)]);
      at = end;
    }
    yield batch;
  }
}

/** Reads a stream of pieces as whole runs of bytes, however the pieces cut them. */
class PieceReader {
  private readonly pieces: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  /** Bytes taken so far: the offset in the snapshot of the next one. */
  at = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** The next `n` bytes; fewer only at the end (none: the end). */
  async take(n: number): Promise<Buffer> {
    while (this.buffered < n && !this.ended) {
      const next = await this.source.next();
      if (next.done === true) this.ended = true;
      else if (next.value.byteLength > 0) {
        this.pieces.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
        this.buffered += next.value.byteLength;
      }
    }
    const all = this.pieces.length === 1 ? (this.pieces[0] as Buffer) : Buffer.concat(this.pieces, this.buffered);
    const out = all.subarray(0, Math.min(n, all.byteLength));
    const rest = all.subarray(out.byteLength);
    this.pieces.length = 0;
    if (rest.byteLength > 0) this.pieces.push(rest);
    this.buffered = rest.byteLength;
    this.at += out.byteLength;
    return out;
  }

  /** Everything left, in one buffer (a legacy snapshot, which is read whole). */
  async rest(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let part = await this.take(PIECE_BYTES); part.byteLength > 0; part = await this.take(PIECE_BYTES)) parts.push(part);
    return Buffer.concat(parts);
  }
}

/**
 * The entries of a snapshot, in batches, the event loop served between them; throws CatalogSnapshotError
 * on bad data. The bytes come whole (a test's) or in pieces as they are read from a file: only a few
 * blocks are in memory at once, whatever the catalog's size.
 */
export async function* decodeCatalogSnapshot(data: Uint8Array | AsyncIterable<Uint8Array>, codec: BlockCodec = poolCodec): AsyncGenerator<Array<[string, string]>> {
  const source = data instanceof Uint8Array ? (async function* () { yield data; })() : data;
  const reader = new PieceReader(source[Symbol.asyncIterator]());
  const head = await reader.take(MAGIC.byteLength);
  if (head.byteLength > 0 && head[0] === 0x5b /* '[' */) {
    // A snapshot of an earlier build: one JSON array.
    const entries = JSON.parse(Buffer.concat([head, await reader.rest()]).toString('utf8')) as Array<[string, string]>;
    for (let i = 0; i < entries.length; i += BATCH) yield entries.slice(i, i + BATCH);
    return;
  }
  if (head.equals(MAGIC_V1)) {
    for (const batch of decodeRecords(await reader.rest(), 'the snapshot')) {
      yield batch;
      await yieldToLoop();
    }
    return;
  }
  if (!head.equals(MAGIC)) throw new CatalogSnapshotError('not a catalog snapshot (bad magic)');
  // The next blocks inflate on libuv's pool while this thread decodes one (and its caller works).
  const inflating: Array<{ at: number; records: Promise<Buffer> }> = [];
  let ended = false;
  const inflateNext = async (): Promise<void> => {
    if (ended) return;
    const at = reader.at;
    const header = await reader.take(4);
    if (header.byteLength === 0) {
      ended = true;
      return;
    }
    if (header.byteLength < 4) throw new CatalogSnapshotError(`truncated block header at byte ${at}`);
    const length = header.readUInt32BE(0);
    // A damaged length must not make the reader gather the rest of the snapshot before it fails.
    if (length > BLOCK_BYTES_MAX) throw new CatalogSnapshotError(`block at byte ${at} claims ${length} bytes, more than a block can hold`);
    const block = await reader.take(length);
    if (block.byteLength < length) throw new CatalogSnapshotError(`block at byte ${at} runs past the end`);
    const records = codec.inflate(block);
    // Awaited below, in order; until then a failure must not count as unhandled.
    records.catch(() => {});
    inflating.push({ at, records });
  };
  while (inflating.length < INFLATES_IN_FLIGHT && !ended) await inflateNext();
  for (let block = inflating.shift(); block !== undefined; block = inflating.shift()) {
    let records: Buffer;
    try {
      records = await block.records;
    } catch (error) {
      throw new CatalogSnapshotError(`block at byte ${block.at} does not decompress: ${String(error)}`);
    }
    await inflateNext();
    for (const batch of decodeRecords(records, `the block at byte ${block.at}`)) yield batch;
    await yieldToLoop();
  }
}
