/**
 * Users, roles, grants and privilege groups (Milvus spec sections 1.7, 1.8, 3.5): the model, the
 * privilege catalogue and the built-in roles and groups. The tenant is always "" as in Milvus.
 */
import { keyPart } from '../meta/catalog-keys.js';

export interface CredentialModel {
  readonly username: string;
  /** A salted slow hash of the password (see src/auth/password-hash.ts); the password itself is never stored. */
  readonly passwordHash: string;
  /** Wall-clock ms of creation and of the last password change. */
  readonly createdUtcMs: bigint;
  readonly modifiedUtcMs: bigint;
}

export enum ObjectType {
  Collection = 0,
  Global = 1,
  User = 2,
}

export const OBJECT_TYPE_NAMES: Readonly<Record<ObjectType, string>> = { [ObjectType.Collection]: 'Collection', [ObjectType.Global]: 'Global', [ObjectType.User]: 'User' };

export function objectTypeByName(name: string): ObjectType | undefined {
  for (const [type, n] of Object.entries(OBJECT_TYPE_NAMES)) if (n === name) return Number(type) as ObjectType;
  return undefined;
}

/** One privilege (or privilege group) granted to a role on an object. Names are in API form (no prefix). */
export interface GrantModel {
  readonly role: string;
  readonly objectType: ObjectType;
  readonly dbName: string;
  readonly objectName: string;
  readonly privilege: string;
  readonly grantor: string;
}

export interface PrivilegeGroupModel {
  readonly name: string;
  readonly privileges: readonly string[];
}

/** A grant's identity: a re-grant by another grantor replaces it, a revoke names it (names escaped: no two grants share one). */
export function grantKey(g: Pick<GrantModel, 'role' | 'objectType' | 'dbName' | 'objectName' | 'privilege'>): string {
  return `${keyPart(g.role)}/${OBJECT_TYPE_NAMES[g.objectType]}/${keyPart(g.dbName, true)}.${keyPart(g.objectName, true)}/${keyPart(g.privilege)}`;
}

export const ROOT_USER = 'root';
export const ADMIN_ROLE = 'admin';
export const PUBLIC_ROLE = 'public';
export const BUILTIN_ROLES: readonly string[] = [ADMIN_ROLE, PUBLIC_ROLE];
/** Every name in grants and policies: any database, any object. */
export const ANY = '*';

/** Privilege names per object type (spec 3.5, Milvus pkg/util/constant.go). */
export const OBJECT_PRIVILEGES: Readonly<Record<ObjectType, readonly string[]>> = {
  [ObjectType.Collection]: [
    'Load', 'Release', 'Compaction', 'Insert', 'Delete', 'Upsert', 'GetStatistics', 'CreateIndex', 'IndexDetail', 'DropIndex', 'Search', 'Flush', 'Query',
    'LoadBalance', 'Import', 'GetLoadingProgress', 'GetLoadState', 'CreatePartition', 'DropPartition', 'ShowPartitions', 'HasPartition', 'GetFlushState',
    'ReadOnly', 'ReadWrite', 'GetImportProgress', 'ListImport', 'AddCollectionField',
  ],
  [ObjectType.Global]: [
    'All', 'CreateCollection', 'DropCollection', 'DescribeCollection', 'ShowCollections', 'RenameCollection', 'CreateOwnership', 'DropOwnership',
    'SelectOwnership', 'ManageOwnership', 'BackupRBAC', 'RestoreRBAC', 'CreateResourceGroup', 'UpdateResourceGroups', 'DropResourceGroup',
    'DescribeResourceGroup', 'ListResourceGroups', 'TransferReplica', 'TransferNode', 'FlushAll', 'CreateDatabase', 'DropDatabase', 'ListDatabases',
    'AlterDatabase', 'DescribeDatabase', 'CreateAlias', 'DropAlias', 'DescribeAlias', 'ListAliases', 'Admin', 'CreatePrivilegeGroup',
    'DropPrivilegeGroup', 'ListPrivilegeGroups', 'OperatePrivilegeGroup',
    'ClusterReadOnly', 'ClusterReadWrite', 'ClusterAdmin', 'DatabaseReadOnly', 'DatabaseReadWrite', 'DatabaseAdmin',
    'CollectionReadOnly', 'CollectionReadWrite', 'CollectionAdmin',
  ],
  [ObjectType.User]: ['UpdateUser', 'SelectUser'],
};

export type PrivilegeLevel = 'cluster' | 'database' | 'collection';

// The built-in groups' members, as Milvus's documentation lists them (adminGuide/privilege_group.md, v2.6).
const COLLECTION_READ_ONLY = ['Query', 'Search', 'IndexDetail', 'GetFlushState', 'GetLoadState', 'GetLoadingProgress', 'HasPartition', 'ShowPartitions', 'ListAliases', 'DescribeCollection', 'DescribeAlias', 'GetStatistics'];
const COLLECTION_READ_WRITE = [...COLLECTION_READ_ONLY, 'CreateIndex', 'DropIndex', 'CreatePartition', 'DropPartition', 'Load', 'Release', 'Insert', 'Delete', 'Upsert', 'Import', 'Flush', 'Compaction', 'LoadBalance'];
const COLLECTION_ADMIN = [...COLLECTION_READ_WRITE, 'CreateAlias', 'DropAlias'];
const DATABASE_READ_ONLY = ['ShowCollections', 'DescribeDatabase'];
const DATABASE_READ_WRITE = [...DATABASE_READ_ONLY, 'AlterDatabase'];
const DATABASE_ADMIN = [...DATABASE_READ_WRITE, 'CreateCollection', 'DropCollection'];
const CLUSTER_READ_ONLY = ['ListDatabases', 'SelectOwnership', 'SelectUser', 'DescribeResourceGroup', 'ListResourceGroups'];
const CLUSTER_READ_WRITE = [...CLUSTER_READ_ONLY, 'UpdateResourceGroups', 'TransferNode', 'TransferReplica', 'FlushAll'];
const CLUSTER_ADMIN = [
  ...CLUSTER_READ_WRITE, 'RenameCollection', 'CreateOwnership', 'UpdateUser', 'DropOwnership', 'ManageOwnership', 'BackupRBAC', 'RestoreRBAC',
  'CreateResourceGroup', 'DropResourceGroup', 'CreateDatabase', 'DropDatabase', 'CreatePrivilegeGroup', 'DropPrivilegeGroup', 'ListPrivilegeGroups',
  'OperatePrivilegeGroup',
];

/** The nine built-in privilege groups with their members and levels (Milvus's defaults). */
export const BUILTIN_GROUPS: ReadonlyMap<string, { readonly level: PrivilegeLevel; readonly privileges: readonly string[] }> = new Map([
  ['ClusterReadOnly', { level: 'cluster', privileges: CLUSTER_READ_ONLY }],
  ['ClusterReadWrite', { level: 'cluster', privileges: CLUSTER_READ_WRITE }],
  ['ClusterAdmin', { level: 'cluster', privileges: CLUSTER_ADMIN }],
  ['DatabaseReadOnly', { level: 'database', privileges: DATABASE_READ_ONLY }],
  ['DatabaseReadWrite', { level: 'database', privileges: DATABASE_READ_WRITE }],
  ['DatabaseAdmin', { level: 'database', privileges: DATABASE_ADMIN }],
  ['CollectionReadOnly', { level: 'collection', privileges: COLLECTION_READ_ONLY }],
  ['CollectionReadWrite', { level: 'collection', privileges: COLLECTION_READ_WRITE }],
  ['CollectionAdmin', { level: 'collection', privileges: COLLECTION_ADMIN }],
] as const);

/** Whether `name` is a privilege of some object type (not one of the built-in groups listed among them). */
export function isPlainPrivilege(name: string): boolean {
  return !BUILTIN_GROUPS.has(name) && Object.values(OBJECT_PRIVILEGES).some((list) => list.includes(name));
}

/** Role, privilege group and RBAC object names (Milvus's proxy rule, allowed extra character `$`). */
export const RBAC_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** The level of a plain privilege (v2 grants, group consistency); undefined for a group or an unknown name. */
export function privilegeLevel(privilege: string): PrivilegeLevel | undefined {
  if (BUILTIN_GROUPS.has(privilege)) return undefined;
  if (COLLECTION_ADMIN.includes(privilege) || OBJECT_PRIVILEGES[ObjectType.Collection].includes(privilege)) return 'collection';
  if (DATABASE_ADMIN.includes(privilege)) return 'database';
  if (OBJECT_PRIVILEGES[ObjectType.Global].includes(privilege) || OBJECT_PRIVILEGES[ObjectType.User].includes(privilege)) return 'cluster';
  return undefined;
}

/** The object type a plain privilege is granted on (v2 grants derive it). */
export function objectTypeOf(privilege: string): ObjectType {
  if (OBJECT_PRIVILEGES[ObjectType.Collection].includes(privilege)) return ObjectType.Collection;
  if (OBJECT_PRIVILEGES[ObjectType.User].includes(privilege)) return ObjectType.User;
  return ObjectType.Global;
}

/** What `public` is granted at first boot when public privileges are enabled (spec 3.5). */
export const PUBLIC_DEFAULT_GRANTS: ReadonlyArray<Pick<GrantModel, 'objectType' | 'privilege'>> = [
  { objectType: ObjectType.Global, privilege: 'DescribeCollection' },
  { objectType: ObjectType.Global, privilege: 'ListAliases' },
  { objectType: ObjectType.Collection, privilege: 'IndexDetail' },
];

/** The metastore form of a privilege or group name (Milvus prefixes them). */
export function privilegeForMetastore(name: string, isGroup: boolean): string {
  return isGroup ? `PrivilegeGroup${name}` : `Privilege${name}`;
}

/** A policy as Milvus's proxies cache it: `{"PType":"p","V0":role,"V1":"<Type>-<db>.<object>","V2":"Privilege<Name>"}`. */
export function policyFor(grant: Pick<GrantModel, 'role' | 'objectType' | 'dbName' | 'objectName'>, privilege: string): string {
  return JSON.stringify({ PType: 'p', V0: grant.role, V1: `${OBJECT_TYPE_NAMES[grant.objectType]}-${grant.dbName}.${grant.objectName}`, V2: privilegeForMetastore(privilege, false) });
}

/**
 * Roles created when the cluster first starts, from configuration, and never droppable (Milvus
 * `common.security.builtinRoles`): `{"role": {"privileges": [{"resource_type": "Global",
 * "resource_name": "*", "resource_privilege": "CreateCollection", "db_name": "*"}]}}`.
 */
export type BuiltinRolesConfig = Readonly<Record<string, { readonly privileges: ReadonlyArray<{ readonly resource_type: string; readonly resource_name: string; readonly resource_privilege: string; readonly db_name?: string }> }>>;

/** The grants a builtin-roles configuration asks for; throws an Error naming the first bad entry. */
export function builtinRoleGrants(config: BuiltinRolesConfig): GrantModel[] {
  const grants: GrantModel[] = [];
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error('builtin roles: want an object of role name -> {"privileges": [...]}');
  for (const [role, spec] of Object.entries(config)) {
    if (!RBAC_NAME.test(role)) throw new Error(`builtin role "${role}": not a valid role name`);
    if (BUILTIN_ROLES.includes(role)) throw new Error(`builtin role "${role}": admin and public exist already`);
    const privileges = (spec as { privileges?: unknown } | null)?.privileges ?? [];
    if (!Array.isArray(privileges)) throw new Error(`builtin role "${role}": "privileges" must be a list`);
    for (const p of privileges as BuiltinRolesConfig[string]['privileges']) {
      const objectType = objectTypeByName(p.resource_type);
      if (objectType === undefined) throw new Error(`builtin role "${role}": unknown resource_type "${p.resource_type}" (Collection, Global or User)`);
      const privilege = p.resource_privilege === ANY ? 'All' : p.resource_privilege;
      if (!OBJECT_PRIVILEGES[objectType].includes(privilege) && !BUILTIN_GROUPS.has(privilege)) throw new Error(`builtin role "${role}": unknown privilege "${p.resource_privilege}" for ${p.resource_type}`);
      if (typeof p.resource_name !== 'string' || p.resource_name === '') throw new Error(`builtin role "${role}": resource_name is required`);
      grants.push({ role, objectType, dbName: p.db_name === undefined || p.db_name === '' ? 'default' : p.db_name, objectName: objectType === ObjectType.Global ? ANY : p.resource_name, privilege, grantor: ROOT_USER });
    }
  }
  return grants;
}
