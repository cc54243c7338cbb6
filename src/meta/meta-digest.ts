import { createHash } from 'node:crypto';
import { sortedByKey } from '../common/maps.js';
import { isReplicaLocal } from './catalog-keys.js';
import type { CatalogWriter } from './catalog-writer.js';
import type { MetaIndex } from './meta-index.js';
import type { RbacTable } from '../rbac/rbac-table.js';
import type { VersionedStore } from './versioned-store.js';

/**
 * A digest of what a replica serves (its in-memory state, RBAC included) and of what its LevelDB
 * holds, equal on every replica that applied the same entries, with the applied index it belongs to:
 * memory, the applied index and a LevelDB snapshot are captured together once no write is buffered or
 * in flight, so entries applied while the store is read are in neither (a digest read beside the apply
 * chain could mix them). A replica whose memory and disk disagree (so that it would serve something
 * else after a restart) digests differently.
 */
export async function digestAtIndex(index: MetaIndex, rbac: RbacTable, store: VersionedStore, writer: CatalogWriter): Promise<{ digest: string; appliedIndex: number }> {
  const hash = createHash('sha256');
  const { appliedIndex, batches } = await writer.atRest(() => {
    const appliedIndex = index.appliedIndex;
    hash.update('memory\0').update(canonicalJson(servedState(index, rbac))).update('\0');
    return { appliedIndex, batches: store.scan() };
  });
  hash.update('store\0');
  for await (const batch of batches) {
    for (const [key, value] of batch) if (!isReplicaLocal(key)) hash.update(key).update('\0').update(value).update('\0');
  }
  return { digest: hash.digest('hex'), appliedIndex };
}

/** The in-memory state that reads are served from, in a canonical order. */
function servedState(index: MetaIndex, rbac: RbacTable): unknown {
  return {
    tsoWindowMs: index.tsoWindowMs,
    idUpTo: index.idUpTo,
    databases: sortedByKey(index.databases),
    collections: sortedByKey(index.collections),
    aliases: sortedByKey(index.aliasesByDb).filter(([, aliases]) => aliases.size > 0).map(([dbID, aliases]) => [dbID, sortedByKey(aliases)]),
    requests: sortedByKey(index.requests),
    members: sortedByKey(index.members),
    rbac: rbac.servedState(),
  };
}

/** JSON with object keys sorted at every level (bigints as strings): equal values, equal text, whatever the key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  });
}
