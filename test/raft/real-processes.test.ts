/**
 * Three real processes on loopback with the durable store and the TCP peer transport: they elect a leader,
 * commit 10,000 entries, survive kill -9 of the leader, and bring the restarted node back through a
 * snapshot after its log was compacted, ending with identical state.
 */
import { expect } from 'chai';
import { ProcessCluster } from './fixtures/process-cluster.js';
import type { NodeStatus } from './fixtures/process-cluster.js';

describe('Raft on real processes', function () {
  this.timeout(240_000);
  let cluster: ProcessCluster | null = null;

  afterEach(async () => {
    await cluster?.stop();
    cluster = null;
  });

  it('commits 10,000 entries, survives kill -9 of the leader and catches a restarted node up by snapshot', async () => {
    const c = await ProcessCluster.start(3, ['--snapshot-entries', '2000', '--entries-kept', '100']);
    cluster = c;
    const firstLeader = await c.waitForLeader();
    const proposed = await c.request<{ ok: boolean; error?: string }>(firstLeader, { cmd: 'propose', count: 10_000, concurrency: 64, payloadBytes: 32 }, 180_000);
    expect(proposed.ok, proposed.error).to.equal(true);
    const before = await c.status(firstLeader);
    expect(before.entries).to.be.at.least(10_000);

    await c.kill(firstLeader, 'SIGKILL');
    const secondLeader = await c.waitForLeader();
    expect(secondLeader).to.not.equal(firstLeader);
    const more = await c.request<{ ok: boolean; error?: string }>(secondLeader, { cmd: 'propose', count: 5000, concurrency: 64, payloadBytes: 32 }, 180_000);
    expect(more.ok, more.error).to.equal(true);
    const leaderNow = await c.status(secondLeader);
    expect(leaderNow.firstIndex, 'the leader compacted past the dead node').to.be.above(before.lastIndex);

    await c.startNode(firstLeader);
    const final = await c.waitFor('the restarted node to catch up', async () => {
      const all = await c.statuses();
      const leader = all.find((s) => s.role === 'Leader') as NodeStatus;
      return all.every((s) => s.applied === leader.applied) ? all : null;
    }, 60_000);
    const restarted = final.find((s) => s.id === firstLeader) as NodeStatus;
    expect(restarted.restores, 'the restarted node installed a snapshot').to.be.at.least(1);
    expect(new Set(final.map((s) => s.hash)).size, 'identical state on every node').to.equal(1);
    expect(new Set(final.map((s) => s.entries)).size).to.equal(1);
    expect(restarted.entries).to.be.at.least(15_000);
  });
});
