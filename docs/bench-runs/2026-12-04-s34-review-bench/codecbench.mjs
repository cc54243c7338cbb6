// codecbench.mjs ROOT: decodeFrame of a leader's append (1 entry of 300 bytes) and of a heartbeat answer, 300,000 each, median of 5 runs (ns per frame)
const root = process.argv[2];
const { encodeFrame, decodeFrame } = await import(`${root}/dist/raft/message-codec.js`);
const { message, MessageType } = await import(`${root}/dist/raft/types.js`);
const app = encodeFrame(1, [message({ type: MessageType.App, from: 1, to: 2, term: 5, index: 1000, logTerm: 5, commit: 999, entries: [{ index: 1001, term: 5, type: 0, data: new Uint8Array(300) }] })], null);
const resp = encodeFrame(2, [message({ type: MessageType.AppResp, from: 2, to: 1, term: 5, index: 1001 })], null);
const out = {};
for (const [name, bytes] of [['append', app], ['answer', resp]]) {
  const runs = [];
  for (let r = 0; r < 5; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < 300_000; i++) decodeFrame(bytes); runs.push(Number(process.hrtime.bigint() - t) / 300_000); }
  runs.sort((a, b) => a - b); out[name] = Math.round(runs[2]);
}
console.log(JSON.stringify({ root, nsPerFrame: out }));
