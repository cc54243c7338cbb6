// Finding: damage to the derived in-memory indexes that reads are served from (dbIdByName, names,
// the per-db collection lists, counters) is not in the digest: the follower serves a wrong answer and
// every replica check says "match".
import { InProcessCluster } from '../dist/test/rootcoord/fixtures/in-process-cluster.js';
const cluster = await InProcessCluster.start(3, { replicaCheckIntervalMs: 0 });
try {
  const leader = await cluster.waitForServingLeader();
  const client = cluster.client();
  await client.createDatabase('alpha');
  await client.createDatabase('beta');
  const follower = [...cluster.members.keys()].find((id) => id !== leader);
  const meta = cluster.node(follower).meta;
  for (let i = 0; i < 200 && meta.databaseByName('beta') === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  // A flipped bit in the name index: "alpha" now resolves to beta's ID on this follower.
  const index = meta.index;
  index.dbIdByName.set('alpha', index.dbIdByName.get('beta'));
  console.log('follower', follower, "serves alpha as:", meta.databaseByName('alpha').name);
  const check = await client.call('CheckReplicas', {}, 'admin');
  for (let i = 0; i < 200 && cluster.node(follower).replicaChecks.counts.match + cluster.node(follower).replicaChecks.counts.mismatch < 1; i++) await new Promise((r) => setTimeout(r, 20));
  const own = await cluster.clientOf(follower).call('Digest', { index: String(check.index) }, 'admin');
  console.log('counts', cluster.node(follower).replicaChecks.counts, 'diverged', cluster.node(follower).replicaChecks.diverged, 'same digest as leader:', own.digest === check.digest);
  const stale = cluster.client({ endpoints: [cluster.address(follower)], staleReads: true });
  try { console.log('stale DescribeDatabase alpha on the follower ->', JSON.stringify((await stale.call('DescribeDatabase', { db_name: 'alpha' })).db_name ?? '')); } catch (e) { console.log('describe:', e.message); }
  client.close();
} finally {
  await cluster.close();
}
process.exit(0);
