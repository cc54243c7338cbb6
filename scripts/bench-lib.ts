/**
 * Shared machinery of scripts/bench (all its modes), lost-ack, overload and auth-flood: a local
 * cluster started through scripts/cluster in a temp dir (stopped by PID and removed even on error or
 * Ctrl-C), answer codes counted once per call (the client's own retries off) and the retry loop
 * around them, /metrics scraping, percentiles, hand-written SVG charts.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EVENT_LOOP_DELAY_BUCKETS } from '../src/metrics/node-metrics.js';
import { RootCoordClient, RootCoordError } from '../src/client/root-coord-client.js';
import type { ClientOptions } from '../src/client/root-coord-client.js';
import { ErrorCodes } from '../src/protocol/error-codes.js';
import * as grpc from '@grpc/grpc-js';
import { AUTHORIZATION_HEADER, authorizationValue } from '../src/protocol/headers.js';
import { clientChannelOptions, rootCoordService } from '../src/protocol/proto.js';
import type { PlainMessage } from '../src/protocol/proto.js';
import { encodeSchemaFile } from '../src/client/schema-file.js';
import type { SchemaFile } from '../src/client/schema-file.js';
import { freeBasePort } from './free-ports.js';
import { pidAlive } from './processes.js';
import { httpGet } from './http-get.js';
// Types only: importing cluster.ts for its types does not run it.
import type { NodeEntry, NodeState } from './cluster.js';

export { httpGet, pidAlive };

const run = promisify(execFile);
const clusterScript = fileURLToPath(new URL('./cluster.js', import.meta.url));

// ---- numbers ----

export function percentile(samples: readonly number[], p: number): number {
  const sorted = samples.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

export function round(n: number, digits = 3): number {
  return Number.isFinite(n) ? Number(n.toFixed(digits)) : n;
}

export function summary(samples: readonly number[]): { n: number; p50Ms: number; p99Ms: number; maxMs: number } {
  // The largest by a loop: Math.max(...samples) overflows the stack past about 120,000 samples (a 90 s
  // phase of 500 callers has more).
  const max = samples.reduce((a, b) => (b > a ? b : a), -Infinity);
  return { n: samples.length, p50Ms: round(percentile(samples, 0.5)), p99Ms: round(percentile(samples, 0.99)), maxMs: round(samples.length === 0 ? NaN : max) };
}

/** Time each of `count` sequential operations (ms); stop early after `budgetMs`. */
export async function timeEach(count: number, action: (i: number) => Promise<unknown>, budgetMs = Infinity): Promise<number[]> {
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  for (let i = 0; i < count && performance.now() < end; i++) {
    const t0 = performance.now();
    await action(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** CPU time (user + system, ms) used so far by these processes (Linux /proc; NaN elsewhere). */
export function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      return NaN;
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The machine a run is on, for its results: CPUs, Node's version, the load average at the start. */
export function machineInfo(): { cpus: number; node: string; loadavgAtStart: number[] } {
  return { cpus: cpus().length, node: process.version, loadavgAtStart: loadavg() };
}

export function log(message: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[${t}] ${message}\n`);
}

// ---- arguments ----

export class Args {
  constructor(readonly argv: readonly string[]) {}
  has(name: string): boolean {
    return this.argv.includes(`--${name}`);
  }
  value(name: string, fallback: string): string {
    const i = this.argv.indexOf(`--${name}`);
    return i >= 0 && this.argv[i + 1] !== undefined ? (this.argv[i + 1] as string) : fallback;
  }
  number(name: string, fallback: number): number {
    return Number(this.value(name, String(fallback)));
  }
}

// ---- cleanup on exit, error or Ctrl-C ----

const cleanups = new Set<() => void>();
let handlersInstalled = false;

/** Register a synchronous cleanup that runs on SIGINT/SIGTERM/exit (and may run more than once). */
export function onCleanup(fn: () => void): () => void {
  if (!handlersInstalled) {
    handlersInstalled = true;
    const runAll = (): void => {
      for (const c of [...cleanups]) {
        try {
          c();
        } catch {
          // best effort
        }
      }
    };
    process.on('exit', runAll);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        log(`${signal}: stopping every process this benchmark started`);
        runAll();
        process.exit(130);
      });
    }
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

export function killChild(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/**
 * A helper process of the benchmark (a compiled script beside this one): started with its standard
 * input a pipe (it exits when that closes), killed at exit; resolves with the JSON of the first line
 * it prints (its ports), and the way to stop it.
 */
export async function startHelper<T>(script: string, what: string): Promise<{ info: T; stop: () => void }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  const kill = (): void => killChild(child);
  const unregister = onCleanup(kill);
  const stop = (): void => {
    unregister();
    kill();
  };
  const line = await new Promise<string>((done, fail) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) done(text.split('\n')[0] as string);
    });
    child.on('exit', (code) => fail(new Error(`${what} exited (${String(code)}) before it listened`)));
    child.on('error', (error) => fail(new Error(`${what} did not start: ${error.message}`)));
  });
  return { info: JSON.parse(line) as T, stop };
}

/** An idle process timing its own event loop as the nodes do (scripts/bench-bystander.ts): the machine's share of their lag. */
export async function startBystander(): Promise<{ metrics: string; stop: () => void }> {
  const { info, stop } = await startHelper<{ metrics: unknown }>('./bench-bystander.js', 'the bystander process');
  if (typeof info.metrics !== 'string') {
    stop();
    throw new Error(`the bystander process did not say where its metrics are: ${JSON.stringify(info)}`);
  }
  return { metrics: info.metrics, stop };
}

// ---- the cluster under test ----

/** `--cluster-flags "F"`: more flags of `scripts/cluster up`, split at spaces (none by default). */
export function clusterFlags(args: Args): string[] {
  return args.value('cluster-flags', '').split(/\s+/).filter((flag) => flag !== '');
}

/** A local cluster (scripts/cluster) in its own temp dir; `stop()` or any exit stops its nodes by PID and removes the dir. */
export class BenchCluster {
  private readonly unregister: () => void;
  private stopped = false;

  private constructor(
    readonly dir: string,
    readonly auth: boolean,
    private readonly env: NodeJS.ProcessEnv | undefined,
    private readonly script: string = clusterScript,
  ) {
    this.unregister = onCleanup(() => this.killNow());
  }

  /**
   * `env`: the environment of scripts/cluster and so of the nodes it starts (e.g. NODE_OPTIONS=--cpu-prof);
   * `upFlags`: more flags of `scripts/cluster up` (e.g. --snapshot-entries 1000).
   */
  static async up(options: { limits?: string[]; auth?: boolean; nodes?: number; env?: NodeJS.ProcessEnv; clusterScript?: string; upFlags?: string[] } = {}): Promise<BenchCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'rootcoord-bench-'));
    const cluster = new BenchCluster(dir, options.auth === true, options.env, options.clusterScript);
    const base = await freeBasePort(options.nodes ?? 3, 2);
    const args = ['up', '--nodes', String(options.nodes ?? 3), '--base-port', String(base), '--gc-confirm-delay-ms', '0', ...(options.auth === true ? ['--auth'] : []), ...(options.limits ?? []).flatMap((l) => ['--limit', l]), ...(options.upFlags ?? [])];
    try {
      await cluster.cmd(...args);
    } catch (error) {
      cluster.killNow();
      throw error;
    }
    return cluster;
  }

  async cmd(...args: string[]): Promise<string> {
    return (await run(process.execPath, [this.script, ...args, '--dir', this.dir], { maxBuffer: 16 * 1024 * 1024, ...(this.env === undefined ? {} : { env: this.env }) })).stdout;
  }

  nodes(): NodeEntry[] {
    return (JSON.parse(readFileSync(join(this.dir, 'cluster.json'), 'utf8')) as { nodes: NodeEntry[] }).nodes;
  }

  node(id: number): NodeEntry {
    const n = this.nodes().find((x) => x.id === id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /**
   * One unary call to `endpoint` whose answer is not decoded: milliseconds until its bytes arrived
   * (the server's work and the transport, without the client library's decode) and their size.
   */
  async rawCall(endpoint: string, method: string, request: PlainMessage): Promise<{ ms: number; bytes: number }> {
    const definition = rootCoordService.definition[method];
    if (definition === undefined) throw new Error(`rawCall: no method ${method}`);
    const Raw = grpc.makeGenericClientConstructor({ [method]: { ...definition, responseDeserialize: (b: Buffer) => b } }, 'RootCoord');
    const client = new Raw(endpoint, grpc.credentials.createInsecure(), clientChannelOptions) as unknown as Record<string, (req: PlainMessage, md: grpc.Metadata, options: grpc.CallOptions, cb: (e: grpc.ServiceError | null, b?: Buffer) => void) => void> & grpc.Client;
    const metadata = new grpc.Metadata();
    const { user, password } = this.credentials();
    if (user !== undefined) metadata.set(AUTHORIZATION_HEADER, authorizationValue(user, password ?? ''));
    try {
      // A first call sets the connection up; the second is timed.
      const once = (): Promise<Buffer> => new Promise((res, rej) => (client[method] as (...a: unknown[]) => void)(request, metadata, { deadline: Date.now() + 60_000 }, (e: grpc.ServiceError | null, b?: Buffer) => (e ? rej(e) : res(b as Buffer))));
      await once();
      const t0 = performance.now();
      const bytes = await once();
      const ms = performance.now() - t0;
      // Decoded after the timing: a refusal (2001, 2002) is a short answer, not the one to time.
      const status = ((definition.responseDeserialize(bytes) as PlainMessage)['status'] ?? {}) as { code?: number; reason?: string };
      if ((status.code ?? 0) !== 0) throw new Error(`${method} answered ${String(status.code)}: ${String(status.reason)}`);
      return { ms, bytes: bytes.length };
    } finally {
      client.close();
    }
  }

  credentials(): Pick<ClientOptions, 'user' | 'password'> {
    return this.auth ? { user: 'root', password: 'Milvus' } : {};
  }

  async status(): Promise<{ leader: number | null; nodes: NodeState[] }> {
    return JSON.parse(await this.cmd('status', '--json')) as { leader: number | null; nodes: NodeState[] };
  }

  async leader(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.status().catch(() => null);
      if (s?.leader !== null && s?.leader !== undefined) return s.leader;
      if (Date.now() > deadline) throw new Error('no leader');
      await sleep(100);
    }
  }

  /** Client endpoints, the leader's first. */
  async endpointsLeaderFirst(): Promise<string[]> {
    const leader = await this.leader();
    return [...this.nodes()].sort((a, b) => (a.id === leader ? -1 : b.id === leader ? 1 : a.id - b.id)).map((n) => n.client);
  }

  /** A client that retries (the library's defaults): for set-up and probes, not for counting answers. */
  async client(options: Partial<ClientOptions> = {}): Promise<RootCoordClient> {
    return new RootCoordClient({ endpoints: await this.endpointsLeaderFirst(), ...this.credentials(), ...options });
  }

  /** Wait until every node of cluster.json is alive and has applied what the leader has (at most `behind` entries fewer). */
  async waitCaughtUp(timeoutMs = 60_000, behind = 5): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.status().catch(() => null);
      if (s !== null && s.leader !== null) {
        const leaderApplied = s.nodes.find((n) => n.id === s.leader)?.appliedIndex ?? -1;
        if (s.nodes.every((n) => n.alive && n.appliedIndex !== null && n.appliedIndex >= leaderApplied - behind)) return;
      }
      if (Date.now() > deadline) throw new Error('the cluster did not catch up');
      await sleep(200);
    }
  }

  pids(): number[] {
    try {
      return this.nodes().map((n) => n.pid);
    } catch {
      return [];
    }
  }

  /** Synchronous: SIGKILL every node by PID and remove the dir (signal handlers, exit). */
  killNow(): void {
    for (const pid of this.pids()) {
      if (pid > 0 && pidAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.cmd('down').catch(() => {});
    this.killNow();
    this.unregister();
  }
}

/** Bytes under a directory (recursive). */
export function duBytes(path: string, match: (name: string) => boolean = () => true): number {
  let total = 0;
  if (!existsSync(path)) return 0;
  for (const name of readdirSync(path)) {
    const p = join(path, name);
    const st = statSync(p);
    if (st.isDirectory()) total += duBytes(p, match);
    else if (match(name)) total += st.size;
  }
  return total;
}

// ---- /metrics ----

/**
 * Metric samples (name -> value), from Prometheus text: those without labels by name, and the buckets
 * of the event-loop delay histogram by their full name (`..._bucket{le="0.02"}`).
 */
export async function scrape(address: string, timeoutMs = 5000): Promise<Map<string, number>> {
  const { body } = await httpGet(address, '/metrics', timeoutMs);
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const space = line.lastIndexOf(' ');
    const name = line.slice(0, space);
    if (name.includes('{') && !LABELLED_KEPT.some((prefix) => name.startsWith(prefix))) continue;
    out.set(name, Number(line.slice(space + 1)));
  }
  return out;
}

/**
 * The request thread's event-loop delay: rootcoord_eventloop_delay_seconds, a cumulative histogram of
 * how late a 10 ms timer ran (src/metrics/node-metrics.ts). Its bucket bounds in ms, +Inf last.
 */
const DELAY_BUCKET = 'rootcoord_eventloop_delay_seconds_bucket{';
/** The Raft thread's own (rootcoord_raft_thread_eventloop_delay_seconds, raft/thread-health.ts), with the same bounds. */
const RAFT_DELAY_BUCKET = 'rootcoord_raft_thread_eventloop_delay_seconds_bucket{';
/** The Raft thread's GC pauses by kind (rootcoord_raft_thread_gc_duration_seconds{kind}). */
const RAFT_GC = 'rootcoord_raft_thread_gc_duration_seconds_';

/** The Raft thread's GC from a scrape, summed over kinds since the node started: all pauses' seconds, and the major ones' count. */
function raftGc(m: Map<string, number>): { seconds: number; majors: number } | undefined {
  let seconds: number | undefined;
  let majors = 0;
  for (const [name, value] of m) {
    if (!name.startsWith(RAFT_GC)) continue;
    if (name.startsWith(`${RAFT_GC}sum{`)) seconds = (seconds ?? 0) + value;
    else if (name === `${RAFT_GC}count{kind="major"}`) majors = value;
  }
  return seconds === undefined ? undefined : { seconds, majors };
}
/** The labelled series a scrape keeps (the others it drops). */
const LABELLED_KEPT = [DELAY_BUCKET, RAFT_DELAY_BUCKET, RAFT_GC];
export const DELAY_BOUNDS_MS: readonly number[] = [...EVENT_LOOP_DELAY_BUCKETS.map((s) => Math.round(s * 1000)), Infinity];

/** A delay histogram's cumulative counts from a scrape, in DELAY_BOUNDS_MS order (undefined: a node without it). */
function delayBuckets(m: Map<string, number>, bucket = DELAY_BUCKET): number[] | undefined {
  const counts = DELAY_BOUNDS_MS.map((ms) => m.get(`${bucket}le="${ms === Infinity ? '+Inf' : String(ms / 1000)}"}`));
  return counts.every((c) => c !== undefined) ? (counts as number[]) : undefined;
}

/**
 * prom-client's nodejs_eventloop_lag_* record each interval of a 10 ms timer, the interval included (an
 * idle loop shows p50 10.1 ms); the lag is what exceeds it.
 */
const LAG_SAMPLE_INTERVAL_MS = 10;

export interface NodeSample {
  id: number;
  ok: boolean;
  scrapeMs: number;
  leaderChanges?: number | undefined;
  isLeader?: number | undefined;
  term?: number | undefined;
  lagP99Ms?: number | undefined;
  lagMaxMs?: number | undefined;
  /** rootcoord_eventloop_delay_seconds's cumulative bucket counts (DELAY_BOUNDS_MS), since the node started. */
  delayBuckets?: number[] | undefined;
  /** The same of the Raft thread (rootcoord_raft_thread_eventloop_delay_seconds). */
  raftDelayBuckets?: number[] | undefined;
  /** The Raft thread's V8 heap in use and its external memory (ArrayBuffers), as it last reported them. */
  raftHeapMb?: number | undefined;
  raftExternalMb?: number | undefined;
  /** The Raft thread's GC since the node started (raftGc). */
  raftGc?: { seconds: number; majors: number } | undefined;
  /** process_start_time_seconds: a restarted node's counts start again. */
  startTimeSec?: number | undefined;
  rssMb?: number | undefined;
  heapMb?: number | undefined;
}

const lagMs = (sampleMs: number | undefined): number | undefined => (sampleMs === undefined ? undefined : round(Math.max(0, sampleMs - LAG_SAMPLE_INTERVAL_MS), 2));

/**
 * One scrape of every node's /metrics: leader changes, term, event-loop lag since the last scrape (p99
 * and max, beyond the sampling interval), the delay histogram since the node started, RSS.
 */
export async function sampleNodes(nodes: ReadonlyArray<Pick<NodeEntry, 'id' | 'metrics'>>, timeoutMs = 5000): Promise<NodeSample[]> {
  return Promise.all(
    nodes.map(async (n) => {
      const t0 = performance.now();
      try {
        const m = await scrape(n.metrics, timeoutMs);
        const ms = (k: string): number | undefined => (m.has(k) ? round((m.get(k) as number) * 1000, 2) : undefined);
        const mb = (k: string): number | undefined => (m.has(k) ? round((m.get(k) as number) / 1048576, 1) : undefined);
        return {
          id: n.id,
          ok: true,
          scrapeMs: round(performance.now() - t0, 1),
          leaderChanges: m.get('rootcoord_raft_leader_changes_seen_total'),
          isLeader: m.get('rootcoord_raft_is_leader'),
          term: m.get('rootcoord_raft_term'),
          lagP99Ms: lagMs(ms('nodejs_eventloop_lag_p99_seconds')),
          lagMaxMs: lagMs(ms('nodejs_eventloop_lag_max_seconds')),
          delayBuckets: delayBuckets(m),
          raftDelayBuckets: delayBuckets(m, RAFT_DELAY_BUCKET),
          raftHeapMb: mb('rootcoord_raft_thread_heap_used_bytes'),
          raftExternalMb: mb('rootcoord_raft_thread_external_memory_bytes'),
          raftGc: raftGc(m),
          startTimeSec: m.get('process_start_time_seconds'),
          rssMb: mb('process_resident_memory_bytes'),
          heapMb: mb('nodejs_heap_size_used_bytes'),
        } satisfies NodeSample;
      } catch {
        return { id: n.id, ok: false, scrapeMs: round(performance.now() - t0, 1) } satisfies NodeSample;
      }
    }),
  );
}

/**
 * Samples every node's metrics every `intervalMs` in the background: the timeline of leader changes,
 * terms, lag and RSS. Leader changes are counted as the rise of the counters plus restarts (a
 * restarted node's counter starts again), and as the rise of the highest term.
 */
export class MetricsTimeline {
  /** Each scrape: every node's sample, and the bystander's (the `bystander` given, scripts/bench-bystander.ts). */
  readonly samples: Array<{ tSec: number; nodes: NodeSample[]; bystander?: NodeSample }> = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly t0 = performance.now();
  private busy = false;

  constructor(
    private readonly nodes: () => NodeEntry[],
    private readonly intervalMs = 2000,
    /** The /metrics address of a bystander (startBystander), scraped beside the nodes; null: none. */
    private readonly bystander: string | null = null,
  ) {}

  start(): this {
    const tick = async (): Promise<void> => {
      if (this.busy) return;
      this.busy = true;
      try {
        await this.sampleNow();
      } catch (error) {
        // A sample that fails (a node list that does not read) is skipped; the run goes on.
        log(`  metrics sample skipped: ${(error as Error).message}`);
      } finally {
        this.busy = false;
      }
    };
    void tick();
    this.timer = setInterval(() => void tick(), this.intervalMs);
    return this;
  }

  async sampleNow(): Promise<NodeSample[]> {
    const timeoutMs = Math.max(1000, this.intervalMs * 2);
    const [nodes, bystander] = await Promise.all([sampleNodes(this.nodes(), timeoutMs), this.bystander === null ? [] : sampleNodes([{ id: 0, metrics: this.bystander }], timeoutMs)]);
    this.samples.push({ tSec: round((performance.now() - this.t0) / 1000, 2), nodes, ...(bystander[0] === undefined ? {} : { bystander: bystander[0] }) });
    return nodes;
  }

  elapsedSec(): number {
    return (performance.now() - this.t0) / 1000;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The highest term seen at or before each sample. */
  maxTerm(fromSec = 0, toSec = Infinity): { first: number; last: number } {
    const terms = this.samples.filter((s) => s.tSec >= fromSec && s.tSec <= toSec).map((s) => Math.max(0, ...s.nodes.map((n) => n.term ?? 0)));
    return { first: terms[0] ?? NaN, last: terms.length === 0 ? NaN : Math.max(...terms) };
  }

  /** Sum over nodes of the rise of rootcoord_raft_leader_changes_seen_total between two times. */
  leaderChangesSeen(fromSec = 0, toSec = Infinity): number {
    const within = this.samples.filter((s) => s.tSec >= fromSec && s.tSec <= toSec);
    let total = 0;
    const last = new Map<number, number>();
    for (const s of within) {
      for (const n of s.nodes) {
        if (n.leaderChanges === undefined) continue;
        const prev = last.get(n.id);
        if (prev !== undefined) total += n.leaderChanges >= prev ? n.leaderChanges - prev : n.leaderChanges;
        last.set(n.id, n.leaderChanges);
      }
    }
    return total;
  }

  /** Term rises (elections that changed the term) between two times. */
  termRises(fromSec = 0, toSec = Infinity): number {
    const { first, last } = this.maxTerm(fromSec, toSec);
    return Number.isFinite(first) && Number.isFinite(last) ? last - first : NaN;
  }

  /**
   * The request threads' event-loop lag between two times: over the whole stretch, each node's p99 (the
   * bound of the delay histogram's bucket that holds it) and the worst; per scrape window (2 s), the
   * worst p99 and max and the median p99. A window's p99 is nearly its max (a busy loop samples a few
   * hundred times in 2 s), so the worst window's p99 is a stall, not the run's 99th percentile.
   */
  lagMax(fromSec = 0, toSec = Infinity): { runP99MsByNode: Record<string, number>; runP99Ms: number | null; samplesOver100Ms: number; p99MaxMs: number; maxMs: number; medianOfP99Ms: number; raftThread: RaftThreadHealth; bystander?: BystanderLag } {
    const windows = this.samples.filter((s) => s.tSec >= fromSec && s.tSec <= toSec);
    const within = windows.flatMap((s) => s.nodes.filter((n) => n.ok));
    const p99s = within.map((n) => n.lagP99Ms ?? 0);
    // The counts from the last scrape before the stretch: what the nodes recorded from its start on.
    const before = this.samples.filter((s) => s.tSec < fromSec).at(-1);
    const stretch = before === undefined ? windows : [before, ...windows];
    const runP99MsByNode: Record<string, number> = {};
    let samplesOver100Ms = 0;
    for (const [id, counts] of countsBetween(stretch, (n) => n.delayBuckets)) {
      runP99MsByNode[String(id)] = delayPercentileMs(counts, 0.99);
      samplesOver100Ms += samplesOver(counts, 100);
    }
    const p99ByNode = Object.values(runP99MsByNode);
    return {
      runP99MsByNode,
      runP99Ms: p99ByNode.length === 0 ? null : Math.max(...p99ByNode),
      samplesOver100Ms,
      p99MaxMs: round(Math.max(0, ...p99s), 1),
      maxMs: round(Math.max(0, ...within.map((n) => n.lagMaxMs ?? 0)), 1),
      medianOfP99Ms: round(median(p99s), 2),
      raftThread: raftThreadHealth(stretch, windows),
      ...(this.bystander === null ? {} : { bystander: bystanderLag(before, windows) }),
    };
  }

  failedScrapes(fromSec = 0, toSec = Infinity): number {
    return this.samples.filter((s) => s.tSec >= fromSec && s.tSec <= toSec).reduce((a, s) => a + s.nodes.filter((n) => !n.ok).length, 0);
  }
}

/**
 * The Raft threads' own health over a stretch (MetricsTimeline.lagMax): each node's p99 delay and the
 * bucket of its largest delay (bounds of the delay histogram's buckets), samples over 100 ms summed over
 * the nodes, and the largest heap and external memory each reported.
 */
export interface RaftThreadHealth {
  readonly runP99MsByNode: Record<string, number>;
  readonly maxBucketMsByNode: Record<string, number>;
  readonly samplesOver100Ms: number;
  readonly heapMaxMbByNode: Record<string, number>;
  readonly externalMaxMbByNode: Record<string, number>;
  /** Each node's Raft thread's GC pauses over the stretch: seconds in all, and how many were major (mark-compacts). */
  readonly gcSecondsByNode: Record<string, number>;
  readonly majorGcsByNode: Record<string, number>;
}

/** From the scrapes of a stretch (the one before it first) and those within it. */
function raftThreadHealth(stretch: ReadonlyArray<{ nodes: NodeSample[] }>, windows: ReadonlyArray<{ nodes: NodeSample[] }>): RaftThreadHealth {
  const runP99MsByNode: Record<string, number> = {};
  const maxBucketMsByNode: Record<string, number> = {};
  let samplesOver100Ms = 0;
  for (const [id, counts] of countsBetween(stretch, (n) => n.raftDelayBuckets)) {
    runP99MsByNode[String(id)] = delayPercentileMs(counts, 0.99);
    maxBucketMsByNode[String(id)] = delayPercentileMs(counts, 1);
    samplesOver100Ms += samplesOver(counts, 100);
  }
  const heapMaxMbByNode: Record<string, number> = {};
  const externalMaxMbByNode: Record<string, number> = {};
  for (const n of windows.flatMap((s) => s.nodes)) {
    if (n.raftHeapMb !== undefined && n.raftHeapMb > 0) heapMaxMbByNode[String(n.id)] = Math.max(heapMaxMbByNode[String(n.id)] ?? 0, n.raftHeapMb);
    if (n.raftExternalMb !== undefined && n.raftExternalMb > 0) externalMaxMbByNode[String(n.id)] = Math.max(externalMaxMbByNode[String(n.id)] ?? 0, n.raftExternalMb);
  }
  // The GC's totals as counts: a node that has collected nothing yet has no GC lines (prom-client prints
  // none for a labelled histogram never observed), so a node with the Raft thread's metrics counts 0 then.
  const gcSecondsByNode: Record<string, number> = {};
  const majorGcsByNode: Record<string, number> = {};
  for (const [id, [seconds = 0, majors = 0]] of countsBetween(stretch, (n) => (n.raftDelayBuckets === undefined ? undefined : [n.raftGc?.seconds ?? 0, n.raftGc?.majors ?? 0]))) {
    gcSecondsByNode[String(id)] = round(seconds, 3);
    majorGcsByNode[String(id)] = majors;
  }
  return { runP99MsByNode, maxBucketMsByNode, samplesOver100Ms, heapMaxMbByNode, externalMaxMbByNode, gcSecondsByNode, majorGcsByNode };
}

/** The bystander's delay over a stretch (MetricsTimeline.lagMax): what the machine alone did to an idle thread. */
export interface BystanderLag {
  readonly runP99Ms: number | null;
  readonly samplesOver100Ms: number;
  /** The largest of prom-client's per-window max, beyond the 10 ms interval. */
  readonly maxMs: number;
}

/** From the scrape before a stretch (its counts' start) and the scrapes in it. */
function bystanderLag(before: { bystander?: NodeSample } | undefined, windows: ReadonlyArray<{ bystander?: NodeSample }>): BystanderLag {
  const seen = windows.flatMap((s) => (s.bystander === undefined ? [] : [s.bystander]));
  const counts = countsBetween([...(before?.bystander === undefined ? [] : [before.bystander]), ...seen].map((b) => ({ nodes: [b] })), (n) => n.delayBuckets).get(0);
  return {
    runP99Ms: counts === undefined ? null : delayPercentileMs(counts, 0.99),
    samplesOver100Ms: counts === undefined ? 0 : samplesOver(counts, 100),
    maxMs: round(Math.max(0, ...seen.filter((b) => b.ok).map((b) => b.lagMaxMs ?? 0)), 1),
  };
}

/**
 * Each node's cumulative counts (`countsOf`: a delay histogram's buckets, or any totals that only grow;
 * undefined: none in that scrape) accumulated over a run of samples: the rise between consecutive scrapes
 * of it (a restarted node, by its process start time or counts that fell, counts whole). A node scraped
 * fewer than twice is left out (nothing is known of its stretch).
 */
export function countsBetween(samples: ReadonlyArray<{ nodes: NodeSample[] }>, countsOf: (n: NodeSample) => number[] | undefined): Map<number, number[]> {
  const sums = new Map<number, number[]>();
  const last = new Map<number, NodeSample>();
  for (const s of samples) {
    for (const n of s.nodes) {
      const counts = countsOf(n);
      if (counts === undefined) continue;
      const prev = last.get(n.id);
      last.set(n.id, n);
      const prevCounts = prev === undefined ? undefined : countsOf(prev);
      if (prev === undefined || prevCounts === undefined) continue;
      const restarted = (n.startTimeSec !== undefined && prev.startTimeSec !== undefined && n.startTimeSec !== prev.startTimeSec) || counts.some((c, i) => c < (prevCounts[i] ?? 0));
      const sum = sums.get(n.id) ?? counts.map(() => 0);
      sums.set(n.id, sum);
      counts.forEach((c, i) => (sum[i] = (sum[i] ?? 0) + (restarted ? c : c - (prevCounts[i] ?? 0))));
    }
  }
  return sums;
}

/** How many samples of cumulative delay counts (DELAY_BOUNDS_MS) were over `ms`, one of its bounds. */
export function samplesOver(counts: readonly number[], ms: number): number {
  return (counts[counts.length - 1] ?? 0) - (counts[DELAY_BOUNDS_MS.indexOf(ms)] ?? 0);
}

/** The upper bound (ms) of the bucket holding quantile q of cumulative counts (0 when empty, Infinity past the last bound). */
export function delayPercentileMs(counts: readonly number[], q: number): number {
  const total = counts[counts.length - 1] ?? 0;
  if (total === 0) return 0;
  const i = counts.findIndex((c) => c >= q * total);
  return DELAY_BOUNDS_MS[i] ?? Infinity;
}

// ---- counting answers once ----

export type CodeCounts = Record<string, number>;

/** An answer's code when the node was not serving (1), and OneShot's code for a node it could not reach. */
export const NOT_SERVING = ErrorCodes.ServiceNotReady.code;
export const UNREACHABLE = -1;

const CODE_CLASSES = new Set<number>([ErrorCodes.Success.code, ErrorCodes.ServiceNotReady.code, ErrorCodes.PrivilegeNotAuthenticated.code, ErrorCodes.QueueFull.code, ErrorCodes.OutcomeUnknown.code]);

/** The code class of an answer: 0, 1, 2001, 2002, 1400 or other (by number). */
export function codeKey(code: number): string {
  return CODE_CLASSES.has(code) ? String(code) : `other:${code}`;
}

export function addCount(counts: CodeCounts, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

/**
 * One attempt of one call (no retries), to one endpoint: the answer's code and time. A client-side
 * deadline is the client's 2002 (unknown outcome), counted as "2002" and also as "deadline".
 */
export class OneShot {
  private readonly clients = new Map<string, RootCoordClient>();

  constructor(private readonly options: Omit<ClientOptions, 'endpoints'> = {}) {}

  client(endpoint: string): RootCoordClient {
    let c = this.clients.get(endpoint);
    if (c === undefined) {
      c = new RootCoordClient({ ...this.options, endpoints: [endpoint], retryBudgetMs: 0 });
      this.clients.set(endpoint, c);
    }
    return c;
  }

  /** `leader`: the leader's client address when the node answered a call it forwarded (RootCoordClient.leaderHint). */
  async call(endpoint: string, method: string, request: PlainMessage, requestId?: string): Promise<{ code: number; ms: number; deadline: boolean; reason: string; leader: string | null }> {
    const t0 = performance.now();
    const client = this.client(endpoint);
    try {
      await client.call(method, request, 'api', requestId);
      return { code: 0, ms: performance.now() - t0, deadline: false, reason: '', leader: client.leaderHint };
    } catch (error) {
      const ms = performance.now() - t0;
      if (error instanceof RootCoordError) return { code: error.code, ms, deadline: error.reason.includes('deadline exceeded'), reason: error.reason, leader: client.leaderHint };
      return { code: UNREACHABLE, ms, deadline: false, reason: (error as Error).message, leader: null };
    }
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

export type Answer = Awaited<ReturnType<OneShot['call']>>;

const RETRIED_CODES = new Set<number>([NOT_SERVING, UNREACHABLE, ErrorCodes.QueueFull.code, ErrorCodes.OutcomeUnknown.code]);

/**
 * One request, retried under its request ID while its answer leaves it open: -1 (unreachable) and 1
 * (not serving) move `at.endpoint` to the next node, 2001 and 2002 try again (after 50 ms, 10 ms
 * after a 2002); any other answer ends it. Every answer goes to `onAnswer` (with the endpoint's
 * index) before the next attempt; at most `attempts` of them, none started after `until`
 * (performance.now()). True once it succeeded.
 */
export async function callUntilSettled(
  pool: OneShot,
  endpoints: readonly string[],
  at: { endpoint: number },
  method: string,
  request: PlainMessage,
  options: { requestId: string; attempts: number; until?: number; onAnswer: (r: Answer, endpoint: number) => void },
): Promise<boolean> {
  for (let attempt = 0; attempt < options.attempts && performance.now() < (options.until ?? Infinity); attempt++) {
    const endpoint = at.endpoint % endpoints.length;
    const r = await pool.call(endpoints[endpoint] as string, method, request, options.requestId);
    options.onAnswer(r, endpoint);
    if (r.code === 0) return true;
    if (!RETRIED_CODES.has(r.code)) return false;
    if (r.code === NOT_SERVING || r.code === UNREACHABLE) at.endpoint++;
    await sleep(r.code === ErrorCodes.OutcomeUnknown.code ? 10 : 50);
  }
  return false;
}

// ---- the catalog ----

/** The databases a fill of `count` collections spreads over, at most `perDb` each: `default`, then `<prefix>1`, ... */
export function fillDatabases(count: number, perDb: number, prefix: string): string[] {
  return Array.from({ length: Math.max(1, Math.ceil(count / perDb)) }, (_, i) => (i === 0 ? 'default' : `${prefix}${i}`));
}

/** 3 fields: an Int64 primary key, a FloatVector and a VarChar. */
export const SCHEMA3: SchemaFile = {
  fields: [
    { name: 'id', data_type: 'Int64', is_primary_key: true },
    { name: 'vec', data_type: 'FloatVector', dim: 8 },
    { name: 'tag', data_type: 'VarChar', max_length: 64 },
  ],
};

export const SCHEMA2: SchemaFile = { fields: [{ name: 'id', data_type: 'Int64', is_primary_key: true }, { name: 'v', data_type: 'FloatVector', dim: 8 }] };

/** A CreateCollection request for `OneShot.call`: 2 shards, SCHEMA3 and the default database unless given. */
export function createCollectionRequest(name: string, options: { db?: string; schema?: SchemaFile; shards?: number } = {}): PlainMessage {
  return { db_name: options.db ?? '', collection_name: name, schema: encodeSchemaFile(options.schema ?? SCHEMA3, name), shards_num: options.shards ?? 2, consistency_level: 0, properties: [], num_partitions: '0' };
}

/** Sequential CreatePartition calls, 500 to a collection (the limit is 1024), new collections `${prefix}${n}` as needed. */
export function partitionWriter(client: RootCoordClient, prefix = 'bench'): () => Promise<void> {
  let written = 0;
  return async () => {
    const slot = Math.floor(written / 500);
    if (written % 500 === 0) await client.createCollection(`${prefix}${slot}`, SCHEMA2);
    await client.createPartition(`${prefix}${slot}`, `p${written++ % 500}`);
  };
}

// ---- SVG ----

export interface Series {
  name: string;
  points: Array<[number, number]>;
  /** Draw as points and vertical ticks (events) rather than a line. */
  steps?: boolean;
}

type Timeline = ReadonlyArray<{ tSec: number; nodes: NodeSample[] }>;

/** The rise of the highest term since a timeline's first sample (elections), over time. */
export function termRisePoints(timeline: Timeline): Array<[number, number]> {
  const terms = timeline.map((s) => [s.tSec, Math.max(0, ...s.nodes.map((n) => n.term ?? 0))] as [number, number]);
  const t0 = terms[0]?.[1] ?? 0;
  return terms.map(([t, v]) => [t, v - t0]);
}

/** Each node's event-loop lag (max between scrapes) over a timeline, one series per node. */
export function lagSeries(timeline: Timeline): Series[] {
  const ids = [...new Set(timeline.flatMap((s) => s.nodes.map((n) => n.id)))].sort();
  return ids.map((id) => ({ name: `node ${id}`, points: timeline.map((s) => [s.tSec, s.nodes.find((n) => n.id === id)?.lagMaxMs ?? NaN] as [number, number]) }));
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];

function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (v <= m * e) return m * e;
  return 10 * e;
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1e6) return `${round(v / 1e6, 2)}M`;
  if (Math.abs(v) >= 1e3) return `${round(v / 1e3, 1)}k`;
  return String(round(v, 2));
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A stretch of the x axis to shade and label (a fault, in chaos runs). */
export interface Band {
  from: number;
  to: number;
  label: string;
}

/** A line chart, hand-written SVG; `bands` shade stretches of the x axis, each labelled at its top. */
export function svgChart(options: { title: string; xLabel: string; yLabel: string; series: Series[]; bands?: Band[]; width?: number; height?: number; yMax?: number }): string {
  const width = options.width ?? 760;
  const height = options.height ?? 360;
  const left = 70;
  const right = 170;
  const top = 36;
  const bottom = 50;
  const pw = width - left - right;
  const ph = height - top - bottom;
  const all = options.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xMax = niceMax(Math.max(0, ...all.map(([x]) => x), ...(options.bands ?? []).map((b) => b.to)));
  const yMax = options.yMax ?? niceMax(Math.max(0, ...all.map(([, y]) => y)));
  const X = (x: number): number => left + (x / xMax) * pw;
  const Y = (y: number): number => top + ph - (Math.min(y, yMax) / yMax) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2 - right / 2}" y="20" text-anchor="middle" font-size="14">${esc(options.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const yv = (yMax * i) / 5;
    const xv = (xMax * i) / 5;
    parts.push(`<line x1="${left}" x2="${left + pw}" y1="${Y(yv)}" y2="${Y(yv)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${Y(yv) + 4}" text-anchor="end">${fmt(yv)}</text>`);
    parts.push(`<line x1="${X(xv)}" x2="${X(xv)}" y1="${top}" y2="${top + ph}" stroke="#eee"/>`);
    parts.push(`<text x="${X(xv)}" y="${top + ph + 16}" text-anchor="middle">${fmt(xv)}</text>`);
  }
  for (const band of options.bands ?? []) {
    const x0 = X(Math.max(0, band.from));
    const w = Math.max(1, X(band.to) - x0);
    parts.push(`<rect x="${round(x0, 1)}" y="${top}" width="${round(w, 1)}" height="${ph}" fill="#f5a623" fill-opacity="0.18"><title>${esc(band.label)}</title></rect>`);
    parts.push(`<text transform="translate(${round(x0 + 3, 1)} ${top + 4}) rotate(90)" font-size="9" fill="#a0522d">${esc(band.label)}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${left + pw / 2}" y="${height - 10}" text-anchor="middle">${esc(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`);
  options.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string;
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (s.steps === true) {
      for (const [x, y] of pts) parts.push(`<line x1="${X(x)}" x2="${X(x)}" y1="${Y(0)}" y2="${Y(y)}" stroke="${color}" stroke-width="2"/><circle cx="${X(x)}" cy="${Y(y)}" r="3" fill="${color}"/>`);
    } else if (pts.length > 0) {
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.map(([x, y]) => `${round(X(x), 1)},${round(Y(y), 1)}`).join(' ')}"/>`);
      if (pts.length <= 30) for (const [x, y] of pts) parts.push(`<circle cx="${X(x)}" cy="${Y(y)}" r="2.5" fill="${color}"/>`);
    }
    parts.push(`<rect x="${left + pw + 12}" y="${top + i * 18}" width="12" height="4" fill="${color}"/><text x="${left + pw + 30}" y="${top + i * 18 + 6}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** A default output dir: bench-results/<timestamp>-<kind>. */
export function defaultOut(kind: string): string {
  return join('bench-results', `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-${kind}`);
}
