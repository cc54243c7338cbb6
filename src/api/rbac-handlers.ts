import { isSuperUser, rootBypasses } from '../rbac/access.js';
import { CodedError } from '../common/error-codes.js';
import { OBJECT_TYPE_NAMES, objectTypeByName, ROOT_USER } from '../rbac/rbac-model.js';
import type { GrantModel, PrivilegeGroupModel } from '../rbac/rbac-model.js';
import { CreateCredentialTask } from '../rbac/tasks/create-credential-task.js';
import { DeleteCredentialTask } from '../rbac/tasks/delete-credential-task.js';
import { UpdateCredentialTask } from '../rbac/tasks/update-credential-task.js';
import { CreatePrivilegeGroupTask } from '../rbac/tasks/create-privilege-group-task.js';
import { DropPrivilegeGroupTask } from '../rbac/tasks/drop-privilege-group-task.js';
import { OperatePrivilegeGroupTask } from '../rbac/tasks/operate-privilege-group-task.js';
import { OperatePrivilegeTask } from '../rbac/tasks/operate-privilege-task.js';
import type { GrantRequest } from '../rbac/tasks/operate-privilege-task.js';
import { backupRbac, getCredential, listPolicy, listUsers, privilegeGroups, selectGrants, selectRoles, selectUsers } from '../rbac/rbac-reads.js';
import type { RbacBackup } from '../rbac/rbac-reads.js';
import { RestoreRbacTask } from '../rbac/tasks/restore-rbac-task.js';
import { CreateRoleTask } from '../rbac/tasks/create-role-task.js';
import { DropRoleTask } from '../rbac/tasks/drop-role-task.js';
import { OperateUserRoleTask } from '../rbac/tasks/operate-user-role-task.js';
import type { DdlTask } from '../ddl/task.js';
import type { CatalogPort, NodePort, TaskPort } from './ports.js';
import { int, str } from './convert.js';
import type { PlainMessage } from './proto.js';
import { ddlHandler, readHandler } from './handler.js';
import type { CallContext, Handler } from './handler.js';

const obj = (req: PlainMessage, key: string): PlainMessage => (req[key] ?? {}) as PlainMessage;
const list = (req: PlainMessage, key: string): PlainMessage[] => (Array.isArray(req[key]) ? (req[key] as PlainMessage[]) : []);
const named = (name: string): PlainMessage => ({ name });

function grantRequest(entity: PlainMessage): GrantRequest {
  const grantor = obj(entity, 'grantor');
  return {
    role: str(obj(entity, 'role'), 'name'),
    objectType: str(obj(entity, 'object'), 'name'),
    objectName: str(entity, 'object_name'),
    dbName: str(entity, 'db_name'),
    privilege: str(obj(grantor, 'privilege'), 'name'),
    grantor: str(obj(grantor, 'user'), 'name'),
  };
}

function grantEntity(g: GrantModel): PlainMessage {
  return { role: named(g.role), object: named(OBJECT_TYPE_NAMES[g.objectType]), object_name: g.objectName, db_name: g.dbName, grantor: { user: named(g.grantor), privilege: named(g.privilege) } };
}

function groupInfo(g: PrivilegeGroupModel): PlainMessage {
  return { group_name: g.name, privileges: g.privileges.map(named) };
}

function backupMessage(b: RbacBackup): PlainMessage {
  return {
    users: b.users.map((u) => ({ user: u.user, password: u.passwordHash, roles: u.roles.map(named) })),
    roles: b.roles.map(named),
    grants: b.grants.map(grantEntity),
    privilege_groups: b.groups.map(groupInfo),
  };
}

function backupFrom(meta: PlainMessage): RbacBackup {
  return {
    users: list(meta, 'users').map((u) => ({ user: str(u, 'user'), passwordHash: str(u, 'password'), roles: list(u, 'roles').map((r) => str(r, 'name')) })),
    roles: list(meta, 'roles').map((r) => str(r, 'name')),
    grants: list(meta, 'grants').map((e): GrantModel => {
      const r = grantRequest(e);
      const objectType = objectTypeByName(r.objectType);
      if (objectType === undefined) throw new CodedError('ParameterInvalid', `a grant to role ${r.role} has the unknown object type "${r.objectType}"`);
      return { role: r.role, objectType, dbName: r.dbName, objectName: r.objectName, privilege: r.privilege, grantor: r.grantor };
    }),
    groups: list(meta, 'privilege_groups').map((g) => ({ name: str(g, 'group_name'), privileges: list(g, 'privileges').map((p) => str(p, 'name')) })),
  };
}

/** The credential and RBAC RPCs (spec 1.7, 1.8): writes are tasks under the RBAC lock, reads are local. */
export function rbacHandlers(node: Pick<NodePort, 'config'> & TaskPort & CatalogPort): Record<string, Handler> {
  const rbac = node.meta.rbac;
  const ddl = (toTask: (req: PlainMessage, call: CallContext) => DdlTask): Handler => ddlHandler(node, toTask);
  const read = (handle: (req: PlainMessage) => PlainMessage): Handler => readHandler(handle);
  const caller = (call: CallContext): string => call.user ?? ROOT_USER;

  return {
    CreateCredential: ddl((req) => new CreateCredentialTask(str(req, 'username'), str(req, 'password'))),
    UpdateCredential: ddl((req, call) => new UpdateCredentialTask(str(req, 'username'), str(req, 'oldPassword'), str(req, 'newPassword'), call.user !== null && isSuperUser(rbac, call.user, rootBypasses(node.config.security)))),
    DeleteCredential: ddl((req) => new DeleteCredentialTask(str(req, 'username'))),
    ListCredUsers: read(() => ({ usernames: listUsers(rbac) })),
    GetCredential: read((req) => {
      const c = getCredential(rbac, str(req, 'username'));
      return { username: c.username, password: c.passwordHash };
    }),

    CreateRole: ddl((req) => new CreateRoleTask(str(obj(req, 'entity'), 'name'))),
    DropRole: ddl((req) => new DropRoleTask(str(req, 'role_name'), req['force_drop'] === true, Object.keys(node.config.security?.builtinRoles ?? {}))),
    OperateUserRole: ddl((req) => new OperateUserRoleTask(str(req, 'username'), str(req, 'role_name'), int(req, 'type'))),
    SelectRole: read((req) => ({
      results: selectRoles(rbac, str(obj(req, 'role'), 'name'), req['include_user_info'] === true).map((r) => ({ role: named(r.role), users: r.users.map(named) })),
    })),
    SelectUser: read((req) => ({
      results: selectUsers(rbac, str(obj(req, 'user'), 'name'), req['include_role_info'] === true).map((u) => ({ user: named(u.user), roles: u.roles.map(named) })),
    })),
    OperatePrivilege: ddl((req, call) => new OperatePrivilegeTask(grantRequest(obj(req, 'entity')), int(req, 'type'), str(req, 'version'), caller(call))),
    SelectGrant: read((req) => {
      const r = grantRequest(obj(req, 'entity'));
      return { entities: selectGrants(rbac, r.role, r.objectType, r.objectName, r.dbName).map(grantEntity) };
    }),
    ListPolicy: read(() => {
      const p = listPolicy(rbac);
      return { policy_infos: p.policies, user_roles: p.userRoles, privilege_groups: p.groups.map(groupInfo) };
    }),
    BackupRBAC: read(() => ({ RBAC_meta: backupMessage(backupRbac(rbac)) })),
    RestoreRBAC: ddl((req) => new RestoreRbacTask(backupFrom(obj(req, 'RBAC_meta')))),

    CreatePrivilegeGroup: ddl((req) => new CreatePrivilegeGroupTask(str(req, 'group_name'))),
    DropPrivilegeGroup: ddl((req) => new DropPrivilegeGroupTask(str(req, 'group_name'))),
    ListPrivilegeGroups: read(() => ({ privilege_groups: privilegeGroups(rbac).map(groupInfo) })),
    OperatePrivilegeGroup: ddl((req) => new OperatePrivilegeGroupTask(str(req, 'group_name'), list(req, 'privileges').map((p) => str(p, 'name')), int(req, 'type'))),
  };
}
