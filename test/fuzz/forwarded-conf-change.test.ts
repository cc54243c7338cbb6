/**
 * Hardening (seen while chasing a peer-port fuzzer crash, seed 2): a follower's forwarded proposal
 * (MsgProp from a peer) carrying a conf-change entry whose data is not a conf change made the leader's
 * core throw in decodeConfChange. In a node that did not stop the process: the TCP transport catches
 * what a peer's frame causes and drops that connection (checked on real processes). The crash of seed 2
 * was the snapshot message restored with no data (snapshot-frames.test.ts), whose error reads the same.
 * The leader now refuses such a proposal as it refuses any other invalid conf change from a peer.
 */
import { expect } from 'chai';
import { EntryType, message, MessageType, StateRole } from '../../raft/types.js';
import { ClusterHarness } from '../raft/cluster-harness.js';

describe('raft core: a peer proposal with an undecodable conf change', () => {
  for (const data of [new Uint8Array(0), new TextEncoder().encode('{"type":'), new TextEncoder().encode('42'), new Uint8Array([0xff, 0x00, 0x13])]) {
    it(`is refused without failing the leader (data ${JSON.stringify([...data])})`, () => {
      const c = new ClusterHarness([1, 2, 3]);
      c.campaign(1);
      const leader = c.node(1).raw.raft;
      expect(leader.role).to.equal(StateRole.Leader);
      const before = leader.log.lastIndex();
      expect(() => leader.step(message({ type: MessageType.Prop, from: 2, to: 1, term: leader.term, entries: [{ term: 0, index: 0, type: EntryType.ConfChange, data }] }))).to.not.throw();
      expect(leader.log.lastIndex()).to.equal(before);
      c.propose(1, 'still serving');
      expect(c.appliedData(3)).to.include('still serving');
    });
  }
});
