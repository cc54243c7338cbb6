#!/usr/bin/env node
/**
 * rootcoordctl: the command line for a rootcoord cluster (interface.md section 4). Tables by default,
 * one JSON document with --json; exit 0 on success, 1 with the error code and reason on failure.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collect, parseCommandLine } from '../common/command-line.js';
import type { CollectedArgs } from '../common/command-line.js';
import { ConsistencyLevel, DataType } from '../protocol/model.js';
import type { PlainMessage } from '../protocol/proto.js';
import { physicalMs } from '../common/hybrid-ts.js';
import { checkReplicas } from '../client/replica-check.js';
import type { ReplicaAtMark } from '../client/replica-check.js';
import { RootCoordClient, RootCoordError } from '../client/root-coord-client.js';
import type { SchemaFile, SchemaFileField } from '../client/schema-file.js';

const USAGE = `usage: rootcoordctl [--endpoints h:p,...] [--dir .cluster] [--user U --password P] [--tls-ca F] [--json] [--stale] <group> <verb> ...
  cluster    status | members | transfer <id> | snapshot
             | check (replica check: every endpoint's catalog digest at one log index, against the leader's)
  db         create <name> [--property k=v]... | drop <name> | list | describe <name>
             | alter <name> (--property k=v ... | --delete-key k ...)
  collection create <name> --schema <file.json> [--db D] [--shards N] [--consistency Strong|Session|Bounded|Eventually]
                          [--property k=v]... [--num-partitions N]
             | drop <name> | describe <name> [--at <ts>] | list [--at <ts>] | has <name> [--at <ts>]
             | rename <old> <new> [--to-db D] | alter <name> (--property k=v ... | --delete-key k ...)
             | add-field <name> --field '<json>'
  partition  create <collection> <partition> | drop <collection> <partition> | has <collection> <partition> | list <collection>
  alias      create <collection> <alias> | drop <alias> | alter <collection> <alias> | describe <alias> | list [<collection>]
  tso        alloc [--count N]
  id         alloc [--count N]
  timetick   watch [--channel C] [--count N]
  user       create <name> <password> | delete <name> | list | passwd <name> <old password> <new password>
  role       create <name> | drop <name> [--force] | list
             | grant|revoke <role> <privilege> [--object Collection|Global|User] [--name N] [--db D] [--v2]
             | bind|unbind <user> <role>
  grant      list <role> [--object T] [--name N] [--db D|*]
  group      create <name> | drop <name> | list | add|remove <name> <privilege>...
  rbac       backup > file.json | restore < file.json
Collection commands take --db D (default: "default"). With authorization on, pass --user and --password
(or set ROOTCOORD_USER and ROOTCOORD_PASSWORD).`;

class UsageError extends Error {}

type Parsed = CollectedArgs;

const BOOLEAN_FLAGS = ['json', 'stale', 'help', 'force', 'v2'];

function parse(argv: readonly string[]): Parsed {
  return collect(parseCommandLine(argv, { switches: BOOLEAN_FLAGS, values: 'any' }), { missing: (name) => new UsageError(`--${name} needs a value`) });
}

function option(p: Parsed, name: string, fallback = ''): string {
  return p.values.get(name)?.[0] ?? fallback;
}

function properties(p: Parsed): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of p.values.get('property') ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--property wants k=v, got "${kv}"`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

interface ClusterJson {
  nodes: Array<{ client: string }>;
  tls?: { cert: string };
}

/** --user and --password, or ROOTCOORD_USER and ROOTCOORD_PASSWORD. */
function credentials(p: Parsed): { user: string; password: string } {
  return { user: option(p, 'user', process.env['ROOTCOORD_USER'] ?? ''), password: option(p, 'password', process.env['ROOTCOORD_PASSWORD'] ?? '') };
}

/** Where to connect: --endpoints (and --tls-ca), or the local cluster's cluster.json (and its certificate). */
function connection(p: Parsed): { endpoints: string[]; tlsCa?: string } {
  const explicit = option(p, 'endpoints');
  const cafile = option(p, 'tls-ca');
  const ca = (file: string | undefined): { tlsCa?: string } => (file === undefined || file === '' ? {} : { tlsCa: readFileSync(file, 'utf8') });
  if (explicit !== '') return { endpoints: explicit.split(','), ...ca(cafile) };
  const file = join(option(p, 'dir', '.cluster'), 'cluster.json');
  if (!existsSync(file)) throw new UsageError(`no --endpoints and no cluster.json in ${option(p, 'dir', '.cluster')}; start a cluster with scripts/cluster up or pass --endpoints`);
  const cluster = JSON.parse(readFileSync(file, 'utf8')) as ClusterJson;
  return { endpoints: cluster.nodes.map((n) => n.client), ...ca(cafile || cluster.tls?.cert) };
}

function need(p: Parsed, index: number, what: string): string {
  const v = p.positionals[index];
  if (v === undefined) throw new UsageError(`missing ${what}`);
  return v;
}

function table(headers: string[], rows: unknown[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined || c === null ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** Consistency levels by name, and data types' names by number (TypeScript's numeric enums map both ways). */
const CONSISTENCY = ConsistencyLevel as unknown as Record<string, number | undefined>;
const CONSISTENCY_NAMES = Object.keys(ConsistencyLevel).filter((k) => Number.isNaN(Number(k)));
const DATA_TYPES = DataType as unknown as Record<number, string | undefined>;

/** `exitCode`: when the command ran but found a fault (default 0). */
type Output = { json: unknown; text: string; exitCode?: number };

function ok(json: unknown, text = 'ok'): Output {
  return { json, text };
}

interface CommandContext {
  readonly client: RootCoordClient;
  readonly p: Parsed;
  readonly verb: string;
  /** --db (default ""). */
  readonly db: string;
  /** --at, a hybrid timestamp (default 0: now). */
  readonly at: bigint;
}

type Command = (context: CommandContext) => Promise<Output>;

/** Every command, by group and verb (USAGE lists them). */
const COMMANDS = new Map<string, Command>(Object.entries({
  'cluster status': async ({ client }) => {
    const st = await client.clusterStatus();
    const self = st['self'] as PlainMessage;
    return ok(st, table(['leader', 'leader client', 'voters', 'learners', 'answered by', 'term', 'commit', 'applied'], [[st['leader'], st['leader_client_address'], (st['voters'] as string[]).join(','), (st['learners'] as string[]).join(','), self['id'], self['term'], self['commit_index'], self['applied_index']]]));
  },
  'cluster transfer': async ({ client, p }) => ok(await client.transferLeader(Number(need(p, 2, 'the target node id'))), 'transfer requested'),
  'cluster snapshot': async ({ client }) => ok(await client.call('Snapshot', {}, 'admin'), 'snapshot taken'),
  'cluster check': async ({ p }) => {
    const { endpoints, ...rest } = connection(p);
    const report = await checkReplicas(endpoints, { ...rest, ...credentials(p) });
    const { index, leaderDigest, differ, unanswered } = report;
    const verdict = (r: ReplicaAtMark): string => (r.digest === null ? `no answer: ${r.error ?? ''}` : r.digest === leaderDigest ? 'same as the leader' : 'DIFFERS from the leader');
    const summary = differ > 0 ? `${differ} replica(s) differ from the leader at index ${index}` : unanswered > 0 ? `${unanswered} replica(s) did not answer; the others match the leader at index ${index}` : `every replica matches the leader at index ${index}`;
    const text = `${table(['endpoint', 'digest', 'verdict'], report.replicas.map((r) => [r.endpoint, r.digest ?? '', verdict(r)]))}\n${summary}`;
    return { ...ok(report, text), exitCode: differ > 0 || unanswered > 0 ? 1 : 0 };
  },
  'db create': async ({ client, p }) => ok(await client.createDatabase(need(p, 2, 'a database name'), properties(p))),
  'db drop': async ({ client, p }) => ok(await client.dropDatabase(need(p, 2, 'a database name'))),
  'db list': async ({ client }) => {
    const r = await client.listDatabases();
    const names = r['db_names'] as string[];
    const ids = r['db_ids'] as string[];
    const created = r['created_timestamp'] as string[];
    return ok(r, table(['name', 'id', 'created'], names.map((n, i) => [n, ids[i], new Date(Number(BigInt(created[i] ?? '0') / 1_000_000n)).toISOString()])));
  },
  'db describe': async ({ client, p }) => {
    const r = await client.describeDatabase(need(p, 2, 'a database name'));
    return ok(r, table(['name', 'id', 'properties'], [[r['db_name'], r['dbID'], JSON.stringify(r['properties'])]]));
  },
  'db alter': async ({ client, p }) => ok(await client.alterDatabase(need(p, 2, 'a database name'), properties(p), p.values.get('delete-key') ?? [])),
  'collection create': async ({ client, p, db }) => {
    const name = need(p, 2, 'a collection name');
    const file = option(p, 'schema');
    if (file === '') throw new UsageError('collection create needs --schema <file.json>');
    const schema = JSON.parse(readFileSync(file, 'utf8')) as SchemaFile;
    const consistency = option(p, 'consistency', 'Strong');
    if (!CONSISTENCY_NAMES.includes(consistency)) throw new UsageError(`--consistency must be one of ${CONSISTENCY_NAMES.join(', ')}`);
    return ok(await client.createCollection(name, schema, { dbName: db, shards: Number(option(p, 'shards', '0')), consistencyLevel: CONSISTENCY[consistency] ?? 0, properties: properties(p), numPartitions: Number(option(p, 'num-partitions', '0')) }));
  },
  'collection drop': async ({ client, p, db }) => ok(await client.dropCollection(need(p, 2, 'a collection name'), db)),
  'collection has': async ({ client, p, db, at }) => {
    const r = await client.hasCollection(need(p, 2, 'a collection name'), db, at);
    return ok(r, String(r['value']));
  },
  'collection list': async ({ client, db, at }) => {
    const r = await client.showCollections(db, at);
    const names = r['collection_names'] as string[];
    const ids = r['collection_ids'] as string[];
    const ts = r['created_timestamps'] as string[];
    const shards = r['shards_num'] as number[];
    return ok(r, table(['name', 'id', 'shards', 'created'], names.map((n, i) => [n, ids[i], shards[i], new Date(Number(physicalMs(BigInt(ts[i] ?? '0')))).toISOString()])));
  },
  'collection describe': async ({ client, p, db, at }) => {
    const r = await client.describeCollection(need(p, 2, 'a collection name'), db, at);
    const schema = r['schema'] as PlainMessage;
    const fields = (schema['fields'] as PlainMessage[]).map((f) => [f['fieldID'], f['name'], DATA_TYPES[Number(f['data_type'])] ?? f['data_type'], f['is_primary_key'] === true ? 'pk' : '', (f['type_params'] as Array<{ key: string; value: string }>).map((kv) => `${kv.key}=${kv.value}`).join(' ')]);
    const header = table(['collection', 'id', 'db', 'shards', 'partitions', 'aliases', 'created ts'], [[r['collection_name'], r['collectionID'], r['db_name'], r['shards_num'], r['num_partitions'], (r['aliases'] as string[]).join(','), r['created_timestamp']]]);
    return ok(r, `${header}\n\n${table(['field id', 'name', 'type', 'key', 'params'], fields)}\n\nchannels: ${(r['virtual_channel_names'] as string[]).join(', ')}`);
  },
  'collection rename': async ({ client, p, db }) => ok(await client.renameCollection(need(p, 2, 'the old name'), need(p, 3, 'the new name'), db, option(p, 'to-db'))),
  'collection alter': async ({ client, p, db }) => ok(await client.alterCollection(need(p, 2, 'a collection name'), properties(p), p.values.get('delete-key') ?? [], db)),
  'collection add-field': async ({ client, p, db }) => {
    const field = JSON.parse(option(p, 'field', 'null')) as SchemaFileField | null;
    if (field === null) throw new UsageError("add-field needs --field '<json>'");
    return ok(await client.addCollectionField(need(p, 2, 'a collection name'), field, db));
  },
  'partition create': async ({ client, p, db }) => ok(await client.createPartition(need(p, 2, 'a collection name'), need(p, 3, 'a partition name'), db)),
  'partition drop': async ({ client, p, db }) => ok(await client.dropPartition(need(p, 2, 'a collection name'), need(p, 3, 'a partition name'), db)),
  'partition has': async ({ client, p, db }) => {
    const r = await client.hasPartition(need(p, 2, 'a collection name'), need(p, 3, 'a partition name'), db);
    return ok(r, String(r['value']));
  },
  'partition list': async ({ client, p, db }) => {
    const r = await client.showPartitions(need(p, 2, 'a collection name'), db);
    const names = r['partition_names'] as string[];
    const ids = r['partitionIDs'] as string[];
    return ok(r, table(['name', 'id'], names.map((n, i) => [n, ids[i]])));
  },
  'alias create': async ({ client, p, db }) => ok(await client.createAlias(need(p, 2, 'a collection name'), need(p, 3, 'an alias'), db)),
  'alias drop': async ({ client, p, db }) => ok(await client.dropAlias(need(p, 2, 'an alias'), db)),
  'alias alter': async ({ client, p, db }) => ok(await client.alterAlias(need(p, 2, 'a collection name'), need(p, 3, 'an alias'), db)),
  'alias describe': async ({ client, p, db }) => {
    const r = await client.describeAlias(need(p, 2, 'an alias'), db);
    return ok(r, table(['alias', 'collection', 'db'], [[r['alias'], r['collection'], r['db_name']]]));
  },
  'alias list': async ({ client, p, db }) => {
    const r = await client.listAliases(p.positionals[2] ?? '', db);
    return ok(r, (r['aliases'] as string[]).join('\n'));
  },
  'tso alloc': async ({ client, p }) => {
    const r = await client.allocTimestamp(Number(option(p, 'count', '1')));
    const json = { timestamp: r.timestamp.toString(), count: r.count, physicalMs: physicalMs(r.timestamp).toString() };
    return ok(json, table(['timestamp', 'count', 'physical time'], [[json.timestamp, json.count, new Date(Number(json.physicalMs)).toISOString()]]));
  },
  'id alloc': async ({ client, p }) => {
    const r = await client.allocId(Number(option(p, 'count', '1')));
    return ok({ id: r.id.toString(), count: r.count }, table(['first id', 'count'], [[r.id.toString(), r.count]]));
  },
  'user create': async ({ client, p }) => ok(await client.createCredential(need(p, 2, 'a user name'), need(p, 3, 'a password'))),
  'user delete': async ({ client, p }) => ok(await client.deleteCredential(need(p, 2, 'a user name'))),
  'user list': async ({ client }) => {
    const users = await client.selectUser('', true);
    return ok(users, table(['user', 'roles'], users.map((u) => [u.user, u.roles.join(',')])));
  },
  'user passwd': async ({ client, p }) => ok(await client.updateCredential(need(p, 2, 'a user name'), need(p, 3, 'the old password (any, for root)'), need(p, 4, 'a new password'))),
  'role create': async ({ client, p }) => ok(await client.createRole(need(p, 2, 'a role name'))),
  'role drop': async ({ client, p }) => ok(await client.dropRole(need(p, 2, 'a role name'), p.switches.has('force'))),
  'role list': async ({ client }) => {
    const roles = await client.selectRole('', true);
    return ok(roles, table(['role', 'users'], roles.map((r) => [r.role, r.users.join(',')])));
  },
  'role grant': async ({ client, p, verb }) => {
    const grant = { role: need(p, 2, 'a role name'), privilege: need(p, 3, 'a privilege'), objectType: option(p, 'object', p.switches.has('v2') ? '' : 'Global'), objectName: option(p, 'name', '*'), dbName: option(p, 'db') };
    return ok(await client.operatePrivilege(grant, verb === 'revoke', p.switches.has('v2') ? 'v2' : ''));
  },
  'role bind': async ({ client, p, verb }) => ok(await client.operateUserRole(need(p, 2, 'a user name'), need(p, 3, 'a role name'), verb === 'bind')),
  'grant list': async ({ client, p }) => {
    const objectType = option(p, 'object');
    const grants = await client.selectGrant(need(p, 2, 'a role name'), { ...(objectType === '' ? {} : { objectType }), objectName: option(p, 'name'), dbName: option(p, 'db', '*') });
    return ok(grants, table(['role', 'object', 'db', 'name', 'privilege', 'grantor'], grants.map((g) => [g.role, g.objectType, g.dbName, g.objectName, g.privilege, g.grantor])));
  },
  'group create': async ({ client, p }) => ok(await client.createPrivilegeGroup(need(p, 2, 'a group name'))),
  'group drop': async ({ client, p }) => ok(await client.dropPrivilegeGroup(need(p, 2, 'a group name'))),
  'group list': async ({ client }) => {
    const groups = await client.listPrivilegeGroups();
    return ok(groups, table(['group', 'privileges'], groups.map((g) => [g.group, g.privileges.join(',')])));
  },
  'group add': async ({ client, p, verb }) => ok(await client.operatePrivilegeGroup(need(p, 2, 'a group name'), p.positionals.slice(3), verb === 'remove')),
  'rbac backup': async ({ client }) => {
    const meta = await client.backupRbac();
    return ok(meta, JSON.stringify(meta, null, 2));
  },
  'rbac restore': async ({ client }) => {
    const meta = JSON.parse(readFileSync(0, 'utf8')) as PlainMessage;
    return ok(await client.restoreRbac(meta), 'restored');
  },
  'timetick watch': async ({ client, p }) => {
    const json = p.switches.has('json');
    const limit = Number(option(p, 'count', '0'));
    let seen = 0;
    await new Promise<void>((resolve) => {
      const watch = client.stream('WatchTimeTick', { channel: option(p, 'channel') }, (m) => {
        const ts = BigInt(String(m['timestamp']));
        console.log(json ? JSON.stringify({ channel: m['channel'], timestamp: ts.toString() }) : `${String(m['channel'])}\t${ts}\t${new Date(Number(physicalMs(ts))).toISOString()}`);
        if (limit > 0 && ++seen >= limit) {
          watch.cancel();
          resolve();
        }
      });
      process.once('SIGINT', () => {
        watch.cancel();
        resolve();
      });
    });
    return { json: null, text: '' };
  },
} satisfies Record<string, Command>));
COMMANDS.set('cluster members', COMMANDS.get('cluster status') as Command);
COMMANDS.set('role revoke', COMMANDS.get('role grant') as Command);
COMMANDS.set('role unbind', COMMANDS.get('role bind') as Command);
COMMANDS.set('group remove', COMMANDS.get('group add') as Command);

async function run(client: RootCoordClient, p: Parsed): Promise<Output> {
  const group = need(p, 0, 'a command group (see --help)');
  const verb = p.positionals[1] ?? '';
  const db = option(p, 'db');
  const at = BigInt(option(p, 'at', '0'));
  const key = `${group} ${verb}`;
  const command = COMMANDS.get(key);
  if (command === undefined) throw new UsageError(`unknown command "${key.trim()}"`);
  return command({ client, p, verb, db, at });
}

export async function main(argv: readonly string[]): Promise<number> {
  let p: Parsed;
  try {
    p = parse(argv);
    if (p.switches.has('help') || p.positionals.length === 0) {
      console.log(USAGE);
      return p.switches.has('help') ? 0 : 2;
    }
  } catch (error) {
    console.error(`rootcoordctl: ${(error as Error).message}`);
    return 2;
  }
  let client: RootCoordClient | null = null;
  try {
    client = new RootCoordClient({ ...connection(p), staleReads: p.switches.has('stale'), ...credentials(p) });
    const out = await run(client, p);
    if (out.json === null && out.text === '') return 0;
    console.log(p.switches.has('json') ? JSON.stringify(out.json, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('base64') : v)) : out.text);
    return out.exitCode ?? 0;
  } catch (error) {
    if (error instanceof RootCoordError) {
      if (p.switches.has('json')) console.log(JSON.stringify({ error: { code: error.code, error_code: error.errorCode, reason: error.reason, retriable: error.retriable } }));
      console.error(`error: code ${error.code}: ${error.reason}`);
      return 1;
    }
    if (error instanceof UsageError) {
      console.error(`rootcoordctl: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`rootcoordctl: ${(error as Error).message}`);
    return 1;
  } finally {
    client?.close();
  }
}

const entry = process.argv[1] === undefined ? '' : realpathSync(process.argv[1]);
if (entry === fileURLToPath(import.meta.url)) {
  // grpc-js names an IP-literal TLS target as the server name, which Node flags (DEP0123) on every call.
  process.noDeprecation = true;
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
