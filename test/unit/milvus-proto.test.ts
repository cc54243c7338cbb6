/**
 * The Milvus port's messages against Milvus's own definitions as the official Node SDK ships them
 * (@zilliz/milvus2-sdk-node's proto-json, its protobufjs): a CreateCollection request encoded the way
 * the SDK encodes it decodes field by field on rootcoord's side (proto/milvus/ and the handler's schema
 * decoding), and rootcoord's responses decode on the SDK's side, 64-bit values exact.
 */
import { expect } from 'chai';
import { createRequire } from 'node:module';
import type { Root, Type } from 'protobufjs';
import { describeResponse, schemaInput } from '../../src/api/convert.js';
import { milvusCodec, milvusService } from '../../src/api/proto.js';
import type { PlainMessage } from '../../src/api/proto.js';
import { MILVUS_SERVED_CALLS } from '../../src/api/milvus-server.js';
import type { CollectionModel } from '../../src/meta/model.js';

const require = createRequire(import.meta.url);
const sdk = require('@zilliz/milvus2-sdk-node') as typeof import('@zilliz/milvus2-sdk-node');
const sdkRequire = createRequire(require.resolve('@zilliz/milvus2-sdk-node'));
const sdkProtobuf = sdkRequire('protobufjs') as { Root: { fromJSON(json: unknown): Root } };
const sdkSchemaRoot = sdkProtobuf.Root.fromJSON((sdkRequire('./proto-json/schema.base.js') as { default: unknown }).default);
const sdkMilvusRoot = sdkProtobuf.Root.fromJSON((sdkRequire('./proto-json/milvus.base.js') as { default: unknown }).default);
const sdkType = (root: Root, name: string): Type => root.lookupType(name);
/** The SDK's roots are loaded without keepCase: its field names are protobufjs's camelCase of Milvus's. */
const camel = (name: string): string => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

const schemaTypes = {
  collectionSchemaType: sdkType(sdkSchemaRoot, 'milvus.proto.schema.CollectionSchema'),
  fieldSchemaType: sdkType(sdkSchemaRoot, 'milvus.proto.schema.FieldSchema'),
  functionSchemaType: sdkType(sdkSchemaRoot, 'milvus.proto.schema.FunctionSchema'),
  structArrayFieldSchemaType: sdkType(sdkSchemaRoot, 'milvus.proto.schema.StructArrayFieldSchema'),
};

/** What the SDK's createCollection sends: the schema as bytes of its CollectionSchema, then its CreateCollectionRequest. */
function sdkCreateCollection(data: Record<string, unknown>): Uint8Array {
  const payload = sdk.formatCollectionSchema(data as never, schemaTypes as never);
  const schemaBytes = schemaTypes.collectionSchemaType.encode(schemaTypes.collectionSchemaType.create(payload as never)).finish();
  const request = sdkType(sdkMilvusRoot, 'milvus.proto.milvus.CreateCollectionRequest');
  return request.encode(request.fromObject({ dbName: 'shop', collectionName: data['collection_name'], schema: schemaBytes, shardsNum: 2, consistencyLevel: 2, numPartitions: '16', properties: [{ key: 'collection.ttl.seconds', value: '60' }] })).finish();
}

const fields = [
  { name: 'id', description: 'the key', data_type: sdk.DataType.Int64, is_primary_key: true, autoID: false },
  { name: 'title', data_type: sdk.DataType.VarChar, max_length: 200, nullable: true, default_value: 'untitled' },
  { name: 'tags', data_type: sdk.DataType.Array, element_type: sdk.DataType.VarChar, max_capacity: 8, max_length: 32 },
  { name: 'year', data_type: sdk.DataType.Int32, is_partition_key: true },
  { name: 'rank', data_type: sdk.DataType.Int64, is_clustering_key: true, default_value: '9007199254740993' },
  { name: 'meta', data_type: sdk.DataType.JSON },
  { name: 'vec', data_type: sdk.DataType.FloatVector, dim: 8 },
];

describe('Milvus port: messages as the SDK encodes and decodes them', () => {
  it('decodes every field of a CreateCollection request encoded as the SDK does', () => {
    const bytes = sdkCreateCollection({ collection_name: 'books', description: 'all the books', fields, enable_dynamic_field: true });
    const req = milvusCodec.decode('milvus.proto.milvus.CreateCollectionRequest', bytes);
    expect(req['db_name']).to.equal('shop');
    expect(req['collection_name']).to.equal('books');
    expect(req['shards_num']).to.equal(2);
    expect(req['consistency_level']).to.equal(2);
    expect(req['num_partitions']).to.equal('16');
    expect(req['properties']).to.deep.equal([{ key: 'collection.ttl.seconds', value: '60' }]);

    // The handler's own decoding (rootcoord.CollectionSchema, convert.schemaInput) of the same bytes.
    const schema = schemaInput(req['schema']);
    expect(schema.name).to.equal('books');
    expect(schema.description).to.equal('all the books');
    expect(schema.enable_dynamic_field).to.equal(true);
    const byName = new Map(schema.fields.map((f) => [f.name, f]));
    expect([...byName.keys()]).to.deep.equal(fields.map((f) => f.name));
    expect(byName.get('id')).to.include({ is_primary_key: true, data_type: 5, description: 'the key', autoID: false });
    const title = byName.get('title');
    expect(title).to.include({ data_type: 21, nullable: true });
    expect(title?.type_params).to.deep.include({ key: 'max_length', value: '200' });
    expect(title?.default_value).to.deep.equal({ string_data: 'untitled' });
    const tags = byName.get('tags');
    expect(tags).to.include({ data_type: 22, element_type: 21 });
    expect(tags?.type_params).to.deep.include.members([
      { key: 'max_capacity', value: '8' },
      { key: 'max_length', value: '32' },
    ]);
    expect(byName.get('year')).to.include({ data_type: 4, is_partition_key: true });
    const rank = byName.get('rank');
    expect(rank).to.include({ is_clustering_key: true });
    expect(rank?.default_value).to.deep.equal({ long_data: 9007199254740993n });
    expect(byName.get('meta')).to.include({ data_type: 23 });
    expect(byName.get('vec')?.type_params).to.deep.include({ key: 'dim', value: '8' });

    // And Milvus's full CollectionSchema as the Milvus port declares it: nothing more was sent.
    const full = milvusCodec.decode('milvus.proto.schema.CollectionSchema', req['schema'] as Uint8Array);
    expect(full['functions']).to.deep.equal([]);
    expect(full['struct_array_fields']).to.deep.equal([]);
  });

  it('decodes schema functions, which the Milvus port then refuses rather than drop', () => {
    const withBm25 = [...fields, { name: 'text', data_type: sdk.DataType.VarChar, max_length: 1000, enable_analyzer: true }, { name: 'sparse', data_type: sdk.DataType.SparseFloatVector }];
    const bytes = sdkCreateCollection({ collection_name: 'docs', fields: withBm25, functions: [{ name: 'bm25', type: sdk.FunctionType.BM25, input_field_names: ['text'], output_field_names: ['sparse'], params: {} }] });
    const req = milvusCodec.decode('milvus.proto.milvus.CreateCollectionRequest', bytes);
    const full = milvusCodec.decode('milvus.proto.schema.CollectionSchema', req['schema'] as Uint8Array);
    expect(full['functions']).to.have.length(1);
    expect((full['functions'] as PlainMessage[])[0]).to.deep.include({ name: 'bm25', type: 1, input_field_names: ['text'], output_field_names: ['sparse'] });
  });

  it('encodes DescribeCollection as the SDK decodes it, 64-bit IDs and timestamps exact', () => {
    const collectionID = 470823823649275907n;
    const ts = 470823825692426241n;
    const model = {
      collectionID,
      dbID: 470823823649275905n,
      name: 'books',
      description: 'all the books',
      autoID: false,
      enableDynamicField: true,
      fields: [{ fieldID: 100n, name: 'id', is_primary_key: true, description: '', data_type: 5, type_params: [], index_params: [], autoID: false, element_type: 0, default_value: { long_data: 9007199254740993n }, is_dynamic: false, is_partition_key: false, is_clustering_key: false, nullable: false, is_function_output: false }],
      properties: [{ key: 'collection.ttl.seconds', value: '60' }],
      virtualChannelNames: ['by-dev-rootcoord-dml_0_470823823649275907v0'],
      physicalChannelNames: ['by-dev-rootcoord-dml_0'],
      shardsNum: 1,
      consistencyLevel: 2,
      createTs: ts,
      updateTs: ts + 1n,
      partitions: [{ partitionName: '_default' }],
    } as unknown as CollectionModel;
    const body = { ...describeResponse(model, 'shop', ['novels']), status: { code: 0, error_code: 0, reason: '', retriable: false, detail: '' } };
    const bytes = milvusCodec.encode('milvus.proto.milvus.DescribeCollectionResponse', body);
    const type = sdkType(sdkMilvusRoot, 'milvus.proto.milvus.DescribeCollectionResponse');
    const decoded = type.toObject(type.decode(bytes), { longs: String, enums: String, defaults: true, oneofs: true }) as Record<string, unknown>;
    const seen = (o: Record<string, unknown>, name: string): unknown => o[camel(name)];
    expect(seen(decoded, 'collectionID')).to.equal(collectionID.toString());
    expect(seen(decoded, 'db_id')).to.equal('470823823649275905');
    expect(seen(decoded, 'created_timestamp')).to.equal(ts.toString());
    expect(seen(decoded, 'update_timestamp')).to.equal((ts + 1n).toString());
    expect(seen(decoded, 'update_timestamp_str')).to.equal((ts + 1n).toString());
    expect(seen(decoded, 'aliases')).to.deep.equal(['novels']);
    expect(seen(decoded, 'consistency_level')).to.equal('Bounded');
    expect(seen(decoded, 'db_name')).to.equal('shop');
    expect(seen(seen(decoded, 'status') as Record<string, unknown>, 'error_code')).to.equal('Success');
    const schema = seen(decoded, 'schema') as Record<string, unknown>;
    expect(schema['name']).to.equal('books');
    expect(seen(schema, 'enable_dynamic_field')).to.equal(true);
    const field = (schema['fields'] as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(field['fieldID']).to.equal('100');
    expect(seen(seen(field, 'default_value') as Record<string, unknown>, 'long_data')).to.equal('9007199254740993');
  });

  it('declares every MilvusService call of the SDK, with the same request and response types', () => {
    const theirs = sdkMilvusRoot.lookupService('milvus.proto.milvus.MilvusService');
    const ours = new Map(milvusService.methods.map((m) => [m.name, m]));
    for (const method of theirs.methodsArray) {
      const mine = ours.get(method.name);
      expect(mine, `MilvusService.${method.name}`).to.not.equal(undefined);
      method.resolve();
      expect(mine?.requestType, method.name).to.equal(method.resolvedRequestType?.fullName.slice(1));
      expect(mine?.responseType, method.name).to.equal(method.resolvedResponseType?.fullName.slice(1));
    }
    for (const name of MILVUS_SERVED_CALLS) expect(ours.has(name), name).to.equal(true);
  });

  it('has Milvus field numbers for every field of the served messages', () => {
    // Each message the Milvus port serves in full, field by field against the SDK's copy of milvus-proto
    // (a field newer than that copy, such as CreateCredentialRequest.description, is not in it).
    let compared = 0;
    for (const name of MILVUS_SERVED_CALLS) {
      const method = milvusService.methods.find((m) => m.name === name);
      for (const typeName of [method?.requestType, method?.responseType]) {
        if (typeName === undefined) continue;
        const mine = milvusCodec.lookupType(typeName);
        const theirs = sdkMilvusRoot.lookupType(typeName);
        for (const field of mine.fieldsArray) {
          const other = Object.values(theirs.fields).find((f) => f.id === field.id);
          if (other === undefined) continue;
          expect(other.name, `${typeName} field ${field.id}`).to.equal(camel(field.name));
          compared++;
        }
      }
    }
    expect(compared).to.be.above(150);
  });
});
