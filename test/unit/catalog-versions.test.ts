/**
 * Versioned catalog keys (issue 9 B): the versions of one key are found by a prefix scan, so no other
 * key's versions may fall into that scan, whatever the names; an old-format catalog is rewritten on open.
 */
import { expect } from 'chai';
import { CATALOG_FORMAT, keys } from '../../src/meta/catalog-keys.js';
import type { MetaCommand } from '../../src/meta/commands.js';
import type { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState, ConsistencyLevel, DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME } from '../../src/meta/model.js';
import type { CollectionModel } from '../../src/meta/model.js';
import { memoryLevel, metaOver } from './fixtures/memory-catalog.js';

function collection(id: bigint, name: string): CollectionModel {
  return {
    collectionID: id, dbID: DEFAULT_DB_ID, name, description: '', autoID: false, fields: [], partitions: [],
    virtualChannelNames: [], physicalChannelNames: [], shardsNum: 1, consistencyLevel: ConsistencyLevel.Bounded,
    createTs: 1n, properties: [], enableDynamicField: false, state: CollectionState.Created, updateTs: 1n, numPartitionsHint: 0n,
  };
}

const putAlias = (name: string, collectionID: bigint, ts: bigint): MetaCommand => ({ kind: 'putAlias', ts, alias: { dbID: DEFAULT_DB_ID, name, collectionID, createdTs: ts } });
const FORMAT_KEY = 'rootcoord/catalog-format';
const SHADOW = 'al_ts00000000000000000001';

async function history(meta: MetaTable): Promise<void> {
  await meta.apply(
    [
      { kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } },
      { kind: 'putCollection', ts: 2n, collection: collection(10n, 'c10') },
      { kind: 'putCollection', ts: 3n, collection: collection(11n, 'c11') },
      putAlias(SHADOW, 11n, 5n),
      putAlias('al', 10n, 100n),
      putAlias(SHADOW, 10n, 150n),
      { kind: 'deleteAlias', ts: 200n, dbID: DEFAULT_DB_ID, name: 'al' },
      putAlias('al', 11n, 300n),
    ],
    1,
  );
}

async function aliasesAt(meta: MetaTable, ts: bigint): Promise<string[]> {
  return (await meta.aliasesAt(DEFAULT_DB_ID, ts)).map((a) => `${a.name}->${a.collectionID}`).sort();
}

describe('MetaTable versioned keys', () => {
  it(`reading alias "al" at a past timestamp is never shadowed by alias "${SHADOW}"`, async () => {
    const meta = await metaOver();
    await history(meta);
    await meta.flushed();
    const al = keys.alias(DEFAULT_DB_ID, 'al');
    for (const ts of [4n, 5n, 50n, 99n]) expect(await meta.store.getAt(al, ts), `al at ${ts}`).to.equal(undefined);
    expect(await aliasesAt(meta, 4n)).to.deep.equal([]);
    expect(await aliasesAt(meta, 50n)).to.deep.equal([`${SHADOW}->11`]);
    expect(await aliasesAt(meta, 120n)).to.deep.equal([`al->10`, `${SHADOW}->11`]);
    expect(await aliasesAt(meta, 160n)).to.deep.equal([`al->10`, `${SHADOW}->10`]);
    expect(await aliasesAt(meta, 250n)).to.deep.equal([`${SHADOW}->10`]);
    expect(await aliasesAt(meta, 400n)).to.deep.equal([`al->11`, `${SHADOW}->10`]);
  });

  it('garbage collection keeps each key\'s own latest version, whatever the names', async () => {
    const meta = await metaOver();
    await history(meta);
    await meta.apply([{ kind: 'gcVersions', versionsBeforeTs: 1000n, tombstonesBeforeTs: 0n }], 2);
    await meta.flushed();
    expect(await aliasesAt(meta, 400n)).to.deep.equal([`al->11`, `${SHADOW}->10`]);
    expect(await aliasesAt(meta, 160n)).to.deep.equal([`${SHADOW}->10`]);
    expect(await aliasesAt(meta, 120n)).to.deep.equal([]);
  });

  it('an old-format catalog (versions at `{key}_ts{ts}`) is rewritten on open and reads the same', async () => {
    const db = memoryLevel();
    const meta = await metaOver(db);
    await history(meta);
    await meta.flushed();
    // Rewrite the catalog in the old layout, without the format marker.
    const entries: Array<[string, string]> = [];
    for await (const entry of db.iterator()) entries.push(entry);
    await db.clear();
    for (const [key, value] of entries) {
      if (key === FORMAT_KEY) continue;
      const match = /^snapshots\/(.*)\x00(\d{20})$/.exec(key);
      await db.put(match === null ? key : `snapshots/${match[1] as string}_ts${match[2] as string}`, value);
    }
    expect(await db.get(`snapshots/${keys.alias(DEFAULT_DB_ID, SHADOW)}_ts${'5'.padStart(20, '0')}`)).to.not.equal(undefined);
    const reopened = await metaOver(db);
    for await (const key of db.keys({ gte: 'snapshots/', lt: 'snapshots0' })) expect(key, key).to.match(/\x00\d{20}$/);
    expect(await db.get(FORMAT_KEY)).to.equal(String(CATALOG_FORMAT));
    expect(await aliasesAt(reopened, 50n)).to.deep.equal([`${SHADOW}->11`]);
    expect(await aliasesAt(reopened, 160n)).to.deep.equal([`al->10`, `${SHADOW}->10`]);
    expect(await reopened.digest()).to.equal(await (await metaOver(db)).digest());
  });

  it('a catalog of a newer format is refused with a clear message', async () => {
    const db = memoryLevel();
    await db.open();
    await db.put('rootcoord/catalog-format', '99');
    let error: unknown = null;
    await metaOver(db).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/catalog format 99/);
  });
});
