import { keys } from './catalog-keys.js';
import type { FieldInterner } from './field-interner.js';
import type { FieldModel } from './model.js';
import type { StoreOp } from './versioned-store.js';

/**
 * Which stored list of fields each collection has. Besides its field records (Milvus's layout, one key
 * per field, versioned for reads at a past timestamp), a collection names a field list
 * (`keys.collectionFieldList` -> a list key), and each distinct list is stored once
 * (`keys.fieldList`), for as long as a collection names it. Collections made from one schema share
 * one list, so a restart reads 200,000 small records and five lists instead of a million field
 * records.
 *
 * The bookkeeping is derived from the catalog alone (which lists it holds, how many collections name
 * each), so every replica makes the same writes. A catalog written before lists existed (format 2)
 * gets a list named for every collection when it is opened (catalog-load.ts).
 */
export class FieldLists {
  /** List key -> how many collections name it (a list is stored while one does). */
  private readonly holders = new Map<string, number>();

  constructor(private readonly interner: FieldInterner) {}

  clear(): void {
    this.holders.clear();
  }

  /** At load: how many collections name each stored list. */
  loaded(holders: ReadonlyMap<string, number>): void {
    for (const [listKey, count] of holders) this.holders.set(listKey, count);
  }

  /** Add to `ops` the writes that make `fields` the list of collection `collectionID`, which had `before` (undefined: a new collection). */
  set(collectionID: bigint, before: readonly FieldModel[] | undefined, fields: readonly FieldModel[], ops: StoreOp[]): void {
    const listKey = this.interner.listKey(fields);
    const had = before === undefined ? undefined : this.interner.listKey(before);
    if (had === listKey) return;
    ops.push({ type: 'put', key: keys.collectionFieldList(collectionID), value: listKey });
    const holders = this.holders.get(listKey) ?? 0;
    if (holders === 0) ops.push({ type: 'put', key: keys.fieldList(listKey), value: this.interner.listText(fields) });
    this.holders.set(listKey, holders + 1);
    if (had !== undefined) this.release(had, ops);
  }

  /** Add to `ops` the writes that forget the list of collection `collectionID`, whose fields were `fields`. */
  remove(collectionID: bigint, fields: readonly FieldModel[], ops: StoreOp[]): void {
    ops.push({ type: 'del', key: keys.collectionFieldList(collectionID) });
    this.release(this.interner.listKey(fields), ops);
  }

  private release(listKey: string, ops: StoreOp[]): void {
    const holders = (this.holders.get(listKey) ?? 1) - 1;
    if (holders > 0) {
      this.holders.set(listKey, holders);
      return;
    }
    this.holders.delete(listKey);
    ops.push({ type: 'del', key: keys.fieldList(listKey) });
  }
}
