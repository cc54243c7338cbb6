import { CodedError } from '../../../common/error-codes.js';
import { ROOT_USER } from '../../../meta/rbac-model.js';
import { lockChains } from '../../lock-manager.js';
import type { LockRequest } from '../../lock-manager.js';
import type { DdlTask, TaskContext, TaskPorts } from '../../task.js';
import { PolicyCacheOp } from '../../broker.js';
import { notifyProxies } from '../../notify.js';
import { decodePassword, rbacError, RbacLegacy, validateUsername, wallMs } from './rbac-rules.js';

/** CreateCredential (spec 1.7): a new user with a salted slow hash of its password (made before the lock). */
export class CreateCredentialTask implements DdlTask {
  readonly name = 'CreateCredential';
  private passwordHash = '';

  constructor(
    private readonly username: string,
    private readonly encodedPassword: string,
  ) {}

  async precompute({ limits, passwords }: Pick<TaskPorts, 'limits' | 'passwords'>): Promise<void> {
    validateUsername(this.username, limits, RbacLegacy.CreateCredential);
    const password = decodePassword(this.encodedPassword, limits, RbacLegacy.CreateCredential);
    this.passwordHash = await passwords.hash(password, limits.passwordHashCost);
  }

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(): void {}

  async execute(ctx: TaskContext): Promise<void> {
    const rbac = ctx.meta.rbac;
    if (rbac.credentials.size >= ctx.limits.maxUserNum) throw rbacError(RbacLegacy.CreateCredential, 'unable to add user because the number of users has reached the limit');
    if (rbac.credentials.has(this.username)) throw rbacError(RbacLegacy.CreateCredential, `user already exists: ${this.username}`);
    const now = wallMs(ctx);
    await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'putCredential', credential: { username: this.username, passwordHash: this.passwordHash, createdUtcMs: now, modifiedUtcMs: now } } });
    await notifyProxies(ctx, { type: 'UpdateCredentialCache', username: this.username });
  }
}

/**
 * UpdateCredential: a new password. The old one must match unless the caller is a super user (root or
 * a member of admin), as Milvus's proxy checks. Both slow steps (checking the old password, hashing the
 * new one) happen before the lock; the old one is checked again only if the hash changed meanwhile.
 */
export class UpdateCredentialTask implements DdlTask {
  readonly name = 'UpdateCredential';
  private oldPassword = '';
  private newHash = '';
  /** The stored hash the old password was verified against (null: not verified). */
  private verifiedAgainst: string | null = null;

  constructor(
    private readonly username: string,
    private readonly encodedOld: string,
    private readonly encodedNew: string,
    private readonly callerIsSuperUser: boolean,
  ) {}

  async precompute({ meta, limits, passwords }: Pick<TaskPorts, 'meta' | 'limits' | 'passwords'>): Promise<void> {
    validateUsername(this.username, limits, RbacLegacy.UpdateCredential);
    const newPassword = decodePassword(this.encodedNew, limits, RbacLegacy.UpdateCredential);
    this.newHash = await passwords.hash(newPassword, limits.passwordHashCost);
    if (this.callerIsSuperUser) return;
    this.oldPassword = Buffer.from(this.encodedOld, 'base64').toString('utf8');
    const current = meta.rbac.credentials.get(this.username)?.passwordHash;
    if (current !== undefined && (await passwords.verify(this.oldPassword, current))) this.verifiedAgainst = current;
  }

  lockChain(): LockRequest[] {
    return lockChains.rbac();
  }

  prepare(): void {}

  async execute(ctx: TaskContext): Promise<void> {
    const current = ctx.meta.rbac.credentials.get(this.username);
    if (current === undefined) throw rbacError(RbacLegacy.UpdateCredential, `user ${this.username} not found`);
    if (!this.callerIsSuperUser && this.verifiedAgainst !== current.passwordHash && !(await ctx.passwords.verify(this.oldPassword, current.passwordHash))) {
      throw rbacError(RbacLegacy.UpdateCredential, 'old password not correct for ' + this.username, 'PrivilegeNotPermitted');
    }
    await ctx.commit({ kind: 'rbac', ts: ctx.ts, change: { op: 'putCredential', credential: { ...current, passwordHash: this.newHash, modifiedUtcMs: wallMs(ctx) } } });
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
