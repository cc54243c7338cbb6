// node weird.mjs DIR create|compare : collections wd<i> with odd property values (quotes, backslashes, control chars, U+2028, emoji, lone surrogates, long values)
import { readFileSync } from 'node:fs';
import { RootCoordClient } from '/work/wt/adv/dist/src/client/root-coord-client.js';
import { createCollectionRequest } from '/work/wt/adv/dist/scripts/bench-lib.js';
const [dir, mode] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const vals = ['a"b', 'back\\slash', 'ctl\u0001\n\t', 'ls\u2028ps\u2029', '😀', 'lone\ud800x', '","', '\\"', '{"key":"x","value":"y"}', 'x'.repeat(9000), '', ' ', '\\u0041', '],[', 'é'];
if (mode === 'create') {
  const c = new RootCoordClient({ endpoints: cfg.nodes.map((n) => n.client), retryBudgetMs: 30000 });
  for (let i = 0; i < vals.length; i++) {
    const req = createCollectionRequest(`wd${i}`); req.properties = [{ key: `k${i}`, value: vals[i] }, { key: vals[i].slice(0, 50) || 'e', value: 'v' }];
    try { await c.call('CreateCollection', req); } catch (e) { console.log('create', i, e.message.slice(0, 120)); }
    try { await c.call('CreatePartition', { db_name: '', collection_name: `wd${i}`, partition_name: `p_${i}` }); } catch (e) { console.log('part', i, e.message.slice(0, 120)); }
  }
  console.log('created'); c.close();
} else {
  const out = {};
  for (const n of cfg.nodes) {
    const c = new RootCoordClient({ endpoints: [n.client], staleReads: true, retryBudgetMs: 10000 });
    const a = [];
    for (let i = 0; i < vals.length; i++) { try { const r = await c.call('DescribeCollection', { db_name: '', collection_name: `wd${i}`, time_stamp: '0' }); a.push(JSON.stringify([r.properties, r.schema?.description, r.collectionID, r.shards_num, r.physical_channel_names, r.virtual_channel_names])); } catch (e) { a.push('ERR ' + e.message.slice(0, 80)); }
      try { const r = await c.call('ShowPartitions', { db_name: '', collection_name: `wd${i}` }); a.push(JSON.stringify(r.partition_names)); } catch (e) { a.push('ERR ' + e.message.slice(0, 80)); } }
    out[n.id] = a; c.close();
  }
  const ids = Object.keys(out); let diff = 0;
  for (let j = 0; j < out[ids[0]].length; j++) for (const id of ids.slice(1)) if (out[id][j] !== out[ids[0]][j]) { diff++; console.log('DIFF', j, ids[0], out[ids[0]][j].slice(0, 200), '|', id, out[id][j].slice(0, 200)); }
  console.log('compared', out[ids[0]].length, 'answers on nodes', ids.join(','), 'diffs', diff, 'errors on first', out[ids[0]].filter((x) => x.startsWith('ERR')).length);
}
process.exit(0);
