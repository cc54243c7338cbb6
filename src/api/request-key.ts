import { createHash } from 'node:crypto';
import { CodedError } from '../common/error-codes.js';
import { REQUEST_DIGEST_CHARS, REQUEST_ID_LENGTH_MAX } from '../ddl/scheduler.js';
import { encodeMessage } from './proto.js';
import type { PlainMessage } from './proto.js';

/**
 * The key under which a DDL request takes effect at most once: the client's request ID (metadata
 * `x-rootcoord-request-id`, the same on every retry) and a digest of the call, its method and its
 * request as encoded again from what was decoded (so the same on every path: sent to the leader, or
 * forwarded by a follower that decoded and encoded it). A retry of a request finds its key; an ID
 * reused for another call or other arguments is another request, which runs, instead of being
 * answered "success" for the first without running (an idempotency key covers one request only).
 */
export function requestKey(requestId: string, method: string, requestType: string, request: PlainMessage): string {
  if (requestId.length === 0 || requestId.length > REQUEST_ID_LENGTH_MAX) {
    throw new CodedError('ParameterInvalid', `a request ID has 1 to ${REQUEST_ID_LENGTH_MAX} characters, not ${requestId.length}`);
  }
  const digest = createHash('sha256').update(method).update('\n').update(encodeMessage(requestType, request)).digest('base64url');
  return `${requestId}/${digest.slice(0, REQUEST_DIGEST_CHARS)}`;
}
