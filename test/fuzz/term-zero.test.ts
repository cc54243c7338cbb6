/**
 * Hardening (found reading why the peer-port fuzzer withholds term-0 messages): Raft treats a message of
 * term 0 as one of its own current term (local messages have none). A (pre-)vote of term 0 from the
 * member a follower voted for was granted with a response of term 0, and Raft.send's assertion that a
 * vote response carries a term threw inside the core's step. The node survived (the TCP transport
 * catches what a peer's frame causes and drops the connection; checked on real processes), but an
 * assertion midway through a step is not a way to refuse input. Only proposals, read requests and
 * transfer requests travel without a term; the codec now refuses any other message of term 0.
 */
import { expect } from 'chai';
import { decodeFrame, encodeFrame, MalformedMessageError } from '../../raft/message-codec.js';
import { message, MessageType } from '../../raft/types.js';
import { ClusterHarness } from '../raft/cluster-harness.js';

describe('message codec: messages of term 0', () => {
  it('what the core does with a vote of term 0 from the member it voted for (why the codec refuses it)', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    const follower = c.node(2).raw.raft;
    expect(() => follower.step(message({ type: MessageType.Vote, from: 1, to: 2, term: 0, index: 1000, logTerm: 1000 }))).to.throw(/must carry a term/);
  });

  for (const type of [MessageType.Vote, MessageType.PreVote, MessageType.VoteResp, MessageType.App, MessageType.AppResp, MessageType.Heartbeat, MessageType.HeartbeatResp, MessageType.TimeoutNow, MessageType.ReadIndexResp]) {
    it(`refuses ${MessageType[type]} of term 0`, () => {
      expect(() => decodeFrame(encodeFrame(1, [message({ type, from: 1, to: 2, term: 0 })], null))).to.throw(MalformedMessageError);
      expect(decodeFrame(encodeFrame(1, [message({ type, from: 1, to: 2, term: 3 })], null)).messages[0]?.term).to.equal(3);
    });
  }

  for (const type of [MessageType.Prop, MessageType.ReadIndex, MessageType.TransferLeader]) {
    it(`accepts ${MessageType[type]} of term 0, as followers forward it`, () => {
      const entries = type === MessageType.Prop ? [{ term: 0, index: 0, type: 0 as const, data: new Uint8Array([1]) }] : [];
      expect(decodeFrame(encodeFrame(1, [message({ type, from: 1, to: 2, term: 0, entries })], null)).messages).to.have.length(1);
    });
  }
});
