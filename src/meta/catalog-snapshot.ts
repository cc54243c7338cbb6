import { setImmediate as yieldToLoop } from 'node:timers/promises';

/**
 * The catalog as a Raft snapshot: every LevelDB key and value, as `RCSNAP1\n` then records of
 * [u32 key bytes][u32 value bytes][key][value] (UTF-8, big-endian lengths). Built and read in batches,
 * with the event loop served between them, and never as one string: a catalog of any size (a JavaScript
 * string stops near 512 MiB) snapshots without stalling the node's requests for more than one batch.
 * Snapshots of earlier builds (a JSON array of [key, value] pairs) are still read.
 */
const MAGIC = Buffer.from('RCSNAP1\n', 'latin1');
const BATCH = 1000;

export class CatalogSnapshotError extends Error {
  override name = 'CatalogSnapshotError';
}

/** Encode the entries `batches` yields, leaving out `skip` (the applied index, which the snapshot's metadata carries). */
export async function encodeCatalogSnapshot(batches: AsyncIterable<ReadonlyArray<readonly [string, string]>>, skip: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [MAGIC];
  let total = MAGIC.byteLength;
  for await (const batch of batches) {
    let bytes = 0;
    for (const [key, value] of batch) if (key !== skip) bytes += 8 + Buffer.byteLength(key) + Buffer.byteLength(value);
    const chunk = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (const [key, value] of batch) {
      if (key === skip) continue;
      const keyBytes = chunk.write(key, at + 8);
      chunk.writeUInt32BE(keyBytes, at);
      const valueBytes = chunk.write(value, at + 8 + keyBytes);
      chunk.writeUInt32BE(valueBytes, at + 4);
      at += 8 + keyBytes + valueBytes;
    }
    chunks.push(chunk);
    total += bytes;
  }
  return Buffer.concat(chunks, total);
}

/** The entries of a snapshot, in batches, the event loop served between them; throws CatalogSnapshotError on bad data. */
export async function* decodeCatalogSnapshot(data: Uint8Array): AsyncGenerator<Array<[string, string]>> {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer.byteLength > 0 && buffer[0] === 0x5b /* '[' */) {
    // A snapshot of an earlier build: one JSON array.
    const entries = JSON.parse(buffer.toString('utf8')) as Array<[string, string]>;
    for (let i = 0; i < entries.length; i += BATCH) yield entries.slice(i, i + BATCH);
    return;
  }
  if (buffer.byteLength < MAGIC.byteLength || !buffer.subarray(0, MAGIC.byteLength).equals(MAGIC)) throw new CatalogSnapshotError('not a catalog snapshot (bad magic)');
  let at = MAGIC.byteLength;
  while (at < buffer.byteLength) {
    const batch: Array<[string, string]> = [];
    while (at < buffer.byteLength && batch.length < BATCH) {
      if (at + 8 > buffer.byteLength) throw new CatalogSnapshotError(`truncated record header at byte ${at}`);
      const keyBytes = buffer.readUInt32BE(at);
      const valueBytes = buffer.readUInt32BE(at + 4);
      const end = at + 8 + keyBytes + valueBytes;
      if (end > buffer.byteLength) throw new CatalogSnapshotError(`record at byte ${at} runs past the end`);
      batch.push([buffer.toString('utf8', at + 8, at + 8 + keyBytes), buffer.toString('utf8', at + 8 + keyBytes, end)]);
      at = end;
    }
    yield batch;
    await yieldToLoop();
  }
}
