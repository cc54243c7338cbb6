import { keys } from './catalog-keys.js';
import type { CollectionModel, FunctionModel, StructArrayFieldModel } from './model.js';

/**
 * What of a collection is kept under keys of its own, one per item (Milvus's layout), besides its
 * partitions. Its fields are not: they are one list shared by the collections of a schema (field-lists.ts).
 */
export type Child = FunctionModel | StructArrayFieldModel;

export function childId(item: Child): bigint {
  return 'fieldID' in item ? item.fieldID : item.id;
}

/** The child kinds and the key of one item of each. */
export const CHILD_KINDS = [
  { kind: 'functions', key: keys.function, prefix: keys.functionPrefix },
  { kind: 'structArrayFields', key: keys.structArrayField, prefix: keys.structArrayFieldPrefix },
] as const;

export function childrenOf(collection: CollectionModel): Record<(typeof CHILD_KINDS)[number]['kind'], readonly Child[]> {
  return { functions: collection.functions ?? [], structArrayFields: collection.structArrayFields ?? [] };
}
