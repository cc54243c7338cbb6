/**
 * Milvus's official Node SDK (@zilliz/milvus2-sdk-node) against a real 3-node cluster started by
 * scripts/cluster, on the nodes' Milvus ports (B+300+i): databases, collections, partitions, aliases,
 * users, roles, grants and privilege groups, through the leader and through a follower, with
 * authorization off and on, across a kill -9 of the leader; every data-plane call gets code 10.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MILVUS_SERVED_CALLS } from '../../src/api/milvus-server.js';
import { milvusRootCoordService, milvusService } from '../../src/api/proto.js';
import type { PlainMessage } from '../../src/api/proto.js';
import { RootCoordClient } from '../../src/client/root-coord-client.js';
import { freeBasePort } from '../../scripts/free-ports.js';
import { until } from './until.js';

const require = createRequire(import.meta.url);
const sdk = require('@zilliz/milvus2-sdk-node') as typeof import('@zilliz/milvus2-sdk-node');
type Milvus = InstanceType<typeof sdk.MilvusClient>;
const { DataType } = sdk;

const run = promisify(execFile);
const clusterScript = fileURLToPath(new URL('../../scripts/cluster.js', import.meta.url));

interface Node {
  id: number;
  client: string;
  milvus: string;
}
interface Status {
  leader: number | null;
  nodes: Array<{ id: number; alive: boolean; milvus: string | null }>;
}
interface Reply {
  error_code?: string | number | undefined;
  code?: number | undefined;
  reason?: string | undefined;
  status?: Reply | undefined;
}

/** The Status of an SDK answer (the answer itself for calls that return one). */
const statusOf = (reply: unknown): Reply => (reply as Reply).status ?? (reply as Reply);
function ok<T>(reply: T): T {
  const status = statusOf(reply);
  expect(status.error_code, `${status.code}: ${status.reason}`).to.equal('Success');
  expect(status.code).to.equal(0);
  return reply;
}
/** A success as a raw client reads it (enums as numbers). */
function rawOk(reply: unknown): void {
  const status = statusOf(reply);
  expect(Number(status.code), status.reason).to.equal(0);
  expect(Number(status.error_code)).to.equal(0);
}

/** A refused call: some SDK methods answer the status, others (createCollection, loadCollection) throw it. */
async function failed(reply: Promise<unknown>, code: number): Promise<void> {
  const status = statusOf(await reply.catch((error: unknown) => error));
  expect(status.code, status.reason).to.equal(code);
  expect(status.error_code).to.not.equal('Success');
}

/** A local cluster in its own temporary directory, on free ports, stopped by PID (scripts/cluster down). */
class Cluster {
  dir = '';
  nodes: Node[] = [];

  async up(...flags: string[]): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'rootcoord-milvus-'));
    const base = await freeBasePort(3);
    await this.cmd('up', '--base-port', String(base), '--gc-confirm-delay-ms', '0', ...flags);
    this.nodes = (JSON.parse(await readFile(join(this.dir, 'cluster.json'), 'utf8')) as { nodes: Node[] }).nodes;
  }

  async cmd(...args: string[]): Promise<string> {
    return (await run(process.execPath, [clusterScript, ...args, '--dir', this.dir])).stdout;
  }

  async status(): Promise<Status> {
    return JSON.parse(await this.cmd('status', '--json')) as Status;
  }

  async leaderAndFollower(): Promise<{ leader: Node; follower: Node }> {
    const st = await this.status();
    const leader = this.nodes.find((n) => n.id === st.leader);
    const follower = this.nodes.find((n) => n.id !== st.leader && st.nodes.find((s) => s.id === n.id)?.alive === true);
    if (leader === undefined || follower === undefined) throw new Error(`no leader and follower in ${JSON.stringify(st)}`);
    return { leader, follower };
  }

  async down(): Promise<void> {
    if (this.dir === '') return;
    await this.cmd('down', '--wipe').catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

const clients: Milvus[] = [];
function milvus(address: string, user?: { username: string; password: string }): Milvus {
  const client = new sdk.MilvusClient({ address, logLevel: 'error', ...(user ?? {}) });
  clients.push(client);
  return client;
}
async function closeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.closeConnection().catch(() => undefined)));
}

const bookFields = [
  { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
  { name: 'title', data_type: DataType.VarChar, max_length: 200, description: 'the title' },
  { name: 'year', data_type: DataType.Int32, nullable: true },
  { name: 'vec', data_type: DataType.FloatVector, dim: 8 },
];

/** A raw gRPC client of the Milvus port (for calls the SDK does not make). */
function rawMilvus(address: string): grpc.Client & Record<string, (...args: unknown[]) => unknown> {
  const Ctor = grpc.makeGenericClientConstructor(milvusService.definition, 'MilvusService');
  return new Ctor(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
}
/** A raw gRPC client of Milvus's own RootCoord protocol, on a node's client port. */
function rawRootCoord(address: string): ReturnType<typeof rawMilvus> {
  const Ctor = grpc.makeGenericClientConstructor(milvusRootCoordService.definition, 'RootCoord');
  return new Ctor(address, grpc.credentials.createInsecure()) as ReturnType<typeof rawMilvus>;
}
function rawCall(client: ReturnType<typeof rawMilvus>, method: string, request: PlainMessage, metadata = new grpc.Metadata()): Promise<PlainMessage> {
  return new Promise((resolve, reject) => {
    (client[method] as (r: PlainMessage, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: PlainMessage) => void) => void).call(client, request, metadata, { deadline: Date.now() + 10_000 }, (error, response) => (error === null ? resolve(response) : reject(error)));
  });
}

describe('Milvus SDK against rootcoord (real processes)', function () {
  this.timeout(120_000);

  describe('authorization off', () => {
    const cluster = new Cluster();
    before(async () => cluster.up());
    after(async () => {
      await closeClients();
      await cluster.down();
    });

    it('lists each node Milvus port in cluster.json and status', async () => {
      const st = await cluster.status();
      for (const node of cluster.nodes) {
        const port = Number(node.client.split(':')[1]);
        expect(node.milvus).to.equal(`127.0.0.1:${port + 300}`);
        expect(st.nodes.find((n) => n.id === node.id)?.milvus).to.equal(node.milvus);
      }
    });

    it('connects, reports its version and health', async () => {
      const { follower } = await cluster.leaderAndFollower();
      const client = milvus(follower.milvus);
      await client.connectPromise;
      const identifier = (client as unknown as { metadata: Map<string, string> }).metadata.get('identifier');
      expect(identifier).to.match(/^[1-9]\d*$/);
      ok(await client.getVersion());
      const health = ok(await client.checkHealth());
      expect(health.isHealthy).to.equal(true);
    });

    it('manages databases, collections, partitions and aliases through a follower and the leader, IDs exact', async () => {
      const { leader, follower } = await cluster.leaderAndFollower();
      const viaFollower = milvus(follower.milvus);
      const viaLeader = milvus(leader.milvus);
      ok(await viaFollower.createDatabase({ db_name: 'shop' }));
      ok(await viaFollower.alterDatabase({ db_name: 'shop', properties: { 'database.max.collections': 10 } }));
      const listed = ok(await viaLeader.listDatabases());
      expect(listed.db_names).to.include.members(['default', 'shop']);
      const described = ok(await viaLeader.describeDatabase({ db_name: 'shop' }));
      expect(described.properties).to.deep.include({ key: 'database.max.collections', value: '10' });
      // 64-bit IDs as the SDK reads them equal rootcoord's own client's (no rounding through doubles).
      const own = new RootCoordClient({ endpoints: cluster.nodes.map((n) => n.client) });
      try {
        const ownList = await own.listDatabases();
        expect(listed.db_ids).to.deep.equal(ownList['db_ids']);
        expect(String(described.dbID)).to.equal((ownList['db_ids'] as string[])[(ownList['db_names'] as string[]).indexOf('shop')]);
        expect(BigInt(String(described.dbID)) > BigInt(Number.MAX_SAFE_INTEGER)).to.equal(true);
      } finally {
        own.close();
      }

      // The dbname header (useDatabase) names the database of every call below.
      await viaFollower.useDatabase({ db_name: 'shop' });
      await viaLeader.useDatabase({ db_name: 'shop' });
      ok(await viaFollower.createCollection({ collection_name: 'books', description: 'all the books', fields: bookFields, enable_dynamic_field: true }));
      expect(ok(await viaLeader.hasCollection({ collection_name: 'books' })).value).to.equal(true);
      expect(ok(await viaLeader.hasCollection({ collection_name: 'books', db_name: 'default' })).value).to.equal(false);
      const books = ok(await viaLeader.describeCollection({ collection_name: 'books' }));
      expect(books.db_name).to.equal('shop');
      expect(books.schema.description).to.equal('all the books');
      expect(books.schema.enable_dynamic_field).to.equal(true);
      // As Milvus's proxy answers: user fields only, not RowID, Timestamp or the dynamic field $meta.
      const userFields = books.schema.fields;
      expect(userFields.map((f) => f.name)).to.deep.equal(['id', 'title', 'year', 'vec']);
      expect(userFields.map((f) => f.data_type)).to.deep.equal(['Int64', 'VarChar', 'Int32', 'FloatVector']);
      expect(userFields[1]?.type_params).to.deep.include({ key: 'max_length', value: '200' });
      expect(userFields[2]?.nullable).to.equal(true);
      expect(userFields[3]?.type_params).to.deep.include({ key: 'dim', value: '8' });
      const shown = ok(await viaFollower.showCollections());
      expect(shown.data.map((c) => c.name)).to.deep.equal(['books']);
      expect(shown.data[0]?.id).to.equal(books.collectionID);
      ok(await viaFollower.alterCollectionProperties({ collection_name: 'books', properties: { 'collection.ttl.seconds': 60 } }));
      expect(ok(await viaLeader.describeCollection({ collection_name: 'books' })).properties).to.deep.include({ key: 'collection.ttl.seconds', value: '60' });

      ok(await viaFollower.createPartition({ collection_name: 'books', partition_name: 'p2024' }));
      expect(ok(await viaLeader.hasPartition({ collection_name: 'books', partition_name: 'p2024' })).value).to.equal(true);
      expect(ok(await viaLeader.listPartitions({ collection_name: 'books' })).partition_names).to.deep.equal(['_default', 'p2024']);
      ok(await viaLeader.dropPartition({ collection_name: 'books', partition_name: 'p2024' }));
      expect(ok(await viaFollower.hasPartition({ collection_name: 'books', partition_name: 'p2024' })).value).to.equal(false);

      ok(await viaFollower.createAlias({ collection_name: 'books', alias: 'novels' }));
      const alias = ok(await viaLeader.describeAlias({ collection_name: 'books', alias: 'novels' }));
      expect(alias.collection).to.equal('books');
      expect(alias.db_name).to.equal('shop');
      expect(ok(await viaLeader.listAliases({ collection_name: 'books' })).aliases).to.deep.equal(['novels']);
      expect(ok(await viaLeader.describeCollection({ collection_name: 'novels' })).collection_name).to.equal('books');
      ok(await viaFollower.createCollection({ collection_name: 'magazines', fields: bookFields }));
      ok(await viaFollower.alterAlias({ collection_name: 'magazines', alias: 'novels' }));
      expect(ok(await viaLeader.describeAlias({ collection_name: 'magazines', alias: 'novels' })).collection).to.equal('magazines');
      ok(await viaFollower.dropAlias({ alias: 'novels' }));
      ok(await viaFollower.renameCollection({ collection_name: 'magazines', new_collection_name: 'journals' }));
      expect(ok(await viaLeader.hasCollection({ collection_name: 'journals' })).value).to.equal(true);
      ok(await viaLeader.dropCollection({ collection_name: 'journals' }));
      expect(ok(await viaFollower.hasCollection({ collection_name: 'journals' })).value).to.equal(false);

      // Milvus's codes come back as the SDK reads them.
      await failed(viaFollower.describeCollection({ collection_name: 'nothing' }), 100);
      await failed(viaFollower.createPartition({ collection_name: 'nothing', partition_name: 'p' }), 100);
      await failed(viaLeader.describeDatabase({ db_name: 'nowhere' }), 800);
      await failed(viaFollower.describeAlias({ collection_name: 'books', alias: 'nobody' }), 1600);
      await failed(viaFollower.createCollection({ collection_name: 'bad name!', fields: bookFields }), 1100);
    });

    it('manages users, roles, grants, privilege groups and RBAC backups', async () => {
      const { leader, follower } = await cluster.leaderAndFollower();
      const viaFollower = milvus(follower.milvus);
      const viaLeader = milvus(leader.milvus);
      ok(await viaFollower.createUser({ username: 'alice', password: 'alice-password' }));
      ok(await viaLeader.updateUser({ username: 'alice', oldPassword: 'alice-password', newPassword: 'alice-password-2' }));
      expect(ok(await viaLeader.listUsers()).usernames).to.include.members(['alice', 'root']);
      ok(await viaFollower.createRole({ roleName: 'readers' }));
      ok(await viaFollower.addUserToRole({ username: 'alice', roleName: 'readers' }));
      ok(await viaLeader.grantRolePrivilege({ roleName: 'readers', object: sdk.RbacObjects.Collection, objectName: 'books', privilegeName: 'Search' }));
      ok(await viaFollower.grantPrivilegeV2({ role: 'readers', privilege: 'DatabaseReadOnly', db_name: 'default', collection_name: '*' }));
      const grants = ok(await viaLeader.listGrants({ roleName: 'readers' }));
      expect(grants.entities.map((g) => `${g.object.name}:${g.db_name}.${g.object_name}:${g.grantor.privilege.name}`)).to.have.members(['Collection:default.books:Search', 'Global:default.*:DatabaseReadOnly']);
      const alice = ok(await viaFollower.describeUser({ username: 'alice' }));
      expect(alice.results[0]?.roles.map((r) => r.name)).to.deep.equal(['readers']);
      const roles = ok(await viaLeader.listRoles({ includeUserInfo: true }));
      expect(roles.results.find((r) => r.role.name === 'readers')?.users.map((u) => u.name)).to.deep.equal(['alice']);

      ok(await viaFollower.createPrivilegeGroup({ group_name: 'writers' }));
      ok(await viaLeader.addPrivilegesToGroup({ group_name: 'writers', privileges: ['Insert', 'Delete'] }));
      const groups = ok(await viaFollower.listPrivilegeGroups());
      expect(groups.privilege_groups.find((g) => g.group_name === 'writers')?.privileges.map((p) => p.name)).to.have.members(['Insert', 'Delete']);

      const backup = ok(await viaLeader.backupRBAC());
      expect(backup.RBAC_meta.roles.map((r) => r.name)).to.include('readers');
      ok(await viaLeader.revokePrivilegeV2({ role: 'readers', privilege: 'DatabaseReadOnly', db_name: 'default', collection_name: '*' }));
      ok(await viaFollower.revokeRolePrivilege({ roleName: 'readers', object: sdk.RbacObjects.Collection, objectName: 'books', privilegeName: 'Search' }));
      ok(await viaFollower.removeUserFromRole({ username: 'alice', roleName: 'readers' }));
      ok(await viaLeader.dropRole({ roleName: 'readers' }));
      ok(await viaLeader.dropPrivilegeGroup({ group_name: 'writers' }));
      ok(await viaFollower.deleteUser({ username: 'alice' }));
      ok(await viaFollower.restoreRBAC({ RBAC_meta: backup.RBAC_meta } as never));
      expect(ok(await viaLeader.listGrants({ roleName: 'readers' })).entities).to.have.length(2);
      expect(ok(await viaLeader.describeUser({ username: 'alice' })).results[0]?.roles.map((r) => r.name)).to.deep.equal(['readers']);
      await failed(viaLeader.createRole({ roleName: 'readers' }), 65535);
    });

    it('refuses every data-plane call with code 10, never UNIMPLEMENTED', async () => {
      const { follower } = await cluster.leaderAndFollower();
      const client = milvus(follower.milvus);
      await client.useDatabase({ db_name: 'shop' });
      const refused = async (call: () => Promise<unknown>, name: string): Promise<void> => {
        let reply: unknown;
        try {
          reply = await call();
        } catch (error) {
          expect((error as Error).message, name).to.match(/is not served here/);
          return;
        }
        const status = statusOf(reply);
        expect(status.code, `${name}: ${JSON.stringify(status)}`).to.equal(10);
        expect(status.reason).to.match(new RegExp(`is not served here: rootcoord is Milvus's metadata coordinator`));
      };
      await refused(() => client.insert({ collection_name: 'books', data: [{ id: 1, title: 'a', year: 2024, vec: [1, 2, 3, 4, 5, 6, 7, 8] }] }), 'insert');
      await refused(() => client.upsert({ collection_name: 'books', data: [{ id: 1, title: 'a', year: 2024, vec: [1, 2, 3, 4, 5, 6, 7, 8] }] }), 'upsert');
      await refused(() => client.delete({ collection_name: 'books', filter: 'id > 0' }), 'delete');
      await refused(() => client.search({ collection_name: 'books', data: [1, 2, 3, 4, 5, 6, 7, 8] }), 'search');
      await refused(() => client.query({ collection_name: 'books', filter: 'id > 0' }), 'query');
      await refused(() => client.createIndex({ collection_name: 'books', field_name: 'vec' }), 'createIndex');
      await refused(() => client.describeIndex({ collection_name: 'books' }), 'describeIndex');
      await refused(() => client.loadCollection({ collection_name: 'books' }), 'loadCollection');
      await refused(() => client.releaseCollection({ collection_name: 'books' }), 'releaseCollection');
      await refused(() => client.getLoadState({ collection_name: 'books' }), 'getLoadState');
      // (flushSync would poll GetFlushState for ever: the SDK does not look at that answer's status.)
      await refused(() => client.flush({ collection_names: ['books'] }), 'flush');
      await refused(() => client.getCollectionStatistics({ collection_name: 'books' }), 'getCollectionStatistics');

      // Every other MilvusService call, raw: a status with code 10 in the answer (or, for the two
      // calls whose answers have no status, FAILED_PRECONDITION naming code 10).
      const raw = rawMilvus(follower.milvus);
      try {
        const others = milvusService.methods.filter((m) => !MILVUS_SERVED_CALLS.includes(m.name) && !m.requestStream && !m.responseStream);
        expect(others.length).to.be.above(90);
        for (const method of others) {
          try {
            const reply = await rawCall(raw, method.name, {});
            if (method.name === 'Dummy') expect(reply['response']).to.match(/not served here/);
            else expect(Number(statusOf(reply).code ?? (reply['alter_status'] as Reply | undefined)?.code), method.name).to.equal(10);
          } catch (error) {
            expect((error as grpc.ServiceError).code, `${method.name}: ${(error as Error).message}`).to.equal(grpc.status.FAILED_PRECONDITION);
            expect((error as grpc.ServiceError).details).to.match(/^code 10: /);
          }
        }
        // A served internal call through the raw client: AllocTimestamp, a hybrid timestamp exact as a string.
        const ts = await rawCall(raw, 'AllocTimestamp', {});
        expect(String(ts['timestamp'])).to.match(/^[1-9]\d{17,}$/);
        // Connect with a database that does not exist: 800, as Milvus answers.
        const metadata = new grpc.Metadata();
        metadata.set('dbname', 'nowhere');
        expect(Number(((await rawCall(raw, 'Connect', {}, metadata))['status'] as Reply).code)).to.equal(800);
      } finally {
        raw.close();
      }
    });

    it("serves Milvus's own RootCoord protocol on the client port, as Milvus's coordinators call it", async () => {
      const { follower } = await cluster.leaderAndFollower();
      const raw = rawRootCoord(follower.client);
      const own = new RootCoordClient({ endpoints: cluster.nodes.map((n) => n.client) });
      const events: PlainMessage[] = [];
      const session = own.stream('OpenProxySession', { server_id: '7', role: 'proxy' }, (m) => events.push(m));
      try {
        const call = (method: string, request: PlainMessage): Promise<PlainMessage> => rawCall(raw, method, request);
        // The session follows the leader (a follower ends it; the client moves on): wait until it is open.
        await until('the proxy session to open on the leader', () => events.some((e) => e['type'] === 'SessionAccepted'), 20_000);
        const books = await call('DescribeCollection', { base: { msg_type: 103 }, db_name: 'shop', collection_name: 'books' });
        const id = String(books['collectionID']);
        const ids = await call('ShowCollectionIDs', { db_names: [] });
        expect((ids['db_collections'] as PlainMessage[]).find((d) => d['db_name'] === 'shop')?.['collectionIDs']).to.include(id);
        expect(Number(((await call('ShowCollectionIDs', { db_names: ['nowhere'] }))['status'] as Reply).code)).to.equal(800);
        // A database named many times is answered once (the answer is not the request times each database's IDs).
        const repeated = (await call('ShowCollectionIDs', { db_names: Array.from({ length: 1000 }, () => 'shop') }))['db_collections'] as PlainMessage[];
        expect(repeated.map((d) => d['db_name'])).to.deep.equal(['shop']);
        // By ID alone, as QueryCoord and DataCoord ask.
        expect((await call('DescribeCollectionInternal', { base: { msg_type: 103 }, collectionID: id }))['collection_name']).to.equal('books');
        expect((await call('ShowPartitionsInternal', { base: { msg_type: 204 }, collectionID: id }))['partition_names']).to.deep.equal(['_default']);
        const pchannel = (books['physical_channel_names'] as string[])[0] as string;
        const onChannel = ((await call('GetPChannelInfo', { pchannel }))['collections'] as PlainMessage[]).find((c) => c['collection_id'] === id);
        expect(onChannel?.['vchannel']).to.equal((books['virtual_channel_names'] as string[])[0]);
        expect(onChannel?.['state']).to.equal(0);
        expect((onChannel?.['partitions'] as PlainMessage[]).map((p) => p['partition_id'])).to.have.length(1);
        expect((await call('GetTimeTickChannel', {}))['value']).to.equal('by-dev-rootcoord-timetick');
        expect((await call('GetStatisticsChannel', {}))['value']).to.equal('by-dev-rootcoord-statistics');
        const metrics = await call('GetMetrics', { request: '{"metric_type":"system_info"}' });
        expect(metrics['component_name']).to.equal(`rootcoord${follower.id}`);
        expect(JSON.parse(String(metrics['response']))).to.include({ type: 'RootCoord', id: follower.id });
        expect(Number(((await call('GetMetrics', { request: '{"metric_type":"nothing"}' }))['status'] as Reply).code)).to.equal(1100);
        expect((await call('ShowConfigurations', { pattern: 'maxpartitionnum' }))['configuations']).to.deep.equal([{ key: 'rootcoord.maxPartitionNum', value: '1024' }]);
        const ts = await call('AllocTimestamp', { count: 5 });
        expect(String(ts['timestamp'])).to.match(/^[1-9]\d{17,}$/);
        expect(ts['count']).to.equal(5);
        expect(String((await call('AllocID', { count: 3 }))['ID'])).to.match(/^[1-9]\d*$/);
        expect(((await call('GetComponentStates', {}))['state'] as PlainMessage)['state_code']).to.equal(1);
        // A cache invalidation asked of a follower reaches the proxy sessions on the leader.
        // (Sent again if a leader change on a loaded machine moved the session between the two.)
        const before = events.length;
        const arrived = (): boolean => events.slice(before).some((e) => e['type'] === 'InvalidateCollectionMetaCache');
        for (let attempt = 1; !arrived(); attempt++) {
          rawOk(await call('InvalidateCollectionMetaCache', { base: { msg_type: 111 }, db_name: 'shop', collection_name: 'books', collectionID: id }));
          await until('the invalidation to reach the proxy session', arrived, 5_000).catch((error: unknown) => {
            if (attempt >= 4) throw error;
          });
        }
        expect(events.slice(before).find((e) => e['type'] === 'InvalidateCollectionMetaCache')).to.deep.include({ db_name: 'shop', collection_name: 'books', collectionID: id, msg_type: 'AlterCollection' });
        // DDL through it, and what it does not serve.
        rawOk(await call('CreatePartition', { base: { msg_type: 200 }, db_name: 'shop', collection_name: 'books', partition_name: 'from_milvus' }));
        expect((await call('ShowPartitionsInternal', { base: { msg_type: 204 }, collectionID: id }))['partition_names']).to.deep.equal(['_default', 'from_milvus']);
        rawOk(await call('DropPartition', { base: { msg_type: 201 }, db_name: 'shop', collection_name: 'books', partition_name: 'from_milvus' }));
        for (const method of ['TruncateCollection', 'CreateCredential', 'ShowSegments', 'AlterRole', 'GetQuotaMetrics']) {
          expect(Number(statusOf(await call(method, {})).code), method).to.equal(10);
        }
      } finally {
        session.cancel();
        own.close();
        raw.close();
      }
    });

    it('keeps serving through a follower across a kill -9 of the leader', async () => {
      const { follower } = await cluster.leaderAndFollower();
      const client = milvus(follower.milvus);
      await client.useDatabase({ db_name: 'shop' });
      ok(await client.createCollection({ collection_name: 'survivor', fields: bookFields }));
      ok(await client.createPartition({ collection_name: 'survivor', partition_name: 'before' }));
      await cluster.cmd('kill', 'leader');
      const killedAt = Date.now();
      let answered: unknown = null;
      while (Date.now() - killedAt < 20_000) {
        const reply: unknown = await client.createPartition({ collection_name: 'survivor', partition_name: 'after' });
        if (statusOf(reply).code === 0) {
          answered = reply;
          break;
        }
        // Only "no leader yet" (1) or an unknown outcome (2002) may come back while a new leader is elected.
        expect([1, 2002], statusOf(reply).reason).to.include(statusOf(reply).code);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(answered, 'a DDL succeeded after the kill').to.not.equal(null);
      console.log(`      kill -9 of the leader to the next successful CreatePartition through the SDK: ${Date.now() - killedAt} ms`);
      const { leader } = await cluster.leaderAndFollower();
      const viaNewLeader = milvus(leader.milvus);
      await viaNewLeader.useDatabase({ db_name: 'shop' });
      expect(ok(await viaNewLeader.listPartitions({ collection_name: 'survivor' })).partition_names).to.deep.equal(['_default', 'before', 'after']);
      expect(ok(await viaNewLeader.describeCollection({ collection_name: 'books' })).schema.description).to.equal('all the books');
    });
  });

  describe('authorization on', () => {
    const cluster = new Cluster();
    const root = { username: 'root', password: 'Milvus' };
    before(async () => {
      await cluster.up('--auth');
      // Every node serves root first: a refusal below must be the credentials', not a port or a
      // catalog still starting (a call that waited past the SDK's 15 s deadline failed the test once).
      for (const node of cluster.nodes) {
        const client = milvus(node.milvus, root);
        await until(`node ${node.id} to serve root`, async () => statusOf(await client.listDatabases().catch((e: unknown) => ({ code: -1, reason: String(e) }))).code === 0, 30_000);
      }
    });
    after(async () => {
      await closeClients();
      await cluster.down();
    });

    it('refuses missing and wrong credentials', async () => {
      const { follower, leader } = await cluster.leaderAndFollower();
      for (const user of [undefined, { username: 'root', password: 'wrong-password' }]) {
        for (const node of [follower, leader]) {
          const client = milvus(node.milvus, user);
          let error: Error | null = null;
          await client.listDatabases().catch((e: Error) => (error = e));
          expect(error, `${node.milvus} ${user?.password ?? 'no credentials'}`).to.not.equal(null);
          expect(String(error)).to.match(/UNAUTHENTICATED|auth/i);
        }
      }
    });

    it('checks privileges: a user may do what its roles grant, no more, through a follower and the leader', async () => {
      const { follower, leader } = await cluster.leaderAndFollower();
      const admin = milvus(follower.milvus, root);
      ok(await admin.createDatabase({ db_name: 'secure' }));
      ok(await admin.createCollection({ collection_name: 'books', db_name: 'secure', fields: bookFields }));
      ok(await admin.createUser({ username: 'bob', password: 'bob-password' }));
      ok(await admin.createRole({ roleName: 'auditors' }));
      ok(await admin.grantPrivilegeV2({ role: 'auditors', privilege: 'DescribeCollection', db_name: 'secure', collection_name: '*' }));
      ok(await admin.grantPrivilegeV2({ role: 'auditors', privilege: 'ShowPartitions', db_name: 'secure', collection_name: 'books' }));
      ok(await admin.addUserToRole({ username: 'bob', roleName: 'auditors' }));
      for (const node of [follower, leader]) {
        const bob = milvus(node.milvus, { username: 'bob', password: 'bob-password' });
        await bob.useDatabase({ db_name: 'secure' });
        expect(ok(await bob.describeCollection({ collection_name: 'books' })).collection_name).to.equal('books');
        expect(ok(await bob.listPartitions({ collection_name: 'books' })).partition_names).to.deep.equal(['_default']);
        await failed(bob.createCollection({ collection_name: 'mine', fields: bookFields }), 1401);
        await failed(bob.createPartition({ collection_name: 'books', partition_name: 'p' }), 1401);
        await failed(bob.createDatabase({ db_name: 'bobs' }), 1401);
        await failed(bob.createUser({ username: 'carol', password: 'carol-password' }), 1401);
      }
      // A user may change its own password; the old one stops working at once.
      const bob = milvus(leader.milvus, { username: 'bob', password: 'bob-password' });
      ok(await bob.updateUser({ username: 'bob', oldPassword: 'bob-password', newPassword: 'bob-password-2' }));
      const stale = milvus(follower.milvus, { username: 'bob', password: 'bob-password' });
      let error: unknown = null;
      await stale.listDatabases().catch((e: unknown) => (error = e));
      expect(String(error)).to.match(/UNAUTHENTICATED|auth/i);
      const renewed = milvus(follower.milvus, { username: 'bob', password: 'bob-password-2' });
      ok(await renewed.describeCollection({ collection_name: 'books', db_name: 'secure' }));
    });
  });
});
