import { CodedError } from '../../common/error-codes.js';
import type { TaskContext } from '../task.js';
import { validateCollectionNameOrAlias } from '../validation.js';
import { invalidateCollectionCache } from '../notify.js';
import { AliasToCollectionTask } from './alias-rules.js';

/** AlterAlias: re-point an existing alias (1600 if it does not exist) at another collection. */
export class AlterAliasTask extends AliasToCollectionTask {
  readonly name = 'AlterAlias';

  prepare(ctx: TaskContext): void {
    validateCollectionNameOrAlias('alias', this.aliasName, ctx.limits);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const { db, target, existing } = this.resolve(ctx);
    if (existing === undefined) throw new CodedError('AliasNotFound', `alias not found[database=${db.name}][alias=${this.aliasName}]`);
    if (existing.collectionID === target.collectionID) return;
    await invalidateCollectionCache(ctx, { dbName: db.name, collectionName: this.aliasName, collectionID: existing.collectionID, msgType: 'AlterAlias' });
    await ctx.commit({ kind: 'putAlias', ts: ctx.ts, alias: { ...existing, collectionID: target.collectionID, createdTs: ctx.ts } });
  }
}
