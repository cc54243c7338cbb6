/**
 * scripts/cluster: run a local rootcoord cluster (interface.md section 3); USAGE below says how.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientOptions, RootCoordClient } from '../src/client/root-coord-client.js';
import { parseCommandLine } from '../src/common/command-line.js';
import { freeBasePort, portFree } from './free-ports.js';
import { httpGet } from './http-get.js';
import { findPrometheus, installHint, logSince, logTail, prometheusConfig, startPrometheus } from './monitoring.js';
import type { PrometheusEntry } from './monitoring.js';
import { nextNodeId } from './node-ids.js';
import { nodeCommandLine, nodeEnvironment, pidAlive } from './processes.js';

const USAGE = `usage: scripts/cluster <command> [options]   (a local rootcoord cluster; the README, "Operations")
Node i listens on 127.0.0.1: client B+i, raft peer B+100+i, metrics B+200+i, Milvus's API B+300+i.
  up [--nodes 3] [--dir .cluster] [--base-port 53100] [--foreground] [--auth [--root-password-file F]] [--tls]
     [--limit name=value]... [--gc-confirm-delay-ms MS] [--raft-nice N] [--request-nice N] [--chaos]
     [--snapshot-entries N] [--snapshot-entries-kept N]
     [--prometheus [--prometheus-port P] [--scrape-interval 5s]]
  status [--dir .cluster] [--json]
  kill <id|leader> [--signal KILL|TERM|STOP|CONT] [--wait] [--dir .cluster]
  start <id> [--dir .cluster]       start a stopped node; waits until it listens (exit 1 with its reason if it refuses to start)
  transfer <id> [--dir .cluster]
  add [--dir .cluster]              start a new node (a new ID, never a removed one's) and add it as a voter
  remove <id> [--dir .cluster]      remove a member and stop it (its data stays)
  down [--dir .cluster] [--wipe]    stop every node of the cluster (and its Prometheus)
  prometheus-config [--dir .cluster] [--scrape-interval 5s]   print a Prometheus scrape config for the cluster`;

const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));

export interface NodeEntry {
  id: number;
  pid: number;
  client: string;
  peer: string;
  metrics: string;
  /** Milvus's public API (MilvusService) for Milvus's SDKs: B+300+id (absent in a cluster.json of an older build). */
  milvus?: string;
  dataDir: string;
  logFile: string;
  /** Added to a running cluster (started with --join rather than bootstrapping). */
  joined?: boolean;
}

interface ClusterFile {
  /** Nodes accept fault injection (scripts/chaos). */
  chaos?: boolean;
  basePort: number;
  secretFile: string;
  /** Nodes require credentials and check privileges; the scripts sign in as root with rootPasswordFile. */
  auth?: boolean;
  rootPasswordFile?: string;
  /** TLS on the client ports: a self-signed certificate for 127.0.0.1 made by `up --tls` (also the CA). */
  tls?: { cert: string; key: string };
  gcConfirmDelayMs: number;
  /** `--limit name=value` overrides passed to every node. */
  limits?: string[];
  /** `--raft-nice` and `--request-nice` passed to every node (their threads' nice values). */
  nice?: { raft?: string; request?: string };
  /** `--snapshot-entries` and `--snapshot-entries-kept` passed to every node (how often the log is compacted). */
  snapshots?: { entries?: string; kept?: string };
  nodes: NodeEntry[];
  /** The highest node ID this cluster has used, removed members' included (absent in an older cluster.json): `add` takes the next. */
  lastNodeId?: number;
  /** A Prometheus scraping the cluster, started by `up --prometheus` and stopped by `down`. */
  prometheus?: PrometheusEntry & { scrapeInterval: string };
}

export interface NodeState {
  id: number;
  pid: number;
  /** The node's Milvus port (MilvusService), or null when it has none. */
  milvus: string | null;
  alive: boolean;
  role: string | null;
  term: number | null;
  leader: number | null;
  commitIndex: number | null;
  appliedIndex: number | null;
}

/**
 * A command's arguments (shared parser, src/common/command-line.ts): the flags it reads, each from its
 * first occurrence (--limit: every one, up to an empty one); everything else, a repeated flag included,
 * stays positional in order. A flag without its value fails when the command reads it.
 */
class CommandArgs {
  readonly positionals: string[] = [];
  private readonly values = new Map<string, string[]>();
  private readonly switches = new Set<string>();
  private readonly missing = new Set<string>();

  constructor(argv: readonly string[], spec: { readonly switches?: readonly string[]; readonly values?: readonly string[] }) {
    const seen = new Set<string>();
    let limitsEnded = false;
    for (const arg of parseCommandLine(argv, { switches: spec.switches ?? [], values: ['dir', ...(spec.values ?? [])] })) {
      if (arg.kind === 'positional') {
        this.positionals.push(arg.value);
      } else if (arg.kind === 'unknown' || (arg.kind === 'switch' && this.switches.has(arg.name))) {
        this.positionals.push(`--${arg.name}`);
      } else if (arg.kind === 'switch') {
        this.switches.add(arg.name);
      } else if (arg.name === 'limit' ? limitsEnded : seen.has(arg.name)) {
        this.positionals.push(`--${arg.name}`, ...(arg.value === undefined ? [] : [arg.value]));
      } else {
        seen.add(arg.name);
        if (arg.value === undefined) this.missing.add(arg.name);
        else if (arg.name === 'limit' && arg.value === '') limitsEnded = true;
        else this.values.set(arg.name, [...(this.values.get(arg.name) ?? []), arg.value]);
      }
    }
  }

  all(name: string): string[] {
    if (this.missing.has(name)) throw new Error(`--${name} needs a value`);
    return this.values.get(name) ?? [];
  }

  flag(name: string, fallback: string): string {
    return this.all(name)[0] ?? fallback;
  }

  bool(name: string): boolean {
    return this.switches.has(name);
  }
}

/** A command line this script does not take (exit code 2, as for no command). */
class UsageError extends Error {}

function readCluster(dir: string): ClusterFile {
  const path = join(dir, 'cluster.json');
  if (!existsSync(path)) throw new Error(`no cluster in ${dir} (run: scripts/cluster up --dir ${dir})`);
  return JSON.parse(readFileSync(path, 'utf8')) as ClusterFile;
}

/**
 * Replace cluster.json whole (a new file renamed over it): a reader (a benchmark sampling the nodes,
 * rootcoordctl --dir) never sees a file half written.
 */
function writeCluster(dir: string, cluster: ClusterFile): void {
  const temporary = join(dir, `cluster.json.${process.pid}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(cluster, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, join(dir, 'cluster.json'));
}

const isAlive = pidAlive;

/** How the scripts' own calls connect: TLS when the cluster has it, as root when authorization is on. */
function credentials(cluster: ClusterFile): { user?: string; password?: string; tlsCa?: string } {
  const tls = cluster.tls === undefined ? {} : { tlsCa: readFileSync(cluster.tls.cert, 'utf8') };
  if (cluster.auth !== true || cluster.rootPasswordFile === undefined) return tls;
  return { ...tls, user: 'root', password: readFileSync(cluster.rootPasswordFile, 'utf8').trim() };
}

/** A self-signed certificate for the local cluster's client ports (127.0.0.1), made with openssl once. */
function makeCertificate(dir: string): { cert: string; key: string } {
  const tlsDir = join(dir, 'tls');
  const cert = join(tlsDir, 'cert.pem');
  const key = join(tlsDir, 'key.pem');
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '3650', '-subj', '/CN=rootcoord', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  chmodSync(key, 0o600);
  return { cert, key };
}

/** Node `id` of a local cluster: client B+id, peer B+100+id, metrics B+200+id, Milvus B+300+id. */
function nodeEntry(dir: string, base: number, id: number): NodeEntry {
  const at = (offset: number): string => `127.0.0.1:${base + offset + id}`;
  return { id, pid: 0, client: at(0), peer: at(100), metrics: at(200), milvus: at(300), dataDir: join(dir, `node-${id}`), logFile: join(dir, `node-${id}.log`) };
}

function nodeArgs(cluster: ClusterFile, node: NodeEntry): string[] {
  const peers = cluster.nodes.map((n) => `${n.id}=${n.peer}`).join(',');
  const clients = cluster.nodes.map((n) => `${n.id}=${n.client}`).join(',');
  const join = node.joined === true ? ['--join'] : [];
  if (cluster.chaos === true) join.push('--chaos');
  if (cluster.auth === true) join.push('--auth');
  if (cluster.rootPasswordFile !== undefined) join.push('--root-password-file', cluster.rootPasswordFile);
  if (cluster.tls !== undefined) join.push('--tls-cert', cluster.tls.cert, '--tls-key', cluster.tls.key);
  return [mainScript, '--id', String(node.id), '--data-dir', node.dataDir, '--peers', peers, '--clients', clients, '--metrics-address', node.metrics, '--milvus-address', node.milvus ?? 'none', '--secret-file', cluster.secretFile, '--gc-confirm-delay-ms', String(cluster.gcConfirmDelayMs), ...(cluster.limits ?? []).flatMap((l) => ['--limit', l]), ...flagArgs([
    ['--raft-nice', cluster.nice?.raft],
    ['--request-nice', cluster.nice?.request],
    ['--snapshot-entries', cluster.snapshots?.entries],
    ['--snapshot-entries-kept', cluster.snapshots?.kept],
  ]), ...join];
}

/** `flag value` for each flag that has a value. */
function flagArgs(flags: ReadonlyArray<readonly [string, string | undefined]>): string[] {
  return flags.flatMap(([flag, value]) => (value === undefined ? [] : [flag, value]));
}

/**
 * The flags given to `up` that differ from what a cluster made before keeps (its ports, limits, nice
 * values, log compaction, GC delay and chaos mode stay those it was made with): without a word, a
 * restart with another --snapshot-entries-kept or --limit looked as if it had taken them.
 */
function ignoredSettings(args: CommandArgs, cluster: ClusterFile): string[] {
  const given = (name: string): string | undefined => args.all(name)[0];
  const differs: Array<[string, string | undefined, unknown]> = [
    ['--base-port', given('base-port'), String(cluster.basePort)],
    ['--gc-confirm-delay-ms', given('gc-confirm-delay-ms'), String(cluster.gcConfirmDelayMs)],
    ['--raft-nice', given('raft-nice'), cluster.nice?.raft],
    ['--request-nice', given('request-nice'), cluster.nice?.request],
    ['--snapshot-entries', given('snapshot-entries'), cluster.snapshots?.entries],
    ['--snapshot-entries-kept', given('snapshot-entries-kept'), cluster.snapshots?.kept],
  ];
  const ignored = differs.filter(([, value, kept]) => value !== undefined && value !== kept).map(([flag, value]) => `${flag} ${value}`);
  const limits = args.all('limit');
  if (limits.length > 0 && limits.join('\n') !== (cluster.limits ?? []).join('\n')) ignored.push(`--limit ${limits.join(' --limit ')}`);
  if (args.bool('chaos') && cluster.chaos !== true) ignored.push('--chaos');
  return ignored;
}

/** The flags given a value (not ''), by key; undefined when none was. */
function givenValues<K extends string>(values: Record<K, string>): Partial<Record<K, string>> | undefined {
  const given = Object.entries(values).filter(([, value]) => value !== '');
  return given.length === 0 ? undefined : (Object.fromEntries(given) as Partial<Record<K, string>>);
}


function spawnNodeProcess(cluster: ClusterFile, node: NodeEntry, foreground: boolean): ChildProcess & { pid: number } {
  const out = foreground ? 'inherit' : openSync(node.logFile, 'a', 0o600);
  const child = spawn(process.execPath, nodeCommandLine(nodeArgs(cluster, node)), { detached: !foreground, stdio: ['ignore', out, out], env: nodeEnvironment() });
  if (!foreground) child.unref();
  if (child.pid === undefined) throw new Error(`could not start node ${node.id}`);
  return child as ChildProcess & { pid: number };
}

function spawnNode(cluster: ClusterFile, node: NodeEntry, foreground: boolean): number {
  return spawnNodeProcess(cluster, node, foreground).pid;
}

/** Every port a node listens on, with its role. */
function nodePorts(node: NodeEntry): Array<{ address: string; role: string }> {
  return [
    { address: node.client, role: 'client' },
    { address: node.peer, role: 'raft peer' },
    { address: node.metrics, role: 'metrics' },
    ...(node.milvus === undefined ? [] : [{ address: node.milvus, role: "Milvus's API" }]),
  ];
}

/** The ports of `wanted` that something already listens on, each named with its node and role. */
async function takenPorts(wanted: Array<{ address: string; owner: string }>): Promise<string[]> {
  const taken: string[] = [];
  for (const { address, owner } of wanted) if (!(await portFree(Number(address.split(':')[1])))) taken.push(`${address} (${owner})`);
  return taken;
}

async function nodeStates(cluster: ClusterFile): Promise<NodeState[]> {
  return Promise.all(
    cluster.nodes.map(async (n) => {
      const alive = isAlive(n.pid);
      const base: NodeState = { id: n.id, pid: n.pid, milvus: n.milvus ?? null, alive, role: null, term: null, leader: null, commitIndex: null, appliedIndex: null };
      if (!alive) return base;
      const client = await newClient({ endpoints: [n.client], attemptDeadlineMs: 1000, retryBudgetMs: 0, ...credentials(cluster) });
      try {
        const st = await client.clusterStatus(n.client);
        const self = st['self'] as Record<string, string>;
        return { ...base, role: self['role'] ?? null, term: Number(self['term']), leader: Number(st['leader']), commitIndex: Number(self['commit_index']), appliedIndex: Number(self['applied_index']) };
      } catch {
        return base;
      } finally {
        client.close();
      }
    }),
  );
}

function leaderOf(states: NodeState[]): number | null {
  const leader = states.find((s) => s.role === 'Leader');
  return leader === undefined ? null : leader.id;
}

/**
 * Wait for a serving leader that every node follows: within `timeoutMs` of the moment every node
 * answers. A node answers once it has loaded its catalog, which takes seconds for a big one (8 s for
 * 200,000 collections, longer with three loading at once on 2 cores), so that wait has a deadline
 * of its own, `loadTimeoutMs`, as long as no node exits meanwhile.
 */
async function waitForCluster(cluster: ClusterFile, timeoutMs: number, failed: () => string | null = () => null, loadTimeoutMs = 10 * 60_000): Promise<number> {
  const startedAt = Date.now();
  let deadline: number | null = null;
  let toldLoading = false;
  for (;;) {
    const failure = failed();
    if (failure !== null) throw new Error(failure);
    const states = await nodeStates(cluster);
    const loading = states.filter((s) => s.role === null).map((s) => s.id);
    if (deadline === null && loading.length === 0) deadline = Date.now() + timeoutMs;
    const leader = leaderOf(states);
    const everyoneAnswers = states.every((s) => s.role !== null && s.leader === leader);
    if (leader !== null && everyoneAnswers) {
      const client = await newClient({ endpoints: cluster.nodes.map((n) => n.client), attemptDeadlineMs: 1000, retryBudgetMs: 2000, ...credentials(cluster) });
      try {
        await client.listDatabases();
        const dbs = await client.listDatabases();
        if ((dbs['db_names'] as string[]).includes('default')) return leader;
      } catch {
        // not serving yet
      } finally {
        client.close();
      }
    }
    const dead = states.filter((s) => !s.alive).map((s) => s.id);
    const died = dead.length > 0 ? `; nodes ${dead.join(', ')} exited (see their log files)` : '';
    if (deadline !== null && Date.now() > deadline) throw new Error(`the cluster did not elect a serving leader within ${timeoutMs / 1000} s of every node answering${died}`);
    if (deadline === null && Date.now() - startedAt > loadTimeoutMs) throw new Error(`nodes ${loading.join(', ')} did not answer within ${loadTimeoutMs / 1000} s (still loading their catalogs?)${died}`);
    if (deadline === null && !toldLoading && Date.now() - startedAt > 5000) {
      toldLoading = true;
      console.log(`waiting for nodes ${loading.join(', ')} to load their catalogs and answer`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function up(args: CommandArgs, dir: string): Promise<void> {
  const count = Number(args.flag('nodes', '3'));
  const basePort = Number(args.flag('base-port', '53100'));
  const foreground = args.bool('foreground');
  const gcConfirmDelayMs = Number(args.flag('gc-confirm-delay-ms', '1200000'));
  const limits = args.all('limit');
  const raftNice = args.flag('raft-nice', '');
  const requestNice = args.flag('request-nice', '');
  const snapshotEntries = args.flag('snapshot-entries', '');
  const snapshotEntriesKept = args.flag('snapshot-entries-kept', '');
  const chaos = args.bool('chaos');
  const auth = args.bool('auth');
  const tls = args.bool('tls');
  const withPrometheus = args.bool('prometheus');
  const prometheusPort = args.flag('prometheus-port', '');
  const scrapeInterval = args.flag('scrape-interval', '5s');
  const givenRootPasswordFile = args.flag('root-password-file', '');
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`--nodes ${count}: want a positive integer`);
  if (!Number.isSafeInteger(basePort) || basePort < 1 || basePort + 300 + count > 65535) throw new Error(`--base-port ${basePort}: want a port such that base + 300 + nodes stays below 65536`);
  // The nodes' data directories below it hold every user's password hash: for this user only.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const existing = existsSync(join(dir, 'cluster.json')) ? readCluster(dir) : null;
  if (existing !== null && (existing.nodes.some((n) => isAlive(n.pid)) || (existing.prometheus !== undefined && isAlive(existing.prometheus.pid)))) throw new Error(`the cluster in ${dir} is already running (scripts/cluster down --dir ${dir})`);
  for (const node of existing?.nodes ?? []) refuseMemberWithoutLog(node);
  // root's first password: the given file, or Milvus's default "Milvus" in a file of the cluster's own.
  let rootPasswordFile = givenRootPasswordFile === '' ? undefined : resolve(givenRootPasswordFile);
  if (auth && rootPasswordFile === undefined) {
    rootPasswordFile = join(dir, 'root.password');
    if (!existsSync(rootPasswordFile)) writeFileSync(rootPasswordFile, 'Milvus\n', { mode: 0o600 });
  }
  const secretFile = join(dir, 'cluster.secret');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const ids = existing?.nodes.map((n) => n.id) ?? Array.from({ length: count }, (_, i) => i + 1);
  const base = existing?.basePort ?? basePort;
  // The nice values a cluster was made with stay its own (as its limits do).
  const nice = existing?.nice ?? givenValues({ raft: raftNice, request: requestNice });
  const snapshots = existing?.snapshots ?? givenValues({ entries: snapshotEntries, kept: snapshotEntriesKept });
  const passwordFile = existing?.rootPasswordFile ?? rootPasswordFile;
  const cluster: ClusterFile = {
    chaos: existing?.chaos ?? chaos,
    ...((existing?.auth ?? auth) ? { auth: true } : {}),
    ...(passwordFile === undefined ? {} : { rootPasswordFile: passwordFile }),
    ...((existing?.tls !== undefined || tls) ? { tls: existing?.tls ?? makeCertificate(dir) } : {}),
    basePort: base,
    secretFile,
    gcConfirmDelayMs: existing?.gcConfirmDelayMs ?? gcConfirmDelayMs,
    ...((existing?.limits ?? limits).length > 0 ? { limits: existing?.limits ?? limits } : {}),
    ...(nice === undefined ? {} : { nice }),
    ...(snapshots === undefined ? {} : { snapshots }),
    nodes: ids.map((id) => nodeEntry(dir, base, id)),
    lastNodeId: Math.max(existing?.lastNodeId ?? 0, ...ids),
  };
  if (existing !== null) {
    const ignored = ignoredSettings(args, cluster);
    if (ignored.length > 0) console.error(`cluster: ${ignored.join(', ')} not taken: the cluster in ${dir} keeps the settings it was made with (${join(dir, 'cluster.json')}); to change them, make it anew in another directory`);
  }
  const prometheusBinary = withPrometheus ? findPrometheus() : null;
  if (withPrometheus && prometheusBinary === null) console.error(`cluster: ${installHint}; starting the cluster without it (scrape config: scripts/cluster prometheus-config --dir ${dir})`);
  const prometheusAddress = `127.0.0.1:${prometheusPort === '' ? base + 90 : Number(prometheusPort)}`;

  // Every port is checked before anything starts: the defaults lie in Linux's ephemeral range, where
  // any outgoing connection may hold one.
  const wanted = cluster.nodes.flatMap((n) => nodePorts(n).map((p) => ({ address: p.address, owner: `node ${n.id}, ${p.role} port` })));
  if (prometheusBinary !== null) wanted.push({ address: prometheusAddress, owner: 'prometheus' });
  const taken = await takenPorts(wanted);
  if (taken.length > 0) {
    const hint = existing === null
      ? `choose other ports with --base-port (for example --base-port ${await freeBasePort(count)}, free right now)`
      : `the cluster in ${dir} keeps the ports it was created with (base ${base}): stop what holds them, or start another cluster with --dir and --base-port`;
    throw new Error(`port${taken.length > 1 ? 's' : ''} taken: ${taken.join(', ')}; nothing was started. ${hint}`);
  }

  // From here on, a failure stops everything this command started.
  const dataDirsBefore = new Set(cluster.nodes.filter((n) => existsSync(n.dataDir)).map((n) => n.dataDir));
  const started: number[] = [];
  let failure: string | null = null;
  const cleanUp = async (reason: string): Promise<void> => {
    const alive = started.filter(isAlive);
    for (const pid of alive) process.kill(pid, 'SIGTERM');
    await waitForExit(alive, 10_000);
    if (existing === null) {
      // A cluster that never served: forget it, so that `up` with other ports starts afresh.
      rmSync(join(dir, 'cluster.json'), { force: true });
      for (const node of cluster.nodes) if (!dataDirsBefore.has(node.dataDir)) rmSync(node.dataDir, { recursive: true, force: true });
    }
    console.error(`cluster: ${reason}`);
    console.error(`cluster: stopped ${alive.length} process(es) this command had started${foreground ? '' : `; node logs in ${dir}`}`);
  };
  const interrupted = (signal: NodeJS.Signals): void => {
    void cleanUp(`interrupted by ${signal} while starting`).then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let leader: number;
  try {
    for (const node of cluster.nodes) {
      const child = spawnNodeProcess(cluster, node, foreground);
      node.pid = child.pid;
      started.push(child.pid);
      child.once('exit', (code, signal) => {
        const how = code === null ? `was killed by ${String(signal)}` : `exited with code ${code}`;
        const said = foreground ? '' : nodeSaid(logTail(node.logFile, 20));
        failure ??= `node ${node.id} ${how} while the cluster was starting${said === '' ? '' : `: ${said}`}`;
      });
    }
    writeCluster(dir, cluster);
    leader = await waitForCluster(cluster, 15_000, () => failure);
    if (prometheusBinary !== null) {
      const promDir = join(dir, 'prometheus');
      mkdirSync(promDir, { recursive: true, mode: 0o700 });
      const configFile = join(promDir, 'prometheus.yml');
      writeFileSync(configFile, prometheusConfig({ nodes: cluster.nodes, scrapeInterval }));
      const entry = await startPrometheus(prometheusBinary, { address: prometheusAddress, configFile, dataDir: join(promDir, 'data'), logFile: join(promDir, 'prometheus.log') });
      started.push(entry.pid);
      cluster.prometheus = { ...entry, scrapeInterval };
      writeCluster(dir, cluster);
    }
  } catch (error) {
    await cleanUp((error as Error).message);
    process.exit(1);
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
  console.log(`rootcoord cluster of ${cluster.nodes.length} nodes is up (data in ${dir}); leader: node ${leader}`);
  for (const n of cluster.nodes) console.log(`  node ${n.id}: client ${n.client}  peer ${n.peer}  metrics http://${n.metrics}/metrics  milvus ${n.milvus ?? '-'}  pid ${n.pid}`);
  if (cluster.prometheus !== undefined) console.log(`  prometheus: http://${cluster.prometheus.address} (alerts: http://${cluster.prometheus.address}/alerts, or /classic/alerts with Debian's package)  pid ${cluster.prometheus.pid}; Grafana dashboard: monitoring/grafana/rootcoord.json`);
  console.log(cluster.auth === true ? `authorization is on: npx rootcoordctl --dir ${dir} --user root --password <${cluster.rootPasswordFile ?? ''}> db list` : `try: npx rootcoordctl --dir ${dir} db list`);
  if (!foreground) return;
  console.log('running in the foreground; Ctrl-C stops all nodes');
  await new Promise<void>((done) => {
    const stop = (): void => {
      // Every member as cluster.json has it now: nodes restarted (`start`) or added (`add`) since, too.
      const now = existsSync(join(dir, 'cluster.json')) ? readCluster(dir) : cluster;
      const pids = [...new Set([...cluster.nodes, ...now.nodes].map((n) => n.pid)), ...[cluster.prometheus, now.prometheus].flatMap((p) => (p === undefined ? [] : [p.pid]))].filter(isAlive);
      for (const pid of pids) process.kill(pid, 'SIGTERM');
      void waitForExit(pids, 10_000).then(() => done());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function waitForExit(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

async function status(args: CommandArgs, dir: string): Promise<void> {
  const json = args.bool('json');
  const states = await nodeStates(readCluster(dir));
  const leader = leaderOf(states);
  if (json) {
    console.log(JSON.stringify({ leader, nodes: states }));
    return;
  }
  console.log(`leader: ${leader ?? 'none'}`);
  const prometheus = readCluster(dir).prometheus;
  if (prometheus !== undefined) console.log(`prometheus: http://${prometheus.address} (pid ${prometheus.pid}, ${isAlive(prometheus.pid) ? 'running' : 'stopped'})`);
  console.log(['id', 'pid', 'alive', 'role', 'term', 'leader', 'commit', 'applied', 'milvus'].join('\t'));
  for (const s of states) console.log([s.id, s.pid, s.alive, s.role ?? '-', s.term ?? '-', s.leader ?? '-', s.commitIndex ?? '-', s.appliedIndex ?? '-', s.milvus ?? '-'].join('\t'));
}

async function kill(args: CommandArgs, dir: string): Promise<void> {
  const signal = `SIG${args.flag('signal', 'KILL').replace(/^SIG/, '')}` as NodeJS.Signals;
  const target = args.positionals[0];
  if (target === undefined) throw new Error('usage: scripts/cluster kill <id|leader> [--signal KILL|TERM|STOP|CONT] [--wait]');
  const cluster = readCluster(dir);
  let id = Number(target);
  if (target === 'leader') {
    const leader = leaderOf(await nodeStates(cluster));
    if (leader === null) throw new Error('no leader is known right now');
    id = leader;
  }
  const node = cluster.nodes.find((n) => n.id === id);
  if (node === undefined) throw new Error(`no node ${target}`);
  if (!isAlive(node.pid)) throw new Error(`node ${id} (pid ${node.pid}) is not running`);
  process.kill(node.pid, signal);
  console.log(`sent ${signal} to node ${id} (pid ${node.pid})`);
  // --wait: return once the node has exited (as `down` waits: SIGKILL after 10 s), so that a `start` may follow.
  if (args.bool('wait')) await waitForExit([node.pid], 10_000);
}

/**
 * A member of a cluster that has run, started with no log, would bootstrap as a new cluster's member
 * and under its old ID take part having forgotten its votes and the entries it acknowledged.
 */
function refuseMemberWithoutLog(node: NodeEntry): void {
  if (existsSync(join(node.dataDir, 'raft'))) return;
  throw new Error(`node ${node.id} has no raft log in ${node.dataDir}: a member whose data is gone must not start again under its ID; replace it with \`scripts/cluster remove ${node.id}\`, then \`scripts/cluster add\` (a new ID)`);
}

async function start(args: CommandArgs, dir: string): Promise<void> {
  const cluster = readCluster(dir);
  const node = cluster.nodes.find((n) => n.id === Number(args.positionals[0]));
  if (node === undefined) throw new Error(`usage: scripts/cluster start <id>; no node ${String(args.positionals[0])}`);
  if (isAlive(node.pid)) throw new Error(`node ${node.id} is already running (pid ${node.pid})`);
  refuseMemberWithoutLog(node);
  const logFrom = existsSync(node.logFile) ? statSync(node.logFile).size : 0;
  const child = spawnNodeProcess(cluster, node, false);
  node.pid = child.pid;
  writeCluster(dir, cluster);
  const startedAt = Date.now();
  await untilListening(node, child, logFrom);
  console.log(`started node ${node.id} (pid ${node.pid}), listening after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

/** Why a node stopped, in its own words: its `rootcoord: ...` lines in `log` (a node says so on stderr as it exits). */
function nodeSaid(log: string): string {
  return log
    .split('\n')
    .filter((line) => line.startsWith('rootcoord:'))
    .join('; ')
    .replace(/^rootcoord: /, '');
}

/**
 * Until a node just started answers on its metrics port (it has loaded and checked its catalog and
 * started Raft; /readyz, knowing a leader, may come later) or exits: a start refused (a damaged
 * catalog, a lost log) is said here, with the node's own words, and not only in its log. A node
 * loading a big catalog may take minutes to listen: up to 10 minutes, saying so after 5 s.
 */
async function untilListening(node: NodeEntry, child: ChildProcess, logFrom: number, timeoutMs = 10 * 60_000): Promise<void> {
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = code === null ? `was killed by ${String(signal)}` : `exited with code ${code}`;
  });
  const startedAt = Date.now();
  let told = false;
  for (;;) {
    if (exited !== null) {
      // What this start wrote (the log file is appended to by every start).
      const said = nodeSaid(logSince(node.logFile, logFrom));
      throw new Error(`node ${node.id} ${exited as string} as it started${said === '' ? ` (see ${node.logFile})` : `: ${said}`}`);
    }
    // This node, not another process on its port: /healthz names the node and its pid.
    const health = await httpGet(node.metrics, '/healthz', 2000)
      .then((r) => (r.status === 200 ? (JSON.parse(r.body) as { id?: number; pid?: number }) : null))
      .catch(() => null);
    if (health !== null && health.id === node.id && health.pid === child.pid) return;
    if (Date.now() - startedAt > timeoutMs) throw new Error(`node ${node.id} (pid ${String(child.pid)}) did not listen on ${node.metrics} within ${timeoutMs / 1000} s; it still runs (see ${node.logFile})`);
    if (!told && Date.now() - startedAt > 5000) {
      told = true;
      console.log(`waiting for node ${node.id} to load its catalog and listen`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function transfer(args: CommandArgs, dir: string): Promise<void> {
  const cluster = readCluster(dir);
  const target = Number(args.positionals[0]);
  if (!cluster.nodes.some((n) => n.id === target)) throw new Error(`usage: scripts/cluster transfer <id>; no node ${String(args.positionals[0])}`);
  const leader = leaderOf(await nodeStates(cluster));
  const leaderNode = cluster.nodes.find((n) => n.id === leader);
  if (leaderNode === undefined) throw new Error('no leader is known right now');
  const client = await newClient({ endpoints: [leaderNode.client], ...credentials(cluster) });
  try {
    await client.transferLeader(target);
  } finally {
    client.close();
  }
  console.log(`asked node ${leaderNode.id} to transfer leadership to node ${target}`);
}

/**
 * A client of the cluster. Its module (gRPC, the protocol files: about 0.14 s to load) is loaded only
 * by the commands that call a node, so that `start`, `kill` and `down` start a node or stop it at once.
 */
async function newClient(options: ClientOptions): Promise<RootCoordClient> {
  const { RootCoordClient } = await import('../src/client/root-coord-client.js');
  return new RootCoordClient(options);
}

function leaderClient(cluster: ClusterFile, attemptDeadlineMs = 10_000): Promise<RootCoordClient> {
  return newClient({ endpoints: cluster.nodes.map((n) => n.client), retryBudgetMs: 30_000, attemptDeadlineMs, ...credentials(cluster) });
}

async function add(_args: CommandArgs, dir: string): Promise<void> {
  const cluster = readCluster(dir);
  // The next after every ID this cluster has had, by cluster.json and by the node directories.
  const id = nextNodeId(cluster.lastNodeId, cluster.nodes.map((n) => n.id), readdirSync(dir));
  // Node IDs 100 and up would take the peer ports (B+100+i) of the first nodes as client ports.
  if (id > 99) throw new Error(`this cluster has used node IDs up to ${id - 1}; a local cluster has at most 99 (ports B+1 to B+99 per role)`);
  cluster.lastNodeId = id;
  const base = cluster.basePort;
  const node: NodeEntry = { ...nodeEntry(dir, base, id), joined: true };
  cluster.nodes.push(node);
  node.pid = spawnNode(cluster, node, false);
  writeCluster(dir, cluster);
  // The leader answers once the new node has caught up as a learner and is a voter. It gives up when
  // the learner makes no progress for 30 s; a big catalog's copy may take minutes, so the wait here is long.
  const client = await leaderClient({ ...cluster, nodes: cluster.nodes.filter((n) => n.id !== id) }, 15 * 60_000);
  const progress = showCatchUp(cluster, id);
  try {
    await client.addMember(id, node.peer, node.client);
    // A voter once its log matches the leader's; it serves once it has also applied what it received
    // (a copy of a big catalog is written and loaded after the Raft log says it is installed).
    await untilReady(node, 15 * 60_000);
  } finally {
    progress.stop();
    client.close();
  }
  refreshPrometheus(cluster);
  // Its pid as cluster.json has it now (a `start` meanwhile, after a kill, wrote a new one).
  const pid = readCluster(dir).nodes.find((n) => n.id === id)?.pid ?? node.pid;
  console.log(`node ${id} joined as a voter and has caught up (client ${node.client}, pid ${pid})`);
}

/** Poll the node's /readyz (it knows a leader and has applied what was committed) until it answers 200. */
async function untilReady(node: NodeEntry, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await httpGet(node.metrics, '/readyz', 2000).then((r) => r.status === 200, () => false);
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`node ${node.id} did not become ready (/readyz on ${node.metrics}) within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** While a new node catches up as a learner: every second, how far it has applied against the leader's commit index. */
function showCatchUp(cluster: ClusterFile, id: number): { stop: () => void } {
  let last = '';
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void nodeStates(cluster)
      .then((states) => {
        const learner = states.find((s) => s.id === id);
        const leader = states.find((s) => s.role === 'Leader');
        const line = learner?.appliedIndex == null ? `  node ${id}: starting` : `  node ${id}: applied ${learner.appliedIndex} of ${leader?.commitIndex ?? '?'} (${learner.role ?? 'catching up'})`;
        if (line !== last) console.log(line);
        last = line;
      })
      .finally(() => {
        running = false;
      });
  }, 1000);
  return { stop: () => clearInterval(timer) };
}

async function remove(args: CommandArgs, dir: string): Promise<void> {
  const cluster = readCluster(dir);
  const id = Number(args.positionals[0]);
  const node = cluster.nodes.find((n) => n.id === id);
  if (node === undefined) throw new Error(`usage: scripts/cluster remove <id>; no node ${String(args.positionals[0])}`);
  const client = await leaderClient(cluster);
  try {
    await client.removeMember(id);
  } finally {
    client.close();
  }
  if (isAlive(node.pid)) {
    process.kill(node.pid, 'SIGTERM');
    await waitForExit([node.pid], 10_000);
  }
  cluster.nodes = cluster.nodes.filter((n) => n.id !== id);
  writeCluster(dir, cluster);
  refreshPrometheus(cluster);
  console.log(`node ${id} removed and stopped (its data stays in ${node.dataDir})`);
}

async function down(args: CommandArgs, dir: string): Promise<void> {
  const wipe = args.bool('wipe');
  if (existsSync(join(dir, 'cluster.json'))) {
    const cluster = readCluster(dir);
    const pids = cluster.nodes.map((n) => n.pid).filter(isAlive);
    const prometheus = cluster.prometheus !== undefined && isAlive(cluster.prometheus.pid) ? [cluster.prometheus.pid] : [];
    for (const pid of [...pids, ...prometheus]) {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGTERM');
    }
    await waitForExit([...pids, ...prometheus], 10_000);
    console.log(`stopped ${pids.length} node(s)${prometheus.length > 0 ? ' and prometheus' : ''}`);
  }
  if (wipe) {
    rmSync(dir, { recursive: true, force: true });
    console.log(`removed ${dir}`);
  }
}

/** Rewrites the running Prometheus's scrape config after a membership change and has it reload (SIGHUP). */
function refreshPrometheus(cluster: ClusterFile): void {
  const p = cluster.prometheus;
  if (p === undefined) return;
  writeFileSync(p.configFile, prometheusConfig({ nodes: cluster.nodes, scrapeInterval: p.scrapeInterval }));
  if (isAlive(p.pid)) process.kill(p.pid, 'SIGHUP');
}

async function printPrometheusConfig(args: CommandArgs, dir: string): Promise<void> {
  const cluster = readCluster(dir);
  process.stdout.write(prometheusConfig({ nodes: cluster.nodes, scrapeInterval: args.flag('scrape-interval', cluster.prometheus?.scrapeInterval ?? '5s') }));
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  /** Each command's flags, and how many positional arguments it takes. */
  const commands: Record<string, { run: (a: CommandArgs, d: string) => Promise<void>; switches?: string[]; values?: string[]; positionals: number }> = {
    up: { run: up, switches: ['foreground', 'chaos', 'auth', 'tls', 'prometheus'], values: ['nodes', 'base-port', 'gc-confirm-delay-ms', 'limit', 'raft-nice', 'request-nice', 'snapshot-entries', 'snapshot-entries-kept', 'prometheus-port', 'scrape-interval', 'root-password-file'], positionals: 0 },
    status: { run: status, switches: ['json'], positionals: 0 },
    kill: { run: kill, switches: ['wait'], values: ['signal'], positionals: 1 },
    start: { run: start, positionals: 1 },
    transfer: { run: transfer, positionals: 1 },
    add: { run: add, positionals: 0 },
    remove: { run: remove, positionals: 1 },
    down: { run: down, switches: ['wipe'], positionals: 0 },
    'prometheus-config': { run: printPrometheusConfig, values: ['scrape-interval'], positionals: 0 },
  };
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return;
  }
  const entry = command === undefined || !Object.hasOwn(commands, command) ? undefined : commands[command];
  if (entry === undefined) {
    console.error(command === undefined ? USAGE : `cluster: no command ${command}\n${USAGE}`);
    process.exit(2);
  }
  const args = new CommandArgs(rest, entry);
  if (args.positionals.includes('--help') || args.positionals.includes('-h')) {
    console.log(USAGE);
    return;
  }
  // A flag this command does not take (a typo such as --base-prot), a repeated one, or an argument too many
  // is refused, not passed over: the command would run with its defaults.
  const unknown = args.positionals.find((p) => p.startsWith('-'));
  if (unknown !== undefined) throw new UsageError(`${command}: ${unknown} is not an option of this command, or is given twice`);
  if (args.positionals.length > entry.positionals) throw new UsageError(`${command}: unexpected argument ${String(args.positionals[entry.positionals])}`);
  await entry.run(args, resolve(args.flag('dir', '.cluster')));
}

// grpc-js names an IP-literal TLS target as the server name, which Node flags (DEP0123) on every call.
process.noDeprecation = true;
main().catch((error: unknown) => {
  console.error(`cluster: ${(error as Error).message}${error instanceof UsageError ? ' (scripts/cluster --help)' : ''}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
