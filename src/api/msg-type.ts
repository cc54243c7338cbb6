import { CodedError } from '../common/error-codes.js';
import { int } from './convert.js';
import type { PlainMessage } from './proto.js';

/** milvus.proto.common.MsgType, as milvus-proto declares it at the spec's commit (name=number). */
const MSG_TYPES: ReadonlyMap<number, string> = new Map(
  (
    'Undefined=0 CreateCollection=100 DropCollection=101 HasCollection=102 DescribeCollection=103 ' +
    'ShowCollections=104 GetSystemConfigs=105 LoadCollection=106 ReleaseCollection=107 CreateAlias=108 ' +
    'DropAlias=109 AlterAlias=110 AlterCollection=111 RenameCollection=112 DescribeAlias=113 ' +
    'ListAliases=114 AlterCollectionField=115 CreatePartition=200 DropPartition=201 HasPartition=202 ' +
    'DescribePartition=203 ShowPartitions=204 LoadPartitions=205 ReleasePartitions=206 ShowSegments=250 ' +
    'DescribeSegment=251 LoadSegments=252 ReleaseSegments=253 HandoffSegments=254 ' +
    'LoadBalanceSegments=255 DescribeSegments=256 FederListIndexedSegment=257 ' +
    'FederDescribeSegmentIndexData=258 CreateIndex=300 DescribeIndex=301 DropIndex=302 ' +
    'GetIndexStatistics=303 AlterIndex=304 Insert=400 Delete=401 Flush=402 ResendSegmentStats=403 ' +
    'Upsert=404 ManualFlush=405 FlushSegment=406 CreateSegment=407 Import=408 Search=500 ' +
    'SearchResult=501 GetIndexState=502 GetIndexBuildProgress=503 GetCollectionStatistics=504 ' +
    'GetPartitionStatistics=505 Retrieve=506 RetrieveResult=507 WatchDmChannels=508 RemoveDmChannels=509 ' +
    'WatchQueryChannels=510 RemoveQueryChannels=511 SealedSegmentsChangeInfo=512 WatchDeltaChannels=513 ' +
    'GetShardLeaders=514 GetReplicas=515 UnsubDmChannel=516 GetDistribution=517 SyncDistribution=518 ' +
    'RunAnalyzer=519 SegmentInfo=600 SystemInfo=601 GetRecoveryInfo=602 GetSegmentState=603 ' +
    'TimeTick=1200 QueryNodeStats=1201 LoadIndex=1202 RequestID=1203 RequestTSO=1204 ' +
    'AllocateSegment=1205 SegmentStatistics=1206 SegmentFlushDone=1207 DataNodeTt=1208 Connect=1209 ' +
    'ListClientInfos=1210 AllocTimestamp=1211 Replicate=1212 CreateCredential=1500 GetCredential=1501 ' +
    'DeleteCredential=1502 UpdateCredential=1503 ListCredUsernames=1504 CreateRole=1600 DropRole=1601 ' +
    'OperateUserRole=1602 SelectRole=1603 SelectUser=1604 SelectResource=1605 OperatePrivilege=1606 ' +
    'SelectGrant=1607 RefreshPolicyInfoCache=1608 ListPolicy=1609 CreatePrivilegeGroup=1610 ' +
    'DropPrivilegeGroup=1611 ListPrivilegeGroups=1612 OperatePrivilegeGroup=1613 ' +
    'CreateResourceGroup=1700 DropResourceGroup=1701 ListResourceGroups=1702 DescribeResourceGroup=1703 ' +
    'TransferNode=1704 TransferReplica=1705 UpdateResourceGroups=1706 CreateDatabase=1801 ' +
    'DropDatabase=1802 ListDatabases=1803 AlterDatabase=1804 DescribeDatabase=1805 ' +
    'AddCollectionField=1900 ' +
    ''
  )
    .trim()
    .split(/\s+/)
    .map((pair): [number, string] => {
      const [name, value] = pair.split('=') as [string, string];
      return [Number(value), name];
    }),
);

/** A MsgType's name as Go's String() prints it: the name, or the number if it has none. */
export function msgTypeName(value: number): string {
  return MSG_TYPES.get(value) ?? String(value);
}

export function msgTypeNumber(name: string): number {
  for (const [value, known] of MSG_TYPES) if (known === name) return value;
  throw new Error(`unknown MsgType ${name}`);
}

/**
 * Milvus's RootCoord refuses a DDL or read task whose `base.msg_type` is not its own (the tasks'
 * Prepare, CheckMsgType in internal/rootcoord/util.go): a plain error, so 65535. A proxy always sets
 * it; a request with no base has msg_type Undefined (0).
 */
export function checkMsgType(expected: string): (req: PlainMessage) => PlainMessage {
  const want = msgTypeNumber(expected);
  return (req) => {
    const got = int((req['base'] ?? {}) as PlainMessage, 'msg_type');
    if (got !== want) throw new CodedError('Unexpected', `invalid msg type, expect ${expected}, but got ${msgTypeName(got)}`);
    return req;
  };
}
