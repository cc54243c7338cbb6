import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { CodedError, statusOf, successStatus } from '../common/error-codes.js';
import type { StatusMessage } from '../common/error-codes.js';
import { DEFAULT_DB_NAME } from '../meta/model.js';
import type { RootCoordNode } from '../node/root-coord-node.js';
import { bindServer, shutdownServer } from './api-server.js';
import type { ApiServer, UnaryCall } from './api-server.js';
import { str } from './convert.js';
import { as, DATABASE_HEADER, frontImplementation, header, inDb } from './milvus-front.js';
import type { Mapping } from './milvus-front.js';
import { milvusCodec, milvusService } from './proto.js';
import type { PlainMessage } from './proto.js';

/** Milvus's port, the Milvus port's default for a node started by hand. */
export const MILVUS_DEFAULT_ADDRESS = '127.0.0.1:19530';
/** What GetVersion reports: the Milvus API version this port follows (milvus-proto, SDK 2.6). */
export const MILVUS_API_VERSION = 'v2.6.0';

/** CreateCollection: refuse what rootcoord would otherwise drop without a word (schema functions, struct-array fields). */
function checkSchema(req: PlainMessage): PlainMessage {
  const bytes = req['schema'];
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) return req;
  let schema: PlainMessage;
  try {
    schema = milvusCodec.decode('milvus.proto.schema.CollectionSchema', bytes);
  } catch {
    return req; // the RootCoord call answers a schema it cannot read
  }
  const count = (key: string): number => (Array.isArray(schema[key]) ? (schema[key] as unknown[]).length : 0);
  if (count('functions') > 0) throw new CodedError('ParameterInvalid', 'schema functions (BM25, text embedding, ...) are not supported by rootcoord yet');
  if (count('struct_array_fields') > 0) throw new CodedError('ParameterInvalid', 'struct-array fields are not supported by rootcoord yet');
  return req;
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

  CreateCollection: { to: 'CreateCollection', db: 'db_name', request: checkSchema },
  DropCollection: inDb('DropCollection'),
  HasCollection: inDb('HasCollection'),
  DescribeCollection: inDb('DescribeCollection'),
  ShowCollections: inDb('ShowCollections'),
  AlterCollection: inDb('AlterCollection'),
  RenameCollection: inDb('RenameCollection'),
  AddCollectionField: inDb('AddCollectionField'),

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
export const MILVUS_SERVED_CALLS: readonly string[] = ['Connect', 'GetVersion', ...Object.keys(MAPPINGS)];

function refusal(name: string): string {
  return `${name} is not served here: rootcoord is Milvus's metadata coordinator (databases, collections, partitions, aliases, users, roles, grants); data, index, load, search and other data-plane calls go to a Milvus proxy`;
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
    private readonly node: RootCoordNode,
    private readonly api: ApiServer,
  ) {
    this.server = new grpc.Server({ 'grpc.max_receive_message_length': node.config.limits.maxRequestBytes });
  }

  async start(address: string): Promise<void> {
    const local = {
      Connect: (call: UnaryCall) => this.connect(call),
      GetVersion: async () => ({ status: successStatus, version: MILVUS_API_VERSION }),
    };
    this.server.addService(milvusService.definition, frontImplementation(this.api, milvusService.methods, MAPPINGS, local, refusal));
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

  async close(): Promise<void> {
    await shutdownServer(this.server);
  }
}
