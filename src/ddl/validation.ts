import { jsonBytesAtMost, stringify } from '../common/bigint-json.js';
import { CodedError } from '../common/error-codes.js';
import type { ErrorName } from '../common/error-codes.js';
import { DataType, VECTOR_TYPES } from '../meta/model.js';
import type { DefaultValue, FieldModel, FunctionModel, KeyValue, StructArrayFieldModel } from '../meta/model.js';
import { assignFunctionIds, typeParamTrue, validateFunctions } from './function-rules.js';
import type { FunctionInput } from './function-rules.js';
import type { Limits } from './limits.js';

/** A field as a client sends it (CollectionSchema.fields), before validation and ID assignment. */
export interface FieldInput {
  readonly name: string;
  readonly is_primary_key: boolean;
  readonly description: string;
  readonly data_type: number;
  readonly type_params: readonly KeyValue[];
  readonly index_params: readonly KeyValue[];
  readonly autoID: boolean;
  readonly element_type: number;
  readonly default_value: DefaultValue | null;
  readonly is_dynamic: boolean;
  readonly is_partition_key: boolean;
  readonly is_clustering_key: boolean;
  readonly nullable: boolean;
}

/** A struct-array field as a client sends it (CollectionSchema.struct_array_fields). */
export type StructArrayFieldInput = Omit<StructArrayFieldModel, 'fieldID' | 'fields'> & { readonly fields: readonly FieldInput[] };

export interface SchemaInput {
  readonly name: string;
  readonly description: string;
  readonly autoID: boolean;
  readonly fields: readonly FieldInput[];
  readonly enable_dynamic_field: boolean;
  readonly functions?: readonly FunctionInput[];
  readonly struct_array_fields?: readonly StructArrayFieldInput[];
}

/** A validated schema with its IDs: fields (system ones included), functions, struct-array fields. */
export interface ValidatedSchema {
  readonly fields: FieldModel[];
  readonly functions: FunctionModel[];
  readonly structArrayFields: StructArrayFieldModel[];
}

export const SYSTEM_FIELD_NAMES: ReadonlySet<string> = new Set(['RowID', 'Timestamp', '$meta', '$namespace_id']);
const RESERVED_FIELD_WORDS: ReadonlySet<string> = new Set(
  ['$meta', 'like', 'exists', 'and', 'or', 'not', 'in', 'json_contains', 'json_contains_all', 'json_contains_any', 'array_contains', 'array_contains_all', 'array_contains_any', 'array_length', 'true', 'false', 'text_match', 'phrase_match', 'random_sample'].flatMap((w) => [w, w.toUpperCase()]).concat(['True', 'False']),
);
const ARRAY_ELEMENT_TYPES: ReadonlySet<DataType> = new Set([DataType.Bool, DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.Float, DataType.Double, DataType.VarChar]);

function invalid(message: string, name: ErrorName = 'ParameterInvalid'): CodedError {
  return new CodedError(name, message);
}

/** How a non-empty name breaks Milvus's name rule (`[A-Za-z_][A-Za-z0-9_]*`, at most maxNameLength), or null if it does not. */
export function nameRuleBroken(kind: string, name: string, limits: Limits): string | null {
  if (name.length > limits.maxNameLength) return `the length of a ${kind} name must be less than ${limits.maxNameLength} characters`;
  if (!/^[A-Za-z_]/.test(name)) return `the first character of a ${kind} name must be an underscore or letter`;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `${kind} name can only contain numbers, letters and underscores`;
  return null;
}

/** Milvus's name rule for collections, aliases, databases and fields (nameRuleBroken). */
export function validateName(kind: string, name: string, limits: Limits, errorName: ErrorName = 'ParameterInvalid'): void {
  if (name === '') throw invalid(`the ${kind} name should not be empty`, errorName);
  const broken = nameRuleBroken(kind, name, limits);
  if (broken !== null) throw invalid(`${broken}: ${name}`, errorName);
}

/**
 * Milvus's proxy validateCollectionNameOrAlias (internal/proxy/util.go): 1100, with its message
 * ("Invalid collection alias: x.  the first character of ...: invalid parameter").
 */
export function validateCollectionNameOrAlias(entityType: 'name' | 'alias', entity: string, limits: Limits): void {
  const fail = (msg: string): CodedError => invalid(`${msg}: invalid parameter`);
  if (entity === '') throw fail(`collection ${entityType} should not be empty`);
  const prefix = `Invalid collection ${entityType}: ${entity}. `;
  if (entity.length > limits.maxNameLength) throw fail(`${prefix} the length of a collection ${entityType} must be less than ${limits.maxNameLength} characters`);
  if (!/^[A-Za-z_]/.test(entity)) throw fail(`${prefix} the first character of a collection ${entityType} must be an underscore or letter`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(entity)) throw fail(`${prefix} collection ${entityType} can only contain numbers, letters and underscores`);
}

export function validateDatabaseName(name: string, limits: Limits): void {
  validateName('database', name, limits, 'DatabaseInvalidName');
}

/** Partition names: trimmed; first `_`, letter or digit; then letters, digits, `_` or `-`. */
export function validatePartitionName(name: string, limits: Limits): string {
  const trimmed = name.trim();
  if (trimmed === '') throw invalid('the partition name should not be empty');
  if (trimmed.length > limits.maxNameLength) throw invalid(`the length of a partition name must be less than ${limits.maxNameLength} characters: ${trimmed}`);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(trimmed)) throw invalid(`partition name can only contain numbers, letters, dashes and underscores: ${trimmed}`);
  return trimmed;
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A description of at most `maxBytes` UTF-8 bytes (collections: Milvus proxy.maxCollectionDescriptionLength). */
export function validateDescription(owner: string, description: string, maxBytes: number): void {
  const bytes = utf8Bytes(description);
  if (bytes > maxBytes) throw invalid(`the description of ${owner} is ${bytes} bytes, more than the limit of ${maxBytes} bytes`);
}

/**
 * Database or collection properties: each key and each value at most maxPropertyValueLength bytes, all
 * keys and values together at most maxPropertiesSize bytes. Checked on what a request sends and, for
 * an alter, on the merged result.
 */
export function validateProperties(owner: string, properties: readonly KeyValue[], limits: Limits): void {
  let total = 0;
  for (const { key, value } of properties) {
    const keyBytes = utf8Bytes(key);
    const valueBytes = utf8Bytes(value);
    if (keyBytes > limits.maxPropertyValueLength) throw invalid(`a property key of ${owner} is ${keyBytes} bytes, more than the limit of ${limits.maxPropertyValueLength} bytes`);
    if (valueBytes > limits.maxPropertyValueLength) throw invalid(`the value of property "${key}" of ${owner} is ${valueBytes} bytes, more than the limit of ${limits.maxPropertyValueLength} bytes`);
    total += keyBytes + valueBytes;
  }
  if (total > limits.maxPropertiesSize) throw invalid(`the properties of ${owner} are ${total} bytes, more than the limit of ${limits.maxPropertiesSize} bytes`);
}

/** What of a collection counts towards maxCollectionSchemaSize: its description, fields and properties. */
export interface SchemaParts {
  readonly description: string;
  readonly fields: readonly FieldModel[];
  readonly properties: readonly KeyValue[];
}

/** The collection's schema, as stored, is at most maxCollectionSchemaSize bytes. */
export function validateSchemaSize(collectionName: string, schema: SchemaParts, limits: Limits): void {
  const parts = { description: schema.description, fields: schema.fields, properties: schema.properties };
  // The text only near the limit (making it for every CreateCollection cost 4% of a leader's time in a fill).
  if (jsonBytesAtMost(parts) <= limits.maxCollectionSchemaSize) return;
  const bytes = utf8Bytes(stringify(parts));
  if (bytes > limits.maxCollectionSchemaSize) throw invalid(`the schema of collection ${collectionName} is ${bytes} bytes, more than the limit of ${limits.maxCollectionSchemaSize} bytes`);
}

function param(params: readonly KeyValue[], key: string): string | undefined {
  return params.find((p) => p.key === key)?.value;
}

function checkDuplicateKeys(field: FieldInput): void {
  for (const [label, params] of [['type_params', field.type_params], ['index_params', field.index_params]] as const) {
    const seen = new Set<string>();
    for (const p of params) {
      if (seen.has(p.key)) throw invalid(`duplicated ${label} key "${p.key}" in field ${field.name}`);
      seen.add(p.key);
    }
  }
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * An integer as Go's strconv.ParseInt(s, 10, 64) reads it (Milvus parses dim, max_length and
 * max_capacity so): an optional sign and decimal digits, within int64; no exponent, hex, spaces or
 * fraction. Milvus returns the strconv error as it is, so the code is 65535 with Go's message.
 */
function parseInt64(raw: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(raw)) throw invalid(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`, 'Unexpected');
  const value = BigInt(raw);
  if (value < INT64_MIN || value > INT64_MAX) throw invalid(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: value out of range`, 'Unexpected');
  return value;
}

function integerParam(field: FieldInput, key: string): number | null {
  const raw = param(field.type_params, key);
  if (raw === undefined) return null;
  const value = parseInt64(raw);
  // Beyond 2^53 a value is far out of every range checked below; clamp it so the range error says so.
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(value > limit ? limit : value < -limit ? -limit : value);
}

/**
 * Milvus's proxy validateDimension, validateMaxLengthPerRow and validateMaxCapacityPerRow
 * (internal/proxy/util.go): plain errors (65535), but for a max_length out of range (1100).
 */
function validateTypeParams(field: FieldInput, limits: Limits, collectionName: string): void {
  const type = field.data_type as DataType;
  if (type === DataType.SparseFloatVector && param(field.type_params, 'dim') !== undefined) throw unexpected(`dim should not be specified for sparse vector field ${field.name}(0)`);
  if (VECTOR_TYPES.has(type) && type !== DataType.SparseFloatVector) {
    const dim = integerParam(field, 'dim');
    if (dim === null) throw unexpected(`dimension is not defined in field type params of field ${field.name}, check type param \`dim\` for vector field`);
    if (dim <= 1) throw unexpected(`invalid dimension: ${dim}. should be in range 2 ~ ${limits.maxDimension}`);
    if (type === DataType.BinaryVector) {
      if (dim % 8 !== 0) throw unexpected(`invalid dimension: ${dim} of field ${field.name}. binary vector dimension should be multiple of 8. `);
      if (dim > 8 * limits.maxDimension) throw unexpected(`invalid dimension: ${dim} of field ${field.name}. binary vector dimension should be in range 2 ~ ${8 * limits.maxDimension}`);
    } else if (dim > limits.maxDimension) {
      throw unexpected(`invalid dimension: ${dim} of field ${field.name}. float vector dimension should be in range 2 ~ ${limits.maxDimension}`);
    }
  }
  if (type === DataType.VarChar || (type === DataType.Array && field.element_type === DataType.VarChar)) {
    const maxLength = integerParam(field, 'max_length');
    if (maxLength === null) throw unexpected(`type param(max_length) should be specified for varChar field(${field.name}) of collection ${collectionName}`);
    if (maxLength <= 0 || maxLength > limits.maxVarCharLength) throw invalid(`the maximum length specified for the field(${field.name}) should be in (0, ${limits.maxVarCharLength}], but got ${maxLength} instead`);
  }
  if (type === DataType.Text) {
    const maxLength = integerParam(field, 'max_length');
    if (maxLength !== null && (maxLength <= 0 || maxLength > limits.maxTextLength)) throw invalid(`the maximum length specified for the field(${field.name}) should be in (0, ${limits.maxTextLength}], but got ${maxLength} instead`);
  }
  if (type === DataType.Array) validateMaxCapacity(field, limits, collectionName);
}

/** Milvus's proxy validateMaxCapacityPerRow: Arrays and ArrayOfVectors name their capacity. */
function validateMaxCapacity(field: FieldInput, limits: Limits, collectionName: string): void {
  const raw = param(field.type_params, 'max_capacity');
  if (raw === undefined) throw unexpected(`type param(max_capacity) should be specified for array field ${field.name} of collection ${collectionName}`);
  if (!/^[+-]?[0-9]+$/.test(raw)) throw unexpected(`the value for max_capacity of field ${field.name} must be an integer`);
  const capacity = integerParam(field, 'max_capacity') ?? 0;
  if (capacity <= 0 || capacity > limits.maxArrayCapacity) throw unexpected(`the maximum capacity specified for a Array should be in (0, ${limits.maxArrayCapacity}]`);
}

function validateDefaultValue(field: FieldInput): void {
  const dv = field.default_value;
  if (dv === null) return;
  const type = field.data_type as DataType;
  if (field.is_primary_key) throw invalid(`primary key field ${field.name} does not support default value`);
  if (type === DataType.Array || type === DataType.JSON || VECTOR_TYPES.has(type)) throw invalid(`${DataType[type]} field ${field.name} does not support default value`);
  const expect: Partial<Record<DataType, string>> = {
    [DataType.Bool]: 'bool_data',
    [DataType.Int8]: 'int_data',
    [DataType.Int16]: 'int_data',
    [DataType.Int32]: 'int_data',
    [DataType.Int64]: 'long_data',
    [DataType.Float]: 'float_data',
    [DataType.Double]: 'double_data',
    [DataType.VarChar]: 'string_data',
    [DataType.Text]: 'string_data',
  };
  const kind = Object.keys(dv)[0];
  if (kind !== expect[type]) throw invalid(`type (${DataType[type]}) of field (${field.name}) is not equal to the type(${kind ?? 'none'}) of default value`);
  if ('int_data' in dv) {
    const ranges: Partial<Record<DataType, [number, number]>> = { [DataType.Int8]: [-128, 127], [DataType.Int16]: [-32768, 32767] };
    const range = ranges[type];
    if (range !== undefined && (dv.int_data < range[0] || dv.int_data > range[1])) throw invalid(`the default value ${dv.int_data} of field ${field.name} is out of range for ${DataType[type]}`);
  }
  // The catalog is JSON, which has no NaN or infinity: stored, they would read back as null (the default
  // gone without a word). Refused instead (Milvus keeps them in protobuf).
  const number = 'float_data' in dv ? dv.float_data : 'double_data' in dv ? dv.double_data : 0;
  if (!Number.isFinite(number)) throw invalid(`the default value ${number} of field ${field.name} is not a finite number, which rootcoord cannot store`);
  if ('string_data' in dv) {
    const maxLength = integerParam(field, 'max_length');
    if (maxLength !== null && dv.string_data.length > maxLength) throw invalid(`the length (${dv.string_data.length}) of string exceeds max length (${maxLength}) of field ${field.name}`);
  }
}

function unexpected(message: string): CodedError {
  return invalid(message, 'Unexpected');
}

/**
 * Milvus's proxy validateFieldName (internal/proxy/util.go): code 1701, its message wrapped as
 * merr.WrapErrFieldNameInvalid does ("<msg>: field name invalid[field=<name>]").
 */
function validateFieldName(rawName: string, limits: Limits): void {
  const name = rawName.trim();
  const fail = (msg: string): CodedError => invalid(`${msg}: field name invalid[field=${name}]`, 'FieldNameInvalid');
  if (name === '') throw fail('field name should not be empty');
  const prefix = `Invalid field name: ${name}. `;
  if (name.length > limits.maxNameLength) throw fail(`${prefix}The length of a field name must be less than ${limits.maxNameLength} characters.`);
  if (!/^[A-Za-z_]/.test(name)) throw fail(`${prefix}The first character of a field name must be an underscore or letter.`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw fail(`${prefix}Field name can only contain numbers, letters, and underscores.`);
  if (RESERVED_FIELD_WORDS.has(name)) throw fail(`${prefix}${name} is keyword in milvus.`);
}

/** Milvus's proxy validateFieldType and validateElementType: plain errors (65535). */
function validateFieldType(field: FieldInput): void {
  const type = field.data_type as DataType;
  if (type === DataType.String) throw unexpected('string data type not supported yet, please use VarChar type instead');
  if (type === DataType.None) throw unexpected('data type None is not valid');
  if (type !== DataType.Array) return;
  const element = field.element_type as DataType;
  if (element === DataType.String) throw unexpected('string data type not supported yet, please use VarChar type instead');
  if (element === DataType.None) throw unexpected('element data type None is not valid');
  if (!ARRAY_ELEMENT_TYPES.has(element)) throw unexpected(`element type ${DataType[element] ?? element} is not supported`);
}

/** The checks of one field that are not Milvus proxy's schema-wide ones (RootCoord's, and our size limits). */
function validateField(field: FieldInput, limits: Limits, collectionName: string): void {
  validateFieldName(field.name, limits);
  validateDescription(`field ${field.name}`, field.description, limits.maxFieldDescriptionLength);
  if (SYSTEM_FIELD_NAMES.has(field.name)) throw invalid(`field name ${field.name} is a system field name`);
  const type = field.data_type as DataType;
  if (!(field.data_type in DataType)) throw invalid(`field ${field.name} has an unknown data type ${field.data_type}`);
  if (type === DataType.ArrayOfStruct || type === DataType.ArrayOfVector) throw invalid(`${DataType[type]} is not a plain field type (field ${field.name})`);
  if (type === DataType.Timestamptz) throw invalid(`Timestamptz is not supported yet (field ${field.name})`);
  if (field.nullable && (VECTOR_TYPES.has(type) || field.is_primary_key)) throw invalid(`${field.is_primary_key ? 'primary key' : 'vector'} field ${field.name} cannot be nullable`);
  checkDuplicateKeys(field);
  validateTypeParams(field, limits, collectionName);
  validateDefaultValue(field);
  // validateAnalyzer: text match needs the analyzer (a BM25 input's is checked with its function).
  if (typeParamTrue(field, 'enable_match') && !typeParamTrue(field, 'enable_analyzer')) throw unexpected(`field ${field.name} is set to enable match or bm25 function but not enable analyzer`);
}

/** Milvus's proxy validatePrimaryKey, validateDynamicField and ValidateFieldAutoID: plain errors (65535). */
function validateKeysAsProxy(fields: readonly FieldInput[]): void {
  let primary: FieldInput | undefined;
  for (const field of fields) {
    if (!field.is_primary_key) continue;
    if (primary !== undefined) throw unexpected(`there are more than one primary key, field name = ${primary.name}, ${field.name}`);
    if (field.data_type !== DataType.Int64 && field.data_type !== DataType.VarChar) throw unexpected('the data type of primary key should be Int64 or VarChar');
    primary = field;
  }
  if (primary === undefined) throw unexpected('primary key is not specified');
  if (fields.some((f) => f.is_dynamic)) throw unexpected('cannot explicitly set a field as a dynamic field');
  let autoId: FieldInput | undefined;
  for (const field of fields) {
    if (!field.autoID) continue;
    if (autoId !== undefined) throw unexpected(`only one field can speficy AutoID with true, field name = ${autoId.name}, ${field.name}`);
    autoId = field;
    if (!field.is_primary_key) throw unexpected(`only primary field can speficy AutoID with true, field name = ${field.name}`);
  }
}

/** Milvus's proxy createCollectionTask.validatePartitionKey: mostly plain errors (65535). */
function validatePartitionKey(fields: readonly FieldInput[], numPartitions: bigint, limits: Limits): void {
  let key: FieldInput | undefined;
  for (const field of fields) {
    if (!field.is_partition_key) continue;
    if (key !== undefined) throw unexpected(`there are more than one partition key, field name = ${key.name}, ${field.name}`);
    if (field.is_primary_key) throw unexpected('the partition key field must not be primary field');
    if (field.nullable) throw invalid('partition key field not support nullable');
    if (field.data_type !== DataType.Int64 && field.data_type !== DataType.VarChar) throw unexpected('the data type of partition key should be Int64 or VarChar');
    if (numPartitions < 0n) throw unexpected('the specified partitions should be greater than 0 if partition key is used');
    if (numPartitions > BigInt(limits.maxPartitionNum)) throw invalid(`partition number (${numPartitions}) exceeds max configuration (${limits.maxPartitionNum})`);
    key = field;
  }
  if (key === undefined && numPartitions !== 0n) throw unexpected('num_partitions should only be specified with partition key field enabled');
}

/**
 * Milvus's proxy createCollectionTask.validateClusteringKey: a vector clustering key is refused with
 * 107 (common.enableVectorClusteringKey is off by default), a second one with 105.
 */
function validateClusteringKey(collectionName: string, fields: readonly FieldInput[]): void {
  let key: FieldInput | undefined;
  for (const field of fields) {
    if (!field.is_clustering_key) continue;
    if (VECTOR_TYPES.has(field.data_type as DataType)) throw invalid(`vector clustering key not allowed[collection=${collectionName}]`, 'CollectionVectorClusteringKeyNotAllowed');
    if (key !== undefined) throw invalid(`there are more than one clustering key, field name = ${key.name}, ${field.name}: illegal collection schema[collection=${collectionName}]`, 'CollectionIllegalSchema');
    key = field;
  }
}

/**
 * Validate a collection schema as Milvus's Proxy and RootCoord do (spec 8.3) and assign field IDs:
 * user fields 100, 101, ... in order, `$meta` after them if dynamic fields are on, then the system
 * fields RowID (0) and Timestamp (1).
 */
export function validateSchema(collectionName: string, schema: SchemaInput, numPartitions: bigint, limits: Limits): ValidatedSchema {
  const fields = schema.fields;
  const functions = schema.functions ?? [];
  const structs = schema.struct_array_fields ?? [];
  // Milvus's proxy createCollectionTask.PreExecute (internal/proxy/task.go), in its order.
  const outputs = validateFunctions(functions, fields);
  const subFieldCount = structs.reduce((n, s) => n + s.fields.length, 0);
  if (fields.length + subFieldCount > limits.maxFieldNum) throw unexpected(`maximum field's number should be limited to ${limits.maxFieldNum}`);
  const vectors = fields.filter((f) => VECTOR_TYPES.has(f.data_type as DataType)).length;
  if (vectors > limits.maxVectorFieldNum) throw unexpected(`maximum vector field's number should be limited to ${limits.maxVectorFieldNum}`);
  if (vectors === 0) throw invalid('schema does not contain vector field');
  validateKeysAsProxy(fields);
  for (const field of fields) validateFieldType(field);
  validatePartitionKey(fields, numPartitions, limits);
  validateClusteringKey(collectionName, fields);
  for (const field of fields) validateField(field, limits, collectionName);
  for (const struct of structs) validateStructArrayField(collectionName, struct, limits);
  const names = new Set<string>();
  for (const name of [...fields.map((f) => f.name), ...structs.flatMap((s) => [s.name, ...s.fields.map((f) => f.name)])]) {
    if (names.has(name)) throw unexpected(`duplicated field name ${name} found`);
    names.add(name);
  }
  // RootCoord's own checks (create_collection_task.go), after the proxy's.
  if (schema.name !== collectionName) throw invalid(`collection name [${collectionName}] not matches schema name [${schema.name}]`);
  validateDescription(`collection ${collectionName}`, schema.description, limits.maxCollectionDescriptionLength);
  return assignIds(schema, outputs);
}

/**
 * Milvus's struct-array rules (proxy ValidateStructArrayField, RootCoord checkStructArrayFieldSchema;
 * spec 8.3): at least one sub-field, each an Array or an ArrayOfVector of a fixed-dimension vector,
 * with its capacity (and dim, max_length), and no key, autoID, default value or nullable.
 */
function validateStructArrayField(collectionName: string, struct: StructArrayFieldInput, limits: Limits): void {
  validateFieldName(struct.name, limits);
  if (struct.fields.length === 0) throw invalid(`struct array field ${struct.name} has no sub-fields: invalid parameter`);
  for (const sub of struct.fields) {
    validateFieldName(sub.name, limits);
    const type = sub.data_type as DataType;
    if (type !== DataType.Array && type !== DataType.ArrayOfVector) throw invalid(`sub-field ${sub.name} of struct array field ${struct.name} must be Array or ArrayOfVector, got ${DataType[type] ?? type}: invalid parameter`);
    if (sub.is_partition_key) throw invalid(`partition key is not supported for struct field, field name = ${sub.name}: illegal collection schema[collection=${collectionName}]`, 'CollectionIllegalSchema');
    if (sub.is_clustering_key) throw invalid(`clustering key is not supported for struct field, field name = ${sub.name}: illegal collection schema[collection=${collectionName}]`, 'CollectionIllegalSchema');
    if (sub.autoID) throw invalid(`autoID is not supported for struct field, field name = ${sub.name}: invalid parameter`);
    if (sub.is_primary_key || sub.is_dynamic || sub.nullable || sub.default_value !== null) throw invalid(`sub-field ${sub.name} of struct array field ${struct.name} cannot be a primary key, dynamic, nullable or have a default value: invalid parameter`);
    if (type === DataType.ArrayOfVector) {
      if (!STRUCT_VECTOR_ELEMENT_TYPES.has(sub.element_type as DataType)) throw invalid(`Unsupported element type ${DataType[sub.element_type] ?? sub.element_type} of ArrayOfVector field ${sub.name}, only fixed dimension vector types are supported: invalid parameter`);
      // Its dim as its element type's, then its capacity (validateArrayOfVectorFieldSchema).
      validateTypeParams({ ...sub, data_type: sub.element_type }, limits, collectionName);
      validateMaxCapacity(sub, limits, collectionName);
    } else {
      validateFieldType(sub);
      validateTypeParams(sub, limits, collectionName);
    }
    checkDuplicateKeys(sub);
  }
}

const STRUCT_VECTOR_ELEMENT_TYPES: ReadonlySet<DataType> = new Set([DataType.FloatVector, DataType.Float16Vector, DataType.BFloat16Vector, DataType.Int8Vector, DataType.BinaryVector]);

/**
 * IDs as Milvus's RootCoord assigns them (assignFieldAndFunctionID): user fields 100, 101, ... in
 * order, `$meta` after them if dynamic fields are on, then each struct-array field and its sub-fields
 * consecutively; functions from 100 with their fields' IDs; then the system fields RowID (0) and
 * Timestamp (1). A function's output fields are marked is_function_output.
 */
function assignIds(schema: SchemaInput, outputs: ReadonlySet<string>): ValidatedSchema {
  const fields = assignFieldIds(schema.fields, schema.enable_dynamic_field, 100n).map((f) => (outputs.has(f.name) ? { ...f, is_function_output: true } : f));
  const ids = new Map(fields.map((f) => [f.name, f.fieldID]));
  let next = 100n + BigInt(schema.fields.length) + (schema.enable_dynamic_field ? 1n : 0n);
  const structArrayFields = (schema.struct_array_fields ?? []).map((struct): StructArrayFieldModel => {
    const fieldID = next++;
    const subFields = struct.fields.map((sub) => toFieldModel(sub, next++));
    for (const sub of subFields) ids.set(sub.name, sub.fieldID);
    return { fieldID, name: struct.name.trim(), description: struct.description, fields: subFields };
  });
  return { fields, functions: assignFunctionIds(schema.functions ?? [], ids), structArrayFields };
}

export function toFieldModel(field: FieldInput, fieldID: bigint): FieldModel {
  return {
    fieldID,
    name: field.name.trim(),
    is_primary_key: field.is_primary_key,
    description: field.description,
    data_type: field.data_type as DataType,
    type_params: field.type_params,
    index_params: field.index_params,
    autoID: field.autoID,
    element_type: field.element_type as DataType,
    default_value: field.default_value,
    is_dynamic: field.is_dynamic,
    is_partition_key: field.is_partition_key,
    is_clustering_key: field.is_clustering_key,
    nullable: field.nullable,
    is_function_output: false,
  };
}

function systemField(fieldID: bigint, name: string, description: string): FieldModel {
  return { ...toFieldModel({ name, is_primary_key: false, description, data_type: DataType.Int64, type_params: [], index_params: [], autoID: false, element_type: 0, default_value: null, is_dynamic: false, is_partition_key: false, is_clustering_key: false, nullable: false }, fieldID), name };
}

function assignFieldIds(fields: readonly FieldInput[], dynamic: boolean, firstId: bigint): FieldModel[] {
  const out = fields.map((f, i) => toFieldModel(f, firstId + BigInt(i)));
  if (dynamic) {
    out.push({ ...toFieldModel({ name: '$meta', is_primary_key: false, description: 'dynamic schema', data_type: DataType.JSON, type_params: [], index_params: [], autoID: false, element_type: 0, default_value: null, is_dynamic: true, is_partition_key: false, is_clustering_key: false, nullable: false }, firstId + BigInt(out.length)), name: '$meta' });
  }
  out.push(systemField(0n, 'RowID', 'row id'), systemField(1n, 'Timestamp', 'time stamp'));
  return out;
}

/** AddCollectionField: the Proxy's rules for a field added later (nullable, scalar, not a key). */
export function validateAddedField(collectionName: string, field: FieldInput, existing: readonly FieldModel[], limits: Limits): FieldModel {
  validateFieldType(field);
  if (field.is_dynamic) throw invalid(`cannot explicitly set a field as a dynamic field: ${field.name}`);
  validateField(field, limits, collectionName);
  const type = field.data_type as DataType;
  if (VECTOR_TYPES.has(type)) throw invalid(`not support to add vector field, field name = ${field.name}`);
  if (field.is_primary_key) throw invalid(`not support to add pk field, field name = ${field.name}`);
  if (!field.nullable) throw invalid(`added field must be nullable, please check it, field name = ${field.name}`);
  if (field.autoID) throw invalid(`only primary field can speficy AutoID with true, field name = ${field.name}`);
  if (field.is_partition_key) throw invalid(`not support to add partition key field, field name = ${field.name}`);
  if (field.is_clustering_key && existing.some((f) => f.is_clustering_key)) throw invalid('already has another clutering key field');
  if (existing.some((f) => f.name === field.name)) throw invalid(`duplicate field name: ${field.name}`);
  const userFields = existing.filter((f) => f.fieldID >= 100n);
  if (userFields.length >= limits.maxFieldNum) throw invalid(`maximum field's number should be limited to ${limits.maxFieldNum}`);
  let max = 100n;
  for (const f of existing) if (f.fieldID > max) max = f.fieldID;
  return toFieldModel(field, max + 1n);
}
