/**
 * The RBAC catalog in LevelDB: Milvus's key layout (users, roles, user-role mappings, grants as
 * grantee -> MD5 ID -> privilege -> grantor, privilege groups), read back the same after a restart
 * (a reload of the store) and after a snapshot restore.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { MetaCommand } from '../../src/meta/commands.js';
import type { MetaTable } from '../../src/meta/meta-table.js';
import { ObjectType } from '../../src/rbac/rbac-model.js';
import type { GrantModel } from '../../src/rbac/rbac-model.js';
import type { RbacChange } from '../../src/rbac/rbac-table.js';
import { memoryLevel, metaOver } from './fixtures/memory-catalog.js';

const rbac = (change: RbacChange): MetaCommand => ({ kind: 'rbac', ts: 1n, change });

function state(table: MetaTable): unknown {
  const r = table.rbac;
  return { users: [...r.credentials.keys()].sort(), roles: [...r.roles].sort(), bindings: [...r.userRoles].map(([u, roles]) => [u, [...roles].sort()]).sort(), grants: [...r.grants.values()].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), groups: [...r.privilegeGroups.values()] };
}

describe('MetaTable users, roles and grants', () => {
  it('stores them under Milvus\'s keys and reads back the same after a reload and from a snapshot', async () => {
    const db = memoryLevel();
    const source = await metaOver(db);
    const search: GrantModel = { role: 'readers', objectType: ObjectType.Collection, dbName: 'default', objectName: 'books', privilege: 'Search', grantor: 'root' };
    const query: GrantModel = { ...search, privilege: 'Query', grantor: 'alice' };
    const group: GrantModel = { role: 'readers', objectType: ObjectType.Global, dbName: 'shop', objectName: '*', privilege: 'mygroup', grantor: 'root' };
    await source.apply(
      [
        rbac({ op: 'putCredential', credential: { username: 'alice', passwordHash: 'scrypt$x', createdUtcMs: 1n, modifiedUtcMs: 1n } }),
        rbac({ op: 'putRole', role: 'readers' }),
        rbac({ op: 'putUserRole', username: 'alice', role: 'readers' }),
        rbac({ op: 'putPrivilegeGroup', group: { name: 'mygroup', privileges: ['ShowCollections'] } }),
        rbac({ op: 'putGrant', grant: search }),
        rbac({ op: 'putGrant', grant: query }),
        rbac({ op: 'putGrant', grant: group }),
      ],
      7,
    );
    await source.flushed();
    const keys = new Map<string, string>();
    for await (const [k, v] of db.iterator()) if (!k.startsWith('snapshots/')) keys.set(k, v);
    const grantee = 'root-coord/credential/grantee-privileges/readers/Collection/default.books';
    const id = createHash('md5').update(grantee).digest('hex');
    expect(keys.get(grantee)).to.equal(id);
    expect(keys.get(`root-coord/credential/grantee-id/${id}/PrivilegeSearch`)).to.equal('root');
    expect(keys.get(`root-coord/credential/grantee-id/${id}/PrivilegeQuery`)).to.equal('alice');
    const groupGrantee = 'root-coord/credential/grantee-privileges/readers/Global/shop.*';
    expect(keys.get(`root-coord/credential/grantee-id/${createHash('md5').update(groupGrantee).digest('hex')}/PrivilegeGroupmygroup`)).to.equal('root');
    expect(keys.has('root-coord/credential/users/alice')).to.equal(true);
    expect(keys.has('root-coord/credential/roles/readers')).to.equal(true);
    expect(keys.has('root-coord/credential/user-role-mapping/alice/readers')).to.equal(true);
    expect(keys.has('root-coord/privilege-group/mygroup')).to.equal(true);

    const reloaded = await metaOver(db);
    expect(state(reloaded)).to.deep.equal(state(source));
    const copy = await metaOver();
    await copy.restore(await source.snapshot(), 7);
    expect(state(copy)).to.deep.equal(state(source));

    // Revoking one of two privileges keeps the grantee; the last one removes it; dropping the role removes the rest.
    await source.apply([rbac({ op: 'deleteGrant', grant: search })], 8);
    await source.flushed();
    expect(await db.get(grantee)).to.equal(id);
    await source.apply([rbac({ op: 'deleteGrant', grant: query })], 9);
    await source.flushed();
    expect(await db.get(grantee)).to.equal(undefined);
    await source.apply([rbac({ op: 'deleteRole', role: 'readers' })], 10);
    await source.flushed();
    const left: string[] = [];
    for await (const k of db.keys()) if (k.startsWith('root-coord/credential/') && !k.startsWith('root-coord/credential/users/')) left.push(k);
    expect(left).to.deep.equal([]);
    expect(state(await metaOver(db))).to.deep.equal(state(source));
  });
});

describe('MetaTable grants on names with separators (issue 9 A)', () => {
  const weird: GrantModel[] = [
    { role: 'r', objectType: ObjectType.Collection, dbName: 'x.y', objectName: 'c', privilege: 'Search', grantor: 'root' },
    { role: 'r', objectType: ObjectType.Collection, dbName: 'x', objectName: 'y.c', privilege: 'Query', grantor: 'root' },
    { role: 'r', objectType: ObjectType.Collection, dbName: 'a/b', objectName: 'o', privilege: 'Load', grantor: 'root' },
    { role: 'r', objectType: ObjectType.Collection, dbName: 'a%2Eb', objectName: 'o', privilege: 'Load', grantor: 'root' },
    { role: 'r', objectType: ObjectType.Global, dbName: '*', objectName: '*', privilege: 'All', grantor: 'root' },
  ];

  it('reads back the grants memory holds, after a reload and from a snapshot, and a revoke removes them from both', async () => {
    const db = memoryLevel();
    const source = await metaOver(db);
    await source.apply([rbac({ op: 'putRole', role: 'r' }), rbac({ op: 'putUserRole', username: 'a.b-c', role: 'r' }), ...weird.map((grant) => rbac({ op: 'putGrant', grant }))], 3);
    await source.flushed();
    expect(source.rbac.grants.size).to.equal(weird.length);
    const reloaded = await metaOver(db);
    expect(state(reloaded)).to.deep.equal(state(source));
    expect(await reloaded.digest()).to.equal(await source.digest());
    const copy = await metaOver();
    await copy.restore(await source.snapshot(), 3);
    expect(state(copy)).to.deep.equal(state(source));

    await source.apply(weird.slice(0, 4).map((grant) => rbac({ op: 'deleteGrant', grant })), 4);
    await source.flushed();
    expect(source.rbac.grantsOf('r').map((g) => g.privilege)).to.deep.equal(['All']);
    expect(state(await metaOver(db))).to.deep.equal(state(source));
  });

  it('the digest covers what a node serves: a replica whose memory differs from its disk digests differently', async () => {
    const db = memoryLevel();
    const a = await metaOver(db);
    await a.apply([rbac({ op: 'putRole', role: 'r' }), rbac({ op: 'putGrant', grant: weird[4] as GrantModel })], 2);
    await a.flushed();
    const b = await metaOver(db);
    expect(await b.digest()).to.equal(await a.digest());
    b.rbac.roles.add('ghost');
    expect(await b.digest()).to.not.equal(await a.digest());
  });
});
