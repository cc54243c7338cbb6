/**
 * The durable log survives restarts byte for byte, truncates a torn last record, refuses to start on
 * corruption before the tail (naming the file and offset), and compacts through snapshots.
 */
import { expect } from 'chai';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage, StorageCorruptionError } from '../../raft/durable-storage.js';
import { EntryType } from '../../raft/types.js';
import type { Entry } from '../../raft/types.js';

function entries(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ term, index: i, type: EntryType.Normal, data: new TextEncoder().encode(`e${i}t${term}`) });
  return out;
}

describe('DurableStorage', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raft-durable-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function segmentFiles(): Promise<string[]> {
    return (await readdir(dir)).filter((n) => n.startsWith('wal-')).sort();
  }

  it('restores entries, hard state and the bootstrap membership after reopening', async () => {
    const a = await DurableStorage.open(dir);
    expect(a.isEmpty()).to.equal(true);
    await a.bootstrap([1, 2, 3]);
    await a.save({ term: 2, vote: 1, commit: 3 }, entries(4, 10, 2), null);
    await a.close();
    const b = await DurableStorage.open(dir);
    expect(b.isEmpty()).to.equal(false);
    expect(b.initialState().hardState).to.deep.equal({ term: 2, vote: 1, commit: 3 });
    expect(b.lastIndex()).to.equal(10);
    expect(b.entries(4, 11, Infinity)).to.deep.equal(entries(4, 10, 2));
    await b.close();
  });

  it('replays an overwritten suffix as the newer entries', async () => {
    const a = await DurableStorage.open(dir);
    await a.save({ term: 1, vote: 0, commit: 0 }, entries(1, 10, 1), null);
    await a.save({ term: 2, vote: 0, commit: 0 }, entries(6, 7, 2), null);
    await a.close();
    const b = await DurableStorage.open(dir);
    expect(b.lastIndex()).to.equal(7);
    expect(b.term(5)).to.equal(1);
    expect(b.term(7)).to.equal(2);
    await b.close();
  });

  it('truncates a torn last record and logs it', async () => {
    const a = await DurableStorage.open(dir);
    await a.save({ term: 1, vote: 0, commit: 0 }, entries(1, 5, 1), null);
    await a.close();
    const [segment] = await segmentFiles();
    const path = join(dir, segment as string);
    const sizeBefore = (await stat(path)).size;
    await appendFile(path, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 1, 9, 9]));
    const warnings: string[] = [];
    const b = await DurableStorage.open(dir, { log: (_level, message) => warnings.push(message) });
    expect(b.lastIndex()).to.equal(5);
    expect(warnings.some((w) => w.includes('torn'))).to.equal(true);
    expect((await stat(path)).size).to.equal(sizeBefore);
    await b.close();
  });

  it('refuses to open when a record before the tail is corrupt, naming the file and offset', async () => {
    const a = await DurableStorage.open(dir);
    await a.save({ term: 1, vote: 0, commit: 0 }, entries(1, 5, 1), null);
    await a.close();
    const [segment] = await segmentFiles();
    const path = join(dir, segment as string);
    const bytes = await readFile(path);
    bytes[60] = (bytes[60] as number) ^ 0xff;
    await writeFile(path, bytes);
    let error: unknown;
    try {
      await DurableStorage.open(dir);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(StorageCorruptionError);
    expect((error as StorageCorruptionError).file).to.equal(path);
    expect((error as StorageCorruptionError).message).to.match(/at offset \d+/);
  });

  it('compacts through a snapshot and deletes segments it no longer needs', async () => {
    const a = await DurableStorage.open(dir, { segmentBytesMax: 200 });
    for (let i = 1; i <= 40; i += 4) await a.save({ term: 1, vote: 0, commit: i + 3 }, entries(i, i + 3, 1), null);
    const before = (await segmentFiles()).length;
    await a.createSnapshot(36, { voters: [1, 2, 3], learners: [] }, new TextEncoder().encode('state@36'), 2);
    expect((await segmentFiles()).length).to.be.below(before);
    expect(a.firstIndex()).to.equal(35);
    await a.close();
    const b = await DurableStorage.open(dir);
    expect(b.snapshot().metadata).to.deep.equal({ index: 36, term: 1, confState: { voters: [1, 2, 3], learners: [] } });
    expect(new TextDecoder().decode(b.snapshot().data)).to.equal('state@36');
    expect(b.lastIndex()).to.equal(40);
    expect(b.entries(37, 41, Infinity)).to.deep.equal(entries(37, 40, 1));
    await b.close();
  });

  it('an installed snapshot discards the conflicting log, also after reopening', async () => {
    const a = await DurableStorage.open(dir);
    await a.save({ term: 1, vote: 0, commit: 2 }, entries(1, 8, 1), null);
    const snapshot = { metadata: { index: 5, term: 3, confState: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array([1]) };
    await a.save({ term: 3, vote: 0, commit: 5 }, entries(6, 6, 3), snapshot);
    expect(a.lastIndex()).to.equal(6);
    await a.close();
    const b = await DurableStorage.open(dir);
    expect(b.snapshot().metadata.index).to.equal(5);
    expect(b.lastIndex()).to.equal(6);
    expect(b.term(6)).to.equal(3);
    await b.close();
  });
});
