/**
 * Collections as Milvus users see them: field IDs, idempotent create, shards and channels, limits,
 * schema rules, drop and re-create, time travel, alter, add field and rename.
 */
import { expect } from 'chai';
import type { PlainMessage } from '../../src/api/proto.js';
import type { RootCoordClient } from '../../src/client/root-coord-client.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';

function fieldsOf(described: PlainMessage): Array<[string, string]> {
  return ((described['schema'] as PlainMessage)['fields'] as PlainMessage[]).map((f) => [String(f['fieldID']), String(f['name'])]);
}

describe('RootCoord collections', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  let client: RootCoordClient;

  before(async () => {
    cluster = await InProcessCluster.start(3, { maxCollectionNumPerDB: 12, maxGeneralCapacity: 40 });
    client = cluster.client();
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  it('assigns user field IDs from 100, then $meta, then RowID (0) and Timestamp (1)', async () => {
    await client.createCollection('ids', { ...simpleSchema([{ name: 'title', data_type: 'VarChar', max_length: 64 }]), enable_dynamic_field: true });
    const described = await client.describeCollection('ids');
    expect(fieldsOf(described)).to.deep.equal([['100', 'id'], ['101', 'vec'], ['102', 'title'], ['103', '$meta'], ['0', 'RowID'], ['1', 'Timestamp']]);
    expect(described['shards_num']).to.equal(1);
    expect(described['db_name']).to.equal('default');
    expect(Number(described['created_utc_timestamp'])).to.be.closeTo(Date.now(), 60_000);
  });

  it('creating the same collection twice succeeds with the same ID; different parameters fail', async () => {
    await client.createCollection('twice', simpleSchema());
    const first = await client.describeCollection('twice');
    await client.createCollection('twice', simpleSchema());
    expect((await client.describeCollection('twice'))['collectionID']).to.equal(first['collectionID']);
    await expectCode(client.createCollection('twice', simpleSchema([{ name: 'extra', data_type: 'Int32' }])), 65535, /different parameters/);
  });

  it('shards: 0 means 1, more than 16 fails; vchannels are named {pchannel}_{collectionID}v{i}', async () => {
    await expectCode(client.createCollection('many_shards', simpleSchema(), { shards: 17 }), 65535, /maximum shards's number should be limited to 16/);
    await client.createCollection('two_shards', simpleSchema(), { shards: 2 });
    const d = await client.describeCollection('two_shards');
    const id = String(d['collectionID']);
    const pchannels = d['physical_channel_names'] as string[];
    expect(d['virtual_channel_names']).to.deep.equal(pchannels.map((p, i) => `${p}_${id}v${i}`));
    expect(pchannels.every((p) => /^by-dev-rootcoord-dml_\d+$/.test(p))).to.equal(true);
  });

  it('ShowCollections as columns gives the same collections, IDs and timestamps as the plain answer', async () => {
    const plain = await client.showCollections();
    const columns = await client.showCollectionColumns();
    expect(columns.names).to.deep.equal(plain['collection_names']);
    expect(columns.names.length).to.be.above(2);
    expect([...columns.ids].map(String)).to.deep.equal(plain['collection_ids']);
    expect([...columns.createdTimestamps].map(String)).to.deep.equal(plain['created_timestamps']);
    expect([...columns.createdUtcTimestamps].map(String)).to.deep.equal(plain['created_utc_timestamps']);
    expect(columns.shardsNum).to.deep.equal(plain['shards_num']);
    expect(String(columns.ids[0])).to.equal(String((await client.describeCollection(columns.names[0] as string))['collectionID']));
  });

  it('assigns the least-used DML channels first', async () => {
    const used = new Map<string, number>();
    for (const name of (await client.showCollections())['collection_names'] as string[]) {
      for (const p of (await client.describeCollection(name))['physical_channel_names'] as string[]) used.set(p, (used.get(p) ?? 0) + 1);
    }
    await client.createCollection('spread', simpleSchema(), { shards: 3 });
    const picked = (await client.describeCollection('spread'))['physical_channel_names'] as string[];
    for (const p of picked) expect(used.get(p) ?? 0, `${p} was already used`).to.equal(0);
  });

  // Codes and messages of Milvus's proxy (internal/proxy/task.go createCollectionTask.PreExecute, util.go)
  // and RootCoord (system field names, schema name): docs/milvus-check-codes.md lists them.
  it('rejects schemas that break Milvus rules with Milvus\'s codes', async () => {
    await expectCode(client.createCollection('sys', simpleSchema([{ name: 'RowID', data_type: 'Int64' }])), 1100, /system field/);
    await expectCode(client.createCollection('novec', { fields: [{ name: 'id', data_type: 'Int64', is_primary_key: true }] }), 1100, /vector/);
    await expectCode(client.createCollection('nopk', { fields: [{ name: 'v', data_type: 'FloatVector', dim: 8 }] }), 65535, /^primary key is not specified$/);
    await expectCode(client.createCollection('dim', { fields: [{ name: 'id', data_type: 'Int64', is_primary_key: true }, { name: 'v', data_type: 'FloatVector', dim: 1 }] }), 65535, /invalid dimension: 1. should be in range 2 ~ 32768/);
    await expectCode(client.createCollection('vc', simpleSchema([{ name: 's', data_type: 'VarChar' }])), 65535, /type param\(max_length\) should be specified for varChar field\(s\) of collection vc/);
    await expectCode(client.createCollection('str', simpleSchema([{ name: 's', data_type: 'String' }])), 65535, /string data type not supported yet, please use VarChar type instead/);
    await expectCode(client.createCollection('dup', simpleSchema([{ name: 'vec', data_type: 'Int32' }])), 65535, /duplicated field name vec found/);
    await expectCode(client.createCollection('mismatch', { ...simpleSchema(), name: 'other' }), 1100, /not matches schema name/);
    await expectCode(client.createCollection('bad-name', simpleSchema()), 1100, /Invalid collection name: bad-name.  collection name can only contain numbers, letters and underscores: invalid parameter/);
    await expectCode(client.createCollection('dv', simpleSchema([{ name: 'n', data_type: 'Int8', default_value: 300 }])), 1100, /out of range/);
    // validateFieldName: 1701, merr.WrapErrFieldNameInvalid's message.
    await expectCode(client.createCollection('kw', simpleSchema([{ name: 'like', data_type: 'Int32' }])), 1701, /^Invalid field name: like. like is keyword in milvus.: field name invalid\[field=like\]$/);
    await expectCode(client.createCollection('fn', simpleSchema([{ name: '9lives', data_type: 'Int32' }])), 1701, /The first character of a field name must be an underscore or letter/);
    // validateClusteringKey: a vector key 107 (common.enableVectorClusteringKey is off), a second key 105.
    await expectCode(client.createCollection('ck_vec', { fields: [{ name: 'id', data_type: 'Int64', is_primary_key: true }, { name: 'v', data_type: 'FloatVector', dim: 8, is_clustering_key: true }] }), 107, /^vector clustering key not allowed\[collection=ck_vec\]$/);
    await expectCode(
      client.createCollection('ck_two', simpleSchema([{ name: 'a', data_type: 'Int32', is_clustering_key: true }, { name: 'b', data_type: 'Int32', is_clustering_key: true }])),
      105,
      /^there are more than one clustering key, field name = a, b: illegal collection schema\[collection=ck_two\]$/,
    );
    // Plain errors of the proxy: 65535.
    await expectCode(client.createCollection('pk2', simpleSchema([{ name: 'id2', data_type: 'Int64', is_primary_key: true }])), 65535, /^there are more than one primary key, field name = id, id2$/);
    await expectCode(client.createCollection('pkf', { fields: [{ name: 'id', data_type: 'Float', is_primary_key: true }, { name: 'v', data_type: 'FloatVector', dim: 8 }] }), 65535, /^the data type of primary key should be Int64 or VarChar$/);
    await expectCode(client.createCollection('auto', simpleSchema([{ name: 'n', data_type: 'Int64', autoID: true }])), 65535, /^only one field can speficy AutoID with true, field name = id, n$/);
    await expectCode(client.createCollection('pkey', simpleSchema([{ name: 'k', data_type: 'Float', is_partition_key: true }])), 65535, /^the data type of partition key should be Int64 or VarChar$/);
    await expectCode(client.createCollection('arr', simpleSchema([{ name: 'a', data_type: 'Array', element_type: 'Int32' }])), 65535, /^type param\(max_capacity\) should be specified for array field a of collection arr$/);
    await expectCode(client.createCollection('arr2', simpleSchema([{ name: 'a', data_type: 'Array', element_type: 'Int32', max_capacity: 5000 }])), 65535, /^the maximum capacity specified for a Array should be in \(0, 4096\]$/);
    await expectCode(client.createCollection('arr3', simpleSchema([{ name: 'a', data_type: 'Array', element_type: 'JSON', max_capacity: 5 }])), 65535, /^element type JSON is not supported$/);
    // A schema Milvus refuses that was accepted: a sparse vector with a dim.
    await expectCode(client.createCollection('sparse_dim', simpleSchema([{ name: 'sp', data_type: 'SparseFloatVector', dim: 8 }])), 65535, /^dim should not be specified for sparse vector field sp\(0\)$/);
    await expectCode(client.createAlias('nothing', '1alias'), 1100, /^Invalid collection alias: 1alias.  the first character of a collection alias must be an underscore or letter: invalid parameter$/);
  });

  it('a malformed schema is a coded error and the node keeps serving', async () => {
    const r = await client.call('CreateCollection', { collection_name: 'garbage', schema: Buffer.from([0xff, 0xff, 0xff]) }).catch((e: unknown) => e);
    expect((r as { code: number }).code).to.equal(1100);
    expect((await client.listDatabases())['db_names']).to.include('default');
  });

  it('drop: via an alias or with aliases is refused; a missing one succeeds; the name is reusable at once', async () => {
    await client.createCollection('victim', simpleSchema());
    await client.createAlias('victim', 'victim_alias');
    await expectCode(client.dropCollection('victim_alias'), 65535, /via alias/);
    await expectCode(client.dropCollection('victim'), 65535, /associated aliases \[victim_alias\]/);
    await client.dropAlias('victim_alias');
    const before = BigInt(String((await client.describeCollection('victim'))['collectionID']));
    await client.dropCollection('victim');
    await client.dropCollection('victim');
    expect((await client.hasCollection('victim'))['value']).to.equal(false);
    await client.createCollection('victim', simpleSchema());
    expect(BigInt(String((await client.describeCollection('victim'))['collectionID']))).to.not.equal(before);
  });

  it('time travel: has/describe/show at a timestamp see the catalog as it was', async () => {
    await client.createCollection('traveller', simpleSchema());
    const between = (await client.allocTimestamp()).timestamp;
    await client.dropCollection('traveller');
    expect((await client.hasCollection('traveller'))['value']).to.equal(false);
    expect((await client.hasCollection('traveller', '', between))['value']).to.equal(true);
    expect((await client.describeCollection('traveller', '', between))['collection_name']).to.equal('traveller');
    expect((await client.showCollections('', between))['collection_names']).to.include('traveller');
    await expectCode(client.describeCollection('traveller'), 100);
  });

  it('collection limit per database (102) and general capacity (250)', async () => {
    const client2 = cluster.client();
    await client2.createDatabase('small', { 'database.max.collections': '1' });
    await client2.createCollection('one', simpleSchema(), { dbName: 'small' });
    await expectCode(client2.createCollection('two', simpleSchema(), { dbName: 'small' }), 102);
    // General capacity is Σ partitions × shards over available collections (limit 40 here).
    await client2.createCollection('big1', simpleSchema(), { shards: 16, dbName: 'elsewhere_cap' }).catch(async () => {
      await client2.createDatabase('elsewhere_cap');
      await client2.createCollection('big1', simpleSchema(), { shards: 16, dbName: 'elsewhere_cap' });
    });
    await expectCode(client2.createCollection('big2', simpleSchema(), { shards: 16, dbName: 'elsewhere_cap' }), 250);
    await client2.dropCollection('big1', 'elsewhere_cap');
    client2.close();
  });

  it('alter: properties merge and delete, description and consistency level are attributes', async () => {
    await client.createCollection('alt', simpleSchema());
    await client.alterCollection('alt', { 'collection.ttl.seconds': '60', 'collection.description': 'hello', consistency_level: 'Bounded' });
    const d = await client.describeCollection('alt');
    expect((d['schema'] as PlainMessage)['description']).to.equal('hello');
    expect(d['consistency_level']).to.equal(2);
    expect(d['properties']).to.deep.include({ key: 'collection.ttl.seconds', value: '60' });
    await client.alterCollection('alt', {}, ['collection.ttl.seconds']);
    expect((await client.describeCollection('alt'))['properties']).to.not.deep.include({ key: 'collection.ttl.seconds', value: '60' });
    await expectCode(client.alterCollection('missing', { a: '1' }), 100);
    await expectCode(client.alterCollection('alt', { 'dynamicfield.enabled': 'false' }), 1100);
  });

  it('add field: a nullable scalar gets ID max + 1; a vector or non-nullable field is refused', async () => {
    await client.createCollection('grow', simpleSchema());
    await client.addCollectionField('grow', { name: 'extra', data_type: 'Int32', nullable: true });
    expect(fieldsOf(await client.describeCollection('grow'))).to.deep.include(['102', 'extra']);
    await expectCode(client.addCollectionField('grow', { name: 'v2', data_type: 'FloatVector', dim: 4, nullable: true }), 1100);
    await expectCode(client.addCollectionField('grow', { name: 'x', data_type: 'Int32' }), 1100, /nullable/);
  });

  it('rename: within and across databases, refusing aliases and taken names', async () => {
    await client.createCollection('r_old', simpleSchema());
    await client.createCollection('r_taken', simpleSchema());
    await client.createAlias('r_taken', 'r_alias');
    await expectCode(client.renameCollection('r_old', 'r_taken'), 65535, /duplicated new collection name/);
    await expectCode(client.renameCollection('r_old', 'r_alias'), 65535, /existing alias/);
    await expectCode(client.renameCollection('r_alias', 'x'), 65535, /alias to rename/);
    await expectCode(client.renameCollection('r_missing', 'x'), 100);
    await client.renameCollection('r_old', 'r_new');
    expect((await client.hasCollection('r_old'))['value']).to.equal(false);
    expect((await client.hasCollection('r_new'))['value']).to.equal(true);
    await client.createDatabase('elsewhere');
    await client.renameCollection('r_new', 'r_moved', '', 'elsewhere');
    expect((await client.hasCollection('r_moved', 'elsewhere'))['value']).to.equal(true);
    await expectCode(client.renameCollection('r_taken', 'r_x', '', 'elsewhere'), 65535, /drop all aliases/);
    await expectCode(client.renameCollection('r_taken', 'r_x', '', 'nowhere'), 800);
  });

  // Milvus: describe_collection_task.go Execute sets RequestTime to the task's TSO timestamp.
  it('DescribeCollection answers request_time: a fresh TSO timestamp on the leader, no earlier than the DDL it reflects on any node', async () => {
    await client.createCollection('rt', simpleSchema());
    const leaderId = await cluster.waitForServingLeader();
    const updated = BigInt(String((await client.alterCollection('rt', { 'rt.key': '1' }), (await client.describeCollection('rt'))['update_timestamp'])));
    for (const id of [1, 2, 3]) {
      const one = cluster.client({ endpoints: [cluster.address(id)] });
      try {
        const first = BigInt(String((await one.describeCollection('rt'))['request_time']));
        const second = BigInt(String((await one.describeCollection('rt'))['request_time']));
        expect(first > updated, `node ${id}: ${first} after the alter at ${updated}`).to.equal(true);
        if (id === leaderId) expect(second > first, 'the leader allocates a new timestamp per describe').to.equal(true);
        else expect(second >= first).to.equal(true);
      } finally {
        one.close();
      }
    }
  });

  it('DDL sent to a follower is forwarded to the leader', async () => {
    const leader = await cluster.waitForServingLeader();
    const follower = [...cluster.members.keys()].find((id) => id !== leader) as number;
    const viaFollower = cluster.clientOf(follower);
    await viaFollower.createCollection('via_follower', simpleSchema());
    expect((await viaFollower.hasCollection('via_follower'))['value']).to.equal(true);
    viaFollower.close();
  });

  it("a follower's answer to a forwarded call names the leader, and the client sends its next calls there", async () => {
    const leader = await cluster.waitForServingLeader();
    const follower = [...cluster.members.keys()].find((id) => id !== leader) as number;
    // The follower first in the list: the first call goes there and is forwarded.
    const both = cluster.client({ endpoints: [cluster.address(follower), cluster.address(leader)] });
    const onlyFollower = cluster.clientOf(follower);
    try {
      await both.createCollection('hinted', simpleSchema());
      expect(both.leaderHint, 'the forwarded answer names the leader').to.equal(cluster.address(leader));
      // Answered by the leader itself this time: an answer without a hint.
      await both.allocTimestamp(1);
      expect(both.leaderHint, 'the next call went to the leader directly').to.equal(null);
      // A client that does not know the leader's address keeps calling the follower, which keeps forwarding.
      await onlyFollower.allocTimestamp(1);
      await onlyFollower.allocTimestamp(1);
      expect(onlyFollower.leaderHint).to.equal(cluster.address(leader));
    } finally {
      both.close();
      onlyFollower.close();
    }
  });

  it('replicas end with identical MetaTables', async () => {
    expect(new Set(await cluster.digests()).size).to.equal(1);
  });
});
