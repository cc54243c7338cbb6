import { CodedError } from '../common/error-codes.js';
import { ANY, ObjectType } from './rbac-model.js';
import { isSuperUser } from './access.js';
import type { GrantModel } from './rbac-model.js';
import type { RbacView } from './rbac-table.js';

/**
 * Which databases and collections a user's lists and describes show when authorization is on, as
 * Milvus's RootCoord decides it (internal/rootcoord list_db_task.go, show_collection_task.go,
 * describe_db_task.go, describe_collection_task.go, at the spec's commit):
 *
 * - root sees everything (the name alone: not its roles, whatever rootShouldBindRole says);
 * - otherwise only the user's own roles count (Milvus's SelectUser with role info: `public` is no
 *   role a user is bound to, so its grants show nothing), and a member of `admin` sees everything;
 * - a database is visible when one of those roles has any grant in it, or any grant on database `*`;
 * - a collection is visible when one of those roles has, in its database or on `*`, a Global `All`
 *   grant (then every collection is), or a grant whose object type is Collection on that collection
 *   or on `*`. The object type is Milvus's: a v2 grant of a privilege group is stored as Global
 *   there (util.GetObjectType lists every group under Global), so a group grant makes no collection
 *   visible, even CollectionReadOnly on that collection.
 */
export type Visible = { readonly all: true } | { readonly all: false; readonly names: ReadonlySet<string> };

const ALL: Visible = { all: true };

/** The roles whose grants decide what `user` sees; null for root (whatever rootShouldBindRole says) and admins, who see all. */
function ownRoles(rbac: RbacView, user: string): ReadonlySet<string> | null {
  return isSuperUser(rbac, user, true) ? null : rbac.roleSet(user);
}

/** The databases `user` sees in ListDatabases and may describe. */
export function visibleDatabases(rbac: RbacView, user: string): Visible {
  const roles = ownRoles(rbac, user);
  if (roles === null) return ALL;
  const names = new Set<string>();
  for (const role of roles) {
    for (const grant of rbac.roleGrants(role)) {
      if (grant.dbName === ANY) return ALL;
      names.add(grant.dbName);
    }
  }
  return { all: false, names };
}

/** The object type Milvus stores a grant under: every privilege group is Global there. */
function milvusObjectType(rbac: RbacView, grant: GrantModel): ObjectType {
  return rbac.groupMembers(grant.privilege) !== undefined ? ObjectType.Global : grant.objectType;
}

/** The collections of database `dbName` that `user` sees in ShowCollections and may describe by name. */
export function visibleCollections(rbac: RbacView, user: string, dbName: string): Visible {
  const roles = ownRoles(rbac, user);
  if (roles === null) return ALL;
  const names = new Set<string>();
  for (const role of roles) {
    for (const grant of rbac.roleGrants(role)) {
      if (grant.dbName !== ANY && grant.dbName !== dbName) continue;
      const objectType = milvusObjectType(rbac, grant);
      if (objectType === ObjectType.Global && grant.privilege === 'All') return ALL;
      if (objectType !== ObjectType.Collection) continue;
      if (grant.objectName === ANY) return ALL;
      names.add(grant.objectName);
    }
  }
  return { all: false, names };
}

export function isVisible(visible: Visible, name: string): boolean {
  return visible.all || visible.names.has(name);
}

/** DescribeDatabase: 1401 for a database `user` does not see (checked before the lookup, as Milvus does). */
export function requireVisibleDatabase(rbac: RbacView, user: string | null, dbName: string): void {
  if (user === null || isVisible(visibleDatabases(rbac, user), dbName)) return;
  throw new CodedError('PrivilegeNotPermitted', `not allowed to access database, db name: ${dbName}: privilege not permitted`);
}

/** DescribeCollection by name (by ID is not filtered): 1401 for a collection `user` does not see. */
export function requireVisibleCollection(rbac: RbacView, user: string | null, dbName: string, collectionName: string): void {
  if (user === null || collectionName === '' || isVisible(visibleCollections(rbac, user, dbName), collectionName)) return;
  throw new CodedError('PrivilegeNotPermitted', `not allowed to access collection, collection name: ${collectionName}: privilege not permitted`);
}
