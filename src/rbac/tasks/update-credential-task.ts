import { lockChains } from '../../ddl/lock-manager.js';
import type { LockRequest } from '../../ddl/lock-manager.js';
import type { DdlTask, TaskContext, TaskPorts } from '../../ddl/task.js';
import { notifyProxies } from '../../ddl/notify.js';
import { decodePassword, rbacError, RbacLegacy, validateUsername, wallMs } from '../rbac-rules.js';

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
