import { CodedError } from '../common/error-codes.js';
import { DEFAULT_DB_NAME } from '../meta/model.js';
import { ADMIN_ROLE, ANY, ObjectType, PUBLIC_ROLE, ROOT_USER } from './rbac-model.js';
import type { GrantModel } from './rbac-model.js';
import type { RbacView } from './rbac-table.js';

type Request = Record<string, unknown>;

/**
 * What a call needs: a privilege on an object, a super user (internal and admin calls), only valid
 * credentials (`none`), or not even those (`anonymous`: health checks, as in Milvus).
 */
export type Requirement =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'privilege'; readonly objectType: ObjectType; readonly privilege: string; readonly dbName: string; readonly objectName: string; readonly self?: string }
  | { readonly kind: 'superuser' }
  | { readonly kind: 'none' };

const s = (req: Request, key: string): string => (typeof req[key] === 'string' ? (req[key] as string) : '');
const db = (req: Request): string => s(req, 'db_name') || DEFAULT_DB_NAME;
/** A Global privilege in the request's database, on the collection named by field `nameField` (or `*`). */
const global = (privilege: string, nameField?: string) => (req: Request): Requirement => ({ kind: 'privilege', objectType: ObjectType.Global, privilege, dbName: db(req), objectName: nameField === undefined ? ANY : s(req, nameField) || ANY });
const collection = (privilege: string) => (req: Request): Requirement => ({ kind: 'privilege', objectType: ObjectType.Collection, privilege, dbName: db(req), objectName: s(req, 'collection_name') || ANY });
const user = (privilege: string, field: string) => (req: Request): Requirement => {
  const name = field === 'user' ? s((req['user'] ?? {}) as Request, 'name') : s(req, field);
  return { kind: 'privilege', objectType: ObjectType.User, privilege, dbName: ANY, objectName: name || ANY, self: name };
};
const superuser = (): Requirement => ({ kind: 'superuser' });
const none = (): Requirement => ({ kind: 'none' });
const anonymous = (): Requirement => ({ kind: 'anonymous' });

/**
 * The privilege each RootCoord RPC needs when authorization is on, after Milvus's proxy privilege
 * table. List calls (ListDatabases, ShowCollections) need none: their answers are filtered by grants
 * (spec 3.6). Internal calls (TSO, IDs, time ticks, proxy sessions, credential and policy lookups) and
 * the whole admin service need a super user: root or a member of admin.
 */
const REQUIREMENTS: Readonly<Record<string, (req: Request) => Requirement>> = {
  GetComponentStates: anonymous,
  CheckHealth: anonymous,
  AllocTimestamp: superuser,
  AllocID: superuser,
  UpdateChannelTimeTick: superuser,
  OpenProxySession: superuser,
  WatchTimeTick: superuser,
  GetCredential: superuser,
  ListPolicy: superuser,

  CreateDatabase: global('CreateDatabase'),
  DropDatabase: global('DropDatabase'),
  ListDatabases: none,
  DescribeDatabase: global('DescribeDatabase'),
  AlterDatabase: global('AlterDatabase'),

  CreateCollection: global('CreateCollection', 'collection_name'),
  DropCollection: global('DropCollection', 'collection_name'),
  HasCollection: global('DescribeCollection', 'collection_name'),
  DescribeCollection: global('DescribeCollection', 'collection_name'),
  ShowCollections: none,
  AlterCollection: global('CreateCollection', 'collection_name'),
  AddCollectionField: collection('AddCollectionField'),
  // milvus.proto AlterCollectionFieldRequest: Global CreateCollection, object name index -1 (any).
  AlterCollectionField: global('CreateCollection'),
  RenameCollection: global('RenameCollection', 'oldName'),

  CreatePartition: collection('CreatePartition'),
  DropPartition: collection('DropPartition'),
  HasPartition: collection('HasPartition'),
  ShowPartitions: collection('ShowPartitions'),

  CreateAlias: global('CreateAlias', 'collection_name'),
  DropAlias: global('DropAlias'),
  AlterAlias: global('CreateAlias', 'collection_name'),
  DescribeAlias: global('DescribeAlias'),
  ListAliases: global('ListAliases', 'collection_name'),

  CreateCredential: global('CreateOwnership'),
  UpdateCredential: user('UpdateUser', 'username'),
  DeleteCredential: global('DropOwnership'),
  ListCredUsers: global('SelectOwnership'),
  CreateRole: global('CreateOwnership'),
  DropRole: global('DropOwnership'),
  OperateUserRole: global('ManageOwnership'),
  SelectRole: global('SelectOwnership'),
  SelectUser: user('SelectUser', 'user'),
  OperatePrivilege: global('ManageOwnership'),
  SelectGrant: global('SelectOwnership'),
  BackupRBAC: global('BackupRBAC'),
  RestoreRBAC: global('RestoreRBAC'),
  CreatePrivilegeGroup: global('CreatePrivilegeGroup'),
  DropPrivilegeGroup: global('DropPrivilegeGroup'),
  ListPrivilegeGroups: global('ListPrivilegeGroups'),
  OperatePrivilegeGroup: global('OperatePrivilegeGroup'),
};

/** What `method` of `service` needs (anything not listed needs a super user). */
export function requirementOf(service: 'api' | 'admin', method: string, request: Request): Requirement {
  if (service === 'admin') return { kind: 'superuser' };
  return (REQUIREMENTS[method] ?? superuser)(request);
}

/** Whether root bypasses RBAC on this node: unless it is configured to need roles (rootShouldBindRole). */
export function rootBypasses(security: { readonly rootShouldBindRole: boolean } | null): boolean {
  return security?.rootShouldBindRole !== true;
}

/**
 * root, or a member of admin: every privilege. root bypasses RBAC unless `rootBypass` is off (Milvus
 * `common.security.rootShouldBindRole`): then root has what its roles grant, like any user.
 */
export function isSuperUser(rbac: RbacView, user: string, rootBypass = true): boolean {
  return (rootBypass && user === ROOT_USER) || rbac.roleSet(user).has(ADMIN_ROLE);
}

/** The roles whose grants apply to `user`: its own and public. */
function effectiveRoles(rbac: RbacView, user: string): Set<string> {
  return new Set([...rbac.roleSet(user), PUBLIC_ROLE]);
}

/** Whether a grant covers a privilege on an object: `All`, a group holding it, or the privilege itself. */
function grantCovers(rbac: RbacView, grant: GrantModel, objectType: ObjectType, privilege: string, dbName: string, objectName: string): boolean {
  if (grant.dbName !== ANY && grant.dbName !== dbName) return false;
  if (grant.objectName !== ANY && grant.objectName !== objectName) return false;
  if (grant.privilege === 'All' && grant.objectType === ObjectType.Global) return true;
  const members = rbac.groupMembers(grant.privilege);
  if (members !== undefined) return members.includes(privilege);
  return grant.objectType === objectType && grant.privilege === privilege;
}

/** Throws PrivilegeNotPermitted (1401) unless `user` may make a call with this requirement. */
export function checkAccess(rbac: RbacView, user: string, method: string, need: Requirement, rootBypass = true): void {
  if (need.kind === 'none' || need.kind === 'anonymous' || isSuperUser(rbac, user, rootBypass)) return;
  if (need.kind === 'privilege') {
    if (need.self !== undefined && need.self === user) return;
    for (const role of effectiveRoles(rbac, user)) {
      for (const grant of rbac.roleGrants(role)) if (grantCovers(rbac, grant, need.objectType, need.privilege, need.dbName, need.objectName)) return;
    }
    throw new CodedError('PrivilegeNotPermitted', `PrivilegeNotPermitted: ${method}: user ${user} lacks privilege ${need.privilege} on ${need.dbName}.${need.objectName}`);
  }
  throw new CodedError('PrivilegeNotPermitted', `PrivilegeNotPermitted: ${method} is for root and members of the admin role, not ${user}`);
}
