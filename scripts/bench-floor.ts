/**
 * scripts/bench --floor [--quick] [--rounds 8] [--per-round 250] [--no-etcd] [--out DIR]
 *
 * The floor under a single-client write on this machine: what the steps that rootcoord's
 * CreatePartition cannot skip cost with no rootcoord code in them, measured in the same run as
 * CreatePartition itself and etcd's put through grpc-js (the issue's anchor). On the leader a write
 * is: a gRPC call in (grpc-js, Node's HTTP/2), a message to the Raft thread and an answer back
 * (worker_threads), the leader's own log write (O_DSYNC, through libuv's thread pool) in parallel with
 * a frame to a follower, whose log write and answer come back over TCP; the commit is the later of the
 * two. So the floor is
 *
 *   gRPC round trip + thread round trip + TCP round trip + one O_DSYNC write through the pool,
 *
 * each timed alone, sequentially (one at a time, as a single client's writes are):
 *   - gRPC: a grpc-js client to a grpc-js server in another process (scripts/bench-floor-echo.ts),
 *     60 bytes each way, a deadline on each call as rootcoord's client sets, no protobuf;
 *   - thread: postMessage of a 300-byte entry to a worker that posts it back;
 *   - TCP: 100 bytes to the other process and back on one connection, Nagle off;
 *   - write: 300 bytes appended to an O_DSYNC file on the cluster's disk, through fs/promises (as the
 *     log writes) and, for comparison, writeSync on this thread (which the Raft thread must not do: a
 *     slow disk would hold back its heartbeats).
 * Warmed up first; then rounds in alternating order (the machine is shared: each figure is the median
 * over rounds of the round's p50). What CreatePartition takes above the floor is rootcoord's own work
 * (validation, scheduling, Raft, codecs, apply, metrics) and its waits.
 */
import * as grpc from '@grpc/grpc-js';
import { closeSync, constants, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { clientChannelOptions } from '../src/protocol/proto.js';
import { Args, BenchCluster, defaultOut, log, machineInfo, median, partitionWriter, percentile, round, startHelper, timeEach } from './bench-lib.js';
import { ECHO_SERVICE } from './bench-floor-echo.js';
import { EtcdCluster } from './etcd-cluster.js';

const CALL_DEADLINE_MS = 10_000;
/** A TCP or thread echo that has not answered within this long has failed. */
const OP_TIMEOUT_MS = 10_000;

interface Piece {
  readonly name: string;
  readonly what: string;
  readonly op: () => Promise<unknown>;
  readonly rounds: Array<{ p50Ms: number; p99Ms: number }>;
}

/** The echo process: its gRPC and TCP ports; killed at exit. */
async function startEcho(): Promise<{ grpcPort: number; tcpPort: number; stop: () => void }> {
  const { info, stop } = await startHelper<{ grpc: number; tcp: number }>('./bench-floor-echo.js', 'the echo process');
  return { grpcPort: info.grpc, tcpPort: info.tcp, stop };
}

function grpcEcho(port: number): { op: () => Promise<unknown>; close: () => void } {
  const Client = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Floor');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), clientChannelOptions);
  const body = Buffer.alloc(60, 7);
  const op = (): Promise<unknown> =>
    new Promise((done, fail) => {
      (client as unknown as { Echo: (b: Buffer, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Buffer) => void) => void }).Echo(body, { deadline: Date.now() + CALL_DEADLINE_MS }, (error, reply) =>
        error === null && reply?.length === body.length ? done(reply) : fail(error ?? new Error('short echo')),
      );
    });
  return { op, close: () => client.close() };
}

async function tcpEcho(port: number): Promise<{ op: () => Promise<unknown>; close: () => void }> {
  const socket: Socket = await new Promise((done, fail) => {
    const s = connect(port, '127.0.0.1', () => {
      s.off('error', fail);
      done(s);
    });
    s.once('error', fail);
  });
  socket.setNoDelay(true);
  const frame = Buffer.alloc(100, 3);
  const waiter = new OneAtATime('TCP echo');
  let left = 0;
  socket.on('data', (chunk: Buffer) => {
    left -= chunk.length;
    if (left <= 0) waiter.settle();
  });
  // The echo process gone: the op in flight fails instead of waiting for ever.
  socket.on('error', (error) => waiter.fail(error));
  socket.on('close', () => waiter.fail(new Error('the TCP echo connection closed')));
  const op = (): Promise<unknown> => {
    left = frame.length;
    const reply = waiter.begin();
    socket.write(frame);
    return reply;
  };
  return { op, close: () => socket.destroy() };
}

function threadEcho(): { op: () => Promise<unknown>; close: () => Promise<number> } {
  const worker = new Worker("require('node:worker_threads').parentPort.on('message', (m) => require('node:worker_threads').parentPort.postMessage(m));", { eval: true });
  const waiter = new OneAtATime('thread echo');
  worker.on('message', () => waiter.settle());
  worker.on('error', (error) => waiter.fail(error));
  worker.on('exit', (code) => waiter.fail(new Error(`the echo thread exited (${code})`)));
  const entry = new Uint8Array(300).fill(5);
  const op = (): Promise<unknown> => {
    const reply = waiter.begin();
    worker.postMessage({ call: 'propose', data: entry });
    return reply;
  };
  return { op, close: () => worker.terminate() };
}

/**
 * The one reply awaited on a connection or thread (ops run one at a time): settled by the reply, failed
 * by the peer's end or after OP_TIMEOUT_MS, so that a dead echo stops the benchmark instead of hanging it.
 */
class OneAtATime {
  private pending: { done: () => void; fail: (error: Error) => void; timer: NodeJS.Timeout } | null = null;

  constructor(private readonly what: string) {}

  begin(): Promise<void> {
    if (this.pending !== null) throw new Error(`${this.what}: an op is already in flight`);
    return new Promise<void>((done, fail) => {
      const timer = setTimeout(() => this.fail(new Error(`${this.what}: no reply within ${OP_TIMEOUT_MS} ms`)), OP_TIMEOUT_MS);
      this.pending = { done, fail, timer };
    });
  }

  settle(): void {
    const p = this.take();
    p?.done();
  }

  fail(error: Error): void {
    const p = this.take();
    p?.fail(error);
  }

  private take(): { done: () => void; fail: (error: Error) => void } | null {
    const p = this.pending;
    if (p === null) return null;
    this.pending = null;
    clearTimeout(p.timer);
    return p;
  }
}

async function dsyncWrites(dir: string): Promise<{ poolOp: () => Promise<unknown>; syncOp: () => Promise<unknown>; close: () => Promise<void> }> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC;
  const handle = await open(join(dir, 'floor-pool.log'), flags, 0o600);
  const fd = openSync(join(dir, 'floor-sync.log'), flags, 0o600);
  const record = Buffer.alloc(300, 9);
  return {
    poolOp: () => handle.write(record, 0, record.length),
    syncOp: () => {
      writeSync(fd, record);
      return Promise.resolve();
    },
    close: async () => {
      await handle.close();
      closeSync(fd);
    },
  };
}

export async function runFloor(args: Args): Promise<void> {
  const quick = args.has('quick');
  const rounds = args.number('rounds', quick ? 4 : 8);
  const perRound = args.number('per-round', quick ? 200 : 250);
  const warmup = quick ? 500 : 2500;
  const noEtcd = args.has('no-etcd') || !existsSync('/usr/bin/etcd');
  const out = resolve(args.value('out', defaultOut(quick ? 'floor-quick' : 'floor')));
  const results: Record<string, unknown> = { kind: 'floor', date: new Date().toISOString(), quick, rounds, perRound, machine: machineInfo() };

  log(`floor: a 3-node rootcoord cluster${noEtcd ? '' : ', a 3-node etcd'} and the echo process`);
  const cluster = await BenchCluster.up();
  let etcd: EtcdCluster | null = null;
  const closers: Array<() => unknown> = [];
  try {
    const client = await cluster.client();
    closers.push(() => client.close());
    const echo = await startEcho();
    closers.push(echo.stop);
    const g = grpcEcho(echo.grpcPort);
    closers.push(g.close);
    const t = await tcpEcho(echo.tcpPort);
    closers.push(t.close);
    const w = threadEcho();
    closers.push(w.close);
    const d = await dsyncWrites(cluster.dir);
    closers.push(d.close);
    const pieces: Piece[] = [
      { name: 'grpcRoundTrip', what: 'gRPC unary round trip (grpc-js to grpc-js, another process)', op: g.op, rounds: [] },
      { name: 'threadRoundTrip', what: 'postMessage to a worker thread and back', op: w.op, rounds: [] },
      { name: 'tcpRoundTrip', what: 'TCP round trip to another process (100 bytes, Nagle off)', op: t.op, rounds: [] },
      { name: 'dsyncWritePool', what: 'O_DSYNC append of 300 bytes through fs/promises (libuv pool)', op: d.poolOp, rounds: [] },
      { name: 'dsyncWriteSync', what: 'the same write with writeSync on this thread (for comparison)', op: d.syncOp, rounds: [] },
      { name: 'createPartition', what: 'rootcoord CreatePartition, one client, to the leader', op: partitionWriter(client, 'floor'), rounds: [] },
    ];
    if (!noEtcd) {
      etcd = await EtcdCluster.start();
      const grpcPut = etcd.grpc();
      let n = 0;
      pieces.push({ name: 'etcdPutGrpc', what: 'etcd put through grpc-js (3 members)', op: () => grpcPut.put(`f${n++}`, 'v'), rounds: [] });
    }
    for (const piece of pieces) {
      log(`${piece.name}: ${warmup} untimed`);
      await timeEach(warmup, piece.op);
    }
    for (let r = 0; r < rounds; r++) {
      for (const piece of r % 2 === 0 ? pieces : [...pieces].reverse()) {
        const samples = await timeEach(perRound, piece.op);
        piece.rounds.push({ p50Ms: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99) });
      }
      log(`round ${r + 1} of ${rounds}: ${pieces.map((p) => `${p.name} ${round(p.rounds[r]?.p50Ms ?? NaN)}`).join(', ')} ms`);
    }
    const p50 = (name: string): number => {
      const piece = pieces.find((p) => p.name === name);
      return piece === undefined ? NaN : median(piece.rounds.map((x) => x.p50Ms));
    };
    const floorMs = p50('grpcRoundTrip') + p50('threadRoundTrip') + p50('tcpRoundTrip') + p50('dsyncWritePool');
    const writeMs = p50('createPartition');
    const etcdMs = p50('etcdPutGrpc');
    results['pieces'] = Object.fromEntries(pieces.map((p) => [p.name, { what: p.what, p50Ms: round(p50(p.name)), p99Ms: round(median(p.rounds.map((x) => x.p99Ms))), roundP50sMs: p.rounds.map((x) => round(x.p50Ms)) }]));
    results['floor'] = {
      formula: 'grpcRoundTrip + threadRoundTrip + tcpRoundTrip + dsyncWritePool',
      floorMs: round(floorMs),
      createPartitionMs: round(writeMs),
      aboveFloorMs: round(writeMs - floorMs),
      poolWriteOverSyncWrite: round(p50('dsyncWritePool') / p50('dsyncWriteSync'), 2),
      ...(noEtcd ? {} : { etcdPutGrpcMs: round(etcdMs), floorOverEtcd: round(floorMs / etcdMs, 2), createPartitionOverEtcd: round(writeMs / etcdMs, 2) }),
    };
    log(`floor ${round(floorMs)} ms; CreatePartition ${round(writeMs)} ms (${round(writeMs - floorMs)} above the floor)${noEtcd ? '' : `; etcd put ${round(etcdMs)} ms`}`);
  } finally {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch {
        // best effort
      }
    }
    etcd?.stop();
    await cluster.stop();
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(out, 'RESULTS.md'), markdown(results));
  log(`results in ${out}`);
}

function markdown(results: Record<string, unknown>): string {
  const pieces = results['pieces'] as Record<string, { what: string; p50Ms: number; p99Ms: number; roundP50sMs: number[] }>;
  const floor = results['floor'] as Record<string, number | string>;
  const etcdRows =
    floor['etcdPutGrpcMs'] === undefined
      ? ''
      : `| etcd put through grpc-js p50 | ${String(floor['etcdPutGrpcMs'])} ms |\n| floor / etcd put | ${String(floor['floorOverEtcd'])} |\n| CreatePartition / etcd put | ${String(floor['createPartitionOverEtcd'])} |\n`;
  const rows = Object.entries(pieces).map(([name, p]) => `| ${name} | ${p.what} | ${p.p50Ms} | ${p.p99Ms} | ${p.roundP50sMs.join(' · ')} |`);
  return `# The floor under a single-client write (${String(results['date'])})

Each step a rootcoord write cannot skip, timed alone, in the same run as CreatePartition and etcd's put;
${String(results['rounds'])} alternating rounds of ${String(results['perRound'])} sequential calls after a warm-up; each figure is the
median over rounds of the round's p50 (ms). Machine: ${JSON.stringify(results['machine'])}; shared, noisy.

| piece | what | p50 ms | p99 ms | p50 per round |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

Floor = ${String(floor['formula'])} = **${String(floor['floorMs'])} ms**
(the leader's own log write runs in parallel with the follower's round trip, which includes the
follower's write, so one write counts).

| figure | value |
| --- | --- |
| CreatePartition p50 | ${String(floor['createPartitionMs'])} ms |
| above the floor (rootcoord's own work and waits) | ${String(floor['aboveFloorMs'])} ms |
${etcdRows}| a log write through the pool / on the thread | ${String(floor['poolWriteOverSyncWrite'])} |
`;
}
