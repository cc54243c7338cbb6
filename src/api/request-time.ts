import { composeTs } from '../common/hybrid-ts.js';
import type { AllocPort, CatalogPort, NodePort } from './ports.js';

/**
 * DescribeCollection's `request_time`: Milvus gives the describe task's TSO timestamp
 * (describe_collection_task.go, `t.Rsp.RequestTime = t.ts`). The serving leader does the same; a
 * follower serves reads without asking the leader, so it answers a timestamp no earlier than any
 * DDL its answer reflects: the larger of the latest applied command's and its clock's.
 */
export async function requestTime(node: Pick<NodePort, 'isServingLeader'> & Pick<AllocPort, 'tso'> & CatalogPort): Promise<bigint> {
  if (node.isServingLeader()) return node.tso.generate(1);
  const clockTs = composeTs(BigInt(Date.now()), 0n);
  const applied = node.meta.latestCommandTs;
  return applied > clockTs ? applied : clockTs;
}
