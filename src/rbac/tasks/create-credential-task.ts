import { lockChains } from '../../ddl/lock-manager.js';
import type { LockRequest } from '../../ddl/lock-manager.js';
import type { DdlTask, TaskContext, TaskPorts } from '../../ddl/task.js';
import { notifyProxies } from '../../ddl/notify.js';
import { decodePassword, rbacError, RbacLegacy, validateUsername, wallMs } from '../rbac-rules.js';

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
