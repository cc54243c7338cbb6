// Which compression the index and meta-index blocks of real tables use (the check decompresses those).
import { readFileSync, readdirSync } from 'node:fs';
const dirs = process.argv.slice(2); const counts = {};
const varint = (b, at) => { let v = 0, s = 1; for (;;) { const x = b[at.i++]; v += (x & 0x7f) * s; if (x < 0x80) return v; s *= 128; } };
for (const d of dirs) for (const f of readdirSync(d).filter((n) => n.endsWith('.ldb'))) {
  const b = readFileSync(`${d}/${f}`); if (b.length < 48) continue; const at = { i: b.length - 48 };
  const mo = varint(b, at), ms = varint(b, at), io = varint(b, at), is = varint(b, at);
  const k = `meta=${b[mo + ms]} index=${b[io + is]} indexBytes~${is < 4096 ? '<4K' : is < 65536 ? '<64K' : '>=64K'}`; counts[k] = (counts[k] ?? 0) + 1;
}
console.log(counts);
