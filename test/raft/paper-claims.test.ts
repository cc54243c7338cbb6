/**
 * One test per claim of the Raft paper (and the thesis's extensions), each naming the claim, run on a
 * synchronous in-memory cluster so the exact messages and states can be asserted.
 */
import { expect } from 'chai';
import { RaftError } from '../../raft/errors.js';
import { ConfChangeType, MessageType, StateRole } from '../../raft/types.js';
import { ClusterHarness } from './cluster-harness.js';
import { Prng } from '../../raft/prng.js';
import { RawNode } from '../../raft/raw-node.js';

function role(c: ClusterHarness, id: number): StateRole {
  return c.node(id).raw.raft.role;
}

describe('Raft paper claims', () => {
  it('§5.2 election: a candidate with votes from a majority becomes leader and the others follow it', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    expect(role(c, 1)).to.equal(StateRole.Leader);
    expect(c.node(2).raw.raft.lead).to.equal(1);
    expect(c.node(3).raw.raft.lead).to.equal(1);
  });

  it('§5.2 election safety: each node grants at most one vote per term', () => {
    const c = new ClusterHarness([1, 2, 3], { preVote: false, checkQuorum: false });
    c.node(1).raw.campaign();
    c.node(2).raw.campaign();
    c.processAll();
    c.stabilize();
    const leaders = [1, 2, 3].filter((id) => role(c, id) === StateRole.Leader);
    const terms = leaders.map((id) => c.node(id).raw.raft.term);
    expect(new Set(terms).size).to.equal(terms.length);
    const grants = c.sentOfType(MessageType.VoteResp).filter((m) => !m.reject);
    const perVoterTerm = new Set(grants.map((m) => `${m.from}/${m.term}`));
    expect(perVoterTerm.size).to.equal(grants.length);
  });

  it('§5.2 randomized election timeouts fall in [T, 2T) ticks', () => {
    const c = new ClusterHarness([1]);
    const node = c.node(1).raw;
    node.raft.becomeFollower(node.raft.term, 0);
    let ticks = 0;
    while (node.raft.role === StateRole.Follower && ticks < 100) {
      node.tick();
      ticks++;
    }
    expect(ticks).to.be.at.least(10).and.below(20);
  });

  it('§5.4.1 election restriction: a candidate whose log is behind cannot win', () => {
    const c = new ClusterHarness([1, 2, 3], { preVote: false });
    c.campaign(1);
    c.isolate(3);
    c.propose(1, 'x');
    c.healAll();
    c.node(3).raw.raft.becomeFollower(c.node(3).raw.raft.term, 0);
    c.isolate(1);
    c.node(3).raw.campaign();
    c.stabilize();
    expect(role(c, 3)).to.not.equal(StateRole.Leader);
  });

  it('§5.3 log matching: a follower rejects entries whose predecessor does not match, and the leader backs up', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    c.isolate(3);
    for (let i = 0; i < 5; i++) c.propose(1, `e${i}`);
    c.healAll();
    c.propose(1, 'after');
    expect(c.appliedData(3)).to.deep.equal(['e0', 'e1', 'e2', 'e3', 'e4', 'after']);
    expect(c.sentOfType(MessageType.AppResp).some((m) => m.reject && m.from === 3)).to.equal(true);
  });

  it("§5.3 a follower's conflicting uncommitted entries are overwritten by the leader's", () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    c.isolate(1);
    c.node(1).raw.propose(new TextEncoder().encode('lost'));
    c.processAll();
    c.queue = [];
    c.healAll();
    c.isolate(1);
    c.tickAll(30);
    c.stabilize();
    const newLeader = [2, 3].find((id) => role(c, id) === StateRole.Leader);
    expect(newLeader).to.not.equal(undefined);
    c.healAll();
    c.propose(newLeader as number, 'kept');
    c.tickAll(3);
    c.stabilize();
    expect(c.appliedData(1)).to.deep.equal(['kept']);
  });

  it('§5.4.2 an entry stored on a minority is not committed, and a later leader may lack it (Figure 8)', () => {
    const c = new ClusterHarness([1, 2, 3, 4, 5], { preVote: false, checkQuorum: false });
    c.campaign(1);
    c.drop = (m) => m.from === 1 && m.to !== 2 && m.type === MessageType.App;
    c.node(1).raw.propose(new TextEncoder().encode('old'));
    c.stabilize();
    const oldIndex = c.node(1).raw.raft.log.lastIndex();
    expect(c.node(1).raw.raft.log.committed).to.be.below(oldIndex);
    // Node 1 steps down without committing; node 3 leads term 3 without the entry; then node 1 returns.
    c.healAll();
    c.node(1).raw.raft.becomeFollower(c.node(1).raw.raft.term + 1, 0);
    c.isolate(1);
    c.drop = (m) => m.from === 1 || m.to === 1 || m.from === 2 || m.to === 2;
    c.campaign(3);
    expect(role(c, 3)).to.equal(StateRole.Leader);
    expect(c.node(3).raw.raft.log.termOrNull(oldIndex)).to.not.equal(2);
  });

  it('§5.1 a leader that sees a higher term steps down', () => {
    const c = new ClusterHarness([1, 2, 3], { preVote: false, checkQuorum: false });
    c.campaign(1);
    c.isolate(1);
    c.campaign(2);
    expect(role(c, 2)).to.equal(StateRole.Leader);
    c.healAll();
    c.tick(2);
    c.stabilize();
    expect(role(c, 1)).to.equal(StateRole.Follower);
    expect(c.node(1).raw.raft.lead).to.equal(2);
  });

  it('thesis §9.6 PreVote: a partitioned node that rejoins does not disrupt a healthy leader', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    const term = c.node(1).raw.raft.term;
    c.isolate(3);
    c.tickAll(100);
    expect(c.node(3).raw.raft.term).to.equal(term);
    c.healAll();
    c.tickAll(5);
    c.stabilize();
    expect(role(c, 1)).to.equal(StateRole.Leader);
    expect(c.node(1).raw.raft.term).to.equal(term);
  });

  it('thesis §6.2 CheckQuorum: a leader that loses a quorum steps down within an election timeout', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    c.isolate(1);
    for (let i = 0; i < 21; i++) c.tick(1);
    expect(role(c, 1)).to.equal(StateRole.Follower);
  });

  it('thesis §6.4 ReadIndex: a read is answered after a heartbeat quorum, and many reads share one round', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    c.propose(1, 'w');
    const heartbeatsBefore = c.sentOfType(MessageType.Heartbeat).length;
    for (let ctx = 1; ctx <= 50; ctx++) c.node(1).raw.readIndex(ctx);
    c.stabilize();
    c.node(1).raw.readIndex(51);
    c.stabilize();
    const states = c.node(1).readStates;
    expect(states.map((s) => s.requestCtx)).to.deep.equal(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(states.every((s) => s.index === c.node(1).raw.raft.log.committed)).to.equal(true);
    // Read 1 starts a round; reads 2..50 arrive while it is in flight and share the next; read 51 the
    // third: three rounds of one heartbeat to each of two followers.
    expect(c.sentOfType(MessageType.Heartbeat).length - heartbeatsBefore).to.equal(6);
  });

  it('thesis §6.4 ReadIndex from a follower is forwarded and answered; a deposed leader answers none', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    c.node(2).raw.readIndex(7);
    c.stabilize();
    expect(c.node(2).readStates).to.deep.equal([{ index: c.node(1).raw.raft.log.committed, requestCtx: 7 }]);
    c.isolate(1);
    c.node(1).raw.readIndex(8);
    c.stabilize();
    expect(c.node(1).readStates).to.deep.equal([]);
  });

  it('thesis §3.10 leadership transfer: TimeoutNow makes a caught-up target the leader at once', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    c.node(1).raw.transferLeader(3);
    c.stabilize();
    expect(role(c, 3)).to.equal(StateRole.Leader);
    expect(c.sentOfType(MessageType.TimeoutNow).length).to.equal(1);
  });

  it('thesis §4.1 membership: only one conf change may be pending, and a removed leader steps down', () => {
    const c = new ClusterHarness([1, 2, 3, 4], {}, [1, 2, 3]);
    c.campaign(1);
    c.node(1).raw.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 4 });
    expect(() => c.node(1).raw.proposeConfChange({ type: ConfChangeType.AddVoter, nodeId: 4 })).to.throw(RaftError, /ConfChangePending/);
    c.stabilize();
    expect(c.node(4).raw.confState()).to.deep.equal({ voters: [1, 2, 3], learners: [4] });
    c.node(1).raw.proposeConfChange({ type: ConfChangeType.AddVoter, nodeId: 4 });
    c.stabilize();
    expect(c.node(2).raw.confState().voters).to.deep.equal([1, 2, 3, 4]);
    c.node(1).raw.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 1 });
    c.stabilize();
    expect(role(c, 1)).to.equal(StateRole.Follower);
    expect(c.node(2).raw.confState().voters).to.deep.equal([2, 3, 4]);
  });

  it('thesis §4.2.1 learners replicate but never vote or campaign', () => {
    const c = new ClusterHarness([1, 2, 3, 4], {}, [1, 2, 3]);
    c.campaign(1);
    c.node(1).raw.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 4 });
    c.stabilize();
    c.propose(1, 'x');
    expect(c.appliedData(4)).to.deep.equal(['x']);
    c.tick(4, 100);
    expect(role(c, 4)).to.equal(StateRole.Follower);
  });

  it('§7 snapshots: a follower behind the compacted log catches up by snapshot, discarding its conflicting log', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    c.isolate(3);
    for (let i = 0; i < 10; i++) c.propose(1, `e${i}`);
    const leader = c.node(1);
    const applied = leader.raw.raft.log.applied;
    leader.storage.createSnapshot(applied, leader.raw.confState(), new TextEncoder().encode('state'));
    leader.storage.compact(applied);
    c.healAll();
    c.propose(1, 'after');
    c.tickAll(2);
    c.stabilize();
    expect(c.sentOfType(MessageType.Snap).length).to.be.at.least(1);
    expect(c.node(3).storage.snapshot().metadata.index).to.equal(applied);
    expect(c.appliedData(3)).to.deep.equal(['after']);
  });

  it('flow control: the uncommitted log limit refuses proposals with a retriable error', () => {
    const c = new ClusterHarness([1, 2, 3], { maxUncommittedBytes: 100 });
    c.campaign(1);
    c.isolate(1);
    c.node(1).raw.propose(new Uint8Array(80));
    let error: unknown;
    try {
      c.node(1).raw.propose(new Uint8Array(80));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RaftError);
    expect((error as RaftError).code).to.equal('UncommittedLogFull');
    expect((error as RaftError).retriable).to.equal(true);
  });

  it('flow control: at most maxInflightMsgs appends are in flight to one follower', () => {
    const c = new ClusterHarness([1, 2, 3], { maxInflightMsgs: 2, maxMsgBytes: 30 });
    c.campaign(1);
    c.drop = (m) => m.type === MessageType.AppResp;
    const before = c.sentOfType(MessageType.App).filter((m) => m.to === 2).length;
    for (let i = 0; i < 10; i++) c.node(1).raw.propose(new TextEncoder().encode(`x${i}`));
    c.processAll();
    const sent = c.sentOfType(MessageType.App).filter((m) => m.to === 2).length - before;
    expect(sent).to.equal(2);
  });

  it('proposal forwarding: a follower forwards a proposal to the leader', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    c.propose(3, 'via-follower');
    expect(c.appliedData(1)).to.deep.equal(['via-follower']);
  });

  it('durability: a host whose state machine applied past the persisted commit index restarts there', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    c.propose(1, 'a');
    const node = c.node(2);
    const applied = node.raw.raft.log.applied;
    node.storage.setHardState({ ...node.storage.initialState().hardState, commit: applied - 1 });
    const restarted = new RawNode({ id: 2, electionTicks: 10, heartbeatTicks: 1, random: new Prng(2), applied }, node.storage);
    expect(restarted.raft.log.committed).to.equal(applied);
    expect(restarted.raft.log.applied).to.equal(applied);
  });

  it('durability: a restarted node keeps its term, vote and log', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    c.propose(1, 'a');
    const { term, vote } = c.node(2).raw.raft;
    c.restart(2);
    expect(c.node(2).raw.raft.term).to.equal(term);
    expect(c.node(2).raw.raft.vote).to.equal(vote);
    expect(c.appliedData(2)).to.deep.equal(['a']);
  });
});
