import type { Model, Operation } from './linearizability.js';

export type MetaOpKind = 'createCollection' | 'dropCollection' | 'hasCollection' | 'createPartition' | 'dropPartition' | 'showPartitions';

export interface MetaInput {
  readonly op: MetaOpKind;
  readonly collection: string;
  readonly partition?: string;
}

/** A completed call: its status code and what it returned; null for an unknown outcome. */
export type MetaOutput = { readonly code: number; readonly exists?: boolean; readonly partitions?: readonly string[] } | null;

export interface CollectionState {
  readonly exists: boolean;
  /** Sorted partition names (with _default) while the collection exists. */
  readonly partitions: readonly string[];
}

const COLLECTION_NOT_FOUND = 100;
const absent: CollectionState = { exists: false, partitions: [] };

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sorted = [...b].sort();
  return a.length === sorted.length && a.every((p, i) => p === sorted[i]);
}

/**
 * Per-collection-name metadata, as clients observe it through the RootCoord API: whether the name
 * resolves to a collection and which partitions it has. Creates and drops are idempotent (Milvus);
 * a call on a missing collection answers 100. Histories partition by collection name.
 */
export const metadataModel: Model<CollectionState, MetaInput, MetaOutput> = {
  init: () => absent,
  step: (state, input, output) => {
    const unknown = output === null;
    const code = output?.code ?? 0;
    switch (input.op) {
      case 'createCollection':
        if (!unknown && code !== 0) return { ok: true, state };
        return { ok: true, state: state.exists ? state : { exists: true, partitions: ['_default'] } };
      case 'dropCollection':
        if (!unknown && code !== 0) return { ok: true, state };
        return { ok: true, state: absent };
      case 'hasCollection':
        return { ok: unknown || output.exists === state.exists, state };
      case 'createPartition':
      case 'dropPartition': {
        if (!unknown && code === COLLECTION_NOT_FOUND) return { ok: !state.exists, state };
        if (!unknown && code !== 0) return { ok: true, state };
        if (!state.exists) return { ok: unknown, state };
        const name = input.partition as string;
        const without = state.partitions.filter((p) => p !== name);
        const partitions = input.op === 'createPartition' ? [...without, name].sort() : without;
        return { ok: true, state: { exists: true, partitions } };
      }
      case 'showPartitions':
        if (unknown) return { ok: true, state };
        if (code === COLLECTION_NOT_FOUND) return { ok: !state.exists, state };
        if (code !== 0) return { ok: true, state };
        return { ok: state.exists && sameSet(state.partitions, output.partitions ?? []), state };
    }
  },
  equal: (a, b) => a.exists === b.exists && a.partitions.length === b.partitions.length && a.partitions.every((p, i) => p === b.partitions[i]),
  stateKey: (s) => `${s.exists}:${s.partitions.join(',')}`,
  partition: (history) => {
    const byName = new Map<string, Operation<MetaInput, MetaOutput>[]>();
    for (const op of history) {
      const list = byName.get(op.input.collection) ?? [];
      list.push(op);
      byName.set(op.input.collection, list);
    }
    return [...byName.values()];
  },
};
