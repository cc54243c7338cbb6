import { CodedError } from '../../common/error-codes.js';
import { DataType } from '../../meta/model.js';
import type { CollectionModel, KeyValue } from '../../meta/model.js';
import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import { checkAlterRequest, isSubset, mergeProperties, requireCollection, requireDatabase } from '../lookups.js';
import type { DdlTask, TaskContext } from '../task.js';
import type { Limits } from '../limits.js';
import { toFieldModel, validateDescription, validateProperties, validateSchemaSize } from '../validation.js';
import { consistencyFromProperties } from './create-collection-task.js';
import { invalidateCollectionCache, notifyProxies } from '../notify.js';

const DESCRIPTION_KEY = 'collection.description';
const DYNAMIC_KEY = 'dynamicfield.enabled';

/**
 * AlterCollection: merge or delete properties; `collection.description` and `consistency_level` change
 * those attributes; `dynamicfield.enabled=true` (alone) adds the `$meta` field.
 */
export class AlterCollectionTask implements DdlTask {
  readonly name = 'AlterCollection';

  constructor(
    private readonly dbName: string,
    private readonly collectionName: string,
    private readonly properties: readonly KeyValue[],
    private readonly deleteKeys: readonly string[],
  ) {}

  lockChain(): LockRequest[] {
    return lockChains.collection(this.dbName || 'default', this.collectionName, 'write');
  }

  prepare(ctx: TaskContext): void {
    if (this.collectionName === '') throw new CodedError('ParameterInvalid', 'alter collection failed, collection name does not exists');
    checkAlterRequest(this.properties, this.deleteKeys);
    validateProperties(`collection ${this.collectionName}`, this.properties, ctx.limits);
    const dynamic = this.properties.find((p) => p.key === DYNAMIC_KEY);
    if (dynamic !== undefined && this.properties.length > 1) throw new CodedError('ParameterInvalid', `cannot alter ${DYNAMIC_KEY} with other properties at the same time`);
  }

  async execute(ctx: TaskContext): Promise<void> {
    const db = requireDatabase(ctx.meta, this.dbName);
    const collection = ctx.meta.collections.get(requireCollection(ctx.meta, db, this.collectionName).collectionID) as CollectionModel;
    const next = this.altered(collection, ctx.limits);
    if (next === null) return;
    validateSchemaSize(collection.name, next, ctx.limits);
    await ctx.commit({ kind: 'putCollection', ts: ctx.ts, collection: { ...next, updateTs: ctx.ts } });
    await notifyProxies(ctx, { type: 'BroadcastAlteredCollection', collectionID: collection.collectionID });
    for (const name of [collection.name, ...ctx.meta.aliasesOfCollection(collection.collectionID)]) {
      await invalidateCollectionCache(ctx, { dbName: db.name, collectionName: name, collectionID: collection.collectionID, msgType: 'AlterCollection' });
    }
  }

  /** The altered collection, or null when nothing changes. */
  private altered(collection: CollectionModel, limits: Limits): CollectionModel | null {
    const dynamic = this.properties.find((p) => p.key === DYNAMIC_KEY);
    if (dynamic !== undefined) return this.alterDynamicField(collection, dynamic.value);
    if (this.deleteKeys.length === 0 && isSubset(this.properties, collection.properties)) return null;
    let description = collection.description;
    const updates: KeyValue[] = [];
    for (const p of this.properties) {
      if (p.key === DESCRIPTION_KEY) description = p.value;
      else updates.push(p);
    }
    if (description !== collection.description) validateDescription(`collection ${collection.name}`, description, limits.maxCollectionDescriptionLength);
    const properties = mergeProperties(collection.properties, updates, this.deleteKeys);
    validateProperties(`collection ${collection.name}`, properties, limits);
    const consistencyLevel = consistencyFromProperties(updates, collection.consistencyLevel);
    return { ...collection, description, properties, consistencyLevel };
  }

  private alterDynamicField(collection: CollectionModel, value: string): CollectionModel | null {
    const enable = value.toLowerCase() === 'true';
    if (!enable) throw new CodedError('ParameterInvalid', 'dynamic schema cannot be disabled once enabled or on an existing collection');
    if (collection.enableDynamicField) return null;
    let max = 100n;
    for (const f of collection.fields) if (f.fieldID > max) max = f.fieldID;
    const meta = toFieldModel(
      { name: '$meta', is_primary_key: false, description: 'dynamic schema', data_type: DataType.JSON, type_params: [], index_params: [], autoID: false, element_type: 0, default_value: { bytes_data: '{}' }, is_dynamic: true, is_partition_key: false, is_clustering_key: false, nullable: true },
      max + 1n,
    );
    return { ...collection, enableDynamicField: true, fields: [...collection.fields, meta] };
  }
}
