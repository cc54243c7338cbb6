/**
 * Behaviours of Milvus's two protocols that must answer as Milvus does (issue 10, part 3), checked
 * in-process: the official Node SDK against the Milvus port of an in-process cluster, and raw gRPC
 * against Milvus's RootCoord protocol on the client port. Each case cites the Milvus source it follows.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import * as http2 from 'node:http2';
import { createRequire } from 'node:module';
import { STREAMS_PER_CONNECTION_MAX } from '../../src/api/api-server.js';
import { BATCH_DESCRIBE_BYTES_MAX, BATCH_DESCRIBE_NAMES_MAX } from '../../src/api/milvus-server.js';
import { milvusRootCoordService, milvusService } from '../../src/api/proto.js';
import type { PlainMessage } from '../../src/api/proto.js';
import { InProcessCluster } from './fixtures/in-process-cluster.js';
import type { Member } from './fixtures/in-process-cluster.js';
import { until } from './until.js';

const require = createRequire(import.meta.url);
const sdk = require('@zilliz/milvus2-sdk-node') as typeof import('@zilliz/milvus2-sdk-node');
const { DataType, FunctionType } = sdk;
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
  let follower: number;
  let client: InstanceType<typeof sdk.MilvusClient>;

  before(async () => {
    cluster = await InProcessCluster.start(3);
    follower = [1, 2, 3].find((id) => !cluster.node(id).isServingLeader()) as number;
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

  // Bounds an adversarial test found missing: with none, a connection that opens streams and never
  // sends their bodies can hold hundreds of thousands of them until the heap runs out.
  it('both gRPC ports tell each connection at most STREAMS_PER_CONNECTION_MAX concurrent streams', async () => {
    for (const port of [cluster.address(1), address]) {
      const session = http2.connect(`http://${port}`);
      try {
        const settings = await new Promise<http2.Settings>((resolve, reject) => {
          session.once('remoteSettings', resolve);
          session.once('error', reject);
        });
        expect(settings.maxConcurrentStreams, port).to.equal(STREAMS_PER_CONNECTION_MAX);
      } finally {
        session.destroy();
      }
    }
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

  const articleFields: PlainMessage[] = [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true },
    { name: 'text', data_type: DataType.VarChar, max_length: 1000, enable_analyzer: true },
    { name: 'sparse', data_type: DataType.SparseFloatVector },
  ];
  const bm25 = { name: 'text_bm25', type: FunctionType.BM25, input_field_names: ['text'], output_field_names: ['sparse'], params: {} };

  // internal/proxy/util.go validateFunction; RootCoord create_collection_task.go assignFieldAndFunctionID
  // (function IDs from 100, fields' names resolved to IDs); the catalog keeps them under
  // root-coord/functions/{collectionID}/{functionID} (kv_catalog.go).
  it('a BM25 function is stored through Raft and returned by DescribeCollection on both protocols, from every node and after a restart', async () => {
    const created = await client.createCollection({ collection_name: 'articles', fields: articleFields as never, functions: [bm25] });
    expect(created.error_code, created.reason).to.equal('Success');
    const described = await client.describeCollection({ collection_name: 'articles' });
    expect(described.status.error_code, described.status.reason).to.equal('Success');
    // describeCollectionTask.Execute in Milvus's proxy: user fields only (no RowID, Timestamp, $meta).
    expect(described.schema.fields.map((f) => f.name)).to.deep.equal(['id', 'text', 'sparse']);
    const ids = new Map(described.schema.fields.map((f) => [f.name, String(f.fieldID)]));
    expect(described.schema.functions).to.have.length(1);
    const fn = described.schema.functions[0] as unknown as PlainMessage;
    expect(fn).to.deep.include({ name: 'text_bm25', id: '100', type: 'BM25', input_field_names: ['text'], output_field_names: ['sparse'] });
    expect((fn['input_field_ids'] as string[]).map(String)).to.deep.equal([ids.get('text')]);
    expect((fn['output_field_ids'] as string[]).map(String)).to.deep.equal([ids.get('sparse')]);
    expect(described.schema.fields.find((f) => f.name === 'sparse')?.is_function_output).to.equal(true);
    expect(described.schema.fields.find((f) => f.name === 'text')?.is_function_output).to.equal(false);
    // Milvus's RootCoord protocol, on every node, and on a node that restarted (the catalog reloaded).
    const collectionId = String(described.collectionID);
    await cluster.digests();
    const restarted = 3;
    await cluster.stopNode(restarted);
    await cluster.startNode(restarted);
    await cluster.waitForServingLeader();
    for (const id of [1, 2, 3]) {
      const rootCoord = raw(milvusRootCoordService.definition, cluster.address(id));
      try {
        const describe = (): Promise<PlainMessage> => rawCall(rootCoord, 'DescribeCollectionInternal', { base: { msg_type: 103 }, collectionID: collectionId });
        // The restarted node answers once it knows the leader again.
        await until(`node ${id} to serve reads`, async () => Number(statusOf(await describe()).code) === 0);
        const reply = await describe();
        const functions = (reply['schema'] as PlainMessage)['functions'] as PlainMessage[];
        expect(functions.map((f) => [f['name'], String(f['id']), f['type']]), `node ${id}`).to.deep.equal([['text_bm25', '100', 1]]);
      } finally {
        rootCoord.close();
      }
    }
    // Read at a past timestamp, from the versioned catalog (root-coord/functions/... at that ts).
    const past = String((described as unknown as { request_time: string }).request_time);
    const rootCoord = raw(milvusRootCoordService.definition, cluster.address(1));
    try {
      const then = await rawCall(rootCoord, 'DescribeCollection', { base: { msg_type: 103 }, db_name: 'default', collection_name: 'articles', time_stamp: past });
      expect(((then['schema'] as PlainMessage)['functions'] as PlainMessage[]).map((f) => f['name'])).to.deep.equal(['text_bm25']);
    } finally {
      rootCoord.close();
    }
    // An identical create succeeds (Milvus's idempotency compares the whole schema); without the function it is another schema.
    expect((await client.createCollection({ collection_name: 'articles', fields: articleFields as never, functions: [bm25] })).error_code).to.equal('Success');
    const different = (await client.createCollection({ collection_name: 'articles', fields: articleFields as never }).catch((status: unknown) => status)) as Reply;
    expect(Number(different.code)).to.equal(65535);
  });

  // internal/proxy/util.go checkFunctionBasicParams, checkFunctionInputField, checkFunctionOutputField.
  it('schema functions are validated as Milvus\'s proxy does, with its codes and messages', async () => {
    // The SDK throws a failed create's status.
    const refuse = async (fields: PlainMessage[], functions: PlainMessage[], code: number, reason: RegExp): Promise<void> => {
      const reply = (await client.createCollection({ collection_name: 'bad_fn', fields: fields as never, functions: functions as never }).catch((status: unknown) => status)) as Reply;
      expect(Number(reply.code), reply.reason).to.equal(code);
      expect(reply.reason).to.match(reason);
    };
    const noAnalyzer = articleFields.map((f) => (f.name === 'text' ? { ...f, enable_analyzer: false } : f));
    await refuse(noAnalyzer, [bm25], 65535, /^BM25 function input field must set enable_analyzer to true$/);
    const denseOut = [articleFields[0] as PlainMessage, articleFields[1] as PlainMessage, { name: 'sparse', data_type: DataType.FloatVector, dim: 8 }];
    await refuse(denseOut, [bm25], 65535, /^BM25 function output field must be a SparseFloatVector field, but got FloatVector$/);
    await refuse(articleFields, [{ ...bm25, input_field_names: ['nothing'] }], 65535, /^function input field not found: nothing$/);
    await refuse(articleFields, [{ ...bm25, input_field_names: ['id'] }], 65535, /^BM25 function input field must be a VARCHAR field, got 1 field with type Int64$/);
    await refuse(articleFields, [{ ...bm25, output_field_names: ['text'] }], 65535, /^a single field cannot be both input and output in the same function/);
    await refuse(articleFields, [bm25, { ...bm25 }], 65535, /^duplicate function name: text_bm25$/);
    await refuse(articleFields, [{ ...bm25, params: { k: '1' } }], 65535, /^BM25 function accepts no params$/);
    await refuse(articleFields, [{ ...bm25, type: FunctionType.TEXTEMBEDDING }], 1100, /TextEmbedding functions are not supported by rootcoord/);
    expect((await client.hasCollection({ collection_name: 'bad_fn' })).value).to.equal(false);
  });

  // RootCoord assignFieldAndFunctionID: a struct-array field, then its sub-fields, take the next IDs;
  // the catalog keeps it under root-coord/struct-array-fields/{collectionID}/{fieldID}.
  it('a struct-array field is stored with consecutive IDs after the fields and returned by DescribeCollection', async () => {
    const created = await client.createCollection({
      collection_name: 'clips',
      enable_dynamic_field: true,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'vec', data_type: DataType.FloatVector, dim: 8 },
        {
          name: 'frames',
          data_type: DataType.Array,
          element_type: DataType.Struct,
          max_capacity: 10,
          fields: [
            { name: 'emb', data_type: DataType.FloatVector, dim: 4 },
            { name: 'label', data_type: DataType.VarChar, max_length: 20 },
          ],
        } as never,
      ],
    });
    expect(created.error_code, created.reason).to.equal('Success');
    const rootCoord = raw(milvusRootCoordService.definition, cluster.address(1));
    try {
      const reply = await rawCall(rootCoord, 'DescribeCollection', { base: { msg_type: 103 }, db_name: 'default', collection_name: 'clips' });
      const schema = reply['schema'] as PlainMessage;
      // id 100, vec 101, $meta 102, then frames 103 with emb 104 and label 105.
      const structs = schema['struct_array_fields'] as PlainMessage[];
      expect(structs.map((s) => [s['name'], String(s['fieldID'])])).to.deep.equal([['frames', '103']]);
      const subFields = (structs[0] as PlainMessage)['fields'] as PlainMessage[];
      expect(subFields.map((f) => [f['name'], String(f['fieldID']), f['data_type'], f['element_type']])).to.deep.equal([
        ['emb', '104', 106, 101], // ArrayOfVector of FloatVector
        ['label', '105', 22, 21], // Array of VarChar
      ]);
    } finally {
      rootCoord.close();
    }
    const refused = (await client
      .createCollection({
      collection_name: 'bad_struct',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'vec', data_type: DataType.FloatVector, dim: 8 },
        { name: 'frames', data_type: DataType.Array, element_type: DataType.Struct, max_capacity: 10, fields: [{ name: 'emb', data_type: DataType.SparseFloatVector }] } as never,
      ],
      })
      .catch((status: unknown) => status)) as Reply;
    expect(Number(refused.code)).to.equal(1100);
    expect(refused.reason).to.equal('Unsupported element type SparseFloatVector of ArrayOfVector field emb, only fixed dimension vector types are supported: invalid parameter');
  });

  // internal/proxy/task.go alterCollectionFieldTask.PreExecute (allowed keys, max_length on strings,
  // max_capacity on arrays); RootCoord merges the properties into the field's type params (spec 1.3).
  it('AlterCollectionField changes a field\'s max_length, max_capacity and mmap.enabled, with the proxy\'s checks', async () => {
    const created = await client.createCollection({
      collection_name: 'notes',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'vec', data_type: DataType.FloatVector, dim: 8 },
        { name: 'body', data_type: DataType.VarChar, max_length: 100 },
        { name: 'tags', data_type: DataType.Array, element_type: DataType.Int32, max_capacity: 8 },
      ],
    });
    expect(created.error_code).to.equal('Success');
    const alter = async (field_name: string, properties: Record<string, string>): Promise<Reply> =>
      (await client.alterCollectionFieldProperties({ collection_name: 'notes', field_name, properties }).catch((status: unknown) => status)) as Reply;
    expect((await alter('body', { max_length: '200', mmap_enabled: 'true' })).code).to.equal(0);
    expect((await alter('tags', { max_capacity: '16' })).code).to.equal(0);
    const fields = (await client.describeCollection({ collection_name: 'notes' })).schema.fields;
    const params = (name: string): Record<string, string> => Object.fromEntries((fields.find((f) => f.name === name)?.type_params ?? []).map((kv) => [kv.key, String(kv.value)]));
    expect(params('body')).to.deep.equal({ max_length: '200', 'mmap.enabled': 'true' });
    expect(params('tags')).to.deep.equal({ max_capacity: '16' });
    const refused: Array<[string, Record<string, string>, number, string]> = [
      ['body', { dim: '4' }, 1100, 'dim does not allow update in collection field param: invalid parameter'],
      ['tags', { max_length: '10' }, 1100, ' can not modify the maxlength for non-string types: invalid parameter'],
      ['body', { max_length: '70000' }, 1100, '70000 exceeds the maximum allowed value 65535: invalid parameter'],
      ['body', { max_capacity: '4' }, 1100, ' can not modify the maxcapacity for non-array types: invalid parameter'],
      ['tags', { max_capacity: '5000' }, 1100, 'the maximum capacity specified for a Array should be in (0, 4096]: invalid parameter'],
      ['nothing', { 'mmap.enabled': 'false' }, 1100, 'field nothing does not exist in collection: invalid parameter'],
    ];
    for (const [field, properties, code, reason] of refused) {
      const reply = await alter(field, properties);
      expect([Number(reply.code), reply.reason], `${field} ${JSON.stringify(properties)}`).to.deep.equal([code, reason]);
    }
    const missing = await client.alterCollectionFieldProperties({ collection_name: 'nowhere', field_name: 'x', properties: { max_length: '1' } }).catch((status: unknown) => status);
    expect(Number((missing as Reply).code)).to.equal(100);
  });

  // internal/proxy/impl.go BatchDescribeCollection: 1101 without names; each name described on its own.
  it('BatchDescribeCollection describes each named collection, each answer with its own status', async () => {
    const described = (cluster.members.get(follower) as Member).calls.since('DescribeCollection');
    const both = await client.batchDescribeCollections({ collection_names: ['books', 'missing'] });
    expect(both.status.error_code).to.equal('Success');
    // Each RootCoord call a Milvus call made is in the serving node's metrics, once its answer was sent.
    expect(described()).to.deep.equal({ ok: 1, failed: 1 });
    expect(both.responses.map((r) => [r.collection_name, Number(r.status.code)])).to.deep.equal([
      ['books', 0],
      ['missing', 100],
    ]);
    expect(both.responses[0]?.schema.fields.map((f) => f.name)).to.deep.equal(['id', 'vec']);
    // The proxy's answer for a missing one: an empty schema, legacy UnexpectedError, its own reason.
    expect(both.responses[1]?.status).to.deep.include({ error_code: 'UnexpectedError', reason: "can't find collection[database=default][collection=missing]" });
    const none = await client.batchDescribeCollections({ collection_names: [] });
    expect([Number(none.status.code), none.status.reason]).to.deep.equal([1101, 'collection names cannot be empty: missing parameter']);
    // Bounded (Milvus is not): a name asked for again is answered again, from one description; more
    // than BATCH_DESCRIBE_NAMES_MAX names are refused.
    const again = await client.batchDescribeCollections({ collection_names: Array.from({ length: BATCH_DESCRIBE_NAMES_MAX }, (_, i) => (i % 2 === 0 ? 'books' : 'missing')) });
    expect(again.responses.map((r) => Number(r.status.code))).to.deep.equal(Array.from({ length: BATCH_DESCRIBE_NAMES_MAX }, (_, i) => (i % 2 === 0 ? 0 : 100)));
    // And at most BATCH_DESCRIBE_BYTES_MAX of answer, a repeated name counted each time (a 120 KB schema 1,000 times).
    const wide = await client.createCollection({
      collection_name: 'wide',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true, description: 'd'.repeat(60_000) },
        { name: 'vec', data_type: DataType.FloatVector, dim: 8, description: 'e'.repeat(60_000) },
      ],
    });
    expect(wide.error_code).to.equal('Success');
    const big = await client.batchDescribeCollections({ collection_names: Array.from({ length: BATCH_DESCRIBE_NAMES_MAX }, () => 'wide') });
    expect([Number(big.status.code), big.status.reason]).to.deep.equal([1100, `the answer to ${BATCH_DESCRIBE_NAMES_MAX} collection names would be more than ${BATCH_DESCRIBE_BYTES_MAX} bytes: ask for fewer in one call`]);
    const many = await client.batchDescribeCollections({ collection_names: Array.from({ length: BATCH_DESCRIBE_NAMES_MAX + 1 }, () => 'books') });
    expect([Number(many.status.code), many.status.reason]).to.deep.equal([1100, `${BATCH_DESCRIBE_NAMES_MAX + 1} collection names in one BatchDescribeCollection, more than the limit of ${BATCH_DESCRIBE_NAMES_MAX}: ask in several calls`]);
  });

  // describe_collection_task.go Execute: RequestTime is the task's TSO timestamp.
  it('DescribeCollection carries a request_time later than the collection\'s creation', async () => {
    const described = await client.describeCollection({ collection_name: 'books' });
    // The SDK's type omits the field; the message has it (milvus.proto request_time = 17).
    const requestTime = BigInt(String((described as unknown as { request_time: string }).request_time));
    expect(requestTime > BigInt(described.created_timestamp)).to.equal(true);
  });
});
