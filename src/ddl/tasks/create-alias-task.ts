import { CodedError } from '../../common/error-codes.js';
import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import { requireDatabase } from '../lookups.js';
import type { DdlTask, TaskContext } from '../task.js';
import { validateCollectionNameOrAlias } from '../validation.js';
import { aliasTarget, checkAliasIsNotCollection } from './alias-rules.js';

/** CreateAlias: the alias must not be a live collection name; re-creating it for the same collection succeeds. */
export class CreateAliasTask implements DdlTask {
  readonly name = 'CreateAlias';

  constructor(
    private readonly dbName: string,
    private readonly collectionName: string,
    private readonly aliasName: string,
  ) {}

  lockChain(): LockRequest[] {
    // The alias and its target: two creates of one alias for different collections must serialise.
    return lockChains.collections(this.dbName || 'default', [this.aliasName, this.collectionName], 'write');
  }

  prepare(ctx: TaskContext): void {
    validateCollectionNameOrAlias('alias', this.aliasName, ctx.limits);
    validateCollectionNameOrAlias('name', this.collectionName, ctx.limits);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const db = requireDatabase(ctx.meta, this.dbName);
    checkAliasIsNotCollection(ctx.meta, db, this.aliasName);
    const target = aliasTarget(ctx.meta, db, this.collectionName);
    const existing = ctx.meta.alias(db.id, this.aliasName);
    if (existing !== undefined) {
      if (existing.collectionID === target.collectionID) return;
      const other = ctx.meta.collections.get(existing.collectionID);
      throw new CodedError('AliasAlreadyExist', `${this.aliasName} is alias to another collection: ${other?.name ?? existing.collectionID}`);
    }
    await ctx.broker.notify({ type: 'InvalidateCollectionMetaCache', dbName: db.name, collectionName: target.name, collectionID: target.collectionID, msgType: 'CreateAlias' }).catch(() => {});
    await ctx.commit({ kind: 'putAlias', ts: ctx.ts, alias: { name: this.aliasName, collectionID: target.collectionID, dbID: db.id, createdTs: ctx.ts } });
  }
}

