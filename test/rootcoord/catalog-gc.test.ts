/**
 * Catalog versions are collected after their TTL (the latest version of a live key stays), and keys
 * deleted longer ago than the reserve time disappear entirely, identically on every replica.
 */
import { expect } from 'chai';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';

describe('RootCoord catalog garbage collection', function () {
  this.timeout(60_000);

  it('drops old versions and long-deleted keys, keeping what reads at the latest state need', async () => {
    const cluster = await InProcessCluster.start(3, { catalogVersionTtlMs: 300, catalogTombstoneReserveMs: 300, catalogGcIntervalMs: 3_600_000 });
    const client = cluster.client();
    try {
      await client.createCollection('kept', simpleSchema());
      await client.alterCollection('kept', { a: '1' });
      await client.createCollection('gone', simpleSchema());
      const beforeDrop = (await client.allocTimestamp()).timestamp;
      await client.dropCollection('gone');
      const leader = cluster.node(await cluster.waitForServingLeader());
      await leader.meta.flushed();
      const countVersions = async (): Promise<number> => (await leader.meta.store.keysWithPrefix('snapshots/')).length;
      const before = await countVersions();
      expect((await client.hasCollection('gone', '', beforeDrop))['value']).to.equal(true);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await leader.catalogGc.collect();
      await leader.meta.flushed();
      expect(await countVersions()).to.be.below(before);
      expect((await client.describeCollection('kept'))['properties']).to.deep.include({ key: 'a', value: '1' });
      expect((await client.hasCollection('gone', '', beforeDrop))['value'], 'the dropped collection is gone from history too').to.equal(false);
      expect((await leader.meta.store.keysWithPrefix('root-coord/database/collection-info/')).length).to.equal(1);
      await expectCode(client.describeCollection('gone'), 100);
      expect(new Set(await cluster.digests()).size).to.equal(1);
    } finally {
      client.close();
      await cluster.close();
    }
  });
});
