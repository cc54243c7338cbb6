/**
 * Inputs Milvus refuses and that must not be stored (issue 9 D): unknown consistency levels, integer
 * type params that Go's strconv.ParseInt(s, 10, 64) does not read ("1e3", "0x10", "16.0"), negative
 * num_partitions, and AllocID counts beyond a sane bound.
 */
import { expect } from 'chai';
import type { RootCoordClient } from '../../src/client/root-coord-client.js';
import type { SchemaFile } from '../../src/client/schema-file.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';

const vectors = (dim: string, type = 'FloatVector'): SchemaFile => ({ fields: [{ name: 'id', data_type: 'Int64', is_primary_key: true }, { name: 'v', data_type: type, type_params: { dim } }] });

describe('RootCoord input validation', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  let client: RootCoordClient;

  before(async () => {
    cluster = await InProcessCluster.start(1);
    client = cluster.client({ retryBudgetMs: 0 });
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  const stored = async (): Promise<string[]> => ((await client.showCollections())['collection_names'] as string[]) ?? [];

  it('an unknown consistency level is refused (1100); the five known ones are accepted', async () => {
    for (const level of [5, 99, -1]) await expectCode(client.createCollection('c_level', simpleSchema(), { consistencyLevel: level }), 1100, /consistency level/);
    for (const level of [0, 1, 2, 3, 4]) {
      await client.createCollection(`c_level${level}`, simpleSchema(), { consistencyLevel: level });
      expect((await client.describeCollection(`c_level${level}`))['consistency_level']).to.equal(level);
    }
    await expectCode(client.createCollection('c_prop', simpleSchema(), { properties: { consistency_level: '1e0' } }), 1100, /consistency_level/);
    expect(await stored()).to.not.include.members(['c_level', 'c_prop']);
  });

  it('a dimension or length Go\'s ParseInt(s, 10, 64) does not read is refused as Milvus does (65535, its strconv message)', async () => {
    for (const dim of ['1e3', '0x10', '16.0', ' 16', '', '99999999999999999999']) {
      await expectCode(client.createCollection('c_dim', vectors(dim)), 65535, /strconv\.ParseInt: parsing ".*": (invalid syntax|value out of range)/);
    }
    await expectCode(client.createCollection('c_len', simpleSchema([{ name: 's', data_type: 'VarChar', type_params: { max_length: '1e2' } }])), 65535, /invalid syntax/);
    await client.createCollection('c_dim', vectors('+16'));
    expect(await stored()).to.not.include('c_len');
  });

  it('num_partitions: negative is refused with and without a partition key; nothing is stored', async () => {
    await expectCode(client.createCollection('c_neg', simpleSchema(), { numPartitions: -1 }), 65535, /num_partitions should only be specified with partition key field enabled/);
    const keyed = simpleSchema([{ name: 'cat', data_type: 'VarChar', max_length: 16, is_partition_key: true }]);
    await expectCode(client.createCollection('c_neg_key', keyed, { numPartitions: -3 }), 65535, /greater than 0 if partition key is used/);
    expect(await stored()).to.not.include.members(['c_neg', 'c_neg_key']);
  });

  it('a Float or Double default that is NaN or infinite is refused (1100): the catalog, JSON, could not keep it', async () => {
    for (const [type, value] of [['Float', NaN], ['Double', Infinity], ['Double', -Infinity]] as const) {
      await expectCode(client.createCollection('c_nan', simpleSchema([{ name: 'x', data_type: type, default_value: value }])), 1100, /is not a finite number/);
    }
    await client.createCollection('c_finite', simpleSchema([{ name: 'x', data_type: 'Double', default_value: 1.5 }]));
    const fields = (await client.describeCollection('c_finite'))['schema'] as { fields: Array<{ name: string; default_value: unknown }> };
    expect(fields.fields.find((f) => f.name === 'x')?.default_value).to.deep.include({ double_data: 1.5 });
    expect(await stored()).to.not.include('c_nan');
  });

  it('AllocID refuses more than 1,000,000 IDs in one call (1100)', async () => {
    await expectCode(client.allocId(2 ** 32 - 1), 1100, /1000000/);
    await expectCode(client.allocId(1_000_001), 1100, /1000000/);
    const a = await client.allocId(1_000_000);
    const b = await client.allocId(1);
    expect(BigInt(b.id) - BigInt(a.id)).to.equal(1_000_000n);
  });
});
