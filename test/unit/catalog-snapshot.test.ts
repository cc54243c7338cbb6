/**
 * The catalog snapshot (src/meta/catalog-snapshot.ts): built and read in batches, never as one string;
 * a capture is the catalog at the moment it was taken, whatever is applied while its bytes are made;
 * snapshots of earlier builds (one JSON array) still restore; damaged ones are refused with a reason.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '../../raft/file-system.js';
import { SnapshotFile, sourceBytes } from '../../raft/snapshot-data.js';
import { CatalogSnapshotError, decodeCatalogSnapshot, encodeCatalogSnapshot } from '../../src/meta/catalog-snapshot.js';
import type { MetaTable } from '../../src/meta/meta-table.js';
import { CollectionState, ConsistencyLevel, DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME, DataType, FunctionType, PartitionState } from '../../src/meta/model.js';
import type { CollectionModel, FieldModel } from '../../src/meta/model.js';
import { metaOver } from './fixtures/memory-catalog.js';

function collection(id: bigint): CollectionModel {
  return {
    collectionID: id,
    dbID: DEFAULT_DB_ID,
    name: `c${id}`,
    description: 'ünïcødé ✓ 🚀',
    autoID: false,
    fields: [{ fieldID: 100n, name: 'id', is_primary_key: true, description: '', data_type: DataType.Int64, type_params: [], index_params: [], autoID: false, element_type: DataType.None, default_value: null, is_dynamic: false, is_partition_key: false, is_clustering_key: false, nullable: false, is_function_output: false }],
    partitions: [{ partitionID: id * 10n, partitionName: '_default', createdTs: 1n, collectionID: id, state: PartitionState.Created }],
    virtualChannelNames: [],
    physicalChannelNames: [],
    shardsNum: 1,
    consistencyLevel: ConsistencyLevel.Bounded,
    createTs: 1n,
    properties: [],
    enableDynamicField: false,
    state: CollectionState.Created,
    updateTs: 1n,
    numPartitionsHint: 0n,
  } as unknown as CollectionModel;
}

async function filled(count: number): Promise<MetaTable> {
  const meta = await metaOver();
  await meta.apply([{ kind: 'putDatabase', ts: 1n, database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: 0n, properties: [] } }], 1);
  for (let i = 0; i < count; i += 100) {
    const commands = Array.from({ length: Math.min(100, count - i) }, (_, j) => ({ kind: 'putCollection' as const, ts: BigInt(10 + i + j), collection: collection(BigInt(1000 + i + j)) }));
    await meta.apply(commands, meta.appliedIndex + 1);
  }
  return meta;
}

async function collect(data: Uint8Array): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const batch of decodeCatalogSnapshot(data)) out.push(...batch);
  return out;
}

describe('catalog snapshots', () => {
  it('round-trip every key and value, in batches, leaving out the applied index', async () => {
    const entries: Array<[string, string]> = Array.from({ length: 2500 }, (_, i) => [`k/${i}`, `v${'é'.repeat(i % 7)}${i}`]);
    async function* batches(): AsyncGenerator<Array<[string, string]>> {
      for (let i = 0; i < entries.length; i += 700) yield entries.slice(i, i + 700);
      yield [['raft/applied-index', '99']];
    }
    const data = await sourceBytes(encodeCatalogSnapshot(batches(), (key) => key === 'raft/applied-index'));
    expect(await collect(data)).to.deep.equal(entries);
  });

  it('restore a catalog of 3,000 collections to an equal replica', async function () {
    this.timeout(60_000);
    const source = await filled(3000);
    const copy = await metaOver();
    await copy.restore(await source.snapshot(), source.appliedIndex);
    expect(copy.collections.size).to.equal(3000);
    expect(copy.appliedIndex).to.equal(source.appliedIndex);
    expect(await copy.digest()).to.equal(await source.digest());
  });

  it('restore a collection\'s schema functions and struct-array fields (their own keys, as Milvus keeps them)', async () => {
    const source = await filled(1);
    const base = collection(7n);
    const withExtras: CollectionModel = {
      ...base,
      functions: [{ id: 100n, name: 'bm25', description: '', type: FunctionType.BM25, input_field_names: ['id'], input_field_ids: [100n], output_field_names: ['id'], output_field_ids: [100n], params: [] }],
      structArrayFields: [{ fieldID: 101n, name: 'frames', description: '', fields: [{ ...(base.fields[0] as FieldModel), fieldID: 102n, name: 'label', is_primary_key: false, data_type: DataType.Array, element_type: DataType.Int32 }] }],
    };
    await source.apply([{ kind: 'putCollection', ts: 20n, collection: withExtras }], source.appliedIndex + 1);
    const copy = await metaOver();
    await copy.restore(await source.snapshot(), source.appliedIndex);
    const restored = copy.collections.get(7n);
    expect(restored?.functions).to.deep.equal(withExtras.functions);
    expect(restored?.structArrayFields).to.deep.equal(withExtras.structArrayFields);
    expect(copy.collections.get(1000n)).to.not.have.property('functions');
    expect(await copy.digest()).to.equal(await source.digest());
  });

  it('capture the catalog when asked, not what is applied while the bytes are made', async () => {
    const source = await filled(200);
    const produce = await source.snapshotLater();
    const capturedAt = source.appliedIndex;
    await source.apply([{ kind: 'putCollection', ts: 100_000n, collection: collection(9_999n) }], source.appliedIndex + 1);
    await source.flushed();
    const copy = await metaOver();
    const pieces: Uint8Array[] = [];
    for await (const piece of produce()) pieces.push(piece);
    await copy.restore(Buffer.concat(pieces), capturedAt);
    expect(copy.collections.size).to.equal(200);
    expect(copy.collections.has(9_999n)).to.equal(false);
  });

  it('make a big catalog in pieces of about 1 MiB, and read it back however its bytes are cut', async function () {
    this.timeout(60_000);
    // Values that do not compress much: hashes.
    const entries: Array<[string, string]> = Array.from({ length: 50_000 }, (_, i) => [`k/${i}`, createHash('sha256').update(String(i)).digest('base64')]);
    async function* batches(): AsyncGenerator<Array<[string, string]>> {
      for (let i = 0; i < entries.length; i += 1000) yield entries.slice(i, i + 1000);
    }
    const pieces: Uint8Array[] = [];
    for await (const piece of encodeCatalogSnapshot(batches(), () => false)) pieces.push(piece);
    expect(pieces.length).to.be.above(1);
    for (const piece of pieces.slice(0, -1)) expect(piece.byteLength).to.be.within(1024 * 1024, 2 * 1024 * 1024);
    const whole = Buffer.concat(pieces);
    // Cut into pieces of 1 to 5,000 bytes, at every kind of boundary (inside a header, a block).
    let seed = 7;
    async function* cut(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < whole.byteLength; ) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const size = 1 + (seed % 5000);
        yield whole.subarray(at, at + size);
        at += size;
      }
    }
    const out: Array<[string, string]> = [];
    for await (const batch of decodeCatalogSnapshot(cut())) out.push(...batch);
    expect(out).to.deep.equal(entries);
  });

  it('restore a catalog from a snapshot kept in a file, read a piece at a time', async function () {
    this.timeout(60_000);
    const source = await filled(3000);
    const dir = mkdtempSync(join(tmpdir(), 'rootcoord-snapfile-'));
    try {
      const bytes = await source.snapshot();
      // Behind a head of 100 bytes, as in a Raft snapshot file.
      writeFileSync(join(dir, 'snap'), Buffer.concat([Buffer.alloc(100, 1), bytes]));
      const copy = await metaOver();
      await copy.restore(new SnapshotFile(nodeFileSystem, join(dir, 'snap'), 100, bytes.byteLength), source.appliedIndex);
      expect(copy.collections.size).to.equal(3000);
      expect(await copy.digest()).to.equal(await source.digest());
      // A file cut short is refused, not half restored as if whole.
      writeFileSync(join(dir, 'short'), Buffer.concat([Buffer.alloc(100, 1), bytes.subarray(0, bytes.byteLength - 10)]));
      const other = await metaOver();
      const failure = await other.restore(new SnapshotFile(nodeFileSystem, join(dir, 'short'), 100, bytes.byteLength), source.appliedIndex).then(() => null, (error: unknown) => error);
      expect(failure).to.be.instanceOf(Error);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('restore a snapshot of an earlier build (one JSON array)', async () => {
    const source = await filled(50);
    await source.flushed();
    const legacy = new TextEncoder().encode(JSON.stringify((await source.store.dump()).filter(([key]) => key !== 'raft/applied-index')));
    const copy = await metaOver();
    await copy.restore(legacy, source.appliedIndex);
    expect(await copy.digest()).to.equal(await source.digest());
  });

  it('compress the catalog (a catalog of 3,000 collections: several times smaller than its records)', async function () {
    this.timeout(60_000);
    const source = await filled(3000);
    await source.flushed();
    const dump = await source.store.dump();
    const recordBytes = dump.reduce((sum, [key, value]) => sum + 8 + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
    const data = await source.snapshot();
    expect(data.byteLength).to.be.below(recordBytes / 3);
  });

  it('restore a snapshot of the previous binary format (RCSNAP1, uncompressed records)', async () => {
    const source = await filled(50);
    await source.flushed();
    const records = (await source.store.dump()).filter(([key]) => key !== 'raft/applied-index');
    const parts = [Buffer.from('RCSNAP1\n', 'latin1')];
    for (const [key, value] of records) {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(Buffer.byteLength(key), 0);
      head.writeUInt32BE(Buffer.byteLength(value), 4);
      parts.push(head, Buffer.from(key), Buffer.from(value));
    }
    const copy = await metaOver();
    await copy.restore(Buffer.concat(parts), source.appliedIndex);
    expect(await copy.digest()).to.equal(await source.digest());
  });

  it('refuse damaged data with a reason', async () => {
    const data = Buffer.from(await sourceBytes(encodeCatalogSnapshot((async function* () { yield [['a', 'b'] as [string, string]]; })(), () => false)));
    const failure = async (bytes: Uint8Array): Promise<unknown> => collect(bytes).then(() => null, (error: unknown) => error);
    expect(await failure(Buffer.from('garbage'))).to.be.instanceOf(CatalogSnapshotError);
    expect(await failure(data.subarray(0, data.byteLength - 1))).to.be.instanceOf(CatalogSnapshotError);
    const corrupt = Buffer.from(data);
    corrupt.writeUInt32BE(1_000_000, 8);
    expect(String(await failure(corrupt))).to.match(/runs past the end/);
    const scrambled = Buffer.from(data);
    scrambled.fill(0xff, 12);
    expect(String(await failure(scrambled))).to.match(/does not decompress|runs past the end|truncated/);
  });
});
