import * as grpc from '@grpc/grpc-js';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const protoDir = fileURLToPath(new URL('../../../proto/', import.meta.url));
/** The client API, loaded once with Milvus's field names kept as written (snake_case stays snake_case). */
export const apiRoot = new protobuf.Root().loadSync([`${protoDir}rootcoord.proto`, `${protoDir}health.proto`], { keepCase: true });

/** Decoded messages are plain objects: 64-bit integers as decimal strings, enums as numbers. */
const toObjectOptions: protobuf.IConversionOptions = { longs: String, enums: Number, defaults: true, arrays: true, oneofs: true };

export type PlainMessage = Record<string, unknown>;

/**
 * Channel options for the API's gRPC clients (a call costs mostly CPU here, on two shared cores): no
 * channelz bookkeeping, and no grpc-js retry layer (the client retries itself, with request IDs, and a
 * forwarded call is retried by the client that sent it). Servers keep channelz: grpc-js 1.14 tracks a
 * server's sessions only with it on, and without it `forceShutdown` leaves peers' connections open.
 */
export const clientChannelOptions: grpc.ChannelOptions = { 'grpc.enable_channelz': 0, 'grpc.enable_retries': 0 };

const types = new Map<string, protobuf.Type>();
function lookupType(typeName: string): protobuf.Type {
  let type = types.get(typeName);
  if (type === undefined) {
    type = apiRoot.lookupType(typeName);
    types.set(typeName, type);
  }
  return type;
}

export function encodeMessage(typeName: string, value: PlainMessage): Buffer {
  const type = lookupType(typeName);
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}

export function decodeMessage(typeName: string, bytes: Uint8Array): PlainMessage {
  const type = lookupType(typeName);
  return type.toObject(type.decode(bytes), toObjectOptions) as PlainMessage;
}

export interface MethodInfo {
  readonly name: string;
  readonly requestType: string;
  readonly responseType: string;
  readonly responseStream: boolean;
}

/** The methods of a service and a grpc-js definition that (de)serializes plain objects with protobufjs. */
export function serviceDefinition(serviceName: string): { methods: MethodInfo[]; definition: grpc.ServiceDefinition } {
  const service = apiRoot.lookupService(serviceName);
  const methods: MethodInfo[] = [];
  const definition: Record<string, grpc.MethodDefinition<PlainMessage, PlainMessage>> = {};
  for (const method of service.methodsArray) {
    const requestType = apiRoot.lookupType(method.requestType).fullName.slice(1);
    const responseType = apiRoot.lookupType(method.responseType).fullName.slice(1);
    const responseStream = method.responseStream === true;
    methods.push({ name: method.name, requestType, responseType, responseStream });
    definition[method.name] = {
      path: `/${service.fullName.slice(1)}/${method.name}`,
      requestStream: false,
      responseStream,
      requestSerialize: (value: PlainMessage) => encodeMessage(requestType, value),
      requestDeserialize: (bytes: Buffer) => decodeMessage(requestType, bytes),
      responseSerialize: (value: PlainMessage) => encodeMessage(responseType, value),
      responseDeserialize: (bytes: Buffer) => decodeMessage(responseType, bytes),
    };
  }
  return { methods, definition };
}

export const rootCoordService = serviceDefinition('rootcoord.RootCoord');
export const adminService = serviceDefinition('rootcoord.RootCoordAdmin');
export const healthService = serviceDefinition('grpc.health.v1.Health');
