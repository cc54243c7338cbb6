import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { CodedError, ErrorCodes, statusOf, successStatus } from '../common/error-codes.js';
import type { StatusMessage } from '../common/error-codes.js';
import { stringify } from '../common/bigint-json.js';
import { DEFAULT_DB_NAME } from '../meta/model.js';
import type { NodePort } from './ports.js';
import { bindServer, deadlineAt, grpcServerOptions, shutdownServer } from './api-server.js';
import type { ApiServer, UnaryCall } from './api-server.js';
import { str, strings } from './convert.js';
import { addCountedService } from './answers.js';
import { as, DATABASE_HEADER, frontImplementation, header, inDb } from './milvus-front.js';
import type { Mapping } from './milvus-front.js';
import { milvusService, milvusServiceTypedColumns } from './proto.js';
import type { PlainMessage } from './proto.js';

/** What GetVersion reports: the Milvus API version this port follows (milvus-proto, SDK 2.6). */
export const MILVUS_API_VERSION = 'v2.6.0';

/**
 * DescribeCollection as Milvus's proxy answers it (describeCollectionTask.Execute): only user fields
 * (IDs from 100), and not the dynamic field `$meta`; RootCoord's answer has them all.
 */
function userFieldsOnly(res: PlainMessage): PlainMessage {
  const schema = res['schema'] as PlainMessage | undefined;
  if (schema === undefined || schema === null || !Array.isArray(schema['fields'])) return res;
  const fields = (schema['fields'] as PlainMessage[]).filter((f) => BigInt(String(f['fieldID'] ?? '0')) >= 100n && f['is_dynamic'] !== true);
  return { ...res, schema: { ...schema, fields } };
}

/** OperatePrivilegeV2 is OperatePrivilege version "v2" (as Milvus's proxy turns it): the level comes from the privilege. */
function privilegeV2(req: PlainMessage): PlainMessage {
  return {
    base: req['base'],
    entity: { role: req['role'], object: { name: 'Global' }, object_name: str(req, 'collection_name'), db_name: str(req, 'db_name'), grantor: req['grantor'] },
    type: req['type'],
    version: 'v2',
  };
}

/** The most collection names one BatchDescribeCollection may ask for (Milvus has no limit). */
export const BATCH_DESCRIBE_NAMES_MAX = 1000;
/** BatchDescribeCollection gives the event loop a turn after this many describes. */
const BATCH_DESCRIBE_YIELD_EVERY = 32;
/** The most one BatchDescribeCollection answers, measured as its responses' JSON (a repeated name counts each time). */
export const BATCH_DESCRIBE_BYTES_MAX = 64 * 1024 * 1024;

/** The metadata calls of MilvusService, each onto its RootCoord call. */
const MAPPINGS: Readonly<Record<string, Mapping>> = {
  CheckHealth: as('CheckHealth'),
  GetComponentStates: as('GetComponentStates'),
  AllocTimestamp: { to: 'AllocTimestamp', request: () => ({ count: 1 }) },

  CreateDatabase: as('CreateDatabase'),
  DropDatabase: as('DropDatabase'),
  ListDatabases: as('ListDatabases'),
  AlterDatabase: as('AlterDatabase'),
  DescribeDatabase: as('DescribeDatabase'),

  CreateCollection: inDb('CreateCollection'),
  DropCollection: inDb('DropCollection'),
  HasCollection: inDb('HasCollection'),
  DescribeCollection: { to: 'DescribeCollection', db: 'db_name', response: userFieldsOnly },
  ShowCollections: inDb('ShowCollections'),
  AlterCollection: inDb('AlterCollection'),
  RenameCollection: inDb('RenameCollection'),
  AddCollectionField: inDb('AddCollectionField'),
  AlterCollectionField: inDb('AlterCollectionField'),

  CreatePartition: inDb('CreatePartition'),
  DropPartition: inDb('DropPartition'),
  HasPartition: inDb('HasPartition'),
  ShowPartitions: inDb('ShowPartitions'),

  CreateAlias: inDb('CreateAlias'),
  DropAlias: inDb('DropAlias'),
  AlterAlias: inDb('AlterAlias'),
  DescribeAlias: inDb('DescribeAlias'),
  ListAliases: inDb('ListAliases'),

  CreateCredential: as('CreateCredential'),
  UpdateCredential: as('UpdateCredential'),
  DeleteCredential: as('DeleteCredential'),
  ListCredUsers: as('ListCredUsers'),

  CreateRole: as('CreateRole'),
  DropRole: as('DropRole'),
  OperateUserRole: as('OperateUserRole'),
  SelectRole: as('SelectRole'),
  SelectUser: as('SelectUser'),
  OperatePrivilege: { to: 'OperatePrivilege', db: 'entity' },
  OperatePrivilegeV2: { to: 'OperatePrivilege', request: privilegeV2 },
  SelectGrant: { to: 'SelectGrant', db: 'entity' },
  BackupRBAC: as('BackupRBAC'),
  RestoreRBAC: as('RestoreRBAC'),

  CreatePrivilegeGroup: as('CreatePrivilegeGroup'),
  DropPrivilegeGroup: as('DropPrivilegeGroup'),
  ListPrivilegeGroups: as('ListPrivilegeGroups'),
  OperatePrivilegeGroup: as('OperatePrivilegeGroup'),
};

/** The MilvusService calls rootcoord serves: the mapped ones, Connect and GetVersion. */
export const MILVUS_SERVED_CALLS: readonly string[] = ['Connect', 'GetVersion', 'BatchDescribeCollection', ...Object.keys(MAPPINGS)];

/** Each mapped call's RootCoord call (what its answer is, see answers.ts). */
export const MILVUS_TARGETS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(MAPPINGS).map(([call, mapping]) => [call, mapping.to]));

function refusal(name: string): string {
  return `${name} is not served here: rootcoord is Milvus's metadata coordinator (databases, collections, partitions, aliases, users, roles, grants); data, index, load, search and other data-plane calls go to a Milvus proxy`;
}

/**
 * A failed describe as Milvus's proxy answers it (describeCollectionTask.Execute): an empty schema
 * (the SDKs read it), the names asked for, and for a missing collection the legacy code
 * UnexpectedError with the reason `can't find collection[database=D][collection=C]` (code 100 kept).
 */
function describeFailure(status: StatusMessage, dbName: string, collectionName: string): PlainMessage {
  const missing = Number(status.code) === ErrorCodes.CollectionNotFound.code;
  const answered = missing ? { ...status, error_code: ErrorCodes.Unexpected.legacy, reason: `can't find collection[database=${dbName}][collection=${collectionName}]` } : status;
  return { status: answered, schema: { name: '', description: '', autoID: false, fields: [] }, collectionID: '0', collection_name: collectionName, db_name: dbName };
}

/** A non-zero 63-bit connection identifier, as a decimal string (exact beyond 2^53). */
function newIdentifier(): string {
  const id = randomBytes(8).readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn;
  return (id === 0n ? 1n : id).toString();
}

/**
 * Milvus's public API, `milvus.proto.milvus.MilvusService`, on a port of its own, so that Milvus's SDKs
 * (`new MilvusClient({ address })`) work against rootcoord. Every metadata call is served as the
 * RootCoord call it corresponds to, through the ApiServer (forwarded to the leader, read barriers,
 * authorization with the `authorization` header, admission, metrics); the `dbname` header names the
 * database when the request does not. Every other call is answered with code 10 (service
 * unimplemented) and a reason (see frontImplementation).
 */
export class MilvusServer {
  private readonly server: grpc.Server;

  constructor(
    private readonly node: Pick<NodePort, 'config'>,
    private readonly api: ApiServer,
  ) {
    this.server = new grpc.Server(grpcServerOptions(node.config.limits));
  }

  async start(address: string): Promise<void> {
    const local = {
      Connect: (call: UnaryCall) => this.connect(call),
      GetVersion: async () => ({ status: successStatus, version: MILVUS_API_VERSION }),
      BatchDescribeCollection: (call: UnaryCall) => this.batchDescribe(call),
    };
    addCountedService(this.server, milvusServiceTypedColumns.definition, frontImplementation(this.api, milvusService.methods, MAPPINGS, local, refusal), this.api.admission);
    await bindServer(this.server, address, this.node);
  }

  /**
   * Connect (the SDK's first call): checks the credentials and that the `dbname` header's database
   * exists, as Milvus's proxy does, and returns a non-zero connection identifier.
   */
  private async connect(call: UnaryCall): Promise<PlainMessage> {
    const dbName = header(call.metadata, DATABASE_HEADER) ?? DEFAULT_DB_NAME;
    const listed = await this.api.serveAs('ListDatabases', {}, call);
    const status = listed['status'] as StatusMessage | undefined;
    if (status !== undefined && Number(status.code) !== 0) return { status };
    const names = Array.isArray(listed['db_names']) ? (listed['db_names'] as string[]) : [];
    if (!names.includes(dbName)) return { status: statusOf(new CodedError('DatabaseNotFound', `database not found[database=${dbName}]`)) };
    return {
      status: successStatus,
      server_info: { build_tags: MILVUS_API_VERSION, deploy_mode: 'rootcoord', reserved: { node: String(this.node.config.id), 'metadata-only': 'true' } },
      identifier: newIdentifier(),
    };
  }

  /**
   * BatchDescribeCollection, as Milvus's proxy serves it (impl.go): 1101 without collection names;
   * otherwise each name described as DescribeCollection would (its own status in its response, the
   * call's status Success). The request's collection IDs are not read, as Milvus does not read them.
   * Bounded (Milvus is not): at most BATCH_DESCRIBE_NAMES_MAX names (1100 beyond) and
   * BATCH_DESCRIBE_BYTES_MAX of answer (1100 beyond), a name asked for twice described once, the event
   * loop given a turn every few describes, and the work stopped once the call's deadline has passed.
   * Without that, 4 MB of names kept a node's thread busy for minutes and built a 99 MB answer until
   * the heap ran out.
   */
  private async batchDescribe(call: UnaryCall): Promise<PlainMessage> {
    const names = strings(call.request, 'collection_name');
    if (names.length === 0) return { status: statusOf(new CodedError('ParameterMissing', 'collection names cannot be empty: missing parameter')) };
    if (names.length > BATCH_DESCRIBE_NAMES_MAX) {
      return { status: statusOf(new CodedError('ParameterInvalid', `${names.length} collection names in one BatchDescribeCollection, more than the limit of ${BATCH_DESCRIBE_NAMES_MAX}: ask in several calls`)) };
    }
    const dbName = str(call.request, 'db_name') || (header(call.metadata, DATABASE_HEADER) ?? DEFAULT_DB_NAME);
    const deadlineMs = deadlineAt(call);
    const described = new Map<string, { response: PlainMessage; bytes: number }>();
    const responses: PlainMessage[] = [];
    let describes = 0;
    let bytes = 0;
    for (const name of names) {
      let entry = described.get(name);
      if (entry === undefined) {
        if (describes > 0 && describes % BATCH_DESCRIBE_YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
        if (Date.now() > deadlineMs) return { status: statusOf(new CodedError('Unexpected', `the call's deadline passed after ${describes} of ${names.length} collections were described`)) };
        describes++;
        const answer = await this.api.serveAs('DescribeCollection', { db_name: dbName, collection_name: name }, call);
        const status = answer['status'] as StatusMessage | undefined;
        const response = status === undefined || Number(status.code) === 0 ? userFieldsOnly(answer) : describeFailure(status, dbName, name);
        // Its JSON's length: an estimate (from above) of its size on the wire.
        entry = { response, bytes: stringify(response).length };
        described.set(name, entry);
      }
      bytes += entry.bytes;
      if (bytes > BATCH_DESCRIBE_BYTES_MAX) {
        return { status: statusOf(new CodedError('ParameterInvalid', `the answer to ${names.length} collection names would be more than ${BATCH_DESCRIBE_BYTES_MAX} bytes: ask for fewer in one call`)) };
      }
      responses.push(entry.response);
    }
    return { status: successStatus, responses };
  }

  async close(): Promise<void> {
    await shutdownServer(this.server);
  }
}
