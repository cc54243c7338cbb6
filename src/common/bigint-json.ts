/**
 * JSON that round-trips bigint values: a bigint is written as {"$bigint":"123"} and read back as 123n.
 * Used for replicated commands and stored metadata, where IDs and timestamps exceed 2^53.
 */
export function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));
}

export function parse<T>(text: string): T {
  return revive(JSON.parse(text)) as T;
}

/**
 * Turn every {"$bigint":"123"} (an object with that one key) into 123n, in place. A walk after
 * JSON.parse, not a reviver: V8 calls a reviver for every value, which made loading a catalog of
 * 50,000 collections spend 2.1 s parsing (0.65 s this way).
 */
function revive(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
    return value;
  }
  const object = value as Record<string, unknown>;
  const raw = object['$bigint'];
  if (typeof raw === 'string' && Object.keys(object).length === 1) return BigInt(raw);
  for (const key of Object.keys(object)) {
    const before = object[key];
    const after = revive(before);
    // A key "__proto__" is an own property of a parsed object: define it, never call the setter.
    if (after === before) continue;
    if (key === '__proto__') Object.defineProperty(object, key, { value: after, writable: true, enumerable: true, configurable: true });
    else object[key] = after;
  }
  return object;
}

/**
 * An upper bound on the UTF-8 bytes of stringify(value), found without making the text: each UTF-16
 * unit of a string is at most 6 bytes (`\uXXXX`), a number at most 32 characters. For plain data
 * (what a decoded request holds); anything else (an object with toJSON, a boxed primitive, a Date, a
 * Buffer) has no bound (Infinity). A caller that checks a size limit makes the text only when the
 * bound is over it.
 */
export function jsonBytesAtMost(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 2 + 6 * value.length;
    case 'number':
      return 32;
    case 'bigint':
      return 16 + value.toString().length;
    case 'object': {
      if (value === null) return 4;
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== Array.prototype && prototype !== null) return Infinity;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return Infinity;
      let bytes = 2;
      if (Array.isArray(value)) {
        for (const item of value) bytes += 1 + (item === undefined ? 4 : jsonBytesAtMost(item));
        return bytes;
      }
      for (const key of Object.keys(value)) bytes += 2 + jsonBytesAtMost(key) + jsonBytesAtMost((value as Record<string, unknown>)[key]);
      return bytes;
    }
    default:
      // true, false, undefined (null in an array, left out of an object), functions and symbols likewise.
      return 5;
  }
}
