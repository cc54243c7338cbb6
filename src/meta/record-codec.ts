import { parse } from '../common/bigint-json.js';
import type { StoredCollection } from './collection-records.js';
import type { CollectionSummary } from './collection-table.js';
import type { KeyValue, PartitionModel } from './model.js';

/**
 * The stored form of the two records a catalog holds most of (one per collection, one per partition):
 * a JSON array of the values in a fixed order, IDs and timestamps as decimal strings. A restart of a
 * node at 200,000 collections parses 400,000 of them: the array is less than half the bytes of the
 * object in bigint-JSON (`{"collectionID":{"$bigint":"..."},...}`), builds no object per bigint and
 * needs no walk after JSON.parse (catalog format 5). The decoders read both forms: a catalog before
 * format 5 is rewritten when it is opened (catalog-load.ts), but a snapshot of an earlier build is
 * installed as it is, then rewritten.
 *
 * A value the model gains later needs a new catalog format (appended at the end, the order of the
 * others unchanged): a build that does not know it would read the record without it. The applier
 * refuses a collection or partition whose members would not come back as they are (collectionProblem,
 * partitionProblem) and keeps in memory what the record decodes to, so memory and a reload agree.
 */

/** The fixed order of a collection record's values. */
export function encodeCollection(c: StoredCollection): string {
  return JSON.stringify([
    String(c.collectionID),
    String(c.dbID),
    c.name,
    c.description,
    c.autoID,
    c.shardsNum,
    c.consistencyLevel,
    keyValues(c.properties),
    c.enableDynamicField,
    c.virtualChannelNames,
    c.physicalChannelNames,
    String(c.createTs),
    c.state,
    String(c.updateTs),
    String(c.numPartitionsHint),
  ]);
}

type CollectionRecord = [string, string, string, string, boolean, number, number, KeyValue[], boolean, string[], string[], string, number, string, string];

/** What each value of an array record must be, in order (checked as it is read: a record is read as it is or refused). */
const COLLECTION_VALUES: readonly Value[] = [
  ['collectionID', 'id'],
  ['dbID', 'id'],
  ['name', 'text'],
  ['description', 'text'],
  ['autoID', 'boolean'],
  ['shardsNum', 'integer'],
  ['consistencyLevel', 'integer'],
  ['properties', 'pairs'],
  ['enableDynamicField', 'boolean'],
  ['virtualChannelNames', 'texts'],
  ['physicalChannelNames', 'texts'],
  ['createTs', 'id'],
  ['state', 'integer'],
  ['updateTs', 'id'],
  ['numPartitionsHint', 'id'],
];

/** A collection record in either form (see above); throws if it is not one. */
export function decodeCollection(text: string): StoredCollection {
  if (text.charCodeAt(0) !== ARRAY) return parse<StoredCollection>(text);
  const r = checked<CollectionRecord>(JSON.parse(text), COLLECTION_VALUES);
  const createTs = BigInt(r[11]);
  // One object literal (one shape for all), the bigints that repeat shared.
  return {
    collectionID: BigInt(r[0]),
    dbID: dbIdOf(r[1]),
    name: r[2],
    description: r[3],
    autoID: r[4],
    shardsNum: r[5],
    consistencyLevel: r[6],
    properties: r[7],
    enableDynamicField: r[8],
    virtualChannelNames: r[9],
    physicalChannelNames: sharedChannels(r[10]),
    createTs,
    state: r[12],
    updateTs: r[13] === r[11] ? createTs : BigInt(r[13]),
    numPartitionsHint: smallBigint(r[14]),
  };
}

/** What the index needs of a collection record, read from it (checked whole); null for an object record (decode it). */
export function collectionSummary(text: string): CollectionSummary | null {
  if (text.charCodeAt(0) !== ARRAY) return null;
  const m = text.length <= RECORD_LENGTH_MAX ? COLLECTION_RECORD.exec(text) : null;
  if (m !== null) {
    const [, collectionID, dbID, name, shardsNum, channels, state] = m as unknown as [string, string, string, string, string, string, string];
    return { collectionID: BigInt(collectionID), dbID: dbIdOf(dbID), name: textIn(name), shardsNum: Number(shardsNum), physicalChannelNames: channelsIn(channels), state: Number(state) };
  }
  const r = checked<CollectionRecord>(JSON.parse(text), COLLECTION_VALUES);
  return { collectionID: BigInt(r[0]), dbID: dbIdOf(r[1]), name: r[2], shardsNum: r[5], physicalChannelNames: sharedChannels(r[10]), state: r[12] };
}

/**
 * The two records a restart reads most of, in the form their encoders write (no space; IDs not
 * negative; strings with JSON's escapes; integers of at most 15 digits, safe; key-value pairs key
 * first), matched without parsing them: every record they match is one that JSON.parse and the checks
 * accept, with the same values (tests compare the two on mutated records). Anything else is parsed and
 * checked, a record longer than RECORD_LENGTH_MAX too (an expression runs out of stack on a string of
 * millions of characters). At 200,000 collections the parses and checks were about a fifth of the load.
 */
const TEXT = String.raw`"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"`;
const DIGITS = '0|[1-9][0-9]*';
const ID = `"(?:${DIGITS})"`;
const INTEGER = '-?(?:0|[1-9][0-9]{0,14})';
const BOOLEAN = '(?:true|false)';
const listOf = (item: string): string => `\\[(?:${item}(?:,${item})*)?\\]`;
const COLLECTION_RECORD = new RegExp(
  `^\\["(${DIGITS})","(${DIGITS})",(${TEXT}),${TEXT},${BOOLEAN},(${INTEGER}),${INTEGER},${listOf(`\\{"key":${TEXT},"value":${TEXT}\\}`)},${BOOLEAN},${listOf(TEXT)},` +
    `(${listOf(TEXT)}),${ID},(${INTEGER}),${ID},${ID}\\]$`,
);
const PARTITION_RECORD = new RegExp(`^\\[${ID},${TEXT},${ID},${ID},${INTEGER}\\]$`);
const RECORD_LENGTH_MAX = 8192;

/** A string as the expressions above matched it, quotes included. */
function textIn(quoted: string): string {
  return quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
}

/** A list of physical channels as COLLECTION_RECORD matched it: shared by its text (collections repeat a few dozen lists). */
const channelListsByText = new Map<string, readonly string[]>();
function channelsIn(list: string): readonly string[] {
  let channels = channelListsByText.get(list);
  if (channels === undefined) {
    channels = sharedChannels(textsIn(list));
    if (channelListsByText.size < CHANNEL_LISTS_MAX) channelListsByText.set(list, channels);
  }
  return channels;
}

/** A list of strings as the expressions above matched it (with no backslash, `","` is only ever between two). */
function textsIn(list: string): string[] {
  if (list.length === 2) return [];
  return list.includes('\\') ? (JSON.parse(list) as string[]) : list.slice(2, -2).split('","');
}

export function encodePartition(p: PartitionModel): string {
  return JSON.stringify([String(p.partitionID), p.partitionName, String(p.createdTs), String(p.collectionID), p.state]);
}

type PartitionRecord = [string, string, string, string, number];

const PARTITION_VALUES: readonly Value[] = [
  ['partitionID', 'id'],
  ['partitionName', 'text'],
  ['createdTs', 'id'],
  ['collectionID', 'id'],
  ['state', 'integer'],
];

/** A partition record in either form (see above); throws if it is not one. */
export function decodePartition(text: string): PartitionModel {
  if (text.charCodeAt(0) !== ARRAY) return parse<PartitionModel>(text);
  const r = checked<PartitionRecord>(JSON.parse(text), PARTITION_VALUES);
  return { partitionID: BigInt(r[0]), partitionName: r[1], createdTs: BigInt(r[2]), collectionID: BigInt(r[3]), state: r[4] };
}

/**
 * The state of a partition record, read and checked whole without making its model (its IDs and
 * timestamps are made when its collection is decoded).
 */
export function partitionStateOf(text: string): number {
  if (text.charCodeAt(0) !== ARRAY) return decodePartition(text).state;
  if (text.length <= RECORD_LENGTH_MAX && PARTITION_RECORD.test(text)) return checkedPartitionState(text);
  return checked<PartitionRecord>(JSON.parse(text), PARTITION_VALUES)[4];
}

/**
 * The state of a partition record already checked whole (partitionStateOf): in the array form its last
 * value (a state has no comma; a name's comma comes before it).
 */
export function checkedPartitionState(text: string): number {
  return text.charCodeAt(0) === ARRAY ? Number(text.slice(text.lastIndexOf(',') + 1, -1)) : decodePartition(text).state;
}

/**
 * Why a collection's stored members would not decode to themselves (null: they would): each of the
 * model's type, key-value pairs with exactly a key and a value.
 */
export function collectionProblem(c: StoredCollection): string | null {
  // Checked at every put of a collection: plain conditions, no objects made.
  const bigints = ['collectionID', 'dbID', 'createTs', 'updateTs', 'numPartitionsHint'] as const;
  for (const name of bigints) if (typeof c[name] !== 'bigint') return `collection member ${name} is not a 64-bit integer`;
  if (typeof c.name !== 'string') return 'collection member name is not a string';
  if (typeof c.description !== 'string') return 'collection member description is not a string';
  if (typeof c.autoID !== 'boolean' || typeof c.enableDynamicField !== 'boolean') return 'collection members autoID and enableDynamicField must be booleans';
  const integers = ['shardsNum', 'consistencyLevel', 'state'] as const;
  for (const name of integers) if (!Number.isSafeInteger(c[name])) return `collection member ${name} is not an integer`;
  if (!isTextList(c.virtualChannelNames)) return 'collection member virtualChannelNames is not a list of strings';
  if (!isTextList(c.physicalChannelNames)) return 'collection member physicalChannelNames is not a list of strings';
  const pairs = c.properties as unknown;
  if (!Array.isArray(pairs) || !pairs.every(isKeyValue)) return 'collection member properties is not a list of {key, value} strings';
  return null;
}

/** A value of an array record: its member's name, and what it must be ('id': a bigint as String writes it). */
type Value = readonly [string, 'id' | 'text' | 'boolean' | 'integer' | 'pairs' | 'texts'];

/**
 * `record` if it is an array of `values`, each of its kind; else an error that says which value is not.
 * A plain loop over the list, on every record a restart reads (400,000 at 200,000 collections):
 * decoding them took as long as with the straight-line checks this replaced, within this machine's noise.
 */
function checked<R>(record: unknown, values: readonly Value[]): R {
  if (!Array.isArray(record) || record.length !== values.length) throw new Error(`not an array of ${values.length} values`);
  for (let i = 0; i < values.length; i++) {
    const kind = (values[i] as Value)[1];
    if (isOfKind(record[i], kind)) continue;
    throw new Error(`value ${i} (${(values[i] as Value)[0]}) is not ${KIND_NAMES[kind]}: ${JSON.stringify(record[i])?.slice(0, 80)}`);
  }
  return record as R;
}

function isOfKind(value: unknown, kind: Value[1]): boolean {
  switch (kind) {
    case 'id':
      return isDecimal(value);
    case 'text':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'pairs':
      return isPairs(value);
    case 'texts':
      return isTextList(value);
  }
}

/** A bigint as String writes it (a loop over the digits: half the time of a regular expression). */
export function isDecimal(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const start = value.charCodeAt(0) === MINUS ? 1 : 0;
  const length = value.length;
  if (length === start) return false;
  const first = value.charCodeAt(start);
  if (first === ZERO) return length === 1;
  if (first < ZERO || first > NINE) return false;
  for (let i = start + 1; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

const MINUS = '-'.charCodeAt(0);
const ZERO = '0'.charCodeAt(0);
const NINE = '9'.charCodeAt(0);

function isPairs(value: unknown): boolean {
  return Array.isArray(value) && (value.length === 0 || value.every(isKeyValue));
}


const KIND_NAMES: Record<Value[1], string> = {
  id: 'an integer in decimal',
  text: 'a string',
  boolean: 'a boolean',
  integer: 'an integer',
  pairs: 'a list of {key, value} strings',
  texts: 'a list of strings',
};

function isTextList(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  for (const item of list) if (typeof item !== 'string') return false;
  return true;
}

/** Why a partition would not decode to itself (null: it would). */
export function partitionProblem(p: PartitionModel): string | null {
  if (typeof p.partitionID !== 'bigint' || typeof p.createdTs !== 'bigint' || typeof p.collectionID !== 'bigint') return 'partition members partitionID, createdTs and collectionID must be 64-bit integers';
  if (typeof p.partitionName !== 'string') return 'partition member partitionName is not a string';
  return Number.isSafeInteger(p.state) ? null : 'partition member state is not an integer';
}

function isKeyValue(pair: unknown): boolean {
  if (typeof pair !== 'object' || pair === null) return false;
  const { key, value } = pair as Record<string, unknown>;
  return typeof key === 'string' && typeof value === 'string' && Object.keys(pair).length === 2;
}

/**
 * A collection record of a catalog before format 5 in the form of format 5; null if it is not an
 * object record or would not come back as it is (a member missing, of another type, or one the model
 * does not have): such a record is left as it was and read as before.
 */
export function rewrittenCollection(text: string): string | null {
  return rewritten(text, 15, collectionProblem, encodeCollection);
}

/** A partition record of a catalog before format 5 in the form of format 5 (null: as rewrittenCollection). */
export function rewrittenPartition(text: string): string | null {
  return rewritten(text, 5, partitionProblem, encodePartition);
}

/** `members`: how many the model has (what the encoder writes). */
function rewritten<T extends object>(text: string, members: number, problem: (record: T) => string | null, encode: (record: T) => string): string | null {
  if (text.charCodeAt(0) !== OBJECT) return null;
  const record = parse<T>(text);
  return Object.keys(record).length === members && problem(record) === null ? encode(record) : null;
}

const ARRAY = '['.charCodeAt(0);
const OBJECT = '{'.charCodeAt(0);

/** Key-value pairs with exactly their two members, in one order (the record's bytes depend on nothing else). */
function keyValues(pairs: readonly KeyValue[]): KeyValue[] {
  return pairs.map(({ key, value }) => ({ key, value }));
}

/**
 * The physical channel lists of collections repeat (a collection's shards on a few dozen channels):
 * one frozen array per list, its names shared (about 600,000 objects fewer at 200,000 collections).
 * Kept for at most CHANNEL_LISTS_MAX lists; any others are each their own.
 */
const channelLists = new Map<string, readonly string[]>();
const CHANNEL_LISTS_MAX = 10_000;
function sharedChannels(list: string[]): readonly string[] {
  const key = list.length === 1 ? (list[0] as string) : list.join('\n');
  const shared = channelLists.get(key);
  // The key is not the list (a name may hold the separator, and [] and [""] have the same): compared.
  if (shared !== undefined && sameTexts(shared, list)) return shared;
  const frozen = Object.freeze(list);
  if (shared === undefined && channelLists.size < CHANNEL_LISTS_MAX) channelLists.set(key, frozen);
  return frozen;
}

function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A collection's partitions made to hold its own ID and, where equal, its creation timestamp (the same
 * values, one bigint each instead of one per partition: 400,000 objects fewer at 200,000 collections).
 * Only for partitions just decoded, not yet shared with anyone.
 */
export function shareCollectionIds(partitions: readonly PartitionModel[], collection: { readonly collectionID: bigint; readonly createTs: bigint }): void {
  for (const partition of partitions) {
    const p = partition as { collectionID: bigint; createdTs: bigint };
    if (p.collectionID === collection.collectionID) p.collectionID = collection.collectionID;
    if (p.createdTs === collection.createTs) p.createdTs = collection.createTs;
  }
}

/** The collections of a database are adjacent in key order: the last database ID read is likely the next. */
let lastDbText = '';
let lastDbId = 0n;
function dbIdOf(text: string): bigint {
  if (text !== lastDbText) {
    lastDbId = BigInt(text);
    lastDbText = text;
  }
  return lastDbId;
}

/** Partition-count hints are small and repeat: one bigint each. */
const SMALL = new Map<string, bigint>();
function smallBigint(text: string): bigint {
  let value = SMALL.get(text);
  if (value === undefined) {
    value = BigInt(text);
    if (text.length <= 4) SMALL.set(text, value);
  }
  return value;
}
