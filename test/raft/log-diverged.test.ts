/**
 * A member whose committed entries the leader's log contradicts stops with a LogDivergedError (session
 * 34, found by an adversarial test): the log tails of two members of three were cut (synced records,
 * which a start takes for a torn write), the two elected a leader without the entries they had
 * acknowledged, and the intact member answered every append with its commit index, past the new
 * leader's log, which the leader ignores. It stayed behind and ready forever, logging nothing, while the
 * others committed new entries over the lost ones. Raft cannot recover a majority's lost entries; it
 * must not be silent about it.
 */
import { expect } from 'chai';
import { LogDivergedError } from '../../raft/errors.js';
import { MemoryLogStore } from '../../raft/memory-log-store.js';
import { MemoryTransportHub } from '../../raft/memory-transport.js';
import { RaftNode } from '../../raft/raft-node.js';
import { Counting } from './fixtures/counting-state-machine.js';
import { message, MessageType } from '../../raft/types.js';
import { ClusterHarness } from './cluster-harness.js';
import { until } from '../rootcoord/until.js';

const options = { initialVoters: [1, 2, 3], tickIntervalMs: 5, electionTicks: 40, heartbeatTicks: 1 };

describe('a member whose committed entries the leader contradicts', function () {
  this.timeout(45_000);

  it('the core: an append behind the commit index that differs from a committed entry throws; one that agrees is answered', () => {
    const c = new ClusterHarness([1, 2, 3]);
    c.campaign(1);
    for (let i = 0; i < 5; i++) c.propose(1, `entry ${i}`);
    const follower = c.node(3).raw.raft;
    const committed = follower.log.committed;
    const term = follower.term;
    expect(committed).to.be.greaterThan(4);
    const at = (index: number): number => follower.log.termOrNull(index) as number;
    // A late append of the leader's own entries: answered with the commit index.
    follower.msgs = [];
    follower.step(message({ type: MessageType.App, from: 1, to: 3, term, index: committed - 3, logTerm: at(committed - 3), entries: [{ index: committed - 2, term: at(committed - 2), type: 0, data: new Uint8Array() }] }));
    expect(follower.msgs.find((m) => m.type === MessageType.AppResp)?.index).to.equal(committed);
    // A leader of a later term whose entry below the commit index is of its own term.
    const diverged = message({ type: MessageType.App, from: 2, to: 3, term: term + 1, index: committed - 3, logTerm: at(committed - 3), entries: [{ index: committed - 2, term: term + 1, type: 0, data: new Uint8Array() }] });
    expect(() => follower.step(diverged)).to.throw(LogDivergedError, new RegExp(`has entry ${committed - 2} of term ${term + 1}, but this member committed entry ${committed - 2} of term ${at(committed - 2)}`));
    // Or whose previous entry differs.
    expect(() => follower.step(message({ type: MessageType.App, from: 2, to: 3, term: term + 1, index: committed - 1, logTerm: term + 1 }))).to.throw(LogDivergedError);
  });

  it('the intact member of three whose two others lost their log tails stops with LogDivergedError, instead of staying behind in silence', async () => {
    const hub = new MemoryTransportHub();
    const stores = [new MemoryLogStore(), new MemoryLogStore(), new MemoryLogStore()];
    const nodes = await Promise.all([1, 2, 3].map((id) => RaftNode.start({ id, storage: stores[id - 1] as MemoryLogStore, transport: hub.transport(id), stateMachine: new Counting(), ...options })));
    const started: RaftNode[] = [...nodes];
    try {
      await until('a leader', () => nodes.some((n) => n.isLeader()), 5000);
      const leader = nodes.find((n) => n.isLeader()) as RaftNode;
      for (let i = 0; i < 20; i++) await leader.propose(new TextEncoder().encode(`entry ${i}`));
      await until('all committed it', () => nodes.every((n) => n.status().commit === leader.status().commit), 5000);
      const committed = leader.status().commit;
      // The intact one: a follower. The other two stop and lose the last 10 entries of their logs.
      const intact = nodes.find((n) => !n.isLeader()) as RaftNode;
      const damaged = nodes.filter((n) => n !== intact);
      await Promise.all(damaged.map((n) => n.close()));
      // Deliver (to nobody) what they sent before they stopped: the hub delivers in a later turn, and a
      // heartbeat of the old leader reaching a restarted member would rightly stop it with LogLostError
      // (it lost entries it had acknowledged to that leader), which this test is not about (it made
      // the test fail about once in twelve runs on a busy machine).
      await new Promise((resolve) => setImmediate(resolve));
      const cut = damaged.map((n) => {
        const old = stores[n.id - 1] as MemoryLogStore;
        const store = new MemoryLogStore();
        const kept = committed - 10;
        const entries = old.entries(1, kept + 1, Number.MAX_SAFE_INTEGER);
        const hardState = old.initialState().hardState;
        void store.save({ term: hardState.term, vote: hardState.vote, commit: kept }, entries, null);
        return { id: n.id, store };
      });
      // The two elect a leader among themselves while the intact one is away (as when it was slower to start).
      hub.drop = (m) => m.from === intact.id || m.to === intact.id;
      const restarted = await Promise.all(cut.map(({ id, store }) => RaftNode.start({ id, storage: store, transport: hub.transport(id), stateMachine: new Counting(), ...options })));
      started.push(...restarted);
      // Generous deadlines (polled): the machine may be busy.
      await until('a leader without the lost entries', () => restarted.some((n) => n.isLeader()), 15_000);
      const fatal = new Promise<Error>((resolve, reject) => {
        intact.once('fatal', resolve);
        setTimeout(() => reject(new Error('no fatal within 15 s')), 15_000).unref();
      });
      hub.drop = () => false;
      const error = await fatal;
      expect(error).to.be.instanceOf(LogDivergedError);
      expect(error.message).to.match(/this member committed entry \d+ of term \d+/).and.match(/Keep this member's data directory/);
      expect(() => intact.propose(new Uint8Array([1]))).to.throw(/contradicts an entry this member committed/);
    } finally {
      await Promise.all(started.map((n) => n.close()));
    }
  });
});
