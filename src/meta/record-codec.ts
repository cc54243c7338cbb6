import { parse } from '../common/bigint-json.js';
import type { StoredCollection } from './collection-records.js';
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
 * A value the model gains later is appended at the end (an older record lacks it and gets its default);
 * the order of the others never changes.
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

/** A collection record in either form (see above). */
export function decodeCollection(text: string): StoredCollection {
  if (text.charCodeAt(0) !== ARRAY) return parse<StoredCollection>(text);
  const r = JSON.parse(text) as CollectionRecord;
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
    physicalChannelNames: r[10],
    createTs,
    state: r[12],
    updateTs: r[13] === r[11] ? createTs : BigInt(r[13]),
    numPartitionsHint: smallBigint(r[14]),
  };
}

export function encodePartition(p: PartitionModel): string {
  return JSON.stringify([String(p.partitionID), p.partitionName, String(p.createdTs), String(p.collectionID), p.state]);
}

type PartitionRecord = [string, string, string, string, number];

/** A partition record in either form (see above). */
export function decodePartition(text: string): PartitionModel {
  if (text.charCodeAt(0) !== ARRAY) return parse<PartitionModel>(text);
  const r = JSON.parse(text) as PartitionRecord;
  return { partitionID: BigInt(r[0]), partitionName: r[1], createdTs: BigInt(r[2]), collectionID: BigInt(r[3]), state: r[4] };
}

/** Whether a record is in the form of catalogs before format 5. */
export function isObjectRecord(text: string): boolean {
  return text.charCodeAt(0) === OBJECT;
}

const ARRAY = '['.charCodeAt(0);
const OBJECT = '{'.charCodeAt(0);

/** Key-value pairs with exactly their two members, in one order (the record's bytes depend on nothing else). */
function keyValues(pairs: readonly KeyValue[]): KeyValue[] {
  return pairs.map(({ key, value }) => ({ key, value }));
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
