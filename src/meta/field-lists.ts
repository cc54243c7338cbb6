import { keys } from './catalog-keys.js';
import type { FieldInterner } from './field-interner.js';
import type { FieldModel } from './model.js';
import { VersionedStore } from './versioned-store.js';
import type { StoreOp } from './versioned-store.js';

/**
 * Which stored list of fields each collection has. A collection names its field list
 * (`keys.collectionFieldList` -> a list key, versioned like the collection's own key), and each
 * distinct list is stored once (`keys.fieldList`). Collections made from one schema share one list, so
 * a restart reads 200,000 small records and five lists instead of a million field records.
 *
 * A list is kept while a record names it, a past version included (a read at a past timestamp reads
 * it), so it is not deleted when its last collection goes: the catalog GC, which removes old versions,
 * deletes the lists that no remaining record names (`sweep`). The bookkeeping is the set of stored
 * lists, derived from the catalog alone, so every replica makes the same writes.
 */
export class FieldLists {
  /** The keys of the lists in the catalog. */
  private readonly stored = new Set<string>();

  constructor(private readonly interner: FieldInterner) {}

  clear(): void {
    this.stored.clear();
  }

  /** The keys of the lists the catalog holds (a copy). */
  storedKeys(): Set<string> {
    return new Set(this.stored);
  }

  /** At load: the lists the catalog holds. */
  loaded(listKeys: Iterable<string>): void {
    for (const listKey of listKeys) this.stored.add(listKey);
  }

  /**
   * Add to `ops` the writes that make `fields` the list of collection `collectionID` from `ts` on (0:
   * unversioned), which had `before` (undefined: a new collection).
   */
  set(collectionID: bigint, before: readonly FieldModel[] | undefined, fields: readonly FieldModel[], ts: bigint, ops: StoreOp[]): void {
    const listKey = this.interner.listKey(fields);
    if (before !== undefined && this.interner.listKey(before) === listKey) return;
    ops.push(...VersionedStore.put(keys.collectionFieldList(collectionID), listKey, ts));
    this.keep(listKey, fields, ops);
  }

  /** Add to `ops` the write that stores list `fields` (its key `listKey`) unless it is stored. */
  keep(listKey: string, fields: readonly FieldModel[], ops: StoreOp[]): void {
    if (this.stored.has(listKey)) return;
    ops.push({ type: 'put', key: keys.fieldList(listKey), value: this.interner.listText(fields) });
    this.stored.add(listKey);
  }

  /** Add to `ops` the writes that forget the list of collection `collectionID` at `ts` (its versions stay). */
  remove(collectionID: bigint, ts: bigint, ops: StoreOp[]): void {
    ops.push(...VersionedStore.remove(keys.collectionFieldList(collectionID), ts));
  }

  /** Add to `ops` the deletes of the stored lists that no record names any more (`named`: the lists that one does). */
  sweep(named: ReadonlySet<string>, ops: StoreOp[]): void {
    for (const listKey of this.stored) {
      if (named.has(listKey)) continue;
      ops.push({ type: 'del', key: keys.fieldList(listKey) });
      this.stored.delete(listKey);
    }
  }
}
