import { CodedError } from '../../common/error-codes.js';
import type { KeyValue } from '../../meta/model.js';
import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import { checkAlterRequest, hasAnyKey, isSubset, mergeProperties, requireDatabase } from '../lookups.js';
import type { DdlTask, TaskContext } from '../task.js';
import { validateProperties } from '../validation.js';
import { invalidateCollectionCache } from '../notify.js';

export class AlterDatabaseTask implements DdlTask {
  readonly name = 'AlterDatabase';

  constructor(
    private readonly dbName: string,
    private readonly properties: readonly KeyValue[],
    private readonly deleteKeys: readonly string[],
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.database(this.dbName, 'write');
  }

  prepare(ctx: TaskContext): void {
    if (this.dbName === '') throw new CodedError('ParameterInvalid', 'alter database failed, database name does not exist');
    checkAlterRequest(this.properties, this.deleteKeys);
    validateProperties(`database ${this.dbName}`, this.properties, ctx.limits);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const db = requireDatabase(ctx.meta, this.dbName);
    if (this.deleteKeys.length === 0 && isSubset(this.properties, db.properties)) return;
    if (this.deleteKeys.length > 0 && !hasAnyKey(db.properties, this.deleteKeys)) return;
    const properties = mergeProperties(db.properties, this.properties, this.deleteKeys);
    validateProperties(`database ${db.name}`, properties, ctx.limits);
    await ctx.commit({ kind: 'putDatabase', ts: ctx.ts, database: { ...db, properties } });
    await invalidateCollectionCache(ctx, { dbName: db.name, collectionName: '', collectionID: 0n, msgType: 'AlterDatabase' });
  }
}
