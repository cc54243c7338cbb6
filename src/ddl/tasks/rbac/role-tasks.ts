import { CodedError } from '../../../common/error-codes.js';
import { BUILTIN_ROLES, ROOT_USER } from '../../../meta/rbac-model.js';
import { lockChains } from '../../lock-manager.js';
import type { LockRequest } from '../../lock-manager.js';
import type { DdlTask, TaskContext } from '../../task.js';
import { PolicyCacheOp } from '../../broker.js';
import { notifyProxies } from '../../notify.js';
import { rbacError, RbacLegacy, validateRbacName, validateUsername } from './rbac-rules.js';

/** CreateRole (spec 1.8): at most maxRoleNum roles, the built-in admin and public included. */
export class CreateRoleTask implements DdlTask {
  readonly name = 'CreateRole';

  constructor(private readonly role: string) {}

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(ctx: TaskContext): void {
    validateRbacName('role', this.role, ctx.limits, RbacLegacy.CreateRole);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const roles = ctx.meta.rbac.roles;
    if (roles.has(this.role)) throw rbacError(RbacLegacy.CreateRole, `role [name:"${this.role}"] already exists`);
    if (roles.size >= ctx.limits.maxRoleNum) throw rbacError(RbacLegacy.CreateRole, `unable to create role because the number of roles has reached the limit(${ctx.limits.maxRoleNum})`);
    await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'putRole', role: this.role } });
  }
}

/**
 * DropRole: admin, public and the configured builtin roles cannot be dropped; a role with grants only
 * with force_drop (its grants go too).
 */
export class DropRoleTask implements DdlTask {
  readonly name = 'DropRole';

  constructor(
    private readonly role: string,
    private readonly force: boolean,
    private readonly configuredBuiltins: readonly string[] = [],
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(): void {
    if (BUILTIN_ROLES.includes(this.role)) throw new CodedError('PrivilegeNotPermitted', `the role[${this.role}] is a default role, which can't be dropped`, RbacLegacy.DropRole);
    if (this.configuredBuiltins.includes(this.role)) throw new CodedError('PrivilegeNotPermitted', `the role[${this.role}] is a builtin role, which can't be dropped`, RbacLegacy.DropRole);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const rbac = ctx.meta.rbac;
    if (!rbac.roles.has(this.role)) throw rbacError(RbacLegacy.DropRole, `not found the role, maybe the role isn't existed or internal system error: ${this.role}`);
    if (!this.force && rbac.grantsOf(this.role).length > 0) {
      throw rbacError(RbacLegacy.DropRole, `fail to drop the role that it has privileges. Use REVOKE API to revoke privileges: ${this.role}`);
    }
    await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'deleteRole', role: this.role } });
    await notifyProxies(ctx, { type: 'RefreshPolicyInfoCache', opType: PolicyCacheOp.DropRole, opKey: this.role });
  }
}

export enum OperateUserRoleType {
  AddUserToRole = 0,
  RemoveUserFromRole = 1,
}

/** OperateUserRole: bind a user to a role or unbind it; adding twice or removing a missing binding succeeds. */
export class OperateUserRoleTask implements DdlTask {
  readonly name = 'OperateUserRole';

  constructor(
    private readonly username: string,
    private readonly role: string,
    private readonly type: number,
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(ctx: TaskContext): void {
    if (this.type !== OperateUserRoleType.AddUserToRole && this.type !== OperateUserRoleType.RemoveUserFromRole) {
      throw rbacError(RbacLegacy.OperateUserRole, `invalid operate user role type: ${this.type}`, 'ParameterInvalid');
    }
    validateUsername(this.username, ctx.limits, RbacLegacy.OperateUserRole);
    validateRbacName('role', this.role, ctx.limits, RbacLegacy.OperateUserRole);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const rbac = ctx.meta.rbac;
    if (!rbac.roles.has(this.role)) throw rbacError(RbacLegacy.OperateUserRole, `not found the role, maybe the role isn't existed or internal system error: ${this.role}`);
    const bound = rbac.roleSet(this.username).has(this.role);
    if (this.type === OperateUserRoleType.AddUserToRole) {
      if (!rbac.credentials.has(this.username) && this.username !== ROOT_USER) throw rbacError(RbacLegacy.OperateUserRole, `not found the user, maybe the user isn't existed or internal system error: ${this.username}`);
      if (bound) return;
      await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'putUserRole', username: this.username, role: this.role } });
      await notifyProxies(ctx, { type: 'RefreshPolicyInfoCache', opType: PolicyCacheOp.AddUserToRole, opKey: `${this.username}/${this.role}` });
    } else {
      if (!bound) return;
      await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'deleteUserRole', username: this.username, role: this.role } });
      await notifyProxies(ctx, { type: 'RefreshPolicyInfoCache', opType: PolicyCacheOp.RemoveUserFromRole, opKey: `${this.username}/${this.role}` });
    }
  }
}
