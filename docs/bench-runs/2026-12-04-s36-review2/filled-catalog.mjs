// The catalog both scripts start from (run from a clone, as they are): N databases, each a versioned key of
// about 200 bytes, applied through the state machine in batches of 1,000; replica checks logging with `log`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetaTable } from '../dist/src/meta/meta-table.js';
import { MetaStateMachine } from '../dist/src/meta/meta-state-machine.js';
import { ReplicaChecks } from '../dist/src/meta/replica-checks.js';
import { encodeCommand } from '../dist/src/meta/commands.js';

export async function filledCatalog(n, dirPrefix, log) {
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  const meta = await MetaTable.open(join(dir, 'catalog'));
  const checks = new ReplicaChecks(2, log);
  const sm = new MetaStateMachine(meta, checks);
  let index = 0;
  const entry = (command) => ({ index: ++index, term: 1, data: encodeCommand(command), confChange: null });
  for (let b = 0; b < n / 1000; b++) {
    const entries = [];
    for (let i = 0; i < 1000; i++) {
      const id = b * 1000 + i + 1;
      entries.push(entry({ kind: 'putDatabase', ts: BigInt(1000 + id), database: { id: BigInt(id), name: `db${id}`, state: 0, createdTimeNs: 0n, properties: [{ key: 'k', value: 'x'.repeat(200) }] } }));
    }
    await sm.apply(entries);
  }
  await meta.flushed();
  return { dir, meta, checks, sm, entry, index: () => index };
}
