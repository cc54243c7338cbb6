import { cpus, freemem, hostname, totalmem } from 'node:os';
import { CodedError } from '../common/error-codes.js';
import { describeDatabase, listDatabases } from '../reads/database-reads.js';
import { CollectionState, PartitionState } from '../meta/model.js';
import type { CollectionModel } from '../meta/model.js';
import type { CatalogPort, NodePort, ProxyPort } from './ports.js';
import { big, str, strings } from './convert.js';
import { readHandler } from './handler.js';
import type { Handler } from './handler.js';
import { msgTypeName } from './msg-type.js';
import type { PlainMessage } from './proto.js';

const startedAt = new Date();

/** GetMetrics `system_info`: this node as a component, in the shape of Milvus's component metrics. */
function systemInfo(node: NodePort & CatalogPort): PlainMessage {
  const memory = process.memoryUsage();
  return {
    has_error: false,
    error_reason: '',
    name: `rootcoord${node.config.id}`,
    type: 'RootCoord',
    id: node.config.id,
    leader: node.leaderId(),
    hardware_infos: { ip: hostname(), cpu_core_count: cpus().length, memory: totalmem(), memory_usage: totalmem() - freemem(), process_rss: memory.rss },
    system_info: { system_version: 'rootcoord', deploy_mode: 'rootcoord', build_version: process.version, started_time: startedAt.toISOString() },
    created_time: startedAt.toISOString(),
    updated_time: new Date().toISOString(),
    applied_index: node.meta.appliedIndex,
    databases: node.meta.databases.size,
    collections: node.meta.collections.size,
  };
}

/**
 * The calls Milvus's other coordinators and proxies make of RootCoord beyond the public ones
 * (milvus-io/milvus pkg/proto/root_coord.proto): collection IDs per database, what lives on a physical
 * channel, cache invalidations pushed to proxy sessions, the coordinator's channels, metrics and
 * configuration. All of them need a super user when authorization is on (access.ts: not listed).
 */
export function coordinatorHandlers(node: NodePort & CatalogPort & Pick<ProxyPort, 'broker'>): Record<string, Handler> {
  const meta = node.meta;
  const limits = node.config.limits;
  const local = (handle: (req: PlainMessage) => PlainMessage): Handler => ({ kind: 'local', handle: async (req) => handle(req) });

  return {
    /** The collection IDs of each database named (all when none is), Created ones unless allowUnavailable. */
    ShowCollectionIDs: readHandler((req) => {
      // Each database once (a name repeated 100,000 times answered every ID 100,000 times: 182 MB).
      const names = [...new Set(strings(req, 'db_names'))];
      const dbs = names.length === 0 ? listDatabases(meta) : names.map((name) => describeDatabase(meta, name));
      const all = req['allowUnavailable'] === true;
      return {
        db_collections: dbs.map((db) => {
          const listed = meta.collectionsOf(db.id).filter((c) => all || c.state === CollectionState.Created);
          // A BigInt64Array, which the codec writes itself: as decimal text, 200,000 IDs took protobufjs
          // 150 to 330 ms to parse back into long.js values on the leader's request thread.
          const collectionIDs = new BigInt64Array(listed.length);
          for (let i = 0; i < listed.length; i++) collectionIDs[i] = (listed[i] as CollectionModel).collectionID;
          return { db_name: db.name, collectionIDs };
        }),
      };
    }),

    /** The collections with a virtual channel on physical channel `pchannel`, their partitions and state. */
    GetPChannelInfo: readHandler((req) => {
      const pchannel = str(req, 'pchannel');
      if (pchannel === '') throw new CodedError('ParameterInvalid', 'pchannel is empty');
      const collections: PlainMessage[] = [];
      for (const c of meta.collections.onChannel(pchannel)) {
        const at = c.physicalChannelNames.indexOf(pchannel);
        collections.push({
          collection_id: c.collectionID.toString(),
          partitions: c.partitions.filter((p) => p.state === PartitionState.Created).map((p) => ({ partition_id: p.partitionID.toString() })),
          vchannel: c.virtualChannelNames[at] ?? '',
          state: c.state,
        });
      }
      return { collections };
    }),

    /** Tell the proxy sessions (on the leader) to drop what they cached of a collection or database. */
    InvalidateCollectionMetaCache: {
      kind: 'leader',
      handle: async (req) => {
        const msgType = Number((req['base'] as PlainMessage | null | undefined)?.['msg_type'] ?? 0);
        await node.broker.notify({ type: 'InvalidateCollectionMetaCache', dbName: str(req, 'db_name'), collectionName: str(req, 'collection_name'), collectionID: big(req, 'collectionID'), msgType: msgTypeName(msgType) });
        return {};
      },
    },

    GetTimeTickChannel: local(() => ({ value: `${limits.clusterPrefix}-rootcoord-timetick` })),
    GetStatisticsChannel: local(() => ({ value: `${limits.clusterPrefix}-rootcoord-statistics` })),

    /** Only `system_info` (Milvus's coordinators answer other metric types with an error too). */
    GetMetrics: local((req) => {
      let metricType = '';
      try {
        metricType = String((JSON.parse(str(req, 'request') || '{}') as PlainMessage)['metric_type'] ?? '');
      } catch {
        throw new CodedError('ParameterInvalid', `the metrics request is not JSON: ${str(req, 'request')}`);
      }
      if (metricType !== 'system_info') throw new CodedError('ParameterInvalid', `metric type not supported: "${metricType}" (only system_info)`);
      return { response: JSON.stringify(systemInfo(node)), component_name: `rootcoord${node.config.id}` };
    }),

    /** This node's limits as `rootcoord.<name>`, those whose name contains the pattern (case-insensitive). */
    ShowConfigurations: local((req) => {
      const pattern = str(req, 'pattern').toLowerCase();
      const configuations = Object.entries(limits)
        .map(([key, value]) => ({ key: `rootcoord.${key}`, value: String(value) }))
        .filter((kv) => kv.key.toLowerCase().includes(pattern));
      return { configuations };
    }),
  };
}
