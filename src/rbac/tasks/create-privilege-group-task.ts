import { BUILTIN_GROUPS, isPlainPrivilege } from '../rbac-model.js';
import { lockChains } from '../../ddl/lock-manager.js';
import type { LockRequest } from '../../ddl/lock-manager.js';
import type { DdlTask, TaskContext } from '../../ddl/task.js';
import { rbacError, RbacLegacy, validateRbacName } from '../rbac-rules.js';

/** CreatePrivilegeGroup: an empty custom group whose name clashes with no privilege or group. */
export class CreatePrivilegeGroupTask implements DdlTask {
  readonly name = 'CreatePrivilegeGroup';

  constructor(private readonly group: string) {}

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(ctx: TaskContext): void {
    validateRbacName('privilege group', this.group, ctx.limits, RbacLegacy.CreatePrivilegeGroup);
    if (BUILTIN_GROUPS.has(this.group) || isPlainPrivilege(this.group)) throw rbacError(RbacLegacy.CreatePrivilegeGroup, `privilege group name [${this.group}] is defined by built in privileges or privilege groups in the system`, 'ParameterInvalid');
  }

  async execute(ctx: TaskContext): Promise<void> {
    if (ctx.meta.rbac.privilegeGroups.has(this.group)) throw rbacError(RbacLegacy.CreatePrivilegeGroup, `privilege group [${this.group}] already exists`, 'ParameterInvalid');
    await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'putPrivilegeGroup', group: { name: this.group, privileges: [] } } });
  }
}
