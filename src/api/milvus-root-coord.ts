import type * as grpc from '@grpc/grpc-js';
import { as, frontImplementation } from './milvus-front.js';
import type { Mapping, ServesAs } from './milvus-front.js';
import { checkMsgType } from './msg-type.js';
import { milvusRootCoordService } from './proto.js';

/**
 * Milvus's own RootCoord protocol (`milvus.proto.rootcoord.RootCoord`, milvus-io/milvus
 * pkg/proto/root_coord.proto): every call rootcoord can serve, onto its own RootCoord call of the same
 * name (the *Internal variants onto the public ones). Internal callers name their databases, so no
 * `dbname` header is read here.
 */
/**
 * A call whose Milvus task checks `base.msg_type` in its Prepare (CheckMsgType): a proxy always sets
 * it, so only this protocol sees a wrong one; the Milvus port's calls get it set, as a proxy would.
 */
const checked = (to: string, msgType: string): Mapping => ({ to, request: checkMsgType(msgType) });

const MAPPINGS: Readonly<Record<string, Mapping>> = {
  ...Object.fromEntries(
    [
      'GetComponentStates',
      'AlterCollectionField',
      'GetTimeTickChannel',
      'GetStatisticsChannel',
      'DescribeAlias',
      'ListAliases',
      'ShowCollectionIDs',
      'GetPChannelInfo',
      'AllocTimestamp',
      'AllocID',
      'UpdateChannelTimeTick',
      'InvalidateCollectionMetaCache',
      'ShowConfigurations',
      'GetMetrics',
      'DeleteCredential',
      'ListCredUsers',
      'GetCredential',
      'CreateRole',
      'DropRole',
      'OperateUserRole',
      'SelectRole',
      'SelectUser',
      'OperatePrivilege',
      'SelectGrant',
      'ListPolicy',
      'BackupRBAC',
      'RestoreRBAC',
      'CreatePrivilegeGroup',
      'DropPrivilegeGroup',
      'ListPrivilegeGroups',
      'OperatePrivilegeGroup',
      'CheckHealth',
      'CreateDatabase',
      'DropDatabase',
      'ListDatabases',
      'DescribeDatabase',
      'AlterDatabase',
    ].map((name) => [name, as(name)]),
  ),
  ...Object.fromEntries(
    ['CreateCollection', 'DropCollection', 'AddCollectionField', 'HasCollection', 'DescribeCollection', 'CreateAlias', 'DropAlias', 'AlterAlias', 'ShowCollections', 'AlterCollection', 'CreatePartition', 'DropPartition', 'HasPartition', 'ShowPartitions', 'RenameCollection'].map((name) => [name, checked(name, name)]),
  ),
  DescribeCollectionInternal: checked('DescribeCollection', 'DescribeCollection'),
  ShowPartitionsInternal: checked('ShowPartitions', 'ShowPartitions'),
};

/** The calls of Milvus's RootCoord that rootcoord serves. */
export const MILVUS_ROOT_COORD_SERVED_CALLS: readonly string[] = Object.keys(MAPPINGS);

/** Each mapped call's RootCoord call (what its answer is, see answers.ts). */
export const MILVUS_ROOT_COORD_TARGETS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(MAPPINGS).map(([call, mapping]) => [call, mapping.to]));

function refusal(name: string): string {
  if (name === 'CreateCredential' || name === 'UpdateCredential') {
    return `${name} with a CredentialInfo (a password a Milvus proxy already hashed) is not served by rootcoord: create and update users through MilvusService (the Milvus port) or rootcoord.RootCoord, which take the password`;
  }
  return `${name} is not served by rootcoord yet (Milvus's RootCoord protocol, metadata coordinator): see the README, "Milvus's RootCoord protocol"`;
}

/** The implementation of `milvus.proto.rootcoord.RootCoord` for the client port (see ApiServer.start). */
export function milvusRootCoordImplementation(api: ServesAs): grpc.UntypedServiceImplementation {
  return frontImplementation(api, milvusRootCoordService.methods, MAPPINGS, {}, refusal);
}
