#!/usr/bin/env node
/**
 * rootcoordctl: the command line for a rootcoord cluster (interface.md section 4). Tables by default,
 * one JSON document with --json; exit 0 on success, 1 with the error code and reason on failure.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlainMessage } from '../protocol/proto.js';
import { physicalMs } from '../common/hybrid-ts.js';
import { RootCoordClient, RootCoordError } from '../client/root-coord-client.js';
import type { SchemaFile, SchemaFileField } from '../client/schema-file.js';

const USAGE = `usage: rootcoordctl [--endpoints h:p,...] [--dir .cluster] [--user U --password P] [--tls-ca F] [--json] [--stale] <group> <verb> ...
  cluster    status | members | transfer <id> | snapshot
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

interface Parsed {
  positional: string[];
  options: Map<string, string[]>;
  flags: Set<string>;
}

const BOOLEAN_FLAGS = new Set(['json', 'stale', 'help', 'force', 'v2']);

function parse(argv: readonly string[]): Parsed {
  const parsed: Parsed = { positional: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (BOOLEAN_FLAGS.has(name)) {
      parsed.flags.add(name);
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    parsed.options.set(name, [...(parsed.options.get(name) ?? []), value]);
  }
  return parsed;
}

function option(p: Parsed, name: string, fallback = ''): string {
  return p.options.get(name)?.[0] ?? fallback;
}

function properties(p: Parsed): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of p.options.get('property') ?? []) {
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
  const v = p.positional[index];
  if (v === undefined) throw new UsageError(`missing ${what}`);
  return v;
}

function table(headers: string[], rows: unknown[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined || c === null ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

const CONSISTENCY: Record<string, number> = { Strong: 0, Session: 1, Bounded: 2, Eventually: 3, Customized: 4 };
const DATA_TYPES: Record<number, string> = { 0: 'None', 1: 'Bool', 2: 'Int8', 3: 'Int16', 4: 'Int32', 5: 'Int64', 10: 'Float', 11: 'Double', 20: 'String', 21: 'VarChar', 22: 'Array', 23: 'JSON', 24: 'Geometry', 25: 'Text', 100: 'BinaryVector', 101: 'FloatVector', 102: 'Float16Vector', 103: 'BFloat16Vector', 104: 'SparseFloatVector', 105: 'Int8Vector' };

type Output = { json: unknown; text: string };

function ok(json: unknown, text = 'ok'): Output {
  return { json, text };
}

async function run(client: RootCoordClient, p: Parsed): Promise<Output> {
  const group = need(p, 0, 'a command group (see --help)');
  const verb = p.positional[1] ?? '';
  const db = option(p, 'db');
  const at = BigInt(option(p, 'at', '0'));
  const key = `${group} ${verb}`;
  switch (key) {
    case 'cluster status':
    case 'cluster members': {
      const st = await client.clusterStatus();
      const self = st['self'] as PlainMessage;
      return ok(st, table(['leader', 'leader client', 'voters', 'learners', 'answered by', 'term', 'commit', 'applied'], [[st['leader'], st['leader_client_address'], (st['voters'] as string[]).join(','), (st['learners'] as string[]).join(','), self['id'], self['term'], self['commit_index'], self['applied_index']]]));
    }
    case 'cluster transfer':
      return ok(await client.transferLeader(Number(need(p, 2, 'the target node id'))), 'transfer requested');
    case 'cluster snapshot':
      return ok(await client.call('Snapshot', {}, 'admin'), 'snapshot taken');
    case 'db create':
      return ok(await client.createDatabase(need(p, 2, 'a database name'), properties(p)));
    case 'db drop':
      return ok(await client.dropDatabase(need(p, 2, 'a database name')));
    case 'db list': {
      const r = await client.listDatabases();
      const names = r['db_names'] as string[];
      const ids = r['db_ids'] as string[];
      const created = r['created_timestamp'] as string[];
      return ok(r, table(['name', 'id', 'created'], names.map((n, i) => [n, ids[i], new Date(Number(BigInt(created[i] ?? '0') / 1_000_000n)).toISOString()])));
    }
    case 'db describe': {
      const r = await client.describeDatabase(need(p, 2, 'a database name'));
      return ok(r, table(['name', 'id', 'properties'], [[r['db_name'], r['dbID'], JSON.stringify(r['properties'])]]));
    }
    case 'db alter':
      return ok(await client.alterDatabase(need(p, 2, 'a database name'), properties(p), p.options.get('delete-key') ?? []));
    case 'collection create': {
      const name = need(p, 2, 'a collection name');
      const file = option(p, 'schema');
      if (file === '') throw new UsageError('collection create needs --schema <file.json>');
      const schema = JSON.parse(readFileSync(file, 'utf8')) as SchemaFile;
      const consistency = option(p, 'consistency', 'Strong');
      if (CONSISTENCY[consistency] === undefined) throw new UsageError(`--consistency must be one of ${Object.keys(CONSISTENCY).join(', ')}`);
      return ok(await client.createCollection(name, schema, { dbName: db, shards: Number(option(p, 'shards', '0')), consistencyLevel: CONSISTENCY[consistency] ?? 0, properties: properties(p), numPartitions: Number(option(p, 'num-partitions', '0')) }));
    }
    case 'collection drop':
      return ok(await client.dropCollection(need(p, 2, 'a collection name'), db));
    case 'collection has': {
      const r = await client.hasCollection(need(p, 2, 'a collection name'), db, at);
      return ok(r, String(r['value']));
    }
    case 'collection list': {
      const r = await client.showCollections(db, at);
      const names = r['collection_names'] as string[];
      const ids = r['collection_ids'] as string[];
      const ts = r['created_timestamps'] as string[];
      const shards = r['shards_num'] as number[];
      return ok(r, table(['name', 'id', 'shards', 'created'], names.map((n, i) => [n, ids[i], shards[i], new Date(Number(physicalMs(BigInt(ts[i] ?? '0')))).toISOString()])));
    }
    case 'collection describe': {
      const r = await client.describeCollection(need(p, 2, 'a collection name'), db, at);
      const schema = r['schema'] as PlainMessage;
      const fields = (schema['fields'] as PlainMessage[]).map((f) => [f['fieldID'], f['name'], DATA_TYPES[Number(f['data_type'])] ?? f['data_type'], f['is_primary_key'] === true ? 'pk' : '', (f['type_params'] as Array<{ key: string; value: string }>).map((kv) => `${kv.key}=${kv.value}`).join(' ')]);
      const header = table(['collection', 'id', 'db', 'shards', 'partitions', 'aliases', 'created ts'], [[r['collection_name'], r['collectionID'], r['db_name'], r['shards_num'], r['num_partitions'], (r['aliases'] as string[]).join(','), r['created_timestamp']]]);
      return ok(r, `${header}\n\n${table(['field id', 'name', 'type', 'key', 'params'], fields)}\n\nchannels: ${(r['virtual_channel_names'] as string[]).join(', ')}`);
    }
    case 'collection rename':
      return ok(await client.renameCollection(need(p, 2, 'the old name'), need(p, 3, 'the new name'), db, option(p, 'to-db')));
    case 'collection alter':
      return ok(await client.alterCollection(need(p, 2, 'a collection name'), properties(p), p.options.get('delete-key') ?? [], db));
    case 'collection add-field': {
      const field = JSON.parse(option(p, 'field', 'null')) as SchemaFileField | null;
      if (field === null) throw new UsageError("add-field needs --field '<json>'");
      return ok(await client.addCollectionField(need(p, 2, 'a collection name'), field, db));
    }
    case 'partition create':
      return ok(await client.createPartition(need(p, 2, 'a collection name'), need(p, 3, 'a partition name'), db));
    case 'partition drop':
      return ok(await client.dropPartition(need(p, 2, 'a collection name'), need(p, 3, 'a partition name'), db));
    case 'partition has': {
      const r = await client.hasPartition(need(p, 2, 'a collection name'), need(p, 3, 'a partition name'), db);
      return ok(r, String(r['value']));
    }
    case 'partition list': {
      const r = await client.showPartitions(need(p, 2, 'a collection name'), db);
      const names = r['partition_names'] as string[];
      const ids = r['partitionIDs'] as string[];
      return ok(r, table(['name', 'id'], names.map((n, i) => [n, ids[i]])));
    }
    case 'alias create':
      return ok(await client.createAlias(need(p, 2, 'a collection name'), need(p, 3, 'an alias'), db));
    case 'alias drop':
      return ok(await client.dropAlias(need(p, 2, 'an alias'), db));
    case 'alias alter':
      return ok(await client.alterAlias(need(p, 2, 'a collection name'), need(p, 3, 'an alias'), db));
    case 'alias describe': {
      const r = await client.describeAlias(need(p, 2, 'an alias'), db);
      return ok(r, table(['alias', 'collection', 'db'], [[r['alias'], r['collection'], r['db_name']]]));
    }
    case 'alias list': {
      const r = await client.listAliases(p.positional[2] ?? '', db);
      return ok(r, (r['aliases'] as string[]).join('\n'));
    }
    case 'tso alloc': {
      const r = await client.allocTimestamp(Number(option(p, 'count', '1')));
      const json = { timestamp: r.timestamp.toString(), count: r.count, physicalMs: physicalMs(r.timestamp).toString() };
      return ok(json, table(['timestamp', 'count', 'physical time'], [[json.timestamp, json.count, new Date(Number(json.physicalMs)).toISOString()]]));
    }
    case 'id alloc': {
      const r = await client.allocId(Number(option(p, 'count', '1')));
      return ok({ id: r.id.toString(), count: r.count }, table(['first id', 'count'], [[r.id.toString(), r.count]]));
    }
    case 'user create':
      return ok(await client.createCredential(need(p, 2, 'a user name'), need(p, 3, 'a password')));
    case 'user delete':
      return ok(await client.deleteCredential(need(p, 2, 'a user name')));
    case 'user list': {
      const users = await client.selectUser('', true);
      return ok(users, table(['user', 'roles'], users.map((u) => [u.user, u.roles.join(',')])));
    }
    case 'user passwd':
      return ok(await client.updateCredential(need(p, 2, 'a user name'), need(p, 3, 'the old password (any, for root)'), need(p, 4, 'a new password')));
    case 'role create':
      return ok(await client.createRole(need(p, 2, 'a role name')));
    case 'role drop':
      return ok(await client.dropRole(need(p, 2, 'a role name'), p.flags.has('force')));
    case 'role list': {
      const roles = await client.selectRole('', true);
      return ok(roles, table(['role', 'users'], roles.map((r) => [r.role, r.users.join(',')])));
    }
    case 'role grant':
    case 'role revoke': {
      const grant = { role: need(p, 2, 'a role name'), privilege: need(p, 3, 'a privilege'), objectType: option(p, 'object', p.flags.has('v2') ? '' : 'Global'), objectName: option(p, 'name', '*'), dbName: option(p, 'db') };
      return ok(await client.operatePrivilege(grant, verb === 'revoke', p.flags.has('v2') ? 'v2' : ''));
    }
    case 'role bind':
    case 'role unbind':
      return ok(await client.operateUserRole(need(p, 2, 'a user name'), need(p, 3, 'a role name'), verb === 'bind'));
    case 'grant list': {
      const objectType = option(p, 'object');
      const grants = await client.selectGrant(need(p, 2, 'a role name'), { ...(objectType === '' ? {} : { objectType }), objectName: option(p, 'name'), dbName: option(p, 'db', '*') });
      return ok(grants, table(['role', 'object', 'db', 'name', 'privilege', 'grantor'], grants.map((g) => [g.role, g.objectType, g.dbName, g.objectName, g.privilege, g.grantor])));
    }
    case 'group create':
      return ok(await client.createPrivilegeGroup(need(p, 2, 'a group name')));
    case 'group drop':
      return ok(await client.dropPrivilegeGroup(need(p, 2, 'a group name')));
    case 'group list': {
      const groups = await client.listPrivilegeGroups();
      return ok(groups, table(['group', 'privileges'], groups.map((g) => [g.group, g.privileges.join(',')])));
    }
    case 'group add':
    case 'group remove':
      return ok(await client.operatePrivilegeGroup(need(p, 2, 'a group name'), p.positional.slice(3), verb === 'remove'));
    case 'rbac backup': {
      const meta = await client.backupRbac();
      return ok(meta, JSON.stringify(meta, null, 2));
    }
    case 'rbac restore': {
      const meta = JSON.parse(readFileSync(0, 'utf8')) as PlainMessage;
      return ok(await client.restoreRbac(meta), 'restored');
    }
    case 'timetick watch': {
      const json = p.flags.has('json');
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
    }
    default:
      throw new UsageError(`unknown command "${key.trim()}"`);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  let p: Parsed;
  try {
    p = parse(argv);
    if (p.flags.has('help') || p.positional.length === 0) {
      console.log(USAGE);
      return p.flags.has('help') ? 0 : 2;
    }
  } catch (error) {
    console.error(`rootcoordctl: ${(error as Error).message}`);
    return 2;
  }
  let client: RootCoordClient | null = null;
  try {
    const user = option(p, 'user', process.env['ROOTCOORD_USER'] ?? '');
    const password = option(p, 'password', process.env['ROOTCOORD_PASSWORD'] ?? '');
    client = new RootCoordClient({ ...connection(p), staleReads: p.flags.has('stale'), user, password });
    const out = await run(client, p);
    if (out.json === null && out.text === '') return 0;
    console.log(p.flags.has('json') ? JSON.stringify(out.json, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('base64') : v)) : out.text);
    return 0;
  } catch (error) {
    if (error instanceof RootCoordError) {
      if (p.flags.has('json')) console.log(JSON.stringify({ error: { code: error.code, error_code: error.errorCode, reason: error.reason, retriable: error.retriable } }));
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
