import { CodedError } from '../../common/error-codes.js';
import type { TaskContext } from '../task.js';
import { validateCollectionNameOrAlias } from '../validation.js';
import { invalidateCollectionCache } from '../notify.js';
import { AliasToCollectionTask } from './alias-rules.js';

/** CreateAlias: the alias must not be a live collection name; re-creating it for the same collection succeeds. */
export class CreateAliasTask extends AliasToCollectionTask {
  readonly name = 'CreateAlias';

  prepare(ctx: TaskContext): void {
    validateCollectionNameOrAlias('alias', this.aliasName, ctx.limits);
    validateCollectionNameOrAlias('name', this.collectionName, ctx.limits);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const { db, target, existing } = this.resolve(ctx);
    if (existing !== undefined) {
      if (existing.collectionID === target.collectionID) return;
      const other = ctx.meta.collections.get(existing.collectionID);
      throw new CodedError('AliasAlreadyExist', `${this.aliasName} is alias to another collection: ${other?.name ?? existing.collectionID}`);
    }
    await invalidateCollectionCache(ctx, { dbName: db.name, collectionName: target.name, collectionID: target.collectionID, msgType: 'CreateAlias' });
    await ctx.commit({ kind: 'putAlias', ts: ctx.ts, alias: { name: this.aliasName, collectionID: target.collectionID, dbID: db.id, createdTs: ctx.ts } });
  }
}
