/**
 * Every node exports the metrics of interface.md section 7: Milvus's RootCoord names (user and role counts included), the Raft metrics, the leader's round trips to its
 * peers, and the time-tick lag per DML channel. Read through the registry, as /metrics serves it.
 */
import { expect } from 'chai';
import { MetricsHttpServer } from '../../src/metrics/http-server.js';
import { NodeMetrics } from '../../src/metrics/node-metrics.js';
import { freePorts } from '../raft/fixtures/process-cluster.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';
import type { Member } from './fixtures/in-process-cluster.js';
import { until } from './until.js';

const SPEC_NAMES = [
  'milvus_rootcoord_ddl_req_count', 'milvus_rootcoord_ddl_req_latency', 'milvus_rootcoord_ddl_req_latency_in_queue',
  'milvus_rootcoord_id_alloc_count', 'milvus_rootcoord_timestamp', 'milvus_rootcoord_timestamp_saved',
  'milvus_rootcoord_database_num', 'milvus_rootcoord_collection_num', 'milvus_rootcoord_partition_num',
  'milvus_rootcoord_dml_channel_num', 'milvus_rootcoord_proxy_num', 'milvus_rootcoord_produce_tt_lag_ms',
  'milvus_rootcoord_sync_timetick_latency', 'milvus_rootcoord_credential_num', 'milvus_rootcoord_num_of_roles',
  'rootcoord_raft_has_leader', 'rootcoord_raft_is_leader', 'rootcoord_raft_term', 'rootcoord_raft_commit_index',
  'rootcoord_raft_applied_index', 'rootcoord_raft_leader_changes_seen_total', 'rootcoord_raft_proposals_committed_total',
  'rootcoord_raft_proposals_failed_total', 'rootcoord_raft_proposals_pending', 'rootcoord_disk_wal_fsync_duration_seconds',
  'rootcoord_raft_apply_duration_seconds', 'rootcoord_network_peer_round_trip_time_seconds', 'rootcoord_raft_snapshot_saved_total',
  'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds',
];

/** The value of the first sample line `name{...labels}` (labels given as a substring), or null. */
function sample(text: string, name: string, labels = ''): number | null {
  const line = text.split('\n').find((l) => l.startsWith(name) && (l[name.length] === ' ' || l[name.length] === '{') && l.includes(labels));
  return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('RootCoord metrics', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;

  before(async () => {
    cluster = await InProcessCluster.start(3);
  });
  const made: NodeMetrics[] = [];
  after(async () => {
    for (const m of made) m.close();
    await cluster.close();
  });

  it('metrics made after a node learned its leader count that leader as the first change seen', async () => {
    await cluster.waitForServingLeader();
    for (const [id, member] of cluster.members) {
      const metrics = new NodeMetrics(member.node);
      made.push(metrics);
      const seen = (await metrics.registry.getSingleMetric('rootcoord_raft_leader_changes_seen_total')?.get())?.values[0]?.value;
      expect(seen, `node ${id}`).to.equal(1);
    }
  });

  it('every node exports the spec names; the leader times its peers and lags its channels', async () => {
    const metrics = new Map([...cluster.members].map(([id, m]) => [id, new NodeMetrics(m.node)]));
    made.push(...metrics.values());
    const client = cluster.client();
    await client.createCollection('m1', simpleSchema());
    await client.createPartition('m1', 'p1');
    await client.allocId(3);
    await client.allocTimestamp(2);
    await client.createCredential('metrics_user', 'password');
    await client.createRole('metrics_role');
    client.close();
    const leader = await cluster.waitForServingLeader();
    const peers = [...cluster.members.keys()].filter((id) => id !== leader);
    const leaderMetrics = metrics.get(leader) as NodeMetrics;
    // Heartbeats go out every tick and ticks every 200 ms: wait for a round trip to each peer and a tick.
    await until('round trips to both peers and a time tick', async () => {
      const text = await leaderMetrics.registry.metrics();
      return peers.every((p) => (sample(text, 'rootcoord_network_peer_round_trip_time_seconds_count', `peer="${p}"`) ?? 0) > 0)
        && sample(text, 'milvus_rootcoord_produce_tt_lag_ms') !== null;
    });
    const text = await leaderMetrics.registry.metrics();
    // Defined on every node (labelled series appear once observed; the API wrapper feeds the DDL ones).
    for (const name of SPEC_NAMES) expect(text, name).to.match(new RegExp(`^# TYPE ${name} `, 'm'));
    expect(sample(text, 'rootcoord_raft_is_leader')).to.equal(1);
    expect(sample(text, 'milvus_rootcoord_collection_num', 'db_name="default"')).to.equal(1);
    expect(sample(text, 'milvus_rootcoord_credential_num')).to.equal(2);
    expect(sample(text, 'milvus_rootcoord_num_of_roles')).to.equal(3);
    const rttSum = sample(text, 'rootcoord_network_peer_round_trip_time_seconds_sum', `peer="${peers[0] as number}"`) ?? -1;
    expect(rttSum).to.be.greaterThan(0).and.lessThan(60);
    const lag = sample(text, 'milvus_rootcoord_produce_tt_lag_ms') ?? -1;
    expect(lag).to.be.at.least(0).and.lessThan(10_000);
    for (const id of peers) {
      const followerText = await (metrics.get(id) as NodeMetrics).registry.metrics();
      expect(sample(followerText, 'rootcoord_raft_has_leader'), `node ${id}`).to.equal(1);
      expect(sample(followerText, 'rootcoord_raft_is_leader'), `node ${id}`).to.equal(0);
    }
  });

  it('the metrics port answers GET and HEAD; another method is refused with 405 before anything is made', async () => {
    const [id, member] = [...cluster.members][0] as [number, Member];
    const metrics = new NodeMetrics(member.node);
    made.push(metrics);
    const server = new MetricsHttpServer(member.node, metrics);
    const [port] = await freePorts(1);
    await server.start(`127.0.0.1:${port as number}`);
    try {
      const url = `http://127.0.0.1:${port as number}/metrics`;
      const get = await fetch(url);
      expect(get.status, `node ${id}`).to.equal(200);
      expect(await get.text()).to.match(/^# HELP /m);
      expect((await fetch(url, { method: 'HEAD' })).status).to.equal(200);
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const refused = await fetch(url, method === 'DELETE' ? { method } : { method, body: 'x' });
        expect(refused.status, method).to.equal(405);
        expect(refused.headers.get('allow')).to.equal('GET, HEAD');
        await refused.text();
      }
    } finally {
      await server.close();
    }
  });

  it("each Raft thread reports its own delay, GC and heap; a second's block of the request thread delays none of them and moves no leader", async () => {
    const leader = await cluster.waitForServingLeader();
    const metrics = new Map([...cluster.members].map(([id, m]) => [id, new NodeMetrics(m.node)]));
    made.push(...metrics.values());
    const read = async (id: number): Promise<{ samples: number; overHalfSecond: number; heap: number }> => {
      const text = await (metrics.get(id) as NodeMetrics).registry.metrics();
      const count = (le: string): number => sample(text, 'rootcoord_raft_thread_eventloop_delay_seconds_bucket', `le="${le}"`) ?? 0;
      return { samples: count('+Inf'), overHalfSecond: count('+Inf') - count('0.5'), heap: sample(text, 'rootcoord_raft_thread_heap_used_bytes') ?? 0 };
    };
    // A report comes about once a second from each Raft thread (with its status, or on its own).
    await until('a report from every Raft thread', async () => (await Promise.all([...metrics.keys()].map(read))).every((r) => r.samples > 0 && r.heap > 0));
    const before = new Map(await Promise.all([...metrics.keys()].map(async (id) => [id, await read(id)] as const)));
    const term = cluster.members.get(leader)?.node.raft.status().term;
    // The request thread (here every node's: they share this one) busy for a second, as a big catalog's work would keep it.
    const blockedUntil = performance.now() + 1000;
    while (performance.now() < blockedUntil);
    // The samples of the second blocked and of the next are reported (each thread sampled about 100 a second).
    await until('two seconds of samples from every Raft thread after the block', async () =>
      (await Promise.all([...metrics.keys()].map(async (id) => (await read(id)).samples - (before.get(id)?.samples ?? 0)))).every((n) => n >= 180),
    );
    for (const id of metrics.keys()) {
      const after = await read(id);
      expect(after.overHalfSecond - (before.get(id)?.overHalfSecond ?? 0), `node ${id}'s Raft thread: samples over 0.5 s`).to.equal(0);
    }
    expect(cluster.members.get(leader)?.node.raft.status().term, 'the term').to.equal(term);
    expect(await cluster.waitForServingLeader(), 'the leader').to.equal(leader);
    const text = await (metrics.get(leader) as NodeMetrics).registry.metrics();
    expect(text).to.match(/^# TYPE rootcoord_raft_thread_gc_duration_seconds histogram/m);
    expect(sample(text, 'rootcoord_raft_thread_external_memory_bytes') ?? 0).to.be.greaterThan(0);
  });

  // Last: the new leader's timestamps start ahead of the clock (the saved TSO window), which the lag above would see.
  it('metrics made after a second leader count both changes: Raft counts them from its start', async () => {
    const first = await cluster.waitForServingLeader();
    const next = [...cluster.members.keys()].find((id) => id !== first) as number;
    cluster.members.get(first)?.node.raft.transferLeader(next);
    const deadline = Date.now() + 15_000;
    while (!(cluster.members.get(next)?.node.isServingLeader() ?? false)) {
      if (Date.now() > deadline) throw new Error(`node ${next} did not take over`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Every member has learned of the new leader (a follower hears it within a heartbeat).
    while ([...cluster.members.values()].some((m) => m.node.raft.status().lead !== next)) {
      if (Date.now() > deadline) throw new Error('a member did not learn the new leader');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const [id, member] of cluster.members) {
      const metrics = new NodeMetrics(member.node);
      made.push(metrics);
      const seen = (await metrics.registry.getSingleMetric('rootcoord_raft_leader_changes_seen_total')?.get())?.values[0]?.value;
      expect(seen, `node ${id}`).to.equal(2);
    }
  });
});
