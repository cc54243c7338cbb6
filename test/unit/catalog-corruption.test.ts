/**
 * A corrupt LevelDB catalog is reported with its path and how to recover, whether LevelDB notices on
 * open or on a read, instead of a bare "Corruption: bad block type".
 */
import { expect } from 'chai';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VersionedStore } from '../../src/meta/versioned-store.js';
import { tempDirEach } from '../raft/fixtures/process-cluster.js';

describe('a corrupt catalog', function () {
  this.timeout(30_000);
  const dir = tempDirEach('rootcoord-catalog-');

  /** A catalog with its data in LevelDB table files (reopened once, so the write-ahead log is flushed). */
  async function catalog(): Promise<string> {
    const path = join(dir(), 'meta');
    const store = await VersionedStore.open(path);
    await store.write(Array.from({ length: 10_000 }, (_, i) => VersionedStore.put(`key-${i}`, 'v'.repeat(100), BigInt(i + 1))).flat());
    await store.close();
    await (await VersionedStore.open(path)).close();
    return path;
  }

  async function failure(run: () => Promise<unknown>): Promise<Error> {
    const outcome = await run().then(
      () => null,
      (error: unknown) => error,
    );
    expect(outcome).to.be.instanceOf(Error);
    return outcome as Error;
  }

  it('a table file that fails on read names the catalog and how to recover', async () => {
    const path = await catalog();
    const tables = (await readdir(path)).filter((n) => n.endsWith('.ldb'));
    expect(tables).to.not.deep.equal([]);
    for (const name of tables) {
      const bytes = await readFile(join(path, name));
      for (let i = 100; i < bytes.byteLength - 100; i += 4096) bytes.fill(0xab, i, i + 64);
      await writeFile(join(path, name), bytes);
    }
    const store = await VersionedStore.open(path);
    try {
      const error = await failure(() => store.dump());
      expect(error.message).to.include(path).and.match(/[Cc]orrupt/).and.match(/scripts\/cluster remove/);
    } finally {
      await store.close();
    }
  });

  it('a catalog LevelDB cannot open names the catalog and how to recover', async () => {
    const path = await catalog();
    await writeFile(join(path, 'CURRENT'), 'MANIFEST-999999\n');
    const error = await failure(() => VersionedStore.open(path));
    expect(error.message).to.include(path).and.match(/scripts\/cluster remove/);
  });
});
