import { CodedError } from '../../common/error-codes.js';
import { DatabaseState } from '../../meta/model.js';
import type { KeyValue } from '../../meta/model.js';
import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import type { DdlTask, TaskContext } from '../task.js';
import { validateDatabaseName, validateProperties } from '../validation.js';

export class CreateDatabaseTask implements DdlTask {
  readonly name = 'CreateDatabase';

  constructor(
    private readonly dbName: string,
    private readonly properties: readonly KeyValue[],
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.clusterWrite();
  }

  prepare(ctx: TaskContext): void {
    validateDatabaseName(this.dbName, ctx.limits);
    validateProperties(`database ${this.dbName}`, this.properties, ctx.limits);
    const count = ctx.meta.listDatabases().length;
    if (count >= ctx.limits.maxDatabaseNum) throw new CodedError('DatabaseNumLimitExceeded', `database number (${count}) exceeds max configuration (${ctx.limits.maxDatabaseNum})`);
  }

  async execute(ctx: TaskContext): Promise<void> {
    if (ctx.meta.databaseByName(this.dbName) !== undefined) throw new CodedError('Unexpected', `database already exist: ${this.dbName}`);
    const id = await ctx.allocIds(1);
    await ctx.commit({
      kind: 'putDatabase',
      ts: ctx.ts,
      database: { id, name: this.dbName, state: DatabaseState.Created, createdTimeNs: ctx.wallClockNs(), properties: this.properties },
    });
  }
}
