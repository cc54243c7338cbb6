import { createHmac, timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { AuthenticationError } from '../auth/authenticator.js';
import { CodedError } from '../common/error-codes.js';
import { AUTHORIZATION_HEADER, FORWARDED_HEADER, REQUEST_ID_HEADER } from '../protocol/headers.js';
import type { PlainMessage } from './proto.js';
import { adminService, clientChannelOptions, rootCoordService } from './proto.js';

export { AUTHORIZATION_HEADER, FORWARDED_HEADER, REQUEST_ID_HEADER };

/**
 * The value of FORWARDED_HEADER that members send: derived from the cluster secret, so that a client
 * cannot pass for a member forwarding a call (and so escape its connection's budget, see Admission).
 * Without a secret, members cannot be told from clients: "1".
 */
export function forwardedToken(secret: string): string {
  return secret === '' ? '1' : createHmac('sha256', secret).update('rootcoord forwarded call').digest('hex');
}

/** True when `metadata` carries the token of this cluster's members (compared in constant time). */
export function isForwarded(metadata: grpc.Metadata, token: string): boolean {
  const value = metadata.get(FORWARDED_HEADER)[0];
  if (typeof value !== 'string') return false;
  const presented = Buffer.from(value);
  const expected = Buffer.from(token);
  return presented.byteLength === expected.byteLength && timingSafeEqual(presented, expected);
}
export type ServiceName = 'api' | 'admin';

/**
 * grpc-js's statuses of a call that ended before its request left this node, by code and the start of
 * their details (no connection, a name not resolved, a channel closed, a stream that could not be
 * started or that the server refused before reading it): the leader never saw it. Any other failure
 * after the call started may follow the leader's receipt of it.
 */
const NOT_SENT: ReadonlyArray<readonly [grpc.status, string]> = [
  [grpc.status.UNAVAILABLE, 'No connection established'],
  [grpc.status.UNAVAILABLE, 'Name resolution failed'],
  [grpc.status.UNAVAILABLE, 'Channel closed before call started'],
  [grpc.status.UNAVAILABLE, 'Stream refused by server'],
  [grpc.status.INTERNAL, 'Failed to start HTTP/2 stream'],
];

function notSent(error: Pick<grpc.ServiceError, 'code' | 'details'>): boolean {
  return NOT_SENT.some(([code, details]) => error.code === code && error.details.startsWith(details));
}

/**
 * The error a failed forward is answered with. A deadline passed: OutcomeUnknown. A call that never
 * reached the leader, or one whose repetition is harmless (`repeatable`: not a DDL, or a DDL with a
 * request ID, which the leader runs once per ID, so the client's retry is answered with the first
 * attempt's outcome): ServiceNotReady, retriable. A DDL without a request ID that may have reached the
 * leader (its stream reset, as a leader resets an answer left unread, see Admission; its connection
 * dropped; an internal error): OutcomeUnknown, since a retry could run it twice.
 */
export function forwardFailure(method: string, address: string, error: Pick<grpc.ServiceError, 'code' | 'details'>, repeatable: boolean): Error {
  if (error.code === grpc.status.UNAUTHENTICATED) return new AuthenticationError(error.details);
  if (error.code === grpc.status.DEADLINE_EXCEEDED) return new CodedError('OutcomeUnknown', `forwarded ${method} to the leader at ${address}: deadline exceeded`);
  if (!repeatable && !notSent(error)) {
    return new CodedError('OutcomeUnknown', `forwarded ${method} to the leader at ${address}: ${error.details}; the outcome is unknown`);
  }
  return new CodedError('ServiceNotReady', `forwarding ${method} to the leader at ${address} failed: ${error.details}`);
}
const constructors: Record<ServiceName, grpc.ServiceClientConstructor> = {
  api: grpc.makeGenericClientConstructor(rootCoordService.definition, 'RootCoord'),
  admin: grpc.makeGenericClientConstructor(adminService.definition, 'RootCoordAdmin'),
};

/** Forwards leader-only calls from a follower to the leader's client port, one cached channel per leader. */
export class Forwarder {
  private readonly clients = new Map<string, grpc.Client>();

  /** `credentials`: TLS when the client port has it (the leader's port is a client port); `token`: see forwardedToken. */
  constructor(
    private readonly credentials: grpc.ChannelCredentials,
    private readonly token: string,
  ) {}

  private client(service: ServiceName, address: string): grpc.Client {
    const key = `${service}@${address}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      client = new constructors[service](address, this.credentials, clientChannelOptions);
      this.clients.set(key, client);
    }
    return client;
  }

  /**
   * Connect (or keep connected) the channel to each of `addresses`, so that the first calls forwarded
   * to a new leader do not wait for a connection: on a follower busy with hundreds of clients, setting
   * one up took several turns of its event loop, a few hundred ms after a failover.
   */
  warm(addresses: readonly string[]): void {
    for (const address of addresses) this.client('api', address).getChannel().getConnectivityState(true);
    // A channel to an address no longer among them (a removed member) is closed, not kept trying.
    const kept = new Set(addresses);
    for (const [key, client] of this.clients) {
      if (kept.has(key.slice(key.indexOf('@') + 1))) continue;
      client.close();
      this.clients.delete(key);
    }
  }

  /** `repeatable`: see forwardFailure. */
  forward(address: string, service: ServiceName, method: string, request: PlainMessage, deadlineMs: number, requestId: string | null, repeatable: boolean, authorization: string | null = null): Promise<PlainMessage> {
    const client = this.client(service, address);
    const metadata = new grpc.Metadata();
    metadata.set(FORWARDED_HEADER, this.token);
    if (requestId !== null) metadata.set(REQUEST_ID_HEADER, requestId);
    if (authorization !== null) metadata.set(AUTHORIZATION_HEADER, authorization);
    const call = (client as unknown as Record<string, (req: PlainMessage, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: PlainMessage) => void) => void>)[method];
    if (call === undefined) return Promise.reject(new Error(`no method ${method}`));
    return new Promise((resolve, reject) => {
      call.call(client, request, metadata, { deadline: Date.now() + deadlineMs }, (error, response) => {
        if (error === null) resolve(response);
        else reject(forwardFailure(method, address, error, repeatable));
      });
    });
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
