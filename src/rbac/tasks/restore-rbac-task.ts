import { CodedError } from '../../common/error-codes.js';
import { BUILTIN_GROUPS, isPlainPrivilege, privilegeLevel, ROOT_USER } from '../rbac-model.js';
import type { MetaCommand } from '../../meta/commands.js';
import { lockChains } from '../../ddl/lock-manager.js';
import type { LockRequest } from '../../ddl/lock-manager.js';
import type { DdlTask, TaskContext } from '../../ddl/task.js';
import type { RbacBackup } from '../rbac-reads.js';
import { PolicyCacheOp } from '../../ddl/broker.js';
import { notifyProxies } from '../../ddl/notify.js';
import { validateGrantDatabaseName, validateRbacName, validateUsername, wallMs } from '../rbac-rules.js';

/** Milvus stamps no RBAC legacy code on RestoreRBAC; its failures carry UnexpectedError (1). */
const RESTORE_LEGACY = 1;

const failure = (message: string): CodedError => new CodedError('Unexpected', message);

/**
 * RestoreRBAC: recreate a backup's users, roles, custom groups and grants in one atomic command. It
 * fails, changing nothing, if any of them exists already, a grant names an unknown privilege group or
 * role, or a user names a role that neither exists nor is restored (as Milvus's restore checks).
 */
export class RestoreRbacTask implements DdlTask {
  readonly name = 'RestoreRBAC';

  constructor(private readonly backup: RbacBackup) {}

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  /** Every name is checked as its create call would check it: a backup is input like any other. */
  prepare(ctx: TaskContext): void {
    const { users, roles, grants, groups } = this.backup;
    for (const u of users) {
      validateUsername(u.user, ctx.limits, RESTORE_LEGACY);
      if (u.passwordHash === '') throw new CodedError('ParameterInvalid', `user ${u.user} has no password hash`);
      for (const role of u.roles) validateRbacName('role', role, ctx.limits, RESTORE_LEGACY);
    }
    for (const role of roles) validateRbacName('role', role, ctx.limits, RESTORE_LEGACY);
    for (const group of groups) {
      validateRbacName('privilege group', group.name, ctx.limits, RESTORE_LEGACY);
      // As OperatePrivilegeGroup would have made it: plain privileges of one level (a crafted backup's
      // group of 500,000 entries went in whole, and every authorized call scans a group's members).
      for (const p of group.privileges) if (!isPlainPrivilege(p)) throw new CodedError('ParameterInvalid', `privilege name [${p}] of privilege group [${group.name}] is invalid`);
      if (new Set(group.privileges.map((p) => privilegeLevel(p))).size > 1) throw new CodedError('ParameterInvalid', `the privileges of privilege group [${group.name}] are not the same privilege level`);
    }
    for (const grant of grants) {
      validateRbacName('role', grant.role, ctx.limits, RESTORE_LEGACY);
      validateRbacName('object', grant.objectName, ctx.limits, RESTORE_LEGACY, true);
      validateGrantDatabaseName(grant.dbName, ctx.limits, RESTORE_LEGACY);
      if (grant.grantor !== '') validateUsername(grant.grantor, ctx.limits, RESTORE_LEGACY);
    }
  }

  async execute(ctx: TaskContext): Promise<void> {
    const rbac = ctx.meta.rbac;
    const { users, roles, grants, groups } = this.backup;
    for (const role of roles) if (rbac.roles.has(role)) throw failure(`role [${role}] already exists`);
    for (const group of groups) if (rbac.privilegeGroups.has(group.name) || BUILTIN_GROUPS.has(group.name)) throw failure(`privilege group [${group.name}] already exists`);
    for (const user of users) if (rbac.credentials.has(user.user) || user.user === ROOT_USER) throw failure(`user [${user.user}] already exists`);
    // The limits CreateCredential and CreateRole keep apply to a restore too (a crafted backup of 2,000
    // users and roles went in whole).
    const userCount = rbac.credentials.size + new Set(users.map((u) => u.user)).size;
    if (userCount > ctx.limits.maxUserNum) throw failure(`restoring ${users.length} users would make ${userCount}, more than the limit of ${ctx.limits.maxUserNum}`);
    const roleCount = rbac.roles.size + new Set(roles).size;
    if (roleCount > ctx.limits.maxRoleNum) throw failure(`restoring ${roles.length} roles would make ${roleCount}, more than the limit(${ctx.limits.maxRoleNum})`);
    const knownGroups = new Set(groups.map((g) => g.name));
    const knownRoles = new Set([...rbac.roles, ...roles]);
    for (const grant of grants) {
      if (!isPlainPrivilege(grant.privilege) && !BUILTIN_GROUPS.has(grant.privilege) && !knownGroups.has(grant.privilege)) throw failure(`privilege group [${grant.privilege}] of a grant to role [${grant.role}] does not exist`);
      if (!knownRoles.has(grant.role)) throw failure(`role [${grant.role}] of a grant does not exist`);
    }
    for (const user of users) for (const role of user.roles) if (!knownRoles.has(role)) throw failure(`role [${role}] of user [${user.user}] does not exist`);
    const now = wallMs(ctx);
    const commands: MetaCommand[] = [
      ...roles.map((role): MetaCommand => ({ kind: 'rbac', ts: ctx.ts, change: { op: 'putRole', role } })),
      ...groups.map((group): MetaCommand => ({ kind: 'rbac', ts: ctx.ts, change: { op: 'putPrivilegeGroup', group: { name: group.name, privileges: [...new Set(group.privileges)].sort() } } })),
      ...users.map((u): MetaCommand => ({ kind: 'rbac', ts: ctx.ts, change: { op: 'putCredential', credential: { username: u.user, passwordHash: u.passwordHash, createdUtcMs: now, modifiedUtcMs: now } } })),
      ...users.flatMap((u) => u.roles.map((role): MetaCommand => ({ kind: 'rbac', ts: ctx.ts, change: { op: 'putUserRole', username: u.user, role } }))),
      ...grants.map((grant): MetaCommand => ({ kind: 'rbac', ts: ctx.ts, change: { op: 'putGrant', grant } })),
    ];
    if (commands.length === 0) return;
    await ctx.commit({ kind: 'batch', commands });
    await notifyProxies(ctx, { type: 'RefreshPolicyInfoCache', opType: PolicyCacheOp.Refresh, opKey: '' });
  }
}
