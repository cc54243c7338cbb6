/** The metadata model, as Milvus's `internal/metastore/model`. IDs and hybrid timestamps are bigint. */
import { ConsistencyLevel, DataType } from '../protocol/model.js';

// The schema enums are part of the client API's protocol (src/protocol/model.ts).
export { ConsistencyLevel, DataType };

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export enum DatabaseState {
  Unknown = 0,
  Created = 1,
  Creating = 2,
  Dropping = 3,
  Dropped = 4,
}

export enum CollectionState {
  Created = 0,
  Creating = 1,
  Dropping = 2,
  Dropped = 3,
}

export enum PartitionState {
  Created = 0,
  Creating = 1,
  Dropping = 2,
  Dropped = 3,
}

export const VECTOR_TYPES: ReadonlySet<DataType> = new Set([
  DataType.BinaryVector,
  DataType.FloatVector,
  DataType.Float16Vector,
  DataType.BFloat16Vector,
  DataType.SparseFloatVector,
  DataType.Int8Vector,
]);

/** A field's default value: exactly one member is set, as in Milvus's ValueField oneof. */
export type DefaultValue =
  | { readonly bool_data: boolean }
  | { readonly int_data: number }
  | { readonly long_data: bigint }
  | { readonly float_data: number }
  | { readonly double_data: number }
  | { readonly string_data: string }
  | { readonly bytes_data: string };

export interface FieldModel {
  readonly fieldID: bigint;
  readonly name: string;
  readonly is_primary_key: boolean;
  readonly description: string;
  readonly data_type: DataType;
  readonly type_params: readonly KeyValue[];
  readonly index_params: readonly KeyValue[];
  readonly autoID: boolean;
  readonly element_type: DataType;
  readonly default_value: DefaultValue | null;
  readonly is_dynamic: boolean;
  readonly is_partition_key: boolean;
  readonly is_clustering_key: boolean;
  readonly nullable: boolean;
  readonly is_function_output: boolean;
}

export interface DatabaseModel {
  readonly id: bigint;
  readonly name: string;
  readonly state: DatabaseState;
  /** Wall-clock Unix nanoseconds at creation (Milvus: not a hybrid ts). */
  readonly createdTimeNs: bigint;
  readonly properties: readonly KeyValue[];
}

export interface PartitionModel {
  readonly partitionID: bigint;
  readonly partitionName: string;
  readonly createdTs: bigint;
  readonly collectionID: bigint;
  readonly state: PartitionState;
}

/** Milvus's FunctionType (schema.proto). */
export enum FunctionType {
  Unknown = 0,
  BM25 = 1,
  TextEmbedding = 2,
  Rerank = 3,
}

/** A schema function (Milvus's FunctionSchema): IDs from 100, its fields by name and by ID. */
export interface FunctionModel {
  readonly id: bigint;
  readonly name: string;
  readonly description: string;
  readonly type: FunctionType;
  readonly input_field_names: readonly string[];
  readonly input_field_ids: readonly bigint[];
  readonly output_field_names: readonly string[];
  readonly output_field_ids: readonly bigint[];
  readonly params: readonly KeyValue[];
}

/** A struct-array field (Milvus's StructArrayFieldSchema): its ID, then its sub-fields' consecutive IDs. */
export interface StructArrayFieldModel {
  readonly fieldID: bigint;
  readonly name: string;
  readonly description: string;
  readonly fields: readonly FieldModel[];
}

export interface CollectionModel {
  readonly collectionID: bigint;
  readonly dbID: bigint;
  readonly name: string;
  readonly description: string;
  readonly autoID: boolean;
  readonly fields: readonly FieldModel[];
  readonly partitions: readonly PartitionModel[];
  readonly virtualChannelNames: readonly string[];
  readonly physicalChannelNames: readonly string[];
  readonly shardsNum: number;
  readonly consistencyLevel: ConsistencyLevel;
  readonly createTs: bigint;
  readonly properties: readonly KeyValue[];
  readonly enableDynamicField: boolean;
  readonly state: CollectionState;
  readonly updateTs: bigint;
  readonly numPartitionsHint: bigint;
  /** Absent when there are none (and in catalogs written before they were kept). */
  readonly functions?: readonly FunctionModel[];
  readonly structArrayFields?: readonly StructArrayFieldModel[];
}

export interface AliasModel {
  readonly name: string;
  readonly collectionID: bigint;
  readonly dbID: bigint;
  readonly createdTs: bigint;
}

export const DEFAULT_DB_NAME = 'default';
export const DEFAULT_DB_ID = 1n;
export const DEFAULT_PARTITION_NAME = '_default';
