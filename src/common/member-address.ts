/**
 * A member's addresses as this host records them in a Raft conf change's context: JSON with `peer`
 * (the Raft port) and `client` (the gRPC port). The one place that format is written and read; Raft is
 * given `peerAddressOf` (by module, as its worker thread imports it: keep this module free of imports
 * beyond types).
 */

/** A member's Raft peer and client addresses (host:port each). */
export interface MemberAddress {
  readonly peer: string;
  readonly client: string;
}

/** The context a conf change adding a member carries. */
export function memberContext(address: MemberAddress): string {
  return JSON.stringify(address);
}

/** Whether a conf change's context is in the host's format (what the catalog keeps of a member). */
export function isMemberContext(context: string): boolean {
  return context.startsWith('{');
}

/** The JSON of a context in the host's format, or null if it does not parse. */
function contextFields(context: string): { peer?: unknown; client?: unknown } | null {
  try {
    return JSON.parse(context) as { peer?: unknown; client?: unknown } | null;
  } catch {
    return null;
  }
}

/** A conf change's context as member addresses (JSON with `peer` and `client`), or null. */
export function parseMemberContext(context: string | undefined): MemberAddress | null {
  if (context === undefined || !isMemberContext(context)) return null;
  const parsed = contextFields(context);
  return typeof parsed?.peer === 'string' && typeof parsed.client === 'string' ? { peer: parsed.peer, client: parsed.client } : null;
}

/**
 * The peer address in a conf change's context, for Raft (RaftNodeOptions.peerAddressOf): the context
 * itself ("host:port"), or the `peer` field of the JSON.
 */
export function peerAddressOf(context: string | undefined): string | null {
  if (context === undefined || context === '') return null;
  if (!isMemberContext(context)) return context;
  const parsed = contextFields(context);
  return typeof parsed?.peer === 'string' ? parsed.peer : null;
}

/** The module's URL, for the Raft worker (RaftWorkerOptions.peerAddressModule). */
export const PEER_ADDRESS_MODULE = import.meta.url;
