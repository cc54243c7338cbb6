import * as grpc from '@grpc/grpc-js';
import http2 from 'node:http2';
import { CodedError, ErrorCodes, statusOf } from '../common/error-codes.js';
import type { Admission, CallEnd } from './admission.js';

type UnaryHandler = (call: grpc.ServerUnaryCall<unknown, unknown> & CallEnd, callback: grpc.sendUnaryData<unknown>) => void;

/**
 * How long a reset stream may take to close before its connection is closed: a client that does not
 * read its socket does not take the reset either (Node cannot write it), and the answer stays in memory.
 */
const RESET_CLOSE_MS = 2000;

/**
 * End a call whose answer its client has not read: reset its HTTP/2 stream (RST_STREAM CANCEL), which
 * frees what was queued for it once the reset is written; grpc-js then ends the call (emits
 * 'cancelled'). If the stream has not closed within RESET_CLOSE_MS (the client does not read its
 * socket), its whole connection is destroyed, which frees everything queued on it. The stream is
 * grpc-js's own (a server call's inner call holds it; test/rootcoord/admission.test.ts checks that it
 * is found): false if it is not there or has closed already, and the answer stays.
 */
function resetStream(call: grpc.ServerUnaryCall<unknown, unknown> & CallEnd): boolean {
  const stream = (call as { call?: { stream?: Partial<http2.ServerHttp2Stream> } }).call?.stream;
  if (typeof stream?.close !== 'function' || typeof stream.destroyed !== 'boolean' || typeof stream.rstCode !== 'number' || stream.destroyed) return false;
  stream.close(http2.constants.NGHTTP2_CANCEL);
  const session = stream.session;
  setTimeout(() => {
    if (!call.cancelled) session?.destroy();
  }, RESET_CLOSE_MS).unref();
  return true;
}

/**
 * The smallest answer replaced by a queue-full one when the budget is full: a smaller one would free
 * little or nothing (a 2001 takes about 150 bytes), and health checks, allocations and the other small
 * answers, which admission lets through or counts little, keep being answered.
 */
const REFUSABLE_ANSWER_BYTES_MIN = 64 * 1024;

/**
 * Whether a method's answer can be replaced by a queue-full one after it was computed: its response is
 * a message with a `status` (a read, a lookup, an allocation, whose repetition is harmless), not a bare
 * Status (every DDL's answer, in the three protocols served: test/rootcoord/admission.test.ts checks it;
 * a DDL's effect has happened, its answer must be given).
 */
export function answerRefusable(method: grpc.MethodDefinition<unknown, unknown>): boolean {
  try {
    const decoded = method.responseDeserialize(method.responseSerialize({ status: { code: ErrorCodes.QueueFull.code } })) as { status?: { code?: unknown } };
    return Number(decoded.status?.code) === ErrorCodes.QueueFull.code;
  } catch {
    return false;
  }
}

/**
 * What waits for a call's answer to be sent or replaced (see whenAnswered), by call: set while its
 * handler runs, taken when the answer is given to gRPC.
 */
const awaitingAnswer = new WeakMap<object, Array<(sent: boolean) => void>>();

/**
 * Run `settle` once `call`'s answer is given to gRPC: `sent` false if it was replaced by a queue-full one
 * (or could not be encoded). Run at once, with `sent` true, for a call not served by addCountedService
 * or whose answer was given already. The call's metrics use it, so that an answer replaced is not
 * counted as served.
 */
export function whenAnswered(call: object, settle: (sent: boolean) => void): void {
  const waiting = awaitingAnswer.get(call);
  if (waiting === undefined) settle(true);
  else waiting.push(settle);
}

/** Run what waits for `call`'s answer (see whenAnswered). */
function answered(call: object, sent: boolean): void {
  const waiting = awaitingAnswer.get(call);
  if (waiting === undefined) return;
  awaitingAnswer.delete(call);
  for (const settle of waiting) settle(sent);
}

/**
 * Add a service to `server` whose unary answers are encoded here, as they are handed to gRPC, and
 * counted against the node's unread answers until their calls end (Admission.holdAnswer): `definition`
 * with answers that are already bytes passed through, and `implementation` with each unary handler's
 * answer encoded by the definition's own serializer. Streams are left as they are (they bound their
 * backlog themselves). An answer of REFUSABLE_ANSWER_BYTES_MIN or more finished while the budget is full
 * (Admission.answerRefusal) is replaced by a queue-full one (2001, retriable) when its method's answers can be
 * (see answerRefusable); the call's metrics (see whenAnswered) and the admission's refusals count it as
 * refused.
 */
export function addCountedService(server: grpc.Server, definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation, admission: Admission): void {
  const counted: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition as Record<string, grpc.MethodDefinition<unknown, unknown>>)) {
    const serialize = method.responseSerialize;
    // Asked when an answer could first be refused, not here: it sets up the method's response type's
    // codec (protobufjs generates code for it), which for every method of the three protocols cost a
    // node about 0.3 s of CPU at its start (1.3 s under the profiler), most of it for methods never
    // called; an empty 3-node cluster came up in 2.87 s instead of 3.48 (medians of five alternating).
    let canRefuse: boolean | undefined;
    counted[name] = { ...method, responseSerialize: (value: unknown) => (Buffer.isBuffer(value) ? value : serialize(value)) };
    const handler = implementation[name];
    if (handler === undefined || method.requestStream || method.responseStream) {
      if (handler !== undefined) handlers[name] = handler;
      continue;
    }
    const unary = handler as unknown as UnaryHandler;
    handlers[name] = ((call: grpc.ServerUnaryCall<unknown, unknown> & CallEnd, callback: grpc.sendUnaryData<unknown>) => {
      awaitingAnswer.set(call, []);
      unary(call, (error, value, trailer, flags) => {
        if (error !== null || value === null || value === undefined) {
          answered(call, true);
          callback(error, value, trailer, flags);
          return;
        }
        let bytes: Buffer;
        try {
          bytes = serialize(value);
        } catch {
          answered(call, false);
          callback({ code: grpc.status.INTERNAL, details: 'Error serializing response' });
          return;
        }
        const refusal = bytes.length >= REFUSABLE_ANSWER_BYTES_MIN && !call.cancelled && (canRefuse ??= answerRefusable(method)) ? admission.answerRefusal(bytes.length) : null;
        if (refusal !== null) bytes = serialize({ status: statusOf(new CodedError('QueueFull', `${refusal}; retry later`)) });
        answered(call, refusal === null);
        admission.holdAnswer(call, bytes.length, () => resetStream(call));
        callback(null, bytes, trailer, flags);
      });
    }) as unknown as grpc.UntypedHandleCall;
  }
  server.addService(counted, handlers);
}
