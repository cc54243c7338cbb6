import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { ErrorCodes } from '../protocol/error-codes.js';
import { AUTHORIZATION_HEADER, authorizationValue, LEADER_HINT_TRAILER, READ_CONSISTENCY_HEADER, REQUEST_ID_HEADER, STALE_READ } from '../protocol/headers.js';
import { adminService, CLIENT_RECEIVE_BYTES_MAX, clientChannelOptions, rootCoordService, rootCoordServiceTypedColumns } from '../protocol/proto.js';
import type { PlainMessage } from '../protocol/proto.js';
import { encodeFieldJson, encodeSchemaFile } from './schema-file.js';
import type { SchemaFile, SchemaFileField } from './schema-file.js';

/** A failed call: Milvus's numeric code, the legacy error_code, the reason and whether a retry is safe. */
export class RootCoordError extends Error {
  override name = 'RootCoordError';
  constructor(
    readonly code: number,
    readonly errorCode: number,
    readonly reason: string,
    readonly retriable: boolean,
  ) {
    super(`code ${code}: ${reason}`);
  }
}

export interface ClientOptions {
  /** Any nodes of the cluster (host:port of their client ports); the client finds the leader itself. */
  readonly endpoints: readonly string[];
  /** Deadline of one attempt. */
  readonly attemptDeadlineMs?: number;
  /** Total time spent retrying retriable failures. */
  readonly retryBudgetMs?: number;
  /** Ask for a possibly stale read (served locally without a ReadIndex round). */
  readonly staleReads?: boolean;
  /** Credentials, for a cluster with authorization on (sent as metadata `authorization`, base64 of user:password). */
  readonly user?: string;
  readonly password?: string;
  /** TLS to the client ports, verifying the nodes' certificates against this CA (PEM). */
  readonly tlsCa?: string | Buffer;
  /**
   * More gRPC channel options. grpc-js shares one connection among the channels of a process with
   * the same target and options; `{'grpc.use_local_subchannel_pool': 1}` gives this client its own.
   */
  readonly channelOptions?: grpc.ChannelOptions;
}

/** A database's collections as columns, index for index (RootCoordClient.showCollectionColumns). */
export interface CollectionColumns {
  readonly names: readonly string[];
  readonly ids: BigInt64Array;
  /** Hybrid timestamps of their creation. */
  readonly createdTimestamps: BigUint64Array;
  /** Physical milliseconds of their creation. */
  readonly createdUtcTimestamps: BigUint64Array;
  readonly shardsNum: readonly number[];
}

/** A call refused for missing or wrong credentials (gRPC UNAUTHENTICATED): Milvus's ErrPrivilegeNotAuthenticated. */
export const NOT_AUTHENTICATED_CODE = ErrorCodes.PrivilegeNotAuthenticated.code;

type Stub = Record<string, (req: PlainMessage, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: PlainMessage) => void) => grpc.ClientUnaryCall>;

/**
 * Which service a call goes to: the API, the admin service, or the API with the top-level packed 64-bit
 * columns of its answer as BigInt64Array / BigUint64Array instead of arrays of decimal text.
 */
export type CallService = 'api' | 'admin' | 'api-columns';

const stubConstructors: Record<CallService, grpc.ServiceClientConstructor> = {
  api: grpc.makeGenericClientConstructor(rootCoordService.definition, 'RootCoord'),
  admin: grpc.makeGenericClientConstructor(adminService.definition, 'RootCoordAdmin'),
  'api-columns': grpc.makeGenericClientConstructor(rootCoordServiceTypedColumns.definition, 'RootCoord'),
};
const RETRIABLE_TRANSPORT = new Set([grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED, grpc.status.ABORTED]);
const QUEUE_FULL = ErrorCodes.QueueFull.code;
/** Backoff after a queue-full answer (2001): from the first step, doubling up to the cap, jittered. */
const BUSY_BACKOFF_FIRST_MS = 50;
const BUSY_BACKOFF_MAX_MS = 1000;

/** A wait of between half and all of `ms`, so that clients refused together do not come back together. */
function jittered(ms: number): number {
  return ms / 2 + Math.random() * (ms / 2);
}

/**
 * A transport failure as a RootCoordError. A request above the server's receive limit (gRPC
 * RESOURCE_EXHAUSTED "Received message larger than max (size vs limit)") is the caller's error: code
 * 1100, not retried. The same words with this client's own limit are about the answer: Unexpected.
 */
function transportFailure(method: string, endpoint: string, e: grpc.ServiceError): RootCoordError {
  const details = e.details ?? e.message;
  if (e.code === grpc.status.UNAUTHENTICATED) return new RootCoordError(NOT_AUTHENTICATED_CODE, ErrorCodes.PrivilegeNotAuthenticated.legacy, `${method} on ${endpoint}: ${details}`, false);
  if (e.code === grpc.status.DEADLINE_EXCEEDED) return new RootCoordError(ErrorCodes.OutcomeUnknown.code, ErrorCodes.OutcomeUnknown.legacy, `${method} on ${endpoint}: deadline exceeded; the outcome is unknown`, false);
  if (e.code === grpc.status.RESOURCE_EXHAUSTED && /larger than/i.test(details)) {
    if (details.includes(`vs ${CLIENT_RECEIVE_BYTES_MAX})`)) {
      return new RootCoordError(ErrorCodes.Unexpected.code, ErrorCodes.Unexpected.legacy, `${method} on ${endpoint}: the answer is larger than this client accepts (${details})`, false);
    }
    return new RootCoordError(ErrorCodes.ParameterInvalid.code, ErrorCodes.ParameterInvalid.legacy, `${method} on ${endpoint}: the request is larger than the server accepts (${details})`, false);
  }
  return new RootCoordError(ErrorCodes.ServiceNotReady.code, ErrorCodes.ServiceNotReady.legacy, `${method} on ${endpoint}: ${details}`, RETRIABLE_TRANSPORT.has(e.code));
}

/**
 * The rootcoord client: any endpoint accepts any call (followers forward to the leader); on a
 * retriable status or an unreachable node it moves to the next endpoint and retries within a budget.
 * Every retried call is safe to repeat: each call carries a fresh request ID, the same on all its
 * attempts, and the leader runs a DDL request at most once per ID (an attempt whose answer was lost
 * is not run again by the retry); reads are reads; a lost timestamp or ID allocation only leaves a gap.
 */
export class RootCoordClient {
  /** Each endpoint's stubs, by service, made when first used. */
  private readonly stubs = new Map<string, Partial<Record<CallService, Stub & grpc.Client>>>();
  private preferred = 0;
  /**
   * How many attempts the last completed `call` made. When it is more than one, a final error does not
   * prove the call had no effect: an earlier attempt may have been executed before its answer was lost.
   */
  lastCallAttempts = 0;
  /**
   * The leader's client address as the last answer gave it (a follower's answer to a call it
   * forwarded, see LEADER_HINT_TRAILER), or null when that answer named none. When it is one of the
   * endpoints, the next calls go there.
   */
  leaderHint: string | null = null;
  private readonly endpoints: string[];
  private readonly authorization: string | null;

  constructor(private readonly options: ClientOptions) {
    if (options.endpoints.length === 0) throw new Error('RootCoordClient needs at least one endpoint');
    this.endpoints = [...options.endpoints];
    this.authorization = options.user === undefined || options.user === '' ? null : authorizationValue(options.user, options.password ?? '');
  }

  private stub(endpoint: string, service: CallService): Stub & grpc.Client {
    let stubs = this.stubs.get(endpoint);
    if (stubs === undefined) {
      stubs = {};
      this.stubs.set(endpoint, stubs);
    }
    let stub = stubs[service];
    if (stub === undefined) {
      const ca = this.options.tlsCa;
      const credentials = ca === undefined ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(Buffer.from(ca));
      const options = { ...clientChannelOptions, ...this.options.channelOptions };
      stub = new stubConstructors[service](endpoint, credentials, options) as unknown as Stub & grpc.Client;
      stubs[service] = stub;
    }
    return stub;
  }

  private invoke(endpoint: string, service: CallService, method: string, request: PlainMessage, requestId: string): Promise<PlainMessage> {
    const stub = this.stub(endpoint, service);
    const fn = stub[method];
    if (fn === undefined) return Promise.reject(new Error(`unknown method ${method}`));
    const metadata = new grpc.Metadata();
    metadata.set(REQUEST_ID_HEADER, requestId);
    if (this.options.staleReads === true) metadata.set(READ_CONSISTENCY_HEADER, STALE_READ);
    if (this.authorization !== null) metadata.set(AUTHORIZATION_HEADER, this.authorization);
    return new Promise((resolve, reject) => {
      const call = fn.call(stub, request, metadata, { deadline: Date.now() + (this.options.attemptDeadlineMs ?? 10_000) }, (error, response) => (error === null ? resolve(response) : reject(error)));
      // grpc-js emits 'status' (with the trailers) right after the callback, in the same turn: before
      // the caller's continuation runs.
      call.on('status', (status: grpc.StatusObject) => this.followHint(status.metadata.get(LEADER_HINT_TRAILER)[0]));
    });
  }

  /** A follower named the leader: send the next calls there if it is one of the endpoints. */
  private followHint(leader: grpc.MetadataValue | undefined): void {
    this.leaderHint = typeof leader === 'string' && leader !== '' ? leader : null;
    if (this.leaderHint === null) return;
    const index = this.endpoints.indexOf(this.leaderHint);
    if (index >= 0 && this.preferred % this.endpoints.length !== index) this.preferred = index;
  }

  /**
   * Call a RootCoord RPC; resolves with the response on success, throws RootCoordError otherwise.
   * `requestId` (default: a fresh random one) names the request on every attempt; pass your own to
   * retry a request yourself later, for instance after a process restart, without running it twice.
   */
  async call(method: string, request: PlainMessage = {}, service: CallService = 'api', requestId = randomBytes(16).toString('hex')): Promise<PlainMessage> {
    const deadline = Date.now() + (this.options.retryBudgetMs ?? 15_000);
    let delayMs = 25;
    let busyDelayMs = BUSY_BACKOFF_FIRST_MS;
    for (let attempt = 0; ; attempt++) {
      this.lastCallAttempts = attempt + 1;
      const tried = this.preferred;
      const endpoint = this.endpoints[tried % this.endpoints.length] as string;
      let failure: RootCoordError;
      try {
        const response = await this.invoke(endpoint, service, method, request, requestId);
        const status = (('error_code' in response && !('status' in response)) ? response : response['status']) as PlainMessage | undefined;
        const code = Number(status?.['code'] ?? 0);
        if (code === 0) return response;
        failure = new RootCoordError(code, Number(status?.['error_code'] ?? 0), String(status?.['reason'] ?? ''), status?.['retriable'] === true);
      } catch (error) {
        failure = transportFailure(method, endpoint, error as grpc.ServiceError);
      }
      // A full queue is overload: back off further each time (jittered) instead of coming back at once.
      const busy = failure.code === QUEUE_FULL;
      const waitMs = jittered(busy ? busyDelayMs : delayMs);
      if (!failure.retriable) throw failure;
      const givingUp = Date.now() + waitMs > deadline;
      // A retriable failure moves past the endpoint that failed, also when the budget is spent (the next
      // call must not go back to a node that is down or not serving), but not a full queue given up on
      // (a busy leader: moving would add a forwarding hop and escape its per-connection limit). Past it
      // once: calls that failed there together do not move the client on by one endpoint each.
      if (!(givingUp && busy) && this.preferred === tried) this.preferred = tried + 1;
      if (givingUp) throw failure;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      if (busy) busyDelayMs = Math.min(busyDelayMs * 2, BUSY_BACKOFF_MAX_MS);
      else if (attempt >= this.endpoints.length - 1) delayMs = Math.min(delayMs * 2, 100);
    }
  }

  /**
   * A server stream that follows the leader: when the node ends it (not the leader, or leadership
   * lost) or is unreachable, reconnect to the next endpoint until `cancel()`.
   */
  stream(method: 'OpenProxySession' | 'WatchTimeTick', request: PlainMessage, onData: (message: PlainMessage) => void): { cancel: () => void } {
    let cancelled = false;
    let current: grpc.ClientReadableStream<PlainMessage> | null = null;
    const connect = (): void => {
      if (cancelled) return;
      const endpoint = this.endpoints[this.preferred % this.endpoints.length] as string;
      const api = this.stub(endpoint, 'api');
      const stub = api as unknown as Record<string, (req: PlainMessage, md: grpc.Metadata) => grpc.ClientReadableStream<PlainMessage>>;
      const open = stub[method];
      if (open === undefined) throw new Error(`unknown stream ${method}`);
      const metadata = new grpc.Metadata();
      if (this.authorization !== null) metadata.set(AUTHORIZATION_HEADER, this.authorization);
      const call = open.call(api, request, metadata);
      current = call;
      let retired = false;
      // A failed call may report both 'error' and 'end': reconnect once per call, never twice.
      const reconnect = (moveOn: boolean): void => {
        if (cancelled || retired) return;
        retired = true;
        if (moveOn) this.preferred++;
        setTimeout(connect, 50);
      };
      call.on('data', (message: PlainMessage) => {
        if (!retired) onData(message);
      });
      call.on('error', () => reconnect(true));
      call.on('end', () => reconnect(false));
    };
    connect();
    return {
      cancel: () => {
        cancelled = true;
        current?.cancel();
      },
    };
  }

  /** Report a proxy's channel time ticks (the proxy's session must be open on the leader). */
  updateChannelTimeTick(sourceId: bigint, channels: Record<string, bigint>, defaultTs: bigint, msgType = 1200): Promise<PlainMessage> {
    return this.call('UpdateChannelTimeTick', {
      base: { msg_type: msgType, sourceID: sourceId.toString() },
      channelNames: Object.keys(channels),
      timestamps: Object.values(channels).map(String),
      default_timestamp: defaultTs.toString(),
    });
  }

  close(): void {
    for (const stubs of this.stubs.values()) {
      for (const stub of Object.values(stubs)) stub.close();
    }
    this.stubs.clear();
  }

  // ---- convenience wrappers ----

  createDatabase(dbName: string, properties: Record<string, string> = {}): Promise<PlainMessage> {
    return this.call('CreateDatabase', { db_name: dbName, properties: kv(properties) });
  }
  dropDatabase(dbName: string): Promise<PlainMessage> {
    return this.call('DropDatabase', { db_name: dbName });
  }
  listDatabases(): Promise<PlainMessage> {
    return this.call('ListDatabases');
  }
  describeDatabase(dbName: string): Promise<PlainMessage> {
    return this.call('DescribeDatabase', { db_name: dbName });
  }
  alterDatabase(dbName: string, properties: Record<string, string>, deleteKeys: string[] = []): Promise<PlainMessage> {
    return this.call('AlterDatabase', { db_name: dbName, properties: kv(properties), delete_keys: deleteKeys });
  }
  createCollection(name: string, schema: SchemaFile, options: { dbName?: string; shards?: number; consistencyLevel?: number; properties?: Record<string, string>; numPartitions?: number } = {}): Promise<PlainMessage> {
    return this.call('CreateCollection', {
      db_name: options.dbName ?? '',
      collection_name: name,
      schema: encodeSchemaFile(schema, name),
      shards_num: options.shards ?? 0,
      consistency_level: options.consistencyLevel ?? 0,
      properties: kv(options.properties ?? {}),
      num_partitions: String(options.numPartitions ?? 0),
    });
  }
  dropCollection(name: string, dbName = ''): Promise<PlainMessage> {
    return this.call('DropCollection', { db_name: dbName, collection_name: name });
  }
  hasCollection(name: string, dbName = '', ts = 0n): Promise<PlainMessage> {
    return this.call('HasCollection', { db_name: dbName, collection_name: name, time_stamp: ts.toString() });
  }
  describeCollection(name: string, dbName = '', ts = 0n): Promise<PlainMessage> {
    return this.call('DescribeCollection', { db_name: dbName, collection_name: name, time_stamp: ts.toString() });
  }
  showCollections(dbName = '', ts = 0n): Promise<PlainMessage> {
    return this.call('ShowCollections', { db_name: dbName, time_stamp: ts.toString() });
  }
  /**
   * ShowCollections with the IDs and timestamps as typed arrays, index for index with the names: for a
   * large database (200,000 names: about 600,000 decimal strings fewer to make).
   */
  async showCollectionColumns(dbName = '', ts = 0n): Promise<CollectionColumns> {
    const r = await this.call('ShowCollections', { db_name: dbName, time_stamp: ts.toString() }, 'api-columns');
    return {
      names: r['collection_names'] as string[],
      ids: r['collection_ids'] as BigInt64Array,
      createdTimestamps: r['created_timestamps'] as BigUint64Array,
      createdUtcTimestamps: r['created_utc_timestamps'] as BigUint64Array,
      shardsNum: r['shards_num'] as number[],
    };
  }
  alterCollection(name: string, properties: Record<string, string>, deleteKeys: string[] = [], dbName = ''): Promise<PlainMessage> {
    return this.call('AlterCollection', { db_name: dbName, collection_name: name, properties: kv(properties), delete_keys: deleteKeys });
  }
  addCollectionField(name: string, field: SchemaFileField, dbName = ''): Promise<PlainMessage> {
    return this.call('AddCollectionField', { db_name: dbName, collection_name: name, schema: encodeFieldJson(field) });
  }
  renameCollection(oldName: string, newName: string, dbName = '', newDbName = ''): Promise<PlainMessage> {
    return this.call('RenameCollection', { db_name: dbName, oldName, newName, newDBName: newDbName });
  }
  createPartition(collection: string, partition: string, dbName = ''): Promise<PlainMessage> {
    return this.call('CreatePartition', { db_name: dbName, collection_name: collection, partition_name: partition });
  }
  dropPartition(collection: string, partition: string, dbName = ''): Promise<PlainMessage> {
    return this.call('DropPartition', { db_name: dbName, collection_name: collection, partition_name: partition });
  }
  hasPartition(collection: string, partition: string, dbName = ''): Promise<PlainMessage> {
    return this.call('HasPartition', { db_name: dbName, collection_name: collection, partition_name: partition });
  }
  showPartitions(collection: string, dbName = ''): Promise<PlainMessage> {
    return this.call('ShowPartitions', { db_name: dbName, collection_name: collection });
  }
  createAlias(collection: string, alias: string, dbName = ''): Promise<PlainMessage> {
    return this.call('CreateAlias', { db_name: dbName, collection_name: collection, alias });
  }
  dropAlias(alias: string, dbName = ''): Promise<PlainMessage> {
    return this.call('DropAlias', { db_name: dbName, alias });
  }
  alterAlias(collection: string, alias: string, dbName = ''): Promise<PlainMessage> {
    return this.call('AlterAlias', { db_name: dbName, collection_name: collection, alias });
  }
  describeAlias(alias: string, dbName = ''): Promise<PlainMessage> {
    return this.call('DescribeAlias', { db_name: dbName, alias });
  }
  listAliases(collection = '', dbName = ''): Promise<PlainMessage> {
    return this.call('ListAliases', { db_name: dbName, collection_name: collection });
  }
  async allocTimestamp(count = 1): Promise<{ timestamp: bigint; count: number }> {
    const r = await this.call('AllocTimestamp', { count });
    return { timestamp: BigInt(String(r['timestamp'])), count: Number(r['count']) };
  }
  async allocId(count = 1): Promise<{ id: bigint; count: number }> {
    const r = await this.call('AllocID', { count });
    return { id: BigInt(String(r['ID'])), count: Number(r['count']) };
  }
  // ---- users, roles and grants ----

  createCredential(username: string, password: string): Promise<PlainMessage> {
    return this.call('CreateCredential', { username, password: b64(password) });
  }
  /** A new password; the old one is checked unless the caller is root or a member of admin. */
  updateCredential(username: string, oldPassword: string, newPassword: string): Promise<PlainMessage> {
    return this.call('UpdateCredential', { username, oldPassword: b64(oldPassword), newPassword: b64(newPassword) });
  }
  deleteCredential(username: string): Promise<PlainMessage> {
    return this.call('DeleteCredential', { username });
  }
  async listUsers(): Promise<string[]> {
    return ((await this.call('ListCredUsers'))['usernames'] ?? []) as string[];
  }
  createRole(role: string): Promise<PlainMessage> {
    return this.call('CreateRole', { entity: { name: role } });
  }
  dropRole(role: string, force = false): Promise<PlainMessage> {
    return this.call('DropRole', { role_name: role, force_drop: force });
  }
  /** Bind (`add`) or unbind a user and a role. */
  operateUserRole(username: string, role: string, add: boolean): Promise<PlainMessage> {
    return this.call('OperateUserRole', { username, role_name: role, type: add ? 0 : 1 });
  }
  async selectRole(role = '', includeUsers = true): Promise<Array<{ role: string; users: string[] }>> {
    const results = ((await this.call('SelectRole', { role: role === '' ? null : { name: role }, include_user_info: includeUsers }))['results'] ?? []) as PlainMessage[];
    return results.map((r) => ({ role: nameOf(r['role']), users: ((r['users'] ?? []) as PlainMessage[]).map(nameOf) }));
  }
  async selectUser(user = '', includeRoles = true): Promise<Array<{ user: string; roles: string[] }>> {
    const results = ((await this.call('SelectUser', { user: user === '' ? null : { name: user }, include_role_info: includeRoles }))['results'] ?? []) as PlainMessage[];
    return results.map((r) => ({ user: nameOf(r['user']), roles: ((r['roles'] ?? []) as PlainMessage[]).map(nameOf) }));
  }
  /**
   * Grant (or revoke) a privilege. v1: `objectType` Collection, Global or User and a privilege of that
   * type; v2 (`version: 'v2'`): a privilege or privilege group on db.collection, its object type derived.
   */
  operatePrivilege(grant: GrantSpec, revoke = false, version = ''): Promise<PlainMessage> {
    return this.call('OperatePrivilege', { entity: grantEntity(grant), type: revoke ? 1 : 0, version });
  }
  async selectGrant(role: string, filter: { objectType?: string; objectName?: string; dbName?: string } = {}): Promise<GrantSpec[]> {
    const entity = { role: { name: role }, object: filter.objectType === undefined ? null : { name: filter.objectType }, object_name: filter.objectName ?? '', db_name: filter.dbName ?? '' };
    const entities = ((await this.call('SelectGrant', { entity }))['entities'] ?? []) as PlainMessage[];
    return entities.map((e) => {
      const grantor = (e['grantor'] ?? {}) as PlainMessage;
      return { role: nameOf(e['role']), objectType: nameOf(e['object']), objectName: String(e['object_name']), dbName: String(e['db_name']), privilege: nameOf(grantor['privilege']), grantor: nameOf(grantor['user']) };
    });
  }
  /** Users (with password hashes), roles, grants and custom privilege groups, root and built-in roles excepted. */
  async backupRbac(): Promise<PlainMessage> {
    return ((await this.call('BackupRBAC'))['RBAC_meta'] ?? {}) as PlainMessage;
  }
  restoreRbac(meta: PlainMessage): Promise<PlainMessage> {
    return this.call('RestoreRBAC', { RBAC_meta: meta });
  }
  createPrivilegeGroup(group: string): Promise<PlainMessage> {
    return this.call('CreatePrivilegeGroup', { group_name: group });
  }
  dropPrivilegeGroup(group: string): Promise<PlainMessage> {
    return this.call('DropPrivilegeGroup', { group_name: group });
  }
  async listPrivilegeGroups(): Promise<Array<{ group: string; privileges: string[] }>> {
    const groups = ((await this.call('ListPrivilegeGroups'))['privilege_groups'] ?? []) as PlainMessage[];
    return groups.map((g) => ({ group: String(g['group_name']), privileges: ((g['privileges'] ?? []) as PlainMessage[]).map(nameOf) }));
  }
  operatePrivilegeGroup(group: string, privileges: string[], remove = false): Promise<PlainMessage> {
    return this.call('OperatePrivilegeGroup', { group_name: group, privileges: privileges.map((name) => ({ name })), type: remove ? 1 : 0 });
  }

  /** The cluster as one endpoint sees it (not retried elsewhere: the answer is about that node). */
  clusterStatus(endpoint?: string): Promise<PlainMessage> {
    return endpoint === undefined ? this.call('ClusterStatus', {}, 'admin') : this.invoke(endpoint, 'admin', 'ClusterStatus', {}, randomBytes(16).toString('hex'));
  }
  /** Add a node started with --join: it becomes a learner, then a voter once caught up. */
  addMember(id: number, peerAddress: string, clientAddress: string): Promise<PlainMessage> {
    return this.call('AddMember', { id: String(id), peer_address: peerAddress, client_address: clientAddress }, 'admin');
  }
  removeMember(id: number): Promise<PlainMessage> {
    return this.call('RemoveMember', { id: String(id) }, 'admin');
  }
  transferLeader(target: number): Promise<PlainMessage> {
    return this.call('TransferLeader', { target: String(target) }, 'admin');
  }
}

/** A grant as the client API names it. */
export interface GrantSpec {
  readonly role: string;
  readonly objectType: string;
  readonly objectName: string;
  readonly dbName?: string;
  readonly privilege: string;
  readonly grantor?: string;
}

function grantEntity(g: GrantSpec): PlainMessage {
  return { role: { name: g.role }, object: { name: g.objectType }, object_name: g.objectName, db_name: g.dbName ?? '', grantor: { user: { name: g.grantor ?? '' }, privilege: { name: g.privilege } } };
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function nameOf(entity: unknown): string {
  return String(((entity ?? {}) as PlainMessage)['name'] ?? '');
}

function kv(properties: Record<string, string>): Array<{ key: string; value: string }> {
  return Object.entries(properties).map(([key, value]) => ({ key, value }));
}
