import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
const N = Number(process.env.N ?? 62), SIZE = Number(process.env.SIZE ?? 700), ROUNDS = 3000;
if (isMainThread) {
  for (const mode of ['objects', 'packed', 'objects', 'packed']) {
    const w = new Worker(new URL(import.meta.url), { workerData: mode });
    await new Promise((r) => w.once('message', r));
    let sendNs = 0n; let got = 0;
    const done = new Promise((r) => w.on('message', (m) => { if (m === 'done') r(); }));
    const cpu0 = process.cpuUsage();
    for (let k = 0; k < ROUNDS; k++) {
      let msg, transfer = [];
      if (mode === 'objects') {
        const messages = []; for (let i = 0; i < N; i++) { const data = new Uint8Array(SIZE); data[0] = i; messages.push({ op: 'propose', call: k * N + i, data, leaderTerm: 3 }); }
        msg = { op: 'batch', messages };
      } else {
        const buf = new Uint8Array(N * SIZE); const calls = new Float64Array(N); const ends = new Uint32Array(N);
        for (let i = 0; i < N; i++) { const data = new Uint8Array(SIZE); data[0] = i; buf.set(data, i * SIZE); calls[i] = k * N + i; ends[i] = (i + 1) * SIZE; }
        msg = { op: 'proposals', bytes: buf, calls, ends, leaderTerm: 3 }; transfer = [buf.buffer, calls.buffer, ends.buffer];
      }
      const t = process.hrtime.bigint(); w.postMessage(msg, transfer); sendNs += process.hrtime.bigint() - t;
      if (k % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    w.postMessage('end'); await done;
    const cpu = process.cpuUsage(cpu0);
    const wc = await new Promise((r) => { w.once('message', r); w.postMessage('cpu'); });
    console.log(mode, 'send µs per batch', (Number(sendNs) / 1000 / ROUNDS).toFixed(1), 'main cpu µs/batch', ((cpu.user + cpu.system) / ROUNDS).toFixed(1), 'worker cpu µs/batch', (wc / ROUNDS).toFixed(1));
    await w.terminate();
  }
} else {
  const mode = workerData; let sum = 0; let c0;
  parentPort.on('message', (m) => {
    if (m === 'end') { parentPort.postMessage('done'); return; }
    if (m === 'cpu') { const c = process.cpuUsage(c0); parentPort.postMessage(c.user + c.system); return; }
    c0 ??= process.cpuUsage();
    if (m.op === 'batch') for (const x of m.messages) sum += x.data[0] + x.call;
    else { let s = 0; for (let i = 0; i < m.ends.length; i++) { const d = m.bytes.subarray(s, m.ends[i]); s = m.ends[i]; sum += d[0] + m.calls[i]; } }
  });
  parentPort.postMessage('ready');
}
