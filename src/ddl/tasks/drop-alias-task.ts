import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import { requireDatabase } from '../lookups.js';
import type { DdlTask, TaskContext } from '../task.js';
import { invalidateCollectionCache } from '../notify.js';

/** DropAlias: dropping a missing alias succeeds. */
export class DropAliasTask implements DdlTask {
  readonly name = 'DropAlias';

  constructor(
    private readonly dbName: string,
    private readonly aliasName: string,
  ) {}

  lockChain(): LockRequest[] {
    // Aliases live in the database's namespace; lock by the alias name like Milvus keys alias tasks by name.
    return lockChains.collection(this.dbName || 'default', this.aliasName, 'write');
  }

  prepare(): void {}

  async execute(ctx: TaskContext): Promise<void> {
    const db = requireDatabase(ctx.meta, this.dbName);
    const alias = ctx.meta.alias(db.id, this.aliasName);
    if (alias === undefined) return;
    await invalidateCollectionCache(ctx, { dbName: db.name, collectionName: this.aliasName, collectionID: alias.collectionID, msgType: 'DropAlias' });
    await ctx.commit({ kind: 'deleteAlias', ts: ctx.ts, dbID: db.id, name: this.aliasName });
  }
}
