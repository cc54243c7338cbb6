/**
 * Issue 8, snapshots that scale: with a state machine that persists itself (StateMachine.persist, as
 * rootcoord's LevelDB catalog does), the log is compacted behind snapshots that record an index only,
 * and a copy of the state is made only when a peer needs one to catch up. Before, every snapshot was a
 * full copy of the catalog (445 MB at 80,000 collections, remade every 10,000 entries and held in
 * memory), so the cost of snapshotting grew with the square of the catalog.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../../raft/durable-storage.js';
import { SnapshotTemporarilyUnavailableError } from '../../raft/errors.js';
import { MemoryLogStore } from '../../raft/memory-log-store.js';
import { MemoryTransportHub } from '../../raft/memory-transport.js';
import { RaftNode } from '../../raft/raft-node.js';
import type { Entry } from '../../raft/types.js';
import { EntryType } from '../../raft/types.js';
import { bytesInMemory } from '../../raft/snapshot-data.js';
import { HashChainMachine } from './fixtures/hash-chain-machine.js';
import { until } from '../rootcoord/until.js';

/** A hash chain that "stores itself durably": persist records how far it was made durable. */
class PersistingMachine extends HashChainMachine {
  persists = 0;
  snapshots = 0;
  durableIndex = 0;

  persist(): Promise<void> {
    this.persists++;
    this.durableIndex = this.applied;
    return Promise.resolve();
  }

  override snapshot(): Promise<Uint8Array> {
    this.snapshots++;
    return super.snapshot();
  }
}

const entry = (index: number): Entry => ({ index, term: 1, type: EntryType.Normal, data: new TextEncoder().encode(`e${index}`) });

describe('snapshots whose data is the state machine (StateMachine.persist)', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rootcoord-snap-on-demand-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('DurableStorage records an index-only snapshot, asks for data when the core wants to send it, and takes data for the same index later', async () => {
    const a = await DurableStorage.open(dir);
    await a.save({ term: 1, vote: 1, commit: 30 }, Array.from({ length: 30 }, (_, i) => entry(i + 1)), null);
    await a.createSnapshot(20, { voters: [1, 2, 3], learners: [] }, null, 5);
    expect(a.newestSnapshot().metadata.index).to.equal(20);
    expect(a.newestSnapshot().data).to.equal(null);
    expect(a.firstIndex()).to.equal(16);
    expect(a.takeSnapshotDataWanted()).to.equal(false);
    expect(() => a.snapshot()).to.throw(SnapshotTemporarilyUnavailableError);
    expect(a.takeSnapshotDataWanted()).to.equal(true);
    expect(a.takeSnapshotDataWanted()).to.equal(false);
    await a.close();

    // Reopened: still index-only (the file says so), and the log behind it is gone.
    const b = await DurableStorage.open(dir);
    expect(b.newestSnapshot().metadata).to.deep.equal({ index: 20, term: 1, confState: { voters: [1, 2, 3], learners: [] } });
    expect(b.newestSnapshot().data).to.equal(null);
    expect(() => b.snapshot()).to.throw(SnapshotTemporarilyUnavailableError);
    // Data for the same index fills it in, under the same file name.
    await b.createSnapshot(20, { voters: [1, 2, 3], learners: [] }, new TextEncoder().encode('state@20'), 5);
    expect(new TextDecoder().decode(bytesInMemory(b.snapshot().data))).to.equal('state@20');
    await b.close();
    expect(readdirSync(dir).filter((n) => n.endsWith('.snap'))).to.have.length(1);

    const c = await DurableStorage.open(dir);
    expect(new TextDecoder().decode(bytesInMemory(c.snapshot().data))).to.equal('state@20');
    // A later index-only snapshot replaces it.
    await c.createSnapshot(28, { voters: [1, 2, 3], learners: [] }, null, 5);
    expect(c.newestSnapshot().data).to.equal(null);
    await c.close();
  });

  it('a cluster compacts without copying the state, and a member that needs a snapshot gets one made for it', async () => {
    const hub = new MemoryTransportHub();
    const stores = new Map([1, 2, 3].map((id) => [id, new MemoryLogStore()]));
    const machines = new Map([1, 2, 3].map((id) => [id, new PersistingMachine()]));
    const nodes = new Map<number, RaftNode>();
    const start = async (id: number): Promise<void> => {
      nodes.set(
        id,
        await RaftNode.start({
          id,
          storage: stores.get(id) as MemoryLogStore,
          transport: hub.transport(id),
          stateMachine: machines.get(id) as PersistingMachine,
          initialVoters: [1, 2, 3],
          tickIntervalMs: 5,
          electionTicks: 10,
          snapshotEntries: 20,
          snapshotEntriesKept: 5,
        }),
      );
    };
    try {
      // Node 3 stays down while the others fill and compact the log many times over.
      await start(1);
      await start(2);
      await until('a leader', () => [...nodes.values()].some((n) => n.isLeader()), 5000);
      const leader = (): RaftNode => [...nodes.values()].find((n) => n.isLeader()) as RaftNode;
      for (let i = 0; i < 150; i++) await leader().propose(new TextEncoder().encode(`x${i}`));
      const leaderId = leader().id;
      const leaderStore = stores.get(leaderId) as MemoryLogStore;
      const leaderMachine = machines.get(leaderId) as PersistingMachine;
      await until('compacted', () => leaderStore.firstIndex() > 100, 5000);
      expect(leaderStore.newestSnapshot().data, 'compaction made no copy of the state').to.equal(null);
      expect(leaderMachine.snapshots).to.equal(0);
      expect(leaderMachine.persists).to.be.greaterThan(3);
      expect(leaderMachine.durableIndex).to.be.at.least(leaderStore.newestSnapshot().metadata.index);

      // Node 3 comes back with an empty log: the leader makes a copy for it, which it installs.
      await start(3);
      const third = machines.get(3) as PersistingMachine;
      await until('node 3 caught up', () => third.applied === leaderMachine.applied && third.hash === leaderMachine.hash, 10_000);
      expect(third.restores).to.equal(1);
      expect(leaderMachine.snapshots).to.equal(1);

      // Compaction goes back to index-only snapshots, and every member agrees.
      for (let i = 0; i < 60; i++) await leader().propose(new TextEncoder().encode(`y${i}`));
      await until('all applied', () => [...machines.values()].every((m) => m.applied === leaderMachine.applied), 5000);
      await until('index-only again', () => leaderStore.newestSnapshot().data === null, 5000);
      expect(new Set([...machines.values()].map((m) => m.hash)).size).to.equal(1);
    } finally {
      for (const node of nodes.values()) await node.close();
    }
  });

  it('a restart refuses a state machine behind an index-only snapshot: it lost what it had made durable', async () => {
    const store = new MemoryLogStore();
    const first = new PersistingMachine();
    const node = await RaftNode.start({ id: 1, storage: store, transport: new MemoryTransportHub().transport(1), stateMachine: first, initialVoters: [1], tickIntervalMs: 5, electionTicks: 4, snapshotEntries: 10, snapshotEntriesKept: 2 });
    await until('a leader', () => node.isLeader(), 5000);
    for (let i = 0; i < 30; i++) await node.propose(new TextEncoder().encode(`x${i}`));
    await until('compacted', () => store.newestSnapshot().metadata.index >= 10, 5000);
    await node.close();
    let error: unknown = null;
    try {
      await RaftNode.start({ id: 1, storage: store, transport: new MemoryTransportHub().transport(1), stateMachine: new PersistingMachine(), tickIntervalMs: 5, electionTicks: 4 });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/state machine has applied up to 0, but the log was compacted behind its snapshot at \d+/).and.match(/remove the member and add it back/);
  });

  it('a new member waits as long as a slow copy is being made for it, and a stalled one is given up on', async function () {
    this.timeout(20_000);
    class SlowCopy extends PersistingMachine {
      override snapshot(): Promise<Uint8Array> {
        return new Promise((resolve) => setTimeout(() => resolve(super.snapshot()), 1500));
      }
    }
    const hub = new MemoryTransportHub();
    const options = { tickIntervalMs: 5, electionTicks: 10, snapshotEntries: 10, snapshotEntriesKept: 2, proposalTimeoutMs: 100 };
    const leader = await RaftNode.start({ id: 1, storage: new MemoryLogStore(), transport: hub.transport(1), stateMachine: new SlowCopy(), initialVoters: [1], ...options });
    const nodes = [leader];
    try {
      await until('a leader', () => leader.isLeader(), 5000);
      for (let i = 0; i < 50; i++) await leader.propose(new TextEncoder().encode(`x${i}`));
      // Nobody answers as node 9: no progress for 600 ms (6 proposal timeouts), and it is given up on.
      const stalled = await leader.addVoter(9, 'nowhere:1', 0).then(() => null, (error: unknown) => error);
      expect(String(stalled)).to.match(/learner 9 did not catch up .*no progress for 600 ms/);
      await leader.removeMember(9);
      // Node 2 needs a copy that takes 1.5 s to make, longer than that patience: it joins all the same.
      const second = new PersistingMachine();
      nodes.push(await RaftNode.start({ id: 2, storage: new MemoryLogStore(), transport: hub.transport(2), stateMachine: second, ...options }));
      const startedMs = Date.now();
      const cs = await leader.addVoter(2, 'here:2', 0);
      expect(Date.now() - startedMs).to.be.greaterThan(1000);
      expect(cs.voters).to.include(2);
      expect(second.restores).to.equal(1);
    } finally {
      for (const node of nodes) await node.close();
    }
  });
});
