import { ROOT_USER } from '../rbac-model.js';
import { lockChains } from '../../ddl/lock-manager.js';
import type { LockRequest } from '../../ddl/lock-manager.js';
import type { DdlTask, TaskContext } from '../../ddl/task.js';
import { PolicyCacheOp } from '../../ddl/broker.js';
import { notifyProxies } from '../../ddl/notify.js';
import { rbacError, RbacLegacy, validateRbacName, validateUsername } from '../rbac-rules.js';

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
