import { CodedError } from '../../common/error-codes.js';
import { CollectionState, DEFAULT_DB_NAME } from '../../meta/model.js';
import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import type { DdlTask, TaskContext } from '../task.js';
import { invalidateCollectionCache } from '../notify.js';

export class DropDatabaseTask implements DdlTask {
  readonly name = 'DropDatabase';

  constructor(private readonly dbName: string) {}

  lockChain(): LockRequest[] {
    return lockChains.clusterWrite();
  }

  prepare(): void {
    if (this.dbName === DEFAULT_DB_NAME || this.dbName === '') throw new CodedError('Unexpected', 'can not drop default database');
  }

  async execute(ctx: TaskContext): Promise<void> {
    const db = ctx.meta.databaseByName(this.dbName);
    if (db === undefined) return;
    const live = ctx.meta.collectionsOf(db.id).filter((c) => c.state === CollectionState.Created || c.state === CollectionState.Creating);
    if (live.length > 0) throw new CodedError('Unexpected', `database:${this.dbName} not empty, must drop all collections before drop database`);
    await ctx.commit({ kind: 'deleteDatabase', ts: ctx.ts, dbID: db.id });
    await invalidateCollectionCache(ctx, { dbName: this.dbName, collectionName: '', collectionID: 0n, msgType: 'DropDatabase' });
  }
}
