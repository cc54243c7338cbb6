/**
 * The columns the codec writes itself (src/protocol/columns.ts): top-level repeated strings and packed
 * 64-bit fields, written after the rest of the message. What protobufjs alone decodes from them is
 * what it decodes from its own encoding of the same message.
 */
import { expect } from 'chai';
import protobuf from 'protobufjs';
import { ProtoCodec, apiRoot, encodeMessage } from '../../src/protocol/proto.js';

const TYPE = 'rootcoord.ShowCollectionsResponse';
const type = apiRoot.lookupType(TYPE);
const plain = (bytes: Uint8Array): unknown => type.toObject(type.decode(bytes), { longs: String, enums: Number, defaults: true, arrays: true });
/** protobufjs's own encoding, 64-bit values as decimal text. */
const reference = (message: Record<string, unknown>): Uint8Array => type.encode(type.fromObject(message)).finish();

describe('protocol codec: columns written by the codec', () => {
  it('strings of every UTF-8 length, empty and long ones, decode as protobufjs encodes them', () => {
    const names = ['', 'a', 'c_0', 'é', 'ß中', '中文名字', '😀', 'a😀b', 'x'.repeat(64), 'y'.repeat(65), 'é'.repeat(100), `${'z'.repeat(70)}中`, '\u007f\u0080\u07ff\u0800\uffff'];
    const bytes = encodeMessage(TYPE, { status: { code: 0, reason: 'ok' }, collection_names: names, shards_num: names.map((_n, i) => i) });
    expect(plain(bytes)).to.deep.equal(plain(reference({ status: { code: 0, reason: 'ok' }, collection_names: names, shards_num: names.map((_n, i) => i) })));
    expect((plain(bytes) as Record<string, unknown>)['collection_names']).to.deep.equal(names);
  });

  it('a lone surrogate is written as U+FFFD, as Buffer writes it (valid UTF-8 for every decoder)', () => {
    const names = ['a\ud800', '\udc00b', 'c\ud800\ud800d', '\ud83d'];
    const decoded = (plain(encodeMessage(TYPE, { collection_names: names })) as Record<string, unknown>)['collection_names'];
    expect(decoded).to.deep.equal(names.map((n) => Buffer.from(n, 'utf8').toString('utf8')));
  });

  it('64-bit columns as typed arrays, as arrays of bigints and as decimal text encode alike', () => {
    const signed = [0n, 1n, -1n, 127n, 128n, 2n ** 53n + 1n, 470840674334015495n, 2n ** 63n - 1n, -(2n ** 63n), -4294967296n];
    const unsigned = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n, 470840674780708866n, 16383n, 16384n, 2n ** 56n];
    const expected = plain(reference({ collection_ids: signed.map(String), created_timestamps: unsigned.map(String) }));
    for (const [ids, timestamps] of [
      [BigInt64Array.from(signed), BigUint64Array.from(unsigned)],
      [signed, unsigned],
      [BigUint64Array.from(signed.map((v) => BigInt.asUintN(64, v))), BigInt64Array.from(unsigned.map((v) => BigInt.asIntN(64, v)))],
    ] as const) {
      expect(plain(encodeMessage(TYPE, { collection_ids: ids, created_timestamps: timestamps }))).to.deep.equal(expected);
    }
    // A view into a larger buffer: only its own values.
    const big = BigInt64Array.from([9n, ...signed, 9n]);
    expect(plain(encodeMessage(TYPE, { collection_ids: big.subarray(1, 1 + signed.length) }))).to.deep.equal(plain(reference({ collection_ids: signed.map(String) })));
  });

  it('empty columns are empty fields; other values are protobufjs\'s to convert or refuse', () => {
    expect(plain(encodeMessage(TYPE, { collection_names: [], collection_ids: new BigInt64Array(0) }))).to.deep.equal(plain(reference({})));
    // Decimal text and numbers in a 64-bit column, numbers in a string column: protobufjs converts them.
    const mixed = { collection_ids: ['5', 6], collection_names: ['a', 7] };
    expect(plain(encodeMessage(TYPE, mixed))).to.deep.equal(plain(reference(mixed)));
  });

  it('a 64-bit typed array in a string column is refused as protobufjs refuses it', () => {
    expect(() => encodeMessage(TYPE, { collection_names: BigInt64Array.from([1n]) })).to.throw(/array expected/);
  });

  it('fields numbered up to 2^29 - 1 get their full tags (no signed overflow of the shift)', () => {
    const root = protobuf.Root.fromJSON({
      nested: { T: { fields: { s: { id: 268435456, type: 'string', rule: 'repeated' }, n: { id: 536870911, type: 'int64', rule: 'repeated' }, m: { id: 16, type: 'uint64', rule: 'repeated' } } } },
    });
    const t = root.lookupType('T');
    const message = { s: ['a', 'é'], n: BigInt64Array.from([-1n, 5n]), m: [2n ** 64n - 1n] };
    const ours = new ProtoCodec(root).encode('T', message);
    const theirs = t.encode(t.fromObject({ s: ['a', 'é'], n: ['-1', '5'], m: ['18446744073709551615'] })).finish();
    const opts = { longs: String, arrays: true };
    expect(t.toObject(t.decode(ours), opts)).to.deep.equal(t.toObject(t.decode(theirs), opts));
  });

  it('a repeated message whose elements hold 64-bit typed arrays is written by the codec, element by element', () => {
    const IDS = 'rootcoord.ShowCollectionIDsResponse';
    const idsType = apiRoot.lookupType(IDS);
    const decoded = (bytes: Uint8Array): unknown => idsType.toObject(idsType.decode(bytes), { longs: String, defaults: true, arrays: true });
    const values = [0n, -1n, 470840674334015495n, 2n ** 63n - 1n];
    const ours = encodeMessage(IDS, {
      status: { code: 0, reason: 'ok' },
      db_collections: [
        { db_name: 'default', collectionIDs: BigInt64Array.from(values) },
        { db_name: 'empty', collectionIDs: new BigInt64Array(0) },
        { db_name: 'text', collectionIDs: ['5', '6'] },
      ],
    });
    const theirs = idsType.encode(idsType.fromObject({
      status: { code: 0, reason: 'ok' },
      db_collections: [
        { db_name: 'default', collectionIDs: values.map(String) },
        { db_name: 'empty', collectionIDs: [] },
        { db_name: 'text', collectionIDs: ['5', '6'] },
      ],
    })).finish();
    expect(decoded(ours)).to.deep.equal(decoded(theirs));
    // Without a typed array in any element the field is protobufjs's, byte for byte as before.
    const plainMessage = { db_collections: [{ db_name: 'a', collectionIDs: ['1', '2'] }] };
    expect(Buffer.from(encodeMessage(IDS, plainMessage)).equals(Buffer.from(idsType.encode(idsType.fromObject(plainMessage)).finish()))).to.equal(true);
  });

  it('a message with columns and other fields round-trips through a protobufjs writer of fields in another order', () => {
    // Fields in any order decode alike: the columns come after the status here, and before it there.
    const names = ['a', 'b'];
    const ours = encodeMessage(TYPE, { status: { code: 3, reason: 'r' }, collection_names: names, collection_ids: BigInt64Array.from([1n, 2n]) });
    const w = protobuf.Writer.create();
    w.uint32((3 << 3) | 2).fork().int64(1).int64(2).ldelim();
    for (const n of names) w.uint32((2 << 3) | 2).string(n);
    w.uint32((1 << 3) | 2).fork().uint32(3 << 3).int32(3).uint32((2 << 3) | 2).string('r').ldelim();
    expect(plain(ours)).to.deep.equal(plain(w.finish()));
  });
});
