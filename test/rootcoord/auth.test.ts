/** Client authentication, RBAC enforcement with authorization on (interface.md section 6, spec 3.6), client TLS. */
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RootCoordClient } from '../../src/client/root-coord-client.js';
import type { RootCoordError } from '../../src/client/root-coord-client.js';
import { OperateUserRoleTask, OperateUserRoleType } from '../../src/rbac/tasks/operate-user-role-task.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';

describe('RootCoord authentication and authorization', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  let root: RootCoordClient;
  const opened: RootCoordClient[] = [];
  const as = (user: string, password: string, endpoints?: string[]): RootCoordClient => {
    const c = cluster.client({ user, password, retryBudgetMs: 3000, ...(endpoints === undefined ? {} : { endpoints }) });
    opened.push(c);
    return c;
  };

  before(async () => {
    cluster = await InProcessCluster.start(3, {}, { authorizationEnabled: true, rootPassword: 'root-secret' });
    root = as('root', 'root-secret');
    await root.createCredential('reader', 'reader-pw');
    await root.createCredential('writer', 'writer-pw');
    await root.createCredential('operator', 'operator-pw');
    await root.createDatabase('sales');
    await root.createDatabase('hr');
    await root.createCollection('orders', simpleSchema(), { dbName: 'sales' });
    await root.createCollection('staff', simpleSchema(), { dbName: 'hr' });
  });
  after(async () => {
    for (const c of opened) c.close();
    await cluster.close();
  });

  it('refuses calls without credentials or with wrong ones (1400), except health checks; root uses the configured password', async () => {
    await expectCode(as('', '').listDatabases(), 1400, /missing authorization/);
    await expectCode(as('root', 'Milvus').listDatabases(), 1400, /auth check failure/);
    await expectCode(as('nobody', 'whatever').listDatabases(), 1400);
    const states = await as('', '').call('GetComponentStates');
    expect((states['state'] as { state_code: number }).state_code).to.equal(1);
    expect((await root.listDatabases())['db_names']).to.deep.equal(['default', 'sales', 'hr']);
  });

  it('a user without grants may do only what public may; each grant opens exactly its call, on its object', async () => {
    const writer = as('writer', 'writer-pw');
    await expectCode(writer.createCollection('c1', simpleSchema(), { dbName: 'sales' }), 1401, /CreateCollection/);
    await expectCode(writer.createPartition('orders', 'p1', 'sales'), 1401);
    // public's Global DescribeCollection passes the privilege check; the collection is not visible to writer.
    await expectCode(writer.describeCollection('orders', 'sales'), 1401, /not allowed to access collection/);

    await root.createRole('sales_writer');
    await root.operateUserRole('writer', 'sales_writer', true);
    await root.operatePrivilege({ role: 'sales_writer', objectType: 'Global', objectName: '*', privilege: 'CreateCollection', dbName: 'sales' });
    await root.operatePrivilege({ role: 'sales_writer', objectType: 'Collection', objectName: 'orders', privilege: 'CreatePartition', dbName: 'sales' });
    await writer.createCollection('c1', simpleSchema(), { dbName: 'sales' });
    await writer.createPartition('orders', 'p1', 'sales');
    await expectCode(writer.createCollection('c2', simpleSchema(), { dbName: 'hr' }), 1401);
    await expectCode(writer.createPartition('c1', 'p1', 'sales'), 1401);
    await expectCode(writer.dropCollection('c1', 'sales'), 1401);

    // A revoke takes effect at once, on every node.
    await root.operatePrivilege({ role: 'sales_writer', objectType: 'Collection', objectName: 'orders', privilege: 'CreatePartition', dbName: 'sales' }, true);
    for (const id of [1, 2, 3]) await expectCode(as('writer', 'writer-pw', [cluster.address(id)]).createPartition('orders', 'p2', 'sales'), 1401);
  });

  it('groups grant their members: a database-level group opens its database only', async () => {
    const operator = as('operator', 'operator-pw');
    await root.createRole('hr_admin');
    await root.operateUserRole('operator', 'hr_admin', true);
    await root.operatePrivilege({ role: 'hr_admin', objectType: '', objectName: '*', privilege: 'DatabaseAdmin', dbName: 'hr' }, false, 'v2');
    await operator.createCollection('payroll', simpleSchema(), { dbName: 'hr' });
    await operator.dropCollection('payroll', 'hr');
    await expectCode(operator.createCollection('payroll', simpleSchema(), { dbName: 'sales' }), 1401);
  });

  // Milvus: internal/rootcoord list_db_task.go, show_collection_task.go, describe_db_task.go,
  // describe_collection_task.go (getVisibleDBs / getVisibleCollections): only the user's own roles
  // count (SelectUser: public is no bound role), root and admin see everything.
  it('lists and describes show only what the user\'s own roles have grants in (public\'s do not count); admin and root see everything', async () => {
    const reader = as('reader', 'reader-pw');
    // public's default grants (Global DescribeCollection on *.*) pass the privilege check, but show nothing.
    expect((await reader.listDatabases())['db_names']).to.deep.equal([]);
    expect((await reader.showCollections('sales'))['collection_names']).to.deep.equal([]);
    await expectCode(reader.describeCollection('orders', 'sales'), 1401, /not allowed to access collection, collection name: orders/);
    await expectCode(reader.describeCollection('missing', 'sales'), 1401, /not allowed to access collection/);

    await root.createRole('orders_reader');
    await root.operateUserRole('reader', 'orders_reader', true);
    // A Global grant other than All shows its database, no collection in it.
    await root.operatePrivilege({ role: 'orders_reader', objectType: 'Global', objectName: '*', privilege: 'DescribeCollection', dbName: 'hr' });
    expect((await reader.listDatabases())['db_names']).to.deep.equal(['hr']);
    expect((await reader.showCollections('hr'))['collection_names']).to.deep.equal([]);
    // A privilege group is a Global grant in Milvus (util.GetObjectType): it shows no collection either.
    await root.operatePrivilege({ role: 'orders_reader', objectType: '', objectName: 'orders', privilege: 'CollectionReadOnly', dbName: 'sales' }, false, 'v2');
    expect((await reader.listDatabases())['db_names']).to.deep.equal(['sales', 'hr']);
    expect((await reader.showCollections('sales'))['collection_names']).to.deep.equal([]);
    // A Collection grant shows that collection, in that database only.
    await root.operatePrivilege({ role: 'orders_reader', objectType: 'Collection', objectName: 'orders', privilege: 'Search', dbName: 'sales' });
    expect((await reader.showCollections('sales'))['collection_names']).to.deep.equal(['orders']);
    expect((await reader.describeCollection('orders', 'sales'))['collection_name']).to.equal('orders');
    await expectCode(reader.describeCollection('c1', 'sales'), 1401);
    expect((await root.showCollections('sales'))['collection_names']).to.deep.equal(['orders', 'c1']);
    // DescribeDatabase is filtered the same way.
    await root.operatePrivilege({ role: 'orders_reader', objectType: 'Global', objectName: '*', privilege: 'DescribeDatabase', dbName: '*' });
    expect((await reader.call('DescribeDatabase', { db_name: 'sales' }))['db_name']).to.equal('sales');
    // A grant on database * shows every database; Global All shows every collection.
    expect((await reader.listDatabases())['db_names']).to.deep.equal(['default', 'sales', 'hr']);
    await root.operatePrivilege({ role: 'orders_reader', objectType: 'Global', objectName: '*', privilege: 'All', dbName: 'sales' });
    expect((await reader.showCollections('sales'))['collection_names']).to.deep.equal(['orders', 'c1']);
    expect((await reader.showCollections('hr'))['collection_names']).to.deep.equal([]);

    await root.createCredential('auditor', 'auditor-pw');
    const auditor = as('auditor', 'auditor-pw');
    await root.createRole('auditor_role');
    await root.operateUserRole('auditor', 'auditor_role', true);
    await root.operatePrivilege({ role: 'auditor_role', objectType: 'Global', objectName: '*', privilege: 'DescribeDatabase', dbName: 'sales' });
    // With public allowed to call DescribeDatabase anywhere, the database must still be visible.
    await root.operatePrivilege({ role: 'public', objectType: 'Global', objectName: '*', privilege: 'DescribeDatabase', dbName: '*' });
    expect((await auditor.call('DescribeDatabase', { db_name: 'sales' }))['db_name']).to.equal('sales');
    await expectCode(auditor.call('DescribeDatabase', { db_name: 'hr' }), 1401, /not allowed to access database, db name: hr/);
    await root.operatePrivilege({ role: 'public', objectType: 'Global', objectName: '*', privilege: 'DescribeDatabase', dbName: '*' }, true);
    await root.operateUserRole('auditor', 'admin', true);
    expect((await auditor.listDatabases())['db_names']).to.deep.equal(['default', 'sales', 'hr']);
    expect((await auditor.showCollections('hr'))['collection_names']).to.deep.equal(['staff']);
  });

  it('internal and admin calls are for root and members of admin', async () => {
    const reader = as('reader', 'reader-pw');
    await expectCode(reader.allocTimestamp(1), 1401);
    await expectCode(reader.call('ClusterStatus', {}, 'admin'), 1401);
    await expectCode(reader.call('GetCredential', { username: 'root' }), 1401);
    await root.operateUserRole('reader', 'admin', true);
    expect((await reader.allocTimestamp(1)).timestamp > 0n).to.equal(true);
    await reader.call('ClusterStatus', {}, 'admin');
    await reader.createDatabase('anything');
    await root.operateUserRole('reader', 'admin', false);
    await expectCode(reader.allocTimestamp(1), 1401);
  });

  it('a user changes its own password with the old one; the old password stops working at once; a deleted user is refused', async () => {
    const writer = as('writer', 'writer-pw');
    await expectCode(writer.updateCredential('reader', 'reader-pw', 'hijacked'), 1401);
    await writer.updateCredential('writer', 'writer-pw', 'writer-pw2');
    await expectCode(writer.describeCollection('orders', 'sales'), 1400);
    const renewed = as('writer', 'writer-pw2');
    await renewed.createCollection('c3', simpleSchema(), { dbName: 'sales' });
    await root.updateCredential('writer', '', 'writer-pw3');
    await expectCode(renewed.listDatabases(), 1400);
    await root.deleteCredential('writer');
    await expectCode(as('writer', 'writer-pw3').listDatabases(), 1400);
  });

  it('users restored from a Milvus backup sign in with their passwords (bcrypt hashes, as Milvus stores them)', async () => {
    const hash = await bcrypt.hash('legacy-password', 4);
    await root.restoreRbac({ users: [{ user: 'legacy', password: hash, roles: [{ name: 'legacy_role' }] }], roles: [{ name: 'legacy_role' }], grants: [] });
    const legacy = as('legacy', 'legacy-password');
    expect(await legacy.selectUser('legacy')).to.deep.equal([{ user: 'legacy', roles: ['legacy_role'] }]);
    await expectCode(as('legacy', 'wrong-password').selectUser('legacy'), 1400);
  });

  it('calls sent to a follower are authorized by the leader with the caller\'s credentials', async () => {
    const leader = await cluster.waitForServingLeader();
    const follower = [1, 2, 3].find((id) => id !== leader) as number;
    const viaFollower = as('operator', 'operator-pw', [cluster.address(follower)]);
    await viaFollower.createCollection('leave', simpleSchema(), { dbName: 'hr' });
    await expectCode(viaFollower.createCollection('leave', simpleSchema(), { dbName: 'sales' }), 1401);
    await expectCode(as('operator', 'wrong', [cluster.address(follower)]).createCollection('x', simpleSchema(), { dbName: 'hr' }), 1400);
  });

  it('a follower refuses wrong credentials for a leader call itself: the leader hashes nothing for them', async () => {
    const leader = await cluster.waitForServingLeader();
    const follower = [1, 2, 3].find((id) => id !== leader) as number;
    const passwords = cluster.node(leader).passwords;
    let leaderChecks = 0;
    const verify = passwords.verify.bind(passwords);
    passwords.verify = (password, encoded) => {
      leaderChecks++;
      return verify(password, encoded);
    };
    try {
      await expectCode(as('reader', 'not-the-password', [cluster.address(follower)]).createDatabase('never'), 1400, /auth check failure/);
      expect(leaderChecks).to.equal(0);
      // The count sees the leader's checks: the same call sent to the leader itself is hashed there.
      await expectCode(as('reader', 'not-the-password', [cluster.address(leader)]).createDatabase('never'), 1400, /auth check failure/);
      expect(leaderChecks, 'checks counted on the leader').to.be.above(0);
    } finally {
      Reflect.deleteProperty(passwords, 'verify');
    }
  });

  it('a flood of wrong passwords is refused with bounded hashing: QueueFull (2001, retriable) beyond a user\'s share, then backoff; the user signs in elsewhere', async () => {
    await root.createCredential('flooded', 'flooded-pw');
    const target = cluster.address(1);
    const attempt = (password: string): Promise<unknown> => {
      // No retries: the answer to each attempt as it is.
      const c = cluster.client({ user: 'flooded', password, retryBudgetMs: 0, endpoints: [target] });
      opened.push(c);
      return c.listDatabases().then(() => null, (error: unknown) => error);
    };
    const first = (await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(`guess-${i}`)))) as RootCoordError[];
    const codes = first.map((e) => e.code);
    // At most the user's share (4) hashes at once: the rest were refused without one (unless a check
    // finished before they came).
    const full = first.filter((e) => e.code === 2001);
    expect(full.length, codes.join()).to.be.at.least(20);
    expect(full.every((e) => e.retriable)).to.equal(true);
    expect(codes.filter((c) => c !== 2001 && c !== 1400), codes.join()).to.deep.equal([]);
    // This test's connection to node 1 now waits before trying "flooded" again, without a hash...
    await expectCode(as('flooded', 'flooded-pw', [target]).listDatabases(), 1400, /too many failed logins/);
    // ...while the user signs in on another connection, and root on this one.
    expect((await as('flooded', 'flooded-pw', [cluster.address(2)]).listDatabases())['db_names'], 'no grants: an empty list').to.deep.equal([]);
    expect((await as('root', 'root-secret', [target]).listDatabases())['db_names']).to.include('default');
  });
});

describe('RootCoord client TLS', function () {
  this.timeout(60_000);
  const pem = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../test/rootcoord/fixtures/tls/${name}`, import.meta.url)), 'utf8');
  let cluster: InProcessCluster;

  before(async () => {
    const cert = pem('cert.pem');
    cluster = await InProcessCluster.start(3, {}, { clientTls: { cert, key: pem('key.pem'), ca: cert } });
  });
  after(async () => {
    await cluster.close();
  });

  it('serves over TLS only, to clients that trust the certificate; followers forward over TLS', async () => {
    const trusted = new RootCoordClient({ endpoints: [...cluster.addresses.values()].map((a) => a.client), tlsCa: pem('cert.pem') });
    const plain = new RootCoordClient({ endpoints: [cluster.address(1)], retryBudgetMs: 0 });
    const wrongCa = new RootCoordClient({ endpoints: [cluster.address(1)], retryBudgetMs: 0, tlsCa: pem('other-cert.pem') });
    try {
      await trusted.createDatabase('tls_db');
      const leader = await cluster.waitForServingLeader();
      const follower = [1, 2, 3].find((id) => id !== leader) as number;
      const viaFollower = new RootCoordClient({ endpoints: [cluster.address(follower)], tlsCa: pem('cert.pem') });
      await viaFollower.createCollection('over_tls', simpleSchema(), { dbName: 'tls_db' });
      viaFollower.close();
      expect((await trusted.showCollections('tls_db'))['collection_names']).to.deep.equal(['over_tls']);
      await expectCode(plain.listDatabases(), 1);
      await expectCode(wrongCa.listDatabases(), 1);
    } finally {
      trusted.close();
      plain.close();
      wrongCa.close();
    }
  });
});

describe('RootCoord with rootShouldBindRole', function () {
  this.timeout(60_000);

  it('root has only what its roles grant: nothing until it is bound to admin', async () => {
    const cluster = await InProcessCluster.start(3, {}, { authorizationEnabled: true, rootShouldBindRole: true });
    const root = cluster.client({ user: 'root', password: 'Milvus' });
    try {
      await expectCode(root.createDatabase('nope'), 1401);
      expect((await root.listDatabases())['db_names']).to.deep.equal(['default']);
      // As an operator would with authorization off: bind root to admin.
      const leader = cluster.node(await cluster.waitForServingLeader());
      await leader.submit(new OperateUserRoleTask('root', 'admin', OperateUserRoleType.AddUserToRole));
      await root.createDatabase('yes');
      expect((await root.listDatabases())['db_names']).to.deep.equal(['default', 'yes']);
    } finally {
      root.close();
      await cluster.close();
    }
  });
});
