import { keys } from './catalog-keys.js';
import type { CollectionModel, FieldModel, FunctionModel, StructArrayFieldModel } from './model.js';

/** What of a collection is kept under keys of its own, one per item (Milvus's layout), besides its partitions. */
export type Child = FieldModel | FunctionModel | StructArrayFieldModel;

export function childId(item: Child): bigint {
  return 'fieldID' in item ? item.fieldID : item.id;
}

/** The child kinds and the key of one item of each. */
export const CHILD_KINDS = [
  { kind: 'fields', key: keys.field, prefix: keys.fieldPrefix },
  { kind: 'functions', key: keys.function, prefix: keys.functionPrefix },
  { kind: 'structArrayFields', key: keys.structArrayField, prefix: keys.structArrayFieldPrefix },
] as const;

export function childrenOf(collection: CollectionModel): Record<(typeof CHILD_KINDS)[number]['kind'], readonly Child[]> {
  return { fields: collection.fields, functions: collection.functions ?? [], structArrayFields: collection.structArrayFields ?? [] };
}
