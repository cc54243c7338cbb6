/**
 * A node's files hold every user's password hash: directories are created 0700 and files 0600 (the raft
 * log and snapshots, the LevelDB catalog, log files), and a node process creates nothing anyone else
 * can read.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DurableStorage } from '../../raft/durable-storage.js';
import { EntryType } from '../../raft/types.js';
import { Logger } from '../../src/common/logger.js';
import { VersionedStore } from '../../src/meta/versioned-store.js';
import { freePorts, tempDirEach } from '../raft/fixtures/process-cluster.js';
import { until } from '../rootcoord/until.js';
import { messageNeedle } from '../../scripts/node-log.js';

async function mode(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o777).toString(8);
}

/** Every directory and file below `root` with a mode other than 0700 / 0600. */
async function exposed(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    const want = entry.isDirectory() ? '700' : '600';
    if ((await mode(path)) !== want) out.push(`${path} ${await mode(path)}`);
    if (entry.isDirectory()) out.push(...(await exposed(path)));
  }
  return out;
}

describe('file modes', function () {
  this.timeout(30_000);
  const dir = tempDirEach('rootcoord-modes-');

  it('the raft directory is 0700, its segments and snapshots 0600, also for a directory made before', async () => {
    const raftDir = join(dir(), 'raft');
    await mkdir(raftDir, { mode: 0o755 });
    const storage = await DurableStorage.open(raftDir);
    await storage.save({ term: 1, vote: 0, commit: 3 }, [1, 2, 3].map((index) => ({ term: 1, index, type: EntryType.Normal, data: new Uint8Array([index]) })), null);
    await storage.createSnapshot(3, { voters: [1], learners: [] }, new Uint8Array([9]), 0);
    await storage.close();
    expect(await mode(raftDir)).to.equal('700');
    expect((await readdir(raftDir)).some((n) => n.endsWith('.snap'))).to.equal(true);
    expect(await exposed(raftDir)).to.deep.equal([]);
  });

  it('the LevelDB catalog directory is 0700 before LevelDB writes anything into it', async () => {
    const metaDir = join(dir(), 'node-1', 'meta');
    const store = await VersionedStore.open(metaDir);
    await store.write(VersionedStore.put('k', 'v', 1n));
    await store.close();
    expect(await mode(metaDir)).to.equal('700');
    expect(await mode(join(dir(), 'node-1'))).to.equal('700');
  });

  it('a log file is 0600', async () => {
    const file = join(dir(), 'node.log');
    new Logger(1, file).info('hello');
    expect(await mode(file)).to.equal('600');
  });

  it('a node process creates its data directory 0700 and every file in it 0600', async () => {
    const [peer, client] = await freePorts(2);
    const dataDir = join(dir(), 'data');
    const main = fileURLToPath(new URL('../../src/main.js', import.meta.url));
    const args = [main, '--id', '1', '--data-dir', dataDir, '--peers', `1=127.0.0.1:${peer as number}`, '--clients', `1=127.0.0.1:${client as number}`, '--log-file', join(dataDir, 'node.log'), '--milvus-address', 'none'];
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    try {
      // Up once its log says it leads and serves: by then the raft log, the catalog and the log file exist
      // and have been written.
      await until('the node serving as leader', async () => {
        const logged = await readdir(dataDir).catch(() => [] as string[]);
        if (!(logged.includes('node.log') && logged.includes('raft') && logged.includes('meta'))) return false;
        const log = await readFile(join(dataDir, 'node.log'), 'utf8');
        return log.includes(messageNeedle('serving')) && log.includes(messageNeedle('leader services started'));
      }, 20_000);
      expect(await mode(dataDir)).to.equal('700');
      expect(await exposed(dataDir)).to.deep.equal([]);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
