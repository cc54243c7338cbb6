/**
 * Behaviours of Milvus's two protocols that must answer as Milvus does (issue 10, part 3), checked
 * in-process: the official Node SDK against the Milvus port of an in-process cluster, and raw gRPC
 * against Milvus's RootCoord protocol on the client port. Each case cites the Milvus source it follows.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { milvusRootCoordService, milvusService } from '../../src/api/proto.js';
import type { PlainMessage } from '../../src/api/proto.js';
import { InProcessCluster } from './fixtures/in-process-cluster.js';

const require = createRequire(import.meta.url);
const sdk = require('@zilliz/milvus2-sdk-node') as typeof import('@zilliz/milvus2-sdk-node');
const { DataType } = sdk;
type Reply = { code?: number | string; reason?: string; error_code?: number | string };

type RawClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
function raw(definition: grpc.ServiceDefinition, address: string): RawClient {
  const Ctor = grpc.makeGenericClientConstructor(definition, 'Raw');
  return new Ctor(address, grpc.credentials.createInsecure()) as RawClient;
}
function rawCall(client: RawClient, method: string, request: PlainMessage): Promise<PlainMessage> {
  return new Promise((resolve, reject) => {
    (client[method] as (r: PlainMessage, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: PlainMessage) => void) => void).call(client, request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error, response) => (error === null ? resolve(response) : reject(error)));
  });
}
/** The status of a raw reply (a Status, or a response holding one in `status`). */
function statusOf(reply: PlainMessage): Reply {
  return ('status' in reply ? reply['status'] : reply) as Reply;
}

describe('Milvus behaviours (in-process, SDK and raw gRPC)', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;
  let address: string;
  let client: InstanceType<typeof sdk.MilvusClient>;

  before(async () => {
    cluster = await InProcessCluster.start(3);
    const follower = [1, 2, 3].find((id) => !cluster.node(id).isServingLeader()) as number;
    address = await cluster.serveMilvus(follower);
    client = new sdk.MilvusClient({ address, logLevel: 'error' });
    const created = await client.createCollection({
      collection_name: 'books',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'vec', data_type: DataType.FloatVector, dim: 8 },
      ],
    });
    expect(created.error_code).to.equal('Success');
  });
  after(async () => {
    await client.closeConnection();
    await cluster.close();
  });

  // internal/rootcoord/util.go CheckMsgType, called by the tasks' Prepare (create_partition_task.go,
  // drop_collection_task.go, describe_collection_task.go, ...): a plain error, 65535. Milvus's proxy
  // sets msg_type itself (each task's OnEnqueue), so the Milvus port takes any.
  it('RootCoord protocol: a DDL or read whose base.msg_type is not its own is refused (65535); the Milvus port sets it as a proxy does', async () => {
    const rootCoord = raw(milvusRootCoordService.definition, cluster.address(1));
    const milvus = raw(milvusService.definition, address);
    try {
      const wrong = statusOf(await rawCall(rootCoord, 'CreatePartition', { base: { msg_type: 201 }, db_name: 'default', collection_name: 'books', partition_name: 'p1' }));
      expect(Number(wrong.code)).to.equal(65535);
      expect(wrong.reason).to.equal('invalid msg type, expect CreatePartition, but got DropPartition');
      const none = statusOf(await rawCall(rootCoord, 'DescribeCollection', { db_name: 'default', collection_name: 'books' }));
      expect(none.reason).to.equal('invalid msg type, expect DescribeCollection, but got Undefined');
      const internal = statusOf(await rawCall(rootCoord, 'ShowPartitionsInternal', { base: { msg_type: 104 }, db_name: 'default', collection_name: 'books' }));
      expect(internal.reason).to.equal('invalid msg type, expect ShowPartitions, but got ShowCollections');
      expect(Number(statusOf(await rawCall(rootCoord, 'CreatePartition', { base: { msg_type: 200 }, db_name: 'default', collection_name: 'books', partition_name: 'p1' })).code)).to.equal(0);
      // The Milvus port: any msg_type (here DropCollection's) is the call's own.
      expect(Number(statusOf(await rawCall(milvus, 'CreatePartition', { base: { msg_type: 101 }, collection_name: 'books', partition_name: 'p2' })).code)).to.equal(0);
      const shown = await client.listPartitions({ collection_name: 'books' });
      expect(shown.partition_names).to.deep.equal(['_default', 'p1', 'p2']);
    } finally {
      rootCoord.close();
      milvus.close();
    }
  });

  // describe_collection_task.go Execute: RequestTime is the task's TSO timestamp.
  it('DescribeCollection carries a request_time later than the collection\'s creation', async () => {
    const described = await client.describeCollection({ collection_name: 'books' });
    // The SDK's type omits the field; the message has it (milvus.proto request_time = 17).
    const requestTime = BigInt(String((described as unknown as { request_time: string }).request_time));
    expect(requestTime > BigInt(described.created_timestamp)).to.equal(true);
  });
});
