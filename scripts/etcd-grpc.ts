/**
 * etcd's gRPC KV Put through grpc-js, for the benchmark's etcd anchor: the same gRPC stack as
 * rootcoord's client, so the comparison is transport for transport. The messages are written here
 * from etcd's rpc.proto (etcd 3.4), field numbers as there; only what a Put needs (a response's
 * other fields, prev_kv, are skipped when decoded).
 */
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { clientChannelOptions } from '../src/protocol/proto.js';

const ETCD_KV_PROTO = `
syntax = "proto3";
package etcdserverpb;

message ResponseHeader {
  uint64 cluster_id = 1;
  uint64 member_id = 2;
  int64 revision = 3;
  uint64 raft_term = 4;
}

message PutRequest {
  bytes key = 1;
  bytes value = 2;
  int64 lease = 3;
  bool prev_kv = 4;
  bool ignore_value = 5;
  bool ignore_lease = 6;
}

message PutResponse {
  ResponseHeader header = 1;
}

service KV {
  rpc Put(PutRequest) returns (PutResponse) {}
}
`;

const root = protobuf.parse(ETCD_KV_PROTO, { keepCase: true }).root;
type Plain = Record<string, unknown>;

function method(name: string): grpc.MethodDefinition<Plain, Plain> {
  const reqType = root.lookupType(`etcdserverpb.${name}Request`);
  const resType = root.lookupType(`etcdserverpb.${name}Response`);
  return {
    path: `/etcdserverpb.KV/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: Plain) => Buffer.from(reqType.encode(reqType.fromObject(v)).finish()),
    requestDeserialize: (b: Buffer) => reqType.toObject(reqType.decode(b), { longs: String }) as Plain,
    responseSerialize: (v: Plain) => Buffer.from(resType.encode(resType.fromObject(v)).finish()),
    responseDeserialize: (b: Buffer) => resType.toObject(resType.decode(b), { longs: String }) as Plain,
  };
}

const KvStub = grpc.makeGenericClientConstructor({ Put: method('Put') }, 'KV');
type Unary = (req: Plain, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Plain) => void) => void;

/** A grpc-js client of etcd's KV service on one endpoint (host:port), with rootcoord's client channel options. */
export class EtcdGrpcClient {
  private readonly stub: grpc.Client & Record<string, Unary>;

  constructor(endpoint: string) {
    this.stub = new KvStub(endpoint, grpc.credentials.createInsecure(), clientChannelOptions) as unknown as grpc.Client & Record<string, Unary>;
  }

  put(key: string, value: string, deadlineMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      (this.stub['Put'] as Unary).call(this.stub, { key: Buffer.from(key), value: Buffer.from(value) }, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (e) => (e === null ? resolve() : reject(e)));
    });
  }

  close(): void {
    this.stub.close();
  }
}
