/**
 * Regression (found by the peer-port fuzzer, seed 2): a frame may carry a snapshot message among its
 * messages; the codec kept its metadata and gave it empty data, the follower restored it, and the
 * MetaTable's restore of zero bytes ("Unexpected end of JSON input") failed the Raft worker, stopping the
 * node. Senders put a snapshot only in chunks (with its data); the codec now refuses anything else.
 */
import { expect } from 'chai';
import { decodeFrame, encodeFrame, MalformedMessageError } from '../../raft/message-codec.js';
import { message, MessageType } from '../../raft/types.js';

describe('message codec: snapshots only in chunks', () => {
  const snapshot = { metadata: { index: 10, term: 2, confState: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array(0) };
  const snap = message({ type: MessageType.Snap, to: 1, from: 2, term: 2, snapshot });

  it('refuses a snapshot message among the messages', () => {
    expect(() => decodeFrame(encodeFrame(2, [snap], null))).to.throw(MalformedMessageError);
    expect(() => decodeFrame(encodeFrame(2, [message({ type: MessageType.Snap, to: 1, from: 2, term: 2 })], null))).to.throw(MalformedMessageError);
    expect(() => decodeFrame(encodeFrame(2, [message({ type: MessageType.App, to: 1, from: 2, term: 2, snapshot })], null))).to.throw(MalformedMessageError);
  });

  it('refuses a chunk whose message is not a snapshot', () => {
    const chunk = { message: message({ type: MessageType.App, to: 1, from: 2, term: 2 }), offset: 0, totalBytes: 3, data: new Uint8Array([1, 2, 3]) };
    expect(() => decodeFrame(encodeFrame(2, [], chunk))).to.throw(MalformedMessageError);
  });

  it('accepts a snapshot chunk as senders make it', () => {
    const frame = decodeFrame(encodeFrame(2, [], { message: snap, offset: 0, totalBytes: 3, data: new Uint8Array([1, 2, 3]) }));
    expect(frame.snapshotChunk?.message.snapshot?.metadata.index).to.equal(10);
    expect(frame.messages).to.deep.equal([]);
  });
});
