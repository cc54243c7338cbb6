import { BUILTIN_GROUPS, isPlainPrivilege, privilegeLevel } from '../rbac-model.js';
import { lockChains } from '../../ddl/lock-manager.js';
import type { LockRequest } from '../../ddl/lock-manager.js';
import type { DdlTask, TaskContext } from '../../ddl/task.js';
import { PolicyCacheOp } from '../../ddl/broker.js';
import { notifyProxies } from '../../ddl/notify.js';
import { rbacError, RbacLegacy, validateRbacName } from '../rbac-rules.js';

export enum OperatePrivilegeGroupType {
  AddPrivilegesToGroup = 0,
  RemovePrivilegesFromGroup = 1,
}

/** OperatePrivilegeGroup: add privileges to a custom group (all of one level) or remove them. */
export class OperatePrivilegeGroupTask implements DdlTask {
  readonly name = 'OperatePrivilegeGroup';

  constructor(
    private readonly group: string,
    private readonly privileges: readonly string[],
    private readonly type: number,
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(ctx: TaskContext): void {
    const legacy = RbacLegacy.OperatePrivilegeGroup;
    validateRbacName('privilege group', this.group, ctx.limits, legacy);
    if (this.type !== OperatePrivilegeGroupType.AddPrivilegesToGroup && this.type !== OperatePrivilegeGroupType.RemovePrivilegesFromGroup) {
      throw rbacError(legacy, `invalid operate privilege group type: ${this.type}`, 'ParameterInvalid');
    }
    if (BUILTIN_GROUPS.has(this.group)) throw rbacError(legacy, `the privilege group [${this.group}] is a built-in privilege group and cannot be changed`, 'ParameterInvalid');
    if (this.privileges.length === 0) throw rbacError(legacy, 'privileges should not be empty', 'ParameterInvalid');
    for (const p of this.privileges) if (!isPlainPrivilege(p)) throw rbacError(legacy, `privilege name [${p}] is invalid`, 'ParameterInvalid');
  }

  async execute(ctx: TaskContext): Promise<void> {
    const legacy = RbacLegacy.OperatePrivilegeGroup;
    const current = ctx.meta.rbac.privilegeGroups.get(this.group);
    if (current === undefined) throw rbacError(legacy, `there is no privilege group name [${this.group}] to operate`, 'ParameterInvalid');
    let privileges: string[];
    if (this.type === OperatePrivilegeGroupType.AddPrivilegesToGroup) {
      privileges = [...new Set([...current.privileges, ...this.privileges])];
      const levels = new Set(privileges.map((p) => privilegeLevel(p)));
      if (levels.size > 1) throw rbacError(legacy, 'privileges are not the same privilege level', 'ParameterInvalid');
    } else {
      const removed = new Set(this.privileges);
      privileges = current.privileges.filter((p) => !removed.has(p));
    }
    privileges.sort();
    if (privileges.join(',') === [...current.privileges].sort().join(',')) return;
    await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'putPrivilegeGroup', group: { name: this.group, privileges } } });
    // Every role granted the group now has other effective privileges.
    await notifyProxies(ctx, { type: 'RefreshPolicyInfoCache', opType: PolicyCacheOp.Refresh, opKey: '' });
  }
}
