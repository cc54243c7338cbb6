/**
 * Timestamps and IDs: the hybrid format, contiguous blocks, count 0, and strictly increasing values
 * across leader failovers; plus a full scheduler queue answering with a retriable code.
 */
import { expect } from 'chai';
import { physicalMs, logicalPart } from '../../src/common/hybrid-ts.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';

describe('RootCoord TSO and IDs', function () {
  this.timeout(120_000);
  let cluster: InProcessCluster;

  before(async () => {
    cluster = await InProcessCluster.start(3);
  });
  after(async () => {
    await cluster.close();
  });

  it('a timestamp is physical ms << 18 | logical, and a block of count is contiguous and returns its first', async () => {
    const client = cluster.client();
    const a = await client.allocTimestamp(10);
    const b = await client.allocTimestamp(10);
    expect(Number(physicalMs(a.timestamp))).to.be.closeTo(Date.now(), 5000);
    expect(logicalPart(a.timestamp) < 1n << 18n).to.equal(true);
    expect(b.timestamp >= a.timestamp + 10n).to.equal(true);
    await expectCode(client.allocTimestamp(0), 1100, /tso count should be positive/);
    client.close();
  });

  it('IDs are [ID, ID+count) and never overlap', async () => {
    const client = cluster.client();
    const a = await client.allocId(100);
    const b = await client.allocId(1);
    expect(b.id >= a.id + 100n).to.equal(true);
    await expectCode(client.allocId(0), 1100);
    client.close();
  });

  it('timestamps and IDs strictly increase across many leader failovers', async () => {
    const client = cluster.client();
    let lastTs = 0n;
    let lastId = 0n;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 20; i++) {
        const ts = (await client.allocTimestamp(3)).timestamp;
        const id = (await client.allocId(2)).id;
        expect(ts > lastTs, `round ${round}: ts ${ts} after ${lastTs}`).to.equal(true);
        expect(id > lastId, `round ${round}: id ${id} after ${lastId}`).to.equal(true);
        lastTs = ts + 2n;
        lastId = id + 1n;
      }
      const leader = await cluster.waitForServingLeader();
      await cluster.stopNode(leader);
      await cluster.waitForServingLeader();
      await cluster.startNode(leader);
    }
    client.close();
  });

  it('a new leader starts its TSO strictly above the persisted window', async () => {
    const leader = cluster.node(await cluster.waitForServingLeader());
    const window = leader.meta.tsoWindowMs;
    const client = cluster.client();
    const ts = (await client.allocTimestamp()).timestamp;
    expect(physicalMs(ts) < window).to.equal(true);
    client.close();
  });

  it('a full scheduler queue answers QueueFull (retriable) and the node keeps serving', async () => {
    const leaderId = await cluster.waitForServingLeader();
    const node = cluster.node(leaderId);
    const limits = node.config.limits as { schedulerQueueMax: number };
    const original = limits.schedulerQueueMax;
    limits.schedulerQueueMax = 1;
    const client = cluster.client({ retryBudgetMs: 0 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => client.createCollection(`q${i}`, simpleSchema())));
    limits.schedulerQueueMax = original;
    const codes = results.map((r) => (r.status === 'fulfilled' ? 0 : (r.reason as { code: number }).code));
    expect(codes).to.include(2001);
    expect(codes).to.include(0);
    expect((await client.listDatabases())['db_names']).to.include('default');
    client.close();
  });
});
