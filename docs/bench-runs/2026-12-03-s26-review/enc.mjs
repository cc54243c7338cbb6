const build = process.argv[2];
const { encodeMessage } = await import(`${build}/dist/src/protocol/proto.js`);
const msg = { status: { code: 0, reason: '' }, schema: { name: 'c1', description: '', fields: [{ fieldID: '100', name: 'id', data_type: 5, is_primary_key: true }, { fieldID: '101', name: 'v', data_type: 101, type_params: [{ key: 'dim', value: '8' }] }] }, collectionID: '450000000000000001', virtual_channel_names: ['by-dev-rootcoord-dml_0_450000000000000001v0', 'by-dev-rootcoord-dml_1_450000000000000001v1'], physical_channel_names: ['by-dev-rootcoord-dml_0', 'by-dev-rootcoord-dml_1'], created_timestamp: '460000000000000000', shards_num: 2, aliases: ['a1'], collection_name: 'c1', db_name: 'default' };
const cp = { base: { msg_type: 0 }, db_name: 'default', collection_name: 'c1', partition_name: 'p1' };
for (let r = 0; r < 5; r++) {
  let t = performance.now(); for (let i = 0; i < 50000; i++) encodeMessage('rootcoord.DescribeCollectionResponse', msg); const a = (performance.now() - t) * 1000 / 50000;
  t = performance.now(); for (let i = 0; i < 50000; i++) encodeMessage('rootcoord.CreatePartitionRequest', cp); const b = (performance.now() - t) * 1000 / 50000;
  if (r >= 2) console.log(`${build.split('/').pop()}: DescribeCollection answer ${a.toFixed(2)} µs, CreatePartition request ${b.toFixed(2)} µs`);
}
