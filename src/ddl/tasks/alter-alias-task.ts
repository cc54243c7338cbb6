import { CodedError } from '../../common/error-codes.js';
import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import { requireDatabase } from '../lookups.js';
import type { DdlTask, TaskContext } from '../task.js';
import { validateCollectionNameOrAlias } from '../validation.js';
import { aliasTarget, checkAliasIsNotCollection } from './alias-rules.js';

/** AlterAlias: re-point an existing alias (1600 if it does not exist) at another collection. */
export class AlterAliasTask implements DdlTask {
  readonly name = 'AlterAlias';

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
  }

  async execute(ctx: TaskContext): Promise<void> {
    const db = requireDatabase(ctx.meta, this.dbName);
    checkAliasIsNotCollection(ctx.meta, db, this.aliasName);
    const target = aliasTarget(ctx.meta, db, this.collectionName);
    const existing = ctx.meta.alias(db.id, this.aliasName);
    if (existing === undefined) throw new CodedError('AliasNotFound', `alias not found[database=${db.name}][alias=${this.aliasName}]`);
    if (existing.collectionID === target.collectionID) return;
    await ctx.broker.notify({ type: 'InvalidateCollectionMetaCache', dbName: db.name, collectionName: this.aliasName, collectionID: existing.collectionID, msgType: 'AlterAlias' }).catch(() => {});
    await ctx.commit({ kind: 'putAlias', ts: ctx.ts, alias: { ...existing, collectionID: target.collectionID, createdTs: ctx.ts } });
  }
}
