import { CodedError } from '../../common/error-codes.js';
import { ROOT_USER } from '../rbac-model.js';
import { lockChains } from '../../ddl/lock-manager.js';
import type { LockRequest } from '../../ddl/lock-manager.js';
import type { DdlTask, TaskContext } from '../../ddl/task.js';
import { PolicyCacheOp } from '../../ddl/broker.js';
import { notifyProxies } from '../../ddl/notify.js';
import { rbacError, RbacLegacy } from '../rbac-rules.js';

/** DeleteCredential: removes the user and its role mappings in one command; root cannot be deleted. */
export class DeleteCredentialTask implements DdlTask {
  readonly name = 'DeleteCredential';

  constructor(private readonly username: string) {}

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(): void {
    if (this.username === ROOT_USER) throw new CodedError('PrivilegeNotPermitted', 'root user cannot be deleted', RbacLegacy.DeleteCredential);
    if (this.username === '') throw rbacError(RbacLegacy.DeleteCredential, 'username should not be empty', 'ParameterInvalid');
  }

  async execute(ctx: TaskContext): Promise<void> {
    // Deleting a user that does not exist succeeds (nothing to do), as in Milvus.
    if (!ctx.meta.rbac.credentials.has(this.username)) return;
    await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'deleteCredential', username: this.username } });
    await notifyProxies(ctx, { type: 'InvalidateCredentialCache', username: this.username }, { type: 'RefreshPolicyInfoCache', opType: PolicyCacheOp.DeleteUser, opKey: this.username });
  }
}
