const TWO_32 = 4294967296, TEN_7 = 1e7;
function seven(v){ const t = String(v); return t.length === 7 ? t : '0000000'.slice(t.length) + t; }
function a(low, high){ if (high < 0x200000) return String(high*TWO_32+low); const bits=(BigInt(high)<<32n)|BigInt(low); return bits.toString(); }
function b(low, high){ if (high < 0x200000) return String(high*TWO_32+low);
  const A = low & 0xffffff, B = ((low>>>24)|(high<<8)) & 0xffffff, C = high>>>16;
  let u = A + B*6777216 + C*6710656, t7 = B + C*8147497, t14 = C*2;
  t7 += Math.floor(u/TEN_7); u %= TEN_7; t14 += Math.floor(t7/TEN_7); t7 %= TEN_7;
  return String(t14) + seven(t7) + seven(u); }
// variant c: two doubles: hi part = floor(v / 1e9) computed exactly? use t14/t7 merge: top = t14*1e7 + t7 (< 2^53), then top + 7digit
function c(low, high){ if (high < 0x200000) return String(high*TWO_32+low);
  const A = low & 0xffffff, B = ((low>>>24)|(high<<8)) & 0xffffff, C = high>>>16;
  let u = A + B*6777216 + C*6710656, t7 = B + C*8147497, t14 = C*2;
  t7 += Math.floor(u/TEN_7); u %= TEN_7; const top = t14*TEN_7 + t7;
  return String(top) + seven(u); }
const N = 600000; const lows = new Uint32Array(N), highs = new Uint32Array(N);
for (let i = 0; i < N; i++) { const v = 460000000000000000n + BigInt(i)*262144000n; lows[i] = Number(v & 0xffffffffn); highs[i] = Number(v >> 32n); }
for (const f of [a,b,c,a,b,c,a,b,c]) { const t = performance.now(); const out = new Array(N); for (let i=0;i<N;i++) out[i]=f(lows[i],highs[i]); const ms = performance.now()-t; if (out[12345] !== a(lows[12345],highs[12345])) throw new Error(f.name+' wrong '+out[12345]); console.log(f.name, ms.toFixed(0)); }
const w64 = new BigUint64Array(1), w32 = new Uint32Array(w64.buffer);
function d(low, high){ if (high < 0x200000) return String(high*TWO_32+low); w32[0]=low; w32[1]=high; return w64[0].toString(); }
for (const f of [a,d,a,d,a,d]) { const t = performance.now(); const out = new Array(N); for (let i=0;i<N;i++) out[i]=f(lows[i],highs[i]); const ms = performance.now()-t; if (out[12345] !== a(lows[12345],highs[12345])) throw new Error(f.name+' wrong '+out[12345]); console.log(f.name, ms.toFixed(0)); }
function batch(lows, highs, n) {
  const buf = Buffer.allocUnsafe(n * 21); let at = 0;
  const tmp = new Uint8Array(20);
  for (let i = 0; i < n; i++) {
    const low = lows[i], high = highs[i];
    if (high < 0x200000) { let v = high*TWO_32+low; let k = 0; do { const q = Math.floor(v/10); tmp[k++] = 48 + (v - q*10); v = q; } while (v > 0); while (k > 0) buf[at++] = tmp[--k]; }
    else {
      const A = low & 0xffffff, B = ((low>>>24)|(high<<8)) & 0xffffff, C = high>>>16;
      let u = A + B*6777216 + C*6710656, t7 = B + C*8147497; let top = C*2;
      t7 += Math.floor(u/TEN_7); u %= TEN_7; top = top*TEN_7 + t7;
      let k = 0; for (let j = 0; j < 7; j++) { const q = (u/10)|0; tmp[k++] = 48 + u - q*10; u = q; }
      do { const q = Math.floor(top/10); tmp[k++] = 48 + (top - q*10); top = q; } while (top > 0);
      while (k > 0) buf[at++] = tmp[--k];
    }
    buf[at++] = 44;
  }
  return buf.latin1Slice(0, at - 1).split(',');
}
for (let r = 0; r < 4; r++) { let t = performance.now(); const out = batch(lows, highs, N); const ms = performance.now()-t; for (const i of [0, 12345, N-1]) if (out[i] !== a(lows[i],highs[i])) throw new Error('batch wrong '+out[i]); console.log('batch', ms.toFixed(0)); t = performance.now(); const o2 = new Array(N); for (let i=0;i<N;i++) o2[i]=a(lows[i],highs[i]); console.log('a', (performance.now()-t).toFixed(0)); }
const D = new Array(20).fill(0);
function e(low, high){ if (high < 0x200000) return String(high*TWO_32+low);
  const A = low & 0xffffff, B = ((low>>>24)|(high<<8)) & 0xffffff, C = high>>>16;
  let u = A + B*6777216 + C*6710656, t7 = B + C*8147497, t14 = C*2;
  t7 += Math.floor(u/TEN_7); u %= TEN_7; t14 += Math.floor(t7/TEN_7); t7 %= TEN_7;
  // digits of t14 (1..6), then 7 of t7, 7 of u
  let k = 0; const tmp = D;
  let x = t14; let n = 0; const head = [];
  if (t14 < 10000) { if (t14 >= 1000) n = 4; else if (t14 >= 100) n = 3; else if (t14 >= 10) n = 2; else n = 1; } else { n = t14 >= 100000 ? 6 : 5; }
  for (let j = n - 1; j >= 0; j--) { const q = (x / 10) | 0; tmp[j] = 48 + x - q * 10; x = q; }
  for (let j = n + 6; j >= n; j--) { const q = (t7 / 10) | 0; tmp[j] = 48 + t7 - q * 10; t7 = q; }
  for (let j = n + 13; j >= n + 7; j--) { const q = (u / 10) | 0; tmp[j] = 48 + u - q * 10; u = q; }
  switch (n) {
    case 4: return String.fromCharCode(tmp[0],tmp[1],tmp[2],tmp[3],tmp[4],tmp[5],tmp[6],tmp[7],tmp[8],tmp[9],tmp[10],tmp[11],tmp[12],tmp[13],tmp[14],tmp[15],tmp[16],tmp[17]);
    default: return String.fromCharCode.apply(null, tmp.slice(0, n + 14));
  }
}
for (const f of [a,e,a,e,a,e]) { const t = performance.now(); const out = new Array(N); for (let i=0;i<N;i++) out[i]=f(lows[i],highs[i]); const ms = performance.now()-t; for (const i of [0,12345,N-1]) if (out[i] !== a(lows[i],highs[i])) throw new Error(f.name+' wrong '+out[i]); console.log(f.name, ms.toFixed(0)); }
