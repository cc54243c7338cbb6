/**
 * `rootcoord --limit name=value`: a value that is not a non-negative number is refused at start (it
 * became NaN, and a limit compared with NaN is never reached: the limit was silently off); a string
 * limit keeps everything after the first '='.
 */
import { expect } from 'chai';
import { parseArgs } from '../../src/main.js';

const base = ['--id', '1', '--data-dir', '/tmp/unused', '--peers', '1=127.0.0.1:1', '--clients', '1=127.0.0.1:2'];

describe('rootcoord --limit', () => {
  it('refuses a numeric limit that is not a non-negative number, naming it', () => {
    for (const bad of ['maxInflightRequests=lots', 'maxInflightRequests=', 'maxPartitionNum=-1', 'maxRequestBytes=1e999']) {
      expect(() => parseArgs([...base, '--limit', bad]), bad).to.throw(/--limit \w+: want a non-negative number/);
    }
    expect(() => parseArgs([...base, '--limit', 'noSuchLimit=1'])).to.throw(/unknown limit/);
  });

  it('takes numbers, and a string limit whole', () => {
    const config = parseArgs([...base, '--limit', 'maxInflightRequests=12', '--limit', 'clusterPrefix=a=b']);
    expect(config.limits.maxInflightRequests).to.equal(12);
    expect(config.limits.clusterPrefix).to.equal('a=b');
  });
});
