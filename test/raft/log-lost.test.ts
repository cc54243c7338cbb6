/**
 * A member whose log lost entries it had stops with a LogLostError instead of going on (session 33,
 * found by an adversarial test of starts). Two ways it shows:
 * - its data directory was wiped and it started again under its old ID: the leader's heartbeats carry a
 *   commit index up to what the member acknowledged before, past the end of its new log. It used to
 *   drop every such connection as malformed data, forever, while its /readyz said ready.
 * - the last records of its log were cut (a damaged last record is read as a torn write and truncated)
 *   though its state machine had applied them: it used to stop on a bare assertion.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { CORRUPT_MEMBER_RECOVERY, LogLostError } from '../../raft/errors.js';
import { MemoryLogStore } from '../../raft/memory-log-store.js';
import { MemoryTransportHub } from '../../raft/memory-transport.js';
import { RaftNode } from '../../raft/raft-node.js';
import { Counting } from './fixtures/counting-state-machine.js';
import { RaftWorkerClient } from '../../raft/raft-worker-client.js';
import { LOG_LOST_FILE } from '../../raft/raft-worker-protocol.js';
import { until } from '../rootcoord/until.js';
import { freePorts, tempDirEach } from './fixtures/process-cluster.js';

// Elections of 200 to 400 ms: the leader that recorded the victim's acknowledgements stays through its restart.
const options = { initialVoters: [1, 2, 3], tickIntervalMs: 5, electionTicks: 40, heartbeatTicks: 1 };

describe('a member whose log lost entries', function () {
  this.timeout(20_000);

  it("started again under its ID with an empty log, stops with LogLostError at the leader's first heartbeat and never serves", async () => {
    const hub = new MemoryTransportHub();
    const stores = [new MemoryLogStore(), new MemoryLogStore(), new MemoryLogStore()];
    const nodes = await Promise.all([1, 2, 3].map((id) => RaftNode.start({ id, storage: stores[id - 1] as MemoryLogStore, transport: hub.transport(id), stateMachine: new Counting(), ...options })));
    try {
      await until('a leader', () => nodes.some((n) => n.isLeader()), 5000);
      const leader = nodes.find((n) => n.isLeader()) as RaftNode;
      for (let i = 0; i < 20; i++) await leader.propose(new TextEncoder().encode(`entry ${i}`));
      const victim = nodes.find((n) => !n.isLeader()) as RaftNode;
      const id = victim.id;
      await until('the follower has acknowledged every entry', () => victim.status().commit >= leader.status().commit, 5000);
      await victim.close();
      // Its data directory wiped: a new, empty log, bootstrapped again as a new cluster's member would be.
      const wiped = await RaftNode.start({ id, storage: new MemoryLogStore(), transport: hub.transport(id), stateMachine: new Counting(), ...options });
      const fatal = await new Promise<Error>((resolve, reject) => {
        wiped.once('fatal', resolve);
        setTimeout(() => reject(new Error('no fatal within 5 s')), 5000).unref();
      });
      expect(fatal).to.be.instanceOf(LogLostError);
      expect(fatal.message).to.match(/has committed up to \d+, which this member acknowledged, but its log ends at \d+/);
      expect(fatal.message).to.include(CORRUPT_MEMBER_RECOVERY);
      expect(() => wiped.propose(new Uint8Array([1]))).to.throw(/lost entries/);
      await wiped.close();
      // The others go on.
      await leader.propose(new TextEncoder().encode('after'));
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });

  it('whose state machine applied entries past the end of its log, refuses to start with LogLostError', async () => {
    const store = new MemoryLogStore();
    await store.bootstrap([1]);
    // The bootstrap entry only; the state machine says it applied up to 5.
    const started = RaftNode.start({ id: 1, storage: store, transport: new MemoryTransportHub().transport(1), stateMachine: new Counting(5), initialVoters: [1], tickIntervalMs: 5, electionTicks: 4 });
    const error = await started.then(
      async (node) => {
        await node.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(LogLostError);
    expect((error as Error).message).to.match(/the state machine has applied entry 5 but the log ends at 1/);
    expect((error as Error).message).to.include(CORRUPT_MEMBER_RECOVERY);
  });

  describe('on its own thread (RaftWorkerClient)', () => {
    const dir = tempDirEach('raft-log-lost-');

    it('records the loss in its log directory, and every later start refuses with it, whatever the state machine says', async () => {
      const [port] = await freePorts(1);
      const address = `127.0.0.1:${port as number}`;
      const options = { id: 1, initialVoters: [1], tickIntervalMs: 20, electionTicks: 10, heartbeatTicks: 1, logDir: dir(), listenAddress: address, peers: [[1, address]] as const, secret: 's', helloMagic: 'test-raft/1' };
      const logged: string[] = [];
      const startError = (appliedIndex: number): Promise<unknown> =>
        RaftWorkerClient.start({ ...options, appliedIndex }, new Counting(appliedIndex), (_level: string, message: string) => logged.push(message)).then(
          async (client) => {
            await client.close();
            return null;
          },
          (error: unknown) => error,
        );
      // A fresh log (its bootstrap entry) under a state machine that applied up to 5.
      const first = await startError(5);
      expect(first).to.be.instanceOf(Error);
      expect((first as Error).message).to.match(/the state machine has applied entry 5 but the log ends at 1/);
      expect(existsSync(join(dir(), LOG_LOST_FILE))).to.equal(true);
      // A state machine that says nothing is wrong: the record stands.
      const second = await startError(0);
      expect((second as Error).message).to.match(/lost entries: an earlier start recorded it in .*LOG_LOST/);
      expect((second as Error).message).to.include(CORRUPT_MEMBER_RECOVERY);
      // The start's error is the news: the worker's exit (handled before a failed start rejects, which
      // waits for the worker to end) is not reported as a failure of its own.
      expect(logged.filter((m) => m.includes('raft worker failed'))).to.deep.equal([]);
    });
  });
});
