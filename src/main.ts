#!/usr/bin/env node
/**
 * One rootcoord node as an OS process (`node dist/src/main.js`, package bin `rootcoord`).
 * `--help` lists the flags.
 */
import { chmodSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { collect, parseCommandLine } from './common/command-line.js';
import type { ApiServer } from './api/api-server.js';
import type { MilvusServer } from './api/milvus-server.js';
import { defaultLimits } from './ddl/limits.js';
import type { Limits } from './ddl/limits.js';
import { builtinRoleGrants } from './rbac/rbac-model.js';
import type { BuiltinRolesConfig } from './rbac/rbac-model.js';
import { DEFAULT_SNAPSHOT_ENTRIES_KEPT, DEFAULT_TIME_TICK_INTERVAL_MS, defaultSecurity, MILVUS_DEFAULT_ADDRESS } from './node/config.js';
import type { ClientTlsConfig, MemberAddress, NodeConfig } from './node/config.js';
import { RootCoordNode } from './node/root-coord-node.js';

const HELP = `usage: rootcoord --id N --data-dir DIR --peers 1=host:port,... --clients 1=host:port,... [options]
       rootcoord --config FILE [options]

  --config F                 read settings from F (JSON, or YAML unless F ends in .json): an object whose
                             keys are these flags without the dashes, e.g. {"id": 1, "data-dir": "n1",
                             "peers": {"1": "127.0.0.1:53201"}, "limit": {"maxDatabaseNum": 128}, "auth": true};
                             flags given on the command line win over the file

  --id N                     this node's id (a positive integer)
  --data-dir DIR             raft log, snapshots and the LevelDB MetaTable
  --peers LIST               raft peer addresses of the initial members: id=host:port,...
  --clients LIST             client (gRPC API) addresses of the members: id=host:port,...
  --client-address H:P       this node's client address when --clients does not name it
  --metrics-address H:P      HTTP /metrics, /healthz, /readyz (default: none)
  --milvus-address H:P       Milvus's public API (milvus.proto.milvus.MilvusService) for Milvus's SDKs
                             (default 127.0.0.1:19530, skipped with a warning when that port is taken;
                             none: off)
  --join                     join an existing cluster (empty data dir) instead of bootstrapping (default: off)
  --tick-ms N                raft tick interval (default 50)
  --election-ticks N         election timeout in ticks, randomized in [N, 2N) (default 6); a follower whose
                             leader's peer port refuses connections campaigns ceil(N/2) + 2 ticks after
                             it last heard from it (the leader's lease, half of N ticks, is over by then)
  --heartbeat-ticks N        heartbeat interval in ticks (default 1)
  --snapshot-entries N       snapshot and compact the log every N applied entries (default 10000)
  --snapshot-entries-kept N  entries kept in the log behind a snapshot, for followers behind (default
                             ${DEFAULT_SNAPSHOT_ENTRIES_KEPT}: at 200,000 collections one that missed them catches up in 2 to 4 s,
                             one sent the catalog in 10 to 18 s); a follower further behind is sent the catalog
  --time-tick-ms N           DML channel time-tick interval (default ${DEFAULT_TIME_TICK_INTERVAL_MS})
  --secret S | --secret-file F   shared cluster secret for peer traffic (default: none)
  --gc-confirm-delay-ms N    wait before a dropped collection's meta is deleted (default 1200000)
  --auth                     (default: off) require credentials (metadata authorization: base64 of user:password) and
                             check privileges on every call but health checks
  --root-password P | --root-password-file F
                             root's password when the cluster first starts (default Milvus)
  --root-should-bind-role    root has only what its roles grant (default: root bypasses RBAC)
  --builtin-roles-file F     roles created at first start and never droppable, with their grants (JSON,
                             as Milvus's common.security.builtinRoles)
  --tls-cert F --tls-key F [--tls-ca F]
                             TLS on the client port (PEM files); the CA verifies the leader when a
                             follower forwards to it (default: no TLS; the CA: the certificate itself)
  --limit NAME=VALUE         override a limit (e.g. maxDatabaseNum=64, maxPartitionNum=1024, maxUserNum=100,
                             maxRoleNum=10, passwordHashCost=15); password checks: passwordHashWorkers=0
                             (0: min(2, cores)), passwordHashQueueMax=32, passwordHashNice=5,
                             authUserConcurrency=4, authFreeFailures=3, authBackoffBaseMs=100,
                             authBackoffMaxMs=5000, authTrackedMax=10000 (see README, Configuration). Overload and request size:
                               maxInflightRequests=256       unary calls in flight on the node; beyond: code 2001
                               maxInflightDdl=64             DDL calls in flight on the node (an adaptive budget up
                                                             to this); beyond: code 2001
                               ddlLatencyTargetMs=1000       a slower DDL call shrinks the DDL budget by a quarter
                               maxDdlQueueMs=2000            longest wait for locks, ID and timestamp; beyond: 2001
                               maxEventLoopLagMs=200         refuse new calls while the event loop lags more (0: off)
                               maxInflightPerConnection=64   DDL calls, and as many other calls, in flight per
                                                             client connection (forwarded calls exempt); beyond:
                                                             code 2001
                               maxServerStreams=256          proxy sessions and time-tick watches open at once;
                                                             beyond: RESOURCE_EXHAUSTED
                               maxStreamsPerConnection=32    of those, open from one client connection
                               maxStreamBacklog=1024         a session's unsent messages before it is ended
                                                             (a time-tick watch skips ticks while behind)
                               maxRequestBytes=4194304       largest request message (gRPC receive limit)
                               maxUnreadAnswerBytes=268435456  answers sent but not yet read by their clients,
                                                             all connections; while held: code 2001
                               unreadAnswerTimeoutMs=10000   while that many are held, answers unread this
                                                             long are dropped, oldest first, until under it
                               maxConnectionMemoryBytes=167772160  one connection's HTTP/2 memory (its unsent
                                                             answers too); beyond: its new calls refused
                               maxCollectionDescriptionLength=1024, maxFieldDescriptionLength=65535,
                               maxPropertyValueLength=65535, maxPropertiesSize=1048576,
                               maxCollectionSchemaSize=1048576 (bytes; beyond: code 1100)
  --log-file F               JSON-lines log file (default: stdout)
  --chaos                    allow fault injection (scripts/chaos only; never in production; default: off)
  --raft-nice N              the Raft thread's nice value, -20 to 19 (Linux, per thread; default: the process's)
  --request-nice N           the request thread's nice value, -20 to 19, not below --raft-nice (default: the
                             process's); a value below the process's needs root or CAP_SYS_NICE. renice -p
                             of a node's PID changes its request thread only, not its Raft thread
  --help                     this text, and every limit with its default`;

/** Switches: flags without a value. */
const SWITCHES = new Set(['help', 'join', 'chaos', 'auth', 'root-should-bind-role']);
/** Every setting: the flags --help names (a --config file's keys are the same names). */
const SETTINGS = new Set([...HELP.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1] as string));

function helpText(): string {
  const entries = Object.entries(defaultLimits).map(([name, value]) => `${name}=${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  const lines: string[] = [];
  for (let i = 0; i < entries.length; i += 3) lines.push(`    ${entries.slice(i, i + 3).join(', ')}`);
  return `${HELP}\n\nevery limit (--limit NAME=VALUE) and its default:\n${lines.join('\n')}`;
}

/**
 * The settings of a --config file as flag values (a switch set to true is present, false absent; peers
 * and clients may be id: address objects; limit an object of name: value or a list of "name=value").
 */
function configFileFlags(file: string): Map<string, string[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`--config ${file}: ${(error as Error).message}`);
  }
  const json = /\.json$/i.test(file);
  let doc: unknown;
  try {
    doc = json ? JSON.parse(text) : load(text);
  } catch (error) {
    throw new Error(`--config ${file}: not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`--config ${file}: want an object of settings, e.g. {"id": 1, "data-dir": "node-1"}`);
  const out = new Map<string, string[]>();
  const scalar = (where: string, value: unknown): string => {
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return String(value);
    throw new Error(`${where}: want a string or a number, got ${JSON.stringify(value)}`);
  };
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const where = `setting "${key}" in ${file}`;
    if (!SETTINGS.has(key) || key === 'config' || key === 'help') throw new Error(`${file}: unknown setting "${key}" (the settings are the flags of rootcoord --help, without the dashes)`);
    if (SWITCHES.has(key)) {
      if (typeof value !== 'boolean') throw new Error(`${where}: want true or false, got ${JSON.stringify(value)}`);
      if (value) out.set(key, ['true']);
    } else if (key === 'limit') {
      if (Array.isArray(value)) out.set(key, value.map((v, i) => scalar(`${where}, item ${i}`, v)));
      else if (value !== null && typeof value === 'object') out.set(key, Object.entries(value).map(([name, v]) => `${name}=${scalar(`${where}, ${name}`, v)}`));
      else throw new Error(`${where}: want an object of limits, e.g. {"maxDatabaseNum": 128}`);
    } else if ((key === 'peers' || key === 'clients') && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      out.set(key, [Object.entries(value).map(([id, address]) => `${id}=${scalar(`${where}, member ${id}`, address)}`).join(',')]);
    } else {
      out.set(key, [scalar(where, value)]);
    }
  }
  return out;
}

function parseMembers(list: string, flag: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const item of list.split(',').filter((s) => s !== '')) {
    const [id, address] = item.split('=');
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n <= 0 || address === undefined || !/^[^:]+:\d+$/.test(address)) throw new Error(`${flag}: bad member "${item}" (want id=host:port)`);
    out.set(n, address);
  }
  return out;
}

function builtinRolesFile(file: string | undefined): BuiltinRolesConfig {
  if (file === undefined) return {};
  let config: BuiltinRolesConfig;
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as BuiltinRolesConfig;
  } catch (error) {
    throw new Error(`--builtin-roles-file ${file}: ${(error as Error).message}`);
  }
  builtinRoleGrants(config);
  return config;
}

function tlsFiles(cert: string | undefined, key: string | undefined, ca: string | undefined): ClientTlsConfig | null {
  if (cert === undefined && key === undefined) return null;
  if (cert === undefined || key === undefined) throw new Error('--tls-cert and --tls-key go together');
  const certPem = readFileSync(cert, 'utf8');
  return { cert: certPem, key: readFileSync(key, 'utf8'), ca: ca === undefined ? certPem : readFileSync(ca, 'utf8') };
}

/** The Milvus port: an address, or null (off); `explicit` unless it is the default. */
export interface MilvusPort {
  readonly address: string | null;
  readonly explicit: boolean;
}

function milvusPort(flag: string | undefined): MilvusPort {
  if (flag === undefined) return { address: MILVUS_DEFAULT_ADDRESS, explicit: false };
  if (flag === 'none') return { address: null, explicit: true };
  if (!/^[^:]+:\d+$/.test(flag)) throw new Error(`--milvus-address: want host:port or none, got "${flag}"`);
  return { address: flag, explicit: true };
}

export function parseArgs(argv: readonly string[]): NodeConfig & { clientAddress: string; milvus: MilvusPort } {
  const parsed = collect(parseCommandLine(argv, { switches: [...SWITCHES], values: [...SETTINGS].filter((name) => !SWITCHES.has(name)) }), {
    missing: (name) => new Error(`--${name} needs a value`),
    unknown: (name) => new Error(`unknown flag --${name} (see --help)`),
    positional: (value) => new Error(`unexpected argument "${value}" (see --help)`),
  });
  const flags = new Map(parsed.values);
  for (const name of parsed.switches) flags.set(name, ['true']);
  if (flags.has('help')) {
    console.log(helpText());
    process.exit(0);
  }
  // A --config file's settings, where the command line does not give them (limits: the file's first).
  const configFile = flags.get('config')?.[0];
  const fromFile = new Set<string>();
  if (configFile !== undefined) {
    for (const [name, values] of configFileFlags(configFile)) {
      if (name === 'limit') flags.set(name, [...values, ...(flags.get(name) ?? [])]);
      else if (flags.has(name)) continue;
      else flags.set(name, values);
      fromFile.add(name);
    }
  }
  /** How an error names a setting: the flag, or the key of the config file it came from. */
  const setting = (name: string): string => (fromFile.has(name) && name !== 'limit' ? `setting "${name}" in ${configFile ?? ''}` : `--${name}`);
  const one = (name: string, fallback?: string): string => {
    const v = flags.get(name)?.[0] ?? fallback;
    if (v === undefined) throw new Error(`--${name} is required (a flag, or a setting of --config; see --help)`);
    return v;
  };
  const num = (name: string, fallback: number, min = 0, integer = false): number => {
    const text = one(name, String(fallback));
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v < min || (integer && !Number.isSafeInteger(v))) {
      throw new Error(`${setting(name)} must be ${integer ? 'an integer' : 'a number'} ${min === 0 ? 'of 0 or more' : `of at least ${min}`}, got "${text}"`);
    }
    return v;
  };
  const id = num('id', 0);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`${setting('id')} must be a positive integer`);
  const peers = parseMembers(one('peers'), setting('peers'));
  const clients = parseMembers(one('clients'), setting('clients'));
  const members = new Map<number, MemberAddress>();
  for (const [memberId, peer] of peers) members.set(memberId, { peer, client: clients.get(memberId) ?? '' });
  if (!members.has(id)) throw new Error(`${setting('id')} ${id} is not in ${setting('peers')}`);
  const heartbeatTicks = num('heartbeat-ticks', 1, 1, true);
  const electionTicks = num('election-ticks', 6, 2, true);
  if (electionTicks <= heartbeatTicks) throw new Error(`${setting('election-ticks')} (${electionTicks}) must exceed ${setting('heartbeat-ticks')} (${heartbeatTicks})`);
  const limitWhere = configFile !== undefined && fromFile.has('limit') ? `--limit (or "limit" in ${configFile})` : '--limit';
  const limits: Record<string, number | string> = { ...defaultLimits, gcConfirmDelayMs: num('gc-confirm-delay-ms', defaultLimits.gcConfirmDelayMs) };
  for (const override of flags.get('limit') ?? []) {
    const at = override.indexOf('=');
    const key = override.slice(0, at);
    const value = override.slice(at + 1);
    if (at < 0 || !(key in defaultLimits)) throw new Error(`${limitWhere}: unknown limit "${override}"`);
    if (typeof defaultLimits[key as keyof Limits] !== 'number') {
      limits[key] = value;
      continue;
    }
    // A value that is not a number would be NaN, and every comparison with NaN is false: the limit would be off.
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`${limitWhere} ${key}: want a non-negative number, got "${value}"`);
    limits[key] = n;
  }
  const rootPasswordFile = flags.get('root-password-file')?.[0];
  const rootPassword = rootPasswordFile !== undefined ? readFileSync(rootPasswordFile, 'utf8').trim() : one('root-password', defaultSecurity.rootPassword);
  const secretFile = flags.get('secret-file')?.[0];
  const secret = secretFile !== undefined ? readFileSync(secretFile, 'utf8').trim() : one('secret', '');
  return {
    id,
    dataDir: one('data-dir'),
    members,
    join: flags.has('join'),
    metricsAddress: flags.get('metrics-address')?.[0] ?? null,
    tickIntervalMs: num('tick-ms', 50, 1),
    electionTicks,
    heartbeatTicks,
    snapshotEntries: num('snapshot-entries', 10_000, 1, true),
    snapshotEntriesKept: num('snapshot-entries-kept', DEFAULT_SNAPSHOT_ENTRIES_KEPT, 0, true),
    timeTickIntervalMs: num('time-tick-ms', DEFAULT_TIME_TICK_INTERVAL_MS, 1),
    secret,
    limits: limits as unknown as Limits,
    security: { ...defaultSecurity, authorizationEnabled: flags.has('auth'), rootPassword, rootShouldBindRole: flags.has('root-should-bind-role'), builtinRoles: builtinRolesFile(flags.get('builtin-roles-file')?.[0]), clientTls: tlsFiles(flags.get('tls-cert')?.[0], flags.get('tls-key')?.[0], flags.get('tls-ca')?.[0]) },
    logFile: flags.get('log-file')?.[0] ?? null,
    chaos: flags.has('chaos'),
    clientAddress: clients.get(id) ?? one('client-address'),
    milvus: milvusPort(flags.get('milvus-address')?.[0]),
    ...threadNice(),
  };

  /** --raft-nice and --request-nice, each optional; the Raft thread never gets a lower priority than the request thread. */
  function threadNice(): { raftNice?: number; requestNice?: number } {
    const nice = (name: string): number | undefined => {
      const text = flags.get(name)?.[0];
      if (text === undefined) return undefined;
      const v = Number(text);
      if (text.trim() === '' || !Number.isSafeInteger(v) || v < -20 || v > 19) throw new Error(`${setting(name)} must be an integer from -20 to 19 (a nice value), got "${text}"`);
      return v;
    };
    const raftNice = nice('raft-nice');
    const requestNice = nice('request-nice');
    if (raftNice !== undefined && requestNice !== undefined && raftNice > requestNice) {
      throw new Error(`${setting('raft-nice')} (${raftNice}) must not be above ${setting('request-nice')} (${requestNice}): the Raft thread must get a core before the request thread`);
    }
    return { ...(raftNice === undefined ? {} : { raftNice }), ...(requestNice === undefined ? {} : { requestNice }) };
  }
}

/** Runs a start step that listens on `address`; a port already taken becomes one line naming it, the node and its role. */
async function listening<T>(id: number, address: string, role: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const message = (error as Error).message;
    if (/EADDRINUSE/.test(message)) throw new StartError(`node ${id} cannot listen on ${address} (its ${role} port): the port is taken by another process`);
    if (/EADDRNOTAVAIL|EACCES/.test(message)) throw new StartError(`node ${id} cannot listen on ${address} (its ${role} port): ${message}`);
    throw error;
  }
}

/** A start failure with a message that says it all (no stack trace needed). */
class StartError extends Error {}

/**
 * The nice values to set (Linux): --raft-nice and --request-nice, each defaulting so that the Raft
 * thread never gets a core after the request thread (a raised request thread raises the Raft thread
 * with it; a lowered Raft thread lowers the request thread with it). Refused before anything starts
 * where this process may not set them: a value below the process's (a higher priority) needs root,
 * CAP_SYS_NICE or RLIMIT_NICE, so it is tried on this thread and this thread's own value put back
 * (lowering is always permitted). Off Linux, where a nice value is the whole process's, they are refused.
 */
function threadNiceValues(config: { raftNice?: number; requestNice?: number }): { raftNice?: number; requestNice?: number } {
  if (config.raftNice === undefined && config.requestNice === undefined) return {};
  if (process.platform !== 'linux') throw new StartError(`--raft-nice and --request-nice need Linux (a thread's own nice value); this is ${process.platform}`);
  const own = getPriority();
  const raftNice = config.raftNice ?? (config.requestNice !== undefined && config.requestNice < own ? config.requestNice : undefined);
  const requestNice = config.requestNice ?? (config.raftNice !== undefined && config.raftNice > own ? config.raftNice : undefined);
  const raftFlag = config.raftNice === undefined ? '--request-nice (for the Raft thread too)' : '--raft-nice';
  for (const [flag, value] of [[raftFlag, raftNice], ['--request-nice', requestNice]] as const) {
    if (value === undefined || value >= own) continue;
    try {
      setPriority(value);
    } catch {
      throw new StartError(`${flag} ${value}: not permitted (a nice value below the process's, ${own}, needs root, CAP_SYS_NICE or RLIMIT_NICE)`);
    }
    setPriority(own);
  }
  return { ...(raftNice === undefined ? {} : { raftNice }), ...(requestNice === undefined ? {} : { requestNice }) };
}

/** The Milvus port, or null: off, or the default port taken (a warning; an address given with the flag must bind). */
async function startMilvusPort(serving: Serving, node: RootCoordNode, api: ApiServer, port: MilvusPort): Promise<MilvusServer | null> {
  if (port.address === null) return null;
  const milvus = new serving.MilvusServer(node, api);
  try {
    await milvus.start(port.address);
    return milvus;
  } catch (error) {
    await milvus.close();
    if (port.explicit) throw new Error(`--milvus-address ${port.address}: ${(error as Error).message}`);
    node.log.warn('the Milvus port is not served: its default address is taken (choose one with --milvus-address)', { address: port.address, error: (error as Error).message });
    return null;
  }
}

/**
 * The modules that serve clients and metrics (gRPC, protobuf, Milvus's protos, Prometheus's client):
 * about 0.2 s of this thread's start, loaded while the Raft thread starts (this thread waits for it
 * then, idle) instead of before the catalog's load (a restart is ready that much sooner).
 */
async function loadServing() {
  const [{ ApiServer }, { MilvusServer }, { MetricsHttpServer }, { NodeMetrics }] = await Promise.all([
    import('./api/api-server.js'),
    import('./api/milvus-server.js'),
    import('./metrics/http-server.js'),
    import('./metrics/node-metrics.js'),
  ]);
  return { ApiServer, MilvusServer, MetricsHttpServer, NodeMetrics };
}

type Serving = Awaited<ReturnType<typeof loadServing>>;

async function main(): Promise<void> {
  // The data directory holds every user's password hash: nothing this process creates is for others.
  process.umask(0o077);
  let config: ReturnType<typeof parseArgs>;
  try {
    config = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`rootcoord: ${(error as Error).message}`);
    process.exit(2);
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  const peerAddress = config.members.get(config.id)?.peer ?? '';
  const nice = threadNiceValues(config);
  let loading: Promise<Serving> | undefined;
  const serve = (): Promise<Serving> => (loading ??= loadServing());
  const node = await listening(config.id, peerAddress, 'raft peer', () =>
    RootCoordNode.start({ ...config, ...nice }, null, {
      // Reading the request IDs and decoding the catalog would share this thread with the servers'
      // start: after it (below).
      backgroundWhenServing: true,
      // Awaited below; a start that fails first must not leave its rejection unhandled.
      whileRaftStarts: () => void serve().catch(() => undefined),
    }),
  );
  // A Raft failure before the servers are up is handled once they are (below): until then there is
  // nothing to stop but what the start path stops on an error.
  let earlyError: Error | null = null;
  node.onFatal = (error) => (earlyError ??= error);
  // A start that fails after such a failure names it too (it may be why).
  const sayEarly = (): void => {
    if (earlyError !== null) console.error(`rootcoord: node ${config.id}: its Raft failed during the start: ${earlyError.message}`);
  };
  let serving: Serving;
  try {
    serving = await serve();
  } catch (error) {
    sayEarly();
    await node.close().catch(() => undefined);
    throw error;
  }
  // The request thread's nice value, once the Raft thread exists (it was started at the process's and
  // set its own), so that a Raft thread above the request thread needs no privilege to be set.
  if (nice.requestNice !== undefined) setPriority(nice.requestNice);
  const metrics = new serving.NodeMetrics(node);
  const api = new serving.ApiServer(node, metrics);
  const http = config.metricsAddress === null ? null : new serving.MetricsHttpServer(node, metrics);
  let milvus: MilvusServer | null = null;
  try {
    await listening(config.id, config.clientAddress, 'client', () => api.start(config.clientAddress));
    milvus = await startMilvusPort(serving, node, api, config.milvus);
    if (http !== null && config.metricsAddress !== null) await listening(config.id, config.metricsAddress, 'metrics', () => http.start(config.metricsAddress as string));
  } catch (error) {
    sayEarly();
    await milvus?.close().catch(() => undefined);
    await api.close().catch(() => undefined);
    metrics.close();
    await node.close().catch(() => undefined);
    throw error;
  }
  node.log.info('serving', { client: config.clientAddress, peer: config.members.get(config.id)?.peer, metrics: config.metricsAddress, milvus: milvus === null ? null : config.milvus.address });
  node.serving();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    node.log.info('stopping', { signal });
    const force = setTimeout(() => process.exit(1), 8000);
    force.unref();
    void (async () => {
      await milvus?.close();
      await api.close();
      metrics.close();
      await http?.close();
      await node.close();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // The Raft log could not be written: stop serving and exit non-zero (a supervisor restarts the node,
  // which then recovers from its log or refuses to start naming the damaged file).
  // Called at once if Raft has failed already (the handler above kept the error for the start's messages).
  node.onFatal = (error) => {
    console.error(`rootcoord: node ${config.id} stops: ${error.message}`);
    const force = setTimeout(() => process.exit(1), 3000);
    force.unref();
    void (async () => {
      await milvus?.close().catch(() => undefined);
      await api.close().catch(() => undefined);
      metrics.close();
      await http?.close().catch(() => undefined);
      await node.close().catch(() => undefined);
      process.exit(1);
    })();
  };
}

const entry = process.argv[1] === undefined ? '' : realpathSync(process.argv[1]);
if (entry === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`rootcoord: ${error instanceof StartError ? error.message : ((error as Error).stack ?? String(error))}`);
    process.exit(1);
  });
}
