/**
 * 64-bit integers through the client API's codec: given as bigints or decimal text, they decode to the
 * same decimal text, at the edges of int64 and uint64 too (the codec decodes longs through BigInt).
 */
import { expect } from 'chai';
import protobuf from 'protobufjs';
import { decodeMessage, encodeMessage } from '../../src/protocol/proto.js';

describe('protocol codec: 64-bit integers', () => {
  const signed = ['0', '1', '-1', '9007199254740993', '470840674334015495', '9223372036854775807', '-9223372036854775808', '-4294967296', '4294967295', '4294967296'];
  const unsigned = ['0', '1', '4294967295', '4294967296', '9007199254740993', '470840674780708866', '9223372036854775808', '18446744073709551615'];

  for (const form of ['bigint', 'text'] as const) {
    it(`int64 and uint64 given as ${form} decode to their decimal text`, () => {
      const as = (values: string[]): unknown[] => (form === 'bigint' ? values.map((v) => BigInt(v)) : values);
      const bytes = encodeMessage('rootcoord.ShowCollectionsResponse', { collection_names: signed.map((_v, i) => `c${i}`), collection_ids: as(signed), created_timestamps: as(unsigned) });
      const decoded = decodeMessage('rootcoord.ShowCollectionsResponse', bytes);
      expect(decoded['collection_ids']).to.deep.equal(signed);
      expect(decoded['created_timestamps']).to.deep.equal(unsigned);
    });
  }

  it("protobufjs makes its longs with the codec's class, which writes decimal text through BigInt", () => {
    expect(protobuf.util.Long.name).to.equal('DecimalLong');
    const Long = protobuf.util.Long as unknown as new (low: number, high: number, unsigned: boolean) => { toString(radix?: number): string };
    expect(new Long(-1, -1, true).toString()).to.equal('18446744073709551615');
    expect(new Long(-1, -1, false).toString()).to.equal('-1');
    expect(new Long(255, 0, false).toString(16)).to.equal('ff');
  });

  it('a single (not repeated) uint64 decodes to its text', () => {
    const decoded = decodeMessage('rootcoord.AllocTimestampResponse', encodeMessage('rootcoord.AllocTimestampResponse', { timestamp: 18446744073709551615n, count: 3 }));
    expect(decoded['timestamp']).to.equal('18446744073709551615');
  });
});
