import * as grpc from '@grpc/grpc-js';
import { CodedError, statusOf } from '../common/error-codes.js';
import type { StatusMessage } from '../common/error-codes.js';
import { DEFAULT_DB_NAME } from '../meta/model.js';
import { grpcError } from './api-server.js';
import type { UnaryCall } from './api-server.js';
import { str } from './convert.js';
import { milvusCodec } from './proto.js';
import type { MethodInfo, PlainMessage } from './proto.js';

/** The gRPC metadata header in which Milvus's SDKs name the database of a call (`client.use({ db_name })`). */
export const DATABASE_HEADER = 'dbname';
const STATUS_TYPE = 'milvus.proto.common.Status';

/**
 * How a call of one of Milvus's services is served: as the RootCoord call `to` (the same handlers,
 * routing, authorization and admission as the client port). `db`: where the `dbname` header goes when
 * the request names no database (Milvus's proxy DatabaseInterceptor: the request's `db_name`, or its
 * grant entity's); `request`: what else changes on the way.
 */
export interface Mapping {
  readonly to: string;
  readonly db?: 'db_name' | 'entity';
  readonly request?: (req: PlainMessage) => PlainMessage;
  /** What Milvus's proxy changes in the answer (a failed call's answer included). */
  readonly response?: (res: PlainMessage) => PlainMessage;
}

/** A call served by the front itself (it may still use the ApiServer). */
export type LocalCall = (call: UnaryCall) => Promise<PlainMessage>;

/** What the fronts need of the ApiServer (see ApiServer.serveAs). */
export interface ServesAs {
  serveAs(method: string, request: PlainMessage, call: Omit<UnaryCall, 'request'>): Promise<PlainMessage>;
}

export const as = (to: string): Mapping => ({ to });
export const inDb = (to: string): Mapping => ({ to, db: 'db_name' });

export function header(metadata: grpc.Metadata, key: string): string | null {
  const value = metadata.get(key)[0];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The request with the call's database filled in where Milvus's proxy fills it. */
function withDatabase(req: PlainMessage, where: Mapping['db'], metadata: grpc.Metadata): PlainMessage {
  if (where === undefined) return req;
  const dbName = header(metadata, DATABASE_HEADER) ?? DEFAULT_DB_NAME;
  if (where === 'db_name') return str(req, 'db_name') === '' ? { ...req, db_name: dbName } : req;
  const entity = req['entity'];
  if (entity === null || typeof entity !== 'object' || str(entity as PlainMessage, 'db_name') !== '') return req;
  return { ...req, entity: { ...(entity as PlainMessage), db_name: dbName } };
}

/** The field of a response type that holds its Status ('' when the response is a Status, null when it has none). */
function statusFieldOf(responseType: string): string | null {
  if (responseType === STATUS_TYPE) return '';
  for (const field of milvusCodec.lookupType(responseType).fieldsArray) {
    field.resolve();
    if (field.resolvedType?.fullName === `.${STATUS_TYPE}`) return field.name;
  }
  return null;
}

/** A response of `method` that carries only `status` (null: the response type has no Status). */
export function statusResponse(method: MethodInfo, status: StatusMessage): PlainMessage | null {
  const field = statusFieldOf(method.responseType);
  if (field === null) return null;
  return field === '' ? status : { [field]: status };
}

/** A gRPC-level failure, for the refused calls whose responses carry no Status. */
class GrpcFailure extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(details);
  }
}

/**
 * The implementation of one of Milvus's services (`methods`): each call in `mappings` is served as its
 * RootCoord call through `api`, each in `local` by the front, and every other one is refused with code
 * 10 (service unimplemented) and `refusal(name)` as the reason, in the response's status; never with
 * gRPC UNIMPLEMENTED (which Milvus's SDKs turn into an empty success). A response type without a
 * status (and a bidirectional stream) fails FAILED_PRECONDITION `code 10: ...` instead; Dummy answers
 * the reason.
 */
export function frontImplementation(api: ServesAs, methods: readonly MethodInfo[], mappings: Readonly<Record<string, Mapping>>, local: Readonly<Record<string, LocalCall>>, refusal: (name: string) => string): grpc.UntypedServiceImplementation {
  const refused = (method: MethodInfo): { error: CodedError; response: PlainMessage | null } => {
    const error = new CodedError('ServiceUnimplemented', refusal(method.name));
    return { error, response: method.name === 'Dummy' ? { response: error.message } : statusResponse(method, statusOf(error)) };
  };
  const failure = (error: CodedError): GrpcFailure => new GrpcFailure(grpc.status.FAILED_PRECONDITION, `code ${error.code}: ${error.message}`);

  const unary = (method: MethodInfo): ((call: UnaryCall) => Promise<PlainMessage>) => {
    const serveLocally = local[method.name];
    if (serveLocally !== undefined) return serveLocally;
    const mapping = mappings[method.name];
    if (mapping === undefined) {
      return async () => {
        const { error, response } = refused(method);
        if (response === null) throw failure(error);
        return response;
      };
    }
    return async (call) => {
      let request: PlainMessage;
      try {
        request = withDatabase(mapping.request?.(call.request) ?? call.request, mapping.db, call.metadata);
      } catch (error) {
        if (!(error instanceof CodedError)) throw error;
        return statusResponse(method, statusOf(error)) ?? {};
      }
      const response = await api.serveAs(mapping.to, request, call);
      return mapping.response?.(response) ?? response;
    };
  };

  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of methods) {
    if (method.requestStream || method.responseStream) {
      implementation[method.name] = (call: grpc.ServerWritableStream<PlainMessage, PlainMessage> | grpc.ServerDuplexStream<PlainMessage, PlainMessage>) => {
        const { error, response } = refused(method);
        if (response === null) {
          call.emit('error', failure(error));
          return;
        }
        call.write(response);
        call.end();
      };
      continue;
    }
    const serve = unary(method);
    implementation[method.name] = (call: grpc.ServerUnaryCall<PlainMessage, PlainMessage>, callback: grpc.sendUnaryData<PlainMessage>) => {
      serve(call).then(
        (response) => callback(null, response),
        (error: unknown) => callback(error instanceof GrpcFailure ? error : grpcError(error)),
      );
    };
  }
  return implementation;
}
