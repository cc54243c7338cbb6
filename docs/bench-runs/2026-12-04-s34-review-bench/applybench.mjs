// applybench.mjs ROOT: MetaTable.apply of one small command (a TSO window) per call, 20,000 sequential calls on an in-memory catalog, median of 5 runs (µs per apply)
const root = process.argv[2];
const { metaOver } = await import(`${root}/dist/test/unit/fixtures/memory-catalog.js`);
const meta = await metaOver();
let i = 0;
const runs = [];
for (let r = 0; r < 6; r++) {
  const t = process.hrtime.bigint();
  for (let k = 0; k < 20_000; k++) { i++; await meta.apply([{ kind: 'tsoWindow', windowMs: BigInt(i) }], i); }
  runs.push(Number(process.hrtime.bigint() - t) / 20_000 / 1000);
}
runs.shift(); runs.sort((a, b) => a - b);
console.log(JSON.stringify({ root, usPerApply: Math.round(runs[2] * 100) / 100 }));
process.exit(0);
