/**
 * Overload is answered at once with code 2001 (queue full) by bounded in-flight budgets, and requests
 * too large for the client port or for the catalog get their coded errors, never an election.
 */
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';
import { Admission } from '../../src/api/admission.js';
import { answerRefusable } from '../../src/api/answers.js';
import { adminServiceTypedColumns, milvusRootCoordServiceTypedColumns, milvusServiceTypedColumns, rootCoordServiceTypedColumns } from '../../src/api/proto.js';
import { rootCoordHandlers } from '../../src/api/root-coord-handlers.js';
import { MILVUS_TARGETS } from '../../src/api/milvus-server.js';
import { MILVUS_ROOT_COORD_TARGETS } from '../../src/api/milvus-root-coord.js';
import type * as grpc from '@grpc/grpc-js';
import type { RootCoordPorts } from '../../src/api/root-coord-handlers.js';
import { CodedError } from '../../src/common/error-codes.js';
import { decodeMessage, encodeMessage } from '../../src/protocol/proto.js';
import { LockManager } from '../../src/ddl/lock-manager.js';
import type { RootCoordClient } from '../../src/client/root-coord-client.js';
import { expectCode } from './expect-code.js';
import { InProcessCluster, simpleSchema } from './fixtures/in-process-cluster.js';
import type { Member } from './fixtures/in-process-cluster.js';
import { until } from './until.js';
import { brokerFaults } from './fixtures/broker-faults.js';

/** A client on its own gRPC connection (grpc-js would otherwise share one per process and target). */
function ownConnection(cluster: InProcessCluster, id: number, retryBudgetMs = 0): RootCoordClient {
  return cluster.client({ endpoints: [cluster.address(id)], retryBudgetMs, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
}

async function timed<T>(promise: Promise<T>): Promise<number> {
  const t0 = performance.now();
  await promise.catch(() => undefined);
  return performance.now() - t0;
}

describe('Admission budgets', () => {
  const limits = { maxInflightRequests: 4, maxInflightDdl: 2, maxInflightPerConnection: 2, ddlLatencyTargetMs: 1000, maxUnreadAnswerBytes: 1000, unreadAnswerTimeoutMs: 10_000 };

  it('a refusal costs no stack trace (a CodedError captures none), and leaves the stack trace limit as it was', () => {
    const admission = new Admission(limits);
    admission.setOverloaded('its event loop lagged');
    const limit = Error.stackTraceLimit;
    let refusal: unknown;
    try {
      admission.admit('ddl', null);
    } catch (e) {
      refusal = e;
    }
    expect(refusal).to.be.instanceOf(CodedError);
    expect((refusal as CodedError).stack).to.equal('CodedError: its event loop lagged; retry later');
    expect(Error.stackTraceLimit).to.equal(limit);
    expect(new Error('other').stack?.split('\n').length).to.be.above(1);
  });

  it('refuse beyond each budget with QueueFull (2001, retriable) and free a place on release', () => {
    const admission = new Admission(limits);
    const a1 = admission.admit('ddl', 'a');
    admission.admit('light', 'a');
    admission.admit('light', 'a');
    expect(() => admission.admit('light', 'a')).to.throw(CodedError, /2 non-DDL calls are in flight from this connection \(max 2\)/).with.property('code', 2001);
    admission.admit('ddl', 'b');
    expect(admission.counts()).to.include({ total: 4, ddl: 2, connections: 2 });
    expect(() => admission.admit('light', 'c')).to.throw(CodedError, /calls are in flight on this node/);
    a1();
    a1();
    expect(admission.counts()).to.include({ total: 3, ddl: 1 });
    expect(() => admission.admit('ddl', 'c')).to.not.throw();
    expect(() => admission.admit('ddl', null)).to.throw(CodedError, /calls are in flight on this node/);
    expect(admission.counts().rejected).to.equal(3);
  });

  it("count a connection's DDL and other calls apart, so that neither kind can starve the other", () => {
    const admission = new Admission({ ...limits, maxInflightRequests: 100, maxInflightDdl: 100 });
    const light = [admission.admit('light', 'a'), admission.admit('light', 'a')];
    expect(() => admission.admit('light', 'a')).to.throw(CodedError, /non-DDL calls are in flight from this connection/);
    // The connection's light calls fill its light places only: its DDL still has all of its own.
    const ddl = [admission.admit('ddl', 'a'), admission.admit('ddl', 'a')];
    expect(() => admission.admit('ddl', 'a')).to.throw(CodedError, /2 DDL calls are in flight from this connection \(max 2\)/);
    expect(admission.counts()).to.include({ total: 4, ddl: 2, connections: 1 });
    (light[0] as () => void)();
    expect(() => admission.admit('ddl', 'a'), 'a freed light place is not a DDL place').to.throw(CodedError, /DDL calls are in flight from this connection/);
    admission.admit('light', 'a');
    for (const release of [...light, ...ddl]) release();
    expect(admission.counts()).to.include({ total: 1, ddl: 0, connections: 1 });
  });

  it('answers held until their calls end: refuse every new call while maxUnreadAnswerBytes are held', () => {
    const admission = new Admission(limits);
    const call = (): EventEmitter & { cancelled: boolean } => Object.assign(new EventEmitter(), { cancelled: false });
    const [first, second] = [call(), call()];
    admission.holdAnswer(first, 600);
    expect(() => admission.admit('light', 'a')(), 'under the limit').to.not.throw();
    admission.holdAnswer(second, 400);
    expect(admission.counts().unreadAnswerBytes).to.equal(1000);
    expect(() => admission.admit('light', 'b')).to.throw(CodedError, /1000 bytes of answers wait for their clients to read them \(max 1000\)/).with.property('code', 2001);
    first.emit('cancelled');
    expect(admission.counts().unreadAnswerBytes).to.equal(400);
    expect(() => admission.admit('light', 'b')()).to.not.throw();
    // A call that ended before its answer was counted (its client went) holds nothing.
    admission.holdAnswer(Object.assign(call(), { cancelled: true }), 5000);
    expect(admission.counts().unreadAnswerBytes).to.equal(400);
  });

  it('an answer finished while the budget is full is refused (the answers held exceed it by one answer at most), and stale answers are dropped as a refused call drops them', () => {
    let now = 0;
    const admission = new Admission(limits, () => now);
    const call = (): EventEmitter & { cancelled: boolean } => Object.assign(new EventEmitter(), { cancelled: false });
    expect(admission.answerRefusal(5000), 'an answer alone, larger than the budget').to.equal(null);
    const [a, b] = [call(), call()];
    const dropped: string[] = [];
    admission.holdAnswer(a, 900, () => (dropped.push('a'), true));
    expect(admission.answerRefusal(5000), 'the budget has room: the answer goes, over it').to.equal(null);
    admission.holdAnswer(b, 5000);
    const rejected = admission.counts().rejected;
    expect(admission.answerRefusal(10)).to.match(/5900 bytes of answers wait for their clients to read them \(max 1000\): this answer of 10 bytes is not sent/);
    expect(admission.counts().rejected).to.equal(rejected + 1);
    expect(dropped, 'nothing stale yet').to.deep.equal([]);
    now = 10_000;
    expect(admission.answerRefusal(10)).to.not.equal(null);
    expect(dropped).to.deep.equal(['a']);
    a.emit('cancelled');
    b.emit('cancelled');
    expect(admission.answerRefusal(10)).to.equal(null);
  });

  it('only answers whose repetition is harmless can be refused after they were computed: no DDL answer in the protocols served', () => {
    const node = new Proxy({}, { get: () => ({}) }) as unknown as RootCoordPorts;
    const ddl = new Set(
      Object.entries(rootCoordHandlers(node))
        .filter(([, handler]) => handler.ddl === true)
        .map(([name]) => name),
    );
    expect(ddl.size).to.be.above(20);
    let refusable = 0;
    // Each service with the RootCoord call each of its calls is served as (Milvus's onto ours).
    const services: Array<[grpc.ServiceDefinition, (name: string) => string | undefined]> = [
      [rootCoordServiceTypedColumns.definition, (name) => name],
      [adminServiceTypedColumns.definition, (name) => name],
      [milvusRootCoordServiceTypedColumns.definition, (name) => MILVUS_ROOT_COORD_TARGETS[name]],
      [milvusServiceTypedColumns.definition, (name) => MILVUS_TARGETS[name]],
    ];
    for (const [definition, target] of services) {
      for (const [name, method] of Object.entries(definition)) {
        if (!answerRefusable(method as grpc.MethodDefinition<unknown, unknown>)) continue;
        refusable++;
        expect(ddl.has(target(name) ?? name), name).to.equal(false);
      }
    }
    expect(MILVUS_TARGETS['OperatePrivilegeV2']).to.equal('OperatePrivilege');
    expect(refusable).to.be.above(50);
    expect(answerRefusable(rootCoordServiceTypedColumns.definition['ShowCollections'] as never)).to.equal(true);
    expect(answerRefusable(milvusServiceTypedColumns.definition['DescribeCollection'] as never)).to.equal(true);
    expect(answerRefusable(rootCoordServiceTypedColumns.definition['CreateCollection'] as never)).to.equal(false);
    expect(answerRefusable(milvusServiceTypedColumns.definition['CreatePartition'] as never)).to.equal(false);
  });

  it('a call that finds the budget full has the answers held for unreadAnswerTimeoutMs dropped, oldest first, until the rest is under it; each stays counted until its call ends', () => {
    let now = 0;
    const admission = new Admission({ ...limits, maxInflightRequests: 100, maxInflightPerConnection: 100 }, () => now);
    const call = (): EventEmitter & { cancelled: boolean } => Object.assign(new EventEmitter(), { cancelled: false });
    const dropped: string[] = [];
    const [a, b, c, d] = [call(), call(), call(), call()];
    admission.holdAnswer(a, 300, () => (dropped.push('a'), true));
    now = 1000;
    admission.holdAnswer(b, 300, () => (dropped.push('b'), false));
    now = 6000;
    admission.holdAnswer(c, 400, () => (dropped.push('c'), true));
    // Full, but nothing held for 10 s yet: refused, nothing dropped.
    now = 9999;
    expect(() => admission.admit('light', 'x')).to.throw(CodedError, /1000 bytes of answers wait/);
    expect(dropped).to.deep.equal([]);
    // a is 10 s old: its drop is asked for, and that is enough (the rest, 700, is under the budget). It
    // stays counted until its call ends (its memory is not free before): this call is still refused.
    now = 10_000;
    expect(() => admission.admit('light', 'x')).to.throw(CodedError, /1000 bytes of answers wait/);
    expect(dropped).to.deep.equal(['a']);
    expect(admission.counts()).to.include({ unreadAnswerBytes: 1000, answersDropped: 1 });
    // Asked once only.
    expect(() => admission.admit('light', 'x')).to.throw(CodedError);
    expect(dropped).to.deep.equal(['a']);
    a.emit('cancelled');
    expect(admission.counts().unreadAnswerBytes).to.equal(700);
    admission.admit('light', 'x')();
    // Full again: b cannot be dropped and stays; c goes; d (new) is not looked at once the rest is under.
    admission.holdAnswer(d, 300, () => (dropped.push('d'), true));
    now = 16_000;
    expect(() => admission.admit('light', 'x')).to.throw(CodedError);
    expect(dropped).to.deep.equal(['a', 'b', 'c']);
    expect(admission.counts()).to.include({ unreadAnswerBytes: 1000, answersDropped: 2 });
    c.emit('cancelled');
    admission.admit('light', 'x')();
    b.emit('cancelled');
    expect(admission.counts().unreadAnswerBytes).to.equal(300);
    d.emit('cancelled');
    expect(admission.counts().unreadAnswerBytes).to.equal(0);
    // A drop that throws is an answer that cannot be dropped: the call is refused as usual.
    const e = call();
    admission.holdAnswer(e, 1000, () => {
      throw new Error('no stream');
    });
    now = 30_000;
    expect(() => admission.admit('light', 'x')).to.throw(CodedError, /1000 bytes of answers wait/);
    expect(admission.counts().answersDropped).to.equal(2);
    e.emit('cancelled');
    expect(admission.counts().unreadAnswerBytes).to.equal(0);
  });

  it('count forwarded calls (no connection) node-wide only', () => {
    const admission = new Admission({ maxInflightRequests: 10, maxInflightDdl: 3, maxInflightPerConnection: 1, ddlLatencyTargetMs: 1000, maxUnreadAnswerBytes: 1000, unreadAnswerTimeoutMs: 10_000 });
    for (let i = 0; i < 3; i++) admission.admit('ddl', null);
    expect(() => admission.admit('ddl', null)).to.throw(CodedError, /DDL calls are in flight/);
    expect(admission.counts()).to.include({ total: 3, ddl: 3, connections: 0 });
  });
});

describe('Adaptive DDL budget', () => {
  it('shrinks by a quarter on a slow DDL call (once per target period, not below 4) and grows back on fast ones', () => {
    let now = 0;
    const admission = new Admission({ maxInflightRequests: 1000, maxInflightDdl: 64, maxInflightPerConnection: 1000, ddlLatencyTargetMs: 1000, maxUnreadAnswerBytes: 1000, unreadAnswerTimeoutMs: 10_000 }, () => now);
    const slow = (): void => {
      const release = admission.admit('ddl', null);
      now += 1500;
      release();
    };
    slow();
    expect(admission.counts().ddlBudget).to.equal(48);
    // Two slow calls finishing together shrink it once.
    const a = admission.admit('ddl', null);
    const b = admission.admit('ddl', null);
    now += 1500;
    a();
    b();
    expect(admission.counts().ddlBudget).to.equal(36);
    for (let i = 0; i < 20; i++) slow();
    expect(admission.counts().ddlBudget).to.equal(4);
    const held = Array.from({ length: 4 }, () => admission.admit('ddl', null));
    expect(() => admission.admit('ddl', null)).to.throw(CodedError, /\(max 4 now\)/);
    for (const release of held) release();
    for (let i = 0; i < 3000; i++) admission.admit('ddl', null)();
    expect(admission.counts().ddlBudget).to.equal(64);
    // Light calls never change it.
    now += 5000;
    admission.admit('light', null)();
    expect(admission.counts().ddlBudget).to.equal(64);
  });
});

describe('Lock waits with a limit', () => {
  it('a waiter that gives up leaves the queue, releases what it took, and lets the ones behind it in', async () => {
    const locks = new LockManager();
    const reader = await locks.acquire([{ key: 'c', mode: 'read' }]);
    // A writer waits behind the reader; a reader queued behind the writer waits too (first come, first served).
    const writer = locks.acquire([{ key: 'db', mode: 'read' }, { key: 'c', mode: 'write' }], 50);
    await new Promise((resolve) => setImmediate(resolve));
    let lateReader: (() => void) | null = null;
    const late = locks.acquire([{ key: 'c', mode: 'read' }]).then((release) => (lateReader = release));
    // Time in which a late reader let past the waiting writer would be granted (nothing to poll for).
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lateReader).to.equal(null);
    expect(await writer).to.equal(null);
    await late;
    expect(lateReader).to.be.a('function');
    // The writer's read lock on db was released: a write on db is granted at once.
    const dbWrite = await locks.acquire([{ key: 'db', mode: 'write' }], 0);
    expect(dbWrite).to.be.a('function');
    dbWrite?.();
    reader?.();
    (lateReader as unknown as () => void)();
    expect(await locks.acquire([{ key: 'c', mode: 'write' }], 0)).to.be.a('function');
  });
});

describe('Admission control on the client port', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  let leader: number;
  let follower: number;
  const clients: RootCoordClient[] = [];
  const open = (id: number): RootCoordClient => {
    const client = ownConnection(cluster, id);
    clients.push(client);
    return client;
  };
  const member = (id: number): Member => cluster.members.get(id) as Member;

  before(async () => {
    cluster = await InProcessCluster.start(3, { maxInflightRequests: 4, maxInflightDdl: 3, maxInflightPerConnection: 2, maxDdlQueueMs: 300, maxEventLoopLagMs: 400 });
    leader = await cluster.waitForServingLeader();
    follower = [...cluster.members.keys()].find((id) => id !== leader) as number;
  });
  after(async () => {
    for (const client of clients) client.close();
    await cluster.close();
  });

  it('answers 2001 at once beyond the per-connection and per-node DDL caps; forwarded calls share no connection cap', async () => {
    const release = brokerFaults(cluster.node(leader).broker).hold('WatchChannels');
    const a = open(follower);
    const b = open(follower);
    // Three creates held on the leader, all forwarded by one follower over its one connection (cap 2).
    const held = [a.createCollection('a1', simpleSchema()), a.createCollection('a2', simpleSchema()), b.createCollection('b1', simpleSchema())];
    await until('three DDL calls held on the leader', () => member(leader).api.admission.counts().ddl === 3);
    expect(member(follower).api.admission.counts()).to.include({ ddl: 3, connections: 2 });
    // The follower refuses a third call on a's connection.
    const perConnection = expectCode(a.createCollection('a3', simpleSchema()), 2001, /from this connection \(max 2\)/);
    expect(await timed(perConnection)).to.be.below(1000);
    // The leader refuses a fourth DDL (cap 3) but still serves a timestamp (a separate, light budget).
    const c = open(leader);
    const perNode = expectCode(c.createCollection('c1', simpleSchema()), 2001, /DDL calls are in flight on this node \(max 3 now\)/);
    expect(await timed(perNode)).to.be.below(1000);
    expect((await c.allocTimestamp(1)).timestamp > 0n).to.equal(true);
    release();
    await Promise.all(held);
    await until('every call released', () => member(leader).api.admission.counts().total === 0 && member(follower).api.admission.counts().total === 0);
    await c.createCollection('c1', simpleSchema());
    expect((await c.showCollections())['collection_names']).to.have.members(['a1', 'a2', 'b1', 'c1']);
  });

  it('a DDL task that waited too long for its lock answers 2001 before proposing anything', async () => {
    const release = brokerFaults(cluster.node(leader).broker).hold('WatchChannels');
    const first = open(leader).createCollection('q1', simpleSchema());
    await until('the first create holds its lock', () => member(leader).api.admission.counts().ddl === 1);
    const applied = cluster.node(leader).meta.appliedIndex;
    await expectCode(open(leader).createCollection('q1', { ...simpleSchema(), description: 'another' }), 2001, /waited 300 ms for its locks; nothing was done/);
    release();
    await first;
    expect(((await open(leader).describeCollection('q1'))['schema'] as { description: string }).description).to.equal('');
    expect(cluster.node(leader).meta.appliedIndex).to.be.greaterThan(applied);
  });

  it('refuses new calls with 2001 while the event loop lags, and serves again once it does not', async () => {
    const c = open(leader);
    await c.allocTimestamp(1);
    const blockUntil = performance.now() + 700;
    while (performance.now() < blockUntil) {
      // The process is busy: timers, heartbeats and calls all wait.
    }
    await expectCode(c.allocTimestamp(1), 2001, /this node is overloaded \(its event loop lagged \d+ ms, max 400\)/);
    // The lag monitor lifts the refusal at the end of its next window (250 ms) without a lag. Not a poll
    // of calls: every refused one counts in admission.counts().rejected, which the backoff test reads.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await c.allocTimestamp(1)).timestamp > 0n).to.equal(true);
  });

  it('the client library retries 2001 with backoff and succeeds once a place is free', async () => {
    const release = brokerFaults(cluster.node(leader).broker).hold('WatchChannels');
    const held = [open(leader).createCollection('e1', simpleSchema()), open(leader).createCollection('e2', simpleSchema()), open(leader).createCollection('e3', simpleSchema())];
    await until('three DDL calls held on the leader', () => member(leader).api.admission.counts().ddl === 3);
    const patient = cluster.client({ endpoints: [cluster.address(leader)], retryBudgetMs: 10_000, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
    clients.push(patient);
    const retried = patient.createCollection('e4', simpleSchema());
    // The refusals are counted over a fixed 400 ms (a duration, not a condition to poll for).
    await new Promise((resolve) => setTimeout(resolve, 400));
    const refusedSoFar = member(leader).api.admission.counts().rejected;
    release();
    await Promise.all([...held, retried]);
    expect(patient.lastCallAttempts).to.be.greaterThan(1);
    // Backed off (50 ms doubling, jittered): a handful of attempts in 400 ms, not hundreds.
    expect(refusedSoFar).to.be.below(20);
  });
});

describe('Answers a client does not read', function () {
  this.timeout(120_000);
  let cluster: InProcessCluster;
  const MiB = 1024 * 1024;
  const UNREAD_TIMEOUT_MS = 6000;

  before(async () => {
    // Small budgets, so that a few answers of about 1 MB reach them.
    cluster = await InProcessCluster.start(3, { maxUnreadAnswerBytes: 8 * MiB, maxConnectionMemoryBytes: 6 * MiB, unreadAnswerTimeoutMs: UNREAD_TIMEOUT_MS });
    const client = cluster.client();
    await client.createDatabase('big', Object.fromEntries(Array.from({ length: 15 }, (_v, i) => [`k${i}`, 'v'.repeat(65_000)])));
    client.close();
  });
  after(async () => {
    await cluster.close();
  });

  /** The serving leader's client address and member. */
  const servingLeader = async (): Promise<{ address: string; member: Member }> => {
    const leader = await cluster.waitForServingLeader();
    return { address: cluster.addresses.get(leader)?.client as string, member: cluster.members.get(leader) as Member };
  };
  /** A connection that takes no answer data (an HTTP/2 receive window of 0), and a DescribeDatabase of about 1 MB on it. */
  const slowReader = (address: string): http2.ClientHttp2Session => {
    const session = http2.connect(`http://${address}`, { settings: { initialWindowSize: 0 } });
    session.on('error', () => {});
    return session;
  };
  /** Poll with AllocTimestamp until it is served (2001 meanwhile; anything else fails). */
  const untilServed = (client: RootCoordClient, what: string, timeoutMs: number): Promise<void> =>
    until(
      what,
      async () => {
        try {
          await client.allocTimestamp();
          return true;
        } catch (error) {
          if ((error as { code?: number }).code !== 2001) throw error;
          return false;
        }
      },
      timeoutMs,
    );
  /** The streams describeBig opened, to see how they end. */
  const opened: http2.ClientHttp2Stream[] = [];
  const describeBig = (session: http2.ClientHttp2Session): Promise<'headers' | 'refused'> =>
    new Promise((resolve) => {
      const message = encodeMessage('rootcoord.DescribeDatabaseRequest', { db_name: 'big' });
      const frame = Buffer.alloc(5 + message.length);
      frame.writeUInt32BE(message.length, 1);
      message.copy(frame, 5);
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request({ ':method': 'POST', ':path': '/rootcoord.RootCoord/DescribeDatabase', 'content-type': 'application/grpc', te: 'trailers' });
      } catch {
        resolve('refused');
        return;
      }
      opened.push(stream);
      stream.on('response', () => resolve('headers'));
      stream.on('error', () => {});
      stream.on('close', () => resolve('refused'));
      stream.end(frame);
    });

  it("a node holds at most its budget of unread answers: new calls get 2001 until the readers go; one connection's share is bounded too", async () => {
    const { address, member } = await servingLeader();
    // Answers read as they come are let go as their calls end: nothing stays counted.
    const reader = cluster.client({ endpoints: [address] });
    try {
      for (let i = 0; i < 20; i++) {
        await reader.describeDatabase('big');
        await reader.allocTimestamp();
        await reader.describeCollection('none').catch(() => undefined);
      }
    } finally {
      reader.close();
    }
    await until('the answers read are let go', async () => member.api.admission.counts().unreadAnswerBytes === 0);
    // Over one connection's memory (6 MiB): its calls are refused and it is closed, without holding more.
    const greedy = slowReader(address);
    const outcomes: string[] = [];
    for (let i = 0; i < 30 && !greedy.destroyed && !greedy.closed; i++) outcomes.push(await describeBig(greedy));
    expect(outcomes.filter((o) => o === 'refused').length, outcomes.join()).to.be.above(0);
    expect(member.api.admission.counts().unreadAnswerBytes, 'what a closed connection held is let go').to.be.below(7 * MiB);
    greedy.destroy();
    await until('the closed connection holds nothing', async () => member.api.admission.counts().unreadAnswerBytes === 0);
    // Two connections of 5 answers each (about 5 MB each, under their own limit): 10 MB held, over the node's 8 MiB.
    const readers = [slowReader(address), slowReader(address)];
    for (let i = 0; i < 5; i++) for (const r of readers) await describeBig(r);
    const client = cluster.client({ endpoints: [address], retryBudgetMs: 0 });
    try {
      await expectCode(client.allocTimestamp(), 2001, /bytes of answers wait for their clients to read them \(max 8388608\)/);
      for (const r of readers) r.destroy();
      await until('the answers let go', async () => member.api.admission.counts().unreadAnswerBytes === 0);
      await client.allocTimestamp();
    } finally {
      client.close();
    }
  });

  it('calls admitted together cannot take the answers held past the budget by more than one answer: the later answers are 2001', async () => {
    const { address, member } = await servingLeader();
    const rejectedBefore = member.api.admission.counts().rejected;
    const described = member.calls.since('DescribeDatabase');
    opened.length = 0;
    // Twelve answers of about 1 MB asked for at once on three connections (4 MB each, under their own
    // limit): all admitted before any answer exists, 11.2 MiB if all were held, over the node's 8 MiB.
    const readers = [slowReader(address), slowReader(address), slowReader(address)];
    try {
      const outcomes = await Promise.all(readers.flatMap((r) => Array.from({ length: 4 }, () => describeBig(r))));
      expect(outcomes.every((o) => o === 'headers'), outcomes.join()).to.equal(true);
      await until('every answer counted', async () => member.api.admission.counts().rejected > rejectedBefore);
      expect(member.api.admission.counts().unreadAnswerBytes).to.be.within(8 * MiB, 9 * MiB);
      // A health check, which admission lets through, is answered as usual: a small answer is never replaced.
      const prober = cluster.client({ endpoints: [address], retryBudgetMs: 0 });
      try {
        const health = await prober.call('CheckHealth', {});
        expect(health['isHealthy'] ?? health['is_healthy']).to.equal(true);
      } finally {
        prober.close();
      }
      // Read, the answers past the budget are queue-full ones.
      const bodies = opened.map(
        (stream) =>
          new Promise<Buffer>((resolve) => {
            const chunks: Buffer[] = [];
            stream.on('data', (chunk: Buffer) => chunks.push(chunk));
            stream.on('end', () => resolve(Buffer.concat(chunks)));
            stream.on('close', () => resolve(Buffer.concat(chunks)));
          }),
      );
      for (const r of readers) {
        r.settings({ initialWindowSize: 2 ** 31 - 1 });
        r.setLocalWindowSize(2 ** 31 - 1);
      }
      const codes = (await Promise.all(bodies)).map((body) => {
        expect(body.length).to.be.above(5);
        const status = decodeMessage('rootcoord.DescribeDatabaseResponse', body.subarray(5, 5 + body.readUInt32BE(1)))['status'] as { code?: number } | undefined;
        return Number(status?.code ?? 0);
      });
      expect(codes.filter((c) => c === 0).length, codes.join()).to.equal(9);
      expect(codes.filter((c) => c === 2001).length, codes.join()).to.equal(3);
      // The call metrics count the replaced answers as failed, not as served.
      expect(described()).to.deep.equal({ ok: 9, failed: 3 });
    } finally {
      for (const r of readers) r.destroy();
    }
    await until('the answers let go', async () => member.api.admission.counts().unreadAnswerBytes === 0);
  });

  it('clients that stop reading cannot keep the budget: once the budget is full, answers unread for unreadAnswerTimeoutMs are dropped (their streams reset) and calls served again', async () => {
    const { address, member } = await servingLeader();
    const droppedBefore = member.api.admission.counts().answersDropped;
    opened.length = 0;
    const readers = [slowReader(address), slowReader(address)];
    try {
      for (let i = 0; i < 5; i++) for (const r of readers) await describeBig(r);
      const heldAt = performance.now();
      const held = opened.filter((s) => !s.closed);
      expect(held.length).to.be.above(5);
      const client = cluster.client({ endpoints: [address], retryBudgetMs: 0 });
      try {
        await expectCode(client.allocTimestamp(), 2001, /bytes of answers wait for their clients to read them/);
        // The readers stay connected and never read; after the timeout the next call is served.
        await untilServed(client, 'a call served while the readers stay', 10_000);
        expect(performance.now() - heldAt).to.be.above(UNREAD_TIMEOUT_MS - 500);
        expect(readers.every((r) => !r.destroyed && !r.closed), 'the readers are still connected').to.equal(true);
        expect(member.api.admission.counts().answersDropped - droppedBefore).to.be.above(0);
        expect(member.api.admission.counts().unreadAnswerBytes).to.be.below(8 * MiB);
        // The dropped answers' streams were reset (CANCEL), not answered.
        await until('the dropped streams closed', async () => held.some((s) => s.closed));
        expect(held.filter((s) => s.closed).map((s) => s.rstCode)).to.include(http2.constants.NGHTTP2_CANCEL);
      } finally {
        client.close();
      }
    } finally {
      for (const r of readers) r.destroy();
    }
    await until('the answers let go', async () => member.api.admission.counts().unreadAnswerBytes === 0);
  });

  it('clients that stop reading their sockets (so a reset cannot reach them) have their connections closed, and calls are served again', async () => {
    const { address, member } = await servingLeader();
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
    const limits = (member.api.admission as unknown as { limits: { maxUnreadAnswerBytes: number } }).limits;
    const budget = limits.maxUnreadAnswerBytes;
    // A TCP proxy whose sockets to the node stop being read: the node's writes to them block.
    const upstreams: net.Socket[] = [];
    const proxy = net.createServer((down) => {
      const up = net.connect(port, host);
      upstreams.push(up);
      down.pipe(up);
      up.pipe(down);
      down.on('error', () => {});
      up.on('error', () => {});
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const sessions: http2.ClientHttp2Session[] = [];
    try {
      const proxyPort = (proxy.address() as net.AddressInfo).port;
      for (let i = 0; i < 2; i++) {
        const session = http2.connect(`http://127.0.0.1:${proxyPort}`, { settings: { initialWindowSize: 2 ** 31 - 1 } });
        session.on('error', () => {});
        await new Promise<void>((resolve) => session.once('connect', () => resolve()));
        session.setLocalWindowSize(2 ** 31 - 1);
        sessions.push(session);
      }
      await until('both proxied connections reach the node', async () => upstreams.length === 2);
      for (const up of upstreams) up.pause();
      // Thirteen answers of about 1 MB on each (24.2 MiB, a margin for a stream refused at its start),
      // over a budget raised to 20 MiB for this test (the answers held exceed the budget by one at
      // most): about 11 held on each, more than the socket buffers take.
      limits.maxUnreadAnswerBytes = 20 * MiB;
      for (const session of sessions) {
        for (let i = 0; i < 13; i++) void describeBig(session);
      }
      const client = cluster.client({ endpoints: [address], retryBudgetMs: 0 });
      try {
        await until('the answers counted', async () => member.api.admission.counts().unreadAnswerBytes >= 20 * MiB);
        await expectCode(client.allocTimestamp(), 2001, /bytes of answers wait for their clients to read them/);
        await untilServed(client, 'a call served while the stalled clients stay connected', 30_000);
        // The oldest answer's call ended, which for a stream whose reset cannot be written means that the
        // node closed its connection: what that connection held is freed (the other's is under the budget).
        await until('their answers let go', async () => member.api.admission.counts().unreadAnswerBytes < 12 * MiB);
        expect(member.api.admission.counts().answersDropped).to.be.above(0);
        // Read again, a proxied connection ends: the node had closed it (a reset alone leaves it open).
        for (const up of upstreams) up.resume();
        await until('a stalled client finds its connection closed', async () => sessions.some((session) => session.closed || session.destroyed));
      } finally {
        client.close();
      }
    } finally {
      limits.maxUnreadAnswerBytes = budget;
      for (const session of sessions) session.destroy();
      for (const up of upstreams) up.destroy();
      proxy.close();
    }
  });
});

describe('Request size limits', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  let client: RootCoordClient;
  let leader: number;
  const kb = (n: number): string => 'x'.repeat(n * 1024);

  before(async () => {
    cluster = await InProcessCluster.start(3, { maxRequestBytes: 1024 * 1024, maxPropertiesSize: 100_000, maxCollectionSchemaSize: 100_000 });
    client = cluster.client({ retryBudgetMs: 3000 });
    leader = await cluster.waitForServingLeader();
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  async function expectNoElection(): Promise<void> {
    expect(await cluster.waitForServingLeader()).to.equal(leader);
    expect((await client.allocTimestamp(1)).timestamp > 0n).to.equal(true);
  }

  it('property values longer than 65535 bytes and properties over maxPropertiesSize answer 1100 and change nothing', async () => {
    await client.createDatabase('shop', { owner: 'me' });
    await expectCode(client.alterDatabase('shop', { big: kb(70) }), 1100, /value of property "big" of database shop is 71680 bytes, more than the limit of 65535/);
    await expectCode(client.alterDatabase('shop', { one: kb(50), two: kb(50) }), 1100, /properties of database shop are \d+ bytes, more than the limit of 100000/);
    await expectCode(client.createDatabase('big', { big: kb(70) }), 1100, /more than the limit of 65535/);
    await client.alterDatabase('shop', { one: kb(50) });
    await expectCode(client.alterDatabase('shop', { two: kb(50) }), 1100, /properties of database shop/);
    const db = await client.describeDatabase('shop');
    expect((db['properties'] as Array<{ key: string }>).map((p) => p.key).sort()).to.deep.equal(['one', 'owner']);
    expect((await client.listDatabases())['db_names']).to.not.include('big');
    await client.createCollection('books', simpleSchema());
    await expectCode(client.alterCollection('books', { big: kb(70) }), 1100, /value of property "big" of collection books/);
    await expectNoElection();
  });

  it('descriptions and schemas over their limits answer 1100 and create nothing', async () => {
    await expectCode(client.createCollection('d1', { ...simpleSchema(), description: 'é'.repeat(513) }), 1100, /description of collection d1 is 1026 bytes, more than the limit of 1024/);
    await expectCode(client.createCollection('d2', simpleSchema([{ name: 'f', data_type: 'Int32', description: kb(70) }])), 1100, /description of field f is 71680 bytes, more than the limit of 65535/);
    const wide = simpleSchema([{ name: 'f1', data_type: 'Int32', description: kb(60) }, { name: 'f2', data_type: 'Int32', description: kb(60) }]);
    await expectCode(client.createCollection('d3', wide), 1100, /schema of collection d3 is \d+ bytes, more than the limit of 100000/);
    await client.createCollection('d4', { ...simpleSchema(), description: 'ok' });
    await expectCode(client.alterCollection('d4', { 'collection.description': kb(2) }), 1100, /description of collection d4 is 2048 bytes/);
    await client.addCollectionField('d4', { name: 'g1', data_type: 'Int32', nullable: true, description: kb(60) });
    await expectCode(client.addCollectionField('d4', { name: 'g2', data_type: 'Int32', nullable: true, description: kb(60) }), 1100, /schema of collection d4/);
    const described = await client.describeCollection('d4');
    expect((described['schema'] as { description: string }).description).to.equal('ok');
    expect((await client.showCollections())['collection_names']).to.not.include.members(['d1', 'd2', 'd3']);
    await expectNoElection();
  });

  it('a request above the gRPC receive limit is refused with 1100 at once, not retried, and the node keeps serving', async () => {
    const t0 = performance.now();
    const error = await expectCode(client.alterDatabase('default', { huge: 'y'.repeat(16 * 1024 * 1024) }), 1100, /larger than the server accepts/);
    expect(error.retriable).to.equal(false);
    expect(client.lastCallAttempts).to.equal(1);
    expect(performance.now() - t0).to.be.below(2000);
    await expectCode(client.createCollection('huge', { ...simpleSchema(), description: 'z'.repeat(2 * 1024 * 1024) }), 1100, /larger than the server accepts/);
    expect((await client.describeDatabase('default'))['properties']).to.deep.equal([]);
    await expectNoElection();
  });
});
