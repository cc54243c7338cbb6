import { DataType } from '../protocol/model.js';
import { encodeMessage } from '../protocol/proto.js';

/**
 * The JSON collection-schema file the CLI reads (see the README): Milvus's CollectionSchema with data
 * types by name, and the common type params (dim, max_length, max_capacity) allowed at the top level.
 */
export interface SchemaFileField {
  name: string;
  data_type?: string;
  dataType?: string;
  description?: string;
  is_primary_key?: boolean;
  isPrimary?: boolean;
  autoID?: boolean;
  dim?: number;
  max_length?: number;
  max_capacity?: number;
  element_type?: string;
  elementDataType?: string;
  type_params?: Record<string, string | number>;
  elementTypeParams?: Record<string, string | number>;
  nullable?: boolean;
  default_value?: unknown;
  is_partition_key?: boolean;
  is_clustering_key?: boolean;
}

export interface SchemaFile {
  name?: string;
  description?: string;
  enable_dynamic_field?: boolean;
  fields: SchemaFileField[];
}

export class SchemaFileError extends Error {
  override name = 'SchemaFileError';
}

function typeByName(name: string | undefined, what: string): number {
  if (name === undefined) return 0;
  const value = (DataType as unknown as Record<string, number>)[name];
  if (value === undefined) throw new SchemaFileError(`${what}: unknown data type "${name}" (known: ${Object.keys(DataType).filter((k) => Number.isNaN(Number(k))).join(', ')})`);
  return value;
}

function defaultValueFor(type: number, value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  switch (type) {
    case DataType.Bool:
      return { bool_data: Boolean(value) };
    case DataType.Int8:
    case DataType.Int16:
    case DataType.Int32:
      return { int_data: Number(value) };
    case DataType.Int64:
      return { long_data: String(value) };
    case DataType.Float:
      return { float_data: Number(value) };
    case DataType.Double:
      return { double_data: Number(value) };
    default:
      return { string_data: String(value) };
  }
}

/** Build the CollectionSchema message for a parsed schema file. */
export function schemaMessage(file: SchemaFile, collectionName: string): Record<string, unknown> {
  if (!Array.isArray(file.fields)) throw new SchemaFileError('schema file: "fields" must be an array');
  const fields = file.fields.map((f, i) => {
    if (typeof f.name !== 'string') throw new SchemaFileError(`schema file: field ${i} has no name`);
    const dataType = typeByName(f.data_type ?? f.dataType, `field ${f.name}`);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...(f.type_params ?? {}), ...(f.elementTypeParams ?? {}) })) params[k] = String(v);
    if (f.dim !== undefined) params['dim'] = String(f.dim);
    if (f.max_length !== undefined) params['max_length'] = String(f.max_length);
    if (f.max_capacity !== undefined) params['max_capacity'] = String(f.max_capacity);
    return {
      name: f.name,
      description: f.description ?? '',
      data_type: dataType,
      is_primary_key: f.is_primary_key ?? f.isPrimary ?? false,
      autoID: f.autoID ?? false,
      type_params: Object.entries(params).map(([key, value]) => ({ key, value })),
      element_type: typeByName(f.element_type ?? f.elementDataType, `field ${f.name} element`),
      nullable: f.nullable ?? false,
      default_value: defaultValueFor(dataType, f.default_value),
      is_partition_key: f.is_partition_key ?? false,
      is_clustering_key: f.is_clustering_key ?? false,
    };
  });
  return { name: file.name ?? collectionName, description: file.description ?? '', enable_dynamic_field: file.enable_dynamic_field ?? false, fields };
}

export function encodeSchemaFile(file: SchemaFile, collectionName: string): Buffer {
  return encodeMessage('rootcoord.CollectionSchema', schemaMessage(file, collectionName));
}

export function encodeFieldJson(field: SchemaFileField): Buffer {
  const message = schemaMessage({ fields: [field] }, '').fields as Array<Record<string, unknown>>;
  return encodeMessage('rootcoord.FieldSchema', message[0] as Record<string, unknown>);
}
