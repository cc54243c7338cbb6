/**
 * Issue 8, "Never lose the leader to load or size", on real processes: a 3-node cluster filled to
 * 5,000 collections by 64 concurrent clients, then a burst of 200 callers (half CreateCollection,
 * half AllocTimestamp) for 10 s, must keep its leader (no node's rootcoord_raft_leader_changes_seen_total
 * moves, no term rises), give no outcome-unknown (2002) answer, and no Raft thread may have run 300 ms
 * late (its own rootcoord_raft_thread_eventloop_delay_seconds). Each answer is counted once: the
 * client's own retries are off.
 *
 * About 35 s to 2 minutes on 2 cores. It failed on the code before Raft had a thread of its own (terms
 * rose from 2 to 19 with 948 answers 2002 on a busy machine); ROOTCOORD_LOAD_TEST=0 skips it.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { encodeSchemaFile } from '../../src/client/schema-file.js';
import { BenchCluster, OneShot, SCHEMA3, addCount, codeKey, countsBetween, delayPercentileMs, sampleNodes, samplesOver, sleep } from '../../scripts/bench-lib.js';
import type { CodeCounts, NodeSample } from '../../scripts/bench-lib.js';
import { until } from './until.js';

const enabled = process.env['ROOTCOORD_LOAD_TEST'] !== '0';
const COLLECTIONS = 5000;
const FILL_CLIENTS = 64;
const BURST_CLIENTS = 200;
const BURST_SECONDS = 10;

function createRequest(name: string): Record<string, unknown> {
  return { db_name: '', collection_name: name, schema: encodeSchemaFile(SCHEMA3, name), shards_num: 2, consistency_level: 0, properties: [], num_partitions: '0' };
}

/**
 * Each node's Raft thread between two scrapes (rootcoord_raft_thread_eventloop_delay_seconds): how many
 * samples, their p99 and largest bucket (ms), and how many ran 300 ms late or more (the shortest
 * election timeout by default: a heartbeat that late can cost the leader).
 */
function raftThreadDelay(before: NodeSample[], after: NodeSample[]): Array<{ id: number; samples: number; p99Ms: number; maxMs: number; over300Ms: number }> {
  return [...countsBetween([{ nodes: before }, { nodes: after }], (n) => n.raftDelayBuckets)].map(([id, counts]) => ({
    id,
    samples: counts.at(-1) ?? 0,
    p99Ms: delayPercentileMs(counts, 0.99),
    maxMs: delayPercentileMs(counts, 1),
    over300Ms: samplesOver(counts, 300),
  }));
}

function leadership(nodes: NodeSample[]): { changes: Record<number, number | undefined>; terms: Record<number, number | undefined>; leaders: number[] } {
  return {
    changes: Object.fromEntries(nodes.map((n) => [n.id, n.leaderChanges])),
    terms: Object.fromEntries(nodes.map((n) => [n.id, n.term])),
    leaders: nodes.filter((n) => n.isLeader === 1).map((n) => n.id),
  };
}

(enabled ? describe : describe.skip)('Load and size do not cost the leader', function () {
  this.timeout(240_000);
  let cluster: BenchCluster | null = null;

  after(async () => {
    await cluster?.stop();
  });

  it(`keeps its leader, answers no 2002 and runs no Raft thread 300 ms late while filled to ${COLLECTIONS} collections and under a ${BURST_CLIENTS}-caller burst`, async () => {
    cluster = await BenchCluster.up({ limits: ['maxCollectionNum=100000', 'maxCollectionNumPerDB=100000', 'maxGeneralCapacity=1000000'] });
    const nodes = cluster.nodes();
    const endpoints = await cluster.endpointsLeaderFirst();
    // Let the start-up election settle: one leader, in one term, that every node has counted (a node
    // counts the first leader it learns of).
    await until('every node to count the one leader', async () => {
      const { changes, terms, leaders } = leadership(await sampleNodes(nodes));
      return leaders.length === 1 && Object.values(changes).every((n) => n !== undefined && n >= 1) && new Set(Object.values(terms)).size === 1;
    }, 30_000);
    const beforeSamples = await sampleNodes(nodes);
    const before = leadership(beforeSamples);
    expect(before.leaders, 'one leader after start-up').to.have.length(1);

    const codes: CodeCounts = {};
    const reasons = new Map<string, number>();
    const count = (kind: string, r: { code: number; reason: string }): void => {
      addCount(codes, `${kind} ${codeKey(r.code)}`);
      if (r.code === 0) return;
      const key = `${kind} ${r.code}: ${r.reason.replace(/\d{3,}/g, '#').slice(0, 100)}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    };

    // The fill: 64 clients, each name retried with its request ID on a retriable answer.
    let next = 0;
    let created = 0;
    const acknowledged: string[] = [];
    const fillStart = performance.now();
    await Promise.all(
      Array.from({ length: FILL_CLIENTS }, async () => {
        const client = new OneShot({ attemptDeadlineMs: 10_000 });
        let ep = 0;
        for (let idx = next++; idx < COLLECTIONS; idx = next++) {
          const request = createRequest(`c${idx}`);
          const requestId = randomBytes(16).toString('hex');
          for (let attempt = 0; attempt < 20; attempt++) {
            const r = await client.call(endpoints[ep % endpoints.length] as string, 'CreateCollection', request, requestId);
            count('fill CreateCollection', r);
            if (r.code === 0) {
              created++;
              acknowledged.push(`c${idx}`);
              break;
            }
            if (r.code === 1 || r.code === -1) ep++;
            if (![1, -1, 2001, 2002].includes(r.code)) break;
            await sleep(20);
          }
        }
        client.close();
      }),
    );
    const fillSec = (performance.now() - fillStart) / 1000;

    // The burst: 200 callers for 10 s, half CreateCollection, half AllocTimestamp, one attempt each.
    let running = true;
    let burstName = 0;
    const pools = Array.from({ length: 20 }, () => new OneShot({ attemptDeadlineMs: 10_000 }));
    const burst = Promise.all(
      Array.from({ length: BURST_CLIENTS }, async (_, i) => {
        const pool = pools[i % pools.length] as OneShot;
        const kind = i % 2 === 0 ? 'CreateCollection' : 'AllocTimestamp';
        let ep = 0;
        while (running) {
          const name = `burst${burstName++}`;
          const r = await pool.call(endpoints[ep % endpoints.length] as string, kind, kind === 'CreateCollection' ? createRequest(name) : { count: 1 });
          count(`burst ${kind}`, r);
          if (kind === 'CreateCollection' && r.code === 0) acknowledged.push(name);
          if (r.code !== 0) {
            if (r.code === 1 || r.code === -1) ep++;
            await sleep(10);
          }
        }
      }),
    );
    await sleep(BURST_SECONDS * 1000);
    running = false;
    await burst;
    for (const p of pools) p.close();
    await sleep(1000);
    const afterSamples = await sampleNodes(nodes);
    const after = leadership(afterSamples);
    const raftDelay = raftThreadDelay(beforeSamples, afterSamples);
    const reader = await cluster.client({ attemptDeadlineMs: 30_000, retryBudgetMs: 60_000 });
    const listed = new Set((await reader.showCollections())['collection_names'] as string[]);
    reader.close();
    const lost = acknowledged.filter((n) => !listed.has(n));

    console.log(`      fill: ${created} collections in ${fillSec.toFixed(1)} s; answers ${JSON.stringify(codes)}`);
    console.log(`      leader changes seen per node ${JSON.stringify(before.changes)} -> ${JSON.stringify(after.changes)}; terms ${JSON.stringify(before.terms)} -> ${JSON.stringify(after.terms)}`);
    console.log(`      acknowledged CreateCollection: ${acknowledged.length}; listed: ${listed.size}; acknowledged but not listed: ${lost.length}${lost.length > 0 ? ` (${lost.slice(0, 10).join(', ')})` : ''}`);
    console.log(`      Raft threads: ${JSON.stringify(raftDelay)}`);
    if (reasons.size > 0) console.log(`      error answers: ${JSON.stringify(Object.fromEntries(reasons))}`);

    expect(created, 'collections created').to.equal(COLLECTIONS);
    expect(lost, 'every acknowledged CreateCollection is listed').to.deep.equal([]);
    expect(after.changes, 'rootcoord_raft_leader_changes_seen_total of every node unchanged').to.deep.equal(before.changes);
    expect(after.terms, 'the term of every node unchanged').to.deep.equal(before.terms);
    expect(after.leaders, 'the same leader').to.deep.equal(before.leaders);
    const unknown = Object.entries(codes).filter(([k]) => k.endsWith(' 2002'));
    expect(unknown, 'no outcome-unknown (2002) answers').to.deep.equal([]);
    // The Raft threads measured themselves all along (about 100 samples a second each), and none ran as
    // late as an election timeout.
    expect(raftDelay.map((r) => r.id).sort(), 'every node reported its Raft thread').to.deep.equal(nodes.map((n) => n.id).sort());
    for (const r of raftDelay) expect(r.samples, `node ${r.id}'s Raft thread's delay samples`).to.be.greaterThan(500);
    expect(raftDelay.filter((r) => r.over300Ms > 0), "Raft threads' samples 300 ms late or more").to.deep.equal([]);
  });
});
