import { DEFAULT_DB_NAME } from '../meta/model.js';
import { ANY, BUILTIN_GROUPS, BUILTIN_ROLES, objectTypeByName, policyFor, ROOT_USER } from './rbac-model.js';
import type { CredentialModel, GrantModel, PrivilegeGroupModel } from './rbac-model.js';
import type { RbacView } from './rbac-table.js';
import { rbacError, RbacLegacy } from './rbac-rules.js';

/** Every user name: the stored credentials (root among them once created). */
export function listUsers(rbac: RbacView): string[] {
  return [...rbac.credentials.keys()].sort();
}

export function getCredential(rbac: RbacView, username: string): CredentialModel {
  const credential = rbac.credentials.get(username);
  if (credential === undefined) throw rbacError(RbacLegacy.GetCredential, `user ${username} not found`);
  return credential;
}

/** SelectRole: one named role (none if missing) or all, with their users if asked. */
export function selectRoles(rbac: RbacView, role: string, withUsers: boolean): Array<{ role: string; users: string[] }> {
  const names = role === '' ? [...rbac.roles].sort() : rbac.roles.has(role) ? [role] : [];
  return names.map((name) => ({ role: name, users: withUsers ? rbac.usersOf(name) : [] }));
}

/** SelectUser: one named user (none if missing) or all, with their roles if asked. */
export function selectUsers(rbac: RbacView, user: string, withRoles: boolean): Array<{ user: string; roles: string[] }> {
  const names = user === '' ? listUsers(rbac) : rbac.credentials.has(user) ? [user] : [];
  return names.map((name) => ({ user: name, roles: withRoles ? rbac.rolesOf(name) : [] }));
}

/** SelectGrant: a role's grants, filtered by object type and name; db `*` lists every database. */
export function selectGrants(rbac: RbacView, role: string, objectType: string, objectName: string, dbName: string): GrantModel[] {
  if (!rbac.roles.has(role)) throw rbacError(RbacLegacy.SelectGrant, `not found the role, maybe the role isn't existed or internal system error: ${role}`);
  const type = objectType === '' ? undefined : objectTypeByName(objectType);
  if (objectType !== '' && type === undefined) throw rbacError(RbacLegacy.SelectGrant, `not found the object type[name: ${objectType}]`, 'ParameterInvalid');
  const db = dbName === '' ? DEFAULT_DB_NAME : dbName;
  return rbac
    .grantsOf(role)
    .filter((g) => (type === undefined || g.objectType === type) && (objectName === '' || g.objectName === objectName) && (db === ANY || g.dbName === db));
}

/**
 * ListPolicy (internal, a proxy's cache warm-up): one JSON policy per granted privilege, groups expanded
 * to their members, Milvus's format `{"PType":"p","V0":role,"V1":"<Type>-<db>.<object>","V2":"Privilege<Name>"}`;
 * user-role pairs as `user/role`.
 */
export function listPolicy(rbac: RbacView): { policies: string[]; userRoles: string[]; groups: PrivilegeGroupModel[] } {
  const policies = new Set<string>();
  for (const grant of rbac.grants.values()) {
    const members = rbac.groupMembers(grant.privilege) ?? [grant.privilege];
    for (const privilege of members) {
      policies.add(policyFor(grant, privilege));
    }
  }
  const userRoles: string[] = [];
  for (const [user, roles] of rbac.userRoles) for (const role of roles) userRoles.push(`${user}/${role}`);
  return { policies: [...policies].sort(), userRoles: userRoles.sort(), groups: privilegeGroups(rbac) };
}

/** The custom privilege groups, then the nine built-in ones with their members. */
export function privilegeGroups(rbac: RbacView): PrivilegeGroupModel[] {
  const custom = [...rbac.privilegeGroups.values()].sort((a, b) => a.name.localeCompare(b.name));
  return [...custom, ...[...BUILTIN_GROUPS].map(([name, g]) => ({ name, privileges: g.privileges }))];
}

export interface RbacBackup {
  readonly users: Array<{ user: string; passwordHash: string; roles: string[] }>;
  readonly roles: string[];
  readonly grants: GrantModel[];
  readonly groups: PrivilegeGroupModel[];
}

/** BackupRBAC: users (with their hashes), roles, grants and custom groups, without root, admin and public. */
export function backupRbac(rbac: RbacView): RbacBackup {
  return {
    users: listUsers(rbac)
      .filter((u) => u !== ROOT_USER)
      .map((user) => ({ user, passwordHash: (rbac.credentials.get(user) as CredentialModel).passwordHash, roles: rbac.rolesOf(user) })),
    roles: [...rbac.roles].filter((r) => !BUILTIN_ROLES.includes(r)).sort(),
    grants: [...rbac.grants.values()].filter((g) => !BUILTIN_ROLES.includes(g.role)).sort((a, b) => a.role.localeCompare(b.role)),
    groups: [...rbac.privilegeGroups.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}
