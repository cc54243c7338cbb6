/**
 * Adding a voter when leadership moves halfway (session 35's adversarial test: `scripts/cluster add`
 * polled the old leader until its 30 s patience ran out, saying "learner at unknown" of a learner that
 * had caught up, and left it a learner). The add stops at once with NotLeader, and an add through the
 * new leader promotes the learner; an add of a voter already is done. An add again of a learner
 * gives the transport the address it names (the session's review: a first add with a wrong address
 * left the learner unreachable for good).
 */
import { expect } from 'chai';
import { RaftError } from '../../raft/errors.js';
import { MemoryLogStore } from '../../raft/memory-log-store.js';
import { MemoryTransportHub } from '../../raft/memory-transport.js';
import { RaftNode } from '../../raft/raft-node.js';
import type { MemoryTransport } from '../../raft/memory-transport.js';
import type { Transport, TransportHandler } from '../../raft/transport.js';
import type { Message } from '../../raft/types.js';
import { HashChainMachine } from './fixtures/hash-chain-machine.js';
import { until } from '../rootcoord/until.js';

/** Messages to a peer get through only when this transport knows the peer's right address. */
class Addressed implements Transport {
  readonly addresses = new Map<number, string>();
  constructor(
    private readonly inner: MemoryTransport,
    private readonly right: ReadonlyMap<number, string>,
  ) {}
  start(handler: TransportHandler): Promise<void> {
    return this.inner.start(handler);
  }
  send(messages: readonly Message[]): void {
    this.inner.send(messages.filter((m) => !this.right.has(m.to) || this.addresses.get(m.to) === this.right.get(m.to)));
  }
  addPeer(id: number, address: string): void {
    this.addresses.set(id, address);
  }
  removePeer(id: number): void {
    this.addresses.delete(id);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('membership: adding a voter', function () {
  this.timeout(30_000);

  it('stops with NotLeader when leadership moves while the learner catches up; an add through the new leader promotes it', async () => {
    const hub = new MemoryTransportHub();
    const options = { tickIntervalMs: 5, electionTicks: 10, proposalTimeoutMs: 1000 };
    const nodes = new Map<number, RaftNode>();
    const start = async (id: number, initialVoters?: number[]): Promise<RaftNode> => {
      const node = await RaftNode.start({ id, storage: new MemoryLogStore(), transport: hub.transport(id), stateMachine: new HashChainMachine(), ...(initialVoters === undefined ? {} : { initialVoters }), ...options });
      nodes.set(id, node);
      return node;
    };
    try {
      for (const id of [1, 2, 3]) await start(id, [1, 2, 3]);
      await until('a leader', () => [...nodes.values()].some((n) => n.isLeader()), 5000);
      const leader = [...nodes.values()].find((n) => n.isLeader()) as RaftNode;
      for (let i = 0; i < 20; i++) await leader.propose(new TextEncoder().encode(`x${i}`));
      // Node 4 is not running yet: the learner cannot catch up, and the add waits.
      const adding = leader.addVoter(4, 'here:4', 0).then(
        () => null,
        (error: unknown) => error,
      );
      await until('node 4 a learner', () => leader.status().confState.learners.includes(4), 5000);
      const other = [...nodes.values()].find((n) => n !== leader) as RaftNode;
      const movedAt = Date.now();
      leader.transferLeader(other.id);
      const error = await adding;
      expect(error).to.be.instanceOf(RaftError);
      expect((error as RaftError).code).to.equal('NotLeader');
      expect(String(error)).to.match(/stopped leading .* while learner 4 caught up; it stays a learner/);
      // At once, not after its patience (6 proposal timeouts, 6 s).
      expect(Date.now() - movedAt).to.be.lessThan(3000);
      await until('a new leader', () => other.isLeader(), 5000);
      expect(other.status().confState.learners).to.include(4);
      await start(4);
      const cs = await other.addVoter(4, 'here:4', 0);
      expect(cs.voters).to.include(4);
      expect(cs.learners).to.not.include(4);
      // Again: a voter already is done, with nothing proposed.
      const lastIndex = other.status().lastIndex;
      expect((await other.addVoter(4, 'here:4', 0)).voters).to.include(4);
      expect(other.status().lastIndex).to.equal(lastIndex);
    } finally {
      for (const node of nodes.values()) await node.close();
    }
  });

  it('an add again of a learner whose first add named a wrong address, with the right one, promotes it (session 35 review)', async () => {
    const hub = new MemoryTransportHub();
    const right = new Map([[4, 'right:4']]);
    const options = { tickIntervalMs: 5, electionTicks: 10, proposalTimeoutMs: 500 };
    const nodes = new Map<number, RaftNode>();
    const start = async (id: number, initialVoters?: number[]): Promise<RaftNode> => {
      const node = await RaftNode.start({ id, storage: new MemoryLogStore(), transport: new Addressed(hub.transport(id), right), stateMachine: new HashChainMachine(), ...(initialVoters === undefined ? {} : { initialVoters }), ...options });
      nodes.set(id, node);
      return node;
    };
    try {
      for (const id of [1, 2, 3]) await start(id, [1, 2, 3]);
      await start(4);
      await until('a leader', () => [...nodes.values()].some((n) => n.isLeader()), 5000);
      const leader = [...nodes.values()].find((n) => n.isLeader()) as RaftNode;
      for (let i = 0; i < 20; i++) await leader.propose(new TextEncoder().encode(`x${i}`));
      const first = await leader.addVoter(4, 'wrong:4', 0).then(() => null, (e: unknown) => e);
      expect(first).to.be.instanceOf(RaftError);
      expect((first as RaftError).code).to.equal('Timeout');
      expect(leader.status().confState.learners).to.include(4);
      const second: unknown = await leader.addVoter(4, "right:4", 0).then((cs) => cs, (e: unknown) => e);
      if (second instanceof Error) throw new Error(`the add with the right address failed: ${second.message}`);
      expect((second as { voters: number[] }).voters).to.include(4);
    } finally {
      for (const node of nodes.values()) await node.close();
    }
  });
});
