import { CodedError } from '../../common/error-codes.js';
import { CollectionState } from '../../meta/model.js';
import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import { requireDatabase } from '../lookups.js';
import type { DdlTask, TaskContext } from '../task.js';
import { validateCollectionNameOrAlias } from '../validation.js';
import { invalidateCollectionCache } from '../notify.js';

/** RenameCollection: cluster-exclusive, within a database or to another one (spec 1.3). */
export class RenameCollectionTask implements DdlTask {
  readonly name = 'RenameCollection';

  constructor(
    private readonly dbName: string,
    private readonly oldName: string,
    private readonly newName: string,
    private readonly newDbName: string,
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.clusterWrite();
  }

  prepare(ctx: TaskContext): void {
    validateCollectionNameOrAlias('name', this.newName, ctx.limits);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const { meta } = ctx;
    const db = requireDatabase(meta, this.dbName);
    const targetDbName = this.newDbName === '' ? db.name : this.newDbName;
    const targetDb = meta.databaseByName(targetDbName);
    if (targetDb === undefined) throw new CodedError('DatabaseNotFound', `target database:${targetDbName} not found`);
    if (meta.alias(db.id, this.oldName) !== undefined) throw new CodedError('Unexpected', 'unsupported use an alias to rename collection');
    if (meta.alias(targetDb.id, this.newName) !== undefined) throw new CodedError('Unexpected', 'cannot rename collection to an existing alias');
    const existing = meta.collectionNameOwner(targetDb.id, this.newName);
    if (existing !== undefined && existing.state === CollectionState.Created) {
      throw new CodedError('Unexpected', `duplicated new collection name ${targetDb.name}:${this.newName} with other collection name or alias`);
    }
    const collection = meta.collectionNameOwner(db.id, this.oldName);
    if (collection === undefined || collection.state !== CollectionState.Created) {
      throw new CodedError('CollectionNotFound', `collection not found[database=${db.name}][collection=${this.oldName}]`);
    }
    if (targetDb.id !== db.id && meta.aliasesOfCollection(collection.collectionID).length > 0) {
      throw new CodedError('Unexpected', 'fail to rename db name, must drop all aliases of this collection before rename');
    }
    await invalidateCollectionCache(ctx, { dbName: db.name, collectionName: this.oldName, collectionID: collection.collectionID, msgType: 'RenameCollection' });
    await ctx.commit({ kind: 'putCollection', ts: ctx.ts, collection: { ...collection, name: this.newName, dbID: targetDb.id, updateTs: ctx.ts } });
  }
}
