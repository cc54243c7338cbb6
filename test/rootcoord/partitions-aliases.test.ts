/** Partitions and aliases: idempotency, the partition limit, the default partition, and the alias matrix. */
import { expect } from 'chai';
import type { RootCoordClient } from '../../src/client/root-coord-client.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';

describe('RootCoord partitions and aliases', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  let client: RootCoordClient;

  before(async () => {
    cluster = await InProcessCluster.start(3, { maxPartitionNum: 4 });
    client = cluster.client();
    await client.createCollection('coll', simpleSchema());
    await client.createCollection('other', simpleSchema());
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  it('a new collection has the partition _default; creating a partition twice succeeds', async () => {
    expect((await client.showPartitions('coll'))['partition_names']).to.deep.equal(['_default']);
    await client.createPartition('coll', 'p1');
    await client.createPartition('coll', 'p1');
    expect((await client.showPartitions('coll'))['partition_names']).to.deep.equal(['_default', 'p1']);
    expect((await client.hasPartition('coll', 'p1'))['value']).to.equal(true);
  });

  it('the partition limit is enforced at maxPartitionNum', async () => {
    await client.createPartition('coll', 'p2');
    await client.createPartition('coll', 'p3');
    await expectCode(client.createPartition('coll', 'p4'), 65535, /partition number \(4\) exceeds max configuration \(4\)/);
  });

  it('dropping _default fails, dropping a missing partition succeeds, a dropped one disappears at once', async () => {
    await expectCode(client.dropPartition('coll', '_default'), 65535, /default partition cannot be deleted/);
    await client.dropPartition('coll', 'nope');
    await client.dropPartition('coll', 'p3');
    expect((await client.showPartitions('coll'))['partition_names']).to.deep.equal(['_default', 'p1', 'p2']);
    expect((await client.hasPartition('coll', 'p3'))['value']).to.equal(false);
  });

  it('partition calls on a missing collection are 100; bad names are 1100', async () => {
    await expectCode(client.createPartition('missing', 'p'), 100);
    await expectCode(client.hasPartition('missing', 'p'), 100);
    await expectCode(client.createPartition('coll', 'bad name!'), 1100);
  });

  it('partition-key collections get _default_0.._default_{n-1} and refuse manual partitions', async () => {
    await client.createCollection('pk', simpleSchema([{ name: 'cat', data_type: 'VarChar', max_length: 16, is_partition_key: true }]), { numPartitions: 3 });
    expect((await client.showPartitions('pk'))['partition_names']).to.deep.equal(['_default_0', '_default_1', '_default_2']);
    await expectCode(client.createPartition('pk', 'manual'), 1100, /partition key/);
  });

  it('alias matrix: conflicts with collection names (1601), other targets (1602), same target is idempotent', async () => {
    await client.createAlias('coll', 'a1');
    await client.createAlias('coll', 'a1');
    await expectCode(client.createAlias('other', 'a1'), 1602, /alias to another collection: coll/);
    await expectCode(client.createAlias('coll', 'other'), 1601);
    await expectCode(client.createAlias('a1', 'a2'), 100);
    await expectCode(client.createAlias('missing', 'a3'), 100);
    await expectCode(client.createAlias('coll', 'a4', 'nodb'), 800);
    await expectCode(client.createCollection('a1', simpleSchema()), 1100, /conflicts with an existing alias/);
  });

  it('aliases resolve in describe and has; describe/list/alter/drop behave as Milvus', async () => {
    expect((await client.describeCollection('a1'))['collection_name']).to.equal('coll');
    expect((await client.describeCollection('coll'))['aliases']).to.deep.equal(['a1']);
    expect((await client.hasCollection('a1'))['value']).to.equal(true);
    expect(await client.describeAlias('a1')).to.deep.include({ alias: 'a1', collection: 'coll', db_name: 'default' });
    await expectCode(client.describeAlias(''), 1101);
    await expectCode(client.describeAlias('nope'), 1600);
    expect((await client.listAliases('coll'))['aliases']).to.deep.equal(['a1']);
    await expectCode(client.listAliases('a1'), 100);
    await expectCode(client.alterAlias('other', 'nope'), 1600);
    await client.alterAlias('other', 'a1');
    expect((await client.describeAlias('a1'))['collection']).to.equal('other');
    await client.dropAlias('a1');
    await client.dropAlias('a1');
    await expectCode(client.describeAlias('a1'), 1600);
    expect((await client.listAliases())['aliases']).to.deep.equal([]);
  });

  it('replicas end with identical MetaTables', async () => {
    expect(new Set(await cluster.digests()).size).to.equal(1);
  });
});
