import { lockChains } from '../../ddl/lock-manager.js';
import type { LockRequest } from '../../ddl/lock-manager.js';
import type { DdlTask, TaskContext } from '../../ddl/task.js';
import { rbacError, RbacLegacy, validateRbacName } from '../rbac-rules.js';

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
