import type { MetaTable } from '../meta/meta-table.js';
import type { Limits } from './limits.js';

/** The physical DML channels: `{cluster}-rootcoord-dml_{i}` for i < dmlChannelNum. */
export function physicalChannelNames(limits: Limits): string[] {
  return Array.from({ length: limits.dmlChannelNum }, (_, i) => `${limits.clusterPrefix}-rootcoord-dml_${i}`);
}

/** Reference counts per physical channel: one per collection (in any state) using it. */
export function channelRefCounts(meta: MetaTable, limits: Limits): Map<string, number> {
  const counts = new Map(physicalChannelNames(limits).map((name) => [name, 0]));
  for (const [p, refs] of meta.channelReferences()) counts.set(p, refs);
  return counts;
}

/** Pick `shards` channels, least referenced first, then lowest index (Milvus's DML channel pool). */
export function pickChannels(meta: MetaTable, limits: Limits, shards: number): string[] {
  const counts = channelRefCounts(meta, limits);
  const names = physicalChannelNames(limits);
  return names
    .map((name, index) => ({ name, index, refs: counts.get(name) ?? 0 }))
    .sort((a, b) => a.refs - b.refs || a.index - b.index)
    .slice(0, shards)
    .map((c) => c.name);
}

export function virtualChannelName(pchannel: string, collectionID: bigint, shard: number): string {
  return `${pchannel}_${collectionID}v${shard}`;
}
