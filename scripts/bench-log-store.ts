/**
 * Chooses the durable log's backing store by measurement: synced appends of one entry and of batches of
 * 100, through the segment-file log (DurableStorage) and through classic-level (LevelDB) with sync.
 *   npm run bench:log-store
 */
import { ClassicLevel } from 'classic-level';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../raft/durable-storage.js';
import { EntryType } from '../raft/types.js';
import type { Entry } from '../raft/types.js';
import { encodeEntry } from '../raft/wal-codec.js';

const ROUNDS = 2000;
const BATCH = 100;

function median(xs: number[]): number {
  return xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
}

function batch(first: number, count: number): Entry[] {
  return Array.from({ length: count }, (_, i) => ({ term: 1, index: first + i, type: EntryType.Normal, data: new Uint8Array(128) }));
}

async function timeIt(rounds: number, action: (round: number) => Promise<void>): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = process.hrtime.bigint();
    await action(round);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(samples);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'log-store-bench-'));
  try {
    const segments = await DurableStorage.open(join(dir, 'segments'));
    let next = 1;
    const segmentOne = await timeIt(ROUNDS, async () => {
      await segments.save({ term: 1, vote: 0, commit: 0 }, batch(next, 1), null);
      next += 1;
    });
    const segmentBatch = await timeIt(ROUNDS / 10, async () => {
      await segments.save({ term: 1, vote: 0, commit: 0 }, batch(next, BATCH), null);
      next += BATCH;
    });
    await segments.close();

    const db = new ClassicLevel<Buffer, Buffer>(join(dir, 'leveldb'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    const key = (index: number): Buffer => {
      const k = Buffer.alloc(8);
      k.writeBigUInt64BE(BigInt(index));
      return k;
    };
    next = 1;
    const levelOne = await timeIt(ROUNDS, async () => {
      const e = batch(next, 1)[0] as Entry;
      await db.put(key(e.index), encodeEntry(e), { sync: true });
      next += 1;
    });
    const levelBatch = await timeIt(ROUNDS / 10, async () => {
      await db.batch(batch(next, BATCH).map((e) => ({ type: 'put' as const, key: key(e.index), value: encodeEntry(e) })), { sync: true });
      next += BATCH;
    });
    await db.close();
    console.log(JSON.stringify({
      medianMs: {
        segmentFilesOneEntry: Number(segmentOne.toFixed(3)),
        segmentFilesBatchOf100: Number(segmentBatch.toFixed(3)),
        classicLevelOneEntry: Number(levelOne.toFixed(3)),
        classicLevelBatchOf100: Number(levelBatch.toFixed(3)),
      },
    }, null, 2));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
