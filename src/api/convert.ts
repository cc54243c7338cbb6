import { CodedError } from '../common/error-codes.js';
import { physicalMs } from '../common/hybrid-ts.js';
import type { FunctionInput } from '../ddl/function-rules.js';
import type { FieldInput, SchemaInput } from '../ddl/validation.js';
import type { CollectionModel, DefaultValue, FieldModel, FunctionModel, FunctionType, KeyValue } from '../meta/model.js';
import { decodeMessage } from './proto.js';
import type { PlainMessage } from './proto.js';

/** Parsing at the edge: requests arrive as plain objects and are checked field by field. */
export function str(req: PlainMessage, key: string): string {
  const v = req[key];
  return typeof v === 'string' ? v : '';
}

export function int(req: PlainMessage, key: string): number {
  const v = req[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') return Number(v);
  return 0;
}

export function big(req: PlainMessage, key: string): bigint {
  const v = req[key];
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return 0n;
}

export function kvs(req: PlainMessage, key: string): KeyValue[] {
  const v = req[key];
  if (!Array.isArray(v)) return [];
  return v.map((kv: unknown) => ({ key: str(kv as PlainMessage, 'key'), value: str(kv as PlainMessage, 'value') }));
}

export function strings(req: PlainMessage, key: string): string[] {
  const v = req[key];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * A repeated 64-bit field: as the servers decode it, a BigInt64Array or BigUint64Array (returned as
 * is); a request made in the process may give decimal text or bigints (made bigints; others dropped).
 */
export function bigints(req: PlainMessage, key: string): ArrayLike<bigint> {
  const v = req[key];
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return v;
  if (!Array.isArray(v)) return [];
  const out: bigint[] = [];
  for (const x of v) if (typeof x === 'bigint' || typeof x === 'string') out.push(BigInt(x));
  return out;
}

function defaultValue(field: PlainMessage): DefaultValue | null {
  const dv = field['default_value'] as PlainMessage | null | undefined;
  if (dv === null || dv === undefined) return null;
  switch (dv['data']) {
    case 'bool_data':
      return { bool_data: dv['bool_data'] === true };
    case 'int_data':
      return { int_data: int(dv, 'int_data') };
    case 'long_data':
      return { long_data: big(dv, 'long_data') };
    case 'float_data':
      return { float_data: Number(dv['float_data']) };
    case 'double_data':
      return { double_data: Number(dv['double_data']) };
    case 'string_data':
      return { string_data: str(dv, 'string_data') };
    case 'bytes_data':
      return { bytes_data: Buffer.from(dv['bytes_data'] as Uint8Array).toString('base64') };
    default:
      return null;
  }
}

export function fieldInput(field: PlainMessage): FieldInput {
  return {
    name: str(field, 'name'),
    is_primary_key: field['is_primary_key'] === true,
    description: str(field, 'description'),
    data_type: int(field, 'data_type'),
    type_params: kvs(field, 'type_params'),
    index_params: kvs(field, 'index_params'),
    autoID: field['autoID'] === true,
    element_type: int(field, 'element_type'),
    default_value: defaultValue(field),
    is_dynamic: field['is_dynamic'] === true,
    is_partition_key: field['is_partition_key'] === true,
    is_clustering_key: field['is_clustering_key'] === true,
    nullable: field['nullable'] === true,
  };
}

/** CreateCollectionRequest.schema: the bytes of a CollectionSchema message. */
export function schemaInput(bytes: unknown): SchemaInput {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) throw new CodedError('ParameterInvalid', 'schema is empty: send the bytes of a CollectionSchema');
  let schema: PlainMessage;
  try {
    schema = decodeMessage('rootcoord.CollectionSchema', bytes);
  } catch (error) {
    throw new CodedError('ParameterInvalid', `schema is not a valid CollectionSchema: ${(error as Error).message}`);
  }
  const list = (message: PlainMessage, key: string): PlainMessage[] => (Array.isArray(message[key]) ? (message[key] as PlainMessage[]) : []);
  return {
    name: str(schema, 'name'),
    description: str(schema, 'description'),
    autoID: schema['autoID'] === true,
    fields: list(schema, 'fields').map(fieldInput),
    enable_dynamic_field: schema['enable_dynamic_field'] === true,
    functions: list(schema, 'functions').map(
      (fn): FunctionInput => ({
        name: str(fn, 'name'),
        description: str(fn, 'description'),
        type: int(fn, 'type') as FunctionType,
        input_field_names: strings(fn, 'input_field_names'),
        output_field_names: strings(fn, 'output_field_names'),
        params: kvs(fn, 'params'),
      }),
    ),
    struct_array_fields: list(schema, 'struct_array_fields').map((struct) => ({ name: str(struct, 'name'), description: str(struct, 'description'), fields: list(struct, 'fields').map(fieldInput) })),
  };
}

export function fieldInputFromBytes(bytes: unknown): FieldInput {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) throw new CodedError('ParameterInvalid', 'field schema is empty: send the bytes of a FieldSchema');
  try {
    return fieldInput(decodeMessage('rootcoord.FieldSchema', bytes));
  } catch (error) {
    throw new CodedError('ParameterInvalid', `schema is not a valid FieldSchema: ${(error as Error).message}`);
  }
}

function defaultValueMessage(dv: DefaultValue | null): PlainMessage | null {
  if (dv === null) return null;
  if ('long_data' in dv) return { long_data: dv.long_data.toString() };
  if ('bytes_data' in dv) return { bytes_data: Buffer.from(dv.bytes_data, 'base64') };
  return { ...dv };
}

export function fieldMessage(f: FieldModel): PlainMessage {
  return {
    fieldID: f.fieldID.toString(),
    name: f.name,
    is_primary_key: f.is_primary_key,
    description: f.description,
    data_type: f.data_type,
    type_params: f.type_params,
    index_params: f.index_params,
    autoID: f.autoID,
    element_type: f.element_type,
    default_value: defaultValueMessage(f.default_value),
    is_dynamic: f.is_dynamic,
    is_partition_key: f.is_partition_key,
    is_clustering_key: f.is_clustering_key,
    nullable: f.nullable,
    is_function_output: f.is_function_output,
  };
}

function functionMessage(fn: FunctionModel): PlainMessage {
  return {
    name: fn.name,
    id: fn.id.toString(),
    description: fn.description,
    type: fn.type,
    input_field_names: fn.input_field_names,
    input_field_ids: fn.input_field_ids.map(String),
    output_field_names: fn.output_field_names,
    output_field_ids: fn.output_field_ids.map(String),
    params: fn.params,
  };
}

export function describeResponse(c: CollectionModel, dbName: string, aliases: readonly string[]): PlainMessage {
  return {
    schema: {
      name: c.name,
      description: c.description,
      autoID: c.autoID,
      fields: c.fields.map(fieldMessage),
      enable_dynamic_field: c.enableDynamicField,
      properties: c.properties,
      dbName,
      functions: (c.functions ?? []).map(functionMessage),
      struct_array_fields: (c.structArrayFields ?? []).map((s) => ({ fieldID: s.fieldID.toString(), name: s.name, description: s.description, fields: s.fields.map(fieldMessage) })),
    },
    collectionID: c.collectionID.toString(),
    virtual_channel_names: c.virtualChannelNames,
    physical_channel_names: c.physicalChannelNames,
    created_timestamp: c.createTs.toString(),
    created_utc_timestamp: physicalMs(c.createTs).toString(),
    shards_num: c.shardsNum,
    aliases,
    start_positions: c.physicalChannelNames.map((key) => ({ key, data: Buffer.alloc(0) })),
    consistency_level: c.consistencyLevel,
    collection_name: c.name,
    properties: c.properties,
    db_name: dbName,
    num_partitions: String(c.partitions.length),
    db_id: c.dbID.toString(),
    update_timestamp: c.updateTs.toString(),
    // As Milvus's proxy writes it (the SDKs send it back as an insert's uint64 schema_timestamp).
    update_timestamp_str: c.updateTs.toString(),
  };
}

/**
 * ShowCollections' answer, its columns filled in one pass: the 64-bit ones as BigInt64Array and
 * BigUint64Array, which the codec encodes without a copy or an object per value (an answer of 200,000
 * names carries 600,000 such values).
 */
export function showCollectionsResponse(collections: readonly CollectionModel[]): PlainMessage {
  const n = collections.length;
  const names = new Array<string>(n);
  const ids = new BigInt64Array(n);
  const created = new BigUint64Array(n);
  const createdUtc = new BigUint64Array(n);
  const shards = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const c = collections[i] as CollectionModel;
    names[i] = c.name;
    ids[i] = c.collectionID;
    created[i] = c.createTs;
    createdUtc[i] = physicalMs(c.createTs);
    shards[i] = c.shardsNum;
  }
  return { collection_names: names, collection_ids: ids, created_timestamps: created, created_utc_timestamps: createdUtc, shards_num: shards };
}
