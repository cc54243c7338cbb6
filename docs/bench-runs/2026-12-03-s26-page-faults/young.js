const ring = new Array(1000).fill(null);
const r0 = process.resourceUsage(); const t0 = performance.now();
for (let i = 0; i < 1e7; i++) { ring[i % 1000] = { x: i, y: [i, i + 1], s: 'a' + (i & 1023) }; }
const t1 = performance.now(); const r1 = process.resourceUsage();
console.log(process.execArgv.join(' ') || '(default)', 'ms', (t1 - t0).toFixed(0), 'minor faults', r1.minorPageFault - r0.minorPageFault);
