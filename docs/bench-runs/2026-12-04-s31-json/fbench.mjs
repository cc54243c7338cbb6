import { stringify } from '/work/main/dist/src/common/bigint-json.js';
const impls = { current: stringify };
for (const f of process.argv.slice(2)) impls[f] = (await import(f)).stringify;
const field = (i) => ({ fieldID: 100n + BigInt(i), name: 'vector_field_' + i, is_primary_key: i === 0, description: 'the field number ' + i, data_type: 101, type_params: [{ key: 'dim', value: '128' }], index_params: [], autoID: false, element_type: 0, default_value: null, is_dynamic: false, is_partition_key: false, is_clustering_key: false, nullable: false, is_function_output: false });
const f1 = field(1);
const enc = new TextEncoder();
for (const [name, f] of Object.entries(impls)) {
  if (f(f1) !== stringify(f1)) throw new Error('differs');
  const N = 300000; for (let i = 0; i < 30000; i++) enc.encode(f(f1));
  const times = [];
  for (let r = 0; r < 5; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) enc.encode(f(f1)); times.push(Number(process.hrtime.bigint() - t) / N / 1000); }
  times.sort((a, b) => a - b); console.log(name, 'field+encode us', times[2].toFixed(2));
}
