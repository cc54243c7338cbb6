import { expect } from 'chai';
import { validateFunctions } from '../../src/ddl/function-rules.js';
import { hasAnyKey, isSubset } from '../../src/ddl/lookups.js';
import { FunctionType } from '../../src/meta/model.js';

/**
 * Checks of a DDL request run on the leader's request thread before anything bounds the request's
 * shape: each must be linear in its lists. An adversarial test found three quadratic ones (a BM25
 * function's field names counted by scanning the list per name; AlterDatabase's delete keys and both
 * Alters' "nothing changes" test scanning the properties per key): a 750 KB request held the leader's
 * thread for 215 s, with no election to end it (the Raft thread kept the heartbeats going). With
 * 200,000 names a quadratic check takes minutes; a linear one, milliseconds: the timeout below has
 * room for a slow machine and none for the quadratic version.
 */
describe('DDL request checks are linear in the request', function () {
  this.timeout(20_000);
  const N = 200_000;
  const names = Array.from({ length: N }, (_, i) => `f${i}`);

  it("a BM25 function's 200,000 distinct input names are counted once each", () => {
    const fn = { name: 'bm25', description: '', type: FunctionType.BM25, input_field_names: names, output_field_names: ['out'], params: [] };
    // Every name is distinct, so the basic checks pass and the first missing field is named.
    expect(() => validateFunctions([fn], [])).to.throw('function input field not found: f0');
    // A repeated name is still found (at its first occurrence in the list), and so is an input used as output.
    const repeated = { ...fn, input_field_names: [...names, 'f7'] };
    expect(() => validateFunctions([repeated], [])).to.throw('each function input field should be used exactly once in the same function, function: bm25, input field: f7');
    const both = { ...fn, output_field_names: ['x', 'f9'] };
    expect(() => validateFunctions([both], [])).to.throw('a single field cannot be both input and output in the same function, function: bm25, field: f9');
  });

  it('isSubset and hasAnyKey over 200,000 properties and keys', () => {
    const current = names.map((key) => ({ key, value: 'v' }));
    expect(isSubset(current, current)).to.equal(true);
    expect(isSubset([...current.slice(1), { key: 'f0', value: 'other' }], current)).to.equal(false);
    // A key present twice with different values: either value is "already there".
    expect(isSubset([{ key: 'k', value: 'b' }], [{ key: 'k', value: 'a' }, { key: 'k', value: 'b' }])).to.equal(true);
    const absent = names.map((n) => `x${n}`);
    expect(hasAnyKey(current, absent)).to.equal(false);
    expect(hasAnyKey(current, [...absent, 'f123'])).to.equal(true);
  });
});
