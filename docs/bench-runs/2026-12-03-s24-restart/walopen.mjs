const [root, dir] = process.argv.slice(2);
const { DurableStorage } = await import(`${root}/dist/raft/durable-storage.js`);
const { cpSync, rmSync } = await import('node:fs');
const copy = `${dir}-run-${process.pid}`; cpSync(dir, copy, { recursive: true });
const t0 = performance.now();
const s = await DurableStorage.open(copy, {});
console.log('open ms', Math.round(performance.now() - t0), 'first', s.firstIndex(), 'last', s.lastIndex());
rmSync(copy, { recursive: true, force: true });
