/**
 * The ID of a member added to a local cluster (scripts/cluster add): never one this cluster has had.
 * Raft tells members apart by ID, so a removed member's ID given to a new node would make the others
 * take its messages for the old member's, and the old member's data directory (node-<id>, which
 * `remove` keeps) would be reused by a node started with --join, which wants an empty one.
 */
export function nextNodeId(lastNodeId: number | undefined, memberIds: readonly number[], dirEntries: readonly string[]): number {
  const dirIds = dirEntries.flatMap((name) => /^node-([0-9]+)$/.exec(name)?.[1] ?? []).map(Number);
  return Math.max(lastNodeId ?? 0, ...memberIds, ...dirIds) + 1;
}
