// node showtime.mjs DIR WINDOW ROUNDS: rawCall-like timing of ShowCollections bytes, and the plain call, with the client's flow-control window WINDOW (0: default)
import { readFileSync } from 'node:fs';
import grpc from '@grpc/grpc-js';
import { clientChannelOptions, rootCoordService } from '/work/main/dist/src/protocol/proto.js';
import { RootCoordClient } from '/work/main/dist/src/client/root-coord-client.js';
const [dir, winS, roundsS = '5'] = process.argv.slice(2); const win = Number(winS);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const leader = (await Promise.all(cfg.nodes.map(async (n) => /^rootcoord_raft_is_leader 1/m.test(await (await fetch(`http://${n.metrics}/metrics`)).text()) ? n.client : null))).find((x) => x);
const opts = { ...clientChannelOptions, ...(win > 0 ? { 'grpc-node.flow_control_window': win } : {}) };
const def = rootCoordService.definition['ShowCollections'];
const Raw = grpc.makeGenericClientConstructor({ ShowCollections: { ...def, responseDeserialize: (b) => b } }, 'RootCoord');
const raw = new Raw(leader, grpc.credentials.createInsecure(), opts);
const once = () => new Promise((res, rej) => raw.ShowCollections({ db_name: '', time_stamp: '0' }, new grpc.Metadata(), { deadline: Date.now() + 60000 }, (e, b) => (e ? rej(e) : res(b))));
const plain = new RootCoordClient({ endpoints: [leader], channelOptions: win > 0 ? { 'grpc-node.flow_control_window': win } : {} });
await once(); await plain.showCollections();
const r = [], p = [];
for (let i = 0; i < Number(roundsS); i++) {
  let t = performance.now(); const b = await once(); r.push(performance.now() - t);
  t = performance.now(); await plain.showCollections(); p.push(performance.now() - t);
  if (i === 0) console.log('bytes', b.length);
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)].toFixed(1);
console.log(`window ${win}: raw median ${med(r)} [${r.map((x) => x.toFixed(0))}] plain median ${med(p)} [${p.map((x) => x.toFixed(0))}]`);
raw.close(); plain.close?.(); process.exit(0);
