/**
 * A follower in Probe gets at most one MsgApp per heartbeat interval. etcd's raft unpauses a probe at
 * every heartbeat answer; here a follower's answers come in bursts (heartbeats queued behind a snapshot being sent
 * are delivered together, read rounds send heartbeats of their own, and a follower answers heartbeats
 * while the probe's entries are still being written), and each answer resent the same probe: a joiner
 * at 60,000 collections received its first probe (595 entries) four times in one millisecond.
 */
import { expect } from 'chai';
import { message, MessageType } from '../../raft/types.js';
import type { Message } from '../../raft/types.js';
import { ProgressState } from '../../raft/progress.js';
import { ClusterHarness } from './cluster-harness.js';

describe('raft: probes are paced by the heartbeat interval', () => {
  /** Node 1 leads; every append to node 3 is lost, so node 3's progress stays in Probe. */
  function leaderWithProbingFollower(heartbeatTicks: number): ClusterHarness {
    const c = new ClusterHarness([1, 2, 3], { heartbeatTicks, electionTicks: 10 * heartbeatTicks });
    c.drop = (m) => m.to === 3 && m.type === MessageType.App;
    c.campaign(1);
    c.propose(1, 'x');
    expect(c.node(1).raw.raft.tracker.progress.get(3)?.state).to.equal(ProgressState.Probe);
    return c;
  }

  /** The appends the leader sends node 3 as it does `act` (what it sends is not delivered). */
  function appendsTo3(c: ClusterHarness, act: () => void): Message[] {
    const before = c.sent.length;
    act();
    c.process(1);
    c.queue = [];
    return c.sent.slice(before).filter((m) => m.type === MessageType.App && m.to === 3);
  }

  function answerHeartbeats(c: ClusterHarness, count: number): number {
    const leader = c.node(1).raw.raft;
    return appendsTo3(c, () => {
      for (let i = 0; i < count; i++) leader.step(message({ type: MessageType.HeartbeatResp, from: 3, to: 1, term: leader.term }));
    }).length;
  }

  function tickLeader(c: ClusterHarness, ticks: number): void {
    appendsTo3(c, () => {
      for (let t = 0; t < ticks; t++) c.node(1).raw.tick();
    });
  }

  for (const heartbeatTicks of [1, 3]) {
    it(`a burst of heartbeat answers sends one probe, and a lost probe is sent again an interval later (heartbeat ${heartbeatTicks} tick(s))`, () => {
      const c = leaderWithProbingFollower(heartbeatTicks);
      // Answers in the interval of the last probe send none.
      expect(answerHeartbeats(c, 4)).to.equal(0);
      for (let interval = 0; interval < 3; interval++) {
        tickLeader(c, heartbeatTicks);
        // A burst of answers an interval later: the probe goes again, once.
        expect(answerHeartbeats(c, 4)).to.equal(1);
        expect(answerHeartbeats(c, 1)).to.equal(0);
      }
    });
  }

  it('the follower catches up once its appends get through', () => {
    const c = leaderWithProbingFollower(1);
    c.drop = () => false;
    c.tickAll(2);
    const leader = c.node(1).raw.raft;
    expect(leader.tracker.progress.get(3)?.state).to.equal(ProgressState.Replicate);
    expect(c.appliedData(3)).to.deep.equal(['x']);
  });

  it('a probe sent again from the same index carries at most 64 KiB of entries; a first probe and the appends after an answer are full size', () => {
    const c = leaderWithProbingFollower(1);
    const leader = c.node(1).raw;
    for (let i = 0; i < 60; i++) leader.propose(new Uint8Array(10_000).fill(i));
    c.stabilize();
    const appsTo3 = (): Message[] => c.sent.filter((m) => m.type === MessageType.App && m.to === 3);
    const sizes = (ms: readonly Message[]): number[] => ms.map((m) => m.entries.reduce((sum, e) => sum + e.data.byteLength, 0));
    const nextProbe = (): Message => {
      tickLeader(c, 1);
      const probes = appendsTo3(c, () => leader.step(message({ type: MessageType.HeartbeatResp, from: 3, to: 1, term: leader.raft.term })));
      expect(probes).to.have.length(1);
      return probes[0] as Message;
    };
    // The election's probe went unanswered: this one is sent again from the same index.
    const resent = nextProbe();
    expect(sizes([resent])[0]).to.be.within(10_000, 64 * 1024);
    // The follower refuses an append, naming an earlier index: the first probe from there is full size.
    const pr = leader.raft.tracker.progress.get(3);
    const first = appendsTo3(c, () => leader.step(message({ type: MessageType.AppResp, from: 3, to: 1, term: leader.raft.term, index: (pr?.next ?? 0) - 1, reject: true, rejectHint: 1, logTerm: 1 })));
    expect(first).to.have.length(1);
    expect(first[0]?.index).to.equal(1);
    expect(sizes(first)[0]).to.be.greaterThan(500_000);
    // Unanswered, it goes again an interval later from the same index: 64 KiB at most.
    const again = nextProbe();
    expect(again.index).to.equal(1);
    expect(sizes([again])[0]).to.be.within(10_000, 64 * 1024);
    // The follower is reachable again: after it answers a probe, the rest goes in full-size appends.
    c.drop = () => false;
    const answered = appsTo3().length;
    c.tickAll(3);
    expect(leader.raft.tracker.progress.get(3)?.state).to.equal(ProgressState.Replicate);
    expect(Math.max(...sizes(appsTo3().slice(answered)))).to.be.greaterThan(64 * 1024);
    expect(c.appliedData(3)).to.have.length(61);
  });
});
