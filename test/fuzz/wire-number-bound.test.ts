/**
 * Regression (found by the peer-port fuzzer, seed 1): one authenticated frame carrying a term of
 * 2^53 - 1 was accepted, adopted, and the next election's term + 1 could not be stored: the Raft
 * worker failed and every node of the cluster stopped. The codec now refuses numbers above 2^52.
 */
import { expect } from 'chai';
import { decodeFrame, encodeFrame, MalformedMessageError, WIRE_NUMBER_MAX } from '../../raft/message-codec.js';
import { message, MessageType } from '../../raft/types.js';

describe('message codec: numbers a node can count past', () => {
  const vote = (fields: Record<string, number>) => encodeFrame(2, [message({ type: MessageType.Vote, to: 1, from: 2, term: 5, ...fields })], null);

  for (const field of ['term', 'logTerm', 'index', 'commit', 'rejectHint', 'context', 'to', 'from']) {
    it(`refuses ${field} = 2^53 - 1 and accepts ${field} = 2^52`, () => {
      expect(() => decodeFrame(vote({ [field]: Number.MAX_SAFE_INTEGER }))).to.throw(MalformedMessageError);
      if (field === 'to' || field === 'from') return;
      // A vote's log term is at most its term (the codec refuses one past it): raise both.
      const decoded = decodeFrame(vote({ [field]: WIRE_NUMBER_MAX, ...(field === 'logTerm' ? { term: WIRE_NUMBER_MAX } : {}) }));
      expect((decoded.messages[0] as unknown as Record<string, number>)[field]).to.equal(WIRE_NUMBER_MAX);
    });
  }

  it('refuses an entry or a snapshot beyond 2^52', () => {
    const entry = { term: Number.MAX_SAFE_INTEGER, index: 1, type: 0 as const, data: new Uint8Array(0) };
    expect(() => decodeFrame(encodeFrame(2, [message({ type: MessageType.App, to: 1, from: 2, term: 1, entries: [entry] })], null))).to.throw(MalformedMessageError);
    const snapshot = { metadata: { index: 2 ** 53 - 2, term: 1, confState: { voters: [1], learners: [] } }, data: new Uint8Array(0) };
    expect(() => decodeFrame(encodeFrame(2, [message({ type: MessageType.Snap, to: 1, from: 2, term: 1, snapshot })], null))).to.throw(MalformedMessageError);
  });
});
