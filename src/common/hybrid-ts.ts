/** Hybrid timestamps as Milvus builds them: physical milliseconds shifted left by 18 logical bits. */
export const LOGICAL_BITS = 18n;
export const LOGICAL_MAX = 1n << LOGICAL_BITS;

export function composeTs(physicalMs: bigint, logical: bigint): bigint {
  return (physicalMs << LOGICAL_BITS) | logical;
}

export function physicalMs(ts: bigint): bigint {
  return ts >> LOGICAL_BITS;
}

export function logicalPart(ts: bigint): bigint {
  return ts & (LOGICAL_MAX - 1n);
}

export const MAX_TS = (1n << 64n) - 1n;
