/**
 * A new member joins through a copy of the catalog larger than what is kept in memory (1 MiB), on real
 * processes: the leader's request thread makes it in pieces for its Raft worker, which writes them to a
 * snapshot file, sends it from there, the new member receives it into a file, stores its own copy and
 * restores the catalog reading that file (README, "Snapshots are streamed"). The new member then serves
 * every collection.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { RootCoordClient, RootCoordError } from '../../src/client/root-coord-client.js';
import { freeBasePort } from '../../scripts/free-ports.js';
import { loggedLines } from '../../scripts/node-log.js';
import { simpleSchema } from './fixtures/in-process-cluster.js';
import { scriptCluster } from './fixtures/script-cluster.js';

/**
 * Enough collections for a compressed copy well over 1 MiB, and for the log to be compacted behind them
 * (every 10,000 entries, keeping 1,000: the cluster is made with --snapshot-entries-kept 1000, as the
 * default of 20,000 would let the new member catch up from the log).
 */
const COLLECTIONS = 9000;
const CLIENTS = 32;

/** The `bytes` of every log line of `file` with this message. */
function loggedBytes(file: string, message: string): number[] {
  return loggedLines(file, message).map((line) => line['bytes'] as number);
}

describe('A member joining through a copy of the catalog kept in files', function () {
  this.timeout(300_000);
  const scripts = scriptCluster('rootcoord-join-copy-');
  const cluster = scripts.run;

  it('receives, stores and restores a copy of more than 1 MiB, and serves every collection', async () => {
    const base = await freeBasePort(4);
    await cluster('up', '--base-port', String(base), '--snapshot-entries-kept', '1000');
    const nodes = await scripts.nodes();
    const client = new RootCoordClient({ endpoints: nodes.map((n) => n.client) });
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = next++; i < COLLECTIONS; i = next++) {
          for (;;) {
            try {
              await client.createCollection(`c${i}`, simpleSchema());
              break;
            } catch (error) {
              // Overload (2001) and a leader change are retried; an earlier attempt that did land is fine.
              if (error instanceof RootCoordError && /already exist/.test(error.message)) break;
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
          }
        }
      }),
    );
    await cluster('add');
    const all = await scripts.nodes();
    const added = all[all.length - 1] as { id: number; client: string };
    const viaNew = new RootCoordClient({ endpoints: [added.client] });
    try {
      const names = (await viaNew.showCollections())['collection_names'] as string[];
      expect(names.filter((n) => /^c\d+$/.test(n))).to.have.length(COLLECTIONS);
      expect((await viaNew.describeCollection('c4321'))['collection_name']).to.equal('c4321');
      // It came through a copy kept in files (more than 1 MiB), not through the log.
      const restored = loggedBytes(join(scripts.dir(), `node-${added.id}.log`), 'state machine restored from a snapshot');
      expect(restored.length).to.be.at.least(1);
      expect(Math.max(...restored)).to.be.above(1024 * 1024);
      const copies = nodes.flatMap((n) => loggedBytes(join(scripts.dir(), `node-${n.id}.log`), 'made a copy of the state machine for a peer that needs a snapshot'));
      expect(Math.max(...copies)).to.be.above(1024 * 1024);
    } finally {
      viaNew.close();
      client.close();
    }
  });
});
