// r1 on a real cluster: marks every 300 ms (--limit replicaCheckIntervalMs=300), a catalog with some
// thousands of request IDs (so memory takes several 5 ms slices to hash), and an operator's Digest{}
// called on every node in a loop (scripts/replicas.ts readDigests does this until sameIndex).
// Healthy replicas then report rootcoord_replica_checks_total{result="mismatch"} > 0.
import { readFileSync } from 'node:fs';
import { RootCoordClient } from '../dist/src/client/root-coord-client.js';
const dir = process.argv[2], fill = Number(process.argv[3] ?? 6000), seconds = Number(process.argv[4] ?? 60);
const cfg = JSON.parse(readFileSync(`${dir}/cluster.json`, 'utf8'));
const endpoints = cfg.nodes.map((n) => n.client);
const c = new RootCoordClient({ endpoints });
let made = 0;
await Promise.all(Array.from({ length: 16 }, async (_, w) => { for (let i = w; i < fill; i += 16) { await c.call('AllocID', { count: 1 }); await c.createDatabase(`d${i}`).catch(() => {}); await c.dropDatabase(`d${i}`).catch(() => {}); made += 2; } }));
console.log(`filled: ${made} DDL requests`);
const metrics = async () => Promise.all(cfg.nodes.map(async (n) => { const t = await (await fetch(`http://${n.metrics}/metrics`)).text(); return Object.fromEntries([...t.matchAll(/^rootcoord_replica_checks_total\{result="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])])); }));
console.log('before', JSON.stringify(await metrics()));
let done = false, digests = 0;
const spam = endpoints.map(async (ep) => { const one = new RootCoordClient({ endpoints: [ep], attemptDeadlineMs: 60000 }); while (!done) { await one.call('Digest', {}, 'admin').catch(() => {}); digests++; await new Promise((r) => setTimeout(r, Math.random() * 150)); } one.close(); });
const writes = (async () => { let i = 0; while (!done) { await c.createDatabase(`w${i % 20}`).catch(() => {}); await c.dropDatabase(`w${i++ % 20}`).catch(() => {}); } })();
await new Promise((r) => setTimeout(r, seconds * 1000));
done = true; await Promise.all([...spam, writes]);
console.log(`after ${seconds}s, ${digests} admin digests:`, JSON.stringify(await metrics()));
c.close(); process.exit(0);
