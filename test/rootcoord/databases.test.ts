/** Databases as Milvus users see them: the default database, limits, idempotency, names and properties. */
import { expect } from 'chai';
import type { RootCoordClient } from '../../src/client/root-coord-client.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';

describe('RootCoord databases', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  let client: RootCoordClient;

  before(async () => {
    cluster = await InProcessCluster.start(3, { maxDatabaseNum: 4 });
    client = cluster.client();
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  it('a fresh cluster has the database "default" with id 1, and it cannot be dropped', async () => {
    const dbs = await client.listDatabases();
    expect(dbs['db_names']).to.deep.equal(['default']);
    expect(dbs['db_ids']).to.deep.equal(['1']);
    await expectCode(client.dropDatabase('default'), 65535, /can not drop default database/);
  });

  it('creating a database twice fails with "database already exist"', async () => {
    await client.createDatabase('db_a', { owner: 'me' });
    await expectCode(client.createDatabase('db_a'), 65535, /database already exist: db_a/);
    const described = await client.describeDatabase('db_a');
    expect(described['properties']).to.deep.equal([{ key: 'owner', value: 'me' }]);
  });

  it('the database limit counts the default database (801)', async () => {
    await client.createDatabase('db_b');
    await client.createDatabase('db_c');
    await expectCode(client.createDatabase('db_d'), 801);
    await client.dropDatabase('db_c');
    await client.createDatabase('db_d');
    await client.dropDatabase('db_d');
  });

  it('invalid names are refused with 802', async () => {
    await expectCode(client.createDatabase('1abc'), 802, /first character/);
    await expectCode(client.createDatabase('a-b'), 802);
    await expectCode(client.createDatabase('x'.repeat(256)), 802, /255/);
  });

  it('dropping a missing database succeeds; a non-empty one is refused', async () => {
    await client.dropDatabase('no_such_db');
    await client.createCollection('c1', simpleSchema(), { dbName: 'db_b' });
    await expectCode(client.dropDatabase('db_b'), 65535, /not empty/);
    await client.dropCollection('c1', 'db_b');
    await client.dropDatabase('db_b');
  });

  it('describe of a missing database is 800', async () => {
    await expectCode(client.describeDatabase('nope'), 800);
  });

  it('alter merges and deletes properties; both or neither is an error', async () => {
    await client.alterDatabase('db_a', { a: '1', owner: 'you' });
    expect((await client.describeDatabase('db_a'))['properties']).to.deep.equal([{ key: 'owner', value: 'you' }, { key: 'a', value: '1' }]);
    await client.alterDatabase('db_a', {}, ['owner']);
    expect((await client.describeDatabase('db_a'))['properties']).to.deep.equal([{ key: 'a', value: '1' }]);
    await expectCode(client.alterDatabase('db_a', { x: '1' }, ['a']), 1100);
    await expectCode(client.alterDatabase('db_a', {}, []), 1100);
    await expectCode(client.alterDatabase('nope', { x: '1' }), 800);
  });

  it('replicas end with identical MetaTables', async () => {
    const digests = await cluster.digests();
    expect(new Set(digests).size).to.equal(1);
  });
});
