import { stringify, sameJsonText } from '/work/main/dist/src/common/bigint-json.js';
const field = (i) => ({ fieldID: 100n + BigInt(i), name: 'vector_field_' + i, is_primary_key: i === 0, description: 'the field number ' + i, data_type: 101, type_params: [{ key: 'dim', value: '128' }], index_params: [], autoID: false, element_type: 0, default_value: null, is_dynamic: false, is_partition_key: false, is_clustering_key: false, nullable: false, is_function_output: false });
const a = Object.freeze(field(1));
const fns = { stringify: () => stringify(field(1)), same: () => sameJsonText(a, field(1)), make: () => field(1) };
for (const [n, f] of Object.entries(fns)) {
  const N = 300000; for (let i = 0; i < 30000; i++) f();
  const t = []; for (let r = 0; r < 5; r++) { const s = process.hrtime.bigint(); for (let i = 0; i < N; i++) f(); t.push(Number(process.hrtime.bigint() - s) / N / 1000); }
  t.sort((x, y) => x - y); console.log(n, t[2].toFixed(3), 'us');
}
