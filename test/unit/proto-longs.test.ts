/**
 * 64-bit integers through the client API's codec: given as bigints or decimal text, they decode to the
 * same decimal text, at the edges of int64 and uint64 too (the codec decodes longs through BigInt). And
 * top-level repeated strings, which the codec takes itself too.
 */
import { expect } from 'chai';
import protobuf from 'protobufjs';
import { apiRoot, decodeMessage, encodeMessage } from '../../src/protocol/proto.js';

/** An answer's bytes outcome under a decoder: the decoded message, or 'refused'. */
function outcome(decode: () => unknown): unknown {
  try {
    return decode();
  } catch {
    return 'refused';
  }
}

/**
 * Compare two decoders over 2,000 mutated copies of `valid` (bytes changed, removed, inserted; a
 * fixed-seed generator: the same mutations on every run); returns how many the reference refused.
 */
function compareOverMutations(valid: Uint8Array, seed: number, reference: (bytes: Uint8Array) => unknown, decoder: (bytes: Uint8Array) => unknown): number {
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  let refused = 0;
  for (let round = 0; round < 2000; round++) {
    const bytes = Array.from(valid);
    for (let m = 1 + random(3); m > 0; m--) {
      const at = random(bytes.length);
      const kind = random(3);
      if (kind === 0) bytes[at] = random(256);
      else if (kind === 1) bytes.splice(at, 1);
      else bytes.splice(at, 0, random(256));
    }
    // As a Uint8Array and as a Buffer (the codec makes one string of a Buffer's ASCII span by Buffer's
    // own method, of a Uint8Array's through a Buffer over its memory).
    for (const input of [Uint8Array.from(bytes), Buffer.from(bytes)]) {
      const expected = outcome(() => reference(input));
      if (expected === 'refused' && !Buffer.isBuffer(input)) refused++;
      expect(outcome(() => decoder(input)), bytes.join(' ')).to.deep.equal(expected);
    }
  }
  return refused;
}

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

  it('values of every magnitude decode to the text BigInt writes (random, and at each power of two and ten)', () => {
    // The codec writes values below 2^53 as a double's text and the others through BigInt: both sides
    // of that edge, every bit length, around every power of ten, and random values.
    const values: bigint[] = [];
    for (let bits = 0n; bits <= 64n; bits++) for (const d of [-2n, -1n, 0n, 1n]) values.push((1n << bits) + d);
    for (let e = 0n; e <= 19n; e++) for (const d of [-1n, 0n, 1n]) values.push(10n ** e + d);
    let seed = 0x2545f491;
    const random32 = (): bigint => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return BigInt(seed >>> 0);
    };
    for (let i = 0; i < 5000; i++) values.push((random32() << 32n) | random32());
    const unsignedValues = values.map((v) => BigInt.asUintN(64, v));
    const signedValues = values.map((v) => BigInt.asIntN(64, v));
    const bytes = encodeMessage('rootcoord.ShowCollectionsResponse', { collection_ids: signedValues, created_timestamps: unsignedValues });
    const decoded = decodeMessage('rootcoord.ShowCollectionsResponse', bytes);
    expect(decoded['collection_ids']).to.deep.equal(signedValues.map(String));
    expect(decoded['created_timestamps']).to.deep.equal(unsignedValues.map(String));
  });

  it("protobufjs makes its longs with the codec's class, which writes decimal text through BigInt", () => {
    expect(protobuf.util.Long.name).to.equal('DecimalLong');
    const Long = protobuf.util.Long as unknown as new (low: number, high: number, unsigned: boolean) => { toString(radix?: number): string };
    expect(new Long(-1, -1, true).toString()).to.equal('18446744073709551615');
    expect(new Long(-1, -1, false).toString()).to.equal('-1');
    expect(new Long(255, 0, false).toString(16)).to.equal('ff');
  });

  it('packed fields in pieces, among other fields, or sent unpacked, decode as protobufjs decodes them', () => {
    const w = protobuf.Writer.create();
    // collection_ids (3) in two packed pieces around a name (2) and a shards_num (8, packed int32);
    // created_timestamps (4) unpacked, one value per tag.
    w.uint32((3 << 3) | 2).fork().int64('470840674334015495').int64('-1').ldelim();
    w.uint32((2 << 3) | 2).string('a');
    w.uint32((8 << 3) | 2).fork().int32(2).ldelim();
    w.uint32((3 << 3) | 2).fork().int64('7').ldelim();
    w.uint32((2 << 3) | 2).string('b');
    const packed = decodeMessage('rootcoord.ShowCollectionsResponse', w.finish());
    expect(packed['collection_ids']).to.deep.equal(['470840674334015495', '-1', '7']);
    expect(packed['collection_names']).to.deep.equal(['a', 'b']);
    expect(packed['shards_num']).to.deep.equal([2]);
    const u = protobuf.Writer.create();
    u.uint32((3 << 3) | 2).fork().int64('5').ldelim();
    u.uint32(3 << 3).int64('6');
    u.uint32(4 << 3).uint64('18446744073709551615');
    const unpacked = decodeMessage('rootcoord.ShowCollectionsResponse', u.finish());
    expect(unpacked['collection_ids']).to.deep.equal(['5', '6']);
    expect(unpacked['created_timestamps']).to.deep.equal(['18446744073709551615']);
    // A tag or a length of a packed field longer than protobufjs allows: its own error, as without the codec.
    for (const bytes of [[0x9a, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x07], [0x1a, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0x07]]) {
      expect(() => decodeMessage('rootcoord.ShowCollectionsResponse', Uint8Array.from(bytes)), bytes.join(' ')).to.throw(/invalid (tag|length) encoding/);
    }
    // A piece whose last varint is cut: protobufjs's own error.
    const cut = Uint8Array.from([(3 << 3) | 2, 2, 0x80, 0x80]);
    expect(() => decodeMessage('rootcoord.ShowCollectionsResponse', cut)).to.throw();
  });

  it('decodes what protobufjs alone decodes, and refuses what it refuses, over mutated answers', () => {
    const type = apiRoot.lookupType('rootcoord.ShowCollectionsResponse');
    const plain = (bytes: Uint8Array): unknown => type.toObject(type.decode(bytes), { longs: String, enums: Number, defaults: true, arrays: true, oneofs: true });
    const valid = encodeMessage('rootcoord.ShowCollectionsResponse', {
      status: { code: 0 }, collection_names: ['a', 'b', 'c'], collection_ids: signed.slice(0, 3).map((v) => BigInt(v)), created_timestamps: unsigned.slice(0, 3).map((v) => BigInt(v)), shards_num: [1, 2, 3],
    });
    const refused = compareOverMutations(valid, 7, plain, (input) => decodeMessage('rootcoord.ShowCollectionsResponse', input));
    // The mutations reach both outcomes.
    expect(refused).to.be.within(100, 1900);
  });

  describe("with 64-bit columns as typed arrays ('typed')", () => {
    const typed = (bytes: Uint8Array): Record<string, unknown> => decodeMessage('rootcoord.ShowCollectionsResponse', bytes, 'typed');
    const asTyped = (decoded: Record<string, unknown>): Record<string, unknown> => ({
      ...decoded,
      collection_ids: BigInt64Array.from(decoded['collection_ids'] as string[], BigInt),
      created_timestamps: BigUint64Array.from(decoded['created_timestamps'] as string[], BigInt),
      created_utc_timestamps: BigUint64Array.from(decoded['created_utc_timestamps'] as string[], BigInt),
      inMemory_percentages: BigInt64Array.from(decoded['inMemory_percentages'] as string[], BigInt),
    });

    it('each packed 64-bit column is one BigInt64Array (int64) or BigUint64Array (uint64) of the same values, at every magnitude', () => {
      const values: bigint[] = [];
      for (let bits = 0n; bits <= 64n; bits++) for (const d of [-2n, -1n, 0n, 1n]) values.push((1n << bits) + d);
      for (let i = 0; i < 3000; i++) values.push(BigInt(i) * 6148914691236517205n + 12345n);
      const signedValues = values.map((v) => BigInt.asIntN(64, v));
      const unsignedValues = values.map((v) => BigInt.asUintN(64, v));
      const bytes = encodeMessage('rootcoord.ShowCollectionsResponse', { status: { code: 0 }, collection_names: values.map((_v, i) => `c${i}`), collection_ids: signedValues, created_timestamps: unsignedValues, created_utc_timestamps: new BigUint64Array(values.length).fill(1764700000000n), shards_num: values.map(() => 2) });
      const decoded = typed(bytes);
      expect(decoded['collection_ids']).to.be.instanceOf(BigInt64Array);
      expect(decoded['created_timestamps']).to.be.instanceOf(BigUint64Array);
      expect([...(decoded['collection_ids'] as BigInt64Array)]).to.deep.equal(signedValues);
      expect([...(decoded['created_timestamps'] as BigUint64Array)]).to.deep.equal(unsignedValues);
      // Everything else as the decimal decoding gives it.
      expect(decoded).to.deep.equal(asTyped(decodeMessage('rootcoord.ShowCollectionsResponse', bytes)));
    });

    it('columns absent are empty typed arrays; pieces, other fields between them and unpacked values decode as with decimal text', () => {
      const empty = typed(encodeMessage('rootcoord.ShowCollectionsResponse', { status: { code: 0 } }));
      expect(empty['collection_ids']).to.be.instanceOf(BigInt64Array).with.length(0);
      expect(empty['created_utc_timestamps']).to.be.instanceOf(BigUint64Array).with.length(0);
      const w = protobuf.Writer.create();
      w.uint32((3 << 3) | 2).fork().int64('470840674334015495').int64('-1').ldelim();
      w.uint32((2 << 3) | 2).string('a');
      w.uint32((3 << 3) | 2).fork().int64('7').ldelim();
      w.uint32((4 << 3) | 2).fork().ldelim();
      const pieces = typed(w.finish());
      expect([...(pieces['collection_ids'] as BigInt64Array)]).to.deep.equal([470840674334015495n, -1n, 7n]);
      expect(pieces['created_timestamps']).to.be.instanceOf(BigUint64Array).with.length(0);
      expect(pieces['collection_names']).to.deep.equal(['a']);
      const u = protobuf.Writer.create();
      u.uint32((3 << 3) | 2).fork().int64('5').ldelim();
      u.uint32(3 << 3).int64('6');
      u.uint32(4 << 3).uint64('18446744073709551615');
      const unpacked = typed(u.finish());
      expect([...(unpacked['collection_ids'] as BigInt64Array)]).to.deep.equal([5n, 6n]);
      expect([...(unpacked['created_timestamps'] as BigUint64Array)]).to.deep.equal([18446744073709551615n]);
    });

    it('decodes what the decimal decoding decodes, and refuses what it refuses, over mutated answers', () => {
      const valid = encodeMessage('rootcoord.ShowCollectionsResponse', { status: { code: 0 }, collection_names: ['a', 'b', 'c'], collection_ids: signed.slice(0, 3).map((v) => BigInt(v)), created_timestamps: unsigned.slice(0, 3).map((v) => BigInt(v)), shards_num: [1, 2, 3] });
      const refused = compareOverMutations(valid, 11, (input) => asTyped(decodeMessage('rootcoord.ShowCollectionsResponse', input)), typed);
      expect(refused).to.be.within(100, 1900);
    });
  });

  it('a large message: values sent unpacked are read by the codec too; an unusual encoding of such a field is refused, not handed to protobufjs', () => {
    // 30,000 values (over 64 KiB), every third one as a value of its own (wire type 0), the rest packed.
    const w = protobuf.Writer.create();
    const expected: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const values = [BigInt(i) * 1000003n, -BigInt(i), 470840674334015495n + BigInt(i)];
      w.uint32((3 << 3) | 2).fork().int64(String(values[0])).int64(String(values[1])).ldelim();
      w.uint32(3 << 3).int64(String(values[2]));
      expected.push(...values.map(String));
    }
    const bytes = w.finish();
    expect(bytes.length).to.be.above(64 * 1024);
    expect(decodeMessage('rootcoord.ShowCollectionsResponse', bytes)['collection_ids']).to.deep.equal(expected);
    expect([...(decodeMessage('rootcoord.ShowCollectionsResponse', bytes, 'typed')['collection_ids'] as BigInt64Array)].map(String)).to.deep.equal(expected);
    // The same with one value of wire type 5 (protobufjs reads it as it reads it, making two objects of each value): refused.
    const tail = Uint8Array.from([(3 << 3) | 5, 1, 2, 3, 4]);
    expect(() => decodeMessage('rootcoord.ShowCollectionsResponse', Buffer.concat([bytes, tail]))).to.throw(/unusual wire type/);
    // A small message stays protobufjs's to read.
    const type = apiRoot.lookupType('rootcoord.ShowCollectionsResponse');
    const small = Buffer.concat([Uint8Array.from([(3 << 3) | 2, 1, 7]), tail]);
    expect(decodeMessage('rootcoord.ShowCollectionsResponse', small)).to.deep.equal(type.toObject(type.decode(small), { longs: String, enums: Number, defaults: true, arrays: true, oneofs: true }));
  });

  describe('top-level repeated strings', () => {
    const type = apiRoot.lookupType('rootcoord.ShowCollectionsResponse');
    const plain = (bytes: Uint8Array): unknown => type.toObject(type.decode(bytes), { longs: String, enums: Number, defaults: true, arrays: true, oneofs: true });
    const names = (bytes: Uint8Array): unknown => decodeMessage('rootcoord.ShowCollectionsResponse', bytes)['collection_names'];

    it('ASCII names (short and long, empty too), as one span and its pieces, decode as protobufjs decodes them', () => {
      const list = Array.from({ length: 3000 }, (_v, i) => (i % 7 === 0 ? '' : `collection_${i}_${'x'.repeat(i % 40)}`));
      const bytes = encodeMessage('rootcoord.ShowCollectionsResponse', { status: { code: 0 }, collection_names: list, collection_ids: list.map((_v, i) => BigInt(i) << 40n) });
      for (const input of [bytes, Uint8Array.from(bytes)]) {
        expect(names(input)).to.deep.equal(list);
        expect(decodeMessage('rootcoord.ShowCollectionsResponse', input)).to.deep.equal(plain(input));
      }
    });

    it('non-ASCII names decode as protobufjs decodes them; invalid UTF-8 is refused, as protobufjs refuses it in proto3', () => {
      const w = protobuf.Writer.create();
      w.uint32((2 << 3) | 2).string('plain');
      w.uint32((2 << 3) | 2).string('größe 大小 😀');
      w.uint32((2 << 3) | 2).string('\ufeffwith a byte order mark');
      const bytes = Buffer.from(w.finish());
      expect(names(bytes)).to.deep.equal((plain(bytes) as Record<string, unknown>)['collection_names']);
      expect((names(bytes) as string[])[1]).to.equal('größe 大小 😀');
      expect((names(bytes) as string[])[2]).to.equal('\ufeffwith a byte order mark');
      // A lone continuation byte, a cut sequence, an overlong form, a surrogate's encoding.
      for (const body of [[0x61, 0x80, 0x62], [0xe4, 0xb8], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
        const bad = Buffer.concat([bytes, Buffer.from([(2 << 3) | 2, body.length, ...body])]);
        expect(outcome(() => plain(bad))).to.equal('refused');
        expect(outcome(() => names(bad)), body.join(' ')).to.equal('refused');
      }
    });

    it('names far apart (another field between them) are decoded one by one, with the other field intact', () => {
      const w = protobuf.Writer.create();
      w.uint32((2 << 3) | 2).string('first_collection_name');
      w.uint32((1 << 3) | 2).fork().uint32((2 << 3) | 2).string('r'.repeat(100_000)).ldelim();
      w.uint32((2 << 3) | 2).string('second_collection_name');
      const bytes = Buffer.from(w.finish());
      expect(names(bytes)).to.deep.equal(['first_collection_name', 'second_collection_name']);
      expect(decodeMessage('rootcoord.ShowCollectionsResponse', bytes)).to.deep.equal(plain(bytes));
    });

    it('a name with another wire type: protobufjs reads a small message; a large one is refused', () => {
      const small = Buffer.from([(2 << 3) | 2, 1, 0x61, (2 << 3) | 0, 5]);
      expect(outcome(() => decodeMessage('rootcoord.ShowCollectionsResponse', small))).to.deep.equal(outcome(() => plain(small)));
      const large = Buffer.concat([encodeMessage('rootcoord.ShowCollectionsResponse', { collection_names: Array.from({ length: 10_000 }, (_v, i) => `name_${i}`) }), small.subarray(3)]);
      expect(large.length).to.be.above(64 * 1024);
      expect(() => decodeMessage('rootcoord.ShowCollectionsResponse', large)).to.throw(/unusual wire type/);
    });
  });

  it('a single (not repeated) uint64 decodes to its text', () => {
    const decoded = decodeMessage('rootcoord.AllocTimestampResponse', encodeMessage('rootcoord.AllocTimestampResponse', { timestamp: 18446744073709551615n, count: 3 }));
    expect(decoded['timestamp']).to.equal('18446744073709551615');
  });
});
