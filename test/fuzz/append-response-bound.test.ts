/**
 * Regression (found by the peer-port fuzzer, seed 2): an append response acknowledging an index past
 * the leader's log moved the follower's progress there; the leader then found no entry to send from,
 * asserted that a snapshot exists, and (no snapshot made yet) its Raft worker failed, stopping the node.
 * A correct follower never answers with an index the leader does not have; the leader ignores it.
 */
import { expect } from 'chai';
import { message, MessageType, StateRole } from '../../raft/types.js';
import { ClusterHarness } from '../raft/cluster-harness.js';

describe('raft core: an append response past the leader\'s log', () => {
  for (const reject of [false, true]) {
    it(`is ignored (reject ${String(reject)})`, () => {
      const c = new ClusterHarness([1, 2, 3]);
      c.campaign(1);
      const leader = c.node(1).raw.raft;
      expect(leader.role).to.equal(StateRole.Leader);
      const last = leader.log.lastIndex();
      expect(() => {
        leader.step(message({ type: MessageType.AppResp, from: 2, to: 1, term: leader.term, index: 1_000_000, reject, rejectHint: 999_999 }));
        c.stabilize();
        c.tickAll(3);
      }).to.not.throw();
      expect(leader.log.committed).to.be.at.most(last);
      c.propose(1, 'still serving');
      expect(c.appliedData(2)).to.include('still serving');
    });
  }
});
