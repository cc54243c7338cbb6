/** Every limit a client can hit answers with its coded error, and the node keeps serving afterwards. */
import { expect } from 'chai';
import type { SchemaFileField } from '../../src/client/schema-file.js';
import type { RootCoordClient } from '../../src/client/root-coord-client.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';

describe('RootCoord limits', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  let client: RootCoordClient;

  before(async () => {
    cluster = await InProcessCluster.start(3, { maxCollectionNum: 3, maxFieldNum: 4, maxVectorFieldNum: 2, maxDimension: 64, maxVarCharLength: 100, maxNameLength: 20 });
    client = cluster.client();
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  it('names longer than maxNameLength are refused for collections, partitions, aliases and fields', async () => {
    const long = 'n'.repeat(21);
    await expectCode(client.createCollection(long, simpleSchema()), 1100, /less than 20/);
    await client.createCollection('lim', simpleSchema());
    await expectCode(client.createPartition('lim', long), 1100, /less than 20/);
    await expectCode(client.createAlias('lim', long), 1100, /less than 20/);
    await expectCode(client.createCollection('f', simpleSchema([{ name: long, data_type: 'Int32' }])), 1701, /The length of a field name must be less than 20 characters/);
  });

  it('fields, vector fields, dimensions and VarChar lengths have limits', async () => {
    const many: SchemaFileField[] = [{ name: 'a', data_type: 'Int32' }, { name: 'b', data_type: 'Int32' }, { name: 'c', data_type: 'Int32' }];
    await expectCode(client.createCollection('f1', simpleSchema(many)), 65535, /field's number should be limited to 4/);
    await expectCode(client.createCollection('f2', simpleSchema([{ name: 'v2', data_type: 'FloatVector', dim: 8 }, { name: 'v3', data_type: 'BinaryVector', dim: 8 }])), 65535, /vector field's number should be limited to 2/);
    await expectCode(client.createCollection('f3', { fields: [{ name: 'id', data_type: 'Int64', is_primary_key: true }, { name: 'v', data_type: 'FloatVector', dim: 65 }] }), 65535, /invalid dimension: 65 of field v. float vector dimension should be in range 2 ~ 64/);
    await expectCode(client.createCollection('f4', simpleSchema([{ name: 's', data_type: 'VarChar', max_length: 101 }])), 1100, /\(0, 100\]/);
    await expectCode(client.createCollection('f5', { fields: [{ name: 'id', data_type: 'Int64', is_primary_key: true }, { name: 'b', data_type: 'BinaryVector', dim: 12 }] }), 65535, /binary vector dimension should be multiple of 8/);
  });

  it('the total collection limit answers 102', async () => {
    await client.createCollection('t2', simpleSchema());
    await client.createCollection('t3', simpleSchema());
    await expectCode(client.createCollection('t4', simpleSchema()), 102);
    expect((await client.showCollections())['collection_names']).to.deep.equal(['lim', 't2', 't3']);
  });

  it('unknown names answer their codes: database 800, collection 100, alias 1600', async () => {
    await expectCode(client.showCollections('nodb'), 800);
    await expectCode(client.describeCollection('nope'), 100);
    await expectCode(client.showPartitions('nope'), 100);
    await expectCode(client.describeAlias('nope'), 1600);
    expect((await client.hasCollection('nope'))['value']).to.equal(false);
  });
});
