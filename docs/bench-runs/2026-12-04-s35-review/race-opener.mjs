// Process B: what a second start on the same data directory says, again and again.
import { VersionedStore } from '/tmp/s35-rev/repo/dist/src/meta/versioned-store.js';
const dir = process.argv[2]; const seconds = Number(process.argv[3] ?? 35);
const counts = {}; const examples = {};
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  let kind;
  try { const s = await VersionedStore.open(dir); await s.close(); kind = 'opened(!)'; }
  catch (e) { const m = String(e.message); kind = /Is another process/.test(m) ? 'locked (right answer)' : /must not start on it|cannot be trusted/.test(m) ? 'DAMAGE verdict with wipe advice' : 'other'; examples[kind] ??= m.slice(0, 400); }
  counts[kind] = (counts[kind] ?? 0) + 1;
}
console.log(JSON.stringify(counts, null, 1)); console.log(JSON.stringify(examples, null, 1));
