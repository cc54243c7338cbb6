/**
 * Server streams are bounded (an adversarial test opened 6,000 time-tick watches that never read: the
 * leader's heap filled, and it stayed busy minutes after they closed): at most maxServerStreams open
 * at once, at most maxStreamsPerConnection from one client connection (one client cannot keep proxies
 * out), a slot freed when its stream ends; a watch that is behind skips ticks.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { rootCoordService } from '../../src/api/proto.js';
import type { PlainMessage } from '../../src/api/proto.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';
import { until } from './until.js';

type Watch = grpc.ClientReadableStream<PlainMessage>;

describe('RootCoord server streams are bounded', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  type Raw = grpc.Client & Record<string, (request: PlainMessage) => Watch>;
  let raw: Raw;
  /** A second client connection (a channel of its own, not the shared subchannel pool's). */
  let other: Raw;

  before(async () => {
    cluster = await InProcessCluster.start(1, { maxServerStreams: 3, maxStreamsPerConnection: 2 });
    // Ticks go to the channels in use: a collection puts some in use.
    const client = cluster.client();
    await client.createCollection('ticked', simpleSchema());
    client.close();
    const Ctor = grpc.makeGenericClientConstructor(rootCoordService.definition, 'Raw');
    raw = new Ctor(cluster.address(1), grpc.credentials.createInsecure()) as Raw;
    other = new Ctor(cluster.address(1), grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }) as Raw;
  });
  after(async () => {
    raw.close();
    other.close();
    await cluster.close();
  });

  /** A watch of every channel, with what it received and how it ended. */
  function watch(via: Raw = raw): { call: Watch; ticks: number; error: grpc.ServiceError | null } {
    const w = { call: (via['WatchTimeTick'] as (r: PlainMessage) => Watch).call(via, { channel: '' }), ticks: 0, error: null as grpc.ServiceError | null };
    w.call.on('data', () => w.ticks++);
    w.call.on('error', (error: grpc.ServiceError) => (w.error = error));
    return w;
  }

  it('refuses a stream beyond maxStreamsPerConnection or maxServerStreams with RESOURCE_EXHAUSTED, and takes one again once a slot is free', async () => {
    const first = watch();
    const second = watch();
    await until('both watches to tick', () => first.ticks > 0 && second.ticks > 0);
    // Two of three slots are taken, both from one connection: it may take no more...
    const third = watch();
    await until('the third to be refused', () => third.error !== null);
    expect(third.error?.code).to.equal(grpc.status.RESOURCE_EXHAUSTED);
    expect(third.error?.details).to.match(/2 streams are open from this connection \(maxStreamsPerConnection 2\)/);
    // ...but another connection may take the last one, and then the node is full.
    const fromOther = watch(other);
    await until('the other connection\'s watch to tick', () => fromOther.ticks > 0);
    const beyond = watch(other);
    await until('a fourth to be refused', () => beyond.error !== null);
    expect(beyond.error?.code).to.equal(grpc.status.RESOURCE_EXHAUSTED);
    expect(beyond.error?.details).to.match(/3 streams are open on this node \(maxServerStreams 3\)/);
    first.call.cancel();
    // The slot comes back when the server sees the cancellation.
    let fourth = watch();
    await until('a new watch to tick', () => {
      if (fourth.error !== null) fourth = watch();
      return fourth.ticks > 0;
    });
    for (const w of [second, fourth, fromOther]) w.call.cancel();
  });

  it('lets as many listeners on the node\'s emitters as streams may be open, so Node does not warn of a leak', () => {
    const node = cluster.node(1);
    for (const emitter of [node.timeTicks, node.broker]) expect(emitter.getMaxListeners()).to.equal(3 + 16);
  });
});
