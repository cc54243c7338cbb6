// node --expose-gc --trace-gc-nvp intern.mjs N MODE : keep N short strings (MODE json: from JSON.parse values; plain: built by concat, flattened)
const [N, mode] = [Number(process.argv[2]), process.argv[3]];
const keep = [];
for (let i = 0; i < N; i += 1000) {
  if (mode === 'json') keep.push(JSON.parse('[' + Array.from({ length: 1000 }, (_, j) => `"c${i + j}"`).join(',') + ']'));
  else keep.push(Array.from({ length: 1000 }, (_, j) => { const s = 'c' + String(i + j); return s; }));
}
globalThis.gc(); globalThis.gc();
console.error('kept', keep.length);
