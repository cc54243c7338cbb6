import { createHash } from 'node:crypto';
import { parse, stringify } from '../common/bigint-json.js';
import { getOrAdd, sortedByKey } from '../common/maps.js';
import { fromKeyPart, keys } from '../meta/catalog-keys.js';
import { BUILTIN_GROUPS, grantKey, OBJECT_TYPE_NAMES, objectTypeByName, ObjectType, privilegeForMetastore } from './rbac-model.js';
import type { CredentialModel, GrantModel, PrivilegeGroupModel } from './rbac-model.js';
import type { StoreOp, VersionedStore } from '../meta/versioned-store.js';

/**
 * A replicated change to users, roles, grants or privilege groups. The leader validates it under the
 * RBAC lock (src/rbac/tasks); applying it only records the decision, so it never fails.
 */
export type RbacChange =
  | { readonly op: 'putCredential'; readonly credential: CredentialModel }
  /** Removes the user and its user-role mappings (one batch, as Milvus's one txn). */
  | { readonly op: 'deleteCredential'; readonly username: string }
  | { readonly op: 'putRole'; readonly role: string }
  /** Removes the role and its user-role mappings, and its grants. */
  | { readonly op: 'deleteRole'; readonly role: string }
  | { readonly op: 'putUserRole'; readonly username: string; readonly role: string }
  | { readonly op: 'deleteUserRole'; readonly username: string; readonly role: string }
  | { readonly op: 'putGrant'; readonly grant: GrantModel }
  | { readonly op: 'deleteGrant'; readonly grant: GrantModel }
  | { readonly op: 'putPrivilegeGroup'; readonly group: PrivilegeGroupModel }
  | { readonly op: 'deletePrivilegeGroup'; readonly name: string };

function granteeKey(g: Pick<GrantModel, 'role' | 'objectType' | 'dbName' | 'objectName'>): string {
  return keys.grantee(g.role, OBJECT_TYPE_NAMES[g.objectType], g.dbName, g.objectName);
}

/** Milvus's grantee ID: the MD5 of the grantee key. */
function granteeId(granteeKey: string): string {
  return createHash('md5').update(granteeKey).digest('hex');
}

/** The API name of a stored privilege or group name (`PrivilegeLoad`, `PrivilegeGroupX`). */
function privilegeFromMetastore(stored: string): string {
  if (stored.startsWith('PrivilegeGroup')) return stored.slice('PrivilegeGroup'.length);
  return stored.startsWith('Privilege') ? stored.slice('Privilege'.length) : stored;
}

const EMPTY_ROLES: ReadonlySet<string> = new Set();

/** What is read of users, roles, grants and privilege groups (tasks, reads, access checks): no apply, no load. */
export interface RbacView {
  readonly credentials: ReadonlyMap<string, CredentialModel>;
  readonly roles: ReadonlySet<string>;
  readonly userRoles: ReadonlyMap<string, ReadonlySet<string>>;
  readonly grants: ReadonlyMap<string, GrantModel>;
  readonly privilegeGroups: ReadonlyMap<string, PrivilegeGroupModel>;
  roleGrants(role: string): Iterable<GrantModel>;
  roleSet(user: string): ReadonlySet<string>;
  rolesOf(user: string): string[];
  usersOf(role: string): string[];
  grantsOf(role: string): GrantModel[];
  groupMembers(name: string): readonly string[] | undefined;
}

/** The in-memory index of the RBAC catalog (unversioned keys, as in Milvus). */
export class RbacTable implements RbacView {
  readonly credentials = new Map<string, CredentialModel>();
  readonly roles = new Set<string>();
  /** user -> roles */
  readonly userRoles = new Map<string, Set<string>>();
  /** grantKey -> grant */
  readonly grants = new Map<string, GrantModel>();
  /** role -> grantKey -> grant: a privilege check looks at the caller's roles only. */
  private readonly byRole = new Map<string, Map<string, GrantModel>>();
  /** Custom privilege groups only; the built-in ones are in rbac-model. */
  readonly privilegeGroups = new Map<string, PrivilegeGroupModel>();

  async load(store: VersionedStore): Promise<void> {
    this.credentials.clear();
    this.roles.clear();
    this.userRoles.clear();
    this.grants.clear();
    this.byRole.clear();
    this.privilegeGroups.clear();
    for (const [, value] of await store.entriesWithPrefix(keys.credentialPrefix)) {
      const credential = parse<CredentialModel>(value);
      this.credentials.set(credential.username, credential);
    }
    // Every name in a key is escaped (keyPart): a key splits at its separators into exactly its names.
    const parts = (key: string, prefix: string, separator: string, count: number): string[] | null => {
      const split = key.slice(prefix.length).split(separator);
      return split.length === count ? split.map(fromKeyPart) : null;
    };
    for (const [key] of await store.entriesWithPrefix(keys.rolePrefix)) this.roles.add(fromKeyPart(key.slice(keys.rolePrefix.length)));
    for (const [key] of await store.entriesWithPrefix(keys.userRolePrefix)) {
      const [user, role] = parts(key, keys.userRolePrefix, '/', 2) ?? [];
      if (user !== undefined && role !== undefined) this.addUserRole(user, role);
    }
    // Grants in Milvus's two-level layout: grantee (role, object) -> ID, then (ID, privilege) -> grantor.
    const grantees = new Map<string, Omit<GrantModel, 'privilege' | 'grantor'>>();
    for (const [key, id] of await store.entriesWithPrefix(keys.granteePrefix)) {
      // {role}/{objectType}/{db}.{object}: the object part is split at its dot before it is unescaped.
      const split = key.slice(keys.granteePrefix.length).split('/');
      const [role, type, object] = split.length === 3 ? (split as [string, string, string]) : [];
      const [dbName, objectName] = object === undefined ? [] : (parts(object, '', '.', 2) ?? []);
      if (role === undefined || type === undefined || dbName === undefined || objectName === undefined) continue;
      grantees.set(id, { role: fromKeyPart(role), objectType: objectTypeByName(fromKeyPart(type)) ?? ObjectType.Global, dbName, objectName });
    }
    for (const [key, grantor] of await store.entriesWithPrefix(keys.granteeIdPrefix)) {
      const [id, stored] = parts(key, keys.granteeIdPrefix, '/', 2) ?? [];
      const grantee = id === undefined ? undefined : grantees.get(id);
      if (grantee === undefined || stored === undefined) continue;
      const grant: GrantModel = { ...grantee, privilege: privilegeFromMetastore(stored), grantor };
      this.addGrant(grant);
    }
    for (const [, value] of await store.entriesWithPrefix(keys.privilegeGroupPrefix)) {
      const group = parse<PrivilegeGroupModel>(value);
      this.privilegeGroups.set(group.name, group);
    }
  }

  apply(change: RbacChange, ops: StoreOp[]): void {
    switch (change.op) {
      case 'putCredential':
        this.credentials.set(change.credential.username, change.credential);
        ops.push({ type: 'put', key: keys.credential(change.credential.username), value: stringify(change.credential) });
        return;
      case 'deleteCredential':
        this.credentials.delete(change.username);
        ops.push({ type: 'del', key: keys.credential(change.username) });
        for (const role of this.userRoles.get(change.username) ?? []) ops.push({ type: 'del', key: keys.userRole(change.username, role) });
        this.userRoles.delete(change.username);
        return;
      case 'putRole':
        this.roles.add(change.role);
        ops.push({ type: 'put', key: keys.role(change.role), value: '' });
        return;
      case 'deleteRole':
        this.roles.delete(change.role);
        ops.push({ type: 'del', key: keys.role(change.role) });
        for (const [user, roles] of this.userRoles) {
          if (roles.delete(change.role)) ops.push({ type: 'del', key: keys.userRole(user, change.role) });
          if (roles.size === 0) this.userRoles.delete(user);
        }
        for (const grant of [...this.roleGrants(change.role)]) this.removeGrant(grant, ops);
        return;
      case 'putUserRole':
        this.addUserRole(change.username, change.role);
        ops.push({ type: 'put', key: keys.userRole(change.username, change.role), value: '' });
        return;
      case 'deleteUserRole': {
        const roles = this.userRoles.get(change.username);
        roles?.delete(change.role);
        if (roles?.size === 0) this.userRoles.delete(change.username);
        ops.push({ type: 'del', key: keys.userRole(change.username, change.role) });
        return;
      }
      case 'putGrant': {
        const g = change.grant;
        const grantee = granteeKey(g);
        this.addGrant(g);
        ops.push({ type: 'put', key: grantee, value: granteeId(grantee) });
        ops.push({ type: 'put', key: keys.granteePrivilege(granteeId(grantee), this.metastoreName(g.privilege)), value: g.grantor });
        return;
      }
      case 'deleteGrant':
        this.removeGrant(change.grant, ops);
        return;
      case 'putPrivilegeGroup':
        this.privilegeGroups.set(change.group.name, change.group);
        ops.push({ type: 'put', key: keys.privilegeGroup(change.group.name), value: stringify(change.group) });
        return;
      case 'deletePrivilegeGroup':
        this.privilegeGroups.delete(change.name);
        ops.push({ type: 'del', key: keys.privilegeGroup(change.name) });
        return;
    }
  }

  /** Remove a grant, and its grantee key once the role has no other privilege on that object. */
  private removeGrant(grant: GrantModel, ops: StoreOp[]): void {
    const key = grantKey(grant);
    if (!this.grants.delete(key)) return;
    const ofRole = this.byRole.get(grant.role);
    ofRole?.delete(key);
    if (ofRole?.size === 0) this.byRole.delete(grant.role);
    const grantee = granteeKey(grant);
    ops.push({ type: 'del', key: keys.granteePrivilege(granteeId(grantee), this.metastoreName(grant.privilege)) });
    if (![...this.roleGrants(grant.role)].some((g) => granteeKey(g) === grantee)) ops.push({ type: 'del', key: grantee });
  }

  private addGrant(grant: GrantModel): void {
    const key = grantKey(grant);
    this.grants.set(key, grant);
    getOrAdd(this.byRole, grant.role, () => new Map()).set(key, grant);
  }

  /** A role's grants, in no particular order. */
  roleGrants(role: string): Iterable<GrantModel> {
    return this.byRole.get(role)?.values() ?? [];
  }

  private metastoreName(privilege: string): string {
    return privilegeForMetastore(privilege, this.groupMembers(privilege) !== undefined);
  }

  private addUserRole(user: string, role: string): void {
    getOrAdd(this.userRoles, user, () => new Set()).add(role);
  }

  /** The user's roles, unsorted (a privilege check runs on every call). */
  roleSet(user: string): ReadonlySet<string> {
    return this.userRoles.get(user) ?? EMPTY_ROLES;
  }

  rolesOf(user: string): string[] {
    return [...(this.userRoles.get(user) ?? [])].sort();
  }

  usersOf(role: string): string[] {
    const out: string[] = [];
    for (const [user, roles] of this.userRoles) if (roles.has(role)) out.push(user);
    return out.sort();
  }

  grantsOf(role: string): GrantModel[] {
    return [...this.roleGrants(role)].sort((a, b) => grantKey(a).localeCompare(grantKey(b)));
  }

  /** Everything this table serves, in a canonical order (for replica digests). */
  servedState(): unknown {
    return {
      credentials: sortedByKey(this.credentials),
      roles: [...this.roles].sort(),
      userRoles: sortedByKey([...this.userRoles].map(([user, roles]): [string, string[]] => [user, [...roles].sort()])),
      grants: sortedByKey(this.grants),
      byRole: sortedByKey([...this.byRole].map(([role, grants]): [string, string[]] => [role, [...grants.keys()].sort()])),
      privilegeGroups: sortedByKey(this.privilegeGroups),
    };
  }

  /** The members of a built-in or custom group, or undefined if `name` is no group. */
  groupMembers(name: string): readonly string[] | undefined {
    return BUILTIN_GROUPS.get(name)?.privileges ?? this.privilegeGroups.get(name)?.privileges;
  }
}
