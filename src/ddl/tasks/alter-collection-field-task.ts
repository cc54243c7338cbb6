import { CodedError } from '../../common/error-codes.js';
import { DataType } from '../../meta/model.js';
import type { CollectionModel, FieldModel, KeyValue } from '../../meta/model.js';
import { lockChains } from '../lock-manager.js';
import type { LockRequest } from '../lock-manager.js';
import { mergeProperties, requireCollection, requireDatabase } from '../lookups.js';
import type { Limits } from '../limits.js';
import type { DdlTask, TaskContext } from '../task.js';
import { validateSchemaSize } from '../validation.js';
import { invalidateCollectionCache } from '../notify.js';

const MMAP_KEY = 'mmap.enabled';
/** The keys Milvus's proxy lets a field alter (alterCollectionFieldTask, allowedAlterProps), and drop. */
const ALTERABLE_KEYS: ReadonlySet<string> = new Set(['max_length', MMAP_KEY, 'max_capacity']);
const DROPPABLE_KEYS: ReadonlySet<string> = new Set([MMAP_KEY]);

function invalid(message: string): CodedError {
  return new CodedError('ParameterInvalid', `${message}: invalid parameter`);
}

/** The proxy's spelling `mmap_enabled` is the key `mmap.enabled` (updateKey). */
function canonicalKey(key: string): string {
  return key === 'mmap_enabled' ? MMAP_KEY : key;
}

/**
 * Milvus's proxy alterCollectionFieldTask.PreExecute (internal/proxy/task.go): which keys may change,
 * and max_length (string fields, at most proxy.maxVarCharLength) and max_capacity (arrays, in
 * (0, maxArrayCapacity]) checked. The proxy names the field only once it found a matching one, so
 * its message for a field of another type starts with an empty name; so does ours.
 */
function checkAlterableProperties(field: FieldModel | undefined, properties: readonly KeyValue[], limits: Limits): void {
  for (const { key, value } of properties) {
    if (!ALTERABLE_KEYS.has(key)) throw invalid(`${key} does not allow update in collection field param`);
    if (key === 'max_length') {
      const isString = field !== undefined && (field.data_type === DataType.VarChar || field.data_type === DataType.Text || (field.data_type === DataType.Array && field.element_type === DataType.VarChar));
      if (!isString) throw invalid(' can not modify the maxlength for non-string types');
      if (!/^[+-]?[0-9]+$/.test(value)) throw invalid(`${key} should be an integer, but got string`);
      if (Number(value) > limits.maxVarCharLength) throw invalid(`${value} exceeds the maximum allowed value ${limits.maxVarCharLength}`);
    }
    if (key === 'max_capacity') {
      if (field === undefined || field.data_type !== DataType.Array) throw invalid(' can not modify the maxcapacity for non-array types');
      if (!/^[+-]?[0-9]+$/.test(value)) throw invalid(`the value for max_capacity of field ${field.name} must be an integer`);
      const capacity = Number(value);
      if (capacity <= 0 || capacity > limits.maxArrayCapacity) throw invalid(`the maximum capacity specified for a Array should be in (0, ${limits.maxArrayCapacity}]`);
    }
  }
}

/**
 * AlterCollectionField (spec 1.3): merge or delete a field's type params (max_length, max_capacity,
 * mmap.enabled), with Milvus's proxy checks first, then RootCoord's: names given, something to
 * change, the field exists (1100 `field F does not exist in collection`). A change that changes
 * nothing succeeds without a write. A collection is never loaded here (no QueryCoord), so Milvus's
 * "collection loaded" refusal for mmap.enabled does not arise.
 */
export class AlterCollectionFieldTask implements DdlTask {
  readonly name = 'AlterCollectionField';
  private readonly properties: readonly KeyValue[];
  private readonly deleteKeys: readonly string[];

  constructor(
    private readonly dbName: string,
    private readonly collectionName: string,
    private readonly fieldName: string,
    properties: readonly KeyValue[],
    deleteKeys: readonly string[],
  ) {
    // The proxy turns the properties into a map (a repeated key: its last value) and renames mmap_enabled.
    this.properties = [...new Map(properties.map((p) => [canonicalKey(p.key), p.value]))].map(([key, value]) => ({ key, value }));
    this.deleteKeys = deleteKeys.map(canonicalKey);
  }

  lockChain(): LockRequest[] {
    return lockChains.collection(this.dbName || 'default', this.collectionName, 'write');
  }

  prepare(ctx: TaskContext): void {
    const db = requireDatabase(ctx.meta, this.dbName);
    const collection = requireCollection(ctx.meta, db, this.collectionName);
    checkAlterableProperties(collection.fields.find((f) => f.name === this.fieldName && f.fieldID >= 100n), this.properties, ctx.limits);
    for (const key of this.deleteKeys) if (!DROPPABLE_KEYS.has(key)) throw invalid(`${key} is not allowed to drop in collection field param`);
    if (this.fieldName === '') throw new CodedError('Unexpected', 'alter collection field failed, field name does not exists');
    if (this.properties.length === 0 && this.deleteKeys.length === 0) throw new CodedError('ParameterInvalid', 'no properties or delete keys provided');
  }

  async execute(ctx: TaskContext): Promise<void> {
    const db = requireDatabase(ctx.meta, this.dbName);
    const collection = ctx.meta.collections.get(requireCollection(ctx.meta, db, this.collectionName).collectionID) as CollectionModel;
    const at = collection.fields.findIndex((f) => f.name === this.fieldName && f.fieldID >= 100n);
    const field = collection.fields[at];
    if (field === undefined) throw invalid(`field ${this.fieldName} does not exist in collection`);
    const typeParams = mergeProperties(field.type_params, this.properties, this.deleteKeys);
    if (JSON.stringify(typeParams) === JSON.stringify(field.type_params)) return;
    const fields = collection.fields.map((f, i) => (i === at ? { ...f, type_params: typeParams } : f));
    const next: CollectionModel = { ...collection, fields, updateTs: ctx.ts };
    validateSchemaSize(collection.name, next, ctx.limits);
    await ctx.commit({ kind: 'putCollection', ts: ctx.ts, collection: next });
    for (const name of [collection.name, ...ctx.meta.aliasesOfCollection(collection.collectionID)]) {
      await invalidateCollectionCache(ctx, { dbName: db.name, collectionName: name, collectionID: collection.collectionID, msgType: 'AlterCollectionField' });
    }
  }
}
