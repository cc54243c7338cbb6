import { CodedError } from '../../common/error-codes.js';
import { CollectionState } from '../../meta/model.js';
import { dropCollectionJob } from '../drop-jobs.js';
import { lockChains } from '../lock-manager.js';
import { commitThenQueue } from '../step-executor.js';
import type { LockRequest } from '../lock-manager.js';
import type { DdlTask, TaskContext } from '../task.js';
import { invalidateCollectionCache } from '../notify.js';

/**
 * DropCollection (redo): the sync part marks the collection Dropping (invisible at once, its name
 * reusable), then the background job rolls forward to deleting the meta.
 */
export class DropCollectionTask implements DdlTask {
  readonly name = 'DropCollection';

  constructor(
    private readonly dbName: string,
    private readonly collectionName: string,
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.collection(this.dbName || 'default', this.collectionName, 'write');
  }

  prepare(): void {}

  async execute(ctx: TaskContext): Promise<void> {
    const db = ctx.meta.databaseByName(this.dbName);
    if (db === undefined) return;
    if (ctx.meta.alias(db.id, this.collectionName) !== undefined) throw new CodedError('Unexpected', `cannot drop the collection via alias = ${this.collectionName}`);
    const collection = ctx.meta.collectionNameOwner(db.id, this.collectionName);
    if (collection === undefined || collection.state !== CollectionState.Created) return;
    const aliases = ctx.meta.aliasesOfCollection(collection.collectionID);
    if (aliases.length > 0) {
      throw new CodedError('Unexpected', `unable to drop the collection [${this.collectionName}] because it has associated aliases [${aliases.join(', ')}], please remove all aliases before dropping the collection`);
    }
    await invalidateCollectionCache(ctx, { dbName: db.name, collectionName: this.collectionName, collectionID: collection.collectionID, msgType: 'DropCollection' });
    const dropping = { ...collection, state: CollectionState.Dropping, updateTs: ctx.ts };
    await commitThenQueue(ctx.background, () => ctx.commit({ kind: 'putCollection', ts: ctx.ts, collection: dropping }), dropCollectionJob(ctx, dropping));
  }
}
