/**
 * The big columns of an answer, written by the codec itself: a message's top-level repeated string
 * fields and packed repeated int64/uint64 fields. ShowCollections of 200,000 names carries 200,000
 * names and 600,000 64-bit values; through protobufjs each 64-bit value costs two long.js objects, and
 * each field its own buffer and copies. Here every column is measured first, then written straight into
 * the one buffer that holds the message: on this machine a fresh buffer costs about 2.8 ms per MB as
 * its pages are first written, so the buffers a 6.7 MB answer went through (19 MB) cost more than the
 * encoding itself.
 *
 * The columns are written after the rest of the message, which protobufjs writes: protobuf's decoders
 * take a message's fields in any order.
 */

/** A packed repeated 64-bit field's values, given as a typed array (no object per value). */
type Int64Column = BigInt64Array | BigUint64Array;

function isInt64Column(values: unknown): values is Int64Column {
  return values instanceof BigInt64Array || values instanceof BigUint64Array;
}

/** A top-level field the codec can write itself. */
export type ColumnField =
  | { readonly kind: 'string' | 'int64' | 'uint64'; readonly name: string; readonly id: number }
  /** A repeated message, written here only when an element holds a 64-bit typed array in one of its element type's packed 64-bit fields (`int64Fields`). */
  | { readonly kind: 'message'; readonly name: string; readonly id: number; readonly typeName: string; readonly int64Fields: readonly string[] };

/** One column of a message about to be written, measured: `size` is its bytes, tags and lengths included. */
export type Column =
  | { readonly kind: 'strings'; readonly id: number; readonly size: number; readonly strings: readonly string[]; /** each string's length in UTF-8 */ readonly lengths: Uint32Array }
  | { readonly kind: 'int64'; readonly id: number; readonly size: number; /** the values' 32-bit halves */ readonly halves: Uint32Array; readonly bodyLength: number }
  | { readonly kind: 'messages'; readonly id: number; readonly size: number; /** each element, encoded */ readonly encoded: readonly Uint8Array[] };

/** Which 32-bit half of a 64-bit word in memory is the low one (0 on little-endian machines). */
const LOW_HALF = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** A length-delimited field's tag (unsigned: a field number of 2^28 or more overflows a signed shift). */
function tagOf(id: number): number {
  return ((id << 3) | 2) >>> 0;
}

/** How many bytes a varint of `value` (below 2^32) takes. */
function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** How many bytes the varint of a 64-bit value given as halves takes. */
function varint64Size(low: number, high: number): number {
  const bits = high !== 0 ? 64 - Math.clz32(high) : 32 - Math.clz32(low);
  return bits === 0 ? 1 : ((bits + 6) / 7) | 0;
}

/** The length of `text` in UTF-8 as Buffer writes it (a lone surrogate as U+FFFD, 3 bytes). */
function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) length += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 2; // a pair: two units, four bytes
      i++;
    } else length += 2;
  }
  return length;
}

/** The 32-bit halves of a 64-bit column (a view of a typed array; a copy of an array of bigints), or null if a value is not a bigint. */
function halvesOf(values: readonly unknown[] | Int64Column): Uint32Array | null {
  if (isInt64Column(values)) return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  // A typed array stores a bigint modulo 2^64, as protobuf's two's complement wants: no BigInt arithmetic.
  const words = new BigUint64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'bigint') return null;
    words[i] = value;
  }
  return new Uint32Array(words.buffer);
}

/**
 * `values` as a column of `field`, measured; null when the codec leaves the field to protobufjs (not an
 * array, empty, a value of another type: protobufjs converts it or says what is wrong; a repeated
 * message none of whose elements holds a 64-bit typed array). A 64-bit typed array is always a column
 * (protobufjs takes none), an empty one of no bytes. `encode` encodes a message column's element.
 */
export function columnOf(field: ColumnField, values: unknown, encode: (typeName: string, element: Record<string, unknown>) => Uint8Array): Column | null {
  const tagSize = varintSize(tagOf(field.id));
  switch (field.kind) {
    case 'message': {
      if (!holdsInt64Column(values, field.int64Fields)) return null;
      const encoded = values.map((element) => encode(field.typeName, element));
      let size = 0;
      for (const bytes of encoded) size += tagSize + varintSize(bytes.length) + bytes.length;
      return { kind: 'messages', id: field.id, size, encoded };
    }
    case 'string': {
      if (!Array.isArray(values) || values.length === 0) return null;
      const lengths = new Uint32Array(values.length);
      let size = 0;
      for (let i = 0; i < values.length; i++) {
        const text: unknown = values[i];
        if (typeof text !== 'string') return null;
        const length = utf8Length(text);
        lengths[i] = length;
        size += tagSize + varintSize(length) + length;
      }
      return { kind: 'strings', id: field.id, size, strings: values as string[], lengths };
    }
    default: {
      if (!isInt64Column(values) && (!Array.isArray(values) || values.length === 0)) return null;
      const halves = halvesOf(values);
      if (halves === null) return null;
      let bodyLength = 0;
      for (let i = 0; i < values.length; i++) bodyLength += varint64Size(halves[2 * i + LOW_HALF] as number, halves[2 * i + 1 - LOW_HALF] as number);
      return { kind: 'int64', id: field.id, size: bodyLength === 0 ? 0 : tagSize + varintSize(bodyLength) + bodyLength, halves, bodyLength };
    }
  }
}

function writeVarint(out: Buffer, at: number, value: number): number {
  while (value > 127) {
    out[at++] = (value & 127) | 128;
    value >>>= 7;
  }
  out[at++] = value;
  return at;
}

/**
 * Whether a repeated message field's elements are for the codec to write: one of them holds a 64-bit
 * typed array (which protobufjs does not take) in one of `int64Fields`, the element type's packed
 * 64-bit fields (none: never, and nothing is read).
 */
function holdsInt64Column(values: unknown, int64Fields: readonly string[]): values is readonly Record<string, unknown>[] {
  if (int64Fields.length === 0 || !Array.isArray(values)) return false;
  for (const element of values) {
    if (typeof element !== 'object' || element === null) return false;
  }
  for (const element of values) {
    for (const name of int64Fields) if (isInt64Column((element as Record<string, unknown>)[name])) return true;
  }
  return false;
}

function writeColumn(out: Buffer, at: number, column: Column): number {
  const tag = tagOf(column.id);
  switch (column.kind) {
    case 'messages':
      for (const bytes of column.encoded) {
        at = writeVarint(out, writeVarint(out, at, tag), bytes.length);
        out.set(bytes, at);
        at += bytes.length;
      }
      return at;
    case 'strings':
      for (let i = 0; i < column.strings.length; i++) {
        const text = column.strings[i] as string;
        const length = column.lengths[i] as number;
        at = writeVarint(out, writeVarint(out, at, tag), length);
        if (length !== text.length) at += out.write(text, at, length, 'utf8');
        else if (length > 64) at += out.write(text, at, length, 'latin1');
        else for (let j = 0; j < length; j++) out[at++] = text.charCodeAt(j);
      }
      return at;
    case 'int64': {
      if (column.size === 0) return at;
      const halves = column.halves;
      at = writeVarint(out, writeVarint(out, at, tag), column.bodyLength);
      for (let i = 0; i < halves.length; i += 2) {
        let low = halves[i + LOW_HALF] as number;
        let high = halves[i + 1 - LOW_HALF] as number;
        while (high !== 0) {
          out[at++] = (low & 127) | 128;
          low = ((low >>> 7) | (high << 25)) >>> 0;
          high >>>= 7;
        }
        at = writeVarint(out, at, low);
      }
      return at;
    }
  }
}

/** The message: `head` (the rest, as protobufjs wrote it), then the columns, in one buffer. */
export function withColumns(head: Uint8Array, columns: readonly Column[]): Buffer {
  let size = head.length;
  for (const column of columns) size += column.size;
  const out = Buffer.allocUnsafe(size);
  out.set(head, 0);
  let at = head.length;
  for (const column of columns) at = writeColumn(out, at, column);
  if (at !== size) throw new Error(`columns: wrote ${at} bytes of ${size}`);
  return out;
}
