import type { CatalogView } from '../meta/catalog-view.js';
import type { Limits } from './limits.js';

const namesMade = new Map<string, readonly string[]>();

/** The physical DML channels: `{cluster}-rootcoord-dml_{i}` for i < dmlChannelNum (made once per configuration). */
export function physicalChannelNames(limits: Limits): readonly string[] {
  const key = `${limits.clusterPrefix}\0${limits.dmlChannelNum}`;
  let names = namesMade.get(key);
  if (names === undefined) {
    names = Object.freeze(Array.from({ length: limits.dmlChannelNum }, (_, i) => `${limits.clusterPrefix}-rootcoord-dml_${i}`));
    namesMade.set(key, names);
  }
  return names;
}

/** Reference counts per physical channel: one per collection (in any state) using it. */
export function channelRefCounts(meta: CatalogView, limits: Limits): Map<string, number> {
  const counts = new Map(physicalChannelNames(limits).map((name) => [name, 0]));
  for (const [p, refs] of meta.channelReferences()) counts.set(p, refs);
  return counts;
}

/** Pick `shards` channels, least referenced first, then lowest index (Milvus's DML channel pool). */
export function pickChannels(meta: CatalogView, limits: Limits, shards: number): string[] {
  const refs = meta.channelReferences();
  return physicalChannelNames(limits)
    .map((name, index) => ({ name, index, refs: refs.get(name) ?? 0 }))
    .sort((a, b) => a.refs - b.refs || a.index - b.index)
    .slice(0, shards)
    .map((c) => c.name);
}

export function virtualChannelName(pchannel: string, collectionID: bigint, shard: number): string {
  return `${pchannel}_${collectionID}v${shard}`;
}
