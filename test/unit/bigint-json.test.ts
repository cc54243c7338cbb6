/** bigint JSON (src/common/bigint-json.ts): what the catalog and the replicated commands are written in. */
import { expect } from 'chai';
import { parse, stringify } from '../../src/common/bigint-json.js';

describe('bigint JSON', () => {
  it('round-trips bigints at any depth, in objects and arrays, beyond 2^53', () => {
    const value = { id: 18446744073709551615n, list: [1n, { ts: -3n, name: 'x' }, [2n]], nested: { deeper: { n: 0n } }, plain: 7, text: '$bigint', none: null };
    expect(parse(stringify(value))).to.deep.equal(value);
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
});
