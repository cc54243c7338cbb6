import { CodedError } from '../../../common/error-codes.js';
import { hashPassword, verifyPassword } from '../../../auth/password-hash.js';
import { ROOT_USER } from '../../../meta/rbac-model.js';
import { lockChains } from '../../lock-manager.js';
import type { LockRequest } from '../../lock-manager.js';
import type { DdlTask, TaskContext } from '../../task.js';
import { PolicyCacheOp } from '../../broker.js';
import { decodePassword, notifyProxies, rbacError, RbacLegacy, validateUsername } from './rbac-rules.js';

function wallMs(ctx: TaskContext): bigint {
  return ctx.wallClockNs() / 1_000_000n;
}

/** CreateCredential (spec 1.7): a new user with a salted slow hash of its password. */
export class CreateCredentialTask implements DdlTask {
  readonly name = 'CreateCredential';
  private password = '';

  constructor(
    private readonly username: string,
    private readonly encodedPassword: string,
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(ctx: TaskContext): void {
    validateUsername(this.username, ctx.limits, RbacLegacy.CreateCredential);
    this.password = decodePassword(this.encodedPassword, ctx.limits, RbacLegacy.CreateCredential);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const rbac = ctx.meta.rbac;
    if (rbac.credentials.size >= ctx.limits.maxUserNum) throw rbacError(RbacLegacy.CreateCredential, 'unable to add user because the number of users has reached the limit');
    if (rbac.credentials.has(this.username)) throw rbacError(RbacLegacy.CreateCredential, `user already exists: ${this.username}`);
    const passwordHash = await hashPassword(this.password, ctx.limits.passwordHashCost);
    const now = wallMs(ctx);
    await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'putCredential', credential: { username: this.username, passwordHash, createdUtcMs: now, modifiedUtcMs: now } } });
    await notifyProxies(ctx, { type: 'UpdateCredentialCache', username: this.username });
  }
}

/**
 * UpdateCredential: a new password. The old one must match unless the caller is a super user (root or
 * a member of admin), as Milvus's proxy checks.
 */
export class UpdateCredentialTask implements DdlTask {
  readonly name = 'UpdateCredential';
  private oldPassword = '';
  private newPassword = '';

  constructor(
    private readonly username: string,
    private readonly encodedOld: string,
    private readonly encodedNew: string,
    private readonly callerIsSuperUser: boolean,
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(ctx: TaskContext): void {
    validateUsername(this.username, ctx.limits, RbacLegacy.UpdateCredential);
    this.newPassword = decodePassword(this.encodedNew, ctx.limits, RbacLegacy.UpdateCredential);
    if (!this.callerIsSuperUser) this.oldPassword = Buffer.from(this.encodedOld, 'base64').toString('utf8');
  }

  async execute(ctx: TaskContext): Promise<void> {
    const current = ctx.meta.rbac.credentials.get(this.username);
    if (current === undefined) throw rbacError(RbacLegacy.UpdateCredential, `user ${this.username} not found`);
    if (!this.callerIsSuperUser && !(await verifyPassword(this.oldPassword, current.passwordHash))) {
      throw rbacError(RbacLegacy.UpdateCredential, 'old password not correct for ' + this.username, 'PrivilegeNotPermitted');
    }
    const passwordHash = await hashPassword(this.newPassword, ctx.limits.passwordHashCost);
    await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'putCredential', credential: { ...current, passwordHash, modifiedUtcMs: wallMs(ctx) } } });
    await notifyProxies(ctx, { type: 'UpdateCredentialCache', username: this.username });
  }
}

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
