/**
 * JSON that round-trips bigint values: a bigint is written as {"$bigint":"123"} and read back as 123n.
 * Used for replicated commands and stored metadata, where IDs and timestamps exceed 2^53.
 */
export function stringify(value: unknown): string {
  return write(value, 0, '') as string;
}

/** What stringify writes, by JSON.stringify's own rules: the replacer form, used for what is not plain data. */
const withBigints = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? { $bigint: v.toString() } : v);

/**
 * `v` as JSON.stringify with the replacer writes it as the property `key` of its holder: wrapped in an
 * object under that key, so that a toJSON method and the replacer are given the key they would be.
 */
function written(v: unknown, key: string | number): string | undefined {
  const name = String(key);
  const text = JSON.stringify({ [name]: v }, withBigints);
  // `{}` when JSON.stringify makes nothing of it; else `{"name":...}`.
  return text.length === 2 ? undefined : text.slice(quoteKey(name).length + 2, -1);
}

/** A string with nothing JSON escapes (a quote, a backslash, a control character, a surrogate: a lone one is escaped). */
const NOTHING_TO_ESCAPE = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
/** Strings and keys up to this length are checked by NOTHING_TO_ESCAPE (strings) or cached (keys); longer ones go to JSON.stringify. */
const SHORT_TEXT = 64;

/** Object keys as JSON strings (a model's keys are few and short; bounded in number and length, for keys that are data). */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 4096;

function quoteKey(key: string): string {
  if (key.length > SHORT_TEXT) return JSON.stringify(key);
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * The text JSON.stringify(value, withBigints) makes, made here for plain data: the replacer form calls
 * back into JavaScript for every value and allocates an object per bigint, and was 8% of the leader's
 * request thread in a 64-client fill (the fields' texts and every command). Byte for byte the same
 * (test/unit/bigint-json.test.ts compares them on random values): keys in the order JSON.stringify
 * takes them (own enumerable string keys, which is for-in's order on a plain object), undefined,
 * functions and symbols left out of objects and null in arrays. Anything else (toJSON, a boxed
 * primitive, a Map, a typed array, an array or object of another prototype, and depth past 100, where
 * a cycle would be) is given to JSON.stringify with the replacer as the property `key` it is (toJSON
 * is given its key), which also reports a cycle. Not the same for values made to tell the two apart
 * (a boxed primitive given Object.prototype, a getter or Proxy trap counting its calls).
 * undefined for what JSON.stringify makes nothing of.
 */
function write(v: unknown, depth: number, key: string | number): string | undefined {
  switch (typeof v) {
    case 'string':
      return v.length <= SHORT_TEXT && NOTHING_TO_ESCAPE.test(v) ? `"${v}"` : JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      // A toJSON on BigInt.prototype (a polyfill some libraries add) comes first in JSON.stringify.
      if (typeof (BigInt.prototype as { toJSON?: unknown }).toJSON === 'function') return written(v, key);
      return `{"$bigint":"${v.toString()}"}`;
    case 'object': {
      if (v === null) return 'null';
      if (depth > 100 || typeof (v as { toJSON?: unknown }).toJSON === 'function') return written(v, key);
      const prototype: unknown = Object.getPrototypeOf(v);
      if (Array.isArray(v)) {
        if (prototype !== Array.prototype) return written(v, key);
        if (v.length === 0) return '[]';
        let text = `[${write(v[0], depth + 1, 0) ?? 'null'}`;
        for (let i = 1; i < v.length; i++) text += `,${write(v[i], depth + 1, i) ?? 'null'}`;
        return `${text}]`;
      }
      if (prototype !== Object.prototype && prototype !== null) return written(v, key);
      const object = v as Record<string, unknown>;
      let text = '';
      for (const name in object) {
        if (!Object.hasOwn(object, name)) continue;
        const item = write(object[name], depth + 1, name);
        if (item === undefined) continue;
        text += `${text === '' ? '{' : ','}${quoteKey(name)}:${item}`;
      }
      return text === '' ? '{}' : `${text}}`;
    }
    default:
      // undefined, functions and symbols.
      return undefined;
  }
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
