import { createHash } from 'node:crypto';
import { parse, stringify } from '../common/bigint-json.js';
import type { FieldModel } from './model.js';

/**
 * One frozen object per distinct field definition, and one frozen list per distinct schema, shared by
 * every collection that has them. Field IDs are numbered per collection (100, 101, ... and the system
 * fields 0 and 1), so collections made from the same schema (the usual way to reach 100,000 of them:
 * one per tenant) have identical fields: a catalog of 200,000 such collections holds five field
 * objects, not a million, and a restart parses five field values, not a million.
 *
 * Each distinct value is parsed once; the text stays with its object, so writing an unchanged field
 * needs no new stringify. Sharing is safe because the model is read-only (its types say so, and the
 * objects are frozen, so a write would throw). Memory is bounded: past `capacity` distinct values the
 * tables are forgotten (objects already shared stay shared; later ones are interned afresh).
 */
export class FieldInterner {
  private readonly byText = new Map<string, FieldModel>();
  private readonly lists = new Map<string, readonly FieldModel[]>();
  /** The text and a number for every field object this interner made (the number keys the lists). */
  private readonly known = new WeakMap<FieldModel, { readonly text: string; readonly id: number }>();
  private nextId = 0;
  /** The key of every list a key was asked for (lists are frozen: the key never changes). */
  private readonly listKeys = new WeakMap<readonly FieldModel[], string>();

  constructor(private readonly capacity = 100_000) {}

  /** The shared field whose stored text is `text`. */
  fromText(text: string): FieldModel {
    const shared = this.byText.get(text);
    if (shared !== undefined) return shared;
    return this.remember(text, parse<FieldModel>(text));
  }

  /** The shared field equal to `field` (which may be anyone's object: it is not kept). */
  of(field: FieldModel): FieldModel {
    if (this.known.has(field)) return field;
    return this.fromText(stringify(field));
  }

  /** The stored text of `field`: remembered for shared fields, made for others. */
  textOf(field: FieldModel): string {
    return this.known.get(field)?.text ?? stringify(field);
  }

  /**
   * The shared list of these shared fields in this order. `order`, if given, sorts a list seen for the
   * first time (a list of the same fields in the same input order is found, not sorted again).
   */
  list(fields: readonly FieldModel[], order?: (a: FieldModel, b: FieldModel) => number): readonly FieldModel[] {
    let key = '';
    for (const field of fields) {
      const id = this.known.get(field)?.id;
      if (id === undefined) return Object.freeze(order === undefined ? [...fields] : [...fields].sort(order));
      key += `${id},`;
    }
    const shared = this.lists.get(key);
    if (shared !== undefined) return shared;
    if (this.lists.size >= this.capacity) this.lists.clear();
    const made = Object.freeze(order === undefined ? [...fields] : [...fields].sort(order));
    this.lists.set(key, made);
    return made;
  }

  /** The stored text of a list of fields: a JSON array of its fields' texts, in order. */
  listText(fields: readonly FieldModel[]): string {
    return JSON.stringify(fields.map((f) => this.textOf(f)));
  }

  /** The shared fields, in order, of a list stored as `listText` made it. */
  fromListText(text: string): readonly FieldModel[] {
    return this.list((JSON.parse(text) as string[]).map((t) => this.fromText(t)));
  }

  /** A key naming this list of fields by its content (equal lists, equal keys, on every replica). */
  listKey(fields: readonly FieldModel[]): string {
    let key = this.listKeys.get(fields);
    if (key === undefined) {
      key = createHash('sha256').update(this.listText(fields)).digest('hex').slice(0, 32);
      if (Object.isFrozen(fields)) this.listKeys.set(fields, key);
    }
    return key;
  }

  private remember(text: string, field: FieldModel): FieldModel {
    if (this.byText.size >= this.capacity) this.byText.clear();
    deepFreeze(field);
    this.byText.set(text, field);
    this.known.set(field, { text, id: this.nextId++ });
    return field;
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}
