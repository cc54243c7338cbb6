/**
 * Exactly-once DDL: a client request ID makes a retried request run at most once, even when it is
 * retried after a conflicting request, on another node, after a leader change or while it still runs;
 * a task that outlives its leader's term cannot write into a later term.
 */
import { expect } from 'chai';
import { decodeMessage, encodeMessage } from '../../src/api/proto.js';
import type { PlainMessage } from '../../src/api/proto.js';
import { requestKey } from '../../src/api/request-key.js';
import type { RootCoordClient } from '../../src/client/root-coord-client.js';
import { encodeSchemaFile } from '../../src/client/schema-file.js';
import { CollectionState } from '../../src/meta/model.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';
import { until } from './until.js';
import { brokerFaults } from './fixtures/broker-faults.js';

function createRequest(name: string): PlainMessage {
  return { db_name: '', collection_name: name, schema: encodeSchemaFile(simpleSchema(), name), shards_num: 0, consistency_level: 0, properties: [], num_partitions: '0' };
}

/** The key under which the leader records a CreateCollection with `requestId` (src/api/request-key.ts): as it decodes the request. */
function createKey(requestId: string, name: string): string {
  const type = 'rootcoord.CreateCollectionRequest';
  return requestKey(requestId, 'CreateCollection', type, decodeMessage(type, encodeMessage(type, createRequest(name)), 'typed'));
}

async function exists(client: RootCoordClient, name: string): Promise<boolean> {
  return (await client.hasCollection(name))['value'] === true;
}

describe('RootCoord exactly-once DDL (request IDs)', function () {
  this.timeout(120_000);
  let cluster: InProcessCluster;

  beforeEach(async () => {
    cluster = await InProcessCluster.start(3);
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('a retried create that comes after a drop does not create the collection again', async () => {
    const client = cluster.client();
    await client.call('CreateCollection', createRequest('once'), 'api', 'request-1');
    await client.dropCollection('once');
    // The retry (same ID), here through every node in turn, including followers that forward it.
    for (const id of cluster.members.keys()) {
      const one = cluster.clientOf(id);
      await one.call('CreateCollection', createRequest('once'), 'api', 'request-1');
      one.close();
    }
    expect(await exists(client, 'once')).to.equal(false);
    // A new request with a new ID does create it.
    await client.call('CreateCollection', createRequest('once'), 'api', 'request-2');
    expect(await exists(client, 'once')).to.equal(true);
    // Partitions too: a retried drop after a re-create leaves the new partition alone.
    await client.call('CreatePartition', { db_name: '', collection_name: 'once', partition_name: 'p' }, 'api', 'request-3');
    await client.call('DropPartition', { db_name: '', collection_name: 'once', partition_name: 'p' }, 'api', 'request-4');
    await client.call('CreatePartition', { db_name: '', collection_name: 'once', partition_name: 'p' }, 'api', 'request-5');
    await client.call('DropPartition', { db_name: '', collection_name: 'once', partition_name: 'p' }, 'api', 'request-4');
    expect((await client.hasPartition('once', 'p'))['value']).to.equal(true);
    const digests = await cluster.digests();
    expect(new Set(digests).size).to.equal(1);
    client.close();
  });

  it('the record of a request survives a leader change and a restart', async () => {
    const client = cluster.client();
    await client.call('CreateCollection', createRequest('kept'), 'api', 'request-kept');
    await client.dropCollection('kept');
    const oldLeader = await cluster.waitForServingLeader();
    await cluster.stopNode(oldLeader);
    await cluster.waitForServingLeader();
    await client.call('CreateCollection', createRequest('kept'), 'api', 'request-kept');
    expect(await exists(client, 'kept')).to.equal(false);
    await cluster.startNode(oldLeader);
    // Read once the node serves (and asserted read before they are asked for).
    await cluster.node(oldLeader).meta.requestsLoaded();
    expect(cluster.node(oldLeader).meta.requestTookEffect(createKey('request-kept', 'kept'))).to.equal(true);
    const digests = await cluster.digests();
    expect(new Set(digests).size).to.equal(1);
    client.close();
  });

  it('a retry while the request still runs joins it instead of running it again', async () => {
    const leader = cluster.node(await cluster.waitForServingLeader());
    const release = brokerFaults(leader.broker).hold('WatchChannels');
    const client = cluster.client();
    const first = client.call('CreateCollection', createRequest('joined'), 'api', 'request-joined');
    await until('the first attempt to hold', () => [...leader.meta.collections.values()].some((c) => c.name === 'joined'));
    const second = client.call('CreateCollection', createRequest('joined'), 'api', 'request-joined');
    await until('the retry to join the running task', () => leader.scheduler.retriesDeduplicated.joined === 1);
    release();
    await Promise.all([first, second]);
    const made = [...leader.meta.collections.values()].filter((c) => c.name === 'joined');
    expect(made.map((c) => c.state)).to.deep.equal([CollectionState.Created]);
    client.close();
  });

  it('a task that outlives its term cannot commit in a later term of the same node', async () => {
    const leaderId = await cluster.waitForServingLeader();
    const leader = cluster.node(leaderId);
    const release = brokerFaults(leader.broker).hold('WatchChannels');
    const client = cluster.client({ endpoints: [cluster.address(leaderId)], retryBudgetMs: 0 });
    const stale = client.call('CreateCollection', createRequest('stale'), 'api', 'request-stale').catch((e: unknown) => e);
    await until('the task to hold at WatchChannels', () => [...leader.meta.collections.values()].some((c) => c.name === 'stale'));
    const other = [...cluster.members.keys()].find((id) => id !== leaderId) as number;
    await leader.raft.transferLeader(other);
    await until('the other node serves', () => cluster.node(other).isServingLeader());
    await cluster.node(other).raft.transferLeader(leaderId);
    await until('the first node serves again', () => leader.isServingLeader());
    await until('the Creating collection is rolled back', () => ![...leader.meta.collections.values()].some((c) => c.name === 'stale'));
    release();
    await expectCode(stale.then((e) => { throw e; }), 1, /leadership was lost/);
    // Once every replica has applied everything committed, the stale task has written nothing.
    expect(new Set(await cluster.digests()).size).to.equal(1);
    expect([...leader.meta.collections.values()].some((c) => c.name === 'stale')).to.equal(false);
    client.close();
  });
});

describe('RootCoord request IDs expire', function () {
  this.timeout(60_000);

  it('a request ID is forgotten on every replica after its retention, and then runs again', async () => {
    const cluster = await InProcessCluster.start(3, { requestRetentionMs: 300 });
    try {
      const client = cluster.client();
      await client.call('CreateCollection', createRequest('expiring'), 'api', 'request-expiring');
      await client.dropCollection('expiring');
      const key = createKey('request-expiring', 'expiring');
      await until('every replica forgets the request', () => [...cluster.members.values()].every((m) => !m.node.meta.requestTookEffect(key)));
      await client.call('CreateCollection', createRequest('expiring'), 'api', 'request-expiring');
      expect(await exists(client, 'expiring')).to.equal(true);
      const digests = await cluster.digests();
      expect(new Set(digests).size).to.equal(1);
      client.close();
    } finally {
      await cluster.close();
    }
  });
});
