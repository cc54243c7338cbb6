/**
 * etcd's gRPC KV API (Put, Range) through grpc-js, for the benchmark's etcd anchor: the same gRPC
 * stack as rootcoord's client, so the comparison is transport for transport. The messages are
 * written here from etcd's rpc.proto and kv.proto (etcd 3.4), field numbers as there.
 */
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { clientChannelOptions } from '../src/api/proto.js';

const ETCD_KV_PROTO = `
syntax = "proto3";
package etcdserverpb;

message ResponseHeader {
  uint64 cluster_id = 1;
  uint64 member_id = 2;
  int64 revision = 3;
  uint64 raft_term = 4;
}

message KeyValue {
  bytes key = 1;
  int64 create_revision = 2;
  int64 mod_revision = 3;
  int64 version = 4;
  bytes value = 5;
  int64 lease = 6;
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
  KeyValue prev_kv = 2;
}

message RangeRequest {
  bytes key = 1;
  bytes range_end = 2;
  int64 limit = 3;
  int64 revision = 4;
  int32 sort_order = 5;
  int32 sort_target = 6;
  bool serializable = 7;
  bool keys_only = 8;
  bool count_only = 9;
}

message RangeResponse {
  ResponseHeader header = 1;
  repeated KeyValue kvs = 2;
  bool more = 3;
  int64 count = 4;
}

service KV {
  rpc Range(RangeRequest) returns (RangeResponse) {}
  rpc Put(PutRequest) returns (PutResponse) {}
}
`;

const root = protobuf.parse(ETCD_KV_PROTO, { keepCase: true }).root;
type Plain = Record<string, unknown>;

function method(name: string, req: string, res: string): grpc.MethodDefinition<Plain, Plain> {
  const reqType = root.lookupType(`etcdserverpb.${req}`);
  const resType = root.lookupType(`etcdserverpb.${res}`);
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

const KvStub = grpc.makeGenericClientConstructor({ Put: method('Put', 'PutRequest', 'PutResponse'), Range: method('Range', 'RangeRequest', 'RangeResponse') }, 'KV');
type Unary = (req: Plain, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Plain) => void) => void;

/** A grpc-js client of etcd's KV service on one endpoint (host:port), with rootcoord's client channel options. */
export class EtcdGrpcClient {
  private readonly stub: grpc.Client & Record<string, Unary>;

  constructor(endpoint: string) {
    this.stub = new KvStub(endpoint, grpc.credentials.createInsecure(), clientChannelOptions) as unknown as grpc.Client & Record<string, Unary>;
  }

  private unary(name: 'Put' | 'Range', req: Plain, deadlineMs = 10_000): Promise<Plain> {
    return new Promise((resolve, reject) => {
      (this.stub[name] as Unary).call(this.stub, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (e, r) => (e === null ? resolve(r) : reject(e)));
    });
  }

  async put(key: string, value: string): Promise<void> {
    await this.unary('Put', { key: Buffer.from(key), value: Buffer.from(value) });
  }

  async get(key: string): Promise<string | null> {
    const r = await this.unary('Range', { key: Buffer.from(key) });
    const kvs = (r['kvs'] ?? []) as Array<{ value: Uint8Array }>;
    return kvs[0] === undefined ? null : Buffer.from(kvs[0].value).toString();
  }

  close(): void {
    this.stub.close();
  }
}
