/**
 * Multi-step DDL under faults: a failed step of CreateCollection is undone; a leader that dies while a
 * collection is Creating leaves it to be rolled back by the next leader, and one that dies while it is
 * Dropping leaves it to be rolled forward; replicas end identical.
 */
import { expect } from 'chai';
import { CollectionState } from '../../src/meta/model.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';
import { until } from './until.js';
import { brokerFaults } from './fixtures/broker-faults.js';


describe('RootCoord DDL recovery', function () {
  this.timeout(120_000);
  let cluster: InProcessCluster;

  beforeEach(async () => {
    cluster = await InProcessCluster.start(3);
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('a failure at WatchChannels undoes CreateCollection (meta removed, name free)', async () => {
    const leader = cluster.node(await cluster.waitForServingLeader());
    brokerFaults(leader.broker).failNext('WatchChannels');
    const client = cluster.client();
    await expectCode(client.createCollection('undone', simpleSchema()), 65535, /injected failure/);
    await until('the undo', () => [...leader.meta.collections.values()].every((c) => c.name !== 'undone'));
    await client.createCollection('undone', simpleSchema());
    expect((await client.hasCollection('undone'))['value']).to.equal(true);
    client.close();
  });

  it('a leader that dies while a collection is Creating: the next leader rolls it back', async () => {
    const leaderId = await cluster.waitForServingLeader();
    const leader = cluster.node(leaderId);
    brokerFaults(leader.broker).hold('WatchChannels');
    const client = cluster.client({ retryBudgetMs: 0 });
    const pending = client.createCollection('half_made', simpleSchema()).catch((e: unknown) => e);
    await until('the Creating state to replicate', () => [...cluster.members.values()].every((m) => [...m.node.meta.collections.values()].some((c) => c.name === 'half_made' && c.state === CollectionState.Creating)));
    await cluster.stopNode(leaderId);
    await pending;
    const next = cluster.node(await cluster.waitForServingLeader());
    await until('the rollback', () => [...next.meta.collections.values()].every((c) => c.name !== 'half_made'));
    await cluster.startNode(leaderId);
    const digests = await cluster.digests();
    expect(new Set(digests).size).to.equal(1);
    client.close();
  });

  it('a leader that dies while a collection is Dropping: the next leader rolls the drop forward', async () => {
    const client = cluster.client();
    await client.createCollection('doomed', simpleSchema());
    const leaderId = await cluster.waitForServingLeader();
    const leader = cluster.node(leaderId);
    brokerFaults(leader.broker).hold('ReleaseCollection');
    await client.dropCollection('doomed');
    expect((await client.hasCollection('doomed'))['value']).to.equal(false);
    expect([...leader.meta.collections.values()].some((c) => c.name === 'doomed' && c.state === CollectionState.Dropping)).to.equal(true);
    await cluster.stopNode(leaderId);
    const next = cluster.node(await cluster.waitForServingLeader());
    await until('the roll-forward', () => [...next.meta.collections.values()].every((c) => c.name !== 'doomed'));
    await cluster.startNode(leaderId);
    expect(new Set(await cluster.digests()).size).to.equal(1);
    client.close();
  });

  it('a partition left Creating is removed and one left Dropping is finished by the next leader', async () => {
    const client = cluster.client();
    await client.createCollection('parts', simpleSchema());
    await client.createPartition('parts', 'gone');
    const leaderId = await cluster.waitForServingLeader();
    brokerFaults(cluster.node(leaderId).broker).hold('ReleasePartitions');
    await client.dropPartition('parts', 'gone');
    await cluster.stopNode(leaderId);
    const next = cluster.node(await cluster.waitForServingLeader());
    await until('the partition drop to finish', () => !(next.meta.collectionByName(1n, 'parts')?.partitions.some((p) => p.partitionName === 'gone') ?? true));
    expect((await client.showPartitions('parts'))['partition_names']).to.deep.equal(['_default']);
    await cluster.startNode(leaderId);
    expect(new Set(await cluster.digests()).size).to.equal(1);
    client.close();
  });
});
