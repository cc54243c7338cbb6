import { CodedError } from '../common/error-codes.js';
import { physicalMs } from '../common/hybrid-ts.js';
import { AddCollectionFieldTask } from '../ddl/tasks/add-collection-field-task.js';
import { describeAlias, listAliases } from '../reads/alias-reads.js';
import { AlterAliasTask } from '../ddl/tasks/alter-alias-task.js';
import { AlterCollectionFieldTask } from '../ddl/tasks/alter-collection-field-task.js';
import { AlterCollectionTask } from '../ddl/tasks/alter-collection-task.js';
import { AlterDatabaseTask } from '../ddl/tasks/alter-database-task.js';
import { describeCollection, hasCollection, showCollections } from '../reads/collection-reads.js';
import { CreateAliasTask } from '../ddl/tasks/create-alias-task.js';
import { CreateCollectionTask } from '../ddl/tasks/create-collection-task.js';
import { CreateDatabaseTask } from '../ddl/tasks/create-database-task.js';
import { CreatePartitionTask } from '../ddl/tasks/create-partition-task.js';
import { describeDatabase, listDatabases } from '../reads/database-reads.js';
import { DropAliasTask } from '../ddl/tasks/drop-alias-task.js';
import { DropCollectionTask } from '../ddl/tasks/drop-collection-task.js';
import { DropDatabaseTask } from '../ddl/tasks/drop-database-task.js';
import { DropPartitionTask } from '../ddl/tasks/drop-partition-task.js';
import { hasPartition, showPartitions } from '../reads/partition-reads.js';
import { RenameCollectionTask } from '../ddl/tasks/rename-collection-task.js';
import type { DdlTask } from '../ddl/task.js';
import { isVisible, requireVisibleCollection, requireVisibleDatabase, visibleCollections, visibleDatabases } from '../rbac/visibility.js';
import { DEFAULT_DB_NAME } from '../meta/model.js';
import type { ConsistencyLevel } from '../meta/model.js';
import type { AllocPort, CatalogPort, NodePort, ProxyPort, RaftStatusPort, TaskPort } from './ports.js';
import { big, bigints, describeResponse, fieldInputFromBytes, int, kvs, schemaInput, showCollectionsResponse, str, strings } from './convert.js';
import type { PlainMessage } from './proto.js';
import { ddlHandler, leaderHandler, readHandler } from './handler.js';
import { requestTime } from './request-time.js';
import type { Handler } from './handler.js';
import { coordinatorHandlers } from './coordinator-handlers.js';
import { rbacHandlers } from './rbac-handlers.js';

/** What the RootCoord RPCs use of the node. */
export type RootCoordPorts = NodePort & TaskPort & CatalogPort & AllocPort & ProxyPort & RaftStatusPort;

/** The RootCoord RPCs: each turns a request into a task or a read, and a result into a response. */
export function rootCoordHandlers(node: RootCoordPorts): Record<string, Handler> {
  const meta = node.meta;
  const leader = leaderHandler;
  const ddl = (toTask: (req: PlainMessage) => DdlTask): Handler => ddlHandler(node, toTask);
  const read = readHandler;

  return {
    GetComponentStates: { kind: 'local', handle: async () => componentStates(node) },
    CheckHealth: { kind: 'local', handle: async () => checkHealth(node) },

    AllocTimestamp: leader(async (req) => {
      const count = int(req, 'count');
      if (count <= 0) throw new CodedError('ParameterInvalid', 'tso count should be positive');
      const last = await node.tso.generate(count);
      await node.confirmLeadership();
      return { timestamp: (last - BigInt(count) + 1n).toString(), count };
    }),
    AllocID: leader(async (req) => {
      const count = int(req, 'count');
      const first = await node.ids.alloc(count);
      await node.confirmLeadership();
      return { ID: first.toString(), count };
    }),

    CreateDatabase: ddl((req) => new CreateDatabaseTask(str(req, 'db_name'), kvs(req, 'properties'))),
    DropDatabase: ddl((req) => new DropDatabaseTask(str(req, 'db_name'))),
    AlterDatabase: ddl((req) => new AlterDatabaseTask(str(req, 'db_name'), kvs(req, 'properties'), strings(req, 'delete_keys'))),
    ListDatabases: read((_req, call) => {
      const visible = call.user === null ? null : visibleDatabases(meta.rbac, call.user);
      const dbs = listDatabases(meta).filter((d) => visible === null || isVisible(visible, d.name));
      return { db_names: dbs.map((d) => d.name), created_timestamp: dbs.map((d) => d.createdTimeNs.toString()), db_ids: dbs.map((d) => d.id.toString()) };
    }),
    DescribeDatabase: read((req, call) => {
      requireVisibleDatabase(meta.rbac, call.user, str(req, 'db_name') || DEFAULT_DB_NAME);
      const db = describeDatabase(meta, str(req, 'db_name'));
      return { db_name: db.name, dbID: db.id.toString(), created_timestamp: db.createdTimeNs.toString(), properties: db.properties };
    }),

    CreateCollection: ddl(
      (req) =>
        new CreateCollectionTask({
          dbName: str(req, 'db_name'),
          collectionName: str(req, 'collection_name'),
          schema: schemaInput(req['schema']),
          shardsNum: int(req, 'shards_num'),
          consistencyLevel: int(req, 'consistency_level') as ConsistencyLevel,
          properties: kvs(req, 'properties'),
          numPartitions: big(req, 'num_partitions'),
        }),
    ),
    DropCollection: ddl((req) => new DropCollectionTask(str(req, 'db_name'), str(req, 'collection_name'))),
    HasCollection: read(async (req) => ({ value: await hasCollection(meta, str(req, 'db_name'), str(req, 'collection_name'), big(req, 'time_stamp')) })),
    DescribeCollection: read(async (req, call) => {
      requireVisibleCollection(meta.rbac, call.user, str(req, 'db_name') || DEFAULT_DB_NAME, str(req, 'collection_name'));
      const found = await describeCollection(meta, str(req, 'db_name'), str(req, 'collection_name'), big(req, 'collectionID'), big(req, 'time_stamp'));
      // `request_time` first (see the README, "Development": hidden classes).
      const requestTs = (await requestTime(node)).toString();
      return { request_time: requestTs, ...describeResponse(found.collection, found.db.name, found.aliases) };
    }),
    ShowCollections: read(async (req, call) => {
      const dbName = str(req, 'db_name') || DEFAULT_DB_NAME;
      const visible = call.user === null ? null : visibleCollections(meta.rbac, call.user, dbName);
      const collections = await showCollections(meta, dbName, big(req, 'time_stamp'));
      return showCollectionsResponse(visible === null ? collections : collections.filter((c) => isVisible(visible, c.name)));
    }),
    AlterCollection: ddl((req) => new AlterCollectionTask(str(req, 'db_name'), str(req, 'collection_name'), kvs(req, 'properties'), strings(req, 'delete_keys'))),
    AlterCollectionField: ddl((req) => new AlterCollectionFieldTask(str(req, 'db_name'), str(req, 'collection_name'), str(req, 'field_name'), kvs(req, 'properties'), strings(req, 'delete_keys'))),
    AddCollectionField: ddl((req) => new AddCollectionFieldTask(str(req, 'db_name'), str(req, 'collection_name'), fieldInputFromBytes(req['schema']))),
    RenameCollection: ddl((req) => new RenameCollectionTask(str(req, 'db_name'), str(req, 'oldName'), str(req, 'newName'), str(req, 'newDBName'))),

    CreatePartition: ddl((req) => new CreatePartitionTask(str(req, 'db_name'), str(req, 'collection_name'), str(req, 'partition_name'))),
    DropPartition: ddl((req) => new DropPartitionTask(str(req, 'db_name'), str(req, 'collection_name'), str(req, 'partition_name'))),
    HasPartition: read((req) => ({ value: hasPartition(meta, str(req, 'db_name'), str(req, 'collection_name'), str(req, 'partition_name')) })),
    ShowPartitions: read((req) => {
      const partitions = showPartitions(meta, str(req, 'db_name'), str(req, 'collection_name'), big(req, 'collectionID'));
      return {
        partition_names: partitions.map((p) => p.partitionName),
        partitionIDs: partitions.map((p) => p.partitionID),
        created_timestamps: partitions.map((p) => p.createdTs),
        created_utc_timestamps: partitions.map((p) => physicalMs(p.createdTs)),
      };
    }),

    CreateAlias: ddl((req) => new CreateAliasTask(str(req, 'db_name'), str(req, 'collection_name'), str(req, 'alias'))),
    DropAlias: ddl((req) => new DropAliasTask(str(req, 'db_name'), str(req, 'alias'))),
    AlterAlias: ddl((req) => new AlterAliasTask(str(req, 'db_name'), str(req, 'collection_name'), str(req, 'alias'))),
    DescribeAlias: read((req) => {
      const found = describeAlias(meta, str(req, 'db_name'), str(req, 'alias'));
      return { db_name: found.dbName, alias: found.alias, collection: found.collection };
    }),
    UpdateChannelTimeTick: leader(async (req) => {
      const base = (req['base'] ?? {}) as PlainMessage;
      node.timeTicks.updateFromProxy(int(base, 'msg_type'), big(base, 'sourceID'), strings(req, 'channelNames'), bigints(req, 'timestamps'), big(req, 'default_timestamp'));
      return {};
    }),
    ListAliases: read((req) => ({ db_name: str(req, 'db_name') || 'default', collection_name: str(req, 'collection_name'), aliases: listAliases(meta, str(req, 'db_name'), str(req, 'collection_name')) })),
    ...rbacHandlers(node),
    ...coordinatorHandlers(node),
  };
}

const STATE_HEALTHY = 1;
const STATE_ABNORMAL = 2;

function componentStates(node: NodePort): PlainMessage {
  const healthy = node.leaderId() !== 0;
  const info = { nodeID: String(node.config.id), role: 'rootcoord', state_code: healthy ? STATE_HEALTHY : STATE_ABNORMAL, extra_info: [{ key: 'leader', value: String(node.leaderId()) }] };
  return { state: info, subcomponent_states: [info] };
}

function checkHealth(node: NodePort & CatalogPort & RaftStatusPort): PlainMessage {
  const reasons: string[] = [];
  if (node.leaderId() === 0) reasons.push(`node ${node.config.id} knows no leader`);
  const st = node.raft.status();
  if (st.commit - node.meta.appliedIndex > 10_000) reasons.push(`node ${node.config.id} is ${st.commit - node.meta.appliedIndex} entries behind`);
  return { isHealthy: reasons.length === 0, reasons };
}
