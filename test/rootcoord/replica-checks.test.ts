/**
 * Replica checks (src/meta/replica-checks.ts): every replica digests its catalog at a mark in the log
 * and compares it with the leader's. Replicas that applied the same entries agree, writes going on
 * meanwhile; a replica whose catalog was damaged while it ran says so (its counts, its metric's flag,
 * its digest at the mark), and says it no longer once it holds the cluster's catalog again.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeMetrics } from '../../src/metrics/node-metrics.js';
import { DIVERGED_FILE } from '../../src/node/divergence-file.js';
import { expectCode } from './expect-code.js';
import { MEMORY_DIFFERS_LOG, MEMORY_SAME_LOG } from '../../src/meta/replica-checks.js';
import type { MetaIndex } from '../../src/meta/meta-index.js';
import type { CollectionModel } from '../../src/meta/model.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';
import { until } from './until.js';

function followersOf(cluster: InProcessCluster, leader: number): number[] {
  return [...cluster.members.keys()].filter((id) => id !== leader);
}

describe('Replica checks', function () {
  this.timeout(120_000);

  it('replicas agree at every mark while writes go on, and answer their digest at a mark', async () => {
    // Memory checks off (replicaMemoryCheck=0): the stores' checks go on alone.
    const cluster = await InProcessCluster.start(3, { replicaCheckIntervalMs: 0, replicaMemoryCheck: 0 });
    try {
      const leader = await cluster.waitForServingLeader();
      const client = cluster.client();
      // Writes beside the checks: each mark must still be digested at its own index on every replica.
      const writes = (async () => {
        for (let i = 0; i < 30; i++) await client.createDatabase(`db${i}`);
      })();
      const checks: Array<{ index: string; digest: string }> = [];
      for (let i = 0; i < 5; i++) {
        const check = await client.call('CheckReplicas', {}, 'admin');
        checks.push({ index: String(check['index']), digest: String(check['digest']) });
      }
      await writes;
      expect(new Set(checks.map((c) => c.index)).size, 'a new mark for each check').to.equal(5);
      for (const id of followersOf(cluster, leader)) {
        const checksOf = cluster.node(id).replicaChecks;
        await until(`follower ${id} compares the five checks`, () => checksOf.counts.match + checksOf.counts.mismatch + checksOf.counts.unavailable >= 5);
        expect(checksOf.counts, `follower ${id}`).to.deep.equal({ match: 5, mismatch: 0, unavailable: 0 });
        expect(checksOf.diverged).to.equal(false);
      }
      expect(cluster.node(leader).replicaChecks.counts, 'the leader compares nothing').to.deep.equal({ match: 0, mismatch: 0, unavailable: 0 });
      for (const id of cluster.members.keys()) expect(cluster.node(id).replicaChecks.memoryCounts, `node ${id}: no memory check`).to.deep.equal({ same: 0, different: 0, unavailable: 0 });
      // Each replica's digest at the last marks, through the admin call, is the leader's.
      for (const { index, digest } of checks.slice(-3)) {
        for (const id of cluster.members.keys()) {
          const answer = await cluster.clientOf(id).call('Digest', { index }, 'admin');
          expect(answer['digest'], `node ${id} at ${index}`).to.equal(digest);
          expect(String(answer['applied_index'])).to.equal(index);
        }
      }
      // An index with no mark: a coded error, not a digest of something else.
      await expectCode(cluster.clientOf(leader).call('Digest', { index: '2' }, 'admin'), 1100, /no digest at index 2/);
      client.close();
    } finally {
      await cluster.close();
    }
  });

  it("a follower whose catalog changed under it differs from the leader's, made leader hands leadership away, and matches again once mended", async () => {
    const cluster = await InProcessCluster.start(3, { replicaCheckIntervalMs: 0 });
    try {
      const leader = await cluster.waitForServingLeader();
      const client = cluster.client();
      await client.createDatabase('named');
      const [damaged, healthy] = followersOf(cluster, leader) as [number, number];
      await until('the damaged-to-be follower applied the database', () => cluster.node(damaged).meta.databaseByName('named') !== undefined);
      // Damage in its catalog, as a flipped bit on disk would do: another name for the database.
      const store = cluster.node(damaged).meta.store;
      await cluster.node(damaged).meta.flushed();
      const [key, original] = (await store.entriesWithPrefix('root-coord/database/db-info/')).find(([, value]) => value.includes('"name":"named"')) as [string, string];
      await store.write([[key, original.replace('"name":"named"', '"name":"nameD"')]]);

      const check = await client.call('CheckReplicas', {}, 'admin');
      await until('both followers compare', () => [damaged, healthy].every((id) => cluster.node(id).replicaChecks.counts.match + cluster.node(id).replicaChecks.counts.mismatch >= 1));
      expect(cluster.node(damaged).replicaChecks.counts).to.deep.include({ mismatch: 1, match: 0 });
      expect(cluster.node(damaged).replicaChecks.diverged).to.equal(true);
      expect(cluster.node(healthy).replicaChecks.counts).to.deep.include({ mismatch: 0, match: 1 });
      const own = await cluster.clientOf(damaged).call('Digest', { index: String(check['index']) }, 'admin');
      expect(own['digest']).to.not.equal(check['digest']);
      const metrics = new NodeMetrics(cluster.node(damaged));
      try {
        const text = await metrics.registry.metrics();
        expect(text).to.match(/^rootcoord_replica_diverged 1$/m);
        expect(text).to.match(/^rootcoord_replica_checks_total\{result="mismatch"\} 1$/m);
      } finally {
        metrics.close();
      }

      // Its record stands (a restart keeps it); made leader, it hands leadership away, since a leader
      // never compares itself and its record would never clear.
      expect(existsSync(join(cluster.dir, `node-${damaged}`, DIVERGED_FILE))).to.equal(true);
      cluster.node(leader).transferLeader(damaged);
      const logFile = join(cluster.dir, `node-${damaged}.log`);
      await until('the damaged node, made leader, hands leadership away', () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('it hands leadership to another member'), 15_000);
      // To the healthy follower: never back to the leader its record names (which, when every follower
      // differs from it, is the damaged one).
      await until('the healthy follower leads', () => cluster.node(healthy).isServingLeader(), 15_000);

      await store.write([[key, original]]);
      await client.call('CheckReplicas', {}, 'admin');
      await until('the mended follower compares again', () => cluster.node(damaged).replicaChecks.counts.match >= 1);
      expect(cluster.node(damaged).replicaChecks.diverged).to.equal(false);
      expect(existsSync(join(cluster.dir, `node-${damaged}`, DIVERGED_FILE)), 'its record removed').to.equal(false);
      client.close();
    } finally {
      await cluster.close();
    }
  });

  it('every replica compares its memory with its own store at each mark: the same while writes go on; memory changed under it is found and named', async () => {
    const cluster = await InProcessCluster.start(3, { replicaCheckIntervalMs: 0 });
    try {
      const leader = await cluster.waitForServingLeader();
      const client = cluster.client();
      await client.createDatabase('named');
      await client.createCollection('kept', simpleSchema(), { dbName: 'named', shards: 2 });
      await client.createPartition('kept', 'p1', 'named');
      await client.createAlias('kept', 'kept_alias', 'named');
      await client.createCredential('reader', 'reader-password');
      // Writes beside the checks: memory and store are compared as of one moment on each replica.
      const writes = (async () => {
        for (let i = 0; i < 20; i++) {
          await client.createCollection(`c${i}`, simpleSchema());
          if (i % 3 === 0) await client.dropCollection(`c${i}`);
        }
      })();
      const ids = [...cluster.members.keys()];
      for (let i = 0; i < 3; i++) {
        await client.call('CheckReplicas', {}, 'admin');
        await until('every replica compares its memory', () => ids.every((id) => cluster.node(id).replicaChecks.memoryCounts.same >= i + 1), 60_000);
      }
      await writes;
      for (const id of ids) expect(cluster.node(id).replicaChecks.memoryCounts, `node ${id}`).to.deep.include({ different: 0, unavailable: 0 });

      // A follower's memory changed under it (as a defect or a flipped bit would): a database's name
      // maps to another ID, and a collection's description is another. Its store is as it was.
      const [damaged, healthy] = followersOf(cluster, leader) as [number, number];
      const meta = cluster.node(damaged).meta;
      await until('the damaged-to-be follower applied the writes', () => meta.appliedIndex >= cluster.node(leader).meta.appliedIndex);
      const index = (meta as unknown as { index: MetaIndex }).index;
      const dbID = meta.databaseByName('named')?.id as bigint;
      index.dbIdByName.set('named', dbID + 1000n);
      const kept = meta.collectionByName(dbID, 'kept') as CollectionModel;
      index.replaceCollection({ ...kept, description: 'not what the store holds' });
      const before = { ...cluster.node(damaged).replicaChecks.memoryCounts };
      await client.call('CheckReplicas', {}, 'admin');
      await until('the damaged follower compares its memory', () => cluster.node(damaged).replicaChecks.memoryCounts.different > before.different, 60_000);
      await until('the healthy follower compares its memory', () => cluster.node(healthy).replicaChecks.memoryCounts.same >= 4, 60_000);
      expect(cluster.node(healthy).replicaChecks.memoryCounts.different).to.equal(0);
      // Its store is the others': the replica check of stores matches.
      await until('the damaged follower compares its digest', () => cluster.node(damaged).replicaChecks.counts.match >= 4, 60_000);
      expect(cluster.node(damaged).replicaChecks.counts.mismatch).to.equal(0);
      const log = readFileSync(join(cluster.dir, `node-${damaged}.log`), 'utf8');
      const line = log.split('\n').find((l) => l.includes(MEMORY_DIFFERS_LOG)) as string;
      expect(line, 'its log says so').to.be.a('string');
      expect(line).to.include('dbIdByName[').and.to.include(`collections[${kept.collectionID}].description`);
      // The healthy follower logs each check that found its memory the same (scripts/chaos counts them).
      await until('the healthy follower logs a check the same', () => readFileSync(join(cluster.dir, `node-${healthy}.log`), 'utf8').includes(MEMORY_SAME_LOG));
      const metrics = new NodeMetrics(cluster.node(damaged));
      try {
        const text = await metrics.registry.metrics();
        expect(text).to.match(/^rootcoord_replica_memory_checks_total\{result="different"\} 1$/m);
        expect(text).to.match(/^rootcoord_replica_memory_differs 1$/m);
      } finally {
        metrics.close();
      }
      // Mended (the cluster's close compares every node's memory with its store once more).
      index.dbIdByName.set('named', dbID);
      index.replaceCollection(kept);
      client.close();
    } finally {
      await cluster.close();
    }
  });

  it('the leader checks by itself every replicaCheckIntervalMs', async () => {
    const cluster = await InProcessCluster.start(3, { replicaCheckIntervalMs: 200 });
    try {
      const leader = await cluster.waitForServingLeader();
      for (const id of followersOf(cluster, leader)) {
        await until(`follower ${id} compares two checks`, () => cluster.node(id).replicaChecks.counts.match >= 2, 20_000);
        expect(cluster.node(id).replicaChecks.counts.mismatch).to.equal(0);
      }
    } finally {
      await cluster.close();
    }
  });
});
