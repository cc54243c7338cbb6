/**
 * What a follower answers when the call it forwarded fails: a DDL without a request ID that may have
 * reached the leader is OutcomeUnknown (a retry could run it twice), a call that never left the
 * follower, or one a retry repeats harmlessly, is ServiceNotReady (retriable). A leader resets the
 * stream of an answer left unread (Admission), which a follower that stalls meets as CANCELLED.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { Forwarder, forwardFailure } from '../../src/api/forwarder.js';
import { rootCoordService } from '../../src/api/proto.js';
import { CodedError, ErrorCodes } from '../../src/common/error-codes.js';

type Raw = { call?: { stream?: http2.ServerHttp2Stream } };

async function bind(server: grpc.Server): Promise<number> {
  return new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e === null ? resolve(p) : reject(e))));
}

async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(CodedError);
    return (error as CodedError).code;
  }
  throw new Error('the forward succeeded');
}

describe('a failed forward', () => {
  it('maps each failure by whether the leader may have run the call', () => {
    const unknown = ErrorCodes.OutcomeUnknown.code;
    const notReady = ErrorCodes.ServiceNotReady.code;
    const code = (error: Pick<grpc.ServiceError, 'code' | 'details'>, repeatable: boolean): number => (forwardFailure('CreatePartition', 'a', error, repeatable) as CodedError).code;
    expect(code({ code: grpc.status.CANCELLED, details: 'Call cancelled' }, false)).to.equal(unknown);
    expect(code({ code: grpc.status.UNAVAILABLE, details: 'Connection dropped' }, false)).to.equal(unknown);
    expect(code({ code: grpc.status.INTERNAL, details: 'Received RST_STREAM with code 2' }, false)).to.equal(unknown);
    expect(code({ code: grpc.status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' }, true)).to.equal(unknown);
    expect(code({ code: grpc.status.CANCELLED, details: 'Call cancelled' }, true)).to.equal(notReady);
    expect(code({ code: grpc.status.UNAVAILABLE, details: 'No connection established. Last error: connect ECONNREFUSED' }, false)).to.equal(notReady);
    expect(code({ code: grpc.status.UNAVAILABLE, details: 'Stream refused by server' }, false)).to.equal(notReady);
    expect(code({ code: grpc.status.UNAVAILABLE, details: 'Name resolution failed for target dns:leader.invalid:1' }, false)).to.equal(notReady);
    expect(code({ code: grpc.status.INTERNAL, details: 'Failed to start HTTP/2 stream with error ERR_HTTP2_GOAWAY_SESSION' }, false)).to.equal(notReady);
    // The same words with another code are not taken for a call that was not sent.
    expect(code({ code: grpc.status.INTERNAL, details: 'No connection established' }, false)).to.equal(unknown);
    expect(forwardFailure('CreatePartition', 'a', { code: grpc.status.UNAUTHENTICATED, details: 'bad password' }, false)).to.not.be.instanceOf(CodedError);
  });

  describe('against a server', () => {
    let server: grpc.Server;
    let address: string;
    let forwarder: Forwarder;
    let runs = 0;
    before(async () => {
      server = new grpc.Server();
      const reset = (call: grpc.ServerUnaryCall<unknown, unknown>): void => {
        runs++;
        (call as unknown as Raw).call?.stream?.close(http2.constants.NGHTTP2_CANCEL);
      };
      const drop = (call: grpc.ServerUnaryCall<unknown, unknown>): void => {
        runs++;
        (call as unknown as Raw).call?.stream?.session?.destroy();
      };
      server.addService(rootCoordService.definition, { CreatePartition: reset, DropPartition: drop });
      address = `127.0.0.1:${await bind(server)}`;
      forwarder = new Forwarder(grpc.credentials.createInsecure(), 'token');
    });
    after(() => {
      forwarder.close();
      server.forceShutdown();
    });

    it('a DDL the leader received and reset, without a request ID: OutcomeUnknown; with one: ServiceNotReady', async () => {
      const request = { collection_name: 'c', partition_name: 'p' };
      expect(await codeOf(forwarder.forward(address, 'api', 'CreatePartition', request, 5000, null, false))).to.equal(ErrorCodes.OutcomeUnknown.code);
      expect(await codeOf(forwarder.forward(address, 'api', 'CreatePartition', request, 5000, 'id-1', true))).to.equal(ErrorCodes.ServiceNotReady.code);
      expect(runs).to.equal(2);
    });

    it('a DDL whose connection dropped after the leader received it: OutcomeUnknown', async () => {
      const before = runs;
      expect(await codeOf(forwarder.forward(address, 'api', 'DropPartition', { collection_name: 'c', partition_name: 'p' }, 5000, null, false))).to.equal(ErrorCodes.OutcomeUnknown.code);
      expect(runs).to.equal(before + 1);
    });

    it('a DDL that could not reach the leader: ServiceNotReady, retriable', async () => {
      // A socket path nothing listens on (a just-closed TCP port could be taken by another process).
      const error = await forwarder.forward(`unix:${tmpdir()}/rootcoord-forward-failure-${process.pid}.sock`, 'api', 'CreatePartition', { collection_name: 'c', partition_name: 'p' }, 5000, null, false).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(CodedError);
      expect((error as CodedError).code).to.equal(ErrorCodes.ServiceNotReady.code);
      expect((error as CodedError).retriable).to.equal(true);
    });
  });
});
