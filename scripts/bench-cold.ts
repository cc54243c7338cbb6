/**
 * scripts/bench --cold [--quick] [--calls 3000] [--block 250] [--no-profile | --only-profile] [--node-flags F] [--out DIR]
 * Why are the first DDLs after a cluster starts slower than the warm ones? Sequential single-client
 * CreatePartition, p50 and CPU per call (servers from /proc, the client from process.cpuUsage) per
 * block of calls, in four combinations, one cluster at a time:
 *   A. fresh client process (cold JIT), fresh cluster;
 *   B. fresh client process, warm cluster (the same cluster, after A);
 *   C. warm client (this process, warmed on that cluster), warm cluster;
 *   D. warm client (a new RootCoordClient: new channel, JIT warm), fresh cluster;
 * plus the first calls of a new channel on a warm cluster (connection set-up), and a CPU profile
 * of the leader (--cpu-prof) on a fresh cluster, read per call in windows of calls (1-500, 501-1000,
 * 1001-2500, 2501-3000) by their CLOCK_MONOTONIC times. The client of the profiled run is this
 * process: warm after A to D, cold with --only-profile.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Args, BenchCluster, SCHEMA2, defaultOut, log, machineInfo, onCleanup, percentile, round, sleep, svgChart, timeEach, partitionWriter } from './bench-lib.js';
import { coldBlocks } from './bench-cold-client.js';

const run = promisify(execFile);
const childScript = fileURLToPath(new URL('./bench-cold-client.js', import.meta.url));

type Blocks = Array<Record<string, number>>;

async function childRun(cluster: BenchCluster, calls: number, block: number, prefix: string): Promise<Blocks> {
  const endpoints = await cluster.endpointsLeaderFirst();
  const { stdout } = await run(process.execPath, [childScript, '--endpoints', endpoints.join(','), '--pids', cluster.pids().join(','), '--calls', String(calls), '--block', String(block), '--prefix', prefix], { maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  return (JSON.parse(stdout) as { blocks: Blocks }).blocks;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Window {
  name: string;
  calls: number;
  /** CLOCK_MONOTONIC in microseconds (process.hrtime), the clock of V8's profile timestamps on Linux. */
  fromUs: number;
  toUs: number;
}

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Self time of a V8 .cpuprofile inside each window (timestamps: startTime plus the time deltas), per call. */
function analyseProfile(path: string, windows: readonly Window[]): Array<{ name: string; calls: number; wallMs: number; busyMs: number; busyMsPerCall: number; byAreaMsPerCall: Record<string, number>; top: Array<[string, number]> }> {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const area = (n: ProfileNode): string => {
    const { functionName, url } = n.callFrame;
    if (functionName.startsWith('(')) return functionName;
    if (url.includes('@grpc')) return 'grpc-js';
    if (url.includes('protobufjs')) return 'protobufjs';
    if (url.includes('level')) return 'LevelDB binding';
    if (url.includes('prom-client')) return 'prom-client';
    if (url.includes('/raft/')) return 'raft/';
    if (url.includes('/src/')) return 'src/';
    if (url.startsWith('node:')) return 'node internals';
    if (url === '') return '(native or builtin)';
    return 'other';
  };
  const acc = windows.map(() => ({ busyMs: 0, byArea: {} as Record<string, number>, fns: new Map<string, number>() }));
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    const w = windows.findIndex((x) => t >= x.fromUs && t < x.toUs);
    if (w < 0) continue;
    const node = byId.get(profile.samples[i] as number);
    if (node === undefined || node.callFrame.functionName === '(idle)') continue;
    const cur = acc[w] as (typeof acc)[number];
    const ms = dt / 1000;
    cur.busyMs += ms;
    const a = area(node);
    cur.byArea[a] = (cur.byArea[a] ?? 0) + ms;
    const key = `${node.callFrame.functionName || '(anonymous)'} ${basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    cur.fns.set(key, (cur.fns.get(key) ?? 0) + ms);
  }
  return windows.map((w, i) => {
    const c = acc[i] as (typeof acc)[number];
    return {
      name: w.name,
      calls: w.calls,
      wallMs: round((w.toUs - w.fromUs) / 1000, 1),
      busyMs: round(c.busyMs, 1),
      busyMsPerCall: round(c.busyMs / w.calls, 3),
      byAreaMsPerCall: Object.fromEntries(Object.entries(c.byArea).map(([k, v]) => [k, round(v / w.calls, 3)] as [string, number]).sort((x, y) => y[1] - x[1])),
      top: [...c.fns.entries()].sort((x, y) => y[1] - x[1]).slice(0, 25).map(([k, v]) => [k, round(v / w.calls, 4)] as [string, number]),
    };
  });
}

export async function runCold(args: Args): Promise<void> {
  const quick = args.has('quick');
  const calls = args.number('calls', quick ? 1500 : 3000);
  const block = args.number('block', 250);
  const out = resolve(args.value('out', defaultOut(quick ? 'cold-quick' : 'cold')));
  // --node-flags "...": extra Node/V8 flags for the nodes (e.g. --maglev), through scripts/cluster's ROOTCOORD_NODE_FLAGS.
  const nodeFlags = args.value('node-flags', '');
  const clusterEnv = nodeFlags === '' ? {} : { env: { ...process.env, ROOTCOORD_NODE_FLAGS: nodeFlags } };
  const results: Record<string, unknown> = { kind: 'cold', nodeFlags, date: new Date().toISOString(), calls, block, machine: machineInfo() };
  const progress = (name: string, blocks: Blocks): void => log(`${name}: p50 per block of ${block}: ${blocks.map((b) => b['p50Ms']).join(', ')} ms; server CPU/op ${blocks.map((b) => b['serverCpuMsPerOp']).join(', ')}; client CPU/op ${blocks.map((b) => b['clientCpuMsPerOp']).join(', ')}`);

  // A, B, C on cluster 1
  if (!args.has('only-profile')) {
    const cluster = await BenchCluster.up(clusterEnv);
    try {
      await sleep(1000);
      const a = await childRun(cluster, calls, block, 'a');
      progress('A fresh client, fresh cluster', a);
      const b = await childRun(cluster, calls, block, 'b');
      progress('B fresh client, warm cluster', b);
      const client = await cluster.client();
      const w = await coldBlocks(client, cluster.pids(), calls, block, 'w');
      progress('(this process warming up on the warm cluster)', w.blocks);
      const c = await coldBlocks(client, cluster.pids(), Math.min(calls, 1000), block, 'c');
      progress('C warm client, warm cluster', c.blocks);
      client.close();
      Object.assign(results, { A_freshClient_freshCluster: a, B_freshClient_warmCluster: b, warmingThisProcess: w.blocks, C_warmClient_warmCluster: c.blocks });
    } finally {
      await cluster.stop();
    }
  }
  // D and the new channel on cluster 2
  if (!args.has('only-profile')) {
    const cluster = await BenchCluster.up(clusterEnv);
    try {
      await sleep(1000);
      const client = await cluster.client();
      const d = await coldBlocks(client, cluster.pids(), calls, block, 'd');
      progress('D warm client (new channel), fresh cluster', d.blocks);
      client.close();
      const channels: number[][] = [];
      for (let i = 0; i < 5; i++) {
        const fresh = await cluster.client();
        const write = partitionWriter(fresh, `n${i}`);
        await fresh.createCollection('warmup_other', SCHEMA2).catch(() => {});
        channels.push((await timeEach(20, write)).map((x) => round(x, 2)));
        fresh.close();
      }
      results['D_warmClient_freshCluster'] = d.blocks;
      results['newChannelOnWarmCluster'] = { note: 'first call includes a CreateCollection on the new channel (untimed), then 20 timed CreatePartition', firstTimedMs: channels.map((c) => c[0]), restP50Ms: round(percentile(channels.flatMap((c) => c.slice(1)), 0.5), 3) };
      log(`new channel on a warm cluster: ${JSON.stringify(results['newChannelOnWarmCluster'])}`);
    } finally {
      await cluster.stop();
    }
  }
  // a CPU profile of the leader: idle, 500 cold calls, idle, 2000 calls, idle, 500 warm calls
  if (!args.has('no-profile')) {
    const profDir = mkdtempSync(join(tmpdir(), 'rootcoord-cold-prof-'));
    const unregister = onCleanup(() => rmSync(profDir, { recursive: true, force: true }));
    let leaderPid = 0;
    let profileWindows: Window[] = [];
    try {
      const cluster = await BenchCluster.up({ env: { ...process.env, ROOTCOORD_NODE_FLAGS: `${nodeFlags} --cpu-prof --cpu-prof-dir=${profDir}` } });
      try {
        const leader = await cluster.leader();
        leaderPid = cluster.node(leader).pid;
        const client = await cluster.client();
        const windows: Window[] = [];
        const timed = async (name: string, calls: number, prefix: string): Promise<number[]> => {
          const fromUs = nowUs();
          const samples = await timeEach(calls, partitionWriter(client, prefix));
          windows.push({ name, calls, fromUs, toUs: nowUs() });
          return samples;
        };
        await sleep(2000);
        const cold = await timed('first 500 calls', 500, 'pc');
        await timed('calls 501-1000', 500, 'pd');
        await timed('calls 1001-2500', 1500, 'pm');
        const warm = await timed('calls 2501-3000 (warm)', 500, 'pw');
        await sleep(1000);
        client.close();
        profileWindows = windows;
        results['profileRun'] = { leader, coldP50Ms: round(percentile(cold, 0.5)), warmP50Ms: round(percentile(warm, 0.5)) };
        log(`profiled run: cold p50 ${round(percentile(cold, 0.5))} ms, warm p50 ${round(percentile(warm, 0.5))} ms`);
      } finally {
        await cluster.stop(); // SIGTERM: the nodes exit through process.exit and write their profiles
      }
    } catch (error) {
      log(`the profiled run failed: ${(error as Error).message}`);
      results['profileError'] = (error as Error).message.slice(0, 500);
    }
    const file = readdirSync(profDir).find((f) => f.includes(`.${leaderPid}.`));
    if (file === undefined) {
      log(`no profile of the leader (pid ${leaderPid}) in ${profDir}: ${readdirSync(profDir).join(', ')}`);
    } else {
      const segments = analyseProfile(join(profDir, file), profileWindows);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'leader.cpuprofile'), readFileSync(join(profDir, file)));
      results['leaderProfile'] = { note: "the leader's CPU profile (--cpu-prof, sampled) in windows of sequential calls; ms per call", windows: segments };
      for (const s of segments) log(`leader profile, ${s.name}: busy ${s.busyMsPerCall} ms per call; ${JSON.stringify(s.byAreaMsPerCall)}`);
    }
    rmSync(profDir, { recursive: true, force: true });
    unregister();
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const series = (['A_freshClient_freshCluster', 'B_freshClient_warmCluster', 'C_warmClient_warmCluster', 'D_warmClient_freshCluster'] as const).map((k) => ({ name: k.replace(/_/g, ' '), points: ((results[k] ?? []) as Blocks).map((b) => [b['from'] as number, b['p50Ms'] as number] as [number, number]) }));
  writeFileSync(join(out, 'cold-p50.svg'), svgChart({ title: `CreatePartition p50 per block of ${block} calls`, xLabel: 'calls since the client (and cluster) started', yLabel: 'ms', series }));
  writeFileSync(join(out, 'RESULTS.md'), coldMarkdown(results, block));
  log(`results in ${out}`);
}

function coldMarkdown(r: Record<string, unknown>, block: number): string {
  const row = (k: string): string => {
    const b = (r[k] ?? []) as Blocks;
    return `| ${k.replace(/_/g, ' ')} | ${b.map((x) => x['p50Ms']).join(' · ')} | ${b.map((x) => x['serverCpuMsPerOp']).join(' · ')} | ${b.map((x) => x['clientCpuMsPerOp']).join(' · ')} |`;
  };
  const prof = r['leaderProfile'] as { windows: Array<{ name: string; busyMsPerCall: number; byAreaMsPerCall: Record<string, number>; top: Array<[string, number]> }> } | undefined;
  return `# Cold start of CreatePartition (${String(r['date'])})

Sequential single-client CreatePartition; per block of ${block} calls: p50 (ms), the three servers' CPU per call (ms, /proc),
the client's CPU per call (ms). Machine: ${JSON.stringify(r['machine'])}; shared, noisy.

| run | p50 per block | server CPU per call | client CPU per call |
| --- | --- | --- | --- |
${['A_freshClient_freshCluster', 'B_freshClient_warmCluster', 'warmingThisProcess', 'C_warmClient_warmCluster', 'D_warmClient_freshCluster'].map(row).join('\n')}

New channel on a warm cluster: ${JSON.stringify(r['newChannelOnWarmCluster'])}.

Profiled run (leader, --cpu-prof): ${JSON.stringify(r['profileRun'])}
${(prof?.windows ?? []).map((s) => `
### the leader's CPU, ${s.name}: ${s.busyMsPerCall} ms per call

by area (ms per call): ${JSON.stringify(s.byAreaMsPerCall)}

top self time (ms per call): ${s.top.slice(0, 15).map(([k, v]) => `${k} ${v}`).join('; ')}
`).join('')}`;
}
