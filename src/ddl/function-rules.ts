import { CodedError } from '../common/error-codes.js';
import { DataType, FunctionType } from '../meta/model.js';
import type { FunctionModel } from '../meta/model.js';
import type { FieldInput } from './validation.js';

/** A schema function as a client sends it (CollectionSchema.functions), before validation and IDs. */
export type FunctionInput = Omit<FunctionModel, 'id' | 'input_field_ids' | 'output_field_ids'>;

/** Function IDs start here (Milvus's StartOfUserFunctionID). */
const FIRST_FUNCTION_ID = 100n;

/** Milvus's proxy returns these checks' failures as plain Go errors: 65535. */
function unexpected(message: string): CodedError {
  return new CodedError('Unexpected', message);
}

/** Go's strconv.ParseBool, as Milvus reads `enable_analyzer` and `enable_match`. */
export function typeParamTrue(field: FieldInput, key: string): boolean {
  const value = field.type_params.find((p) => p.key === key)?.value;
  return value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}

/**
 * Milvus's proxy checkFunctionBasicParams (internal/proxy/util.go): a name, inputs and outputs,
 * each named once, none both; BM25 takes no params. Functions that Milvus validates by calling their
 * model provider (TextEmbedding, Rerank) are refused: a metadata coordinator reaches no provider.
 */
function checkBasicParams(fn: FunctionInput): void {
  if (fn.name === '') throw unexpected('function name cannot be empty');
  if (fn.input_field_names.length === 0) throw unexpected(`function input field names cannot be empty, function: ${fn.name}`);
  if (fn.output_field_names.length === 0) throw unexpected(`function output field names cannot be empty, function: ${fn.name}`);
  // Counted once each (a count per name by scanning the list was quadratic: a request of 150,000 names
  // held the leader's thread for minutes).
  const inputs = countNames(fn.input_field_names);
  const outputs = countNames(fn.output_field_names);
  for (const input of fn.input_field_names) {
    if (input === '') throw unexpected(`function input field name cannot be empty string, function: ${fn.name}`);
    if ((inputs.get(input) ?? 0) > 1) throw unexpected(`each function input field should be used exactly once in the same function, function: ${fn.name}, input field: ${input}`);
  }
  for (const output of fn.output_field_names) {
    if (output === '') throw unexpected(`function output field name cannot be empty string, function: ${fn.name}`);
    if (inputs.has(output)) throw unexpected(`a single field cannot be both input and output in the same function, function: ${fn.name}, field: ${output}`);
    if ((outputs.get(output) ?? 0) > 1) throw unexpected(`each function output field should be used exactly once in the same function, function: ${fn.name}, output field: ${output}`);
  }
  if (fn.type === FunctionType.TextEmbedding || fn.type === FunctionType.Rerank) {
    throw new CodedError('ParameterInvalid', `function ${fn.name}: ${FunctionType[fn.type]} functions are not supported by rootcoord: Milvus validates them with their model provider, which a metadata coordinator does not reach`);
  }
  if (fn.type !== FunctionType.BM25) throw unexpected('check function params with unknown function type');
  if (fn.params.length !== 0) throw unexpected('BM25 function accepts no params');
}

function countNames(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** checkFunctionInputField: BM25 reads one VarChar field with its analyzer enabled. */
function checkInputFields(fields: readonly FieldInput[]): void {
  const first = fields[0] as FieldInput;
  if (fields.length !== 1 || first.data_type !== DataType.VarChar) {
    throw unexpected(`BM25 function input field must be a VARCHAR field, got ${fields.length} field with type ${DataType[first.data_type] ?? first.data_type}`);
  }
  if (!typeParamTrue(first, 'enable_analyzer')) throw unexpected('BM25 function input field must set enable_analyzer to true');
}

/** checkFunctionOutputField: BM25 writes one SparseFloatVector field. */
function checkOutputFields(fields: readonly FieldInput[]): void {
  if (fields.length !== 1) throw unexpected(`BM25 function only need 1 output field, but got ${fields.length}`);
  const only = fields[0] as FieldInput;
  if (only.data_type !== DataType.SparseFloatVector) throw unexpected(`BM25 function output field must be a SparseFloatVector field, but got ${DataType[only.data_type] ?? only.data_type}`);
}

/**
 * Milvus's proxy validateFunction (internal/proxy/util.go), in its order. Returns the names of the
 * functions' output fields (Milvus marks them is_function_output).
 */
export function validateFunctions(functions: readonly FunctionInput[], fields: readonly FieldInput[]): Set<string> {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const outputs = new Set<string>();
  const names = new Set<string>();
  for (const fn of functions) {
    checkBasicParams(fn);
    if (names.has(fn.name)) throw unexpected(`duplicate function name: ${fn.name}`);
    names.add(fn.name);
    const inputs = fn.input_field_names.map((name) => {
      const field = byName.get(name);
      if (field === undefined) throw unexpected(`function input field not found: ${name}`);
      if (field.nullable) throw unexpected(`function input field cannot be nullable: function ${fn.name}, field ${field.name}`);
      return field;
    });
    checkInputFields(inputs);
    const outputFields = fn.output_field_names.map((name) => {
      const field = byName.get(name);
      if (field === undefined) throw unexpected(`function output field not found: ${name}`);
      if (field.is_primary_key) throw unexpected(`function output field cannot be primary key: function ${fn.name}, field ${field.name}`);
      if (field.is_partition_key || field.is_clustering_key) throw unexpected(`function output field cannot be partition key or clustering key: function ${fn.name}, field ${field.name}`);
      if (field.nullable) throw unexpected(`function output field cannot be nullable: function ${fn.name}, field ${field.name}`);
      if (outputs.has(name)) throw unexpected(`duplicate function output field: function ${fn.name}, field ${name}`);
      outputs.add(name);
      return field;
    });
    checkOutputFields(outputFields);
  }
  return outputs;
}

/** Function IDs from 100 in order, their fields' names resolved to IDs (RootCoord's assignFieldAndFunctionID). */
export function assignFunctionIds(functions: readonly FunctionInput[], fieldIds: ReadonlyMap<string, bigint>): FunctionModel[] {
  const idOf = (name: string): bigint => {
    const id = fieldIds.get(name);
    if (id === undefined) throw unexpected(`field ${name} of a function not found`);
    return id;
  };
  return functions.map((fn, i) => ({
    id: FIRST_FUNCTION_ID + BigInt(i),
    name: fn.name,
    description: fn.description,
    type: fn.type,
    input_field_names: fn.input_field_names,
    input_field_ids: fn.input_field_names.map(idOf),
    output_field_names: fn.output_field_names,
    output_field_ids: fn.output_field_names.map(idOf),
    params: fn.params,
  }));
}
