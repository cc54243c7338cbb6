// Same x-rootcoord-request-id reused for a different DDL: is the second one run, refused, or answered "success" without running?
import { P, raw, cluster } from './lib.mjs';
const leader = cluster.nodes[2].client;
const rid = 'adv-same-' + Date.now();
const call = async (m, req, md) => { const r = await raw(leader, `/rootcoord.RootCoord/${m}`, P.encodeMessage(`rootcoord.${m}Request`, req), { md }); return r.err ?? P.decodeMessage(m === 'ListDatabases' ? 'rootcoord.ListDatabasesResponse' : 'rootcoord.Status', r.bytes); };
console.log('create rid_x', JSON.stringify(await call('CreateDatabase', { db_name: 'rid_x' }, { 'x-rootcoord-request-id': rid })));
console.log('create rid_y same id', JSON.stringify(await call('CreateDatabase', { db_name: 'rid_y' }, { 'x-rootcoord-request-id': rid })));
console.log('drop rid_x same id', JSON.stringify(await call('DropDatabase', { db_name: 'rid_x' }, { 'x-rootcoord-request-id': rid })));
const l = await call('ListDatabases', {}, {});
console.log('dbs', JSON.stringify(l.db_names));
process.exit(0);
