/** bigint JSON (src/common/bigint-json.ts): what the catalog and the replicated commands are written in. */
import { expect } from 'chai';
import { jsonBytesAtMost, parse, stringify } from '../../src/common/bigint-json.js';
import { Prng } from '../../raft/prng.js';

describe('bigint JSON', () => {
  it('round-trips bigints at any depth, in objects and arrays, beyond 2^53', () => {
    const value = { id: 18446744073709551615n, list: [1n, { ts: -3n, name: 'x' }, [2n]], nested: { deeper: { n: 0n } }, plain: 7, text: '$bigint', none: null };
    expect(parse(stringify(value))).to.deep.equal(value);
  });

  it('writes the text JSON.stringify writes with a bigint replacer, byte for byte, for values of every kind', () => {
    const reference = (v: unknown): string => JSON.stringify(v, (_key, x: unknown) => (typeof x === 'bigint' ? { $bigint: x.toString() } : x));
    const random = new Prng(31);
    const units = ['a', 'Z', ' ', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', '✓', '\ud83d\ude80', '\ud800', '\udc00', '\u2028', '$'];
    const text = (): string => Array.from({ length: random.intBelow(random.intBelow(4) === 0 ? 90 : 12) }, () => units[random.intBelow(units.length)]).join('');
    const key = (): string => (random.intBelow(5) === 0 ? String(random.intBelow(20)) : random.intBelow(8) === 0 ? '__proto__' : text());
    const odd = (): unknown =>
      [new Date(86_400_000), Buffer.from([1, 2]), new Map([[1, 2]]), new Number(7), new String('s'), { toJSON: () => ({ n: 5n }) }, Object.assign(Object.create(null), { a: 1n }), new Uint8Array(2), Symbol('s'), () => 1, { toJSON: (k: string) => `key ${k}` }, { toJSON: (k: string) => (k === '0' ? undefined : [k, 2n]) }][random.intBelow(12)];
    const value = (depth: number): unknown => {
      switch (random.intBelow(depth > 3 ? 7 : 9)) {
        case 0: return text();
        case 1: return [0, -0, -1.5e-300, 2 ** 60, 1e21, NaN, -Infinity, 123456.789][random.intBelow(8)];
        case 2: return [0n, -(2n ** 70n), 470840858022248455n, 18446744073709551615n][random.intBelow(4)];
        case 3: return [true, false, null, undefined][random.intBelow(4)];
        case 4: return odd();
        case 5: return {};
        case 6: return [];
        case 7: {
          const list: unknown[] = Array.from({ length: random.intBelow(5) }, () => value(depth + 1));
          if (random.intBelow(6) === 0) list.length += 2; // holes
          return list;
        }
        default: {
          // Parsed, so that a "__proto__" key is an own property, as in a decoded request.
          const object = JSON.parse('{' + Array.from({ length: random.intBelow(5) }, () => `${JSON.stringify(key())}:0`).join(',') + '}') as Record<string, unknown>;
          for (const k of Object.keys(object)) Object.defineProperty(object, k, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
          return object;
        }
      }
    };
    for (let i = 0; i < 5000; i++) {
      const v = value(0);
      expect(stringify(v)).to.equal(reference(v));
    }
    let deep: unknown = 1n;
    for (let i = 0; i < 300; i++) deep = i % 2 === 0 ? [deep] : { d: deep };
    expect(stringify(deep)).to.equal(reference(deep));
    // A toJSON on BigInt.prototype (a polyfill) is called first, as JSON.stringify does.
    const prototype = BigInt.prototype as { toJSON?: () => string };
    prototype.toJSON = function (this: bigint) {
      return `n${this.toString()}`;
    };
    try {
      for (const v of [1n, { id: 2n, list: [3n, { toJSON: (k: string) => k }] }]) expect(stringify(v)).to.equal(reference(v));
    } finally {
      delete prototype.toJSON;
    }
    const cycle: Record<string, unknown> = { a: [1n] };
    cycle['self'] = { back: cycle };
    expect(() => stringify(cycle)).to.throw(TypeError);
  });

  it('turns only an object whose one key is $bigint with a string into a bigint', () => {
    expect(parse('{"a":{"$bigint":"1","x":2},"b":{"$bigint":1},"c":{"$bigint":"5"}}')).to.deep.equal({ a: { $bigint: '1', x: 2 }, b: { $bigint: 1 }, c: 5n });
  });

  it('keeps a "__proto__" key as data: no prototype is changed, nothing is polluted', () => {
    const parsed = parse<Record<string, unknown>>('{"__proto__":{"$bigint":"5"},"o":{"__proto__":{"polluted":true}}}');
    expect(Object.getPrototypeOf(parsed)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).to.equal(5n);
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
  });

  it('bounds the UTF-8 bytes of a text from above without making it, for values of every kind', () => {
    const random = new Prng(8);
    const units = ['a', '"', '\\', '\n', '\u0001', 'é', '✓', '\ud83d\ude80', '\ud800', '\u2028'];
    const text = (): string => Array.from({ length: random.intBelow(12) }, () => units[random.intBelow(units.length)]).join('');
    const value = (depth: number): unknown => {
      switch (random.intBelow(depth > 3 ? 6 : 8)) {
        case 0: return text();
        case 1: return [0, -1.5e-300, 2 ** 60, NaN, -Infinity, 123456.789][random.intBelow(6)];
        case 2: return [0n, -(2n ** 70n), 470840858022248455n][random.intBelow(3)];
        case 3: return [true, false, null][random.intBelow(3)];
        case 4: return undefined;
        case 5: return {};
        case 6: return Array.from({ length: random.intBelow(5) }, () => value(depth + 1));
        default: return Object.fromEntries(Array.from({ length: random.intBelow(5) }, () => [text(), value(depth + 1)]));
      }
    };
    let tight = 0;
    for (let i = 0; i < 3000; i++) {
      const v = value(0);
      const exact = Buffer.byteLength(stringify(v) ?? '');
      expect(jsonBytesAtMost(v), stringify(v)).to.be.at.least(exact);
      if (jsonBytesAtMost(v) <= exact * 8 + 32) tight++;
    }
    // What is not plain data has no bound: the text is made.
    for (const v of [new Date(0), Buffer.alloc(3), new Number(123456789), { toJSON: () => 'x'.repeat(100) }, [{ nested: new Date(0) }]]) {
      expect(jsonBytesAtMost(v)).to.be.at.least(Buffer.byteLength(stringify(v) ?? ''));
    }
    // A bound, not a guess: within a small factor for most values.
    expect(tight).to.be.above(2500);
  });
});
