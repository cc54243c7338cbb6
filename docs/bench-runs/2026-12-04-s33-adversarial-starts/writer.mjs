// node writer.mjs DIR OPSFILE [LANES] : DDL on w<lane>_<n> collections and their partitions until STOPFILE (OPSFILE.stop) exists.
import { readFileSync, appendFileSync, existsSync } from 'node:fs';
import { RootCoordClient } from '/work/wt/adv/dist/src/client/root-coord-client.js';
import { createCollectionRequest } from '/work/wt/adv/dist/scripts/bench-lib.js';
const [dir, opsFile, lanesS] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const endpoints = cfg.nodes.map((n) => n.client);
const lanes = Number(lanesS ?? 4);
const runTag = opsFile.replace(/.*\//, '').replace(/\..*/, '') + '_';
const pause = Number(process.env.PAUSE_MS ?? 30);
const rec = (o) => appendFileSync(opsFile, JSON.stringify({ t: Date.now(), ...o }) + '\n');
let acks = 0, errs = 0;
const tick = setInterval(() => console.log(new Date().toISOString(), `acks ${acks} errs ${errs}`), 10000);
const run = async (lane) => {
  const c = new RootCoordClient({ endpoints, attemptDeadlineMs: 10000, retryBudgetMs: 60000 });
  const colls = new Map(); // name -> {state, parts: Map(name->state), np}
  let n = 0;
  const present = () => [...colls.entries()].filter(([, v]) => v.state === 'present');
  const pick = (a) => a[Math.floor(Math.random() * a.length)];
  while (!existsSync(opsFile + '.stop')) {
    const r = Math.random();
    const live = present();
    let op, coll, part;
    if (live.length < 5 || r < 0.35) { op = 'createColl'; coll = `${runTag}w${lane}_${n++}`; }
    else if (r < 0.6) { op = 'dropColl'; coll = pick(live)[0]; }
    else { const [cn, cv] = pick(live); coll = cn; const lp = [...cv.parts.entries()].filter(([p, s]) => s === 'present' && p !== '_default');
      if (lp.length > 0 && r < 0.75) { op = 'dropPart'; part = pick(lp)[0]; } else { op = 'createPart'; part = `p${cv.np++}`; } }
    await new Promise((res) => setTimeout(res, pause));
    const t0 = Date.now();
    try {
      if (op === 'createColl') await c.call('CreateCollection', createCollectionRequest(coll));
      else if (op === 'dropColl') await c.dropCollection(coll);
      else if (op === 'createPart') await c.createPartition(coll, part);
      else await c.dropPartition(coll, part);
      acks++;
      rec({ lane, op, coll, part, ok: true, ms: Date.now() - t0 });
      if (op === 'createColl') colls.set(coll, { state: 'present', parts: new Map([['_default', 'present']]), np: 0 });
      else if (op === 'dropColl') colls.get(coll).state = 'absent';
      else colls.get(coll).parts.set(part, op === 'createPart' ? 'present' : 'absent');
    } catch (e) {
      errs++;
      rec({ lane, op, coll, part, ok: false, err: String(e.message).slice(0, 200), ms: Date.now() - t0 });
      if (op === 'createColl' || op === 'dropColl') colls.set(coll, { state: 'unknown', parts: new Map(), np: 0 });
      else colls.get(coll).parts.set(part, 'unknown');
    }
  }
  c.close();
};
await Promise.all(Array.from({ length: lanes }, (_, i) => run(i)));
clearInterval(tick);
console.log('writer stopped', { acks, errs });
process.exit(0);
