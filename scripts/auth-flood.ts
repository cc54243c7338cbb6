/**
 * scripts/auth-flood: does a flood of wrong passwords cost the cluster its leader? (issue 8)
 *   node dist/scripts/auth-flood.js [--clients 16] [--seconds 20] [--rotate] [--writes]
 *       [--main dist/src/main.js] [--limit name=value]...
 * Starts three nodes with --auth (their own processes, started as scripts/cluster starts them: 32 MB
 * semi-spaces, libuv's pool at 16; 127.0.0.1, free ports, a temporary directory),
 * then for --seconds runs --clients flooding clients (in a process of their own, each on its own
 * connection to one node in turn, calling ListDatabases as root with a wrong password back to back;
 * --writes: CreateDatabase, a leader call, which followers forward; --rotate: on a new connection
 * after each backoff refusal) and one legitimate client (root, right password, an AlterDatabase, a
 * Raft write, every 100 ms), and every 2 s a user signing in for the first time (a password to hash
 * while the flood goes on). Reports the leader changes the nodes counted
 * (rootcoord_raft_leader_changes_seen_total, summed), the times no node knew a leader, the legitimate
 * calls' latency and failures, the first sign-ins' latency, how the flood's calls were answered, and
 * the CPU time the nodes and the flood process used. `--main` runs another build (for a before/after
 * comparison); the nodes are stopped (by their PIDs) at the end.
 */
import * as grpc from '@grpc/grpc-js';
import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientChannelOptions, rootCoordService } from '../src/protocol/proto.js';
import type { PlainMessage } from '../src/protocol/proto.js';
import { authorizationValue } from '../src/protocol/headers.js';
import { RootCoordClient, RootCoordError } from '../src/client/root-coord-client.js';
import { Args, cpuMs, percentile, scrape, sleep } from './bench-lib.js';
import { freeBasePort } from './free-ports.js';
import { nodeCommandLine, nodeEnvironment } from './processes.js';

const ROOT_PASSWORD = 'flood-test-root';

/** Counts a failed call under its code and reason (without the node's address). */
function count(failures: Map<string, number>, error: unknown): void {
  const what = error instanceof RootCoordError ? `code ${error.code}: ${error.reason.replace(/ on 127[^:]*:\d+/, '').slice(0, 90)}` : String(error);
  failures.set(what, (failures.get(what) ?? 0) + 1);
}

/** rootcoord_raft_leader_changes_seen_total summed over the nodes (NaN if a node does not answer). */
async function leaderChanges(metrics: string[]): Promise<number> {
  let total = 0;
  for (const address of metrics) total += (await scrape(address).catch(() => null))?.get('rootcoord_raft_leader_changes_seen_total') ?? NaN;
  return total;
}

type Stub = grpc.Client & Record<string, (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: PlainMessage) => void) => void>;
const RootCoordStub = grpc.makeGenericClientConstructor(rootCoordService.definition, 'RootCoord');

/**
 * The flood, in a process of its own, as an attacker's would be: `clients` clients, each on its own
 * connection to one node in turn, ListDatabases (CreateDatabase with `writes`) as root with a wrong
 * password, back to back. With `rotate`, a client refused for backoff opens a new connection (the worst case: the per-connection
 * backoff is evaded, only the pool's bounds remain).
 */
async function flood(endpoints: string[], clients: number, seconds: number, rotate: boolean, writes: boolean): Promise<Record<string, number>> {
  const stopAt = Date.now() + seconds * 1000;
  const answers: Record<string, number> = {};
  const count = (what: string): void => {
    answers[what] = (answers[what] ?? 0) + 1;
  };
  await Promise.all(Array.from({ length: clients }, async (_, i) => {
    const endpoint = endpoints[i % endpoints.length] as string;
    // A connection of its own (grpc-js would otherwise share one per server among the process's channels).
    const connect = (): Stub => new RootCoordStub(endpoint, grpc.credentials.createInsecure(), { ...clientChannelOptions, 'grpc.use_local_subchannel_pool': 1 }) as unknown as Stub;
    let stub = connect();
    const metadata = new grpc.Metadata();
    metadata.set('authorization', authorizationValue('root', `wrong-${i}`));
    while (Date.now() < stopAt) {
      const what = await new Promise<string>((done) => {
        (stub[writes ? 'CreateDatabase' : 'ListDatabases'] as Stub[string]).call(stub, writes ? { db_name: `flood${i}` } : {}, metadata, { deadline: Date.now() + 10_000 }, (error, response) => {
          if (error !== null) done(/too many failed logins/.test(error.details) ? 'backoff' : grpc.status[error.code] ?? String(error.code));
          // CreateDatabase answers a Status; ListDatabases a response with one.
          else done(`status ${String((('error_code' in response ? response : response['status']) as PlainMessage | undefined)?.['code'] ?? 0)}`);
        });
      });
      count(what);
      if (rotate && what === 'backoff') {
        stub.close();
        stub = connect();
      }
    }
    stub.close();
  }));
  return answers;
}

type FloodReport = { answers: Record<string, number>; cpuSeconds: number };

function floodProcess(endpoints: string[], clients: number, seconds: number, rotate: boolean, writes: boolean): Promise<FloodReport> {
  const child = fork(fileURLToPath(import.meta.url), ['--flood-child', endpoints.join(','), String(clients), String(seconds), String(rotate), String(writes)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((done, fail) => {
    child.once('message', (report) => done(report as FloodReport));
    child.once('exit', (code) => fail(new Error(`the flood process exited with ${String(code)}`)));
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--flood-child') {
    const answers = await flood((argv[1] as string).split(','), Number(argv[2]), Number(argv[3]), argv[4] === 'true', argv[5] === 'true');
    const cpu = process.cpuUsage();
    process.send?.({ answers, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    process.disconnect?.();
    return;
  }
  const args = new Args(argv);
  const clients = args.number('clients', 16);
  const seconds = args.number('seconds', 20);
  const mainScript = resolve(args.value('main', fileURLToPath(new URL('../src/main.js', import.meta.url))));
  const limits = argv.flatMap((a, i) => (a === '--limit' && argv[i + 1] !== undefined ? ['--limit', argv[i + 1] as string] : []));
  const dir = await mkdtemp(join(tmpdir(), 'auth-flood-'));
  const base = await freeBasePort(3, 0);
  const ids = [1, 2, 3];
  const client = (id: number): string => `127.0.0.1:${base + id}`;
  const metrics = ids.map((id) => `127.0.0.1:${base + 200 + id}`);
  const peers = ids.map((id) => `${id}=127.0.0.1:${base + 100 + id}`).join(',');
  const clientList = ids.map((id) => `${id}=${client(id)}`).join(',');
  await writeFile(join(dir, 'root.password'), ROOT_PASSWORD, { mode: 0o600 });
  const children: ChildProcess[] = ids.map((id) =>
    spawn(process.execPath, nodeCommandLine([mainScript, '--id', String(id), '--data-dir', join(dir, `node-${id}`), '--peers', peers, '--clients', clientList, '--metrics-address', metrics[id - 1] as string, '--milvus-address', 'none', '--secret', 'flood', '--auth', '--root-password-file', join(dir, 'root.password'), '--log-file', join(dir, `node-${id}.log`), ...limits]), { stdio: 'ignore', env: nodeEnvironment() }),
  );
  const endpoints = ids.map(client);
  const legit = new RootCoordClient({ endpoints, user: 'root', password: ROOT_PASSWORD, retryBudgetMs: 15_000 });
  try {
    for (const deadline = Date.now() + 30_000; ; ) {
      try {
        await legit.listDatabases();
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(200);
      }
    }
    // Users who sign in for the first time during the flood: their passwords must be hashed.
    const newcomers = Array.from({ length: Math.ceil(seconds / 2) }, (_, i) => `newcomer${i}`);
    for (const user of newcomers) await legit.createCredential(user, `${user}-password`);
    const changesBefore = await leaderChanges(metrics);
    const cpuSeconds = (pid: number | undefined): number => cpuMs([pid ?? -1]) / 1000;
    const nodeCpuBefore = children.map((c) => cpuSeconds(c.pid));
    const stopAt = Date.now() + seconds * 1000;
    const flooding = floodProcess(endpoints, clients, seconds, args.has('rotate'), args.has('writes'));
    let leaderless = 0;
    let samples = 0;
    const watch = (async () => {
      while (Date.now() < stopAt) {
        const leaders = await Promise.all(endpoints.map((e) => legit.clusterStatus(e).then((s) => Number(s['leader']), () => 0)));
        samples++;
        if (leaders.every((l) => l === 0)) leaderless++;
        await sleep(250);
      }
    })();
    const signIns: number[] = [];
    const signInFailures = new Map<string, number>();
    const arrivals = (async () => {
      for (const user of newcomers) {
        await sleep(2000);
        if (Date.now() >= stopAt) break;
        const newcomer = new RootCoordClient({ endpoints, user, password: `${user}-password`, retryBudgetMs: 15_000 });
        const t0 = performance.now();
        await newcomer.listDatabases().then(() => signIns.push(performance.now() - t0), (error: unknown) => count(signInFailures, error));
        newcomer.close();
      }
    })();
    const latencies: number[] = [];
    const failures = new Map<string, number>();
    for (let i = 0; Date.now() < stopAt; i++) {
      const t0 = performance.now();
      try {
        await legit.alterDatabase('default', { 'flood.round': String(i) });
        latencies.push(performance.now() - t0);
      } catch (error) {
        count(failures, error);
      }
      await sleep(100);
    }
    const [floodReport] = await Promise.all([flooding, watch, arrivals]);
    const nodeCpu = children.map((c, i) => Number((cpuSeconds(c.pid) - (nodeCpuBefore[i] as number)).toFixed(1)));
    const changes = (await leaderChanges(metrics)) - changesBefore;
    latencies.sort((a, b) => a - b);
    signIns.sort((a, b) => a - b);
    const ms = (n: number): string => `${n.toFixed(1)} ms`;
    console.log(JSON.stringify({
      build: mainScript,
      floodingClients: clients,
      seconds,
      leaderChanges: changes,
      leaderlessSamples: `${leaderless}/${samples}`,
      legit: { ok: latencies.length, failed: Object.fromEntries(failures), p50: ms(percentile(latencies, 0.5)), p99: ms(percentile(latencies, 0.99)), max: ms(latencies.at(-1) ?? NaN) },
      firstSignIns: { ok: signIns.length, failed: Object.fromEntries(signInFailures), p50: ms(percentile(signIns, 0.5)), max: ms(signIns.at(-1) ?? NaN) },
      floodAnswers: floodReport.answers,
      cpuSeconds: { nodes: nodeCpu, floodProcess: Number(floodReport.cpuSeconds.toFixed(1)) },
    }, null, 2));
  } finally {
    legit.close();
    await Promise.all(children.map((child) => new Promise<void>((done) => {
      if (child.exitCode !== null || child.pid === undefined) return done();
      child.once('exit', () => done());
      process.kill(child.pid, 'SIGTERM');
    })));
    await rm(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
