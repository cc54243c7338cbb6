/**
 * A call forwarded by a member counts against no connection's budget (Admission), so the header that
 * marks it must be one a client cannot set: it carries a token derived from the cluster secret.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { FORWARDED_HEADER, forwardedToken, isForwarded } from '../../src/api/forwarder.js';

function withHeader(value: string | null): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (value !== null) metadata.set(FORWARDED_HEADER, value);
  return metadata;
}

describe('the forwarded-call header', () => {
  it("with a cluster secret, only the members' token marks a call as forwarded", () => {
    const token = forwardedToken('s3cret');
    expect(token).to.match(/^[0-9a-f]{64}$/);
    expect(isForwarded(withHeader(token), token)).to.equal(true);
    expect(isForwarded(withHeader('1'), token)).to.equal(false);
    expect(isForwarded(withHeader(forwardedToken('other')), token)).to.equal(false);
    expect(isForwarded(withHeader(`${token.slice(0, 63)}${token.endsWith("0") ? "1" : "0"}`), token)).to.equal(false);
    expect(isForwarded(withHeader(token.slice(0, 32)), token)).to.equal(false);
    expect(isForwarded(withHeader(null), token)).to.equal(false);
  });

  it('without a secret (members cannot be told from clients), the header as members send it', () => {
    expect(forwardedToken('')).to.equal('1');
    expect(isForwarded(withHeader('1'), forwardedToken(''))).to.equal(true);
  });
});
