import type { CollectionModel } from '../../meta/model.js';
import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import { requireCollection, requireDatabase } from '../lookups.js';
import type { DdlTask, TaskContext } from '../task.js';
import { validateAddedField, validateSchemaSize } from '../validation.js';
import type { FieldInput } from '../validation.js';
import { invalidateCollectionCache } from '../notify.js';

/** AddCollectionField: a nullable scalar field with ID max(existing, 100) + 1. */
export class AddCollectionFieldTask implements DdlTask {
  readonly name = 'AddCollectionField';

  constructor(
    private readonly dbName: string,
    private readonly collectionName: string,
    private readonly field: FieldInput,
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.collection(this.dbName || 'default', this.collectionName, 'write');
  }

  prepare(): void {}

  async execute(ctx: TaskContext): Promise<void> {
    const db = requireDatabase(ctx.meta, this.dbName);
    const collection = ctx.meta.collections.get(requireCollection(ctx.meta, db, this.collectionName).collectionID) as CollectionModel;
    const field = validateAddedField(collection.name, this.field, collection.fields, ctx.limits);
    const next = { ...collection, fields: [...collection.fields, field], updateTs: ctx.ts };
    validateSchemaSize(collection.name, next, ctx.limits);
    await ctx.commit({ kind: 'putCollection', ts: ctx.ts, collection: next });
    await invalidateCollectionCache(ctx, { dbName: db.name, collectionName: collection.name, collectionID: collection.collectionID, msgType: 'AddCollectionField' });
  }
}
