// node proxyadd.mjs DIR PROXY_PEER : start the next node (as `cluster add` would) and add it with AddMember naming
// PROXY_PEER (a proxy in front of its real peer port) as its raft address. Records it in cluster.json. Prints timings.
import { readFileSync, writeFileSync, openSync } from 'node:fs'; import { spawn } from 'node:child_process';
const R = '/tmp/s36-adv';
const { RootCoordClient } = await import(`${R}/dist/src/client/root-coord-client.js`);
const { nodeCommandLine, nodeEnvironment } = await import(`${R}/dist/scripts/processes.js`);
const [dir, proxy] = process.argv.slice(2);
const cf = `${dir}/cluster.json`; const c = JSON.parse(readFileSync(cf, 'utf8'));
const id = Math.max(c.lastNodeId ?? 0, ...c.nodes.map((n) => n.id)) + 1; const B = c.basePort; const at = (o) => `127.0.0.1:${B + o + id}`;
const node = { id, pid: 0, client: at(0), peer: at(100), metrics: at(200), milvus: at(300), dataDir: `${dir}/node-${id}`, logFile: `${dir}/node-${id}.log`, joined: true };
const others = c.nodes.slice(); c.nodes.push(node); c.lastNodeId = id;
const peers = c.nodes.map((n) => `${n.id}=${n.peer}`).join(','), clients = c.nodes.map((n) => `${n.id}=${n.client}`).join(',');
const args = [`${R}/dist/src/main.js`, '--id', String(id), '--data-dir', node.dataDir, '--peers', peers, '--clients', clients, '--metrics-address', node.metrics, '--milvus-address', node.milvus, '--secret-file', c.secretFile, '--gc-confirm-delay-ms', String(c.gcConfirmDelayMs), ...(c.limits ?? []).flatMap((l) => ['--limit', l]), '--join'];
const out = openSync(node.logFile, 'a', 0o600);
const child = spawn(process.execPath, nodeCommandLine(args), { detached: true, stdio: ['ignore', out, out], env: nodeEnvironment() }); child.unref();
node.pid = child.pid; writeFileSync(cf, JSON.stringify(c, null, 2));
console.log(new Date().toISOString(), `node ${id} pid ${child.pid} listening ${node.peer}; AddMember with peer ${proxy}`);
const cl = new RootCoordClient({ endpoints: others.map((n) => n.client), retryBudgetMs: 30000, attemptDeadlineMs: 15 * 60000 });
const t0 = Date.now();
try { const r = await cl.addMember(id, proxy, node.client); console.log(new Date().toISOString(), `AddMember answered after ${Date.now() - t0} ms`, JSON.stringify(r)); }
catch (e) { console.log(new Date().toISOString(), `AddMember FAILED after ${Date.now() - t0} ms: ${e.message}`); process.exitCode = 1; }
cl.close();
for (let i = 0; i < 3000; i++) { const ok = await fetch(`http://${node.metrics}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false); if (ok) { console.log(new Date().toISOString(), `node ${id} ready after ${Date.now() - t0} ms`); break; } await new Promise((r) => setTimeout(r, 200)); }
