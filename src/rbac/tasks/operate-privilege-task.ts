import { CodedError } from '../../common/error-codes.js';
import { DEFAULT_DB_NAME } from '../../meta/model.js';
import { ANY, BUILTIN_GROUPS, grantKey, OBJECT_PRIVILEGES, objectTypeByName, objectTypeOf, ObjectType, policyFor, privilegeLevel, ROOT_USER } from '../rbac-model.js';
import type { GrantModel, PrivilegeLevel } from '../rbac-model.js';
import type { RbacView } from '../rbac-table.js';
import { lockChains } from '../../ddl/lock-manager.js';
import type { LockRequest } from '../../ddl/lock-manager.js';
import type { DdlTask, TaskContext } from '../../ddl/task.js';
import { PolicyCacheOp } from '../../ddl/broker.js';
import { notifyProxies } from '../../ddl/notify.js';
import { rbacError, RbacLegacy, validateGrantDatabaseName, validateRbacName } from '../rbac-rules.js';

export enum OperatePrivilegeType {
  Grant = 0,
  Revoke = 1,
}

/** What a client asks to grant or revoke, as OperatePrivilegeRequest's entity carries it. */
export interface GrantRequest {
  readonly role: string;
  /** v1: Collection, Global or User; v2 derives it from the privilege. */
  readonly objectType: string;
  readonly objectName: string;
  readonly dbName: string;
  readonly privilege: string;
  /** Empty: the caller. */
  readonly grantor: string;
}

const fail = (message: string, name: 'Unexpected' | 'ParameterInvalid' = 'ParameterInvalid'): CodedError => rbacError(RbacLegacy.OperatePrivilege, message, name);

/** The level of a privilege group: a built-in one's, or a custom one's members' (undefined when empty). */
function groupLevel(rbac: RbacView, group: string): PrivilegeLevel | undefined {
  const builtin = BUILTIN_GROUPS.get(group);
  if (builtin !== undefined) return builtin.level;
  const members = rbac.privilegeGroups.get(group)?.privileges ?? [];
  return members.length === 0 ? 'collection' : privilegeLevel(members[0] as string);
}

/** A grant as v1 validates it: a plain privilege of the object type; Global objects are always `*`. */
function grantV1(req: GrantRequest, rbac: RbacView, ctx: TaskContext): Omit<GrantModel, 'grantor'> {
  const objectType = objectTypeByName(req.objectType);
  if (objectType === undefined) throw fail(`not found the object type[name: ${req.objectType}], supported the object types: [Collection Global User]`);
  const privilege = req.privilege === ANY ? 'All' : req.privilege;
  if (BUILTIN_GROUPS.has(privilege) || rbac.privilegeGroups.has(privilege)) throw fail(`the privilege [${privilege}] is a privilege group: grant it with OperatePrivilegeV2`);
  if (!OBJECT_PRIVILEGES[objectType].includes(privilege)) throw fail(`not found the privilege name[${privilege}] in object[${req.objectType}]`);
  const objectName = objectType === ObjectType.Global ? ANY : req.objectName;
  validateRbacName('object', objectName, ctx.limits, RbacLegacy.OperatePrivilege, true);
  validateGrantDatabaseName(req.dbName, ctx.limits, RbacLegacy.OperatePrivilege);
  return { role: req.role, objectType, dbName: req.dbName === '' ? DEFAULT_DB_NAME : req.dbName, objectName, privilege };
}

/**
 * A grant as v2 validates it: a privilege or a group, its object type and names fixed by its level:
 * cluster-level on `*`.`*`, database-level on `db`.`*`, collection-level on `db`.`collection`.
 */
function grantV2(req: GrantRequest, rbac: RbacView, ctx: TaskContext): Omit<GrantModel, 'grantor'> {
  const isGroup = BUILTIN_GROUPS.has(req.privilege) || rbac.privilegeGroups.has(req.privilege);
  const level = isGroup ? groupLevel(rbac, req.privilege) : privilegeLevel(req.privilege);
  if (level === undefined) throw fail(`not found the privilege name[${req.privilege}]`);
  const dbName = req.dbName === '' ? DEFAULT_DB_NAME : req.dbName;
  const collection = req.objectName === '' ? ANY : req.objectName;
  validateGrantDatabaseName(dbName, ctx.limits, RbacLegacy.OperatePrivilege);
  validateRbacName('collection', collection, ctx.limits, RbacLegacy.OperatePrivilege, true);
  switch (level) {
    case 'cluster':
      if (dbName !== ANY || collection !== ANY) throw fail(`dbName and collectionName should be * for the cluster level privilege: ${req.privilege}`);
      return { role: req.role, objectType: ObjectType.Global, dbName: ANY, objectName: ANY, privilege: req.privilege };
    case 'database':
      if (collection !== ANY) throw fail(`collectionName should be * for the database level privilege: ${req.privilege}`);
      return { role: req.role, objectType: ObjectType.Global, dbName, objectName: ANY, privilege: req.privilege };
    case 'collection':
      if (dbName === ANY && collection !== ANY) throw fail(`collectionName should be * when dbName is * for the collection level privilege: ${req.privilege}`);
      return { role: req.role, objectType: isGroup ? ObjectType.Collection : objectTypeOf(req.privilege), dbName, objectName: collection, privilege: req.privilege };
  }
}

/** OperatePrivilege (spec 1.8): grant or revoke; a re-grant and the revoke of a missing grant succeed. */
export class OperatePrivilegeTask implements DdlTask {
  readonly name = 'OperatePrivilege';

  constructor(
    private readonly request: GrantRequest,
    private readonly type: number,
    private readonly version: string,
    private readonly caller: string,
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(ctx: TaskContext): void {
    if (this.type !== OperatePrivilegeType.Grant && this.type !== OperatePrivilegeType.Revoke) throw fail(`invalid operate privilege type, current type: ${this.type}`);
    validateRbacName('role', this.request.role, ctx.limits, RbacLegacy.OperatePrivilege);
    if (this.request.privilege === '') throw fail('the privilege name in the grantor entity should not be empty');
  }

  async execute(ctx: TaskContext): Promise<void> {
    const rbac = ctx.meta.rbac;
    if (!rbac.roles.has(this.request.role)) throw fail(`not found the role, maybe the role isn't existed or internal system error: ${this.request.role}`, 'Unexpected');
    const grantor = this.request.grantor === '' ? this.caller : this.request.grantor;
    if (grantor !== ROOT_USER && !rbac.credentials.has(grantor)) throw fail(`not found the user, maybe the user isn't existed or internal system error: ${grantor}`, 'Unexpected');
    // `grantor` first (the grant functions give none): see the README, "Development": hidden classes.
    const grant: GrantModel = { grantor, ...(this.version === 'v2' ? grantV2(this.request, rbac, ctx) : grantV1(this.request, rbac, ctx)) };
    const exists = rbac.grants.has(grantKey(grant));
    const grantIt = this.type === OperatePrivilegeType.Grant;
    if (grantIt === exists) return;
    // The policies proxies cache: a group's members, expanded (read before a revoke removes the grant).
    const policies = (rbac.groupMembers(grant.privilege) ?? [grant.privilege]).map((p) => policyFor(grant, p));
    await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: grantIt ? { op: 'putGrant', grant } : { op: 'deleteGrant', grant } });
    const opType = grantIt ? PolicyCacheOp.GrantPrivilege : PolicyCacheOp.RevokePrivilege;
    await notifyProxies(ctx, ...policies.map((opKey) => ({ type: 'RefreshPolicyInfoCache' as const, opType, opKey })));
  }
}

