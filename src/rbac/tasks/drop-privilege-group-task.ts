import { lockChains } from '../../ddl/lock-manager.js';
import type { LockRequest } from '../../ddl/lock-manager.js';
import type { DdlTask, TaskContext } from '../../ddl/task.js';
import { PolicyCacheOp } from '../../ddl/broker.js';
import { notifyProxies } from '../../ddl/notify.js';
import { rbacError, RbacLegacy, validateRbacName } from '../rbac-rules.js';

/** DropPrivilegeGroup: refused while any role is granted it; dropping what is no custom group succeeds. */
export class DropPrivilegeGroupTask implements DdlTask {
  readonly name = 'DropPrivilegeGroup';

  constructor(private readonly group: string) {}

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(ctx: TaskContext): void {
    validateRbacName('privilege group', this.group, ctx.limits, RbacLegacy.DropPrivilegeGroup);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const rbac = ctx.meta.rbac;
    if (!rbac.privilegeGroups.has(this.group)) return;
    for (const grant of rbac.grants.values()) {
      if (grant.privilege === this.group) throw rbacError(RbacLegacy.DropPrivilegeGroup, `privilege group [${this.group}] is used by role [${grant.role}], Use REVOKE API to revoke it first`);
    }
    await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'deletePrivilegeGroup', name: this.group } });
    await notifyProxies(ctx, { type: 'RefreshPolicyInfoCache', opType: PolicyCacheOp.Refresh, opKey: '' });
  }
}
