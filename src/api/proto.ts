import protobuf from 'protobufjs';
import { ProtoCodec, protoDir } from '../protocol/proto.js';

// The client API's protocol lives in src/protocol/proto.ts (shared with the client); the server's modules import it from here too.
export { adminService, adminServiceTypedColumns, apiRoot, clientChannelOptions, decodeMessage, encodeMessage, healthService, rootCoordService, rootCoordServiceTypedColumns } from '../protocol/proto.js';
export type { MethodInfo, PlainMessage } from '../protocol/proto.js';

/**
 * Milvus's protocols (proto/milvus/): the public API (packages milvus.proto.common, .schema, .feder,
 * .milvus) for the Milvus port, and Milvus's own RootCoord (.rootcoord, with .internal, .proxy, .etcd)
 * for the client port.
 */
export const milvusRoot = (() => {
  const root = new protobuf.Root();
  // The files import each other by name, as milvus-proto's do.
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : `${protoDir}milvus/${target.replace(/^.*\//, '')}`);
  return root.loadSync(['common.proto', 'schema.proto', 'feder.proto', 'milvus.proto', 'internal.proto', 'proxy.proto', 'etcd_meta.proto', 'root_coord.proto'], { keepCase: true });
})();

export const milvusCodec = new ProtoCodec(milvusRoot);
export const milvusService = milvusCodec.serviceDefinition('milvus.proto.milvus.MilvusService');
export const milvusRootCoordService = milvusCodec.serviceDefinition('milvus.proto.rootcoord.RootCoord');
/** As the servers take their requests: top-level repeated 64-bit fields as typed arrays (see rootCoordServiceTypedColumns). */
export const milvusServiceTypedColumns = milvusCodec.serviceDefinition('milvus.proto.milvus.MilvusService', 'typed');
export const milvusRootCoordServiceTypedColumns = milvusCodec.serviceDefinition('milvus.proto.rootcoord.RootCoord', 'typed');
