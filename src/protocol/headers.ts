/**
 * The gRPC metadata a rootcoord client and server exchange (shared by src/client and the server's
 * api/ and auth/).
 */

/** Marks a call a member forwards to the leader; its value is the cluster's token (see api/forwarder.ts). */
export const FORWARDED_HEADER = 'x-rootcoord-forwarded';
/** The client's ID for one request, the same on all its retries: DDL runs once per ID (see Scheduler). */
export const REQUEST_ID_HEADER = 'x-rootcoord-request-id';
/** Milvus clients' credentials: base64 of `user:password`. */
export const AUTHORIZATION_HEADER = 'authorization';
/** A read's consistency: STALE_READ asks for a read served locally, without a ReadIndex round. */
export const READ_CONSISTENCY_HEADER = 'x-rootcoord-read';
export const STALE_READ = 'stale';
/**
 * Trailing metadata of a follower's answer to a call it forwarded: the leader's client address. A
 * client that has that address among its endpoints sends its next calls there, without the extra hop
 * (and without loading the follower, which after a failover may carry every client of the dead leader).
 */
export const LEADER_HINT_TRAILER = 'x-rootcoord-leader';

/** `authorization` metadata as Milvus clients send it: base64 of `user:password`. */
export function authorizationValue(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}
