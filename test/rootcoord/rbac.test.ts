/** Users, roles, grants and privilege groups as Milvus users see them (spec 1.7, 1.8, 3.5), authorization off. */
import { expect } from 'chai';
import { hashPasswordSync, verifyPasswordSync as verifyPassword } from '../../src/auth/password-hash.js';
import type { PlainMessage } from '../../src/api/proto.js';
import type { RootCoordClient } from '../../src/client/root-coord-client.js';
import { lockChains } from '../../src/ddl/lock-manager.js';
import { builtinRoleGrants } from '../../src/rbac/rbac-model.js';
import type { DdlTask } from '../../src/ddl/task.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster } from './fixtures/in-process-cluster.js';
import { until } from './until.js';

describe('RootCoord users, roles and grants', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  let client: RootCoordClient;

  before(async () => {
    cluster = await InProcessCluster.start(3, { maxUserNum: 6, maxRoleNum: 6 });
    client = cluster.client();
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  it('root exists from the first boot with a salted slow hash of "Milvus"; admin and public exist, public has its default grants', async () => {
    expect(await client.listUsers()).to.deep.equal(['root']);
    const root = await client.call('GetCredential', { username: 'root' });
    const hash = String(root['password']);
    expect(hash).to.match(/^scrypt\$/);
    expect(hash).to.not.contain('Milvus');
    expect(verifyPassword('Milvus', hash)).to.equal(true);
    expect(verifyPassword('milvus', hash)).to.equal(false);
    expect((await client.selectRole()).map((r) => r.role)).to.deep.equal(['admin', 'public']);
    const grants = await client.selectGrant('public', { dbName: '*' });
    expect(grants.map((g) => `${g.objectType}:${g.privilege}:${g.dbName}.${g.objectName}`).sort()).to.deep.equal(['Collection:IndexDetail:*.*', 'Global:DescribeCollection:*.*', 'Global:ListAliases:*.*']);
    await expectCode(client.call('GetCredential', { username: 'nobody' }), 65535, /not found/);
  });

  it('users: names and passwords are validated, a duplicate fails, the limit counts root', async () => {
    await client.createCredential('alice', 'alice-pw');
    const dup = await expectCode(client.createCredential('alice', 'another-pw'), 65535, /user already exists: alice/);
    expect(dup.errorCode).to.equal(29);
    await expectCode(client.createCredential('1bad', 'password'), 1100, /first character must be a letter/);
    await expectCode(client.createCredential('bad name', 'password'), 1100);
    await expectCode(client.createCredential('x'.repeat(33), 'password'), 1100, /length of username/);
    await expectCode(client.createCredential('bob', 'short'), 1100, /length of password/);
    await expectCode(client.call('CreateCredential', { username: 'bob', password: '!!not base64!!' }), 1100, /decode password fail/);
    for (const name of ['bob', 'carol', 'dave', 'erin']) await client.createCredential(name, `${name}-password`);
    expect(await client.listUsers()).to.have.length(6);
    await expectCode(client.createCredential('frank', 'frank-pw'), 65535, /number of users has reached the limit/);
    await client.deleteCredential('erin');
    await client.createCredential('frank', 'frank-pw');
  });

  it('passwords change only with the old one; root cannot be deleted; deleting a user removes its role bindings', async () => {
    const before = String((await client.call('GetCredential', { username: 'alice' }))['password']);
    await expectCode(client.updateCredential('alice', 'wrong-pw', 'alice-new'), 1401, /old password not correct/);
    await client.updateCredential('alice', 'alice-pw', 'alice-new');
    const after = String((await client.call('GetCredential', { username: 'alice' }))['password']);
    expect(after).to.not.equal(before);
    expect(verifyPassword('alice-new', after)).to.equal(true);
    await expectCode(client.updateCredential('nobody', 'whatever', 'whatever2'), 65535, /not found/);

    await expectCode(client.deleteCredential('root'), 1401);
    await client.operateUserRole('frank', 'public', true);
    expect(await client.selectUser('frank')).to.deep.equal([{ user: 'frank', roles: ['public'] }]);
    await client.deleteCredential('frank');
    await client.deleteCredential('frank');
    expect(await client.selectUser('frank')).to.deep.equal([]);
    await client.createCredential('frank', 'frank-pw');
    expect(await client.selectUser('frank')).to.deep.equal([{ user: 'frank', roles: [] }]);
  });

  it('roles: the limit counts admin and public, built-in roles cannot be dropped, a role with grants needs force', async () => {
    for (const role of ['r1', 'r2', 'r3', 'r4']) await client.createRole(role);
    const full = await expectCode(client.createRole('r5'), 65535, /number of roles has reached the limit/);
    expect(full.errorCode).to.equal(35);
    await expectCode(client.createRole('r1'), 65535, /already exists/);
    await expectCode(client.createRole('1r'), 1100);
    await expectCode(client.dropRole('admin'), 1401);
    await expectCode(client.dropRole('public'), 1401);
    await expectCode(client.dropRole('missing'), 65535, /not found the role/);

    await client.operatePrivilege({ role: 'r4', objectType: 'Collection', objectName: 'books', privilege: 'Load' });
    await expectCode(client.dropRole('r4'), 65535, /Use REVOKE API to revoke privileges/);
    await client.operateUserRole('bob', 'r4', true);
    await client.dropRole('r4', true);
    expect(await client.selectRole('r4')).to.deep.equal([]);
    expect(await client.selectUser('bob')).to.deep.equal([{ user: 'bob', roles: [] }]);
    await client.createRole('r4');
    expect(await client.selectGrant('r4')).to.deep.equal([]);
  });

  it('user-role bindings: the role and (to add) the user must exist; a repeated add and a missing remove succeed', async () => {
    await expectCode(client.operateUserRole('bob', 'missing', true), 65535, /not found the role/);
    const noUser = await expectCode(client.operateUserRole('nobody', 'r1', true), 65535, /not found the user/);
    expect(noUser.errorCode).to.equal(37);
    await client.operateUserRole('bob', 'r1', true);
    await client.operateUserRole('bob', 'r1', true);
    await client.operateUserRole('carol', 'r1', true);
    await client.operateUserRole('root', 'r2', true);
    await client.operateUserRole('dave', 'r2', false);
    expect(await client.selectRole('r1')).to.deep.equal([{ role: 'r1', users: ['bob', 'carol'] }]);
    expect(await client.selectUser('root')).to.deep.equal([{ user: 'root', roles: ['r2'] }]);
    await client.operateUserRole('root', 'r2', false);
    await expectCode(client.call('OperateUserRole', { username: 'bob', role_name: 'r1', type: 7 }), 1100);
  });

  it('grants (v1): object types and privileges are checked, Global objects are "*", grant and revoke are idempotent', async () => {
    await expectCode(client.operatePrivilege({ role: 'r1', objectType: 'Table', objectName: 'x', privilege: 'Load' }), 1100, /object type/);
    await expectCode(client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'x', privilege: 'CreateDatabase' }), 1100, /not found the privilege name\[CreateDatabase\] in object\[Collection\]/);
    await expectCode(client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'x', privilege: 'CollectionAdmin' }), 1100, /privilege group/);
    await expectCode(client.operatePrivilege({ role: 'missing', objectType: 'Collection', objectName: 'x', privilege: 'Load' }), 65535, /not found the role/);
    await expectCode(client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'x', privilege: 'Load', grantor: 'nobody' }), 65535, /not found the user/);
    await client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'books', privilege: 'Search' });
    await client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'books', privilege: 'Search' });
    await client.operatePrivilege({ role: 'r1', objectType: 'Global', objectName: 'ignored', privilege: 'CreateCollection', dbName: 'db1' });
    const grants = await client.selectGrant('r1', { dbName: '*' });
    expect(grants.map((g) => `${g.objectType}:${g.privilege}:${g.dbName}.${g.objectName}:${g.grantor}`).sort()).to.deep.equal(['Collection:Search:default.books:root', 'Global:CreateCollection:db1.*:root']);
    expect((await client.selectGrant('r1')).map((g) => g.privilege)).to.deep.equal(['Search']);
    expect((await client.selectGrant('r1', { objectType: 'Global', dbName: 'db1' })).map((g) => g.privilege)).to.deep.equal(['CreateCollection']);
    await expectCode(client.selectGrant('missing'), 65535, /not found the role/);

    const policy = await client.call('ListPolicy');
    expect(policy['policy_infos']).to.include('{"PType":"p","V0":"r1","V1":"Collection-default.books","V2":"PrivilegeSearch"}');
    expect(policy['user_roles']).to.include('bob/r1');

    await client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'books', privilege: 'Search' }, true);
    await client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'books', privilege: 'Search' }, true);
    expect(await client.selectGrant('r1')).to.deep.equal([]);
  });

  it('privilege groups and v2 grants: levels decide the object, mixed levels are refused, a group in use cannot be dropped', async () => {
    const groups = await client.listPrivilegeGroups();
    expect(groups.map((g) => g.group)).to.include.members(['ClusterReadOnly', 'ClusterReadWrite', 'ClusterAdmin', 'DatabaseReadOnly', 'DatabaseReadWrite', 'DatabaseAdmin', 'CollectionReadOnly', 'CollectionReadWrite', 'CollectionAdmin']);
    await expectCode(client.createPrivilegeGroup('ClusterAdmin'), 1100);
    await expectCode(client.createPrivilegeGroup('Load'), 1100);
    await client.createPrivilegeGroup('readers');
    await expectCode(client.createPrivilegeGroup('readers'), 1100, /already exists/);
    await client.operatePrivilegeGroup('readers', ['Search', 'Query']);
    await expectCode(client.operatePrivilegeGroup('readers', ['CreateDatabase']), 1100, /not the same privilege level/);
    await expectCode(client.operatePrivilegeGroup('readers', ['NoSuchPrivilege']), 1100);
    await expectCode(client.operatePrivilegeGroup('ClusterAdmin', ['Search']), 1100);
    await expectCode(client.operatePrivilegeGroup('missing', ['Search']), 1100);
    expect((await client.listPrivilegeGroups()).find((g) => g.group === 'readers')?.privileges).to.deep.equal(['Query', 'Search']);

    await expectCode(client.operatePrivilege({ role: 'r2', objectType: '', objectName: 'books', privilege: 'ClusterReadOnly', dbName: 'default' }, false, 'v2'), 1100, /should be \*/);
    await client.operatePrivilege({ role: 'r2', objectType: '', objectName: '*', privilege: 'ClusterReadOnly', dbName: '*' }, false, 'v2');
    await expectCode(client.operatePrivilege({ role: 'r2', objectType: '', objectName: 'books', privilege: 'DatabaseAdmin', dbName: 'db1' }, false, 'v2'), 1100);
    await client.operatePrivilege({ role: 'r2', objectType: '', objectName: '*', privilege: 'DatabaseAdmin', dbName: 'db1' }, false, 'v2');
    await expectCode(client.operatePrivilege({ role: 'r2', objectType: '', objectName: 'books', privilege: 'readers', dbName: '*' }, false, 'v2'), 1100);
    await client.operatePrivilege({ role: 'r2', objectType: '', objectName: 'books', privilege: 'readers', dbName: 'db1' }, false, 'v2');
    const grants = await client.selectGrant('r2', { dbName: '*' });
    expect(grants.map((g) => `${g.objectType}:${g.privilege}:${g.dbName}.${g.objectName}`).sort()).to.deep.equal(['Collection:readers:db1.books', 'Global:ClusterReadOnly:*.*', 'Global:DatabaseAdmin:db1.*']);
    const policies = (await client.call('ListPolicy'))['policy_infos'] as string[];
    expect(policies).to.include('{"PType":"p","V0":"r2","V1":"Collection-db1.books","V2":"PrivilegeQuery"}');
    await expectCode(client.dropPrivilegeGroup('readers'), 65535, /is used by role \[r2\]/);
    await client.operatePrivilege({ role: 'r2', objectType: '', objectName: 'books', privilege: 'readers', dbName: 'db1' }, true, 'v2');
    await client.dropPrivilegeGroup('readers');
    await client.dropPrivilegeGroup('readers');
  });

  it('backup leaves out root, admin and public; a restore over existing objects fails and changes nothing; after removing them it restores all', async () => {
    await client.createPrivilegeGroup('writers');
    await client.operatePrivilegeGroup('writers', ['Insert', 'Delete']);
    await client.operatePrivilege({ role: 'r3', objectType: '', objectName: 'books', privilege: 'writers', dbName: 'default' }, false, 'v2');
    await client.operateUserRole('carol', 'r3', true);
    const backup = await client.backupRbac();
    const users = (backup['users'] as Array<{ user: string }>).map((u) => u.user);
    expect(users).to.not.include('root');
    expect(users).to.include.members(['alice', 'bob', 'carol']);
    expect((backup['roles'] as Array<{ name: string }>).map((r) => r.name)).to.deep.equal(['r1', 'r2', 'r3', 'r4']);
    const digest = (await cluster.digests())[0];
    await expectCode(client.restoreRbac(backup), 65535, /already exists/);
    await expectCode(client.restoreRbac({ roles: [{ name: 'bad/role' }] }), 1100);
    await expectCode(client.restoreRbac({ users: [{ user: 'zed', password: '', roles: [] }] }), 1100, /no password hash/);
    await expectCode(client.restoreRbac({ grants: [{ role: { name: 'r1' }, object: { name: 'Table' }, object_name: 'x', db_name: 'default', grantor: { user: { name: 'root' }, privilege: { name: 'Load' } } }] }), 1100, /unknown object type/);
    // The user and role limits apply to a restore (here: 6 roles of 6 exist already).
    await expectCode(client.restoreRbac({ roles: [{ name: 'r5' }, { name: 'r6' }] }), 65535, /restoring 2 roles would make 8, more than the limit\(6\)/);
    const many = Array.from({ length: 6 }, (_, i) => ({ user: `many${i}`, password: '$2a$04$abcdefghijklmnopqrstuuLaNQSFEMC6dH2G/RYKQDemzM5X7hmbS', roles: [] }));
    await expectCode(client.restoreRbac({ users: many }), 65535, /restoring 6 users would make \d+, more than the limit of 6/);
    // A restored privilege group holds plain privileges of one level, as OperatePrivilegeGroup keeps them.
    await expectCode(client.restoreRbac({ privilege_groups: [{ group_name: 'g1', privileges: [{ name: 'NoSuchPrivilege' }] }] }), 1100, /privilege name \[NoSuchPrivilege\] of privilege group \[g1\] is invalid/);
    await expectCode(client.restoreRbac({ privilege_groups: [{ group_name: 'g1', privileges: [{ name: 'Insert' }, { name: 'CreateDatabase' }] }] }), 1100, /not the same privilege level/);
    expect((await cluster.digests())[0]).to.equal(digest);

    for (const user of users) await client.deleteCredential(user);
    for (const role of ['r1', 'r2', 'r3', 'r4']) await client.dropRole(role, true);
    await client.dropPrivilegeGroup('writers');
    expect(await client.listUsers()).to.deep.equal(['root']);
    // A user's role must exist or be restored with it (it had been dropped silently).
    await expectCode(client.restoreRbac({ users: [{ user: 'zed', password: hashPasswordSync('zed-pass', 4), roles: [{ name: 'nosuchrole' }] }] }), 65535, /role \[nosuchrole\] of user \[zed\] does not exist/);
    expect(await client.listUsers()).to.deep.equal(['root']);
    await client.restoreRbac(backup);
    expect(await client.listUsers()).to.deep.equal(['root', ...users].sort());
    expect(await client.selectUser('carol')).to.deep.equal([{ user: 'carol', roles: ['r1', 'r3'] }]);
    expect((await client.selectGrant('r3')).map((g) => g.privilege)).to.deep.equal(['writers']);
    expect((await client.listPrivilegeGroups()).find((g) => g.group === 'writers')?.privileges).to.deep.equal(['Delete', 'Insert']);
    const hash = String((await client.call('GetCredential', { username: 'alice' }))['password']);
    expect(verifyPassword('alice-new', hash)).to.equal(true);
  });

  it('proxy sessions are told of credential and policy changes (Milvus CacheOpType and keys)', async () => {
    const events: PlainMessage[] = [];
    await client.deleteCredential('dave');
    await client.dropRole('r4', true);
    const seen = (): string[] => events.filter((e) => e['type'] !== 'SessionAccepted').map((e) => (e['type'] === 'RefreshPolicyInfoCache' ? `policy ${String(e['op_type'])} ${String(e['op_key'])}` : `${String(e['type'])} ${String(e['username'])}`));
    const session = client.stream('OpenProxySession', { server_id: '77', role: 'proxy' }, (m) => events.push(m));
    try {
      await until('the session', () => events.length > 0);
      await client.createCredential('gina', 'gina-password');
      await client.createRole('r_cache');
      await client.operateUserRole('gina', 'r_cache', true);
      await client.operatePrivilege({ role: 'r_cache', objectType: '', objectName: '*', privilege: 'DatabaseReadOnly', dbName: 'db9' }, false, 'v2');
      await client.deleteCredential('gina');
      await client.dropRole('r_cache', true);
      await until('every change', () => seen().some((e) => e.startsWith('policy 6 ')));
    } finally {
      session.cancel();
    }
    expect(seen()).to.deep.equal([
      'UpdateCredentialCache gina',
      'policy 1 gina/r_cache',
      'policy 3 {"PType":"p","V0":"r_cache","V1":"Global-db9.*","V2":"PrivilegeShowCollections"}',
      'policy 3 {"PType":"p","V0":"r_cache","V1":"Global-db9.*","V2":"PrivilegeDescribeDatabase"}',
      'InvalidateCredentialCache gina',
      'policy 5 gina',
      'policy 6 r_cache',
    ]);
  });

  it('a password is hashed before the task takes its lock and timestamp: it holds back no tick and no other task', async () => {
    const leader = cluster.node(await cluster.waitForServingLeader());
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let executed = false;
    const slow: DdlTask = {
      name: 'SlowPrecompute',
      precompute: () => gate,
      lockChain: () => lockChains.rbac(),
      prepare: () => {},
      execute: async () => {
        executed = true;
      },
    };
    const pending = leader.scheduler.submit(slow);
    await client.createRole('r_meanwhile');
    expect(leader.scheduler.minInflightTs()).to.equal(null);
    expect(executed).to.equal(false);
    release();
    await pending;
    expect(executed).to.equal(true);
    await client.dropRole('r_meanwhile');
  });

  it('grants on database names Milvus refuses (a dot, a slash, a dollar) are refused with DatabaseInvalidName (802), v1 and v2; "*" and "" are accepted', async () => {
    for (const dbName of ['x.y', 'a/b', 'd$', '1db', 'a b', 'x'.repeat(256)]) {
      const v1 = await expectCode(client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'c', privilege: 'Load', dbName }), 802);
      expect(v1.errorCode).to.equal(41);
      await expectCode(client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'c', privilege: 'Load', dbName }, true), 802);
      await expectCode(client.operatePrivilege({ role: 'r1', objectType: '', objectName: 'c', privilege: 'Load', dbName }, false, 'v2'), 802);
    }
    await expectCode(client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'a.b', privilege: 'Load' }), 1100);
    await expectCode(client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'a/b', privilege: 'Load' }), 1100);
    await client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: '*', privilege: 'Load', dbName: '*' });
    await client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'c', privilege: 'Load', dbName: '' });
    const grants = (await client.selectGrant('r1', { dbName: '*', objectType: 'Collection' })).map((g) => `${g.dbName}.${g.objectName}:${g.privilege}`).sort();
    expect(grants).to.deep.equal(['*.*:Load', 'default.c:Load']);
    await client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: '*', privilege: 'Load', dbName: '*' }, true);
    await client.operatePrivilege({ role: 'r1', objectType: 'Collection', objectName: 'c', privilege: 'Load', dbName: '' }, true);
  });

  it('replicas end with identical catalogs, users and grants included', async () => {
    const digests = await cluster.digests();
    expect(new Set(digests).size).to.equal(1);
  });
});

describe('RootCoord builtin roles from configuration', function () {
  this.timeout(60_000);

  it('creates them with their grants at first start; they cannot be dropped; a bad configuration is refused', async () => {
    const builtinRoles = { db_ro: { privileges: [{ resource_type: 'Global', resource_name: '*', resource_privilege: 'DescribeDatabase', db_name: '*' }, { resource_type: 'Collection', resource_name: '*', resource_privilege: 'Query', db_name: 'shop' }] } };
    const cluster = await InProcessCluster.start(3, {}, { builtinRoles });
    const client = cluster.client();
    try {
      await until('the builtin role', async () => (await client.selectRole('db_ro')).length === 1);
      const grants = await client.selectGrant('db_ro', { dbName: '*' });
      expect(grants.map((g) => `${g.objectType}:${g.privilege}:${g.dbName}.${g.objectName}`).sort()).to.deep.equal(['Collection:Query:shop.*', 'Global:DescribeDatabase:*.*']);
      const refused = await expectCode(client.dropRole('db_ro', true), 1401, /builtin role/);
      expect(refused.errorCode).to.equal(36);
    } finally {
      client.close();
      await cluster.close();
    }
    expect(() => builtinRoleGrants({ r: { privileges: [{ resource_type: 'Table', resource_name: '*', resource_privilege: 'Query' }] } })).to.throw(/unknown resource_type "Table"/);
    expect(() => builtinRoleGrants({ r: { privileges: [{ resource_type: 'Global', resource_name: '*', resource_privilege: 'Query' }] } })).to.throw(/unknown privilege "Query" for Global/);
    expect(() => builtinRoleGrants({ admin: { privileges: [] } })).to.throw(/exist already/);
  });
});
