import { CodedError } from '../../common/error-codes.js';
import { BUILTIN_ROLES } from '../rbac-model.js';
import { lockChains } from '../../ddl/lock-manager.js';
import type { LockRequest } from '../../ddl/lock-manager.js';
import type { DdlTask, TaskContext } from '../../ddl/task.js';
import { PolicyCacheOp } from '../../ddl/broker.js';
import { notifyProxies } from '../../ddl/notify.js';
import { rbacError, RbacLegacy } from '../rbac-rules.js';

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
