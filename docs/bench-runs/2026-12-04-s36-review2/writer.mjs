import { RootCoordClient } from '../dist/src/client/root-coord-client.js';
const [endpoints, seconds] = [process.argv[2].split(','), Number(process.argv[3])];
const c = new RootCoordClient({ endpoints, retryBudgetMs: 20000 });
const end = Date.now() + seconds * 1000;
let ok = 0, fail = 0, i = 0;
while (Date.now() < end) {
  const n = i++;
  try {
    await c.createDatabase(`w${n % 40}`).catch(() => {});
    if (n % 3 === 0) await c.call('DropDatabase', { db_name: `w${(n + 20) % 40}` }).catch(() => {});
    ok++;
  } catch { fail++; }
}
c.close();
console.log(JSON.stringify({ ok, fail }));
