/**
 * scripts/bench: rootcoord and its anchors, side by side in one run on this machine. Flags: USAGE
 * below (`scripts/bench --help`); --scale, --load, --cold and --floor are in scripts/bench-scale.ts,
 * bench-load.ts, bench-cold.ts and bench-floor.ts. The default measures: single-client CreatePartition
 * latency against a 3-node etcd put (the anchor, through etcd's gRPC API with grpc-js, the same stack
 * as rootcoord's client, and through etcd's HTTP gateway with keep-alive), all warmed up, then timed in
 * alternating rounds so that both see the same machine (the cold start is reported too);
 * AllocTimestamp throughput against an empty gRPC call (GetComponentStates) on the same server; the
 * time from kill -9 of the leader to the next successful DDL. Writes results.json, RESULTS.md and its
 * charts (latency-rounds.svg, failover.svg), with a progress line on stderr at each step.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RootCoordClient } from '../src/client/root-coord-client.js';
import { EtcdCluster } from './etcd-cluster.js';
import { Args, BenchCluster, SCHEMA2, cpuMs, log, partitionWriter, percentile, round, svgChart, timeEach } from './bench-lib.js';

/** Time each of `count` sequential operations, and the CPU they cost the servers and this client. */
async function timeWithCpu(count: number, pids: readonly number[], action: (i: number) => Promise<unknown>): Promise<Record<string, number>> {
  const server0 = cpuMs(pids);
  const client0 = process.cpuUsage();
  const samples = await timeEach(count, action);
  const client = process.cpuUsage(client0);
  return {
    samples: samples.length,
    p50Ms: round(percentile(samples, 0.5)),
    p99Ms: round(percentile(samples, 0.99)),
    serverCpuMsPerOp: round((cpuMs(pids) - server0) / count),
    clientCpuMsPerOp: round((client.user + client.system) / 1000 / count),
  };
}

async function throughput(concurrency: number, seconds: number, action: () => Promise<unknown>): Promise<number> {
  const endAt = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < endAt) {
        await action();
        done++;
      }
    }),
  );
  return done / seconds;
}

// ---- rootcoord ----

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const noEtcd = args.includes('--no-etcd') || !existsSync('/usr/bin/etcd');
  const outIndex = args.indexOf('--out');
  const out = resolve(outIndex >= 0 ? (args[outIndex + 1] ?? 'bench/results') : 'bench/results');
  // Latency rounds: each side does `perRound` sequential writes per round, the two alternating; the
  // figure is the median over rounds of each round's p50 (the machine is shared and its speed drifts).
  const rounds = quick ? 2 : 8;
  const perRound = quick ? 200 : 250;
  // Untimed writes first, on both sides: Node's JIT compiles the hot paths over the first couple of
  // thousand calls (etcd, in Go, needs none). The first `cold` of them are timed and reported as such.
  const warmup = quick ? 500 : 2500;
  const cold = 500;
  const seconds = quick ? 2 : 5;
  const kills = quick ? 3 : 10;
  const results: Record<string, unknown> = { date: new Date().toISOString(), quick, machine: { cpus: (await import('node:os')).cpus().length, node: process.version } };
  let etcd: EtcdCluster | null = null;
  log(`bench${quick ? ' --quick' : ''}: starting a 3-node rootcoord cluster${noEtcd ? ' (no etcd anchor)' : ' and a 3-node etcd'}`);
  const cluster = await BenchCluster.up();
  try {
    const nodes = cluster.nodes();
    const client = await cluster.client();
    await client.createCollection('bench', SCHEMA2);

    // 1. single-client CreatePartition latency
    const createPartition = partitionWriter(client);
    let putCount = 0;
    const sides: Array<{ name: string; pids: () => number[]; op: () => Promise<unknown>; rounds: Array<Record<string, number>> }> = [
      { name: 'createPartition', pids: () => nodes.map((n) => n.pid), op: createPartition, rounds: [] },
    ];
    if (!noEtcd) {
      etcd = await EtcdCluster.start();
      const anchor = etcd;
      sides.push({ name: 'etcdPut', pids: () => anchor.procs.map((p) => p.pid ?? 0), op: () => anchor.put(`k${putCount++}`, 'v'), rounds: [] });
      sides.push({ name: 'etcdPutGrpc', pids: () => anchor.procs.map((p) => p.pid ?? 0), op: () => anchor.grpc().put(`g${putCount++}`, 'v'), rounds: [] });
    }
    for (const side of sides) {
      log(`${side.name}: ${cold} cold writes timed, then ${warmup - cold} to warm up`);
      const coldRun = await timeWithCpu(cold, side.pids(), side.op);
      await timeEach(warmup - cold, side.op);
      results[`${side.name}Cold`] = { samples: coldRun['samples'], p50Ms: coldRun['p50Ms'], p99Ms: coldRun['p99Ms'] };
    }
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? sides : [...sides].reverse()) side.rounds.push(await timeWithCpu(perRound, side.pids(), side.op));
      log(`latency round ${r + 1} of ${rounds}: ${sides.map((side) => `${side.name} p50 ${side.rounds[r]?.['p50Ms'] ?? '?'} ms`).join(', ')}`);
    }
    const median = (values: number[]): number => percentile(values, 0.5);
    for (const side of sides) {
      const of = (k: string): number[] => side.rounds.map((x) => x[k] as number);
      results[side.name] = {
        samples: rounds * perRound,
        p50Ms: round(median(of('p50Ms'))),
        p99Ms: round(median(of('p99Ms'))),
        roundP50sMs: of('p50Ms'),
        serverCpuMsPerOp: round(median(of('serverCpuMsPerOp'))),
        clientCpuMsPerOp: round(median(of('clientCpuMsPerOp'))),
        ...(side.name === 'etcdPut' ? { via: 'etcd 3.4 HTTP gateway, keep-alive' } : {}),
        ...(side.name === 'etcdPutGrpc' ? { via: 'etcd 3.4 gRPC KV/Put through grpc-js (rootcoord client channel options)' } : {}),
      };
    }

    // The floor without replication: the same calls on a one-node cluster (one fsync, no peer messages).
    if (!quick) {
      log('the floor: the same writes on a one-node cluster');
      const one = await BenchCluster.up({ nodes: 1 });
      try {
        const single = await one.client();
        const op = partitionWriter(single);
        await timeEach(warmup, op);
        results['createPartitionOneNode'] = await timeWithCpu(rounds * perRound, one.pids(), op);
        single.close();
      } finally {
        await one.stop();
      }
    }

    // 2. AllocTimestamp throughput against an empty call on the same server
    // Alternate the two so that both see the same machine; report medians of three rounds each.
    const emptyRounds: number[] = [];
    const tsoRounds: number[] = [];
    for (let r = 0; r < 3; r++) {
      emptyRounds.push(await throughput(64, seconds, () => client.call('GetComponentStates')));
      tsoRounds.push(await throughput(64, seconds, () => client.allocTimestamp(1)));
      log(`AllocTimestamp round ${r + 1} of 3: ${Math.round(tsoRounds[r] ?? 0)}/s against an empty call's ${Math.round(emptyRounds[r] ?? 0)}/s`);
    }
    const empty = percentile(emptyRounds, 0.5);
    const tso = percentile(tsoRounds, 0.5);
    results['allocTimestamp'] = { concurrency: 64, perSec: Math.round(tso), emptyCallPerSec: Math.round(empty), ratio: round(tso / empty, 3), rounds: { empty: emptyRounds.map(Math.round), tso: tsoRounds.map(Math.round) } };
    client.close();

    // 3. failover: kill -9 of the leader to the next successful DDL
    const failovers: number[] = [];
    for (let k = 0; k < kills; k++) {
      const probe = new RootCoordClient({ endpoints: nodes.map((n) => n.client), retryBudgetMs: 30_000, attemptDeadlineMs: 2000 });
      await probe.createPartition('bench', `warm${k}`);
      await cluster.cmd('kill', 'leader');
      const killedAt = performance.now();
      for (let attempt = 0; ; attempt++) {
        try {
          await probe.createPartition('bench', `after${k}_${attempt}`);
          break;
        } catch {
          // an unknown outcome during the failover: try again
        }
      }
      failovers.push(performance.now() - killedAt);
      log(`failover ${k + 1} of ${kills}: kill -9 of the leader to the next DDL in ${round(failovers[k] ?? 0, 1)} ms`);
      probe.close();
      const dead = (await cluster.status()).nodes.find((n) => !n.alive);
      if (dead !== undefined) await cluster.cmd('start', String(dead.id));
      await cluster.waitCaughtUp(30_000, 0);
    }
    results['failover'] = { kills, samplesMs: failovers.map((f) => round(f, 1)), p50Ms: round(percentile(failovers, 0.5), 1), p99Ms: round(percentile(failovers, 0.99), 1) };
  } finally {
    etcd?.stop();
    await cluster.stop();
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(out, 'RESULTS.md'), markdown(results));
  for (const [name, svg] of Object.entries(charts(results))) writeFileSync(join(out, `${name}.svg`), svg);
  log(`wrote ${join(out, 'results.json')}, RESULTS.md and its charts`);
  console.log(JSON.stringify(results, null, 2));
}

/** The run's charts: each latency round's p50 per side, and each failover's time to the next DDL. */
function charts(r: Record<string, unknown>): Record<'latency-rounds' | 'failover', string> {
  const rounds = (name: string): Array<[number, number]> => (((r[name] ?? {}) as { roundP50sMs?: number[] }).roundP50sMs ?? []).map((v, i) => [i + 1, v]);
  const labels: Record<string, string> = { createPartition: 'rootcoord CreatePartition', etcdPut: 'etcd put (HTTP gateway)', etcdPutGrpc: 'etcd put (gRPC)' };
  const failover = ((r['failover'] ?? {}) as { samplesMs?: number[] }).samplesMs ?? [];
  return {
    'latency-rounds': svgChart({
      title: 'single-client sequential writes: p50 of each round',
      xLabel: 'round (the sides alternate)',
      yLabel: 'ms',
      series: Object.keys(labels).filter((name) => rounds(name).length > 0).map((name) => ({ name: labels[name] as string, points: rounds(name) })),
    }),
    failover: svgChart({
      title: 'kill -9 of the leader to the next successful DDL',
      xLabel: 'kill',
      yLabel: 'ms',
      series: [{ name: 'time to the next DDL', points: failover.map((ms, i) => [i + 1, ms]), steps: true }, { name: 'target: 1 s', points: [[0, 1000], [failover.length + 1, 1000]] }],
    }),
  };
}

function markdown(r: Record<string, unknown>): string {
  const get = (k: string): Record<string, number | string> => (r[k] ?? {}) as Record<string, number | string>;
  const ddl = get('createPartition');
  const etcd = get('etcdPut');
  const etcdGrpc = get('etcdPutGrpc');
  const tso = get('allocTimestamp');
  const fo = get('failover');
  const one = get('createPartitionOneNode');
  const ddlCold = get('createPartitionCold');
  const etcdCold = get('etcdPutCold');
  return `# rootcoord benchmark (${String(r['date'])}${r['quick'] === true ? ', quick' : ''})

| figure | rootcoord | anchor | target |
| --- | --- | --- | --- |
| single-client CreatePartition p50 (median of rounds) | ${ddl['p50Ms']} ms (p99 ${ddl['p99Ms']}) | etcd put (HTTP gateway) p50 ${etcd['p50Ms'] ?? 'n/a'} ms (p99 ${etcd['p99Ms'] ?? 'n/a'}); ratio ${etcd['p50Ms'] === undefined ? 'n/a' : round(Number(ddl['p50Ms']) / Number(etcd['p50Ms']), 2)} | no slower than etcd |
| the same, against etcd put via gRPC (grpc-js) | ${ddl['p50Ms']} ms | etcd put p50 ${etcdGrpc['p50Ms'] ?? 'n/a'} ms (p99 ${etcdGrpc['p99Ms'] ?? 'n/a'}); ratio ${etcdGrpc['p50Ms'] === undefined ? 'n/a' : round(Number(ddl['p50Ms']) / Number(etcdGrpc['p50Ms']), 2)} | no slower than etcd |
| AllocTimestamp, 64 in flight | ${tso['perSec']}/s | empty call ${tso['emptyCallPerSec']}/s (ratio ${tso['ratio']}) | >= 0.9 |
| kill -9 of leader to next DDL | p50 ${fo['p50Ms']} ms, p99 ${fo['p99Ms']} ms over ${fo['kills']} kills | etcd: 1.0 to 2.4 s (spec) | < 1 s p99 |

CPU per sequential write (all server processes / the benchmark client): rootcoord CreatePartition
${ddl['serverCpuMsPerOp']} / ${ddl['clientCpuMsPerOp']} ms; etcd put (HTTP) ${etcd['serverCpuMsPerOp'] ?? 'n/a'} / ${etcd['clientCpuMsPerOp'] ?? 'n/a'} ms; etcd put (gRPC) ${etcdGrpc['serverCpuMsPerOp'] ?? 'n/a'} / ${etcdGrpc['clientCpuMsPerOp'] ?? 'n/a'} ms.
Cold start (the first ${ddlCold['samples']} writes after the cluster started): CreatePartition p50 ${ddlCold['p50Ms']} ms, etcd put p50 ${etcdCold['p50Ms'] ?? 'n/a'} ms (HTTP), ${get('etcdPutGrpcCold')['p50Ms'] ?? 'n/a'} ms (gRPC).
Per-round p50s (ms): CreatePartition ${(ddl['roundP50sMs'] as unknown as number[] | undefined)?.join(', ')}; etcd HTTP ${(etcd['roundP50sMs'] as unknown as number[] | undefined)?.join(', ') ?? 'n/a'}; etcd gRPC ${(etcdGrpc['roundP50sMs'] as unknown as number[] | undefined)?.join(', ') ?? 'n/a'}.
One-node rootcoord (no replication) CreatePartition p50: ${one['p50Ms'] ?? 'n/a'} ms (server CPU ${one['serverCpuMsPerOp'] ?? 'n/a'} ms per call).

![p50 of each latency round](latency-rounds.svg)

![kill -9 of the leader to the next DDL](failover.svg)
`;
}

const USAGE = `usage: scripts/bench [--quick] [--out bench/results] [--no-etcd]
         scripts/bench --scale [--quick] [--collections N] [--clients 64] [--per-database 60000] [--restarts 3] [--cluster-flags F] [--out DIR] [--max-minutes M]
         scripts/bench --load [--quick] [--clients 500] [--seconds 60] [--channels 50] [--parts load,big,auth] [--prefill N] [--cluster-flags F] [--out DIR]
         scripts/bench --cold [--quick] [--calls 3000] [--block 250] [--no-profile | --only-profile] [--node-flags F] [--out DIR]
         scripts/bench --floor [--quick] [--rounds 8] [--per-round 250] [--no-etcd] [--out DIR]
The default: single-client CreatePartition against a 3-node etcd put (through grpc-js and etcd's HTTP
gateway), AllocTimestamp throughput, kill -9 of the leader to the next DDL. --scale: a fill to 200,000
collections, latency, restart and join at that size. --load: 500 callers, failover under them, big
requests, a wrong-password flood (--prefill N: each on a cluster first filled to N collections). --cold: the first calls after a start. --floor: the steps a write
cannot skip. Results in results.json and RESULTS.md (see the README, "Benchmarks").`;

/** --scale, --load, --cold and --floor live in their own files; the default is the benchmark above. */
async function dispatch(): Promise<void> {
  const args = new Args(process.argv.slice(2));
  if (args.has('help')) {
    console.log(USAGE);
    return;
  }
  if (args.has('scale')) return (await import('./bench-scale.js')).runScale(args);
  if (args.has('load')) return (await import('./bench-load.js')).runLoad(args);
  if (args.has('cold')) return (await import('./bench-cold.js')).runCold(args);
  if (args.has('floor')) return (await import('./bench-floor.js')).runFloor(args);
  return main();
}

dispatch().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
