/**
 * Time ticks: every channel in use ticks at the minimum over the DDL source and every live proxy
 * session; a silent session stops the ticks; a tick never passes an in-flight DDL; proxies get cache
 * invalidations on their session; UpdateChannelTimeTick is validated as in Milvus.
 */
import { expect } from 'chai';
import type { PlainMessage } from '../../src/api/proto.js';
import type { RootCoordClient } from '../../src/client/root-coord-client.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';
import { until } from './until.js';
import { brokerFaults } from './fixtures/broker-faults.js';


describe('RootCoord time ticks and proxy sessions', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  let client: RootCoordClient;
  let channel = '';

  before(async () => {
    cluster = await InProcessCluster.start(3);
    client = cluster.client();
    await client.createCollection('ticked', simpleSchema());
    channel = ((await client.describeCollection('ticked'))['physical_channel_names'] as string[])[0] as string;
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  it('ticks every channel in use, increasing, with no proxy connected', async () => {
    const ticks: bigint[] = [];
    const watch = client.stream('WatchTimeTick', { channel }, (m) => ticks.push(BigInt(String(m['timestamp']))));
    await until('three ticks', () => ticks.length >= 3);
    watch.cancel();
    for (let i = 1; i < ticks.length; i++) expect((ticks[i] as bigint) > (ticks[i - 1] as bigint)).to.equal(true);
  });

  it('with proxy sessions, a tick is the minimum over all sources, and a silent proxy stops the ticks', async () => {
    const events: PlainMessage[] = [];
    const session = client.stream('OpenProxySession', { server_id: '42', role: 'proxy' }, (m) => events.push(m));
    await until('the session', () => events.some((e) => e['type'] === 'SessionAccepted'));
    const ticks: bigint[] = [];
    const watch = client.stream('WatchTimeTick', { channel }, (m) => ticks.push(BigInt(String(m['timestamp']))));
    try {
      const low = (await client.allocTimestamp()).timestamp;
      // The DDL source may have reported for this round already, below `low` (it reports every 200 ms,
      // then waits for the proxy): that round ticks at its report, and the proxy's next report, in a
      // round the DDL source joins later with a fresh timestamp, ticks at `low`.
      for (let report = 0; report < 5 && !ticks.includes(low); report++) {
        const before = ticks.length;
        await client.updateChannelTimeTick(42n, { [channel]: low }, low);
        // The round this report completes ticks (every source's report in it is newer than the last tick).
        await until('the round with the proxy\'s report', () => ticks.length > before);
      }
      expect(ticks, `a tick at the proxy timestamp ${low}`).to.include(low);
      expect(ticks.every((t) => t <= low), 'no tick passes the proxy\'s report').to.equal(true);
      // The proxy now stays silent: rounds cannot complete, so no tick passes its last report.
      const countAfter = ticks.length;
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(ticks.length).to.equal(countAfter);
      await client.updateChannelTimeTick(42n, {}, (await client.allocTimestamp()).timestamp);
      await until('ticks to resume', () => ticks.length > countAfter);
    } finally {
      watch.cancel();
      session.cancel();
    }
  });

  it('a proxy session receives cache invalidations for DDL', async () => {
    const events: PlainMessage[] = [];
    const session = client.stream('OpenProxySession', { server_id: '43', role: 'proxy' }, (m) => events.push(m));
    await until('the session', () => events.length > 0);
    await client.createAlias('ticked', 'ticked_alias');
    await until('an invalidation', () => events.some((e) => e['type'] === 'InvalidateCollectionMetaCache' && e['msg_type'] === 'CreateAlias'));
    session.cancel();
    await client.dropAlias('ticked_alias');
  });

  it('no tick passes a DDL that is still in flight', async () => {
    const leader = cluster.node(await cluster.waitForServingLeader());
    const ticks: bigint[] = [];
    const watch = client.stream('WatchTimeTick', { channel: '' }, (m) => ticks.push(BigInt(String(m['timestamp']))));
    await until('a tick', () => ticks.length > 0);
    const release = brokerFaults(leader.broker).hold('WatchChannels');
    const pending = client.createCollection('slow', simpleSchema());
    await until('the task to be in flight', () => leader.scheduler.minInflightTs() !== null);
    const taskTs = leader.scheduler.minInflightTs() as bigint;
    const before = ticks.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ticks.slice(before).every((t) => t < taskTs), 'a tick passed the in-flight DDL').to.equal(true);
    release();
    await pending;
    await until('a tick past the DDL', () => ticks.some((t) => t > taskTs));
    watch.cancel();
  });

  it('UpdateChannelTimeTick: wrong msg type 1100, unknown session 65535, length mismatch 1100', async () => {
    const ts = (await client.allocTimestamp()).timestamp;
    await expectCode(client.updateChannelTimeTick(42n, { [channel]: ts }, ts, 5), 1100, /msg type/);
    await expectCode(client.updateChannelTimeTick(999n, { [channel]: ts }, ts), 65535, /un-recognized session 999/);
    await expectCode(client.call('UpdateChannelTimeTick', { base: { msg_type: 1200, sourceID: '42' }, channelNames: ['a', 'b'], timestamps: ['1'] }), 1100, /2 channel names but 1 timestamps/);
    // 3,000,000 timestamps (3 MB of varints; the node takes them as one typed array, not 3,000,000
    // strings), packed and one sent on its own: counted, and refused before anything is made of them.
    const many = new BigUint64Array(3_000_000).fill(1n);
    await expectCode(client.call('UpdateChannelTimeTick', { base: { msg_type: 1200, sourceID: '42' }, channelNames: ['a'], timestamps: many }), 1100, /1 channel names but 3000000 timestamps/);
  });
});
